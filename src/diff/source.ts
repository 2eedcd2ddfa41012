// One shape for both sides of a diff, whether a run directory (journal) or a legacy report.

import { agreement, modal, reduce, type EpochSample, type Reducer } from "../stats/epochs.js";
import { wallTime } from "../journal/wall-time.js";
import type { Journal } from "../journal/read.js";
import type { RunEvent } from "../journal/events.js";
import { tokenCost } from "../report/summary.js";
import { scoreDiagnostic, type DiagnosticHit } from "../scoring/diagnostic.js";
import { caseStrata } from "../scoring/strata.js";
import type { Arm, CaseRecord, ErrorClass, Outcome, RunJson } from "../types.js";
import { STEP_IDS } from "../types.js";
import { stepNames } from "../report/step-names.js";
import { pipelineComponents } from "../config/hash.js";
import { legacyLabel, type LegacyCase, type LegacyReport } from "./legacy.js";
import type { CostSide, Scalar, SideInfo } from "./types.js";

export interface StepStat {
  status: string;
  latency_ms: number;
  prompt_tokens: number;
  completion_tokens: number;
}

export interface NormCase {
  case_id: string;
  /** null for legacy cases: they cannot be paired. */
  content_hash: string | null;
  arm: Arm;
  outcome: Outcome;
  answer: string | null;
  correct_answer: string | null;
  stem: string;
  question_type: string;
  usmle_step: string;
  /** Active latency (cold-start waits excluded); null when unknown. */
  latency_ms: number | null;
  tokens: { prompt: number; completion: number } | null;
  steps: Partial<Record<string, StepStat>>;
  error_class?: ErrorClass;
  error?: string;
  /** Journal pipeline cases: the report's diagnostic hit (for comparing with a legacy file's own dx scores). */
  dx?: DiagnosticHit;
  /** Journal cases: the 0-based record index from the case id's trailing digits (pairs `medqa_N` legacy ids). */
  record_index?: number;
  /** --epochs runs: the record's epoch before reduction; after it, the case's agreement over its epochs. */
  epoch?: number;
  agreement?: number;
  /** --stream runs: per step ("direct" for the direct arm) the call's TTFT and decode rate. */
  stream?: Partial<Record<string, { ttft_ms: number; decode_tok_s: number | null }>>;
}

export interface Side {
  info: SideInfo;
  cases: NormCase[];
  arms: Arm[];
  /** Flattened, result-relevant settings; null for legacy (unknown). */
  config: Record<string, Scalar> | null;
  cost: CostSide;
  /** The legacy file behind a legacy side. */
  legacy?: LegacyReport;
}

export type Source = Journal | LegacyReport;

export const isLegacy = (s: Source): s is LegacyReport => (s as LegacyReport).kind === "legacy";

function normRecord(r: CaseRecord): NormCase {
  const steps: Partial<Record<string, StepStat>> = {};
  for (const id of stepNames([r])) {
    const s = r.steps?.[id];
    if (s) steps[id] = { status: s.status, latency_ms: s.latency_ms, prompt_tokens: s.prompt_tokens, completion_tokens: s.completion_tokens };
  }
  const n: NormCase = {
    case_id: r.case_id,
    content_hash: r.content_hash,
    arm: r.arm,
    outcome: r.outcome,
    answer: r.answer,
    correct_answer: r.correct_answer,
    stem: r.stem ?? "",
    ...caseStrata(r),
    latency_ms: r.latency_ms,
    tokens: r.tokens,
    steps,
  };
  if (r.error_class) n.error_class = r.error_class;
  if (r.error) n.error = r.error;
  if (r.epoch !== undefined) n.epoch = r.epoch;
  const stream: NonNullable<NormCase["stream"]> = {};
  if (r.stream) stream.direct = { ttft_ms: r.stream.ttft_ms, decode_tok_s: r.stream.decode_tok_s };
  for (const id of STEP_IDS) {
    const x = r.steps?.[id]?.stream;
    if (x) stream[id] = { ttft_ms: x.ttft_ms, decode_tok_s: x.decode_tok_s };
  }
  if (Object.keys(stream).length) n.stream = stream;
  if (r.arm === "pipeline") n.dx = scoreDiagnostic(r);
  const idx = /-(\d+)$/.exec(r.case_id);
  if (idx) n.record_index = Number(idx[1]);
  return n;
}

/** The settings a reader of a diff wants to see changed: model, prompts, sampling, data. */
export function flattenConfig(run: RunJson): Record<string, Scalar> {
  const c = run.config;
  const out: Record<string, Scalar> = {
    model: c.model,
    "endpoint.kind": run.endpoint.kind,
    "endpoint.model_id": run.endpoint.info?.model_id ?? null,
    "endpoint.model_sha": run.endpoint.info?.model_sha ?? null,
    mode: c.mode,
    temperature: c.temperature,
    max_tokens: c.max_tokens,
    seed: c.seed,
    json_mode: c.json_mode,
    max_cases: c.max_cases,
    drugs: c.drugs,
    guidelines: c.guidelines,
    "dataset.name": run.dataset.name,
    "dataset.sha256": run.dataset.sha256,
    "harness.version": run.harness.version,
    "harness.git_commit": run.harness.git_commit,
  };
  for (const id of ["direct", ...STEP_IDS] as const) out[`prompt.${id}`] = run.prompts[id]?.sha256 ?? null;
  // --pipeline FILE: each step's prompt/schema hash, temperature, budget… so the diff names the changed step field.
  for (const [k, v] of Object.entries(pipelineComponents(run.pipeline))) out[k] = Array.isArray(v) || (v !== null && typeof v === "object") ? JSON.stringify(v) : (v as Scalar);
  return out;
}

const ms = (iso: string): number => Date.parse(iso);

/** Wall time in seconds (journal/wall-time.ts), or null when the journal has nothing to go on. */
export function wallSeconds(events: readonly RunEvent[], cases: readonly CaseRecord[]): { s: number; source: "events" | "case_timestamps" } | null {
  const w = wallTime(events, cases);
  if (w.source === "none") return null;
  return { s: w.ms / 1000, source: w.source === "events" ? "events" : "case_timestamps" };
}

function journalCost(j: Journal): CostSide {
  const wall = wallSeconds(j.events, j.allCaseLines);
  const cases = new Set(j.cases.map((c) => c.case_id)).size;
  const cost = j.run.cost;
  const perHour = cost?.per_hour ?? null;
  let total: number | null = null;
  if (perHour !== null && wall) total = (perHour * wall.s) / 3600;
  // Token prices, when set, add to the endpoint-hour cost (the report's pricing rule); every attempt
  // (superseded lines too) was paid for.
  if (cost) {
    let prompt = 0;
    let completion = 0;
    for (const c of j.allCaseLines) {
      prompt += c.tokens.prompt;
      completion += c.tokens.completion;
    }
    const tok = tokenCost(prompt, completion, cost);
    if (tok !== null) total = (total ?? 0) + tok;
  }
  return {
    per_hour: perHour,
    wall_s: wall?.s ?? null,
    wall_source: wall?.source ?? null,
    cases,
    per_case: total !== null && cases > 0 ? total / cases : null,
  };
}

export function journalSide(j: Journal, reducer: PairReducer = "majority"): Side {
  const records = j.cases.map(normRecord);
  const cases = records.some((c) => c.epoch !== undefined) ? reduceEpochs(records, reducer) : records;
  return {
    info: {
      source: j.dir,
      kind: "journal",
      run_id: j.run.run_id,
      dataset: j.run.dataset.name,
      dataset_sha256: j.run.dataset.sha256,
      n_records: cases.length,
    },
    cases,
    arms: [...new Set(cases.map((c) => c.arm))],
    config: flattenConfig(j.run),
    cost: journalCost(j),
  };
}

/** Pairing key of a legacy case: its content hash when the file carries question and options, else its line. */
export const legacyKey = (c: LegacyCase): string | null => c.content_hash ?? (c.line_index !== null ? `line:${c.line_index}` : null);

/**
 * The old harness ran the multi-step pipeline, so its cases are the pipeline arm. Only cases with a
 * multiple-choice result (or an error) are MCQ cases: an experiment-track file has none (diagnosis matching only).
 */
export function legacySide(r: LegacyReport): Side {
  const cases: NormCase[] = r.cases
    .filter((c) => c.has_mcq || c.outcome === "error")
    .map((c) => {
      const n: NormCase = {
        case_id: c.case_id,
        content_hash: legacyKey(c),
        arm: "pipeline",
        outcome: c.outcome,
        answer: c.answer,
        correct_answer: c.correct_answer,
        stem: "",
        question_type: c.question_type ?? "unknown",
        usmle_step: "unknown",
        latency_ms: c.latency_ms,
        tokens: c.tokens,
        steps: {},
      };
      if (c.error) n.error = c.error;
      return n;
    });
  const costs = r.cases.map((c) => c.cost_usd).filter((x): x is number => x !== null);
  return {
    info: { source: r.path, kind: "legacy", run_id: legacyLabel(r), dataset: r.dataset, dataset_sha256: null, n_records: r.cases.length },
    cases,
    arms: cases.length ? ["pipeline"] : [],
    config: null,
    cost: {
      per_hour: null,
      wall_s: r.run_duration_sec,
      wall_source: r.run_duration_sec !== null ? "legacy" : null,
      cases: r.cases.length,
      // The old per-case cost ledger (token cost of the calls), when the file has one for every case.
      per_case: costs.length > 0 && costs.length === r.cases.length ? costs.reduce((a, b) => a + b, 0) / costs.length : null,
    },
    legacy: r,
  };
}

export const toSide = (s: Source, reducer?: PairReducer): Side => (isLegacy(s) ? legacySide(s) : journalSide(s, reducer));

/** Reducers that give each case one verdict, so cases can be paired (mean gives a share, not a verdict). */
export type PairReducer = Exclude<Reducer, "mean">;

/**
 * One NormCase per (arm, case) of an --epochs run: the outcome is the reducer's verdict over the case's graded
 * epochs (errors are not samples; a case whose every epoch errored stays an error), the answer the modal one,
 * latency and tokens the per-epoch means, and `agreement` the share of epochs giving the modal answer.
 */
export function reduceEpochs(records: readonly NormCase[], reducer: PairReducer): NormCase[] {
  const groups = new Map<string, NormCase[]>();
  for (const r of records) {
    const k = `${r.arm}\u0000${r.case_id}`;
    const g = groups.get(k) ?? [];
    g.push(r);
    groups.set(k, g);
  }
  return [...groups.values()].map((g) => {
    const first = g[0]!;
    const graded = g.filter((r) => r.outcome !== "error");
    if (graded.length === 0) return { ...first, epoch: undefined } as NormCase;
    const samples: EpochSample[] = graded.map((r) => ({ answer: r.outcome === "unparseable" ? null : r.answer, correct: r.outcome === "correct" }));
    const red = reduce(samples, reducer);
    const m = modal(samples);
    const outcome: Outcome = red.correct === 1 ? "correct" : reducer === "majority" && (red.tie || red.answer === null) ? "unparseable" : "wrong";
    const mean = (xs: ReadonlyArray<number | null>): number | null => (xs.some((x) => x === null) ? null : xs.reduce<number>((s, x) => s + x!, 0) / xs.length);
    const tokens = graded.every((r) => r.tokens)
      ? { prompt: mean(graded.map((r) => r.tokens!.prompt))!, completion: mean(graded.map((r) => r.tokens!.completion))! }
      : null;
    const { error_class: _e, error: _m, epoch: _p, ...rest } = first;
    return { ...rest, outcome, answer: m.tie ? null : m.answer, latency_ms: mean(graded.map((r) => r.latency_ms)), tokens, agreement: agreement(samples) };
  });
}
