// Embedded TGI emulator: an OpenAI-compatible HTTP server on 127.0.0.1 that behaves like Hugging Face
// TGI 3.x serving MedGemma 27B behind an Inference Endpoints proxy — validation errors, 429s, cold
// starts, faults and (optionally) A100-calibrated latency — so the harness runs and is tested offline.
//
// This file is the core — the Inference Endpoints proxy in front (auth, scale-to-zero, pause) and the
// shared machinery (clock, GPU batch model, token counting, faults, counters). The engine's own wire
// behaviour (request types, validation order, answer/error/stream shapes) lives in its module:
// src/emulator/tgi/ (see src/emulator/README.md).
import { setMaxListeners } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { ChatMessage } from "../endpoint/types.js";
import { approxTokens, cutToTokens, messagesKey, type Answer } from "./answer.js";
import { EmulatedClock } from "./clock.js";
import type { EngineCore, EngineRoutes } from "./core.js";
import { pickFault, STEP_HEADER } from "./faults.js";
import { GpuScheduler } from "./latency.js";
import { boundClearsGeneration, chatTokenBound } from "../tokenizer/bound.js";
import { estimateChatTokens } from "../tokenizer/estimate.js";
import { DEFAULT_EMULATOR_OPTIONS, type EmulatorOptions, type FaultKind, type TokenCounter } from "./options.js";
import { paused } from "./tgi/errors.js";
import { tgiInfo, TgiRoutes } from "./tgi/routes.js";
import { OpenAiStyleRoutes } from "./openai-style.js";
import { sglangDialect } from "./sglang/dialect.js";
import { vllmDialect } from "./vllm/dialect.js";

/** Set on every answer, whatever engine is played: runs against a standalone emulator are labelled emulator figures. */
export const EMULATOR_HEADER = "x-medqa-emulator";

export type { EmulatorOptions, FaultKind, LatencyProfile, TokenCounter } from "./options.js";
export { DEFAULT_EMULATOR_OPTIONS, FAULT_KINDS } from "./options.js";
export { STEP_HEADER } from "./faults.js";
export { serviceTimeMs, perSequenceTokPerS, A100_MEDGEMMA_27B, type GpuModel } from "./latency.js";

export type ReplicaState = "warm" | "cold" | "starting";

export interface EmulatorStats {
  /** Chat-completion responses by HTTP status code ("200", "422", …). */
  requests: Record<string, number>;
  /** Chat-completion requests received (including resets and stalls). */
  total: number;
  status422: number;
  status429: number;
  status503: number;
  /** Connections destroyed by the `reset` fault / requests held by `stall`. */
  resets: number;
  stalls: number;
  inFlight: number;
  maxInFlight: number;
  /** Requests waiting for KV budget / decoding right now (latency "a100"). */
  queued: number;
  running: number;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  coldStarts: number;
  /** 424 faults that broke the running batch. */
  brokenBatches: number;
  state: ReplicaState;
}

export interface EmulatorHandle {
  /** Base URL for OpenAI clients: http://127.0.0.1:PORT/v1 */
  url: string;
  /** http://127.0.0.1:PORT */
  origin: string;
  port: number;
  /** The engine the emulator plays. */
  engine: EmulatorOptions["engine"];
  close(): Promise<void>;
  setOptions(p: Partial<EmulatorOptions>): void;
  /** Scale to zero now; the next request starts a replica (coldStartS emulated seconds). */
  goCold(): void;
  stats(): EmulatorStats;
}

const JSON_HEADERS = { "content-type": "application/json" } as const;

export async function startEmulator(opts: Partial<EmulatorOptions> = {}): Promise<EmulatorHandle> {
  const emu = new Emulator({ ...DEFAULT_EMULATOR_OPTIONS, ...opts });
  return emu.listen();
}

/** The served tokenizer: Gemma 3 (loaded once, lazily), or a chars/4 stand-in when it cannot load. */
interface Tokenizer {
  countChat: TokenCounter;
  countText(text: string): Promise<number>;
  /** Token ids of rendered text (no special tokens added: the template starts with <bos>). */
  encode: ((text: string) => Promise<number[]>) | null;
}
let defaultTokenizer: Promise<Tokenizer> | null = null;
function loadDefaultTokenizer(log?: (l: string) => void): Promise<Tokenizer> {
  defaultTokenizer ??= import("../tokenizer/gemma.js").then(
    (m): Tokenizer => ({ countChat: (messages) => m.countChatTokens(messages), countText: (t) => m.countTokens(t), encode: (t) => m.encode(t) }),
    (): Tokenizer => {
      log?.("emulator: Gemma tokenizer unavailable, approximating prompt tokens as chars/4");
      return {
        countChat: (messages) => messages.reduce((n, m) => n + approxTokens(m.content) + 4, 2),
        countText: async (t) => approxTokens(t),
        encode: null,
      };
    },
  );
  return defaultTokenizer;
}

/** Stand-in token ids (stable per position and prompt) when no real tokenizer is in use. */
function syntheticIds(n: number, rendered: string): number[] {
  const out: number[] = [];
  let h = 0x811c9dc5;
  for (let i = 0; i < n; i++) {
    h = Math.imul(h ^ (rendered.charCodeAt(i % Math.max(1, rendered.length)) + i), 0x01000193) >>> 0;
    out.push(i === 0 ? 2 : 3 + (h % 262_000));
  }
  return out;
}

class Emulator implements EngineCore {
  o: EmulatorOptions;
  readonly clock: EmulatedClock;
  readonly gpu: GpuScheduler;
  private readonly server: Server;
  private readonly closingCtl = new AbortController();
  private readonly tokenCache = new Map<string, number>();
  private readonly engine: EngineRoutes;
  private state: ReplicaState;
  private readyAt = 0;
  private lastActivity: number;
  private unhealthyUntil = -Infinity;
  private inFlightCount = 0;
  private readonly s = {
    requests: {} as Record<string, number>,
    total: 0,
    resets: 0,
    stalls: 0,
    maxInFlight: 0,
    promptTokens: 0,
    completionTokens: 0,
    coldStarts: 0,
    brokenBatches: 0,
  };

  constructor(o: EmulatorOptions) {
    this.o = o;
    this.clock = new EmulatedClock(o.timeScale);
    this.gpu = new GpuScheduler(this.clock, () => this.o.gpu);
    this.state = o.startCold ? "cold" : "warm";
    this.lastActivity = this.clock.now();
    this.engine = o.engine === "vllm" ? new OpenAiStyleRoutes(this, vllmDialect) : o.engine === "sglang" ? new OpenAiStyleRoutes(this, sglangDialect) : new TgiRoutes(this);
    this.server = createServer((req, res) => {
      this.route(req, res).catch((err: unknown) => {
        if (!res.headersSent) this.send(res, 500, { error: String(err), error_type: "emulator" });
        else res.destroy();
      });
    });
    this.server.keepAliveTimeout = 60_000;
  }

  get closing(): AbortSignal {
    // One listener per request in flight (up to max-concurrent, 128): not a leak, so no MaxListeners warning.
    setMaxListeners(this.o.maxConcurrentRequests + 64, this.closingCtl.signal);
    return this.closingCtl.signal;
  }

  listen(): Promise<EmulatorHandle> {
    // The Gemma tokenizer is NOT preloaded: countPrompt needs it only for requests the byte bound cannot clear.
    return new Promise((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(this.o.port, "127.0.0.1", () => {
        const port = (this.server.address() as AddressInfo).port;
        const origin = `http://127.0.0.1:${port}`;
        this.o.log?.(`emulator: listening on ${origin}/v1 (latency ${this.o.latency}, time scale ${this.o.timeScale})`);
        resolve({
          url: `${origin}/v1`,
          origin,
          port,
          engine: this.o.engine,
          close: () => this.close(),
          setOptions: (p) => this.setOptions(p),
          goCold: () => {
            this.state = "cold";
          },
          stats: () => this.stats(),
        });
      });
    });
  }

  private setOptions(p: Partial<EmulatorOptions>): void {
    this.o = { ...this.o, ...p };
    if (p.timeScale !== undefined) this.clock.setScale(p.timeScale);
  }

  private close(): Promise<void> {
    this.closingCtl.abort();
    this.gpu.close();
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private stats(): EmulatorStats {
    this.refreshState();
    const r = this.s.requests;
    return {
      ...this.s,
      requests: { ...r },
      status422: r["422"] ?? 0,
      status429: r["429"] ?? 0,
      status503: r["503"] ?? 0,
      inFlight: this.inFlightCount,
      queued: this.gpu.queued,
      running: this.gpu.running,
      totalTokens: this.s.promptTokens + this.s.completionTokens,
      state: this.state,
    };
  }

  // ---- EngineCore ----

  inFlight(): number {
    return this.inFlightCount;
  }

  /**
   * An injected counter is used as is. Otherwise — the rule of tokenizer/bound.ts, as the harness's preflight —
   * when the UTF-8 byte bound proves that neither validation nor continuation can depend on the exact count, the
   * cheap estimate (tokenizer/estimate.ts, never above the bound) is the figure; only otherwise is the Gemma
   * tokenizer loaded and the prompt counted exactly, so every refusal carries TGI's exact count.
   */
  async countPrompt(messages: ChatMessage[], maxNewTokens?: number | null): Promise<number> {
    const key = messagesKey(messages);
    const hit = this.tokenCache.get(key);
    if (hit !== undefined) return hit;
    if (!this.o.countTokens) {
      const bound = chatTokenBound(messages);
      const limits = { maxInputTokens: this.o.maxInputTokens, maxTotalTokens: this.o.maxTotalTokens };
      if (boundClearsGeneration(bound, maxNewTokens ?? null, limits)) return Math.min(bound, estimateChatTokens(messages));
    }
    const counter = this.o.countTokens ?? (await loadDefaultTokenizer(this.o.log)).countChat;
    const n = await counter(messages);
    if (this.tokenCache.size >= 20_000) this.tokenCache.clear();
    this.tokenCache.set(key, n);
    return n;
  }

  async encodePrompt(messages: ChatMessage[], rendered: string): Promise<number[]> {
    const tok = this.o.countTokens ? null : await loadDefaultTokenizer(this.o.log);
    if (tok?.encode) return tok.encode(rendered);
    return syntheticIds(await this.countPrompt(messages), rendered);
  }

  async countText(text: string): Promise<number> {
    if (this.o.countTokens) return approxTokens(text);
    return (await loadDefaultTokenizer(this.o.log)).countText(text);
  }

  pickFault(n: number, req: IncomingMessage): FaultKind | null {
    const stepHeader = req.headers[STEP_HEADER];
    return pickFault(n, this.o, typeof stepHeader === "string" ? stepHeader : undefined);
  }

  breakBatch(): number {
    this.s.brokenBatches++;
    this.unhealthyUntil = this.clock.now() + this.o.unhealthyS * 1000;
    return this.gpu.failActive();
  }

  unhealthy(): boolean {
    return this.clock.now() < this.unhealthyUntil;
  }

  served(promptTokens: number, completionTokens: number): void {
    this.lastActivity = this.clock.now();
    this.s.promptTokens += promptTokens;
    this.s.completionTokens += completionTokens;
  }

  countFault(kind: "reset" | "stall"): void {
    if (kind === "reset") this.s.resets++;
    else this.s.stalls++;
  }

  info(): Record<string, unknown> {
    return tgiInfo(this.o);
  }

  send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    if (res.headersSent || res.destroyed) return;
    const text = typeof body === "string" ? body : JSON.stringify(body);
    res.writeHead(status, { ...(typeof body === "string" ? { "content-type": "text/plain; charset=utf-8" } : JSON_HEADERS), ...headers });
    res.end(text);
  }

  // ---- replica lifecycle (lazy: evaluated on each request, no background timers) ----

  private refreshState(): void {
    const now = this.clock.now();
    // One real millisecond of slack: a request held until readyAt must find the replica ready.
    if (this.state === "starting" && now + this.clock.timeScale >= this.readyAt) {
      this.state = "warm";
      this.lastActivity = now;
    } else if (this.state === "warm" && this.o.idleTimeoutS > 0 && this.inFlightCount === 0 && now - this.lastActivity >= this.o.idleTimeoutS * 1000) {
      this.state = "cold";
    }
  }

  private isWarm(): boolean {
    this.refreshState();
    return this.state === "warm";
  }

  /** Resolves true when warm; otherwise starts a replica and, if the client asked to, holds the request. */
  private async gate(req: IncomingMessage): Promise<boolean> {
    this.refreshState();
    if (this.state === "warm") return true;
    if (this.state === "cold") {
      this.state = "starting";
      this.readyAt = this.clock.now() + this.o.coldStartS * 1000;
      this.s.coldStarts++;
      this.o.log?.(`emulator: cold start (${this.o.coldStartS} emulated s)`);
    }
    const hold = Number(req.headers["x-scale-up-timeout"]);
    if (Number.isFinite(hold) && hold > 0) {
      const wait = Math.min(this.readyAt - this.clock.now(), hold * 1000);
      await this.clock.sleep(wait, this.closing);
      return this.isWarm();
    }
    return false;
  }

  // ---- HTTP ----

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    res.setHeader(EMULATOR_HEADER, this.o.engine);
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    const isGeneration = req.method === "POST" && this.engine.generationPaths.has(path);
    if (isGeneration) {
      this.s.total++;
      res.once("finish", () => this.count(res.statusCode));
    }
    if (!this.authorized(req, res)) return;
    // A paused endpoint has no replica at all: the proxy refuses every route.
    if (isGeneration && this.o.pauseAfterRequests > 0 && this.s.total > this.o.pauseAfterRequests) this.o = { ...this.o, paused: true };
    if (this.o.paused) return this.send(res, paused().status, paused().body);
    if (path === "/metrics" && req.method === "GET") return this.metrics(res);
    if (!(await this.gate(req))) {
      if (this.closing.aborted) return void res.destroy();
      return this.send(res, 503, { error: "Service Unavailable: the endpoint is scaled to zero and a replica is starting", error_type: "unavailable" });
    }
    this.lastActivity = this.clock.now();
    if (isGeneration) {
      this.inFlightCount++;
      this.s.maxInFlight = Math.max(this.s.maxInFlight, this.inFlightCount);
    }
    try {
      const handled = await this.engine.handle(req, res, path, body);
      if (!handled) this.send(res, 404, { error: `not found: ${req.method} ${path}`, error_type: "not_found" });
    } finally {
      if (isGeneration) this.inFlightCount--;
    }
  }

  private authorized(req: IncomingMessage, res: ServerResponse): boolean {
    const want = this.o.requireToken;
    if (!want) return true;
    const got = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? "")?.[1]?.trim();
    if (got === undefined) {
      this.send(res, 401, { error: "Unauthorized: missing Authorization header", error_type: "authentication" });
      return false;
    }
    if (got !== want) {
      this.send(res, 401, { error: "Authorization header is correct, but the token seems invalid", error_type: "authentication" });
      return false;
    }
    if (this.o.gated) {
      this.send(res, 403, { error: "Access to this endpoint is restricted for this token", error_type: "forbidden" });
      return false;
    }
    return true;
  }

  private count(status: number): void {
    const k = String(status);
    this.s.requests[k] = (this.s.requests[k] ?? 0) + 1;
  }

  private metrics(res: ServerResponse): void {
    const st = this.stats();
    const series: Array<[name: string, type: "counter" | "gauge", value: number]> = [
      ["emulator_in_flight_requests", "gauge", st.inFlight],
      ["emulator_max_in_flight_requests", "gauge", st.maxInFlight],
      ["emulator_queue_size", "gauge", st.queued],
      ["emulator_batch_size", "gauge", st.running],
      ["emulator_prompt_tokens_total", "counter", st.promptTokens],
      ["emulator_completion_tokens_total", "counter", st.completionTokens],
      ["emulator_connection_resets_total", "counter", st.resets],
      ["emulator_cold_starts_total", "counter", st.coldStarts],
      ["emulator_broken_batches_total", "counter", st.brokenBatches],
      ["emulator_replica_ready", "gauge", st.state === "warm" ? 1 : 0],
    ];
    const lines = [
      "# HELP emulator_requests_total Chat completion responses by HTTP status.",
      "# TYPE emulator_requests_total counter",
      ...Object.entries(st.requests).map(([code, v]) => `emulator_requests_total{status="${code}"} ${v}`),
      ...series.flatMap(([name, type, value]) => [`# TYPE ${name} ${type}`, `${name} ${value}`]),
      ...(this.engine.metricsLines?.({ queued: st.queued, running: st.running }) ?? []),
      "",
    ];
    res.writeHead(200, { "content-type": "text/plain; version=0.0.4" });
    res.end(lines.join("\n"));
  }
}

/** Applies max_tokens: completion tokens are ceil(chars/4); a cut answer finishes with "length". */
export function applyMaxTokens(a: Answer, maxTokens: number): { text: string; finishReason: "stop" | "length"; completionTokens: number } {
  const tokens = approxTokens(a.text);
  if (tokens <= maxTokens) return { text: a.text, finishReason: a.finishReason, completionTokens: tokens };
  const text = cutToTokens(a.text, maxTokens);
  return { text, finishReason: "length", completionTokens: approxTokens(text) };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}
