import { describe, expect, it } from "vitest";
import { mcnemarExact, normalTwoSidedP, pairedBootstrapDelta, twoProportionZ } from "../src/stats/paired.js";

/** Independent reference: exact rational sum of binomial terms with BigInt. */
function mcnemarBigInt(b: number, c: number): number {
  const n = b + c;
  if (n === 0) return 1;
  const m = Math.min(b, c);
  let term = 1n; // C(n, 0)
  let sum = 1n;
  for (let k = 0; k < m; k++) {
    term = (term * BigInt(n - k)) / BigInt(k + 1);
    sum += term;
  }
  // 2·sum / 2^n, evaluated with enough precision via scaling before the division.
  const scale = 10n ** 30n;
  const q = (2n * sum * scale) / (1n << BigInt(n));
  return Math.min(1, Number(q) / 1e30);
}

describe("mcnemarExact", () => {
  // [b, c, reference] — references from scipy.stats.binomtest (two-sided, p = 0.5).
  const cases: Array<[number, number, number]> = [
    [10, 2, 0.03857421875],
    [0, 0, 1],
    [5, 5, 1],
    [0, 1, 1],
    [3, 8, 0.2265625],
    [0, 20, 1.9073486328125e-6],
    [25, 40, 0.08168153394154005],
    [60, 40, 0.05688793364098079],
    [480, 520, 0.21744829320414094],
    [1000, 1100, 0.030720707864242296],
    [1200, 1300, 0.047681865221043604],
  ];
  it.each(cases)("b=%i c=%i matches the published/scipy value", (b, c, ref) => {
    expect(mcnemarExact(b, c)).toBeCloseTo(ref, 10);
    expect(mcnemarExact(c, b)).toBeCloseTo(ref, 10); // symmetric
  });

  it("agrees with an exact BigInt sum for n up to 4000", () => {
    for (const [b, c] of [[7, 19], [150, 190], [1900, 2100], [0, 60], [333, 334]] as const) {
      const ref = mcnemarBigInt(b, c);
      expect(Math.abs(mcnemarExact(b, c) - ref)).toBeLessThan(1e-12 + 1e-9 * ref);
    }
  });

  it("the documented example rounds to 0.0386", () => {
    expect(mcnemarExact(10, 2).toFixed(4)).toBe("0.0386");
  });

  it("rejects negative or fractional counts", () => {
    expect(() => mcnemarExact(-1, 2)).toThrow(RangeError);
    expect(() => mcnemarExact(1.5, 2)).toThrow(RangeError);
  });
});

function makePairs(both: number, fixed: number, broken: number, neither: number): Array<[0 | 1, 0 | 1]> {
  const out: Array<[0 | 1, 0 | 1]> = [];
  for (let i = 0; i < both; i++) out.push([1, 1]);
  for (let i = 0; i < fixed; i++) out.push([0, 1]);
  for (let i = 0; i < broken; i++) out.push([1, 0]);
  for (let i = 0; i < neither; i++) out.push([0, 0]);
  return out;
}

describe("pairedBootstrapDelta", () => {
  const pairs = makePairs(30, 12, 4, 4);

  it("is reproducible for a seed and varies with the seed", () => {
    const a = pairedBootstrapDelta(pairs, { seed: 42 });
    const b = pairedBootstrapDelta(pairs, { seed: 42 });
    const c = pairedBootstrapDelta(pairs, { seed: 7 });
    expect(a).toEqual(b);
    expect([c.lo, c.hi]).not.toEqual([a.lo, a.hi]);
  });

  it("centres on the observed delta with a width close to the normal approximation", () => {
    const r = pairedBootstrapDelta(pairs, { seed: 1, iterations: 20_000 });
    const n = pairs.length;
    expect(r.delta).toBeCloseTo((12 - 4) / n, 12);
    expect(r.lo).toBeLessThan(r.delta);
    expect(r.hi).toBeGreaterThan(r.delta);
    // se of a paired difference: sqrt(((b+c)/n − d²)/n)
    const se = Math.sqrt(((12 + 4) / n - r.delta ** 2) / n);
    expect(r.hi - r.lo).toBeGreaterThan(2 * 1.96 * se * 0.85);
    expect(r.hi - r.lo).toBeLessThan(2 * 1.96 * se * 1.15);
  });

  it("has zero width when no pair is discordant", () => {
    expect(pairedBootstrapDelta(makePairs(10, 0, 0, 5), { seed: 3 })).toEqual({ delta: 0, lo: 0, hi: 0 });
  });

  it("defaults to 10,000 iterations at the 95% level", () => {
    expect(pairedBootstrapDelta(pairs, { seed: 5 })).toEqual(pairedBootstrapDelta(pairs, { seed: 5, iterations: 10_000, level: 0.95 }));
  });

  it("covers the observed delta on a full-size (1,273-pair) comparison", () => {
    // Speed is a benchmark concern, not a unit-test one; here only the result is checked.
    const big = makePairs(800, 90, 70, 313);
    const r = pairedBootstrapDelta(big, { seed: 42 });
    expect(r.delta).toBeCloseTo(20 / 1273, 12);
    expect(r.lo).toBeLessThan(r.delta);
    expect(r.hi).toBeGreaterThan(r.delta);
    expect(r.lo).toBeGreaterThan(-0.03); // se ≈ 0.0094: the 95% CI is about δ ± 0.018
    expect(r.hi).toBeLessThan(0.04);
  });
});

describe("twoProportionZ", () => {
  // p references: scipy chi2_contingency(correction=False), identical to the pooled two-sided z-test.
  const cases: Array<[number, number, number, number, number]> = [
    [40, 50, 30, 50, 0.029096331741252267],
    [48, 80, 56, 70, 0.008045081368196582],
    [20, 50, 28, 50, 0.10931457620866647],
    [700, 1273, 720, 1273, 0.42482470618108525],
  ];
  it.each(cases)("%i/%i vs %i/%i", (k1, n1, k2, n2, p) => {
    const r = twoProportionZ(k1, n1, k2, n2);
    expect(r.delta).toBeCloseTo(k2 / n2 - k1 / n1, 12);
    expect(r.p).toBeCloseTo(p, 6);
  });

  it("reproduces Newcombe (1998) method 10 interval for 56/70 vs 48/80", () => {
    const r = twoProportionZ(48, 80, 56, 70);
    expect(r.delta).toBeCloseTo(0.2, 12);
    expect(r.lo).toBeCloseTo(0.0524, 4);
    expect(r.hi).toBeCloseTo(0.3339, 4);
  });

  it("treats identical all-correct samples as no difference", () => {
    expect(twoProportionZ(10, 10, 20, 20)).toMatchObject({ delta: 0, p: 1 });
  });

  it("normalTwoSidedP matches the textbook 1.96 → 0.05", () => {
    expect(normalTwoSidedP(1.959963984540054)).toBeCloseTo(0.05, 6);
  });
});
