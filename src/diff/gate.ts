// The CI regression gate: fail only on what is both significant and large enough to matter.
// With 50 cases a 4-point swing is noise; requiring p < alpha AND a drop of at least minDrop points
// keeps the nightly job from crying wolf while still catching real regressions. Errored pairs are not in the
// accuracy test at all (an endpoint's bad night is not a regression); --max-error-rate-increase gates them apart.

import { formatP } from "../stats/paired.js";
import type { DiffResult } from "./types.js";

export interface GateOptions {
  /** Without it the gate only reports (exit 0); with it, any reason gives exit 1. */
  failOnRegression: boolean;
  alpha?: number;
  /** Minimum accuracy drop, in percentage points, that counts as a regression. */
  minDrop?: number;
  /** Fail when the case-latency p95 rose by more than this many percent (unset: latency is not gated). */
  maxLatencyRegressionPct?: number;
  /**
   * Fail when the candidate's share of errored cases exceeds the base's by more than this many points (unset: not
   * gated). Errored pairs never enter the accuracy test, so this is the only way endpoint failures gate a diff.
   */
  maxErrorRateIncreasePts?: number;
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
    // Compared in log space: p itself underflows to 0 for large discordant counts.
    if (arm.delta_pts !== null && arm.log10_p < Math.log10(alpha) && arm.delta_pts <= -minDrop) {
      reasons.push(
        `${arm.label}: accuracy fell ${(-arm.delta_pts).toFixed(1)} pts (${fmtPct(arm.base.p)} → ${fmtPct(arm.cand.p)}), ${arm.test} ${formatP(arm.log10_p)} < ${alpha}`,
      );
    }
    const er = arm.error_rate;
    if (opts.maxErrorRateIncreasePts !== undefined && er.delta_pts !== null && er.delta_pts > opts.maxErrorRateIncreasePts) {
      reasons.push(
        `${arm.label}: error rate rose ${er.delta_pts.toFixed(1)} pts (${fmtPct(er.base)} → ${fmtPct(er.cand)}), limit ${opts.maxErrorRateIncreasePts} pts`,
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
