// The direct arm: one 0-shot call with the question and lettered options; the letter comes from the
// "Answer: <letter>" line (strict extraction, no guessing).
import type { Case } from "../../types.js";
import { EndpointError, type ModelClient } from "../../endpoint/types.js";
import { extractAnswer } from "../extract-answer.js";
import { caseLetters, formatOptions } from "../format.js";
import { isFatal } from "../model-step.js";
import { renderTemplate } from "../prompts.js";
import type { ArmResult, PipelineOptions } from "../types.js";

const ZERO_COST = { latency_ms: 0, cold_ms: 0, tokens: { prompt: 0, completion: 0 }, attempts: 0 };

export function directRequestText(c: Case, template: string): string {
  return renderTemplate(template, { question: c.question.trim(), options: formatOptions(c) });
}

/** No system message: the direct arm measures the bare model, and its template is the whole prompt. */
export async function runDirect(c: Case, client: ModelClient, opts: PipelineOptions, signal?: AbortSignal): Promise<ArmResult> {
  const content = directRequestText(c, opts.prompts.direct.text);
  try {
    const res = await client.chat(
      { messages: [{ role: "user", content }], max_tokens: opts.maxTokens, tag: { case_id: c.id, step: "direct" } },
      signal,
    );
    const answer = extractAnswer(res.text, caseLetters(c));
    const result: ArmResult = {
      outcome: answer === null ? "unparseable" : answer === c.answer_idx ? "correct" : "wrong",
      answer,
      latency_ms: res.latency_ms,
      cold_ms: res.cold_ms,
      tokens: { ...res.tokens },
      calls: 1,
      attempts: res.attempts,
      finish_reason: res.finish_reason,
    };
    if (answer === null) result.error = `no answer letter found (finish_reason ${res.finish_reason ?? "unknown"})`;
    if (opts.raw) result.raw = res.text;
    return result;
  } catch (err) {
    if (isFatal(err)) throw err;
    if (!(err instanceof EndpointError)) {
      // Same rule as the pipeline: a contract-breaking client error is recorded, not allowed to end the run.
      const error = err instanceof Error ? err.message : String(err);
      return { ...ZERO_COST, outcome: "error", answer: null, calls: 1, error_class: "unknown", error };
    }
    return {
      outcome: "error",
      answer: null,
      latency_ms: err.stats.latency_ms,
      cold_ms: err.stats.cold_ms,
      tokens: { ...err.stats.tokens },
      calls: 1,
      attempts: err.stats.attempts,
      ...(err.status !== undefined ? { status: err.status } : {}),
      error_class: err.errorClass,
      error: err.message,
    };
  }
}
