// Runs a `--pipeline FILE` pipeline on one case: its topological levels in order, the steps of a level
// concurrently, each through the same model-call machinery as the built-in steps (render → call → JSON
// extraction/repair → one re-ask). Outcome taxonomy as the built-in pipeline (pipeline/run.ts): only the answer
// step decides — a letter → correct/wrong, a reply without one → unparseable, no reply → error. A failed step
// follows its `on_failure`: degrade (later steps read "(not available: step failed)"), skip (the steps that read
// it are skipped too), fail (the case ends: unparseable when the model's reply was unusable, error otherwise).
import { caseResult } from "../run.js";
import type { z } from "zod";
import { EndpointError, type ModelClient } from "../../endpoint/types.js";
import { grade, gradeRecord, type Grade } from "../../scoring/grading/grade.js";
import type { Case, StepRecord } from "../../types.js";
import { caseLetters, caseQuestion, compactJson, formatOptions, unavailable } from "../format.js";
import type { ParseStructuredResult } from "../json/parse.js";
import { NO_CALL_STATS, runModelStep, skippedRecord, type StepContext, type StepResult } from "../model-step.js";
import { splitStem } from "../stem.js";
import { retrieveGuidelines } from "../steps/guidelines/step.js";
import type { ArmResult, PipelineOptions } from "../types.js";
import { RETRIEVED_VAR, type PipelineDef, type ResolvedStep } from "./load.js";

interface Done {
  status: "ok" | "failed" | "skipped";
  /** Text later templates receive. */
  text: string;
  /** on_failure: skip propagates to the steps that read this one. */
  skipDownstream: boolean;
}

/** The case fields a step can name as inputs, as the built-in prompts render them. */
export function caseInputs(c: Case): Record<string, string> {
  const split = splitStem(c.question);
  return {
    question: caseQuestion(c),
    options: formatOptions(c),
    vignette: c.context?.trim() || split.vignette || c.question.trim(),
    context: c.context?.trim() ?? "",
    stem: split.stem,
    case_text: `${caseQuestion(c)}\n\n${formatOptions(c)}`,
  };
}

export async function runPipelineFile(def: PipelineDef, c: Case, client: ModelClient, opts: PipelineOptions, signal?: AbortSignal): Promise<ArmResult> {
  const ctx: StepContext = { client, opts, caseId: c.id, ...(signal ? { signal } : {}) };
  const byName = new Map(def.steps.map((s) => [s.name, s]));
  const fields = caseInputs(c);
  const done = new Map<string, Done>();
  const records: Record<string, StepRecord> = {};
  let answerGrade: Grade | null = null;
  let answerValue: string | undefined;
  let failedHard: { step: string; rec: StepRecord } | null = null;

  for (const level of def.levels) {
    if (signal?.aborted) throw new EndpointError("cancelled", "cancelled", { ...NO_CALL_STATS, tokens: { ...NO_CALL_STATS.tokens } });
    if (failedHard) break;
    await Promise.all(
      level.map(async (name) => {
        const step = byName.get(name)!;
        const upstream = step.inputs.filter((i) => byName.has(i)).map((i) => done.get(i)!);
        if (!step.answer && upstream.some((u) => u.skipDownstream)) {
          records[name] = skippedRecord();
          done.set(name, { status: "skipped", text: unavailable("skipped"), skipDownstream: true });
          return;
        }
        const vars: Record<string, string> = {};
        for (const i of step.inputs) vars[i] = byName.has(i) ? done.get(i)!.text : (fields[i] ?? "");
        if (step.answer) {
          const res = await runAnswerStep(step, c, vars, ctx);
          answerGrade = res.grade;
          answerValue = res.value;
          records[name] = res.record;
          return;
        }
        const res = await runStep(step, c, vars, ctx);
        records[name] = res.record;
        if (res.value !== undefined) {
          done.set(name, { status: "ok", text: typeof res.value === "string" ? res.value : compactJson(res.value), skipDownstream: false });
          return;
        }
        done.set(name, { status: "failed", text: unavailable("failed"), skipDownstream: step.on_failure === "skip" });
        if (step.on_failure === "fail") failedHard ??= { step: name, rec: res.record };
      }),
    );
  }

  // File order, whatever order the concurrent steps finished in: reports list steps as the file does.
  const ordered: Record<string, StepRecord> = {};
  for (const s of def.steps) ordered[s.name] = records[s.name] ?? skippedRecord();
  return conclude(def, c, ordered, failedHard, answerGrade, answerValue);
}

function conclude(
  def: PipelineDef,
  c: Case,
  records: Record<string, StepRecord>,
  failedHard: { step: string; rec: StepRecord } | null,
  answerGrade: Grade | null,
  answerValue: string | undefined,
): ArmResult {
  const failed = def.steps.filter((s) => !s.answer && records[s.name]!.status === "failed").map((s) => s.name);
  const hard = failedHard as { step: string; rec: StepRecord } | null;
  if (hard) {
    const unusable = hard.rec.error_class === "parse_failed";
    return finish(records, failed, {
      outcome: unusable ? "unparseable" : "error",
      answer: null,
      ...(unusable ? {} : { error_class: hard.rec.error_class ?? "unknown" }),
      error: `${hard.step} (on_failure: fail): ${hard.rec.error ?? "failed"}`,
    });
  }
  const g = answerGrade as Grade | null;
  const gradeField = g === null ? {} : { grade: gradeRecord(g) };
  const rec = records[def.answer]!;
  if (answerValue !== undefined) {
    return finish(records, failed, { outcome: answerValue === c.answer_idx ? "correct" : "wrong", answer: answerValue as Case["answer_idx"], ...gradeField });
  }
  if (rec.error_class === "parse_failed") {
    return finish(records, failed, { outcome: "unparseable", answer: null, error: `${def.answer}: ${rec.error ?? "no answer letter"}`, ...gradeField });
  }
  return finish(records, failed, { outcome: "error", answer: null, error_class: rec.error_class ?? "unknown", error: `${def.answer}: ${rec.error ?? "failed"}` });
}

function overrides(step: ResolvedStep) {
  return {
    template: step.prompt!.text,
    ...(step.temperature !== null ? { temperature: step.temperature } : {}),
    ...(step.json_mode !== null ? { jsonMode: step.json_mode } : {}),
  };
}

/** A non-answer step: retrieval only, a model call, or retrieval feeding a model call. */
async function runStep(step: ResolvedStep, c: Case, vars: Record<string, string>, ctx: StepContext): Promise<StepResult<unknown>> {
  if (step.retrieval) {
    const query = step.retrieval.query.map((q) => vars[q] ?? "").join("\n");
    const hits = retrieveGuidelines(step.retrieval.corpus, query, step.retrieval.top_k);
    if (step.prompt === null) return { value: hits, record: { ...skippedRecord(), status: "ok", output: hits } };
    vars = { ...vars, [RETRIEVED_VAR]: compactJson(hits.recommendations) };
  }
  const maxTokens = step.max_tokens ?? ctx.opts.maxTokens;
  if (step.schema === null) {
    return runModelStep({ id: step.name, vars, schema: null, maxTokens, ...overrides(step) }, ctx);
  }
  const schema = step.schema.zodFor(caseLetters(c));
  return runModelStep({ id: step.name, vars, schema, maxTokens, ...(step.schema.json ? { jsonSchema: step.schema.json } : {}), ...overrides(step) }, ctx);
}

/** The answer step: its reply is read by the project's one grader (as the built-in answer step and the direct arm). */
async function runAnswerStep(step: ResolvedStep, c: Case, vars: Record<string, string>, ctx: StepContext): Promise<StepResult<string> & { grade: Grade | null }> {
  let last: Grade | null = null;
  const parse = (text: string, finishReason: string | null): ParseStructuredResult<string> => {
    last = grade({ text, options: c.options, finishReason });
    if (last.letter === null) return { ok: false, error: `no single answer letter (${last.reason ?? "no_commitment"}); answer with exactly one of ${caseLetters(c).join(", ")}.` };
    return { ok: true, value: last.letter, outcome: last.method === "format" ? "ok" : "repaired" };
  };
  const maxTokens = step.max_tokens ?? ctx.opts.maxTokens;
  const schema = step.schema ? (step.schema.zodFor(caseLetters(c)) as z.ZodType<string>) : null;
  const res = await runModelStep<string>(
    { id: step.name, vars, schema, maxTokens, parse, ...(step.schema?.json ? { jsonSchema: step.schema.json } : {}), ...overrides(step) },
    ctx,
  );
  return { ...res, grade: last };
}

function finish(records: Record<string, StepRecord>, failed: string[], result: Pick<ArmResult, "outcome" | "answer" | "error_class" | "error" | "grade">): ArmResult {
  return caseResult(records, failed, result);
}
