// Live progress of a run. On a TTY: one line redrawn in place (\r + erase-to-end) on every event. Elsewhere
// (CI logs): plain lines, at most one per interval (events in between only update the state), plus the final
// line on stop(). No timers: lines are written only in response to events, so tests drive it with a fake clock.
import type { Arm, CaseRecord } from "../types.js";

export type ColdState = "warm" | "cold" | "probing";

export interface ProgressOptions {
  total: number;
  stream: NodeJS.WriteStream | NodeJS.WritableStream;
  isTTY: boolean;
  /** Minimum ms between two non-TTY lines (default 10 s). */
  intervalMs?: number;
  now?: () => number;
}

export interface Progress {
  caseDone(rec: CaseRecord): void;
  retry(): void;
  coldState(state: ColdState): void;
  concurrency(n: number): void;
  stop(): void;
}

export function createProgress(opts: ProgressOptions): Progress {
  const now = opts.now ?? Date.now;
  const interval = opts.intervalMs ?? 10_000;
  const t0 = now();
  const latencies: number[] = []; // kept sorted (binary insertion) so the median is O(1) to read
  const perArm = new Map<Arm, { done: number; correct: number }>();
  let done = 0;
  let retries = 0;
  let cold: ColdState = "warm";
  let limit: number | null = null;
  let lastLine = -Infinity;
  let stopped = false;

  const line = (): string => {
    const elapsed = now() - t0;
    const width = String(opts.total).length;
    const share = opts.total > 0 ? `${((100 * done) / opts.total).toFixed(1).padStart(5)}%` : "";
    const acc = [...perArm.entries()]
      .map(([arm, a]) => `${perArm.size > 1 ? `${arm} ` : "acc "}${a.done ? ((100 * a.correct) / a.done).toFixed(1) : "—"}% (${a.correct}/${a.done})`)
      .join(" · ");
    const p50 = median(latencies);
    const remaining = Math.max(0, opts.total - done);
    const eta = done > 0 && remaining > 0 ? duration((elapsed / done) * remaining) : remaining === 0 ? "done" : "—";
    return [
      `[${String(done).padStart(width)}/${opts.total} ${share}]`,
      acc || "acc —",
      `p50 ${p50 === null ? "—" : `${(p50 / 1000).toFixed(1)} s`}`,
      `elapsed ${duration(elapsed)}`,
      `ETA ${eta}`,
      `retries ${retries}`,
      ...(limit !== null ? [`conc ${limit}`] : []),
      ...(cold !== "warm" ? [`endpoint ${cold}`] : []),
    ].join(" · ");
  };

  const emit = (final: boolean): void => {
    if (stopped) return;
    if (opts.isTTY) {
      opts.stream.write(`\r${line()}\x1b[K${final ? "\n" : ""}`);
      return;
    }
    const t = now();
    if (final || t - lastLine >= interval) {
      opts.stream.write(`${line()}\n`);
      lastLine = t;
    }
  };

  return {
    caseDone(rec) {
      done++;
      const a = perArm.get(rec.arm) ?? { done: 0, correct: 0 };
      a.done++;
      if (rec.outcome === "correct") a.correct++;
      perArm.set(rec.arm, a);
      insertSorted(latencies, rec.latency_ms); // every case, as in summary.json
      emit(false);
    },
    retry() {
      retries++;
      emit(false);
    },
    coldState(state) {
      if (state === cold) return;
      cold = state;
      emit(false);
    },
    concurrency(n) {
      if (n === limit) return;
      limit = n;
      emit(false);
    },
    stop() {
      emit(true);
      stopped = true;
    },
  };
}

function insertSorted(xs: number[], v: number): void {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid]! <= v) lo = mid + 1;
    else hi = mid;
  }
  xs.splice(lo, 0, v);
}

function median(sorted: readonly number[]): number | null {
  const n = sorted.length;
  if (n === 0) return null;
  return n % 2 ? sorted[(n - 1) / 2]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
}

/** "35s", "14m 05s", "2h 03m". */
export function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, "0")}m`;
}
