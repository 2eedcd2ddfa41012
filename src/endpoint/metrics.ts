// Endpoint saturation, measured: the engine's Prometheus gauges (TGI tgi_queue_size / tgi_batch_current_size,
// vLLM vllm:num_requests_waiting / _running / kv_cache_usage_perc, SGLang sglang:num_queue_reqs / …) read
// from GET <root>/metrics every few (emulated) seconds during the run. One GET of a small text page per
// interval: cheap. When /metrics cannot be read, that is reported once and sampling stops.
import type { SaturationMetrics } from "./engines/types.js";

/** Sums each series over its label sets: `name{a="1"} 3` and `name{a="2"} 4` → name: 7. */
export function parsePrometheus(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const m = /^([A-Za-z_:][A-Za-z0-9_:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const v = Number(m[3]);
    if (!Number.isFinite(v)) continue;
    out.set(m[1]!, (out.get(m[1]!) ?? 0) + v);
  }
  return out;
}

export interface SaturationSample {
  queue: number | null;
  running: number | null;
  kv_cache: number | null;
}

/** The first present series of each kind (engines renamed some: vllm:gpu_cache_usage_perc → kv_cache_usage_perc). */
export function saturationSample(series: ReadonlyMap<string, number>, names: SaturationMetrics): SaturationSample | null {
  const pick = (list: readonly string[]): number | null => {
    for (const n of list) if (series.has(n)) return series.get(n)!;
    return null;
  };
  const s = { queue: pick(names.queue), running: pick(names.running), kv_cache: pick(names.kvCache) };
  return s.queue === null && s.running === null && s.kv_cache === null ? null : s;
}

export interface SamplerOptions {
  /** The endpoint root (baseUrl without /v1). */
  root: string;
  apiKey: string;
  names: SaturationMetrics;
  intervalMs: number;
  fetch: typeof fetch;
  onSample: (s: SaturationSample) => void;
  /** Called once, when /metrics cannot be read or lacks the engine's series; sampling then stops. */
  onUnavailable: (reason: string) => void;
}

/** Samples until stopped. The first sample is taken at once (it also tells whether /metrics is there). */
export class MetricsSampler {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;
  private inFlight: Promise<void> | null = null;

  constructor(private readonly o: SamplerOptions) {}

  start(): void {
    this.inFlight = this.tick();
  }

  /** Stops sampling; resolves once a sample under way has been recorded. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.inFlight;
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    const reason = await this.sampleOnce();
    if (reason !== null) {
      this.stopped = true;
      this.o.onUnavailable(reason);
      return;
    }
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.inFlight = this.tick();
    }, this.o.intervalMs);
    this.timer.unref?.();
  }

  /** null on success, else why /metrics is not usable. */
  private async sampleOnce(): Promise<string | null> {
    try {
      const res = await this.o.fetch(`${this.o.root}/metrics`, {
        headers: this.o.apiKey ? { authorization: `Bearer ${this.o.apiKey}` } : {},
        signal: AbortSignal.timeout(10_000),
      });
      if (res.status === 503) {
        // Scale-to-zero: the replica (and its metrics) will be back; skip this sample.
        await res.body?.cancel();
        return null;
      }
      if (!res.ok) {
        await res.body?.cancel();
        return `GET /metrics answered HTTP ${res.status}`;
      }
      const sample = saturationSample(parsePrometheus(await res.text()), this.o.names);
      if (!sample) return `GET /metrics has none of ${[...this.o.names.queue, ...this.o.names.running].join(", ")}`;
      this.o.onSample(sample);
      return null;
    } catch (err) {
      return `GET /metrics failed: ${err instanceof Error ? err.message : String(err)}`;
    }
  }
}
