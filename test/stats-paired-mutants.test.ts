// Paired/unpaired statistics at their edges, against closed forms and independent formulas: Clopper–Pearson bounds
// where the binomial tail has a closed form (k = 0, 1, n − 1, n) up to n = 4,000, dyadic roots the bisection must
// hit exactly, the normal tail at the z = 30 switch to the asymptote, Newcombe's interval at levels other than
// 95% from a separately written Wilson formula, and every input check with its message. Published reference
// values are in stats-paired.test.ts and stats-exact.test.ts.
import { describe, expect, it } from "vitest";
import { clopperPearson, mcnemarExact, normalQuantile, normalTwoSidedLog10P, pairedExactCI, twoProportionZ } from "../src/stats/paired.js";

/** |got − want| within a relative tolerance (the bounds here span 1e-6 .. 1). */
function expectRel(got: number, want: number, rel: number): void {
  expect(Math.abs(got - want), `got ${got}, want ${want}`).toBeLessThanOrEqual(rel * Math.abs(want));
}

describe("clopperPearson: closed-form tails", () => {
  // P(X ≥ 1 | θ) = 1 − (1 − θ)^n  → lower bound for k = 1:   θ = 1 − (1 − α/2)^(1/n)
  // P(X ≥ n | θ) = θ^n            → lower bound for k = n:   θ = (α/2)^(1/n)
  // and by symmetry the upper bounds for k = n − 1 and k = 0 are 1 minus those.
  const grid = [1, 2, 7, 50, 1273, 4000].flatMap((n) => [0.95, 0.9, 0.99].map((level) => [n, level] as const));

  it.each(grid)("n=%i level=%d: k = 1 and k = n − 1", (n, level) => {
    const half = (1 - level) / 2;
    const lowOne = -Math.expm1(Math.log1p(-half) / n); // 1 − (1 − α/2)^(1/n) without cancellation
    expectRel(clopperPearson(1, n, level).lo, lowOne, 1e-10);
    // 1 − hi near 1 keeps only ~1e-16 absolute: 1e-9 relative at 1e-6.
    expectRel(1 - clopperPearson(n - 1, n, level).hi, lowOne, 1e-9);
  });

  it.each(grid)("n=%i level=%d: k = 0 and k = n", (n, level) => {
    const half = (1 - level) / 2;
    const atN = half ** (1 / n);
    expect(clopperPearson(0, n, level).lo).toBe(0);
    expect(clopperPearson(n, n, level).hi).toBe(1);
    expectRel(clopperPearson(n, n, level).lo, atN, 1e-12);
    expectRel(1 - clopperPearson(0, n, level).hi, atN, 1e-9);
  });

  it("lands exactly on a root that is a double: 1/1 at 50% → θ = 1/4, 2/2 at 87.5% → θ² = 1/16", () => {
    expect(clopperPearson(1, 1, 0.5)).toEqual({ lo: 0.25, hi: 1 });
    expect(clopperPearson(0, 1, 0.5)).toEqual({ lo: 0, hi: 0.75 });
    expect(clopperPearson(2, 2, 0.875)).toEqual({ lo: 0.25, hi: 1 });
    expect(clopperPearson(0, 2, 0.875)).toEqual({ lo: 0, hi: 0.75 });
  });

  it("is symmetric: the interval of n − k is the mirror image of that of k", () => {
    for (const [k, n] of [[3, 17], [1, 1273], [600, 1273], [0, 9]] as const) {
      const a = clopperPearson(k, n);
      const b = clopperPearson(n - k, n);
      expect(b.lo).toBeCloseTo(1 - a.hi, 14);
      expect(b.hi).toBeCloseTo(1 - a.lo, 14);
    }
  });

  it.each([
    [1.5, 3],
    [1, 2.5],
    [-1, 5],
    [0, 0],
    [3, 2],
    [Number.NaN, 4],
  ])("refuses k=%d n=%d, naming both", (k, n) => {
    expect(() => clopperPearson(k, n)).toThrow(`clopperPearson: need integers 0 <= k <= n, n >= 1, got k=${k} n=${n}`);
  });
});

describe("input checks name the function and the values", () => {
  it("mcnemarExact", () => {
    expect(() => mcnemarExact(-1, 2)).toThrow("mcnemarExact: need non-negative integers, got b=-1 c=2");
  });

  it("pairedExactCI: counts, and n below the discordant pairs or zero", () => {
    expect(() => pairedExactCI(1, -2, 5)).toThrow("pairedExactCI: need non-negative integers, got b=1 c=-2");
    expect(() => pairedExactCI(3, 3, 5)).toThrow("pairedExactCI: need n >= b + c and n >= 1, got n=5 (b=3, c=3)");
    expect(() => pairedExactCI(0, 0, 0)).toThrow("pairedExactCI: need n >= b + c and n >= 1, got n=0 (b=0, c=0)");
    expect(() => pairedExactCI(1, 1, 4.5)).toThrow("pairedExactCI: need n >= b + c and n >= 1, got n=4.5 (b=1, c=1)");
  });

  it("pairedExactCI accepts n = b + c (every pair discordant) and n = 1", () => {
    expect(pairedExactCI(0, 1, 1).delta).toBe(1);
    expect(pairedExactCI(2, 2, 4).delta).toBe(0);
  });

  it("normalQuantile", () => {
    expect(() => normalQuantile(1)).toThrow("normalQuantile: need 0 < p < 1, got 1");
    expect(() => normalQuantile(-0.5)).toThrow("normalQuantile: need 0 < p < 1, got -0.5");
  });
});

describe("normalTwoSidedLog10P at the switch to the asymptote", () => {
  /** log10 of 2·Q(z) from the asymptotic (Mills-ratio) series, 1 − 1/z² + 3/z⁴ − 15/z⁶ + …; at z ≥ 30 its error is < 1e-25. */
  function log10TwoSided(z: number): number {
    let series = 1;
    let term = 1;
    for (let k = 1; k < 12; k++) {
      term *= -(2 * k - 1) / (z * z);
      series += term;
    }
    return (Math.LN2 - (z * z) / 2 - Math.log(z) - 0.5 * Math.log(2 * Math.PI) + Math.log(series)) / Math.LN10;
  }

  it.each([30, -30, 25, 20])("z = %d is computed from erfc, accurate to 1e-6 in log10", (z) => {
    // The 2-term asymptote alone (used past |z| = 30) is off by log10(1 − 1/z²) ≈ −4.8e-4 at z = 30.
    expect(Math.abs(normalTwoSidedLog10P(z) - log10TwoSided(Math.abs(z)))).toBeLessThan(1e-6);
  });

  it.each([30.5, 40, 100])("z = %d uses the asymptote, within its stated 1/z² relative error", (z) => {
    const err = Math.abs(normalTwoSidedLog10P(z) - log10TwoSided(z));
    expect(err).toBeLessThan(Math.log10(1 + 1 / (z * z)) * 1.01);
    expect(err).toBeGreaterThan(0); // the reference is the better approximation
  });
});

/** Wilson score bounds, written as (2k + z² ± z·√(z² + 4k(n − k)/n)) / (2(n + z²)). */
function wilsonBounds(k: number, n: number, z: number): [number, number] {
  const root = z * Math.sqrt(z * z + (4 * k * (n - k)) / n);
  return [(2 * k + z * z - root) / (2 * (n + z * z)), (2 * k + z * z + root) / (2 * (n + z * z))];
}

/** Newcombe (1998) method 10: the difference p2 − p1 with bounds from the two Wilson intervals. */
function newcombe(k1: number, n1: number, k2: number, n2: number, z: number): [number, number] {
  const [l1, u1] = wilsonBounds(k1, n1, z);
  const [l2, u2] = wilsonBounds(k2, n2, z);
  const p1 = k1 / n1;
  const p2 = k2 / n2;
  const d = p2 - p1;
  return [d - Math.sqrt((p2 - l2) ** 2 + (u1 - p1) ** 2), d + Math.sqrt((u2 - p2) ** 2 + (p1 - l1) ** 2)];
}

describe("twoProportionZ: Newcombe's interval at any level", () => {
  // z of each level: scipy.stats.norm.ppf(1 − (1 − level)/2).
  const Z: Array<[number, number]> = [
    [0.9, 1.6448536269514722],
    [0.99, 2.5758293035489004],
    [0.8, 1.2815515655446004],
    [0.999, 3.2905267314919255],
  ];
  const samples: Array<[number, number, number, number]> = [
    [48, 80, 56, 70],
    [40, 50, 30, 50],
    [0, 20, 3, 25],
    [700, 1273, 720, 1273],
    [10, 10, 7, 12],
  ];

  it.each(Z.flatMap(([level, z]) => samples.map((s) => [level, ...s, z] as const)))(
    "level %d: %i/%i vs %i/%i",
    (level, k1, n1, k2, n2, z) => {
      const r = twoProportionZ(k1, n1, k2, n2, level);
      const [lo, hi] = newcombe(k1, n1, k2, n2, z);
      // normalQuantile's own error (< 1.2e-9 relative in z) bounds the agreement.
      expect(r.lo).toBeCloseTo(lo, 8);
      expect(r.hi).toBeCloseTo(hi, 8);
      expect(r.delta).toBeCloseTo(k2 / n2 - k1 / n1, 14);
    },
  );

  it.each(samples)("95%%: %i/%i vs %i/%i is built from the reported Wilson intervals (z = 1.959963984540054)", (k1, n1, k2, n2) => {
    const r = twoProportionZ(k1, n1, k2, n2);
    const [lo, hi] = newcombe(k1, n1, k2, n2, 1.959963984540054);
    expect(r.lo).toBeCloseTo(lo, 13);
    expect(r.hi).toBeCloseTo(hi, 13);
    expect(twoProportionZ(k1, n1, k2, n2, 0.95)).toEqual(r);
  });

  it("the level moves the interval only, never the test", () => {
    const base = twoProportionZ(48, 80, 56, 70);
    for (const [level] of Z) {
      const r = twoProportionZ(48, 80, 56, 70, level);
      expect(r.z).toBe(base.z);
      expect(r.p).toBe(base.p);
    }
  });
});
