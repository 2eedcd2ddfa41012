import { describe as suite, expect, it } from "vitest";
import { describe, quantileSorted } from "../src/stats/quantiles.js";

suite("quantileSorted (type 7)", () => {
  // References: numpy.quantile(x, q) (method="linear", the default) = R quantile(x, q, type = 7).
  it.each([
    [[1, 2, 3, 4], 0.5, 2.5],
    [[1, 2, 3, 4], 0.25, 1.75],
    [[1, 2, 3, 4], 0.75, 3.25],
    [[10, 20, 30], 0.9, 28],
    [[10, 20, 30], 0.1, 12],
    [[3, 7, 8, 9, 20], 0.95, 17.8],
    [[-5, -1, 0, 4], 0.5, -0.5],
    [[5], 0.5, 5],
    [[5], 0.99, 5],
    [[2, 2, 2], 0.37, 2],
  ])("%j at q=%f → %f", (sorted, q, want) => {
    expect(quantileSorted(sorted, q)).toBeCloseTo(want, 12);
  });

  it("is null for no values", () => {
    expect(quantileSorted([], 0.5)).toBeNull();
    expect(quantileSorted([], 0)).toBeNull();
  });

  it("gives the minimum at q ≤ 0 and the maximum at q ≥ 1 (out-of-range q clamps)", () => {
    const xs = [1, 4, 9, 16];
    expect(quantileSorted(xs, 0)).toBe(1);
    expect(quantileSorted(xs, -0.5)).toBe(1);
    expect(quantileSorted(xs, 1)).toBe(16);
    expect(quantileSorted(xs, 1.5)).toBe(16);
  });

  it("returns the ends exactly, even when they are infinite", () => {
    expect(quantileSorted([Number.NEGATIVE_INFINITY, 1, 2], 0)).toBe(Number.NEGATIVE_INFINITY);
    expect(quantileSorted([1, 2, Number.POSITIVE_INFINITY], 1)).toBe(Number.POSITIVE_INFINITY);
  });

  it("returns an order statistic exactly when (n − 1)·q is an integer", () => {
    const xs = [0.1, 0.7, 2.3, 5.9, 11.3];
    for (let i = 0; i < xs.length; i++) expect(quantileSorted(xs, i / (xs.length - 1))).toBe(xs[i]);
  });

  it("is monotone in q and stays within [min, max]", () => {
    const xs = [-3, -3, 0, 1, 1, 2, 8, 13, 13, 40];
    let prev = -Infinity;
    for (let q = 0; q <= 1.0000001; q += 0.01) {
      const v = quantileSorted(xs, q)!;
      expect(v).toBeGreaterThanOrEqual(prev);
      expect(v).toBeGreaterThanOrEqual(-3);
      expect(v).toBeLessThanOrEqual(40);
      prev = v;
    }
  });
});

suite("describe", () => {
  it("summarises unsorted values (mean, type-7 percentiles, min, max, sum) without changing the input", () => {
    const values = [30, 10, 50, 20, 40];
    const d = describe(values);
    expect(values).toEqual([30, 10, 50, 20, 40]);
    expect(d.n).toBe(5);
    expect(d.sum).toBe(150);
    expect(d.mean).toBe(30);
    expect(d.min).toBe(10);
    expect(d.max).toBe(50);
    expect(d.p50).toBe(30);
    expect(d.p90).toBeCloseTo(46, 12);
    expect(d.p95).toBeCloseTo(48, 12);
    expect(d.p99).toBeCloseTo(49.6, 12);
  });

  it("sorts numerically, not as strings", () => {
    const d = describe([9, 100, 25]);
    expect([d.min, d.p50, d.max]).toEqual([9, 25, 100]);
  });

  it("has null statistics and a zero sum for no values", () => {
    expect(describe([])).toEqual({ n: 0, mean: null, p50: null, p90: null, p95: null, p99: null, max: null, min: null, sum: 0 });
  });

  it("handles one value and negative values", () => {
    expect(describe([7])).toEqual({ n: 1, mean: 7, p50: 7, p90: 7, p95: 7, p99: 7, max: 7, min: 7, sum: 7 });
    const d = describe([-2, -8]);
    expect([d.min, d.max, d.sum, d.mean, d.p50]).toEqual([-8, -2, -10, -5, -5]);
  });
});
