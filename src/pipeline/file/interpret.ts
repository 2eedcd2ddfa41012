// The one pipeline interpreter: runs a pipeline file — the built-in default.yaml or a `--pipeline FILE` — on one
// case: its topological levels in order, the steps of a level concurrently, each through the model-call machinery
// (render → call → JSON extraction/repair → one re-ask). Only the answer step decides the outcome — a letter →
// correct/wrong, a reply without one → unparseable, no reply → error. A failed step follows its `on_failure`:
// degrade (later steps read "(not available: step failed)", or its `stand_in`), skip (the steps that read it are
// skipped too), fail (the case ends: unparseable when the model's reply was unusable, error otherwise). A step
// switched off by its `skipped_by` flag, or whose `requires` produced nothing, is skipped alone.
import type { z } from "zod";
import { EndpointError, type ModelClient } from "../../endpoint/types.js";
import { grade, gradeRecord, type Grade } from "../../scoring/grading/grade.js";
import type { Case, StepRecord } from "../../types.js";
import { caseLetters, caseQuestion, compactJson, formatOptions, unavailable } from "../format.js";
import type { ParseStructuredResult } from "../json/parse.js";
import { NO_CALL_STATS, runModelStep, skippedRecord, type StepContext, type StepResult } from "../model-step.js";
import { splitStem } from "../stem.js";
import type { AnswerOutput } from "../steps/answer/schema.js";
import { retrieveGuidelines } from "../steps/guidelines/retrieve.js";
import { caseResult } from "../result.js";
import type { ArmResult, PipelineOptions } from "../types.js";
import { RETRIEVED_VAR, type PipelineDef, type ResolvedStep } from "./load.js";
import { STAND_INS, VIEWS } from "./views.js";

interface Done {
  status: "ok" | "failed" | "skipped";
  /** Text later templates receive. */
  text: string;
  /** The output (or the declared stand-in of a failed step) that views read; undefined when there is none. */
  value: unknown;
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

const skipped = (skipDownstream: boolean): Done => ({ status: "skipped", text: unavailable("skipped"), value: undefined, skipDownstream });

/** Switched off for this run by its flag (`skipped_by`). */
function switchedOff(step: ResolvedStep, opts: PipelineOptions): boolean {
  return (step.skipped_by === "--no-drugs" && !opts.drugs) || (step.skipped_by === "--no-guidelines" && !opts.guidelines);
}

/** The step's template variables: case fields, upstream texts and views of upstream values. */
function stepVars(step: ResolvedStep, fields: Readonly<Record<string, string>>, done: ReadonlyMap<string, Done>): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const ref of step.inputs) {
    if (ref.view === null) {
      const src = ref.from.value!;
      vars[ref.as] = done.get(src)?.text ?? fields[src] ?? "";
      continue;
    }
    const values: Record<string, unknown> = {};
    for (const [role, name] of Object.entries(ref.from)) values[role] = done.get(name)?.value;
    vars[ref.as] = VIEWS[ref.view].render(values, fields.vignette ?? "");
  }
  return vars;
}

export async function runPipelineFile(def: PipelineDef, c: Case, client: ModelClient, opts: PipelineOptions, signal?: AbortSignal): Promise<ArmResult> {
  const ctx: StepContext = { client, opts, caseId: c.id, ...(signal ? { signal } : {}) };
  const byName = new Map(def.steps.map((s) => [s.name, s]));
  const fields = caseInputs(c);
  const done = new Map<string, Done>();
  const records: Record<string, StepRecord> = {};
  let answer: AnswerStepResult | null = null;
  let failedHard: { step: string; rec: StepRecord } | null = null;

  for (const level of def.levels) {
    if (signal?.aborted) throw new EndpointError("cancelled", "cancelled", { ...NO_CALL_STATS, tokens: { ...NO_CALL_STATS.tokens } });
    if (failedHard) break;
    await Promise.all(
      level.map(async (name) => {
        const step = byName.get(name)!;
        const upstream = step.deps.map((i) => done.get(i)!);
        if (!step.answer && upstream.some((u) => u.skipDownstream)) {
          records[name] = skippedRecord();
          done.set(name, skipped(true));
          return;
        }
        // Switched off, or a required input produced nothing: skipped, and later steps read "(not available: step skipped)".
        if (switchedOff(step, opts) || step.requires.some((r) => done.get(r)!.status !== "ok")) {
          records[name] = skippedRecord();
          done.set(name, skipped(false));
          return;
        }
        const vars = stepVars(step, fields, done);
        if (step.answer) {
          answer = await runAnswerStep(step, c, vars, ctx);
          records[name] = answer.record;
          return;
        }
        const res = await runStep(step, c, vars, ctx);
        records[name] = res.record;
        if (res.value !== undefined) {
          done.set(name, { status: "ok", text: typeof res.value === "string" ? res.value : compactJson(res.value), value: res.value, skipDownstream: false });
          return;
        }
        const standIn = step.stand_in === null ? undefined : STAND_INS[step.stand_in].make(fields.vignette!);
        const text = standIn === undefined ? unavailable("failed") : compactJson(standIn);
        done.set(name, { status: "failed", text, value: standIn, skipDownstream: step.on_failure === "skip" });
        if (step.on_failure === "fail") failedHard ??= { step: name, rec: res.record };
      }),
    );
  }

  // File order, whatever order the concurrent steps finished in: reports list steps as the file does.
  const ordered: Record<string, StepRecord> = {};
  for (const s of def.steps) ordered[s.name] = records[s.name] ?? skippedRecord();
  return conclude(def, c, ordered, failedHard, answer);
}

function conclude(
  def: PipelineDef,
  c: Case,
  records: Record<string, StepRecord>,
  failedHard: { step: string; rec: StepRecord } | null,
  answerRes: AnswerStepResult | null,
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
  const res = answerRes as AnswerStepResult | null;
  const g = res?.grade ?? null;
  const gradeField = g === null ? {} : { grade: gradeRecord(g) };
  const rec = records[def.answer]!;
  if (res?.value !== undefined) {
    const letter = res.value.answer;
    return finish(records, failed, { outcome: letter === c.answer_idx ? "correct" : "wrong", answer: letter, ...gradeField });
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
  const corpus = step.retrieval?.corpus === "run" ? ctx.opts.guidelinesCorpus : (step.retrieval?.corpus ?? null);
  if (step.retrieval && corpus) {
    const query = step.retrieval.query.map((q) => vars[q] ?? "").join("\n");
    const hits = retrieveGuidelines(corpus, query, step.retrieval.top_k);
    // Retrieval costs no model call: an empty step record, marked ok, carrying what was retrieved.
    if (step.retrieval.use === "output") return { value: hits, record: { ...skippedRecord(), status: "ok", output: hits } };
    vars = { ...vars, [RETRIEVED_VAR]: compactJson(hits.recommendations) };
  }
  const maxTokens = step.max_tokens ?? ctx.opts.maxTokens;
  if (step.schema === null) {
    return runModelStep({ id: step.name, vars, schema: null, maxTokens, ...overrides(step) }, ctx);
  }
  const schema = step.schema.zodFor(caseLetters(c));
  return runModelStep({ id: step.name, vars, schema, maxTokens, ...(step.schema.json ? { jsonSchema: step.schema.json } : {}), ...overrides(step) }, ctx);
}

interface AnswerStepResult extends StepResult<AnswerOutput> {
  /** The grade of the step's last reply (also when it gave no letter); null when no reply arrived. */
  grade: Grade | null;
}

/**
 * The answer step: its reply is read by the project's one grader (as the direct arm's), so "D-dimer" is the option
 * with that text and prose like "The answer is C" still counts, whatever schema the model was asked for. A reply
 * without a letter is re-asked once.
 */
async function runAnswerStep(step: ResolvedStep, c: Case, vars: Record<string, string>, ctx: StepContext): Promise<AnswerStepResult> {
  let last: Grade | null = null;
  const letters = caseLetters(c);
  const parse = (text: string, finishReason: string | null): ParseStructuredResult<AnswerOutput> => {
    last = grade({ text, options: c.options, finishReason });
    if (last.letter === null) return { ok: false, error: noLetterMessage(last, letters.join(", ")) };
    return { ok: true, value: { answer: last.letter, justification: justification(text) }, outcome: last.method === "format" ? "ok" : "repaired" };
  };
  const maxTokens = step.max_tokens ?? ctx.opts.maxTokens;
  const schema = step.schema ? (step.schema.zodFor(letters) as z.ZodType<AnswerOutput>) : null;
  const res = await runModelStep<AnswerOutput>(
    { id: step.name, vars, schema, maxTokens, parse, ...(step.schema?.json ? { jsonSchema: step.schema.json } : {}), ...overrides(step) },
    ctx,
  );
  return { ...res, grade: last };
}

/** The re-ask's explanation (quoted back to the model). */
function noLetterMessage(g: Grade, letters: string): string {
  const why: Record<string, string> = {
    empty: "the reply was empty",
    truncated: "the reply was cut off before the answer",
    hedge: "it names more than one option",
    out_of_range: "it names a letter that is not an option",
    refusal: "it declines to answer",
    no_commitment: "it does not choose an option",
  };
  return `${why[g.reason ?? "no_commitment"] ?? "it does not choose an option"}; "answer" must be exactly one of ${letters}.`;
}

/** The JSON justification when there is one (the grade does not depend on it). */
function justification(text: string): string {
  const m = /"justification"\s*:\s*"((?:[^"\\]|\\.){0,2000})"/.exec(text);
  if (!m) return "";
  try {
    return JSON.parse(`"${m[1]}"`) as string;
  } catch {
    return m[1]!;
  }
}

function finish(records: Record<string, StepRecord>, failed: string[], result: Pick<ArmResult, "outcome" | "answer" | "error_class" | "error" | "grade">): ArmResult {
  return caseResult(records, failed, result);
}
