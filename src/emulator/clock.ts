// The single clock every emulated wait goes through. Emulated time runs `timeScale` times faster than
// real time (timeScale 1000: ten emulated minutes pass in 0.6 real seconds), so tests can exercise cold
// starts and queueing without real sleeps.

export class EmulatedClock {
  private baseReal = performance.now();
  private baseEmu = 0;
  private scale: number;

  constructor(timeScale = 1) {
    this.scale = checkScale(timeScale);
  }

  get timeScale(): number {
    return this.scale;
  }

  /** Emulated milliseconds since the clock was created (monotonic, survives scale changes). */
  now(): number {
    return this.baseEmu + (performance.now() - this.baseReal) * this.scale;
  }

  /** Rebase so emulated time stays continuous when the scale changes. */
  setScale(timeScale: number): void {
    const s = checkScale(timeScale);
    if (s === this.scale) return;
    this.baseEmu = this.now();
    this.baseReal = performance.now();
    this.scale = s;
  }

  /** Real milliseconds an emulated duration takes at the current scale. */
  realMs(emulatedMs: number): number {
    return emulatedMs / this.scale;
  }

  /**
   * Wait `emulatedMs` of emulated time. Resolves early (never rejects) when `signal` aborts: callers
   * check `signal.aborted` themselves, which keeps cancellation paths free of try/catch.
   */
  sleep(emulatedMs: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, this.realMs(emulatedMs)));
      signal?.addEventListener("abort", done, { once: true });
    });
  }
}

function checkScale(s: number): number {
  if (!Number.isFinite(s) || s <= 0) throw new RangeError(`timeScale must be a positive number, got ${s}`);
  return s;
}
