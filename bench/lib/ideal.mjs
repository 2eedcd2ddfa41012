// The ideal wall time of a measured run: the run's own calls (per-call prompt/completion tokens from the
// journal, in the harness's order and dependency structure, at its concurrency and --delay) replayed in
// VIRTUAL time through the emulator's own GpuScheduler (src/emulator/latency.ts: continuous batching,
// per-sequence decode rate falling with batch size, KV-budget admission). Nothing real happens between calls —
// no HTTP, no JSON, no harness CPU, no timer lateness — so the result is the service model's lower bound for
// exactly this workload.
import { GpuScheduler, A100_MEDGEMMA_27B, serviceTimeMs } from "../../dist/emulator/latency.js";

// The built-in pipeline's levels and per-step budgets come from its pipeline file (src/pipeline/default.yaml).
const { defaultPipelineFile } = await import("../../dist/pipeline/default.js");
const DEFAULT_PIPELINE = defaultPipelineFile();
const PIPELINE_ORDER = DEFAULT_PIPELINE.levels;

/** Per-step max_tokens defaults (the harness clamps them to --max-tokens, default 2048). */
export async function stepMaxTokens() {
  return Object.fromEntries(DEFAULT_PIPELINE.steps.map((s) => [s.name, s.max_tokens ?? Infinity]));
}

/** Discrete-event clock with the EmulatedClock interface the scheduler uses (now, sleep, timeScale). */
class VirtualClock {
  t = 0;
  timers = [];
  get timeScale() {
    return 1e-9; // the scheduler's "half a real millisecond" slack becomes negligible
  }
  now() {
    return this.t;
  }
  sleep(ms, signal) {
    if (signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = { at: this.t + Math.max(0, ms), resolve, dead: false };
      this.timers.push(timer);
      signal?.addEventListener(
        "abort",
        () => {
          timer.dead = true;
          resolve();
        },
        { once: true },
      );
    });
  }
  /** Runs until no timers remain; microtasks (the simulated harness) run between timer firings. */
  async drain() {
    const flush = () => new Promise((r) => setImmediate(r));
    await flush();
    for (;;) {
      this.timers = this.timers.filter((x) => !x.dead);
      if (this.timers.length === 0) return;
      let i = 0;
      for (let k = 1; k < this.timers.length; k++) if (this.timers[k].at < this.timers[i].at) i = k;
      const [timer] = this.timers.splice(i, 1);
      this.t = Math.max(this.t, timer.at);
      timer.resolve();
      await flush();
    }
  }
}

/**
 * Units: [{ arm, steps: [[{ input, output, reserve }...] per stage ...] }] in the harness's start order.
 * Returns the ideal makespan in emulated ms for `concurrency` workers and `delayMs` (emulated) between starts.
 */
export async function idealMakespan(units, { concurrency, delayMs = 0, gpu = A100_MEDGEMMA_27B }) {
  const clock = new VirtualClock();
  const sched = new GpuScheduler(clock, () => gpu);
  let next = 0;
  let nextSlot = 0;
  let end = 0;
  const call = (c) => sched.run(c.input, c.output, c.reserve);
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= units.length) return;
      if (delayMs > 0) {
        const start = Math.max(clock.now(), nextSlot);
        nextSlot = start + delayMs;
        if (start > clock.now()) await clock.sleep(start - clock.now());
      }
      for (const stage of units[i].stages) await Promise.all(stage.map(call));
      end = Math.max(end, clock.now());
    }
  };
  const workers = Array.from({ length: Math.max(1, concurrency) }, worker);
  await clock.drain();
  await Promise.all(workers);
  return end;
}

/** Journal records (one run) → replay units, in sample order. Returns { units, calls, splitCalls }. */
export function unitsFromJournal(recs, run, maxTok) {
  const maxTokens = run.config?.max_tokens ?? 2048;
  const maxTotal = run.endpoint?.info?.max_total_tokens ?? 16384;
  const order = new Map((run.sampled_ids ?? []).map((id, i) => [id, i]));
  const armRank = { direct: 0, pipeline: 1 };
  const sorted = [...recs].sort((a, b) => (order.get(a.case_id) ?? 0) - (order.get(b.case_id) ?? 0) || armRank[a.arm] - armRank[b.arm]);
  let calls = 0;
  let splitCalls = 0;
  const mk = (input, output, stepMax) => {
    calls++;
    const mt = Math.min(stepMax, maxTokens, maxTotal - input);
    return { input, output, reserve: input + mt };
  };
  const units = sorted.map((r) => {
    if (r.arm === "direct") return { arm: r.arm, stages: [[mk(r.tokens.prompt, r.tokens.completion, maxTokens)]] };
    const stages = [];
    for (const group of PIPELINE_ORDER) {
      const stage = [];
      const seq = [];
      for (const id of group) {
        const s = r.steps?.[id];
        if (!s || !(s.calls > 0)) continue;
        if (s.calls === 1) stage.push(mk(s.prompt_tokens, s.completion_tokens, maxTok[id]));
        else {
          // A re-asked step: k sequential calls; the journal keeps only sums, so split them evenly.
          splitCalls += s.calls;
          for (let k = 0; k < s.calls; k++) seq.push([mk(s.prompt_tokens / s.calls, s.completion_tokens / s.calls, maxTok[id])]);
        }
      }
      if (stage.length) stages.push(stage);
      stages.push(...seq);
    }
    return { arm: r.arm, stages };
  });
  return { units, calls, splitCalls };
}

/** Sum of serviceTimeMs at batch 1 over every call (a serial, no-batching reference). */
export function serialServiceMs(units) {
  let t = 0;
  for (const u of units) for (const st of u.stages) t += Math.max(...st.map((c) => serviceTimeMs(c.input, c.output, st.length)));
  return t;
}
