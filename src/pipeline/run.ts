// The pipeline arm: parse → reason → (drugs ∥ guidelines) → conflicts → synthesize → answer, as the CDS agent
// runs it. Degrade rule (scoring/README.md, "Outcomes"): a failed intermediate step never ends the case. Parse
// failed → later steps get the vignette as written; reason failed → no differential; drugs/guidelines/conflicts
// failed → left out; synthesize failed → the answer step reads what exists. The answer step always runs, and the
// case lists its failed steps. Only the answer step decides the outcome: a letter → correct/wrong, a reply without
// one → unparseable, no reply (endpoint failure) → error.
import { EndpointError, type ModelClient } from "../endpoint/types.js";
import { gradeRecord } from "../scoring/grading/grade.js";
import { STEP_IDS, type Case, type StepId, type StepRecord } from "../types.js";
import { compactJson, condenseReport, standInProfile, standInReasoning, unavailable } from "./format.js";
import { NO_CALL_STATS, skippedRecord, type StepContext, type StepResult } from "./model-step.js";
import { splitStem } from "./stem.js";
import { runAnswer } from "./steps/answer/step.js";
import { runConflicts } from "./steps/conflicts/step.js";
import { runDrugs } from "./steps/drugs/step.js";
import { runGuidelines } from "./steps/guidelines/step.js";
import { runParse } from "./steps/parse/step.js";
import { runReason } from "./steps/reason/step.js";
import { runSynthesize } from "./steps/synthesize/step.js";
import type { ArmResult, PipelineOptions } from "./types.js";

export type { ArmResult, Guideline, PipelineOptions, PromptSet } from "./types.js";
export { runDirect } from "./direct/run.js";
export { loadGuidelines } from "./guidelines-file.js";

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new EndpointError("cancelled", "cancelled", { ...NO_CALL_STATS, tokens: { ...NO_CALL_STATS.tokens } });
}

/** Text standing in for an upstream output in a later template. */
function asInput<T>(r: StepResult<T> | null): string {
  if (r === null) return unavailable("skipped");
  return r.value === undefined ? unavailable("failed") : compactJson(r.value);
}

export async function runPipeline(c: Case, client: ModelClient, opts: PipelineOptions, signal?: AbortSignal): Promise<ArmResult> {
  const ctx: StepContext = { client, opts, caseId: c.id, ...(signal ? { signal } : {}) };
  const steps: Partial<Record<StepId, StepRecord>> = {};
  // A case with a context (PubMedQA's abstract) is described by it; a vignette question carries its own facts.
  const vignette = c.context?.trim() || splitStem(c.question).vignette || c.question.trim();

  throwIfAborted(signal);
  const parse = await runParse(vignette, ctx);
  steps.parse = parse.record;
  const profile = parse.value ?? standInProfile(vignette);

  throwIfAborted(signal);
  const reason = await runReason(profile, ctx);
  steps.reason = reason.record;
  const reasoning = reason.value ?? standInReasoning();

  throwIfAborted(signal);
  const [drugs, guidelines] = await Promise.all([
    opts.drugs ? runDrugs(profile, reasoning, ctx) : null,
    opts.guidelines ? runGuidelines(profile, reasoning, ctx) : null,
  ]);
  if (drugs) steps.drugs = drugs.record;
  if (guidelines) steps.guidelines = guidelines.record;

  const inputs = {
    profile: compactJson(profile),
    reasoning: reason.value === undefined ? unavailable("failed") : compactJson(reasoning),
    drugs: asInput(drugs),
    guidelines: asInput(guidelines),
  };
  // Conflicts are guideline-vs-patient: without guideline output there is nothing to compare against.
  let conflicts: StepResult<unknown> | null = null;
  if (guidelines?.value !== undefined) {
    throwIfAborted(signal);
    conflicts = await runConflicts(inputs, ctx);
    steps.conflicts = conflicts.record;
  }

  throwIfAborted(signal);
  const synth = await runSynthesize({ ...inputs, conflicts: asInput(conflicts) }, ctx);
  steps.synthesize = synth.record;

  throwIfAborted(signal);
  const report = condenseReport({
    profile,
    reasoning,
    ...(drugs?.value ? { drugs: drugs.value } : {}),
    ...(guidelines?.value ? { guidelines: guidelines.value } : {}),
    ...(conflicts?.value ? { conflicts: conflicts.value as never } : {}),
    ...(synth.value ? { report: synth.value } : {}),
  });
  const answer = await runAnswer(c, report, ctx);
  steps.answer = answer.record;
  const failed = STEP_IDS.filter((id) => id !== "answer" && steps[id]?.status === "failed");
  const grade = answer.grade === null ? {} : { grade: gradeRecord(answer.grade) };
  if (answer.value !== undefined) {
    const letter = answer.value.answer;
    return finish(steps, failed, { outcome: letter === c.answer_idx ? "correct" : "wrong", answer: letter, ...grade });
  }
  const rec = answer.record;
  // The model replied but named no single letter: its behaviour, not the endpoint's. Same as the direct arm.
  if (rec.error_class === "parse_failed") {
    return finish(steps, failed, { outcome: "unparseable", answer: null, error: `answer: ${rec.error ?? "no answer letter"}`, ...grade });
  }
  return finish(steps, failed, { outcome: "error", answer: null, error_class: rec.error_class ?? "unknown", error: `answer: ${rec.error ?? "failed"}` });
}

/** Fills the step ids that never ran with "skipped" records and sums the case totals over steps. */
function finish(
  steps: Partial<Record<StepId, StepRecord>>,
  failed: StepId[],
  result: Pick<ArmResult, "outcome" | "answer" | "error_class" | "error" | "grade">,
): ArmResult {
  const all = {} as Record<StepId, StepRecord>;
  for (const id of STEP_IDS) all[id] = steps[id] ?? skippedRecord();
  return caseResult(all, failed, result);
}

/** A pipeline case's result from its step records (built-in or --pipeline FILE): totals summed over steps. */
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
