// `--delay S`: the minimum time between case starts across all workers (so `--delay 2` at concurrency 1
// behaves like the old serial harness, and at concurrency 8 it spaces out the burst at start-up).
export class Pacer {
  private next = 0;
  constructor(
    private readonly delayMs: number,
    private readonly now: () => number = Date.now,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {}

  /** Resolves at this caller's start slot; slots are handed out in call order. */
  async wait(): Promise<void> {
    if (this.delayMs <= 0) return;
    const now = this.now();
    const start = Math.max(now, this.next);
    this.next = start + this.delayMs;
    if (start > now) await this.sleep(start - now);
  }
}
