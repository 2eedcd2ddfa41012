// Cold-start gate. A scaled-to-zero Hugging Face endpoint answers 503 (or refuses connections) for
// 5–15 minutes while a replica starts. Rather than letting every in-flight call burn its retry budget
// on short backoffs (the old harness lost cases that way), the first such answer closes this gate:
// later calls wait at the gate instead of sending, and ONE prober polls the endpoint with growing
// delays until it serves again (gate opens, everybody proceeds) or the cold-start timeout passes
// (every waiter fails with ColdStartTimeoutError).
import { setTimeout as delay } from "node:timers/promises";

export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export const defaultSleep: Sleep = (ms, signal) => delay(ms, undefined, signal ? { signal } : undefined);

export class ColdStartTimeoutError extends Error {
  constructor(readonly waitedMs: number) {
    super(`endpoint did not become ready within ${Math.round(waitedMs / 1000)} s of cold-start waiting`);
    this.name = "ColdStartTimeoutError";
  }
}

export class GateClosedError extends Error {
  constructor() {
    super("client closed while waiting for the endpoint to start");
    this.name = "GateClosedError";
  }
}

export interface ColdStartGateOptions {
  /** Give up this long after the gate closed. */
  timeoutMs: number;
  /** One readiness check; resolves true once the endpoint serves a real request. Must not throw. */
  probe: (signal: AbortSignal) => Promise<boolean>;
  sleep?: Sleep;
  now?: () => number;
  /** Delay before the first probe, growing by `factor` up to `maxDelayMs` (5 s → 30 s by default). */
  firstDelayMs?: number;
  maxDelayMs?: number;
  factor?: number;
  onBegin?: (reason: string) => void;
  onEnd?: (ok: boolean, waitedMs: number) => void;
}

export class ColdStartGate {
  /** Settles when the current closed period ends; null while the gate is open. */
  private cycle: Promise<void> | null = null;
  private readonly stopper = new AbortController();
  private readonly sleep: Sleep;
  private readonly now: () => number;

  constructor(private readonly opts: ColdStartGateOptions) {
    this.sleep = opts.sleep ?? defaultSleep;
    this.now = opts.now ?? (() => performance.now());
  }

  /** Close the gate (no-op if already closed) and start the single prober. */
  trip(reason: string): Promise<void> {
    if (this.cycle) return this.cycle;
    let settle!: { resolve: () => void; reject: (e: unknown) => void };
    const cycle = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
    cycle.catch(() => {}); // waiters observe the rejection; an unobserved one must not crash the process
    this.cycle = cycle;
    // The state flips back to open before any waiter resumes, so a waiter that meets another 503
    // starts a fresh cycle instead of re-awaiting the settled one.
    this.probeUntilReady(reason).then(
      () => {
        this.cycle = null;
        settle.resolve();
      },
      (err: unknown) => {
        this.cycle = null;
        settle.reject(err);
      },
    );
    return cycle;
  }

  /** undefined when open (the hot path allocates nothing); else a promise for the gate to open. */
  wait(signal?: AbortSignal): Promise<void> | undefined {
    const cycle = this.cycle;
    if (!cycle) return undefined;
    if (!signal) return cycle;
    if (signal.aborted) return Promise.reject(signal.reason);
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => reject(signal.reason);
      signal.addEventListener("abort", onAbort, { once: true });
      cycle.then(
        () => {
          signal.removeEventListener("abort", onAbort);
          resolve();
        },
        (err: unknown) => {
          signal.removeEventListener("abort", onAbort);
          reject(err);
        },
      );
    });
  }

  /** Stop probing; current waiters fail with GateClosedError. */
  close(): void {
    this.stopper.abort(new GateClosedError());
  }

  private async probeUntilReady(reason: string): Promise<void> {
    const { timeoutMs, probe, onBegin, onEnd } = this.opts;
    const maxDelay = this.opts.maxDelayMs ?? 30_000;
    const factor = this.opts.factor ?? 1.5;
    const stop = this.stopper.signal;
    const start = this.now();
    let wait = this.opts.firstDelayMs ?? 5_000;
    onBegin?.(reason);
    try {
      for (;;) {
        if (stop.aborted) throw new GateClosedError();
        const remaining = timeoutMs - (this.now() - start);
        if (remaining <= 0) throw new ColdStartTimeoutError(this.now() - start);
        await this.sleep(Math.min(wait, remaining), stop);
        if (stop.aborted) throw new GateClosedError();
        if (await probe(stop).catch(() => false)) break;
        wait = Math.min(maxDelay, wait * factor);
      }
    } catch (err) {
      onEnd?.(false, this.now() - start);
      throw stop.aborted ? new GateClosedError() : err;
    }
    onEnd?.(true, this.now() - start);
  }
}
