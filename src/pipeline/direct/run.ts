// The direct arm: one 0-shot call with the question and lettered options; the letter comes from the grader
// (scoring/grading), which reads the final "Answer: <letter>" line and the other explicit commitments.
import type { Case } from "../../types.js";
import { journalStream } from "../../endpoint/stream-stats.js";
import { EndpointError, type ModelClient } from "../../endpoint/types.js";
import { grade, gradeRecord } from "../../scoring/grading/grade.js";
import { caseQuestion, formatOptions } from "../format.js";
import { isFatal, NO_CALL_STATS } from "../model-step.js";
import { renderTemplate } from "../template.js";
import type { ArmResult, PipelineOptions } from "../types.js";

export function directRequestText(c: Case, template: string): string {
  return renderTemplate(template, { question: caseQuestion(c), options: formatOptions(c) });
}

/** No system message: the direct arm measures the bare model, and its template is the whole prompt. */
export async function runDirect(c: Case, client: ModelClient, opts: PipelineOptions, signal?: AbortSignal): Promise<ArmResult> {
  const content = directRequestText(c, opts.prompts.direct.text);
  try {
    const res = await client.chat(
      { messages: [{ role: "user", content }], max_tokens: opts.maxTokens, tag: { case_id: c.id, step: "direct" } },
      signal,
    );
    const g = grade({ text: res.text, options: c.options, finishReason: res.finish_reason });
    const answer = g.letter;
    const result: ArmResult = {
      outcome: answer === null ? "unparseable" : answer === c.answer_idx ? "correct" : "wrong",
      answer,
      latency_ms: res.latency_ms,
      cold_ms: res.cold_ms,
      tokens: { ...res.tokens },
      calls: 1,
      attempts: res.attempts,
      finish_reason: res.finish_reason,
      grade: gradeRecord(g),
    };
    const stream = journalStream(res.stream);
    if (stream) result.stream = stream;
    if (res.server) result.server = res.server;
    if (res.tokens_estimated) result.tokens_estimated = true;
    if (answer === null) result.error = `no answer letter: ${g.reason} (finish_reason ${res.finish_reason ?? "unknown"})`;
    if (opts.raw) result.raw = res.text;
    return result;
  } catch (err) {
    if (isFatal(err)) throw err;
    // Same rule as the pipeline: a contract-breaking client error (not an EndpointError) is recorded as
    // "unknown" at no cost, not allowed to end the run.
    const e = err instanceof EndpointError ? err : null;
    const s = e?.stats ?? NO_CALL_STATS;
    return {
      outcome: "error",
      answer: null,
      latency_ms: s.latency_ms,
      cold_ms: s.cold_ms,
      tokens: { ...s.tokens },
      calls: 1,
      attempts: s.attempts,
      ...(e?.status !== undefined ? { status: e.status } : {}),
      error_class: e?.errorClass ?? "unknown",
      error: e !== null ? e.message : err instanceof Error ? err.message : String(err),
    };
  }
}
