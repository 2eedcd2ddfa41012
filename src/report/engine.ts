// Report sections about the serving engine: which engine answered (run.json), streaming timings per step
// (TTFT, decode tokens/s, inter-token gap p95 — from the journal's StepRecord.stream / CaseRecord.stream) and
// endpoint saturation over time (events.jsonl saturation samples). Pure: derived from the journal alone.
import type { RunEvent } from "../journal/events.js";
import { describe } from "../stats/quantiles.js";
import { STEP_IDS, type CaseRecord, type RunJson, type StreamStats } from "../types.js";
import type { ArmSummary, Summary } from "./summary-schema.js";

/** Per step (pipeline) or "direct": TTFT, decode rate and p95 inter-token gap over the calls that streamed. */
export function streamingStats(cases: readonly CaseRecord[]): NonNullable<ArmSummary["streaming"]> {
  const by = new Map<string, StreamStats[]>();
  const add = (key: string, s: StreamStats | undefined): void => {
    if (!s) return;
    const list = by.get(key) ?? [];
    list.push(s);
    by.set(key, list);
  };
  for (const r of cases) {
    add("direct", r.stream);
    for (const id of STEP_IDS) add(id, r.steps?.[id]?.stream);
  }
  const order = ["direct", ...STEP_IDS];
  return order
    .filter((k) => by.has(k))
    .map((step) => {
      const list = by.get(step)!;
      return {
        step,
        n: list.length,
        ttft_ms: describe(list.map((s) => s.ttft_ms)),
        decode_tok_s: describe(list.flatMap((s) => (s.decode_tok_s === null ? [] : [s.decode_tok_s]))),
        itl_p95_ms: describe(list.flatMap((s) => (s.itl_ms.p95 === null ? [] : [s.itl_ms.p95]))),
      };
    });
}

/** Saturation samples from events.jsonl, and whether /metrics was readable at all. */
export function saturationSummary(events: readonly RunEvent[]): NonNullable<Summary["saturation"]> {
  const samples = events.flatMap((e) => (e.type === "saturation" ? [{ t: e.t, queue: e.queue, running: e.running, kv_cache: e.kv_cache }] : []));
  const unavailable = events.find((e): e is Extract<RunEvent, { type: "metrics_unavailable" }> => e.type === "metrics_unavailable");
  return {
    source: samples.length > 0 ? "metrics" : unavailable ? "unavailable" : "none",
    note: unavailable ? unavailable.reason : null,
    samples,
  };
}

/** run.json's engine record for the summary (null fields for runs made before engines were recorded). */
export function engineSummary(run: RunJson): NonNullable<Summary["run"]["engine"]> {
  const e = run.endpoint;
  return {
    name: e.engine ?? null,
    version: e.engine_version ?? null,
    detected_by: e.detected_by ?? null,
    limits: e.limits ?? null,
    stream: e.stream ?? false,
    notes: e.notes ?? [],
  };
}
