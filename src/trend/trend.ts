// `run-validation trend`: a series of runs (nightlies, say) as one table over time. Every figure is the run's own
// report (summarize, from its journal) and every change marker is the diff's (diffRuns between consecutive runs,
// paired on their common cases): the trend adds ordering and nothing else, so it cannot disagree with either.
import { diffRuns } from "../diff/diff.js";
import type { ConfigChange } from "../diff/types.js";
import type { Journal } from "../journal/read.js";
import { summarize } from "../report/summary.js";
import type { ProportionJson, Stratum } from "../report/summary-schema.js";
import type { Arm } from "../types.js";

export interface TrendArmPoint {
  arm: Arm;
  n: number;
  accuracy: ProportionJson;
  answered: ProportionJson;
  errors: number;
  latency_p50_ms: number | null;
  latency_p95_ms: number | null;
  cost_per_case_usd: number | null;
  question_type: Stratum[];
}

export interface TrendPoint {
  run_id: string;
  dir: string;
  created_at: string;
  dataset: string;
  emulator: boolean;
  config_hash: string;
  arms: TrendArmPoint[];
}

/** What changed from the previous run, and whether accuracy moved significantly on the cases both ran. */
export interface TrendStep {
  from: string;
  to: string;
  /** Configuration fields that differ (harness commit/version left out: they change every build). */
  changes: ConfigChange[];
  arms: Array<{ arm: string; paired: number; delta_pts: number | null; log10_p: number; significant: boolean }>;
}

export interface Trend {
  alpha: number;
  points: TrendPoint[];
  /** steps[i] is points[i] → points[i + 1]. */
  steps: TrendStep[];
}

/** Fields that differ between any two builds and say nothing about the configuration. */
const NOISE = new Set(["harness.git_commit", "harness.version"]);

export function buildTrend(journals: readonly Journal[], opts: { alpha?: number; generatedAt?: string } = {}): Trend {
  const alpha = opts.alpha ?? 0.05;
  const ordered = [...journals].sort((a, b) => a.run.created_at.localeCompare(b.run.created_at) || a.run.run_id.localeCompare(b.run.run_id));
  const points = ordered.map((j) => point(j, opts.generatedAt));
  const steps: TrendStep[] = [];
  for (let i = 1; i < ordered.length; i++) {
    const d = diffRuns(ordered[i - 1]!, ordered[i]!, { alpha });
    steps.push({
      from: ordered[i - 1]!.run.run_id,
      to: ordered[i]!.run.run_id,
      changes: d.config.filter((c) => !NOISE.has(c.field)),
      arms: d.arms.map((a) => ({
        arm: a.label,
        paired: a.base.n,
        delta_pts: a.delta_pts,
        log10_p: a.log10_p,
        significant: a.paired && a.base.n > 0 && a.log10_p < Math.log10(alpha),
      })),
    });
  }
  return { alpha, points, steps };
}

function point(j: Journal, generatedAt: string | undefined): TrendPoint {
  const s = summarize(j, generatedAt ? { generatedAt } : {});
  return {
    run_id: j.run.run_id,
    dir: j.dir,
    created_at: j.run.created_at,
    dataset: j.run.dataset.name,
    emulator: s.emulator,
    config_hash: j.run.config_hash,
    arms: s.arms.map((a) => ({
      arm: a.arm,
      n: a.n,
      accuracy: a.accuracy.all,
      answered: a.accuracy.answered,
      errors: a.outcomes.error,
      latency_p50_ms: a.latency.case_ms.p50,
      latency_p95_ms: a.latency.case_ms.p95,
      cost_per_case_usd: a.cost.per_case_usd ?? (s.cost.per_case_usd as number | null),
      question_type: a.strata.question_type,
    })),
  };
}
