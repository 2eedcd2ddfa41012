// A pipeline case's ArmResult from its step records: totals summed over steps (one definition for every pipeline).
import type { StepRecord } from "../types.js";
import type { ArmResult } from "./types.js";

/** Totals (latency, cold time, tokens, calls, attempts) are sums over the step records; skipped steps add 0. */
export function caseResult(
  steps: Record<string, StepRecord>,
  failed: readonly string[],
  result: Pick<ArmResult, "outcome" | "answer" | "error_class" | "error" | "grade">,
): ArmResult {
  const recs = Object.values(steps);
  const sum = (f: (r: StepRecord) => number) => recs.reduce((a, r) => a + f(r), 0);
  const out: ArmResult = {
    outcome: result.outcome,
    answer: result.answer,
    latency_ms: sum((r) => r.latency_ms),
    cold_ms: sum((r) => r.cold_ms),
    tokens: { prompt: sum((r) => r.prompt_tokens), completion: sum((r) => r.completion_tokens) },
    ...(recs.some((r) => r.tokens_estimated) ? { tokens_estimated: true } : {}),
    calls: sum((r) => r.calls),
    attempts: sum((r) => r.attempts),
    steps,
  };
  if (failed.length > 0) out.failed_steps = [...failed];
  if (result.grade !== undefined) out.grade = result.grade;
  if (result.error_class !== undefined) out.error_class = result.error_class;
  if (result.error !== undefined) out.error = result.error;
  return out;
}
