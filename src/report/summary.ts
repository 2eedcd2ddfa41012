// summary.json: everything a report shows, derived from the journal alone (run.json + cases.jsonl + events.jsonl),
// so an old run can be re-reported after a scoring fix without the endpoint. Pure: same journal → same summary
// apart from `generated_at`. A few linear passes over the cases per arm (per-case scoring cached by
// format.caseLabels); no quadratic work.
import { epochsBlock } from "./epochs.js";
import { REDUCERS } from "../stats/epochs.js";
import { wallTime } from "../journal/wall-time.js";
import type { Journal } from "../journal/read.js";
import type { RunEvent } from "../journal/events.js";
import type { DiagnosticHit } from "../scoring/diagnostic.js";
import { QUESTION_TYPES } from "../scoring/question-type.js";
import { USMLE_STEPS } from "../scoring/strata.js";
import { describe } from "../stats/quantiles.js";
import { wilson } from "../stats/wilson.js";
import { stepNames } from "./step-names.js";
import { LETTERS, type Arm, type CaseRecord, type CostSettings, type DatasetStratum, type Outcome, type ServerTiming, type StepRecord } from "../types.js";
import { engineSummary, saturationSummary, streamingStats } from "./engine.js";
import { GRADE_METHODS, GRADER_VERSION, NONE_REASONS } from "../scoring/grading/grade.js";
import type { RegradeSummary } from "../scoring/grading/regrade.js";
import { caseLabels, differentialStep } from "./format.js";
import type { ArmSummary, Stratum, Summary } from "./summary-schema.js";

export type { Summary, ArmSummary } from "./summary-schema.js";

export interface SummarizeOptions {
  /** What re-grading the journal changed (renderReports re-grades before summarising); default: nothing re-graded. */
  regrade?: RegradeSummary;
  /** ISO time stamped into the summary (default: now). */
  generatedAt?: string;
  /** Overrides run.json's pricing (field by field). */
  cost?: Partial<CostSettings>;
}

const ARMS: readonly Arm[] = ["direct", "pipeline"];
/** A pipeline-arm record scores through caseLabels; this only types the (unreachable) direct-arm fallback. */
const NO_REPORT: DiagnosticHit = { has_report: false, top1: false, top3: false, mentioned: false };
const MS_PER_HOUR = 3_600_000;

export function summarize(journal: Journal, opts: SummarizeOptions = {}): Summary {
  const { run } = journal;
  const cost = mergeCost(run.cost, opts.cost);
  // Every case line is a sign of life, superseded ones too (diff passes the same lines): report and diff agree.
  const time = runTime({ events: journal.events, cases: journal.allCaseLines });
  const byArm = new Map<Arm, CaseRecord[]>();
  for (const rec of journal.cases) {
    const list = byArm.get(rec.arm) ?? [];
    list.push(rec);
    byArm.set(rec.arm, list);
  }
  const armsPresent = ARMS.filter((a) => byArm.has(a) || run.config.mode === a || run.config.mode === "both");
  const sampled = new Set(run.sampled_ids);
  const wallHours = time.wall_time_ms / MS_PER_HOUR;
  const hourlyUsd = cost.per_hour * wallHours;
  const datasetStrata = datasetStrataKeys(run.dataset.strata ?? [], journal.cases);
  // No diagnostic section where the questions ask no diagnosis, or where no pipeline step produces a differential.
  const dxStep = differentialStep(run);
  const withDx = run.dataset.diagnostic !== false && dxStep !== null;
  const arms = armsPresent.map((arm) => {
    const cases = byArm.get(arm) ?? [];
    const a = withEpochs(armSummary(arm, cases, sampled, time.wall_time_ms, cost, armsPresent.length === 1 ? hourlyUsd : null, dxStep), cases, run, sampled);
    if (!withDx) a.diagnostic = null;
    if (datasetStrata.length > 0) a.dataset_strata = datasetStrataOf(datasetStrata, cases);
    return a;
  });

  const allTokens = journal.cases.reduce(
    (t, r) => ({ prompt: t.prompt + r.tokens.prompt, completion: t.completion + r.tokens.completion }),
    { prompt: 0, completion: 0 },
  );
  const tokensUsd = tokenCost(allTokens.prompt, allTokens.completion, cost);
  const totalUsd = hourlyUsd + (tokensUsd ?? 0);
  const retryEvents = journal.events.filter((e): e is Extract<RunEvent, { type: "retry" }> => e.type === "retry");

  return {
    schema_version: 1,
    generated_at: opts.generatedAt ?? new Date().toISOString(),
    run: {
      run_id: run.run_id,
      created_at: run.created_at,
      harness_version: run.harness.version,
      git_commit: run.harness.git_commit,
      config_hash: run.config_hash,
      dataset: {
        name: run.dataset.name,
        sha256: run.dataset.sha256,
        n_records: run.dataset.n_records,
        n_skipped: run.dataset.n_skipped,
        ...(run.dataset.registry !== undefined ? { registry: run.dataset.registry } : {}),
        ...(run.dataset.format !== undefined ? { format: run.dataset.format } : {}),
        ...(run.dataset.strata?.length ? { strata: run.dataset.strata.map((x) => x.field) } : {}),
        diagnostic_metrics: withDx,
      },
      model: run.config.model,
      endpoint: {
        kind: run.endpoint.kind,
        base_url: run.endpoint.base_url,
        model_id: typeof run.endpoint.info?.model_id === "string" ? run.endpoint.info.model_id : null,
      },
      mode: run.config.mode,
      seed: run.config.seed,
      temperature: run.config.temperature,
      json_mode: run.config.json_mode,
      n_sampled: run.sampled_ids.length,
      prompts_overridden: Object.entries(run.prompts)
        .filter(([, p]) => p?.overridden === true)
        .map(([id]) => id)
        .sort(),
      engine: engineSummary(run),
    },
    emulator: run.endpoint.kind === "emulator",
    journal: {
      case_lines: journal.allCaseLines.length,
      superseded_lines: journal.allCaseLines.length - journal.cases.length,
      torn_cases_line: journal.tornCasesLine,
    },
    time: { ...time, throughput_cases_per_min: perMinute(journal.cases.length, time.wall_time_ms) },
    cost: {
      per_hour: cost.per_hour,
      per_mtok_in: cost.per_mtok_in,
      per_mtok_out: cost.per_mtok_out,
      wall_hours: wallHours,
      hourly_usd: hourlyUsd,
      tokens_usd: tokensUsd,
      total_usd: totalUsd,
      per_case_usd: journal.cases.length > 0 ? totalUsd / journal.cases.length : null,
    },
    regrade: opts.regrade ?? { grader_version: GRADER_VERSION, regraded: 0, changed: 0, no_raw: 0, without_options: 0, transitions: {} },
    retries: { events: retryEvents.length, by_class: countBy(retryEvents.map((e) => e.error_class)) },
    saturation: saturationSummary(journal.events),
    concurrency: journal.events.flatMap((e) =>
      e.type === "concurrency"
        ? [{ t: e.t, limit: e.limit, ...(e.reason !== undefined ? { reason: e.reason } : {}), ...(e.tok_s !== undefined ? { tok_s: e.tok_s } : {}), ...(e.latency_ms !== undefined ? { latency_ms: e.latency_ms } : {}) }]
        : [],
    ),
    concurrency_chosen: lastChosen(journal.events),
    arms,
  };
}

function armSummary(
  arm: Arm,
  cases: readonly CaseRecord[],
  sampled: ReadonlySet<string>,
  wallTimeMs: number,
  cost: CostSettings,
  hourlyUsd: number | null,
  dxStep: string | null = "synthesize",
): ArmSummary {
  const outcomes = { correct: 0, wrong: 0, unparseable: 0, error: 0 };
  const caseFailures: string[] = [];
  let recordedSampled = 0;
  let retries = 0;
  for (const r of cases) {
    outcomes[r.outcome]++;
    if (r.outcome === "error") caseFailures.push(r.error_class ?? "unknown");
    if (r.outcome === "unparseable") caseFailures.push(r.error_class ?? "parse_failed");
    if (sampled.has(r.case_id)) recordedSampled++;
    retries += Math.max(0, r.attempts - r.calls);
  }
  const n = cases.length;
  const tokens = tokenStats(cases.map((r) => [r.tokens.prompt, r.tokens.completion]));
  const tokensUsd = tokenCost(tokens.prompt_total, tokens.completion_total, cost);
  const totalUsd = hourlyUsd === null && tokensUsd === null ? null : (hourlyUsd ?? 0) + (tokensUsd ?? 0);
  const steps = arm === "pipeline" ? stepStats(cases) : [];

  return {
    arm,
    n,
    n_pending: Math.max(0, sampled.size - recordedSampled),
    accuracy: { all: wilson(outcomes.correct, n), answered: wilson(outcomes.correct, outcomes.correct + outcomes.wrong) },
    outcomes,
    strata: {
      question_type: strata(QUESTION_TYPES, accuracyTally(cases, (r) => caseLabels(r, dxStep).question_type)),
      usmle_step: strata(USMLE_STEPS, accuracyTally(cases, (r) => caseLabels(r, dxStep).usmle_step)),
    },
    diagnostic: arm === "pipeline" && dxStep !== null ? diagnostic(cases, dxStep) : null,
    latency: {
      case_ms: describe(cases.map((r) => r.latency_ms)),
      wall_ms: describe(cases.map((r) => r.wall_ms)),
      cold_ms: cases.reduce((s, r) => s + r.cold_ms, 0),
      throughput_cases_per_min: perMinute(n, wallTimeMs),
      steps: steps.map((s) => ({ step: s.step, latency_ms: describe(s.records.map((x) => x.latency_ms)) })),
    },
    tokens: {
      case: tokens,
      steps: steps.map((s) => ({ step: s.step, tokens: tokenStats(s.records.map((x) => [x.prompt_tokens, x.completion_tokens])) })),
      ...estimatedRecords(cases),
    },
    cost: { tokens_usd: tokensUsd, hourly_usd: hourlyUsd, total_usd: totalUsd, per_case_usd: totalUsd !== null && n > 0 ? totalUsd / n : null },
    failures: {
      cases: countBy(caseFailures),
      steps: steps.flatMap((s) =>
        Object.entries(countBy(s.records.filter((x) => x.status === "failed").map((x) => x.error_class ?? "unknown"))).map(
          ([error_class, k]) => ({ step: s.step, error_class, n: k }),
        ),
      ),
      retries,
    },
    server_timing: serverTimingRows(arm, cases, steps),
    parse_outcomes: steps.map((s) => {
      const c = { ok: 0, repaired: 0, reasked: 0, failed: 0 };
      for (const x of s.records) if (x.parse !== "n/a") c[x.parse]++;
      return { step: s.step, ...c };
    }),
    ...(cases.some((r) => r.stream || Object.values(r.steps ?? {}).some((x) => x?.stream)) ? { streaming: streamingStats(cases) } : {}),
    grading: grading(cases),
    degraded: {
      cases: cases.filter((r) => (r.failed_steps?.length ?? 0) > 0).length,
      steps: countBy(cases.flatMap((r) => r.failed_steps ?? [])),
    },
    answer_matrix: answerMatrix(cases),
  };
}

/**
 * Each dataset-specific stratum field with its keys: the benchmark's fixed keys (n = 0 included, so runs line
 * up), then any other value seen; a field without fixed keys lists the values seen in the journal, sorted.
 */
function datasetStrataKeys(fields: readonly DatasetStratum[], cases: readonly CaseRecord[]): Array<{ field: string; keys: string[] }> {
  return fields.map(({ field, keys }) => {
    const seen = new Set<string>();
    for (const r of cases) seen.add(r.strata?.[field] ?? "unknown");
    const fixed = keys ?? [];
    return { field, keys: [...fixed, ...[...seen].filter((k) => !fixed.includes(k)).sort()] };
  });
}

function datasetStrataOf(fields: ReadonlyArray<{ field: string; keys: string[] }>, cases: readonly CaseRecord[]): Record<string, Stratum[]> {
  return Object.fromEntries(fields.map(({ field, keys }) => [field, strata(keys, accuracyTally(cases, (r) => r.strata?.[field] ?? "unknown"))]));
}

/** With --epochs K > 1: the arm's epochs block (reducers default to all four). */
function withEpochs(a: ArmSummary, cases: readonly CaseRecord[], run: Journal["run"], sampled: ReadonlySet<string>): ArmSummary {
  const k = run.config.epochs ?? 1;
  if (k <= 1) return a;
  // Pending is counted in (case, epoch) units: K records are due per sampled case.
  const recorded = cases.filter((c) => sampled.has(c.case_id)).length;
  const epochs = epochsBlock(cases, k, run.config.reducers ?? REDUCERS, String(run.config.seed));
  return { ...a, n_pending: Math.max(0, sampled.size * k - recorded), epochs };
}

/** The finish_reason of the reply a record's verdict rests on. */
function gradedFinish(r: CaseRecord): string | null {
  return (r.arm === "direct" ? r.finish_reason : r.steps?.answer?.finish_reason) ?? null;
}

function grading(cases: readonly CaseRecord[]): ArmSummary["grading"] {
  const methods = Object.fromEntries(GRADE_METHODS.map((m) => [m, 0])) as ArmSummary["grading"]["methods"];
  const reasons = Object.fromEntries(NONE_REASONS.map((r) => [r, 0])) as ArmSummary["grading"]["none_reasons"];
  const finishes: string[] = [];
  let ungraded = 0;
  let truncated = 0;
  for (const r of cases) {
    const g = r.grade;
    if (g === undefined) {
      ungraded++;
      continue;
    }
    methods[g.method]++;
    if (g.reason !== null) reasons[g.reason]++;
    const f = gradedFinish(r);
    finishes.push(String(f));
    if (f === "length") truncated++;
  }
  const width = Math.max(4, ...cases.map((r) => LETTERS.indexOf(r.correct_answer) + 1));
  const byLetter = LETTERS.slice(0, width).map((letter) => {
    const mine = cases.filter((r) => r.correct_answer === letter);
    const k = mine.filter((r) => r.outcome === "correct").length;
    return { letter, n: mine.length, accuracy: wilson(k, mine.length), chosen: cases.filter((r) => r.answer === letter).length };
  });
  return { methods, none_reasons: reasons, ungraded, finish_reasons: countBy(finishes), truncated: wilson(truncated, finishes.length), by_letter: byLetter };
}

/** [correct, n] per key in one pass: the per-stratum counts of the report and of the diff. */
export function accuracyTally<T extends { outcome: Outcome }>(items: readonly T[], key: (x: T) => string): Map<string, [k: number, n: number]> {
  const out = new Map<string, [k: number, n: number]>();
  for (const x of items) {
    const k = key(x);
    const t = out.get(k);
    const ok = x.outcome === "correct" ? 1 : 0;
    if (t) {
      t[0] += ok;
      t[1] += 1;
    } else out.set(k, [ok, 1]);
  }
  return out;
}

/** Every key in its fixed order (n = 0 included, so runs line up when compared). */
function strata(keys: readonly string[], counts: Map<string, [number, number]>): Stratum[] {
  return keys.map((key) => {
    const [k, n] = counts.get(key) ?? [0, 0];
    return { key, n, accuracy: wilson(k, n) };
  });
}

type DxBlock = Omit<NonNullable<ArmSummary["diagnostic"]>, "diagnosis_questions" | "by_question_type">;

function dxBlock(hits: ReadonlyArray<{ has_report: boolean; top1: boolean; top3: boolean; mentioned: boolean }>): DxBlock {
  const count = (f: (h: (typeof hits)[number]) => boolean) => hits.reduce((n, h) => n + (f(h) ? 1 : 0), 0);
  const n = hits.length;
  return {
    n,
    n_with_report: count((h) => h.has_report),
    top1: wilson(count((h) => h.top1), n),
    top3: wilson(count((h) => h.top3), n),
    mentioned: wilson(count((h) => h.mentioned), n),
  };
}

/** Diagnostic metrics: over diagnosis-type questions (the headline), over every case, and per question type. */
function diagnostic(cases: readonly CaseRecord[], dxStep: string): NonNullable<ArmSummary["diagnostic"]> {
  const labelled = cases.map((r) => {
    const l = caseLabels(r, dxStep);
    return { type: l.question_type, hit: l.dx ?? NO_REPORT };
  });
  const ofType = (t: string) => labelled.filter((x) => x.type === t).map((x) => x.hit);
  return {
    ...dxBlock(labelled.map((x) => x.hit)),
    diagnosis_questions: dxBlock(ofType("diagnosis")),
    by_question_type: QUESTION_TYPES.map((key) => ({ key, ...dxBlock(ofType(key)) })),
  };
}

/** Per step (or the direct call): TGI's queue vs inference time and the share of generations cut at `length`. */
function serverTimingRows(arm: Arm, cases: readonly CaseRecord[], steps: readonly StepRecords[]): NonNullable<ArmSummary["server_timing"]> {
  const row = (step: string, xs: ReadonlyArray<{ server?: ServerTiming | undefined; finish_reason?: string | null | undefined }>) => {
    const timed = xs.flatMap((x) => (x.server ? [x.server] : []));
    const ended = xs.filter((x) => x.finish_reason != null);
    return {
      step,
      n: xs.length,
      n_timed: timed.length,
      queue_ms: describe(timed.map((t) => t.queue_ms)),
      inference_ms: describe(timed.map((t) => t.inference_ms)),
      finish_length: wilson(ended.filter((x) => x.finish_reason === "length").length, ended.length),
    };
  };
  if (arm === "direct") return [row("direct", cases.filter((c) => c.outcome !== "error" || c.finish_reason != null))];
  return steps.map((s) => row(s.step, s.records));
}

interface StepRecords {
  step: string;
  /** Records of the step where it ran (skipped steps excluded). */
  records: StepRecord[];
}

/** Steps in pipeline order, only those that ran at least once. */
function stepStats(cases: readonly CaseRecord[]): StepRecords[] {
  const names = stepNames(cases);
  const by = new Map<string, StepRecord[]>(names.map((id) => [id, []]));
  for (const r of cases) {
    for (const id of names) {
      const s = r.steps?.[id];
      if (s !== undefined && s.status !== "skipped") by.get(id)!.push(s);
    }
  }
  return names.filter((id) => by.get(id)!.length > 0).map((step) => ({ step, records: by.get(step)! }));
}

/** Token totals and per-record means of [prompt, completion] pairs (also the diff's token rows). */
export function tokenStats(pairs: ReadonlyArray<readonly [number, number]>): ArmSummary["tokens"]["case"] {
  let prompt = 0;
  let completion = 0;
  for (const [p, c] of pairs) {
    prompt += p;
    completion += c;
  }
  const n = pairs.length;
  return { n, prompt_total: prompt, completion_total: completion, prompt_mean: n ? prompt / n : null, completion_mean: n ? completion / n : null };
}

/** Token-priced cost; null when neither price is set (a missing one of the two counts as free). */
export function tokenCost(prompt: number, completion: number, cost: CostSettings): number | null {
  if (cost.per_mtok_in === null && cost.per_mtok_out === null) return null;
  return (prompt / 1e6) * (cost.per_mtok_in ?? 0) + (completion / 1e6) * (cost.per_mtok_out ?? 0);
}

/** run.json's pricing with the defined override fields on top (an undefined override keeps the run's value). */
export function mergeCost(base: CostSettings | undefined, over: Partial<CostSettings> = {}): CostSettings {
  const out: CostSettings = { per_hour: base?.per_hour ?? 0, per_mtok_in: base?.per_mtok_in ?? null, per_mtok_out: base?.per_mtok_out ?? null };
  if (over.per_hour !== undefined) out.per_hour = over.per_hour;
  if (over.per_mtok_in !== undefined) out.per_mtok_in = over.per_mtok_in;
  if (over.per_mtok_out !== undefined) out.per_mtok_out = over.per_mtok_out;
  return out;
}

function perMinute(n: number, ms: number): number | null {
  return ms > 0 ? n / (ms / 60_000) : null;
}

function countBy(keys: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of [...keys].sort()) out[k] = (out[k] ?? 0) + 1;
  return out;
}

function answerMatrix(cases: readonly CaseRecord[]): ArmSummary["answer_matrix"] {
  let width = 4; // MedQA is A–D; widen when a CSV dataset uses E
  for (const r of cases) {
    for (const l of [r.correct_answer, r.answer]) if (l !== null) width = Math.max(width, LETTERS.indexOf(l) + 1);
  }
  const letters: string[] = LETTERS.slice(0, width);
  const columns = [...letters, "none"];
  const counts = letters.map(() => columns.map(() => 0));
  for (const r of cases) {
    const row = counts[letters.indexOf(r.correct_answer)];
    const col = r.answer === null ? letters.length : letters.indexOf(r.answer);
    if (row !== undefined && row[col] !== undefined) row[col]++;
  }
  return { letters, columns, counts };
}

export interface RunTime {
  wall_time_ms: number;
  wall_time_source: "events" | "cases" | "none";
  sessions: number;
  cold_start_ms: number;
  cold_starts: number;
}

/** Run wall time (see journal/wall-time.ts) and cold-start totals from the events. */
export function runTime(journal: Pick<Journal, "events" | "cases">): RunTime {
  let coldMs = 0;
  let coldStarts = 0;
  for (const e of journal.events) {
    if (e.type === "cold_start_end") {
      coldMs += e.ms;
      coldStarts++;
    }
  }
  const wall = wallTime(journal.events, journal.cases);
  return { wall_time_ms: wall.ms, wall_time_source: wall.source, sessions: wall.sessions, cold_start_ms: coldMs, cold_starts: coldStarts };
}

/** The last `concurrency_chosen` event (the latest session's), or null when the run did not use --concurrency auto. */
function lastChosen(events: readonly RunEvent[]): { limit: number | null; final: number } | null {
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i]!;
    if (e.type === "concurrency_chosen") return { limit: e.limit, final: e.final };
  }
  return null;
}

/** Records whose server sent no `usage` on some call: present only when there are any (their tokens are estimates). */
function estimatedRecords(cases: readonly CaseRecord[]): { estimated_records?: number } {
  const n = cases.filter((r) => r.tokens_estimated).length;
  return n > 0 ? { estimated_records: n } : {};
}
