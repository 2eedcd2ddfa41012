// Wall time of a run, from its journal. One definition, used by reports (cost, throughput) and by diff.
import type { CaseRecord } from "../types.js";
import type { RunEvent } from "./events.js";

export interface WallTime {
  ms: number;
  /** `events`: from run_start/run_end; `cases`: first case start → last case finish; `none`: nothing to go on. */
  source: "events" | "cases" | "none";
  /** run_start events seen (1 + resumes; more for merged shards). */
  sessions: number;
}

const ms = (iso: string): number => Date.parse(iso);

/**
 * The union of the sessions' intervals: a resumed run has sessions in sequence (the pause between them is not
 * counted); a run merged from parallel shards has overlapping ones (counted once). A session runs from
 * run_start to the next run_end; one without run_end (killed) ends at its last sign of life — the last case
 * finish or event after it started and before the next run_start. Without events: first case start to last
 * case finish.
 */
export function wallTime(events: readonly RunEvent[], cases: readonly CaseRecord[]): WallTime {
  const finishes = cases.map((c) => ms(c.finished_at)).filter(Number.isFinite).sort((a, b) => a - b);
  const stamps = [...finishes, ...events.map((e) => ms(e.t)).filter(Number.isFinite)].sort((a, b) => a - b);
  const lastStampIn = (t0: number, limit: number): number => {
    let v = t0;
    for (const f of stamps) {
      if (f >= limit) break;
      if (f >= t0) v = f;
    }
    return v;
  };
  const intervals: Array<[number, number]> = [];
  let sessions = 0;
  let open: number | null = null;
  for (const e of events) {
    const t = ms(e.t);
    if (!Number.isFinite(t)) continue;
    if (e.type === "run_start") {
      sessions++;
      if (open !== null) intervals.push([open, lastStampIn(open, t)]);
      open = t;
    } else if (e.type === "run_end" && open !== null) {
      intervals.push([open, Math.max(open, t)]);
      open = null;
    }
  }
  if (open !== null) intervals.push([open, lastStampIn(open, Infinity)]);
  if (intervals.length > 0) {
    intervals.sort((a, b) => a[0] - b[0]);
    let total = 0;
    let [lo, hi] = intervals[0]!;
    for (const [a, b] of intervals.slice(1)) {
      if (a > hi) {
        total += hi - lo;
        [lo, hi] = [a, b];
      } else hi = Math.max(hi, b);
    }
    total += hi - lo;
    return { ms: total, source: "events", sessions };
  }
  const starts = cases.map((c) => ms(c.started_at)).filter(Number.isFinite);
  if (starts.length === 0 || finishes.length === 0) return { ms: 0, source: "none", sessions: 0 };
  return { ms: Math.max(0, finishes[finishes.length - 1]! - Math.min(...starts)), source: "cases", sessions: 0 };
}
