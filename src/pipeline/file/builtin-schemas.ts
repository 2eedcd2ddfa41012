// The built-in step schemas a pipeline file can name instead of a JSON Schema file (`schema: parse`).
import type { z } from "zod";
import type { Letter } from "../../types.js";
import { answerSchema } from "../steps/answer/schema.js";
import { ConflictsSchema } from "../steps/conflicts/schema.js";
import { DrugReviewSchema } from "../steps/drugs/schema.js";
import { GuidelineOutputSchema } from "../steps/guidelines/schema.js";
import { ProfileSchema } from "../steps/parse/schema.js";
import { ReasoningSchema } from "../steps/reason/schema.js";
import { ReportSchema } from "../steps/synthesize/schema.js";

const FIXED: Record<string, z.ZodType> = {
  parse: ProfileSchema,
  reason: ReasoningSchema,
  drugs: DrugReviewSchema,
  guidelines: GuidelineOutputSchema,
  conflicts: ConflictsSchema,
  synthesize: ReportSchema,
};

export const BUILTIN_SCHEMA_NAMES: readonly string[] = [...Object.keys(FIXED), "answer"];

/** A built-in schema by name; `answer` is per case (its enum is the case's own letters). */
export function builtinSchema(name: string): ((letters: readonly Letter[]) => z.ZodType) | null {
  if (name === "answer") return (letters) => answerSchema(letters);
  const s = FIXED[name];
  return s ? () => s : null;
}
