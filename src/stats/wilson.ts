// Wilson score interval for a binomial proportion: honest at small n and at 0/n or n/n,
// where the normal (Wald) interval collapses to zero width.

/** z for a two-sided 95% interval (the 0.975 standard-normal quantile). */
export const Z95 = 1.959963984540054;

export interface Proportion {
  k: number;
  n: number;
  /** k / n, or null when n = 0 (no data is not 0%). */
  p: number | null;
  lo: number | null;
  hi: number | null;
}

export function wilson(k: number, n: number, z: number = Z95): Proportion {
  if (!Number.isInteger(k) || !Number.isInteger(n) || k < 0 || k > n) {
    throw new RangeError(`wilson: need integers 0 <= k <= n, got k=${k} n=${n}`);
  }
  if (n === 0) return { k, n, p: null, lo: null, hi: null };
  const p = k / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denom;
  // Clamp away floating-point dust at the boundaries (k = 0 gives lo = 0 exactly in theory).
  return { k, n, p, lo: k === 0 ? 0 : Math.max(0, centre - half), hi: k === n ? 1 : Math.min(1, centre + half) };
}
