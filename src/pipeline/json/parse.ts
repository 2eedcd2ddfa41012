// Model response → schema-valid value: extract → JSON.parse → (repair) → coerce → zod. The error message is
// short and concrete because the pipeline quotes it back to the model in a re-ask.
import type { z } from "zod";
import { truncate, valueAt } from "../../datasets/errors.js";
import { coerceToSchema, isNonTrivial } from "./coerce.js";
import { extractJson } from "./extract.js";
import { repairJson } from "./repair.js";

export type ParseStructuredResult<T> =
  | { ok: true; value: T; outcome: "ok" | "repaired" }
  | { ok: false; error: string };

const MAX_ISSUES = 5;
const MAX_GOT_CHARS = 40;

export type ReadJsonResult = { ok: true; value: unknown; repaired: boolean } | { ok: false; error: string };

/** The JSON value in a model response: extract → JSON.parse → (repair). Shared by schema steps and answer extraction. */
export function readJson(text: string): ReadJsonResult {
  const found = extractJson(text);
  if (found === null) return { ok: false, error: "No JSON object found in the response." };
  try {
    return { ok: true, value: JSON.parse(found), repaired: false };
  } catch (e) {
    const fixed = repairJson(found);
    if (fixed === null) {
      return { ok: false, error: `The JSON is malformed and could not be repaired (${(e as Error).message}).` };
    }
    return { ok: true, value: JSON.parse(fixed), repaired: true };
  }
}

export function parseStructured<T>(text: string, schema: z.ZodType<T>): ParseStructuredResult<T> {
  if (text.trim() === "") return { ok: false, error: "The response was empty; expected a JSON object." };
  const read = readJson(text);
  if (!read.ok) return read;
  const { value: parsed, repaired } = read;

  const coerced = coerceToSchema(parsed, schema);
  const result = schema.safeParse(coerced.value);
  if (!result.success) {
    const prefix = repaired ? "The JSON was incomplete or malformed; after repair it " : "The JSON ";
    return { ok: false, error: prefix + "does not match the schema: " + describeIssues(result.error.issues, coerced.value) };
  }
  return { ok: true, value: result.data, outcome: repaired || isNonTrivial(coerced.changes) ? "repaired" : "ok" };
}

function describeIssues(issues: readonly z.core.$ZodIssue[], value: unknown): string {
  const parts = issues.slice(0, MAX_ISSUES).map((issue) => {
    const path = formatPath(issue.path);
    if (issue.path.length > 0 && valueAt(value, issue.path) === undefined) {
      return `${path}: missing (${issue.code === "invalid_type" ? `required ${issue.expected}` : issue.message})`;
    }
    const got = gotText(value, issue.path);
    return `${path}: ${issue.message}${got ? ` (got ${got})` : ""}`;
  });
  const more = issues.length > MAX_ISSUES ? `; and ${issues.length - MAX_ISSUES} more` : "";
  return parts.join("; ") + more + ".";
}

function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return "(root)";
  let s = "";
  for (const p of path) s += typeof p === "number" ? `[${p}]` : s ? `.${String(p)}` : String(p);
  return s;
}

function gotText(value: unknown, path: readonly PropertyKey[]): string {
  const v = valueAt(value, path);
  if (v === undefined || (typeof v === "object" && v !== null)) return "";
  return truncate(JSON.stringify(v), MAX_GOT_CHARS);
}
