// The CI regression gate: fail only on what is both significant and large enough to matter.
// With 50 cases a 4-point swing is noise; requiring p < alpha AND a drop of at least minDrop points
// keeps the nightly job from crying wolf while still catching real regressions.

import type { DiffResult } from "./types.js";

export interface GateOptions {
  /** Without it the gate only reports (exit 0); with it, any reason gives exit 1. */
  failOnRegression: boolean;
  alpha?: number;
  /** Minimum accuracy drop, in percentage points, that counts as a regression. */
  minDrop?: number;
  /** Fail when the case-latency p95 rose by more than this many percent (unset: latency is not gated). */
  maxLatencyRegressionPct?: number;
}

export interface GateResult {
  exitCode: 0 | 1;
  reasons: string[];
}

export function gate(result: DiffResult, opts: GateOptions): GateResult {
  const alpha = opts.alpha ?? 0.05;
  const minDrop = opts.minDrop ?? 2;
  const reasons: string[] = [];
  for (const arm of result.arms) {
    if (arm.delta_pts !== null && arm.p < alpha && arm.delta_pts <= -minDrop) {
      reasons.push(
        `${arm.label}: accuracy fell ${(-arm.delta_pts).toFixed(1)} pts (${fmtPct(arm.base.p)} → ${fmtPct(arm.cand.p)}), ${arm.test} p = ${arm.p.toPrecision(3)} < ${alpha}`,
      );
    }
    if (opts.maxLatencyRegressionPct !== undefined) {
      const row = arm.latency.find((r) => r.step === "case");
      if (row?.ratio_p95 != null) {
        const risePct = (row.ratio_p95 - 1) * 100;
        if (risePct > opts.maxLatencyRegressionPct) {
          reasons.push(`${arm.label}: p95 case latency rose ${risePct.toFixed(0)}% (${Math.round(row.base_p95!)} → ${Math.round(row.cand_p95!)} ms), limit ${opts.maxLatencyRegressionPct}%`);
        }
      }
    }
  }
  return { exitCode: opts.failOnRegression && reasons.length > 0 ? 1 : 0, reasons };
}

const fmtPct = (p: number | null): string => (p === null ? "n/a" : `${(p * 100).toFixed(1)}%`);
