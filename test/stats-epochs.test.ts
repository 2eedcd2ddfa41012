import { describe, expect, test } from "vitest";
import { agreement, agreementHistogram, clusteredAccuracy, fleissKappa, modal, reduce, type EpochSample } from "../src/stats/epochs.js";

/** Samples from answer letters with the case's key: "AAB" with key A → A✓ A✓ B✗; "-" = unparseable. */
const s = (answers: string, key = "A"): EpochSample[] =>
  [...answers].map((a) => (a === "-" ? { answer: null, correct: false } : { answer: a, correct: a === key }));

describe("reducers, hand-computed", () => {
  test.each([
    // answers, key, majority, mean, any, all
    ["AAAAA", "A", 1, 1, 1, 1],
    ["AAABB", "A", 1, 0.6, 1, 0],
    ["ABBBB", "A", 0, 0.2, 1, 0],
    ["BBBBB", "A", 0, 0, 0, 0],
    ["AB", "A", 0, 0.5, 1, 0], // tie → unparseable under majority
    ["AABB-", "A", 0, 0.4, 1, 0], // 2-2 tie
    ["--A", "A", 0, 1 / 3, 1, 0], // modal answer is unparseable
    ["C", "C", 1, 1, 1, 1],
  ])("%s (key %s)", (answers, key, maj, mean, any, all) => {
    const xs = s(answers, key);
    expect(reduce(xs, "majority").correct).toBe(maj);
    expect(reduce(xs, "mean").correct).toBeCloseTo(mean, 12);
    expect(reduce(xs, "any").correct).toBe(any);
    expect(reduce(xs, "all").correct).toBe(all);
  });

  test("majority reports its answer, or the tie", () => {
    expect(reduce(s("BBA"), "majority")).toEqual({ correct: 0, answer: "B", tie: false });
    expect(reduce(s("AAB"), "majority")).toEqual({ correct: 1, answer: "A", tie: false });
    expect(reduce(s("AB"), "majority")).toEqual({ correct: 0, answer: null, tie: true });
    expect(reduce(s("--B"), "majority")).toEqual({ correct: 0, answer: null, tie: false });
    expect(reduce(s("A"), "mean")).toEqual({ correct: 1, answer: null, tie: false });
  });

  test("every reducer refuses a case with no samples", () => {
    for (const r of ["majority", "mean", "any", "all"] as const) expect(() => reduce([], r)).toThrow(RangeError);
    expect(() => agreement([])).toThrow(RangeError);
  });

  test("the reducers order as all ≤ majority ≤ any and all ≤ mean ≤ any on every 3-sample case", () => {
    for (const a of "AB-") for (const b of "AB-") for (const c of "AB-") {
      const xs = s(a + b + c);
      const [maj, mean, any, all] = (["majority", "mean", "any", "all"] as const).map((r) => reduce(xs, r).correct);
      expect(all).toBeLessThanOrEqual(maj!);
      expect(maj).toBeLessThanOrEqual(any!);
      expect(all).toBeLessThanOrEqual(mean!);
      expect(mean).toBeLessThanOrEqual(any!);
    }
  });
});

describe("agreement", () => {
  test.each([
    ["AAAAA", 1],
    ["AAABB", 0.6],
    ["ABCD-", 0.2],
    ["AB", 0.5],
    ["--", 1],
  ])("%s → %d", (answers, want) => expect(agreement(s(answers))).toBeCloseTo(want, 12));

  test("modal: first-seen answer among equals, flagged as a tie", () => {
    expect(modal(s("ABB"))).toEqual({ answer: "B", count: 2, tie: false });
    expect(modal(s("AB"))).toEqual({ answer: "A", count: 1, tie: true });
    expect(modal(s("ABBA"))).toEqual({ answer: "A", count: 2, tie: true });
    expect(modal(s("ABBAA"))).toEqual({ answer: "A", count: 3, tie: false });
  });

  test("histogram: sorted shares with case counts", () => {
    expect(agreementHistogram([1, 0.6, 1, 0.2, 0.6000000001, 1])).toEqual([
      { agreement: 0.2, cases: 1 },
      { agreement: 0.6, cases: 2 },
      { agreement: 1, cases: 3 },
    ]);
    expect(agreementHistogram([])).toEqual([]);
  });
});

describe("Fleiss' κ", () => {
  test("Fleiss (1971) worked example as given on Wikipedia: 10 subjects × 14 raters × 5 categories → κ ≈ 0.210", () => {
    const table = [
      [0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
      [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7],
    ];
    const cases = table.map((row) => row.flatMap((n, j) => Array.from({ length: n }, () => ({ answer: "ABCDE"[j]!, correct: j === 0 }))));
    // P̄ = 0.37802, P̄e = 0.21342 → κ = 0.20993.
    expect(fleissKappa(cases)).toBeCloseTo(0.20993, 4);
  });

  test("hand-computed small tables", () => {
    expect(fleissKappa([s("AA"), s("BB")])).toBeCloseTo(1, 12); // perfect agreement, two categories
    expect(fleissKappa([s("AB"), s("AB")])).toBeCloseTo(-1, 12); // P̄ = 0, P̄e = 1/2
    // P_1 = 1, P_2 = (2·1)/(3·2) = 1/3 → P̄ = 2/3; p_A = 4/6, p_B = 2/6 → P̄e = 5/9; κ = (2/3 − 5/9)/(4/9) = 1/4.
    expect(fleissKappa([s("AAA"), s("ABB")])).toBeCloseTo(0.25, 12);
    // Unparseable is a category of its own: [A,-],[-,A] → P̄ = 0, P̄e = 1/2.
    expect(fleissKappa([s("A-"), s("-A")])).toBeCloseTo(-1, 12);
  });

  test("unequal sample counts: each case's P_i over its own n_i; single-sample cases are left out", () => {
    // P_1 = 1 (AA), P_2 = (3·2)/(3·2) = 1 (BBB) → P̄ = 1; p_A = 2/5, p_B = 3/5 → P̄e = 13/25 → κ = 1.
    expect(fleissKappa([s("AA"), s("BBB"), s("C")])).toBeCloseTo(1, 12);
  });

  test("undefined → null: no case with two samples, or one category only", () => {
    expect(fleissKappa([])).toBeNull();
    expect(fleissKappa([s("A"), s("B")])).toBeNull();
    expect(fleissKappa([s("AA"), s("AAA")])).toBeNull();
  });
});

describe("case-clustered accuracy", () => {
  const opts = { seed: "t", iterations: 4000 };

  test("point estimate is correct samples over all samples; naive CI is Wilson over samples", () => {
    const r = clusteredAccuracy([{ correct: 3, samples: 5 }, { correct: 1, samples: 5 }, { correct: 5, samples: 5 }], opts);
    expect(r.k).toBe(9);
    expect(r.n).toBe(15);
    expect(r.clusters).toBe(3);
    expect(r.p).toBeCloseTo(0.6, 12);
    expect(r.naive.k).toBe(9);
    expect(r.naive.n).toBe(15);
    expect(r.lo!).toBeLessThanOrEqual(0.6);
    expect(r.hi!).toBeGreaterThanOrEqual(0.6);
  });

  test("perfectly correlated epochs: the cluster CI is wider than the naive one and matches the one-sample-per-case width", () => {
    // 40 cases × 5 epochs, every case all-right or all-wrong (half each): effectively 40 observations, not 200.
    const cases = Array.from({ length: 40 }, (_, i) => ({ correct: i % 2 === 0 ? 5 : 0, samples: 5 }));
    const r = clusteredAccuracy(cases, opts);
    const clusterWidth = r.hi! - r.lo!;
    const naiveWidth = r.naive.hi! - r.naive.lo!;
    expect(clusterWidth).toBeGreaterThan(naiveWidth * 1.6);
    // The bootstrap of 40 independent 0/1 cases: width ≈ 2·1.96·sqrt(0.25/40) ≈ 0.31.
    expect(clusterWidth).toBeGreaterThan(0.25);
    expect(clusterWidth).toBeLessThan(0.38);
  });

  test("independent-looking epochs: the two intervals are about as wide", () => {
    // Every case right on 2 or 3 of 4 epochs alternately: between-case variance is tiny, so clustering barely matters.
    const cases = Array.from({ length: 50 }, (_, i) => ({ correct: i % 2 === 0 ? 2 : 3, samples: 4 }));
    const r = clusteredAccuracy(cases, opts);
    expect(r.hi! - r.lo!).toBeLessThan(r.naive.hi! - r.naive.lo!);
  });

  test("seeded: the same seed gives the same interval, another seed another", () => {
    const cases = Array.from({ length: 30 }, (_, i) => ({ correct: i % 3, samples: 3 }));
    expect(clusteredAccuracy(cases, opts)).toEqual(clusteredAccuracy(cases, opts));
    // Few iterations, so the percentiles depend visibly on the draws.
    const los = new Set(["a", "b", "c", "d", "e", "f"].map((seed) => clusteredAccuracy(cases, { seed, iterations: 25 }).lo));
    expect(los.size).toBeGreaterThan(1);
  });

  test("no samples → nulls; bad counts are refused", () => {
    const r = clusteredAccuracy([], opts);
    expect([r.p, r.lo, r.hi, r.n]).toEqual([null, null, null, 0]);
    expect(() => clusteredAccuracy([{ correct: 3, samples: 2 }], opts)).toThrow(RangeError);
    expect(() => clusteredAccuracy([{ correct: -1, samples: 2 }], opts)).toThrow(RangeError);
    expect(() => clusteredAccuracy([{ correct: 0.5, samples: 2 }], opts)).toThrow(RangeError);
  });

  test("all right or all wrong: a zero-width bootstrap at the boundary", () => {
    const all = clusteredAccuracy([{ correct: 2, samples: 2 }, { correct: 3, samples: 3 }], opts);
    expect([all.p, all.lo, all.hi]).toEqual([1, 1, 1]);
    const none = clusteredAccuracy([{ correct: 0, samples: 2 }, { correct: 0, samples: 3 }], opts);
    expect([none.p, none.lo, none.hi]).toEqual([0, 0, 0]);
  });

  test("the level widens or narrows the interval", () => {
    const cases = Array.from({ length: 30 }, (_, i) => ({ correct: i % 2, samples: 1 }));
    const w95 = clusteredAccuracy(cases, opts);
    const w80 = clusteredAccuracy(cases, { ...opts, level: 0.8 });
    expect(w80.hi! - w80.lo!).toBeLessThan(w95.hi! - w95.lo!);
  });
});
