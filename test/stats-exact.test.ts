// Exact paired statistics: McNemar in log space against independent BigInt references, the Clopper–Pearson
// interval against published values and its own defining tail equations, and the CI/test agreement on a grid.
import { describe, expect, it } from "vitest";
import {
  clopperPearson,
  formatP,
  mcnemarExact,
  mcnemarExactLog,
  mcnemarExactLog10,
  normalQuantile,
  normalTwoSidedLog10P,
  pairedExactCI,
  twoProportionZ,
} from "../src/stats/paired.js";
import { scale } from "./helpers/mutation.js";

const REF_LOG10P: Array<[number, number]> = [
  [1.96, -1.30106656222387],
  [5, -6.241615676726673],
  [29.9, -195.7060204415794],
  [30.5, -203.58404628287252],
  [40, -349.1359764636819],
  [100, -2173.5705128733703],
];

/** Independent reference: log10 of 2·Σ_{j ≤ min(b,c)} C(n, j) / 2^n from an exact BigInt sum, capped at 0. */
function log10McnemarBigInt(b: number, c: number): number {
  const n = b + c;
  const m = Math.min(b, c);
  let term = 1n;
  let sum = 1n;
  for (let k = 0; k < m; k++) {
    term = (term * BigInt(n - k)) / BigInt(k + 1);
    sum += term;
  }
  const digits = sum.toString();
  const lead = Math.min(17, digits.length);
  const log10Sum = Math.log10(Number(digits.slice(0, lead))) + (digits.length - lead);
  return Math.min(0, Math.log10(2) + log10Sum - n * Math.log10(2));
}

/** Independent reference for a binomial tail P(X ≥ k | n, θ) by a plain double sum (fine for small n). */
function upperTail(k: number, n: number, theta: number): number {
  let sum = 0;
  for (let j = k; j <= n; j++) {
    let comb = 1;
    for (let i = 0; i < j; i++) comb = (comb * (n - i)) / (i + 1);
    sum += comb * theta ** j * (1 - theta) ** (n - j);
  }
  return sum;
}

describe("mcnemarExactLog", () => {
  it("log10 p for (b=0, c=1273) is the reference ≈ −382.9, where the plain p underflows", () => {
    const ref = log10McnemarBigInt(0, 1273);
    expect(ref).toBeCloseTo(-1272 * Math.log10(2), 10);
    expect(ref).toBeCloseTo(-382.9, 1);
    expect(mcnemarExactLog10(0, 1273)).toBeCloseTo(ref, 9);
    expect(mcnemarExactLog10(1273, 0)).toBeCloseTo(ref, 9);
    expect(mcnemarExact(0, 1273)).toBe(0); // why the log is carried
    expect(formatP(mcnemarExactLog10(0, 1273))).toBe("p < 1e-300");
  });

  it.each([
    [10, 2], [0, 20], [3, 8], [150, 190], [10, 1263], [100, 1173], [400, 873], [600, 673], [1900, 2100], [2, 3000],
  ])("b=%i c=%i equals an exact BigInt sum in log10", (b, c) => {
    expect(mcnemarExactLog10(b, c)).toBeCloseTo(log10McnemarBigInt(b, c), 8);
  });

  it("is 0 (p = 1) with no discordant pair or a balanced split, and never positive", () => {
    expect(mcnemarExactLog(0, 0)).toBe(0);
    expect(mcnemarExactLog(5, 5)).toBe(0);
    expect(mcnemarExactLog(0, 1)).toBe(0);
    expect(mcnemarExactLog(7, 8)).toBe(0);
  });

  it("rejects negative or fractional counts", () => {
    expect(() => mcnemarExactLog(-1, 2)).toThrow(/non-negative integers, got b=-1 c=2/);
    expect(() => mcnemarExactLog(2, 0.5)).toThrow(RangeError);
  });
});

describe("formatP", () => {
  it.each([
    [0, "p = 1.000"],
    [Math.log10(0.0386), "p = 0.039"],
    [Math.log10(0.001), "p = 0.001"],
    [Math.log10(0.00099), "p = 9.9e-4"],
    [-299.5, "p = 3.2e-300"],
    [-300, "p = 1.0e-300"],
    [-300.0001, "p < 1e-300"],
    [-382.9, "p < 1e-300"],
  ])("log10 p = %d → %s", (l, want) => {
    expect(formatP(l)).toBe(want);
  });
});

describe("clopperPearson", () => {
  // References: scipy.stats.binomtest(k, n).proportion_ci() (method "exact" = Clopper–Pearson), 95%.
  it.each([
    [0, 10, 0, 0.30849710781876294],
    [5, 10, 0.1870860284474045, 0.8129139715525955],
    [1, 20, 0.0012650894979560339, 0.24873276277202772],
    [10, 10, 0.6915028921812371, 1],
    [3, 50, 0.01254858783533406, 0.1654819466037729],
  ])("%i/%i → [%d, %d]", (k, n, lo, hi) => {
    const ci = clopperPearson(k, n);
    expect(ci.lo).toBeCloseTo(lo, 9);
    expect(ci.hi).toBeCloseTo(hi, 9);
  });

  it("its bounds solve the defining tail equations P(X ≥ k | lo) = P(X ≤ k | hi) = α/2", () => {
    for (const [k, n, level] of [[3, 12, 0.95], [7, 9, 0.9], [1, 30, 0.99], [15, 40, 0.95]] as const) {
      const { lo, hi } = clopperPearson(k, n, level);
      const half = (1 - level) / 2;
      expect(upperTail(k, n, lo)).toBeCloseTo(half, 9);
      expect(1 - upperTail(k + 1, n, hi)).toBeCloseTo(half, 9);
    }
  });

  it("rejects impossible counts", () => {
    expect(() => clopperPearson(3, 2)).toThrow(RangeError);
    expect(() => clopperPearson(0, 0)).toThrow(/n >= 1/);
  });
});

describe("pairedExactCI", () => {
  it("scales the discordant-proportion interval by (b+c)/n around Δ = (c − b)/n", () => {
    const ci = pairedExactCI(2, 10, 50);
    const cp = clopperPearson(10, 12);
    expect(ci.delta).toBeCloseTo(8 / 50, 15);
    expect(ci.lo).toBeCloseTo((12 / 50) * (2 * cp.lo - 1), 15);
    expect(ci.hi).toBeCloseTo((12 / 50) * (2 * cp.hi - 1), 15);
  });

  it("is [0, 0] without discordant pairs, and not the bootstrap's degenerate [−100, −100] for five [1,0] pairs", () => {
    expect(pairedExactCI(0, 0, 40)).toEqual({ delta: 0, lo: 0, hi: 0 });
    const five = pairedExactCI(5, 0, 5);
    expect(five.delta).toBe(-1);
    expect(five.lo).toBe(-1);
    // McNemar p = 0.0625 ≥ 0.05, so the interval reaches past 0: 2·(1 − 0.025^(1/5)) − 1.
    expect(mcnemarExact(5, 0)).toBeCloseTo(0.0625, 12);
    expect(five.hi).toBeCloseTo(2 * (1 - 0.025 ** (1 / 5)) - 1, 9);
    expect(five.hi).toBeGreaterThan(0);
  });

  it("excludes 0 exactly when McNemar's p < α, on a grid of (b, c, n) and levels", () => {
    const MAX = scale(24, 9); // a mutation run (instrumented, once per mutant) checks the corner b, c ≤ 9
    let checked = 0;
    let significant = 0;
    for (const level of [0.95, 0.99, 0.9]) {
      const alpha = 1 - level;
      for (let b = 0; b <= MAX; b++) {
        for (let c = 0; c <= MAX; c++) {
          for (const extra of [0, 7, 100]) {
            const n = b + c + extra;
            if (n === 0) continue;
            const p = mcnemarExact(b, c);
            if (Math.abs(p - alpha) < 1e-9) continue; // a tie at the boundary is decided by rounding
            const ci = pairedExactCI(b, c, n, level);
            const excludes = ci.lo > 0 || ci.hi < 0;
            expect(excludes, `b=${b} c=${c} n=${n} level=${level} p=${p} ci=[${ci.lo}, ${ci.hi}]`).toBe(p < alpha);
            expect(ci.lo).toBeLessThanOrEqual(ci.delta);
            expect(ci.hi).toBeGreaterThanOrEqual(ci.delta);
            checked++;
            if (excludes) significant++;
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(scale(5000, 700));
    expect(significant).toBeGreaterThan(scale(1000, 100)); // the grid exercises both verdicts
  });

  it("agrees at large counts too, where p is tiny", () => {
    for (const [b, c, n] of [[0, 1273, 1273], [90, 70, 1273], [60, 100, 1273], [500, 560, 1273]] as const) {
      const ci = pairedExactCI(b, c, n);
      expect(ci.lo > 0 || ci.hi < 0).toBe(mcnemarExactLog(b, c) < Math.log(0.05));
    }
  });

  it("rejects n smaller than the discordant count", () => {
    expect(() => pairedExactCI(3, 3, 5)).toThrow(/n >= b \+ c/);
  });
});

describe("normal helpers (unpaired comparisons)", () => {
  // References: scipy.stats.norm.ppf and (norm.logsf(z) + ln 2) / ln 10.
  it.each([
    [0.975, 1.959963984540054],
    [0.995, 2.5758293035489004],
    [0.01, -2.3263478740408408],
    [0.001, -3.090232306167813],
    [0.95, 1.6448536269514722],
    [0.5, 0],
  ])("normalQuantile(%d) = %d", (p, z) => {
    expect(normalQuantile(p)).toBeCloseTo(z, 8);
  });
  it("normalQuantile rejects 0, 1 and NaN", () => {
    for (const p of [0, 1, Number.NaN]) expect(() => normalQuantile(p)).toThrow(RangeError);
  });
  it.each(REF_LOG10P)("log10 two-sided p at z=%d", (z, ref) => {
    expect(normalTwoSidedLog10P(z)).toBeCloseTo(ref, z > 10 ? 2 : 5);
    expect(normalTwoSidedLog10P(-z)).toBeCloseTo(ref, z > 10 ? 2 : 5);
  });
  it("twoProportionZ at another level uses that level's z", () => {
    const r95 = twoProportionZ(40, 50, 30, 50);
    const r99 = twoProportionZ(40, 50, 30, 50, 0.99);
    expect(r99.p).toBe(r95.p);
    expect(r99.lo).toBeLessThan(r95.lo);
    expect(r99.hi).toBeGreaterThan(r95.hi);
    expect(twoProportionZ(40, 50, 30, 50, 0.95)).toEqual(r95);
  });
});
