// AIMD concurrency limiter: the runner acquires one slot per case; the client's events feed it.
// A 429 ("Model is overloaded") halves the limit (at most once per cooldown, since one overload burst
// yields many 429s from calls already in flight); every `limit` successes add one slot back, never
// beyond the configured maximum.

export interface AdaptiveLimiterOptions {
  /** Starting limit (default: max). */
  initial?: number;
  /** Minimum time between two decreases (default 5 s). */
  cooldownMs?: number;
  now?: () => number;
}

export interface LimitChange {
  /** Milliseconds since the limiter was created. */
  t_ms: number;
  limit: number;
}

export class AdaptiveLimiter {
  readonly history: LimitChange[] = [];
  private current: number;
  private active = 0;
  private successes = 0;
  private lastDecrease = Number.NEGATIVE_INFINITY;
  private readonly queue: Array<() => void> = [];
  private readonly cooldownMs: number;
  private readonly now: () => number;
  private readonly t0: number;

  constructor(
    readonly max: number,
    opts: AdaptiveLimiterOptions = {},
  ) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`max must be an integer >= 1, got ${max}`);
    this.now = opts.now ?? (() => performance.now());
    this.cooldownMs = opts.cooldownMs ?? 5_000;
    this.t0 = this.now();
    this.current = Math.min(max, Math.max(1, Math.floor(opts.initial ?? max)));
    this.record();
  }

  get limit(): number {
    return this.current;
  }

  get inFlight(): number {
    return this.active;
  }

  get waiting(): number {
    return this.queue.length;
  }

  /** Wait for a slot; the returned function releases it (idempotent). */
  acquire(): Promise<() => void> {
    if (this.active < this.current) {
      this.active++;
      return Promise.resolve(this.releaser());
    }
    return new Promise((resolve) => this.queue.push(() => resolve(this.releaser())));
  }

  onOverload(): void {
    const t = this.now();
    if (t - this.lastDecrease < this.cooldownMs) return;
    this.lastDecrease = t;
    this.successes = 0;
    const next = Math.max(1, Math.floor(this.current / 2));
    if (next !== this.current) {
      this.current = next;
      this.record();
    }
  }

  onSuccess(): void {
    if (this.current >= this.max) return;
    if (++this.successes < this.current) return;
    this.successes = 0;
    this.current++;
    this.record();
    this.drain();
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active--;
      this.drain();
    };
  }

  /** Hand freed slots to waiters in FIFO order, respecting a limit that may have shrunk. */
  private drain(): void {
    while (this.active < this.current && this.queue.length > 0) {
      this.active++;
      this.queue.shift()!();
    }
  }

  private record(): void {
    this.history.push({ t_ms: Math.round(this.now() - this.t0), limit: this.current });
  }
}
