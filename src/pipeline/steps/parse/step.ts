import { runModelStep, type StepContext, type StepResult } from "../../model-step.js";
import { ProfileSchema, type Profile } from "./schema.js";

export const PARSE_MAX_TOKENS = 1024;

/** The vignette arrives without its question stem, so the profile holds patient facts only. */
export function runParse(vignette: string, ctx: StepContext): Promise<StepResult<Profile>> {
  return runModelStep({ id: "parse", vars: { vignette }, schema: ProfileSchema, maxTokens: PARSE_MAX_TOKENS }, ctx);
}
