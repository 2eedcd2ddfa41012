// The shape of a diff: what `diff --json` writes and what the renderers and the CI gate read.
// Accuracies are proportions (0..1); deltas named *_pts are percentage points (cand − base).

import type { Arm, Outcome } from "../types.js";
import type { Proportion } from "../stats/wilson.js";
import type { LegacyMetric } from "./legacy.js";

export type Scalar = string | number | boolean | null;

export interface ConfigChange {
  /** Dotted name, e.g. `temperature`, `endpoint.model_sha`, `prompt.reason`. */
  field: string;
  base: Scalar;
  cand: Scalar;
}

export interface SideInfo {
  /** The run directory or legacy file given on the command line. */
  source: string;
  kind: "journal" | "legacy";
  run_id: string;
  dataset: string | null;
  dataset_sha256: string | null;
  /** Cases (all arms) in the side. */
  n_records: number;
}

export interface Pairing {
  paired: boolean;
  /** Per compared arm: pairs matched by content_hash, and the cases found on one side only. */
  per_arm: Array<{ arm: string; paired: number; base_only: number; cand_only: number }>;
  /** Human-readable caveats: different datasets, different samples, legacy (unpaired) comparison. */
  notes: string[];
}

export interface Flip {
  /** The candidate's case id (ids may differ between runs: pairing is by content). */
  case_id: string;
  /** Set when the base run's id for the same content differs. */
  base_case_id?: string;
  content_hash: string;
  /** The stem's start (~80 chars). */
  stem: string;
  correct_answer: string | null;
  base_answer: string | null;
  cand_answer: string | null;
  base_outcome: Outcome;
  cand_outcome: Outcome;
}

export interface ErrorCase {
  side: "base" | "cand";
  case_id: string;
  error_class?: string;
  error?: string;
}

export interface AccuracySide extends Proportion {
  /** Infrastructure errors on this side (among the paired cases when paired). They are not in `k`/`n`. */
  errors: number;
  unparseable: number;
}

/** A pair left out of the comparison because a side errored (infrastructure, not an answer). */
export interface UncomparedPair {
  case_id: string;
  base_case_id?: string;
  side: "base" | "cand" | "both";
  base_outcome: Outcome;
  cand_outcome: Outcome;
  error_class?: string;
}

export interface NotCompared {
  /** Pairs (paired) or records (unpaired) left out of accuracy, McNemar, the CI and the gate. */
  n: number;
  errored_base: number;
  errored_cand: number;
  /** Paired only: both sides errored (counted in errored_base and errored_cand too). */
  errored_both: number;
  /** Paired only: the pairs, by candidate case id. */
  pairs: UncomparedPair[];
}

export interface StratumDelta {
  dimension: "question_type" | "usmle_step";
  stratum: string;
  n_base: number;
  n_cand: number;
  base: number | null;
  cand: number | null;
  delta_pts: number | null;
}

export interface LatencyRow {
  /** `case` (whole case, cold-start waits excluded) or a pipeline step id. */
  step: string;
  n_base: number;
  n_cand: number;
  base_p50: number | null;
  base_p95: number | null;
  cand_p50: number | null;
  cand_p95: number | null;
  /** cand / base; > 1 means slower. */
  ratio_p50: number | null;
  ratio_p95: number | null;
  /** Paired only: median over cases of cand/base latency for the same case. */
  pair_ratio_p50: number | null;
}

export interface TokenRow {
  step: string;
  base_prompt: number | null;
  cand_prompt: number | null;
  delta_prompt: number | null;
  base_completion: number | null;
  cand_completion: number | null;
  delta_completion: number | null;
}

export interface ArmDiff {
  /** `pipeline`, or `direct → pipeline` for a comparison of two arms of one run. Accuracy, flips and strata
   * cover the compared pairs only: a pair where either side is `error` is in `not_compared`, never a flip. */
  label: string;
  base_arm: Arm;
  cand_arm: Arm;
  paired: boolean;
  test: "mcnemar-exact" | "two-proportion-z";
  base: AccuracySide;
  cand: AccuracySide;
  delta_pts: number | null;
  /** Two-sided p of `test`; 1 when there is nothing to compare. Underflows to 0 when tiny: read log10_p. */
  p: number;
  /** log10 of `p`, exact in log space (e.g. −382.9 for 0 vs 1,273 discordant pairs). */
  log10_p: number;
  /**
   * CI of Δ whose verdict agrees with the test: paired, the Clopper–Pearson interval of the discordant split scaled
   * by (b+c)/n ("exact"); unpaired, Newcombe's score interval. Level 1 − alpha.
   */
  ci_pts: { lo: number; hi: number; level: number; method: "exact" | "newcombe" } | null;
  /** Paired only, an extra: the seeded percentile bootstrap of Δ (may disagree with the test at small n). */
  bootstrap_ci_pts: { lo: number; hi: number; level: number; iterations: number; seed: number } | null;
  /** Errored pairs (or records), excluded from the comparison and listed apart. */
  not_compared: NotCompared;
  /** Share of errored records per side (paired cases when paired), in proportions, and its change in points. */
  error_rate: { base: number | null; cand: number | null; delta_pts: number | null };
  /** Paired only: discordant pair counts (fixed = wrong→correct, broken = correct→wrong). */
  discordant: { fixed: number; broken: number } | null;
  fixed: Flip[];
  broken: Flip[];
  errors: ErrorCase[];
  /** --epochs runs (cases reduced by the diff's reducer first): mean per-case agreement of the compared pairs. */
  agreement?: { base: number | null; cand: number | null };
  strata: StratumDelta[];
  latency: LatencyRow[];
  /** --stream runs: per step "TTFT <step>" (ms; ratio > 1 = slower) and "decode tok/s <step>" (ratio > 1 = faster). */
  streaming?: LatencyRow[];
  tokens: TokenRow[];
}

export interface CostSide {
  per_hour: number | null;
  wall_s: number | null;
  wall_source: "events" | "case_timestamps" | "legacy" | null;
  /** Distinct cases the wall time was spent on (all arms of the run). */
  cases: number;
  /** Endpoint-hour cost plus token cost (when per-Mtok prices are set), per case. */
  per_case: number | null;
}

export interface CostDiff {
  base: CostSide;
  cand: CostSide;
  delta_per_case: number | null;
}

/** What a legacy file said, under its own names and denominators, and how it was paired with the run. */
export interface LegacySection {
  side: "base" | "cand";
  file_kind: string;
  path: string;
  dataset: string | null;
  pairing: { method: "content" | "line" | "none"; paired: number; of: number; note: string };
  metrics: LegacyMetric[];
  /** Mean per-case tokens of the legacy file (details.cost_ledger), when present. */
  tokens: { n: number; prompt_mean: number; completion_mean: number } | null;
  cost_usd_per_case: number | null;
  /** On the paired cases: the old harness's diagnosis-matching scores beside this run's (the new matcher). */
  dx_on_paired: { n: number; legacy: DxCounts; run: DxCounts } | null;
}

export interface DxCounts {
  top1: number;
  top3: number;
  mentioned: number;
}

export interface DiffResult {
  kind: "runs" | "arms";
  seed: number;
  base: SideInfo;
  cand: SideInfo;
  config: ConfigChange[];
  pairing: Pairing;
  arms: ArmDiff[];
  cost: CostDiff | null;
  /** One entry per legacy side (empty for two runs). */
  legacy: LegacySection[];
}

/** Bad input for a diff (different datasets with --strict, nothing in common, ...): exit code 2. */
export class DiffInputError extends Error {
  override name = "DiffInputError";
}
