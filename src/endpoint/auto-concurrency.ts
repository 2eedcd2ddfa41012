// `--concurrency auto`: find the endpoint's sweet spot instead of guessing it.
//
// Start low and measure, at each level, the steady throughput — generated tokens per second over a window of
// finished calls — and the mean call latency. Double the level while throughput still grows by at least `gain`
// and latency has not turned into queueing (latency rising almost as fast as the level: Little's law says the
// extra requests are only waiting). When a raise stops paying, settle on the better of the last two levels.
// Back off on 429s (halve, and never probe above the level that overloaded) and, once settled, on queue growth
// (a window whose latency is far above the settled one without more throughput: step down a quarter).
//
// Windows: after every change the first `limit` finished calls are skipped (they started under the old level),
// then at least max(minWindowCalls, 2 × limit) calls are measured. Time comes from an injected clock, so tests
// drive the controller in virtual time.

export type ChangeReason = "start" | "probe" | "settle" | "overload" | "queue_growth";

export interface ConcurrencyChange {
  /** Milliseconds since the controller was created. */
  t_ms: number;
  limit: number;
  reason: ChangeReason;
  /** Throughput (generated tokens/s) and mean latency (ms) of the window that led to the change. */
  tok_s?: number;
  latency_ms?: number;
}

export interface AutoConcurrencyOptions {
  /** Ceiling (default 64). */
  max?: number;
  /** First level (default 2). */
  initial?: number;
  /** Minimum relative throughput gain that justifies the next raise (default 0.05). */
  gain?: number;
  /** Minimum calls measured per window (default 8). */
  minWindowCalls?: number;
  /** Minimum time between two 429 back-offs (default 5 s): one overload burst yields many 429s. */
  cooldownMs?: number;
  now?: () => number;
  /** Called after every change (events.jsonl, progress line). */
  onChange?: (c: ConcurrencyChange) => void;
}

interface Window {
  skip: number;
  calls: number;
  tokens: number;
  latencySum: number;
  startedAt: number;
}

interface Measured {
  limit: number;
  tokS: number;
  latencyMs: number;
}

export class AutoConcurrency {
  readonly history: ConcurrencyChange[] = [];
  private current: number;
  private readonly max: number;
  private readonly gain: number;
  private readonly minWindowCalls: number;
  private readonly cooldownMs: number;
  private readonly now: () => number;
  private readonly t0: number;
  private readonly onChange: ((c: ConcurrencyChange) => void) | undefined;
  private window: Window;
  private previous: Measured | null = null;
  /** The level the controller settled on (null while probing). */
  private settledAt: Measured | null = null;
  /** Never probe at or above this level again (it overloaded the endpoint). */
  private ceiling: number;
  private lastOverload = Number.NEGATIVE_INFINITY;

  constructor(opts: AutoConcurrencyOptions = {}) {
    this.max = Math.max(1, Math.floor(opts.max ?? 64));
    this.ceiling = this.max + 1;
    this.gain = opts.gain ?? 0.05;
    this.minWindowCalls = opts.minWindowCalls ?? 8;
    this.cooldownMs = opts.cooldownMs ?? 5_000;
    this.now = opts.now ?? (() => performance.now());
    this.onChange = opts.onChange;
    this.t0 = this.now();
    this.current = Math.min(this.max, Math.max(1, Math.floor(opts.initial ?? 2)));
    this.window = this.freshWindow(0);
    this.record("start");
  }

  get limit(): number {
    return this.current;
  }

  /** Finished calls the current window will still skip (they started under the previous level). */
  get skipping(): number {
    return this.window.skip;
  }

  /** The settled level, or null while still probing. */
  get chosen(): number | null {
    return this.settledAt?.limit ?? null;
  }

  /** A call finished: `tokens` generated, `latencyMs` from send to last byte. */
  onSuccess(tokens: number, latencyMs: number): void {
    const w = this.window;
    if (w.skip > 0) {
      w.skip--;
      if (w.skip === 0) w.startedAt = this.now();
      return;
    }
    w.calls++;
    w.tokens += Math.max(0, tokens);
    w.latencySum += Math.max(0, latencyMs);
    if (w.calls < Math.max(this.minWindowCalls, 2 * this.current)) return;
    const elapsed = this.now() - w.startedAt;
    if (elapsed <= 0) return; // keep measuring: all in one clock tick
    this.decide({ limit: this.current, tokS: (w.tokens * 1000) / elapsed, latencyMs: w.latencySum / w.calls });
  }

  /** The endpoint answered 429: halve, and cap later probes below this level. */
  onOverload(): void {
    const t = this.now();
    if (t - this.lastOverload < this.cooldownMs) return;
    this.lastOverload = t;
    this.ceiling = Math.min(this.ceiling, this.current);
    const next = Math.max(1, Math.floor(this.current / 2));
    this.previous = null;
    this.settledAt = this.settledAt ? { ...this.settledAt, limit: next } : null;
    this.set(next, "overload");
  }

  private decide(m: Measured): void {
    if (this.settledAt) return this.watch(m);
    const prev = this.previous;
    const up = Math.min(this.max, this.ceiling - 1, this.current * 2);
    if (prev === null) {
      // First measured level: raise if there is room, else it is all we can have.
      if (up > this.current) return this.probe(m, up);
      return this.settle(m, m);
    }
    const grew = m.tokS >= prev.tokS * (1 + this.gain);
    // Queueing: latency grew by ≥ 90 % of the level's growth, i.e. the extra requests mostly waited.
    const queueing = m.latencyMs / prev.latencyMs >= 0.9 * (m.limit / prev.limit);
    if (grew && !queueing && up > this.current) return this.probe(m, up);
    // Stop: keep the better of the last two (the lower one unless the higher is clearly faster).
    const best = grew || m.tokS > prev.tokS * (1 + this.gain / 2) ? m : prev;
    this.settle(best, m);
  }

  private probe(m: Measured, next: number): void {
    this.previous = m;
    this.set(next, "probe", m);
  }

  private settle(best: Measured, last: Measured): void {
    this.settledAt = best;
    this.previous = null;
    if (best.limit !== this.current) this.set(best.limit, "settle", last);
    else {
      this.record("settle", last);
      this.window = this.freshWindow(0);
    }
  }

  /** Settled: step down a quarter when latency balloons without more throughput (the endpoint got slower). */
  private watch(m: Measured): void {
    const ref = this.settledAt!;
    if (m.latencyMs > 1.5 * ref.latencyMs && m.tokS <= ref.tokS * (1 + this.gain) && this.current > 1) {
      const next = Math.max(1, Math.floor((this.current * 3) / 4));
      this.settledAt = { limit: next, tokS: m.tokS, latencyMs: m.latencyMs };
      this.set(next, "queue_growth", m);
      return;
    }
    this.window = this.freshWindow(0);
  }

  private set(limit: number, reason: ChangeReason, m?: Measured): void {
    this.current = limit;
    this.window = this.freshWindow(limit);
    this.record(reason, m);
  }

  private freshWindow(skip: number): Window {
    return { skip, calls: 0, tokens: 0, latencySum: 0, startedAt: this.now() };
  }

  private record(reason: ChangeReason, m?: Measured): void {
    const c: ConcurrencyChange = {
      t_ms: Math.round(this.now() - this.t0),
      limit: this.current,
      reason,
      ...(m ? { tok_s: Math.round(m.tokS * 10) / 10, latency_ms: Math.round(m.latencyMs) } : {}),
    };
    this.history.push(c);
    this.onChange?.(c);
  }
}
