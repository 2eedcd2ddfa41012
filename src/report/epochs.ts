// The `epochs` block of an arm's summary (--epochs K > 1): each reducer's accuracy with a CI that accounts for
// the clustering of samples by case, how often the model agrees with itself per case, Fleiss' κ over epochs,
// and the cases it is least sure of. Infrastructure errors are not samples (the model said nothing) and are left
// out; a case with no graded sample is left out of every figure here.
import { z } from "zod";
import { agreement, agreementHistogram, clusteredAccuracy, fleissKappa, reduce, REDUCERS, type EpochSample, type Reducer } from "../stats/epochs.js";
import { wilson } from "../stats/wilson.js";
import type { CaseRecord } from "../types.js";

const int = z.number().int().nonnegative();
const numOrNull = z.number().nullable();

export const EpochsSchema = z.object({
  /** Epochs configured (--epochs). */
  k: int,
  /** Cases with at least one graded sample, and those samples (errored ones excluded). */
  cases: int,
  samples: int,
  reducers: z.array(
    z.object({
      reducer: z.enum(REDUCERS),
      /** majority/any/all: one verdict per case, Wilson over cases. mean: share over samples, cluster bootstrap over cases. */
      p: numOrNull,
      lo: numOrNull,
      hi: numOrNull,
      ci: z.enum(["wilson_over_cases", "cluster_bootstrap"]),
      /** mean only: the interval if every sample were independent (too narrow; shown for comparison). */
      naive: z.object({ lo: numOrNull, hi: numOrNull }).nullable(),
      /** majority only: cases whose top answers tied (unparseable under majority). */
      ties: int.nullable(),
    }),
  ),
  agreement: z.object({
    /** Mean over cases of the share of epochs giving the case's modal answer. */
    mean: numOrNull,
    histogram: z.array(z.object({ agreement: z.number(), cases: int })),
  }),
  /** Fleiss' κ with epochs as raters and answers (unparseable included) as categories; null when undefined. */
  kappa: numOrNull,
  /** Up to 10 cases with the lowest agreement (ties: the lower mean accuracy first, then id). */
  least_sure: z.array(
    z.object({ case_id: z.string(), agreement: z.number(), correct_answer: z.string(), answers: z.record(z.string(), int), correct: int, samples: int }),
  ),
});
export type EpochsBlock = z.infer<typeof EpochsSchema>;

/** Samples per case (in first-seen order), errored records left out. */
export function samplesByCase(cases: readonly CaseRecord[]): Map<string, { correctAnswer: string; samples: EpochSample[] }> {
  const out = new Map<string, { correctAnswer: string; samples: EpochSample[] }>();
  for (const r of cases) {
    if (r.outcome === "error") continue;
    const e = out.get(r.case_id) ?? { correctAnswer: r.correct_answer, samples: [] };
    e.samples.push({ answer: r.outcome === "unparseable" ? null : r.answer, correct: r.outcome === "correct" });
    out.set(r.case_id, e);
  }
  return out;
}

export function epochsBlock(cases: readonly CaseRecord[], k: number, reducers: readonly Reducer[], seed: string): EpochsBlock {
  const byCase = samplesByCase(cases);
  const groups = [...byCase.values()].map((g) => g.samples);
  const n = groups.length;
  const rows = reducers.map((reducer) => {
    if (reducer === "mean") {
      const c = clusteredAccuracy(
        groups.map((s) => ({ correct: s.filter((x) => x.correct).length, samples: s.length })),
        { seed: `${seed}:epochs:mean` },
      );
      return { reducer, p: c.p, lo: c.lo, hi: c.hi, ci: "cluster_bootstrap" as const, naive: { lo: c.naive.lo, hi: c.naive.hi }, ties: null };
    }
    const reduced = groups.map((s) => reduce(s, reducer));
    const w = wilson(reduced.filter((r) => r.correct === 1).length, n);
    const ties = reducer === "majority" ? reduced.filter((r) => r.tie).length : null;
    return { reducer, p: w.p, lo: w.lo, hi: w.hi, ci: "wilson_over_cases" as const, naive: null, ties };
  });
  const agreements = groups.map(agreement);
  const leastSure = [...byCase.entries()]
    .map(([case_id, g]) => {
      const answers: Record<string, number> = {};
      for (const s of g.samples) answers[s.answer ?? "none"] = (answers[s.answer ?? "none"] ?? 0) + 1;
      const correct = g.samples.filter((s) => s.correct).length;
      return { case_id, agreement: agreement(g.samples), correct_answer: g.correctAnswer, answers, correct, samples: g.samples.length };
    })
    .filter((c) => c.agreement < 1)
    .sort((a, b) => a.agreement - b.agreement || a.correct / a.samples - b.correct / b.samples || a.case_id.localeCompare(b.case_id))
    .slice(0, 10);
  return {
    k,
    cases: n,
    samples: groups.reduce((s, g) => s + g.length, 0),
    reducers: rows,
    agreement: { mean: n > 0 ? agreements.reduce((s, a) => s + a, 0) / n : null, histogram: agreementHistogram(agreements) },
    kappa: fleissKappa(groups),
    least_sure: leastSure,
  };
}
