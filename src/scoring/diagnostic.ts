// Diagnostic accuracy of the pipeline's synthesized report, beside its multiple-choice answer.
//
// Definitions (one denominator for all three metrics: EVERY pipeline case, whatever its outcome; a case whose
// synthesize step is missing, failed or has no usable output counts as a miss, and `n_with_report` says how
// many cases had a report at all):
//   top1      — matches(correct_text, differential[0].diagnosis) of the synthesize step's output. Nothing
//               else: top-1 never falls through to other fields or to full-text matches.
//   top3      — matches(correct_text, d.diagnosis) for any d among the first three differential entries.
//   mentioned — top-N over the whole differential, OR the normalised correct text occurs as a contiguous phrase
//               (whole tokens, see match.phraseIn) in any string anywhere in the synthesize output
//               (patient_summary, reasoning, next_steps, caveats, …). So top1 ⊆ top3 ⊆ mentioned.
// The matcher is `scoring/match.matches` (answer tokens ⊆ candidate tokens; see there).
import type { CaseRecord } from "../types.js";
import { matches, phraseMatcher } from "./match.js";

export interface DiagnosticHit {
  /** The case had a synthesize step with status ok and an object output. */
  has_report: boolean;
  top1: boolean;
  top3: boolean;
  mentioned: boolean;
}

/** Ranked diagnosis names of a differential; tolerates plain strings and drops entries without a name. */
export function differentialNames(output: unknown): string[] {
  if (!isObject(output) || !Array.isArray(output.differential)) return [];
  const names: string[] = [];
  for (const d of output.differential) {
    if (typeof d === "string") names.push(d);
    else if (isObject(d) && typeof d.diagnosis === "string") names.push(d.diagnosis);
    else names.push(""); // keep the rank of a malformed entry: it is a miss at that position
  }
  return names;
}

/** Every string leaf of a JSON value, depth first (iterative: no recursion limit on odd outputs). */
export function stringLeaves(value: unknown): string[] {
  const out: string[] = [];
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === "string") out.push(v);
    else if (Array.isArray(v)) {
      // Stryker disable next-line ArithmeticOperator: starting past the end only pushes undefined, which is skipped
      for (let i = v.length - 1; i >= 0; i--) stack.push(v[i]);
    } else if (isObject(v)) for (const x of Object.values(v).reverse()) stack.push(x);
  }
  return out;
}

export function scoreDiagnostic(rec: CaseRecord): DiagnosticHit {
  const step = rec.steps?.synthesize;
  const output = step?.status === "ok" ? step.output : undefined;
  if (!isObject(output)) return { has_report: false, top1: false, top3: false, mentioned: false };
  const names = differentialNames(output);
  const hit = names.map((n) => matches(rec.correct_text, n)); // a malformed entry ("") never matches
  const top1 = hit[0] === true;
  const top3 = hit.slice(0, 3).some(Boolean);
  const inText = phraseMatcher(rec.correct_text);
  const mentioned = hit.some(Boolean) || stringLeaves(output).some(inText);
  return { has_report: true, top1, top3, mentioned };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
