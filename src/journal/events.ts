// Run-level events (`events.jsonl`): what happened to the run as a whole, beside the per-case journal.
// Reports read them for wall time, cold-start time and the concurrency-over-time chart.

export type RunEvent =
  | { t: string; type: "run_start"; session: number; pending: number }
  | { t: string; type: "run_end"; session: number; status: "completed" | "interrupted" | "failed"; reason?: string }
  // reason/tok_s/latency_ms: set by `--concurrency auto` (endpoint/auto-concurrency.ts), absent for the 429 limiter.
  | { t: string; type: "concurrency"; limit: number; reason?: string; tok_s?: number; latency_ms?: number }
  /** `--concurrency auto`: the level it settled on (null: the run ended while still probing) and where it ended. */
  | { t: string; type: "concurrency_chosen"; limit: number | null; final: number }
  | { t: string; type: "cold_start_begin" }
  | { t: string; type: "cold_start_end"; ms: number; ok: boolean }
  /** /info read again once the endpoint was warm (it did not answer at start). */
  | { t: string; type: "info_reread"; max_input_tokens: number; max_total_tokens: number }
  | { t: string; type: "retry"; case_id?: string; step?: string; status?: number; error_class: string; wait_ms: number }
  /** The engine's Prometheus saturation gauges, sampled during the run (endpoint/metrics.ts); null = series absent. */
  | { t: string; type: "saturation"; queue: number | null; running: number | null; kv_cache: number | null }
  /** /metrics could not be read (said once per session): the report says saturation was not measured. */
  | { t: string; type: "metrics_unavailable"; reason: string };

export type RunEventBody = RunEvent extends infer E ? (E extends RunEvent ? Omit<E, "t"> : never) : never;
