// Statistics over repeated samples of one case (`--epochs K`): reducers that turn a case's K verdicts into one,
// per-case agreement, Fleiss' κ over epochs, and a case-clustered CI for accuracy over all samples.
// Samples of one case are correlated (same question, same model), so a CI that treats the K·n samples as
// independent is too narrow; the cluster bootstrap resamples whole cases (Miller 2024, "Adding Error Bars to Evals").

import seedrandom from "seedrandom";
import { quantileSorted } from "./quantiles.js";
import { wilson, type Proportion } from "./wilson.js";

/** One epoch's graded sample of a case: the letter chosen (null = unparseable) and whether it was right. */
export interface EpochSample {
  answer: string | null;
  correct: boolean;
}

export const REDUCERS = ["majority", "mean", "any", "all"] as const;
export type Reducer = (typeof REDUCERS)[number];

/** A case's reduced verdict: `correct` is a share in [0, 1] for `mean`, 0 or 1 otherwise. */
export interface Reduced {
  correct: number;
  /** The answer the reducer settles on (majority only; null on a tie or when the modal answer is unparseable). */
  answer: string | null;
  /** Majority only: the top answers tied, so the case is unparseable under this reducer. */
  tie: boolean;
}

/** The modal answer of a case's samples (unparseable counts as its own answer) and how many samples gave it. */
export function modal(samples: readonly EpochSample[]): { answer: string | null; count: number; tie: boolean } {
  const counts = new Map<string | null, number>();
  for (const s of samples) counts.set(s.answer, (counts.get(s.answer) ?? 0) + 1);
  let answer: string | null = null;
  let count = 0;
  let tie = false;
  for (const [a, n] of counts) {
    if (n > count) [answer, count, tie] = [a, n, false];
    else if (n === count) tie = true;
  }
  return { answer, count, tie };
}

/** Reduce one case's samples (at least one) with `reducer`. */
export function reduce(samples: readonly EpochSample[], reducer: Reducer): Reduced {
  if (samples.length === 0) throw new RangeError("reduce: a case needs at least one sample");
  const right = samples.filter((s) => s.correct).length;
  switch (reducer) {
    case "mean":
      return { correct: right / samples.length, answer: null, tie: false };
    case "any":
      return { correct: right > 0 ? 1 : 0, answer: null, tie: false };
    case "all":
      return { correct: right === samples.length ? 1 : 0, answer: null, tie: false };
    case "majority": {
      const m = modal(samples);
      if (m.tie) return { correct: 0, answer: null, tie: true };
      // Every sample with the modal letter is right or wrong alike (one case, one key).
      const correct = samples.some((s) => s.answer === m.answer && s.correct) ? 1 : 0;
      return { correct, answer: m.answer, tie: false };
    }
  }
}

/** Share of a case's samples that give its modal answer: 1 = the model always says the same, 1/K = never twice. */
export function agreement(samples: readonly EpochSample[]): number {
  if (samples.length === 0) throw new RangeError("agreement: a case needs at least one sample");
  return modal(samples).count / samples.length;
}

/**
 * Fleiss' κ with the epochs as raters and the answers (letters, plus unparseable) as categories; cases may have
 * different sample counts (Fleiss 1971, generalised: P_i over each case's own n_i, p_j over all samples). Cases
 * with fewer than two samples carry no agreement information and are left out. Null when κ is undefined: no case
 * with two samples, or every sample in one category (expected agreement 1).
 */
export function fleissKappa(cases: ReadonlyArray<readonly EpochSample[]>): number | null {
  const used = cases.filter((s) => s.length >= 2);
  const total = new Map<string | null, number>();
  let samples = 0;
  let pBar = 0;
  for (const s of used) {
    const counts = new Map<string | null, number>();
    for (const x of s) counts.set(x.answer, (counts.get(x.answer) ?? 0) + 1);
    let pairs = 0;
    for (const [a, n] of counts) {
      pairs += n * (n - 1);
      total.set(a, (total.get(a) ?? 0) + n);
    }
    pBar += pairs / (s.length * (s.length - 1));
    samples += s.length;
  }
  pBar /= used.length;
  // Fewer than two categories in use (none at all when no case has two samples): P̄e = 1 and κ is 0/0.
  if (total.size < 2) return null;
  // κ = (P̄ − P̄e)/(1 − P̄e) = 1 − (1 − P̄)/(1 − P̄e), with 1 − P̄e = Σ_j p_j(1 − p_j): expected disagreement.
  let qe = 0;
  for (const n of total.values()) {
    const p = n / samples;
    qe += p * (1 - p);
  }
  return 1 - (1 - pBar) / qe;
}

export interface ClusteredAccuracy {
  /** Correct samples over all samples. */
  p: number | null;
  k: number;
  /** Samples. */
  n: number;
  /** Cases (clusters). */
  clusters: number;
  /** Seeded percentile bootstrap over cases (whole cases resampled with replacement). */
  lo: number | null;
  hi: number | null;
  /** The interval that wrongly treats every sample as independent, for comparison. */
  naive: Proportion;
}

export interface ClusterBootstrapOptions {
  seed: string;
  iterations?: number;
  level?: number;
}

/** Accuracy over all samples with a case-clustered bootstrap CI. `cases[i]` = (correct, samples) of case i. */
export function clusteredAccuracy(
  cases: ReadonlyArray<{ correct: number; samples: number }>,
  opts: ClusterBootstrapOptions,
): ClusteredAccuracy {
  const iterations = opts.iterations ?? 2000;
  const level = opts.level ?? 0.95;
  let k = 0;
  let n = 0;
  for (const c of cases) {
    if (!Number.isInteger(c.correct) || !Number.isInteger(c.samples) || c.correct < 0 || c.correct > c.samples) {
      throw new RangeError(`clusteredAccuracy: need integers 0 <= correct <= samples, got ${c.correct}/${c.samples}`);
    }
    k += c.correct;
    n += c.samples;
  }
  const naive = wilson(k, n);
  if (n === 0) return { p: null, k, n, clusters: cases.length, lo: null, hi: null, naive };
  const rng = seedrandom(opts.seed);
  const stats: number[] = [];
  for (let it = 0; it < iterations; it++) {
    let kk = 0;
    let nn = 0;
    for (let j = 0; j < cases.length; j++) {
      const c = cases[Math.floor(rng() * cases.length)]!;
      kk += c.correct;
      nn += c.samples;
    }
    if (nn > 0) stats.push(kk / nn);
  }
  stats.sort((a, b) => a - b);
  const alpha = (1 - level) / 2;
  return {
    p: k / n,
    k,
    n,
    clusters: cases.length,
    lo: quantileSorted(stats, alpha),
    hi: quantileSorted(stats, 1 - alpha),
    naive,
  };
}

/** Histogram of per-case agreement values (keys are the shares, rounded to 3 places, ascending). */
export function agreementHistogram(values: readonly number[]): Array<{ agreement: number; cases: number }> {
  const counts = new Map<number, number>();
  for (const v of values) {
    const key = Math.round(v * 1000) / 1000;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts.entries()].sort((a, b) => a[0] - b[0]).map(([agreement, cases]) => ({ agreement, cases }));
}
