// The work loop: (case, arm) units through p-limit with adaptive concurrency and start pacing, each
// finished unit appended to the journal before the next result is counted. Endpoint-agnostic: the arm
// runner is injected, so this loop is tested with fakes and used unchanged against TGI or the emulator.
import { setMaxListeners } from "node:events";
import pLimit from "p-limit";
import { splitStem } from "../pipeline/stem.js";
import type { ArmResult } from "../pipeline/types.js";
import { EndpointError } from "../endpoint/types.js";
import type { Arm, Case, CaseRecord } from "../types.js";
import { Pacer } from "./pacer.js";

export interface WorkUnit {
  c: Case;
  arm: Arm;
  /** --epochs K > 1: the repetition and the sampling seed it sends (absent for single-epoch runs). */
  epoch?: { index: number; seed: number };
}

export type ArmRunner = (c: Case, arm: Arm, signal: AbortSignal, epoch?: WorkUnit["epoch"]) => Promise<ArmResult>;

/** Classes after which continuing is pointless: the endpoint refuses us or never woke up. */
const FATAL = new Set(["auth", "cold_start_timeout", "paused"]);

export interface ExecuteOptions {
  units: WorkUnit[];
  runArm: ArmRunner;
  concurrency: number;
  delayMs: number;
  /** Called with each finished record, in finishing order; must persist it before resolving. */
  onRecord: (rec: CaseRecord) => Promise<void>;
  /** Live concurrency limit (adaptive); read before each unit starts. */
  currentLimit?: () => number;
  signal: AbortSignal;
  now?: () => number;
  /** Wall-clock limit per unit (already divided by the time scale); past it the unit is an `error` (case_timeout). */
  caseTimeoutMs?: number;
  /** For the case_timeout message: the limit as the user gave it. */
  caseTimeoutLabel?: string;
}

export interface ExecuteResult {
  finished: number;
  /** Units not run or abandoned (interrupt or fatal endpoint error): a resume re-runs them. */
  unfinished: number;
  fatal: EndpointError | null;
  /** The journal could not be written (ENOSPC, EROFS…): the run stopped at once; nothing after it was recorded. */
  journalError: Error | null;
}

export function toRecord(c: Case, arm: Arm, r: ArmResult, startedAt: Date, finishedAt: Date, epoch?: WorkUnit["epoch"]): CaseRecord {
  const rec: CaseRecord = {
    v: 1,
    case_id: c.id,
    ...(epoch ? { epoch: epoch.index, sample_seed: epoch.seed } : {}),
    content_hash: c.content_hash,
    arm,
    outcome: r.outcome,
    answer: r.answer,
    correct_answer: c.answer_idx,
    correct_text: c.answer,
    ...(c.meta_info !== undefined ? { meta_info: c.meta_info } : {}),
    ...(c.strata !== undefined ? { strata: c.strata } : {}),
    stem: splitStem(c.question).stem,
    latency_ms: r.latency_ms,
    wall_ms: finishedAt.getTime() - startedAt.getTime(),
    cold_ms: r.cold_ms,
    tokens: r.tokens,
    calls: r.calls,
    attempts: r.attempts,
    ...(r.finish_reason !== undefined ? { finish_reason: r.finish_reason } : {}),
    ...(r.status !== undefined ? { status: r.status } : {}),
    ...(r.tokens_estimated ? { tokens_estimated: true } : {}),
    ...(r.error_class ? { error_class: r.error_class } : {}),
    ...(r.error ? { error: r.error } : {}),
    ...(r.raw !== undefined ? { raw: r.raw } : {}),
    ...(r.steps ? { steps: r.steps } : {}),
    ...(r.failed_steps && r.failed_steps.length > 0 ? { failed_steps: r.failed_steps } : {}),
    ...(r.grade ? { grade: r.grade } : {}),
    options: c.options,
    ...(r.stream ? { stream: r.stream } : {}),
    ...(r.server ? { server: r.server } : {}),
    started_at: startedAt.toISOString(),
    finished_at: finishedAt.toISOString(),
  };
  return rec;
}

/** A unit that failed outside the arm's own error handling (a bug or an unexpected throw): recorded, not lost. */
function errorResult(err: unknown): ArmResult {
  const stats = err instanceof EndpointError ? err.stats : null;
  return {
    outcome: "error",
    answer: null,
    latency_ms: stats?.latency_ms ?? 0,
    cold_ms: stats?.cold_ms ?? 0,
    tokens: stats?.tokens ?? { prompt: 0, completion: 0 },
    calls: stats ? 1 : 0,
    attempts: stats?.attempts ?? 0,
    ...(err instanceof EndpointError && err.status !== undefined ? { status: err.status } : {}),
    error_class: err instanceof EndpointError ? err.errorClass : "unknown",
    error: err instanceof Error ? err.message : String(err),
  };
}

/** The record of a unit stopped by --case-timeout: what it had spent so far, as an error. */
export function caseTimeoutResult(partial: ArmResult | null, label: string): ArmResult {
  const base = partial ?? errorResult(new Error("case timeout"));
  return { ...base, outcome: "error", answer: null, error_class: "case_timeout", error: `the case ran past --case-timeout (${label})` };
}

export async function execute(opts: ExecuteOptions): Promise<ExecuteResult> {
  // Start at the live limit, not the ceiling: `--concurrency auto` begins low and raises it.
  const limit = pLimit(Math.max(1, Math.min(opts.concurrency, opts.currentLimit?.() ?? opts.concurrency)));
  const pacer = new Pacer(opts.delayMs);
  let finished = 0;
  let fatal: EndpointError | null = null;
  let journalError: Error | null = null;
  const stop = new AbortController();
  // One listener per unit in flight (plus the steps' own): keep Node's leak warning for real leaks only.
  setMaxListeners(Math.max(10, 4 * opts.concurrency + 10), stop.signal);
  const onAbort = () => stop.abort();
  opts.signal.addEventListener("abort", onAbort, { once: true });

  /** Runs one unit under its own signal: aborted by the run's stop, or by the case timeout. */
  const runWithTimeout = async (u: WorkUnit): Promise<{ result: ArmResult | null; thrown?: unknown; timedOut: boolean }> => {
    const caseAc = new AbortController();
    setMaxListeners(50, caseAc.signal);
    const onStop = () => caseAc.abort();
    stop.signal.addEventListener("abort", onStop, { once: true });
    let timedOut = false;
    const timer =
      opts.caseTimeoutMs !== undefined && Number.isFinite(opts.caseTimeoutMs)
        ? setTimeout(() => {
            timedOut = true;
            caseAc.abort();
          }, opts.caseTimeoutMs)
        : null;
    try {
      return { result: await opts.runArm(u.c, u.arm, caseAc.signal, u.epoch), timedOut };
    } catch (err) {
      return { result: null, thrown: err, timedOut };
    } finally {
      if (timer) clearTimeout(timer);
      stop.signal.removeEventListener("abort", onStop);
    }
  };

  const runUnit = async (u: WorkUnit): Promise<void> => {
    if (stop.signal.aborted) return;
    if (opts.currentLimit) {
      const want = Math.max(1, Math.min(opts.concurrency, opts.currentLimit()));
      if (limit.concurrency !== want) limit.concurrency = want;
    }
    await pacer.wait();
    if (stop.signal.aborted) return;
    const startedAt = new Date();
    const ran = await runWithTimeout(u);
    let result: ArmResult;
    if (stop.signal.aborted) {
      // Interrupt, fatal endpoint error or journal failure: an unfinished unit is not journaled (resume re-runs it).
      if (ran.result === null || ran.result.error_class === "cancelled" || ran.timedOut) return;
      result = ran.result;
    } else if (ran.timedOut) {
      result = caseTimeoutResult(ran.result, opts.caseTimeoutLabel ?? `${opts.caseTimeoutMs} ms`);
    } else if (ran.result === null) {
      const err = ran.thrown;
      if (err instanceof EndpointError && FATAL.has(err.errorClass)) {
        fatal ??= err;
        stop.abort();
        return;
      }
      result = errorResult(err);
    } else result = ran.result;
    if (journalError) return;
    try {
      await opts.onRecord(toRecord(u.c, u.arm, result, startedAt, new Date(), u.epoch));
    } catch (err) {
      // Fatal at once: start nothing more, abort what is in flight, keep what is journaled.
      journalError ??= err instanceof Error ? err : new Error(String(err));
      stop.abort();
      return;
    }
    finished++;
  };

  try {
    await Promise.all(opts.units.map((u) => limit(() => runUnit(u))));
  } finally {
    opts.signal.removeEventListener("abort", onAbort);
    limit.clearQueue();
  }
  return { finished, unfinished: opts.units.length - finished, fatal, journalError };
}
