// Epoch statistics against independent references: every reducer's full verdict by hand, Fleiss' κ against the
// textbook formula (subject × category count table) on seeded random tables, and the case-clustered bootstrap
// against a naive re-implementation of its documented draw (seedrandom(seed), one case index per draw,
// floor(u · cases), iterations × cases draws) with its own type-7 percentile. Hand-computed tables are in
// stats-epochs.test.ts.
import seedrandom from "seedrandom";
import { describe, expect, it } from "vitest";
import { agreement, clusteredAccuracy, fleissKappa, modal, reduce, REDUCERS, type EpochSample, type Reducer } from "../src/stats/epochs.js";
import { scale } from "./helpers/mutation.js";

/** Samples from answer letters with the case's key: "AAB" with key A → A✓ A✓ B✗; "-" = unparseable. */
const s = (answers: string, key = "A"): EpochSample[] =>
  [...answers].map((a) => (a === "-" ? { answer: null, correct: false } : { answer: a, correct: a === key }));

describe("reducers: the whole verdict of each, by hand", () => {
  // answers (key A) → reducer → { correct, answer, tie }. Only majority settles on an answer or reports a tie.
  const table: Record<Reducer, Array<[string, number, string | null, boolean]>> = {
    majority: [
      ["AAB", 1, "A", false],
      ["BBA", 0, "B", false],
      ["AB", 0, null, true],
      ["ABBA-", 0, null, true],
      ["--A", 0, null, false],
      ["CAC", 0, "C", false],
    ],
    mean: [
      ["AAB", 2 / 3, null, false],
      ["BBA", 1 / 3, null, false],
      ["AB", 0.5, null, false],
      ["----", 0, null, false],
    ],
    any: [
      ["AAB", 1, null, false],
      ["BBA", 1, null, false],
      ["BB-", 0, null, false],
      ["A", 1, null, false],
    ],
    all: [
      ["AAA", 1, null, false],
      ["AAB", 0, null, false],
      ["A-", 0, null, false],
      ["A", 1, null, false],
    ],
  };

  it("REDUCERS lists exactly the reducers the CLI accepts, in report order", () => {
    expect([...REDUCERS]).toEqual(["majority", "mean", "any", "all"]);
    expect(Object.keys(table)).toEqual([...REDUCERS]);
  });

  it.each(REDUCERS.flatMap((r) => table[r].map((row) => [r, ...row] as const)))(
    "%s of %s → correct %d, answer %s, tie %s",
    (reducer, answers, correct, answer, tie) => {
      expect(reduce(s(answers), reducer)).toEqual({ correct, answer, tie });
    },
  );

  it("the same samples in any order reduce alike (every reducer, every 4-sample case over A, B, unparseable)", () => {
    for (const r of REDUCERS) {
      for (const x of ["AAB-", "ABB-", "AB--", "AAAB"]) {
        const rev = [...x].reverse().join("");
        const a = reduce(s(x), r);
        const b = reduce(s(rev), r);
        expect(b.correct).toBeCloseTo(a.correct, 12);
        expect(b.tie).toBe(a.tie);
        if (!a.tie) expect(b.answer).toBe(a.answer);
      }
    }
  });

  it("an empty case is refused with a message saying why", () => {
    for (const r of REDUCERS) expect(() => reduce([], r)).toThrow("reduce: a case needs at least one sample");
    expect(() => agreement([])).toThrow("agreement: a case needs at least one sample");
  });

  it("modal of no samples: no answer, count 0, no tie", () => {
    expect(modal([])).toEqual({ answer: null, count: 0, tie: false });
  });
});

/** Textbook Fleiss' κ: n_ij table (subjects × categories), P_i = (Σ_j n_ij² − n_i)/(n_i(n_i − 1)), p_j = Σ_i n_ij / N. */
function fleissReference(table: number[][]): number | null {
  const rows = table.filter((r) => r.reduce((a, b) => a + b, 0) >= 2);
  if (rows.length === 0) return null;
  const N = rows.reduce((a, r) => a + r.reduce((x, y) => x + y, 0), 0);
  let pBar = 0;
  for (const r of rows) {
    const ni = r.reduce((a, b) => a + b, 0);
    pBar += (r.reduce((a, x) => a + x * x, 0) - ni) / (ni * (ni - 1));
  }
  pBar /= rows.length;
  const cats = rows[0]!.length;
  let pe = 0;
  let used = 0;
  for (let j = 0; j < cats; j++) {
    const pj = rows.reduce((a, r) => a + r[j]!, 0) / N;
    pe += pj * pj;
    if (pj > 0) used++;
  }
  if (used < 2) return null;
  return (pBar - pe) / (1 - pe);
}

/** Samples of one case from its category counts; category 4 is "unparseable". */
function fromCounts(counts: number[]): EpochSample[] {
  return counts.flatMap((n, j) => Array.from({ length: n }, () => ({ answer: j === 4 ? null : "ABCD"[j]!, correct: j === 0 })));
}

describe("Fleiss' κ against the textbook formula", () => {
  it("agrees on seeded random tables with unequal sample counts, single-sample cases and unparseable answers", () => {
    const rng = seedrandom("fleiss");
    let defined = 0;
    for (let t = 0; t < scale(300, 60); t++) {
      const subjects = 1 + Math.floor(rng() * 8);
      const cats = 1 + Math.floor(rng() * 5); // 1..5 categories in play (the fifth is unparseable)
      const table = Array.from({ length: subjects }, () => {
        const row = [0, 0, 0, 0, 0];
        const ni = 1 + Math.floor(rng() * 6);
        for (let i = 0; i < ni; i++) row[Math.floor(rng() * cats)]!++;
        return row;
      });
      // Shuffle each case's samples: κ depends on the counts only.
      const cases = table.map((row) => fromCounts(row).sort(() => rng() - 0.5));
      const want = fleissReference(table);
      const got = fleissKappa(cases);
      if (want === null) expect(got, JSON.stringify(table)).toBeNull();
      else {
        defined++;
        expect(got, JSON.stringify(table)).toBeCloseTo(want, 12);
      }
    }
    expect(defined).toBeGreaterThan(scale(150, 30));
  });

  it.each([
    // Two raters, three subjects: P̄ = (1 + 0 + 1)/3; p = (3/6, 3/6) → P̄e = 1/2 → κ = 1/3.
    [[[2, 0], [1, 1], [0, 2]], 1 / 3],
    // Agreement at chance: P_i = 1, 1/3, 1/3 (n_i = 3) → P̄ = 5/9; p_A = 6/9, p_B = 3/9 → P̄e = 5/9 → κ = 0.
    [[[3, 0], [2, 1], [1, 2]], 0],
    // Below chance: P_i = 0, 0, 1 → P̄ = 1/3; p_A = 4/6, p_B = 2/6 → P̄e = 5/9 → κ = (3/9 − 5/9)/(4/9) = −1/2.
    [[[1, 1], [1, 1], [2, 0]], -1 / 2],
    // A case with one sample changes nothing; P̄ = (1 + 1/3)/2 = 2/3, p = (4/6, 2/6) → κ = 1/4.
    [[[3, 0], [1, 2], [0, 1]], 1 / 4],
  ])("hand-computed %j → %d", (table, want) => {
    expect(fleissKappa(table.map(fromCounts))).toBeCloseTo(want, 12);
    expect(fleissReference(table)).toBeCloseTo(want, 12);
  });

  it("one category over all used cases is undefined, even when a left-out single sample differs", () => {
    expect(fleissKappa([s("BB"), s("BBB"), s("A")])).toBeNull();
    expect(fleissKappa([s("--"), s("---")])).toBeNull();
  });
});

/** Type-7 percentile of an ascending array (R/numpy default). */
function type7(sorted: number[], q: number): number {
  const h = (sorted.length - 1) * q;
  const i = Math.floor(h);
  const j = Math.min(i + 1, sorted.length - 1);
  return sorted[i]! + (h - i) * (sorted[j]! - sorted[i]!);
}

/** Naive cluster bootstrap: draw whole cases with replacement, accuracy over the drawn samples, percentile CI. */
function clusterReference(cases: Array<{ correct: number; samples: number }>, seed: string, iterations: number, level: number) {
  const rng = seedrandom(seed);
  const stats: number[] = [];
  for (let it = 0; it < iterations; it++) {
    const drawn = Array.from({ length: cases.length }, () => cases[Math.floor(rng() * cases.length)]!);
    const right = drawn.reduce((a, c) => a + c.correct, 0);
    const all = drawn.reduce((a, c) => a + c.samples, 0);
    if (all > 0) stats.push(right / all); // a resample of zero-sample cases has no accuracy
  }
  stats.sort((a, b) => a - b);
  const alpha = (1 - level) / 2;
  return { lo: type7(stats, alpha), hi: type7(stats, 1 - alpha), draws: stats.length };
}

describe("case-clustered bootstrap against a naive reference", () => {
  const cases = [
    { correct: 5, samples: 5 },
    { correct: 0, samples: 5 },
    { correct: 3, samples: 4 },
    { correct: 1, samples: 3 },
    { correct: 2, samples: 2 },
    { correct: 0, samples: 1 },
    { correct: 4, samples: 6 },
  ];

  it.each([
    ["s1", 1, 0.95],
    ["s2", 2, 0.95],
    ["s3", 7, 0.5],
    ["seed", 40, 0.8],
    ["nightly:epochs:mean", 300, 0.95],
    ["x", 301, 0.99],
  ] as const)("seed %s, %i iterations, level %d", (seed, iterations, level) => {
    const got = clusteredAccuracy(cases, { seed, iterations, level });
    const want = clusterReference(cases, seed, iterations, level);
    expect(got.lo).toBeCloseTo(want.lo, 14);
    expect(got.hi).toBeCloseTo(want.hi, 14);
    expect(got.p).toBeCloseTo(15 / 26, 14);
    expect([got.k, got.n, got.clusters]).toEqual([15, 26, 7]);
  });

  it("one iteration is one resample: lo = hi = that resample's accuracy", () => {
    const got = clusteredAccuracy(cases, { seed: "one", iterations: 1 });
    expect(got.lo).toBe(got.hi);
    expect(got.lo).toBeCloseTo(clusterReference(cases, "one", 1, 0.95).lo, 14);
  });

  it("defaults to 2,000 iterations at the 95% level", () => {
    const got = clusteredAccuracy(cases, { seed: "d" });
    const want = clusterReference(cases, "d", 2000, 0.95);
    expect(got.lo).toBeCloseTo(want.lo, 14);
    expect(got.hi).toBeCloseTo(want.hi, 14);
    expect(got).toEqual(clusteredAccuracy(cases, { seed: "d", iterations: 2000, level: 0.95 }));
  });

  it("cases with no samples are drawn but resamples of only such cases are skipped", () => {
    const sparse = [{ correct: 1, samples: 3 }, { correct: 0, samples: 0 }, { correct: 2, samples: 2 }, { correct: 0, samples: 0 }];
    for (const seed of ["z1", "z2", "z3"]) {
      const want = clusterReference(sparse, seed, 200, 0.9);
      expect(want.draws).toBeLessThan(200); // the seed does draw empty resamples
      const got = clusteredAccuracy(sparse, { seed, iterations: 200, level: 0.9 });
      expect(got.lo).toBeCloseTo(want.lo, 14);
      expect(got.hi).toBeCloseTo(want.hi, 14);
      expect(got.p).toBeCloseTo(3 / 5, 14);
    }
  });

  it("only empty cases: no accuracy and no interval; the naive interval is empty too", () => {
    expect(clusteredAccuracy([{ correct: 0, samples: 0 }, { correct: 0, samples: 0 }], { seed: "e" })).toEqual({
      p: null,
      k: 0,
      n: 0,
      clusters: 2,
      lo: null,
      hi: null,
      naive: { k: 0, n: 0, p: null, lo: null, hi: null },
    });
  });

  it.each([
    [{ correct: 3, samples: 2 }],
    [{ correct: -1, samples: 2 }],
    [{ correct: 0.5, samples: 2 }],
    [{ correct: 1, samples: 2.5 }],
    [{ correct: 0, samples: -1 }],
  ])("refuses %j and names the counts", (bad) => {
    const msg = `clusteredAccuracy: need integers 0 <= correct <= samples, got ${bad.correct}/${bad.samples}`;
    expect(() => clusteredAccuracy([{ correct: 1, samples: 1 }, bad], { seed: "r" })).toThrow(msg);
  });

  it("accepts the boundary counts 0/k and k/k", () => {
    const r = clusteredAccuracy([{ correct: 0, samples: 3 }, { correct: 4, samples: 4 }], { seed: "b", iterations: 50 });
    expect([r.k, r.n]).toEqual([4, 7]);
  });
});
