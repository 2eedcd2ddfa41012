import { describe, expect, it } from "vitest";
import { wilson, Z95 } from "../src/stats/wilson.js";

describe("wilson", () => {
  // Newcombe (1998), "Two-sided confidence intervals for the single proportion", Table I, method 3 (score
  // interval without continuity correction), to the 4 decimals published.
  it.each([
    [81, 263, 0.2553, 0.3662],
    [15, 148, 0.0624, 0.1605],
    [0, 20, 0, 0.1611],
    [1, 29, 0.0061, 0.1718],
  ])("%i/%i → [%f, %f] (Newcombe 1998)", (k, n, lo, hi) => {
    const w = wilson(k, n);
    expect(w.k).toBe(k);
    expect(w.n).toBe(n);
    expect(w.p).toBe(k / n);
    expect(w.lo).toBeCloseTo(lo, 4);
    expect(w.hi).toBeCloseTo(hi, 4);
  });

  it("uses z = 1.95996… (two-sided 95%) by default; a larger z widens the interval around the same p", () => {
    expect(Z95).toBeCloseTo(1.959964, 6);
    expect(wilson(30, 50)).toEqual(wilson(30, 50, Z95));
    const w95 = wilson(30, 50);
    const w99 = wilson(30, 50, 2.5758293035489);
    expect(w99.p).toBe(w95.p);
    expect(w99.lo!).toBeLessThan(w95.lo!);
    expect(w99.hi!).toBeGreaterThan(w95.hi!);
  });

  it("has no proportion and no interval when n = 0 (no data is not 0%)", () => {
    expect(wilson(0, 0)).toEqual({ k: 0, n: 0, p: null, lo: null, hi: null });
  });

  // Floating-point dust makes centre − half land a few 1e-17 off 0 (and centre + half off 1) for many n: the
  // bounds must be exact, or "0 of n correct" would print a lower bound of 5.6e-17 and a CI that excludes 0.
  it("gives exactly 0 as the lower bound for k = 0 and exactly 1 as the upper bound for k = n, for every n", () => {
    for (let n = 1; n <= 300; n++) {
      expect(wilson(0, n).lo).toBe(0);
      expect(wilson(n, n).hi).toBe(1);
    }
  });

  it("is a valid interval around p, mirror-symmetric in k ↔ n − k, and narrows as n grows", () => {
    for (const n of [1, 2, 5, 13, 50, 263, 1273]) {
      for (let k = 0; k <= n; k += Math.max(1, Math.floor(n / 7))) {
        const w = wilson(k, n);
        const m = wilson(n - k, n);
        expect(w.lo!).toBeGreaterThanOrEqual(0);
        expect(w.hi!).toBeLessThanOrEqual(1);
        expect(w.lo!).toBeLessThanOrEqual(w.p!);
        expect(w.hi!).toBeGreaterThanOrEqual(w.p!);
        expect(w.lo!).toBeCloseTo(1 - m.hi!, 12);
        expect(w.hi!).toBeCloseTo(1 - m.lo!, 12);
        if (k > 0 && k < n) expect(w.hi! - w.lo!).toBeGreaterThan(wilson(4 * k, 4 * n).hi! - wilson(4 * k, 4 * n).lo!);
      }
    }
  });

  it("accepts the boundary counts 0 ≤ k ≤ n", () => {
    expect(() => wilson(0, 1)).not.toThrow();
    expect(() => wilson(1, 1)).not.toThrow();
    expect(() => wilson(0, 0)).not.toThrow();
  });

  it.each([
    [-1, 10],
    [1, -1],
    [11, 10],
    [1.5, 10],
    [1, 10.5],
    [Number.NaN, 10],
    [1, Number.POSITIVE_INFINITY],
  ])("rejects k=%d n=%d with a RangeError naming both", (k, n) => {
    expect(() => wilson(k, n)).toThrow(RangeError);
    expect(() => wilson(k, n)).toThrow(`got k=${k} n=${n}`);
  });
});
