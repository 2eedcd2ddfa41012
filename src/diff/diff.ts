// Compare two runs (or two arms of one run): what changed in the configuration, whether accuracy moved
// by more than noise, which cases flipped, and what it did to latency, tokens and cost. Pure: takes
// loaded journals/legacy reports, returns data; command.ts does the I/O.

import type { Journal } from "../journal/read.js";
import { accuracyTally, tokenStats } from "../report/summary.js";
import { mcnemarExactLog10, normalTwoSidedLog10P, pairedBootstrapDelta, pairedExactCI, twoProportionZ } from "../stats/paired.js";
import { describe } from "../stats/quantiles.js";
import { wilson } from "../stats/wilson.js";
import type { Arm } from "../types.js";
import { stepNames } from "../report/step-names.js";
import { MEDQA_SHA256 } from "../datasets/fetch.js";
import { journalSide, legacyKey, toSide, type NormCase, type PairReducer, type Side, type Source } from "./source.js";
import {
  DiffInputError,
  type AccuracySide,
  type ArmDiff,
  type ConfigChange,
  type CostDiff,
  type DiffResult,
  type DxCounts,
  type ErrorCase,
  type LegacySection,
  type Flip,
  type LatencyRow,
  type NotCompared,
  type UncomparedPair,
  type Pairing,
  type StratumDelta,
  type TokenRow,
} from "./types.js";

export interface DiffOptions {
  /** Refuse (throw DiffInputError) unless both sides hold the same dataset and the same cases. */
  strict?: boolean;
  /**
   * Compare runs of two different datasets (their names differ: MedQA vs MedMCQA, or two unrelated files) on the
   * cases with identical content; refused otherwise, since such runs share no sample to pair.
   */
  allowDatasetMismatch?: boolean;
  /** Restrict to these arms (default: every arm present on both sides). */
  arms?: readonly Arm[];
  /** Bootstrap seed (default 42) and iterations (default 10,000). */
  seed?: number;
  iterations?: number;
  /** Significance level; the CIs are at 1 − alpha so that they agree with the test (default 0.05). */
  alpha?: number;
  /** --epochs runs: the reducer that gives each case its verdict before pairing (default majority). */
  reducer?: PairReducer;
}

const STEM_CHARS = 80;
const stemStart = (s: string): string => {
  const flat = s.replace(/\s+/g, " ").trim();
  return flat.length <= STEM_CHARS ? flat : `${flat.slice(0, STEM_CHARS - 1)}…`;
};
const isCorrect = (c: NormCase): boolean => c.outcome === "correct";
/** An infrastructure failure: no answer was obtained, so the case says nothing about accuracy. */
const isError = (c: NormCase): boolean => c.outcome === "error";
const pts = (x: number): number => x * 100;

/**
 * Pairing key: the content hash plus its occurrence number, so a dataset with duplicated questions
 * pairs its copies one-to-one (in case-id order) instead of collapsing them.
 */
function keyed(cases: readonly NormCase[]): Map<string, NormCase> {
  const seen = new Map<string, number>();
  const out = new Map<string, NormCase>();
  for (const c of [...cases].sort((a, b) => (a.case_id < b.case_id ? -1 : a.case_id > b.case_id ? 1 : 0))) {
    const h = c.content_hash ?? `id:${c.case_id}`;
    const k = seen.get(h) ?? 0;
    seen.set(h, k + 1);
    out.set(k === 0 ? h : `${h}#${k}`, c);
  }
  return out;
}

/** Accuracy over the cases that produced an outcome other than `error`; `errors` counts the rest. */
function accuracy(compared: readonly NormCase[], errors: number): AccuracySide {
  const k = compared.filter(isCorrect).length;
  return {
    ...wilson(k, compared.length),
    errors,
    unparseable: compared.filter((c) => c.outcome === "unparseable").length,
  };
}

function errorRate(errB: number, nB: number, errC: number, nC: number): ArmDiff["error_rate"] {
  const base = nB ? errB / nB : null;
  const cand = nC ? errC / nC : null;
  return { base, cand, delta_pts: base !== null && cand !== null ? pts(cand - base) : null };
}

function uncompared(b: NormCase, c: NormCase): UncomparedPair {
  const side = isError(b) && isError(c) ? "both" : isError(b) ? "base" : "cand";
  const u: UncomparedPair = { case_id: c.case_id, side, base_outcome: b.outcome, cand_outcome: c.outcome };
  if (b.case_id !== c.case_id) u.base_case_id = b.case_id;
  const cls = (isError(c) ? c.error_class : undefined) ?? b.error_class;
  if (cls) u.error_class = cls;
  return u;
}

function flip(b: NormCase, c: NormCase): Flip {
  const f: Flip = {
    case_id: c.case_id,
    content_hash: c.content_hash ?? "",
    stem: stemStart(c.stem || b.stem),
    correct_answer: c.correct_answer ?? b.correct_answer,
    base_answer: b.answer,
    cand_answer: c.answer,
    base_outcome: b.outcome,
    cand_outcome: c.outcome,
  };
  if (b.case_id !== c.case_id) f.base_case_id = b.case_id;
  return f;
}

function errorCases(side: "base" | "cand", cases: readonly NormCase[]): ErrorCase[] {
  return cases
    .filter((c) => c.outcome === "error")
    .map((c) => {
      const e: ErrorCase = { side, case_id: c.case_id };
      if (c.error_class) e.error_class = c.error_class;
      if (c.error) e.error = c.error.length > 160 ? `${c.error.slice(0, 159)}…` : c.error;
      return e;
    });
}

function strata(base: readonly NormCase[], cand: readonly NormCase[]): StratumDelta[] {
  const out: StratumDelta[] = [];
  for (const dimension of ["question_type", "usmle_step"] as const) {
    const tb = accuracyTally(base, (c) => c[dimension]);
    const tc = accuracyTally(cand, (c) => c[dimension]);
    for (const stratum of [...new Set([...tb.keys(), ...tc.keys()])].sort()) {
      const [kb, nb] = tb.get(stratum) ?? [0, 0];
      const [kc, nc] = tc.get(stratum) ?? [0, 0];
      const ab = nb ? kb / nb : null;
      const ac = nc ? kc / nc : null;
      out.push({ dimension, stratum, n_base: nb, n_cand: nc, base: ab, cand: ac, delta_pts: ab !== null && ac !== null ? pts(ac - ab) : null });
    }
  }
  return out;
}

const ratio = (a: number | null, b: number | null): number | null => (a !== null && b !== null && b > 0 ? a / b : null);
const sub = (a: number | null, b: number | null): number | null => (a !== null && b !== null ? a - b : null);

type LatencyPick = (c: NormCase) => number | null;

function latencyRow(step: string, pick: LatencyPick, base: readonly NormCase[], cand: readonly NormCase[], pairs: ReadonlyArray<[NormCase, NormCase]> | null): LatencyRow {
  const vals = (cs: readonly NormCase[]) => cs.map(pick).filter((x): x is number => x !== null);
  const db = describe(vals(base));
  const dc = describe(vals(cand));
  let pairRatio: number | null = null;
  if (pairs) {
    const rs: number[] = [];
    for (const [b, c] of pairs) {
      const lb = pick(b);
      const lc = pick(c);
      if (lb !== null && lc !== null && lb > 0) rs.push(lc / lb);
    }
    pairRatio = describe(rs).p50;
  }
  return {
    step,
    n_base: db.n,
    n_cand: dc.n,
    base_p50: db.p50,
    base_p95: db.p95,
    cand_p50: dc.p50,
    cand_p95: dc.p95,
    ratio_p50: ratio(dc.p50, db.p50),
    ratio_p95: ratio(dc.p95, db.p95),
    pair_ratio_p50: pairRatio,
  };
}

/**
 * Latency of cases that did not error (a timeout's latency measures the timeout, not the model), whole
 * case first, then each pipeline step that ran ok.
 */
function latency(base: readonly NormCase[], cand: readonly NormCase[], pairs: ReadonlyArray<[NormCase, NormCase]> | null): LatencyRow[] {
  const okB = base.filter((c) => c.outcome !== "error");
  const okC = cand.filter((c) => c.outcome !== "error");
  const okPairs = pairs?.filter(([b, c]) => b.outcome !== "error" && c.outcome !== "error") ?? null;
  const rows = [latencyRow("case", (c) => c.latency_ms, okB, okC, okPairs)];
  for (const id of stepNames([...base, ...cand])) {
    const pick: LatencyPick = (c) => (c.steps[id]?.status === "ok" ? c.steps[id]!.latency_ms : null);
    const row = latencyRow(id, pick, base, cand, pairs);
    if (row.n_base || row.n_cand) rows.push(row);
  }
  return rows;
}

/** --stream: TTFT and decode-rate rows per step ("direct" first), over the cases that streamed it; [] otherwise. */
function streaming(base: readonly NormCase[], cand: readonly NormCase[], pairs: ReadonlyArray<[NormCase, NormCase]> | null): LatencyRow[] {
  const rows: LatencyRow[] = [];
  for (const key of ["direct", ...stepNames([...base, ...cand])]) {
    const ttft = latencyRow(`TTFT ${key}`, (c) => c.stream?.[key]?.ttft_ms ?? null, base, cand, pairs);
    if (!ttft.n_base && !ttft.n_cand) continue;
    rows.push(ttft, latencyRow(`decode tok/s ${key}`, (c) => c.stream?.[key]?.decode_tok_s ?? null, base, cand, pairs));
  }
  return rows;
}

const withStreaming = (rows: LatencyRow[]): { streaming?: LatencyRow[] } => (rows.length ? { streaming: rows } : {});

/** Mean tokens per case and per step that ran (skipped steps excluded), via the report's tokenStats. */
function tokens(base: readonly NormCase[], cand: readonly NormCase[]): TokenRow[] {
  const row = (step: string, pick: (c: NormCase) => { prompt: number; completion: number } | null): TokenRow | null => {
    const stats = (cs: readonly NormCase[]) =>
      tokenStats(cs.flatMap((c) => {
        const t = pick(c);
        return t ? [[t.prompt, t.completion] as const] : [];
      }));
    const b = stats(base);
    const c = stats(cand);
    if (!b.n && !c.n) return null;
    return {
      step,
      base_prompt: b.prompt_mean,
      cand_prompt: c.prompt_mean,
      delta_prompt: sub(c.prompt_mean, b.prompt_mean),
      base_completion: b.completion_mean,
      cand_completion: c.completion_mean,
      delta_completion: sub(c.completion_mean, b.completion_mean),
    };
  };
  const rows = [row("case", (c) => c.tokens)];
  for (const id of stepNames([...base, ...cand])) {
    rows.push(
      row(id, (c) => {
        const s = c.steps[id];
        return s && s.status !== "skipped" ? { prompt: s.prompt_tokens, completion: s.completion_tokens } : null;
      }),
    );
  }
  return rows.filter((r): r is TokenRow => r !== null);
}

interface ArmInput {
  label: string;
  baseArm: Arm;
  candArm: Arm;
  base: NormCase[];
  cand: NormCase[];
}

interface PairedSplit {
  pairs: Array<[NormCase, NormCase]>;
  baseOnly: number;
  candOnly: number;
}

function pairUp(base: readonly NormCase[], cand: readonly NormCase[]): PairedSplit {
  const kb = keyed(base);
  const kc = keyed(cand);
  const pairs: Array<[NormCase, NormCase]> = [];
  for (const [k, c] of kc) {
    const b = kb.get(k);
    if (b) pairs.push([b, c]);
  }
  return { pairs, baseOnly: kb.size - pairs.length, candOnly: kc.size - pairs.length };
}

/** --epochs runs: mean per-case agreement over the compared pairs, per side (absent when neither side repeated). */
function agreementOf(bs: readonly NormCase[], cs: readonly NormCase[]): Pick<ArmDiff, "agreement"> {
  const mean = (xs: readonly NormCase[]): number | null => {
    const v = xs.flatMap((x) => (x.agreement === undefined ? [] : [x.agreement]));
    return v.length === 0 ? null : v.reduce((s, x) => s + x, 0) / v.length;
  };
  const base = mean(bs);
  const cand = mean(cs);
  return base === null && cand === null ? {} : { agreement: { base, cand } };
}

function pairedArm(a: ArmInput, split: PairedSplit, seed: number, iterations: number, alpha: number): ArmDiff {
  const all = split.pairs;
  // Pairs where either side errored are not evidence about answers: out of accuracy, McNemar, the CI and the gate.
  const pairs = all.filter(([b, c]) => !isError(b) && !isError(c));
  const skipped = all.filter(([b, c]) => isError(b) || isError(c));
  const bs = pairs.map((p) => p[0]);
  const cs = pairs.map((p) => p[1]);
  const fixed: Flip[] = [];
  const broken: Flip[] = [];
  for (const [b, c] of pairs) {
    if (!isCorrect(b) && isCorrect(c)) fixed.push(flip(b, c));
    else if (isCorrect(b) && !isCorrect(c)) broken.push(flip(b, c));
  }
  const byId = (x: { case_id: string }, y: { case_id: string }) => (x.case_id < y.case_id ? -1 : x.case_id > y.case_id ? 1 : 0);
  fixed.sort(byId);
  broken.sort(byId);
  const errB = all.filter(([b]) => isError(b)).length;
  const errC = all.filter(([, c]) => isError(c)).length;
  const notCompared: NotCompared = {
    n: skipped.length,
    errored_base: errB,
    errored_cand: errC,
    errored_both: skipped.filter(([b, c]) => isError(b) && isError(c)).length,
    pairs: skipped.map(([b, c]) => uncompared(b, c)).sort(byId),
  };
  const n = pairs.length;
  const level = 1 - alpha;
  const exact = n > 0 ? pairedExactCI(broken.length, fixed.length, n, level) : null;
  const boot = n > 0 ? pairedBootstrapDelta(pairs.map(([b, c]) => [isCorrect(b) ? 1 : 0, isCorrect(c) ? 1 : 0] as [0 | 1, 0 | 1]), { seed, iterations, level }) : null;
  const log10p = mcnemarExactLog10(broken.length, fixed.length);
  const allB = all.map((p) => p[0]);
  const allC = all.map((p) => p[1]);
  return {
    label: a.label,
    base_arm: a.baseArm,
    cand_arm: a.candArm,
    paired: true,
    test: "mcnemar-exact",
    base: accuracy(bs, errB),
    cand: accuracy(cs, errC),
    delta_pts: exact ? pts(exact.delta) : null,
    p: 10 ** log10p,
    log10_p: log10p,
    ci_pts: exact ? { lo: pts(exact.lo), hi: pts(exact.hi), level, method: "exact" } : null,
    bootstrap_ci_pts: boot ? { lo: pts(boot.lo), hi: pts(boot.hi), level, iterations, seed } : null,
    discordant: { fixed: fixed.length, broken: broken.length },
    fixed,
    broken,
    not_compared: notCompared,
    error_rate: errorRate(errB, all.length, errC, all.length),
    errors: [...errorCases("base", allB), ...errorCases("cand", allC)],
    strata: strata(bs, cs),
    ...agreementOf(bs, cs),
    latency: latency(allB, allC, all),
    ...withStreaming(streaming(allB, allC, all)),
    tokens: tokens(allB, allC),
  };
}

function unpairedArm(a: ArmInput, alpha: number): ArmDiff {
  const okB = a.base.filter((c) => !isError(c));
  const okC = a.cand.filter((c) => !isError(c));
  const errB = a.base.length - okB.length;
  const errC = a.cand.length - okC.length;
  const base = accuracy(okB, errB);
  const cand = accuracy(okC, errC);
  const z = okB.length && okC.length ? twoProportionZ(base.k, base.n, cand.k, cand.n, 1 - alpha) : null;
  const log10p = z ? normalTwoSidedLog10P(z.z) : 0;
  return {
    label: a.label,
    base_arm: a.baseArm,
    cand_arm: a.candArm,
    paired: false,
    test: "two-proportion-z",
    base,
    cand,
    delta_pts: z ? pts(z.delta) : null,
    p: 10 ** log10p,
    log10_p: log10p,
    ci_pts: z ? { lo: pts(z.lo), hi: pts(z.hi), level: 1 - alpha, method: "newcombe" } : null,
    bootstrap_ci_pts: null,
    discordant: null,
    fixed: [],
    broken: [],
    not_compared: { n: errB + errC, errored_base: errB, errored_cand: errC, errored_both: 0, pairs: [] },
    error_rate: errorRate(errB, a.base.length, errC, a.cand.length),
    errors: [...errorCases("base", a.base), ...errorCases("cand", a.cand)],
    strata: strata(okB, okC),
    latency: latency(a.base, a.cand, null),
    ...withStreaming(streaming(a.base, a.cand, null)),
    tokens: tokens(a.base, a.cand),
  };
}

function configChanges(base: Side, cand: Side): ConfigChange[] {
  if (!base.config || !cand.config) return [];
  const fields = [...new Set([...Object.keys(base.config), ...Object.keys(cand.config)])];
  return fields
    .map((field) => ({ field, base: base.config![field] ?? null, cand: cand.config![field] ?? null }))
    .filter((c) => c.base !== c.cand);
}

function costDiff(base: Side, cand: Side): CostDiff {
  return { base: base.cost, cand: cand.cost, delta_per_case: sub(cand.cost.per_case, base.cost.per_case) };
}

type PairMethod = LegacySection["pairing"]["method"];

/**
 * How a legacy side can be paired with a run: by content hash when every MCQ case carries question and options,
 * by MedQA line number when every case is `medqa_N` and the run used the MedQA US test file (the same file the old
 * harness read as medqa_test.jsonl), otherwise not at all.
 */
function legacyPairing(legacy: Side, run: Side): { method: PairMethod; note: string } {
  const all = legacy.legacy!.cases;
  const keys = all.map((c) => legacyKey(c));
  if (all.length > 0 && keys.every((k) => k !== null && !k.startsWith("line:"))) return { method: "content", note: "paired by question content (the legacy file carries question and options)" };
  if (all.length > 0 && keys.every((k) => k?.startsWith("line:"))) {
    if (run.info.dataset_sha256 === MEDQA_SHA256) return { method: "line", note: "paired by line number: legacy medqa_N = line N of the MedQA US test file, which this run used" };
    return { method: "none", note: `could not pair: the legacy ids are MedQA line numbers (medqa_N), but this run's dataset is not the MedQA US test file (sha256 ${run.info.dataset_sha256?.slice(0, 12) ?? "?"})` };
  }
  return { method: "none", note: "could not pair: the legacy file carries neither the questions nor MedQA line ids (its ids are sample positions)" };
}

/** A run's cases re-keyed by record index, to meet `medqa_N` legacy ids. */
function byLine(side: Side): Side {
  return { ...side, cases: side.cases.map((c) => ({ ...c, content_hash: c.record_index !== undefined ? `line:${c.record_index}` : null })) };
}

const LEGACY_DX: Record<keyof DxCounts, readonly string[]> = { top1: ["top1_accuracy"], top3: ["top3_accuracy"], mentioned: ["mentioned_accuracy", "mentioned"] };

function legacySection(which: "base" | "cand", legacy: Side, run: Side | null, method: PairMethod, note: string): LegacySection {
  const r = legacy.legacy!;
  const tok = r.cases.flatMap((c) => (c.tokens ? [c.tokens] : []));
  let dx: LegacySection["dx_on_paired"] = null;
  let paired = 0;
  if (run && method !== "none") {
    const runByKey = new Map(run.cases.filter((c) => c.arm === "pipeline" && c.content_hash !== null).map((c) => [c.content_hash!, c]));
    const legacyCounts: DxCounts = { top1: 0, top3: 0, mentioned: 0 };
    const runCounts: DxCounts = { top1: 0, top3: 0, mentioned: 0 };
    let n = 0;
    for (const c of r.cases) {
      const k = legacyKey(c);
      const match = k !== null ? runByKey.get(k) : undefined;
      if (!match) continue;
      paired++;
      if (!("top1_accuracy" in c.scores) || !match.dx) continue;
      n++;
      for (const m of ["top1", "top3", "mentioned"] as const) {
        const name = LEGACY_DX[m].find((x) => x in c.scores);
        if (name !== undefined && c.scores[name]! >= 0.5) legacyCounts[m]++;
        if (match.dx[m]) runCounts[m]++;
      }
    }
    if (n > 0) dx = { n, legacy: legacyCounts, run: runCounts };
  }
  const costs = r.cases.map((c) => c.cost_usd).filter((x): x is number => x !== null);
  return {
    side: which,
    file_kind: r.file_kind,
    path: r.path,
    dataset: r.dataset,
    pairing: { method, paired, of: r.cases.length, note },
    metrics: r.metrics,
    tokens: tok.length ? { n: tok.length, prompt_mean: tok.reduce((a, t) => a + t.prompt, 0) / tok.length, completion_mean: tok.reduce((a, t) => a + t.completion, 0) / tok.length } : null,
    cost_usd_per_case: costs.length ? costs.reduce((a, b) => a + b, 0) / costs.length : null,
    dx_on_paired: dx,
  };
}

/** Compare two sides already normalised (journals or legacy reports). */
function diffSides(baseIn: Side, candIn: Side, opts: DiffOptions): DiffResult {
  const seed = opts.seed ?? 42;
  const iterations = opts.iterations ?? 10_000;
  const alpha = opts.alpha ?? 0.05;
  let base = baseIn;
  let cand = candIn;
  const notes: string[] = [];
  const legacySections: LegacySection[] = [];
  const anyLegacy = base.info.kind === "legacy" || cand.info.kind === "legacy";
  let unpaired = anyLegacy;
  if (anyLegacy) {
    for (const [which, side, other] of [["base", base, cand], ["cand", cand, base]] as const) {
      if (side.info.kind !== "legacy") continue;
      const run = other.info.kind === "journal" ? other : null;
      const { method, note } = run ? legacyPairing(side, run) : { method: "none" as const, note: "two legacy files: not paired (their ids are sample positions)" };
      legacySections.push(legacySection(which, side, method === "line" ? byLine(run!) : run, method, note));
    }
    const method = legacySections.length === 1 ? legacySections[0]!.pairing.method : "none";
    unpaired = method === "none";
    if (method === "line") {
      if (base.info.kind === "journal") base = byLine(base);
      else cand = byLine(cand);
    }
    for (const l of legacySections) {
      notes.push(`legacy ${l.side} (${l.file_kind}): ${l.pairing.note}${l.pairing.method !== "none" ? ` (${l.pairing.paired} of ${l.pairing.of})` : ""}`);
      if (l.metrics.some((m) => m.kind === "diagnostic")) notes.push(`legacy ${l.side}: its top1/top3/mentioned are diagnosis matching by the old fuzzy matcher, shown under their own names, never as MCQ accuracy`);
    }
  }
  const common = base.arms.filter((a) => cand.arms.includes(a));
  const arms = opts.arms ? common.filter((a) => opts.arms!.includes(a)) : common;
  if (arms.length === 0 && !anyLegacy) {
    const want = opts.arms ? ` (asked for ${opts.arms.join(", ")})` : "";
    throw new DiffInputError(`no arm to compare${want}: base has ${base.arms.join(", ") || "no cases"}, candidate has ${cand.arms.join(", ") || "no cases"}`);
  }
  if (arms.length === 0) notes.push("no multiple-choice comparison: the legacy file has no MCQ answers (an experiment-track file scores diagnosis matching only); its own metrics are listed");
  const sameDataset =
    base.info.dataset_sha256 !== null && cand.info.dataset_sha256 !== null
      ? base.info.dataset_sha256 === cand.info.dataset_sha256
      : base.info.dataset === cand.info.dataset;
  if (unpaired && anyLegacy) {
    if (opts.strict) throw new DiffInputError("--strict: a legacy report cannot be paired with a run (its case ids are sample positions); drop --strict for an unpaired comparison");
    notes.push("UNPAIRED comparison: the legacy cases could not be paired with the run's; accuracy is compared with a two-proportion z-test and no flips can be listed.");
    if (!sameDataset && base.info.dataset !== cand.info.dataset) notes.push(`datasets differ: ${base.info.dataset ?? "?"} vs ${cand.info.dataset ?? "?"}`);
  } else if (!anyLegacy && base.info.dataset !== cand.info.dataset && !opts.allowDatasetMismatch) {
    throw new DiffInputError(
      `runs of different datasets: ${base.info.dataset} vs ${cand.info.dataset}; their cases do not pair. ` +
        "Pass --allow-dataset-mismatch to compare the cases with identical content anyway",
    );
  } else if (!anyLegacy && !sameDataset) {
    const msg = `datasets differ: ${base.info.dataset} (sha256 ${base.info.dataset_sha256?.slice(0, 12)}) vs ${cand.info.dataset} (sha256 ${cand.info.dataset_sha256?.slice(0, 12)})`;
    if (opts.strict) throw new DiffInputError(`--strict: ${msg}`);
    notes.push(`${msg}; only cases with identical content are compared`);
  }

  const perArm: Pairing["per_arm"] = [];
  const results: ArmDiff[] = [];
  for (const arm of arms) {
    const input: ArmInput = { label: arm, baseArm: arm, candArm: arm, base: base.cases.filter((c) => c.arm === arm), cand: cand.cases.filter((c) => c.arm === arm) };
    if (unpaired) {
      perArm.push({ arm, paired: 0, base_only: input.base.length, cand_only: input.cand.length });
      results.push(unpairedArm(input, alpha));
      continue;
    }
    const split = pairUp(input.base, input.cand);
    perArm.push({ arm, paired: split.pairs.length, base_only: split.baseOnly, cand_only: split.candOnly });
    if ((split.baseOnly || split.candOnly) && !anyLegacy) {
      const msg = `${arm}: the runs sampled different cases (${split.pairs.length} paired, ${split.baseOnly} only in base, ${split.candOnly} only in candidate)`;
      if (opts.strict) throw new DiffInputError(`--strict: ${msg}`);
      notes.push(`${msg}; only the paired cases are compared`);
    } else if (split.baseOnly || split.candOnly) {
      notes.push(`${arm}: ${split.pairs.length} legacy cases paired with the run's; ${split.baseOnly} only in base, ${split.candOnly} only in candidate are left out`);
    }
    results.push(pairedArm(input, split, seed, iterations, alpha));
  }
  return {
    kind: "runs",
    seed,
    base: base.info,
    cand: cand.info,
    config: configChanges(base, cand),
    pairing: { paired: !unpaired, per_arm: perArm, notes },
    arms: results,
    cost: costDiff(base, cand),
    legacy: legacySections,
  };
}

/** Compare a candidate run with a base run, pairing cases by content_hash within each arm. */
export function diffRuns(base: Source, cand: Source, opts: DiffOptions = {}): DiffResult {
  return diffSides(toSide(base, opts.reducer), toSide(cand, opts.reducer), opts);
}

/** Compare arm `a` (base) with arm `b` (candidate) of one run, paired by case. */
export function diffArms(run: Journal, a: Arm, b: Arm, opts: Pick<DiffOptions, "seed" | "iterations" | "alpha" | "reducer"> = {}): DiffResult {
  if (a === b) throw new DiffInputError(`diffArms needs two different arms, got ${a} twice`);
  const side = journalSide(run, opts.reducer);
  for (const arm of [a, b]) {
    if (!side.arms.includes(arm)) throw new DiffInputError(`${run.dir}: the run has no ${arm} arm (mode ${run.run.config.mode})`);
  }
  const seed = opts.seed ?? 42;
  const input: ArmInput = { label: `${a} → ${b}`, baseArm: a, candArm: b, base: side.cases.filter((c) => c.arm === a), cand: side.cases.filter((c) => c.arm === b) };
  const split = pairUp(input.base, input.cand);
  const notes = ["arms of one run: same cases, same endpoint; cost is shared and not split by arm"];
  if (split.baseOnly || split.candOnly) notes.push(`${split.baseOnly} case(s) ran only in ${a}, ${split.candOnly} only in ${b}; only the paired cases are compared`);
  return {
    kind: "arms",
    seed,
    base: { ...side.info, run_id: `${side.info.run_id} [${a}]` },
    cand: { ...side.info, run_id: `${side.info.run_id} [${b}]` },
    config: [],
    pairing: { paired: true, per_arm: [{ arm: input.label, paired: split.pairs.length, base_only: split.baseOnly, cand_only: split.candOnly }], notes },
    arms: [pairedArm(input, split, seed, opts.iterations ?? 10_000, opts.alpha ?? 0.05)],
    cost: null,
    legacy: [],
  };
}
