// Latency model of MedGemma 27B (text, bf16) served by TGI on one A100 80 GB, and a continuous-batching
// scheduler that replays it in emulated time.
//
// Calibration (back-of-envelope from the hardware and the Gemma 3 27B architecture, checked against
// published TGI/vLLM single-A100 numbers for ~27–34B dense models):
// - Weights: ~27.4 B params × 2 bytes ≈ 54.8 GB. A100 80 GB SXM: ~2.0 TB/s HBM, 312 TFLOPS bf16 dense.
// - Decode at batch 1 is bandwidth-bound: 54.8 GB per step at ~1.55 TB/s effective ≈ 35 ms/step, i.e.
//   ~28 tok/s per sequence. Each extra sequence in the batch adds KV reads and matmul work (~2.2 ms/step),
//   so per-sequence speed falls as the batch grows: 10 tok/s at batch 32 (≈ 310 tok/s aggregate). The
//   aggregate is capped at 400 tok/s (compute-bound regime).
// - Prefill is compute-bound: 2 × 27.4 B ≈ 55 GFLOP/token; at ~50 % MFU (≈ 160 TFLOPS) ≈ 3,000 tok/s.
// - KV cache: 2 (K,V) × 62 layers × 16 KV heads × 128 dims × 2 bytes ≈ 0.5 MB/token. 80 GB − 54.8 GB
//   weights − ~7 GB activations/CUDA graphs ≈ 18 GB ≈ 35,000 tokens (TGI's max_batch_total_tokens).
//   A request reserves input + max_new_tokens; requests that do not fit the free budget wait, FIFO.

import type { EmulatedClock } from "./clock.js";

export interface GpuModel {
  prefillTokPerS: number;
  /** Decode step time at batch 1 (ms). */
  stepBaseMs: number;
  /** Extra step time per additional sequence in the batch (ms). */
  stepPerSeqMs: number;
  /** Ceiling on tokens/s summed over the batch. */
  aggregateCapTokPerS: number;
  /** KV-cache budget in tokens (input + max_new_tokens reserved per request). */
  kvBudgetTokens: number;
}

export const A100_MEDGEMMA_27B: Readonly<GpuModel> = Object.freeze({
  prefillTokPerS: 3000,
  stepBaseMs: 35.7,
  stepPerSeqMs: 2.2,
  aggregateCapTokPerS: 400,
  kvBudgetTokens: 35_000,
});

/** Decode speed of one sequence when `batch` sequences share the GPU (tokens/s). */
export function perSequenceTokPerS(batch: number, m: GpuModel = A100_MEDGEMMA_27B): number {
  const b = Math.max(1, batch);
  const stepMs = m.stepBaseMs + m.stepPerSeqMs * (b - 1);
  return Math.min(1000 / stepMs, m.aggregateCapTokPerS / b);
}

export function prefillMs(inputTokens: number, m: GpuModel = A100_MEDGEMMA_27B): number {
  return (Math.max(0, inputTokens) / m.prefillTokPerS) * 1000;
}

/**
 * Ideal service time (ms, no queueing) of one request at a steady batch size: prefill + decode.
 * Benchmarks use it as the lower bound to compare measured latency against.
 */
export function serviceTimeMs(inputTokens: number, outputTokens: number, batch: number, m: GpuModel = A100_MEDGEMMA_27B): number {
  return prefillMs(inputTokens, m) + (Math.max(0, outputTokens) / perSequenceTokPerS(batch, m)) * 1000;
}

export interface JobTiming {
  /** Emulated ms from arrival to admission into the running batch. */
  queueMs: number;
  /** Emulated ms from admission to the last token. */
  inferenceMs: number;
  /** Set when the batch failed (a shard error fails every running sequence): the job did not finish. */
  failed?: boolean;
}

/** Streaming hook: called as tokens come out (first token after prefill, then about every `every` tokens). */
export interface JobProgress {
  every: number;
  onTokens: (tokensDone: number) => void;
}

interface Job {
  reserve: number;
  arrivedAt: number;
  admittedAt: number;
  prefillLeftMs: number;
  tokensLeft: number;
  total: number;
  reported: number;
  progress?: JobProgress;
  done: (t: JobTiming | null) => void;
}

/**
 * Processor-sharing replay of continuous batching: all admitted sequences decode together at the
 * per-sequence rate of the current batch size; the rates are recomputed whenever a request joins or
 * leaves. Only one emulated timer is pending at a time (the next completion).
 */
export class GpuScheduler {
  private readonly queue: Job[] = [];
  private readonly active: Job[] = [];
  private reserved = 0;
  private lastAdvance: number;
  private timer: AbortController | null = null;

  constructor(
    private readonly clock: EmulatedClock,
    private readonly model: () => GpuModel,
  ) {
    this.lastAdvance = clock.now();
  }

  get queued(): number {
    return this.queue.length;
  }
  get running(): number {
    return this.active.length;
  }

  /** Resolves when the request's last token is out, or with null if `signal` aborts first. */
  run(inputTokens: number, outputTokens: number, reserveTokens: number, signal?: AbortSignal, progress?: JobProgress): Promise<JobTiming | null> {
    if (signal?.aborted) return Promise.resolve(null);
    return new Promise((resolve) => {
      const job: Job = {
        // A request larger than the whole budget would wait forever; clamp so it runs alone instead.
        reserve: Math.min(Math.max(0, reserveTokens), this.model().kvBudgetTokens),
        arrivedAt: this.clock.now(),
        admittedAt: 0,
        prefillLeftMs: prefillMs(inputTokens, this.model()),
        tokensLeft: Math.max(0, outputTokens),
        total: Math.max(0, outputTokens),
        reported: 0,
        ...(progress ? { progress } : {}),
        done: (t) => {
          signal?.removeEventListener("abort", onAbort);
          resolve(t);
        },
      };
      const onAbort = (): void => this.cancel(job);
      signal?.addEventListener("abort", onAbort, { once: true });
      this.advance();
      this.queue.push(job);
      this.admit();
      this.schedule();
    });
  }

  /** Drops every job (server shutdown). */
  close(): void {
    this.timer?.abort();
    this.timer = null;
    for (const j of [...this.queue, ...this.active]) j.done(null);
    this.queue.length = 0;
    this.active.length = 0;
    this.reserved = 0;
  }

  /** Fails every sequence in the running batch (TGI's send_errors); returns how many. */
  failActive(): number {
    this.advance();
    const failed = this.active.splice(0);
    const now = this.clock.now();
    for (const j of failed) {
      this.reserved -= j.reserve;
      j.done({ queueMs: j.admittedAt - j.arrivedAt, inferenceMs: now - j.admittedAt, failed: true });
    }
    this.admit();
    this.schedule();
    return failed.length;
  }

  private cancel(job: Job): void {
    this.advance();
    const qi = this.queue.indexOf(job);
    if (qi >= 0) this.queue.splice(qi, 1);
    const ai = this.active.indexOf(job);
    if (ai >= 0) {
      this.active.splice(ai, 1);
      this.reserved -= job.reserve;
    }
    job.done(null);
    this.admit();
    this.schedule();
  }

  /** Moves emulated time forward for every running sequence. */
  private advance(): void {
    const now = this.clock.now();
    const dt = now - this.lastAdvance;
    this.lastAdvance = now;
    if (dt <= 0 || this.active.length === 0) return;
    const perMs = perSequenceTokPerS(this.active.length, this.model()) / 1000;
    for (const j of this.active) {
      let t = dt;
      if (j.prefillLeftMs > 0) {
        const used = Math.min(t, j.prefillLeftMs);
        j.prefillLeftMs -= used;
        t -= used;
      }
      j.tokensLeft -= t * perMs;
    }
  }

  private admit(): void {
    const budget = this.model().kvBudgetTokens;
    while (this.queue.length > 0) {
      const head = this.queue[0] as Job;
      if (this.reserved + head.reserve > budget && this.active.length > 0) break; // strict FIFO
      this.queue.shift();
      head.admittedAt = this.clock.now();
      this.reserved += head.reserve;
      this.active.push(head);
    }
  }

  /** Emulated ms until `j` finishes at the current batch size. */
  private remainingMs(j: Job, perMs: number): number {
    return Math.max(0, j.prefillLeftMs) + Math.max(0, j.tokensLeft) / perMs;
  }

  private schedule(): void {
    this.timer?.abort();
    this.timer = null;
    if (this.active.length === 0) return;
    const perMs = perSequenceTokPerS(this.active.length, this.model()) / 1000;
    let next = Infinity;
    for (const j of this.active) {
      next = Math.min(next, this.remainingMs(j, perMs));
      const m = this.nextMilestoneMs(j, perMs);
      if (m !== null) next = Math.min(next, m);
    }
    const ac = new AbortController();
    this.timer = ac;
    void this.clock.sleep(next, ac.signal).then(() => {
      if (!ac.signal.aborted) this.tick();
    });
  }

  /** Emulated ms until a streaming job's next progress report (null: none pending). */
  private nextMilestoneMs(j: Job, perMs: number): number | null {
    if (!j.progress) return null;
    const done = j.total - Math.max(0, j.tokensLeft);
    const target = j.reported === 0 ? 1 : Math.min(j.total, j.reported + j.progress.every);
    if (target >= j.total) return null; // the end is reported by completion
    return Math.max(0, j.prefillLeftMs) + Math.max(0, target - done) / perMs;
  }

  private reportProgress(perMs: number, eps: number): void {
    for (const j of this.active) {
      if (!j.progress) continue;
      const done = Math.floor(j.total - Math.max(0, j.tokensLeft) + eps * perMs);
      if (j.prefillLeftMs <= eps && done > j.reported && done < j.total) {
        j.reported = done;
        j.progress.onTokens(done);
      }
    }
  }

  private tick(): void {
    this.timer = null;
    this.advance();
    const perMs = perSequenceTokPerS(this.active.length, this.model()) / 1000;
    // Timers have ~1 real ms granularity: finish anything due within half a real millisecond.
    const eps = Math.max(1e-6, this.clock.timeScale * 0.5);
    const now = this.clock.now();
    for (let i = this.active.length - 1; i >= 0; i--) {
      const j = this.active[i] as Job;
      if (this.remainingMs(j, perMs) <= eps) {
        this.active.splice(i, 1);
        this.reserved -= j.reserve;
        j.done({ queueMs: j.admittedAt - j.arrivedAt, inferenceMs: now - j.admittedAt });
      }
    }
    this.reportProgress(perMs, eps);
    this.admit();
    this.schedule();
  }
}
