// Embedded TGI emulator: an OpenAI-compatible HTTP server on 127.0.0.1 that behaves like Hugging Face
// TGI 3.x serving MedGemma 27B behind an Inference Endpoints proxy — validation errors, 429s, cold
// starts, faults and (optionally) A100-calibrated latency — so the harness runs and is tested offline.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { ChatMessage } from "../endpoint/types.js";
import { approxTokens, composeAnswer, cutToTokens, messagesKey, type Answer } from "./answer.js";
import { EmulatedClock } from "./clock.js";
import { isOverloaded, pickFault, STEP_HEADER } from "./faults.js";
import { GpuScheduler, type JobTiming } from "./latency.js";
import { DEFAULT_EMULATOR_OPTIONS, type EmulatorOptions, type FaultKind, type TokenCounter } from "./options.js";
import type { JsonSchema } from "./schema-gen.js";

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
  state: ReplicaState;
}

export interface EmulatorHandle {
  /** Base URL for OpenAI clients: http://127.0.0.1:PORT/v1 */
  url: string;
  /** http://127.0.0.1:PORT */
  origin: string;
  port: number;
  close(): Promise<void>;
  setOptions(p: Partial<EmulatorOptions>): void;
  /** Scale to zero now; the next request starts a replica (coldStartS emulated seconds). */
  goCold(): void;
  stats(): EmulatorStats;
}

const SYSTEM_FINGERPRINT = "3.3.6-sha-3c5ff9a";
const MODEL_SHA = "5f31de3c9d0b7a0c2a0c5a1c8f1c3e5b9d7a6e42";
const JSON_HEADERS = { "content-type": "application/json" } as const;

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(typeof body === "string" ? body : JSON.stringify(body));
  }
}

const validation = (msg: string): HttpError => new HttpError(422, { error: `Input validation error: ${msg}`, error_type: "validation" });

export async function startEmulator(opts: Partial<EmulatorOptions> = {}): Promise<EmulatorHandle> {
  const emu = new Emulator({ ...DEFAULT_EMULATOR_OPTIONS, ...opts });
  return emu.listen();
}

/** Default prompt counter: the Gemma 3 tokenizer over the rendered chat (loaded once, lazily). */
let defaultCounter: Promise<TokenCounter> | null = null;
function loadDefaultCounter(log?: (l: string) => void): Promise<TokenCounter> {
  defaultCounter ??= import("../tokenizer/gemma.js").then(
    (m) => (messages: ChatMessage[]) => m.countChatTokens(messages),
    () => {
      log?.("emulator: Gemma tokenizer unavailable, approximating prompt tokens as chars/4");
      return (messages: ChatMessage[]) => messages.reduce((n, m) => n + approxTokens(m.content) + 4, 2);
    },
  );
  return defaultCounter;
}

class Emulator {
  private o: EmulatorOptions;
  private readonly clock: EmulatedClock;
  private readonly gpu: GpuScheduler;
  private readonly server: Server;
  private readonly closing = new AbortController();
  private readonly tokenCache = new Map<string, number>();
  private state: ReplicaState;
  private readyAt = 0;
  private lastActivity: number;
  private seq = 0;
  private inFlight = 0;
  private readonly s = {
    requests: {} as Record<string, number>,
    total: 0,
    resets: 0,
    stalls: 0,
    maxInFlight: 0,
    promptTokens: 0,
    completionTokens: 0,
    coldStarts: 0,
  };

  constructor(o: EmulatorOptions) {
    this.o = o;
    this.clock = new EmulatedClock(o.timeScale);
    this.gpu = new GpuScheduler(this.clock, () => this.o.gpu);
    this.state = o.startCold ? "cold" : "warm";
    this.lastActivity = this.clock.now();
    this.server = createServer((req, res) => {
      this.route(req, res).catch((err: unknown) => {
        if (!res.headersSent) this.send(res, 500, { error: String(err), error_type: "emulator" });
      });
    });
    this.server.keepAliveTimeout = 60_000;
  }

  listen(): Promise<EmulatorHandle> {
    // Start loading the tokenizer now so the first request does not pay for it.
    if (!this.o.countTokens) void loadDefaultCounter(this.o.log);
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
    this.closing.abort();
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
      inFlight: this.inFlight,
      queued: this.gpu.queued,
      running: this.gpu.running,
      totalTokens: this.s.promptTokens + this.s.completionTokens,
      state: this.state,
    };
  }

  // ---- replica lifecycle (lazy: evaluated on each request, no background timers) ----

  private refreshState(): void {
    const now = this.clock.now();
    // One real millisecond of slack: a request held until readyAt must find the replica ready.
    if (this.state === "starting" && now + this.clock.timeScale >= this.readyAt) {
      this.state = "warm";
      this.lastActivity = now;
    } else if (this.state === "warm" && this.o.idleTimeoutS > 0 && this.inFlight === 0 && now - this.lastActivity >= this.o.idleTimeoutS * 1000) {
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
      await this.clock.sleep(wait, this.closing.signal);
      return this.isWarm();
    }
    return false;
  }

  // ---- HTTP ----

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    const isChat = req.method === "POST" && path === "/v1/chat/completions";
    if (isChat) {
      this.s.total++;
      res.once("finish", () => this.count(res.statusCode));
    }
    if (!this.authorized(req, res)) return;
    if (path === "/metrics" && req.method === "GET") return this.metrics(res);
    const known = isChat || (req.method === "GET" && ["/health", "/info", "/v1/models"].includes(path));
    if (!known) return this.send(res, 404, { error: `not found: ${req.method} ${path}`, error_type: "not_found" });
    if (!(await this.gate(req))) {
      if (this.closing.signal.aborted) return void res.destroy();
      return this.send(res, 503, { error: "Service Unavailable: the endpoint is scaled to zero and a replica is starting", error_type: "unavailable" });
    }
    this.lastActivity = this.clock.now();
    if (path === "/health") return this.send(res, 200, "");
    if (path === "/info") return this.send(res, 200, this.info());
    if (path === "/v1/models") return this.send(res, 200, this.models());
    return this.chat(req, res, body);
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

  private async chat(req: IncomingMessage, res: ServerResponse, raw: string): Promise<void> {
    const n = ++this.seq;
    this.inFlight++;
    this.s.maxInFlight = Math.max(this.s.maxInFlight, this.inFlight);
    const ac = new AbortController();
    const onClose = (): void => {
      if (!res.writableFinished) ac.abort();
    };
    res.once("close", onClose);
    const onShutdown = (): void => ac.abort();
    this.closing.signal.addEventListener("abort", onShutdown, { once: true });
    try {
      if (this.inFlight > this.o.maxConcurrentRequests || isOverloaded(n, this.o.overloadRate, this.o.faultSeed)) {
        return this.send(res, 429, { error: "Model is overloaded", error_type: "overloaded" });
      }
      const parsed = parseChatBody(raw);
      const key = messagesKey(parsed.messages); // hashed once: token cache and answer both use it
      const inputTokens = await this.countPrompt(parsed.messages, key);
      // Emulated time starts after tokenization: the emulator's own CPU time is not the GPU's.
      const started = this.clock.now();
      if (inputTokens > this.o.maxInputTokens) {
        throw validation(`\`inputs\` must have less than ${this.o.maxInputTokens} tokens. Given: ${inputTokens}`);
      }
      const maxNew = parsed.maxTokens ?? this.o.maxTotalTokens - inputTokens;
      if (inputTokens + maxNew > this.o.maxTotalTokens) {
        throw validation(
          `\`inputs\` tokens + \`max_new_tokens\` must be <= ${this.o.maxTotalTokens}. Given: ${inputTokens} \`inputs\` tokens and ${maxNew} \`max_new_tokens\``,
        );
      }

      const stepHeader = req.headers[STEP_HEADER];
      const fault = pickFault(n, this.o, typeof stepHeader === "string" ? stepHeader : undefined);
      if (fault && (await this.applyFault(fault, req, res, ac.signal))) return;

      const force = fault === "truncated" || fault === "invalid_json" ? fault : undefined;
      const answer = composeAnswer(
        { messages: parsed.messages, messagesKey: key, ...(parsed.grammar ? { grammar: parsed.grammar } : {}) },
        { invalidJsonRate: this.o.invalidJsonRate, ...(force ? { force } : {}) },
      );
      const { text, finishReason, completionTokens } = applyMaxTokens(answer, maxNew);

      let timing: JobTiming = { queueMs: 0, inferenceMs: 0 };
      if (this.o.latency === "a100") {
        const t = await this.gpu.run(inputTokens, completionTokens, inputTokens + maxNew, ac.signal);
        if (!t) return void res.destroy(); // client went away or server closing
        timing = t;
      }
      this.lastActivity = this.clock.now();
      this.s.promptTokens += inputTokens;
      this.s.completionTokens += completionTokens;
      const totalMs = this.clock.now() - started;
      this.send(
        res,
        200,
        {
          object: "chat.completion",
          id: "",
          created: Math.floor(Date.now() / 1000),
          model: this.o.modelId,
          system_fingerprint: SYSTEM_FINGERPRINT,
          choices: [{ index: 0, message: { role: "assistant", content: text }, logprobs: null, finish_reason: finishReason }],
          usage: { prompt_tokens: inputTokens, completion_tokens: completionTokens, total_tokens: inputTokens + completionTokens },
        },
        {
          // As TGI: x-compute-time in seconds, the others in whole milliseconds.
          "x-compute-type": "1-nvidia-a100-80gb",
          "x-compute-time": (totalMs / 1000).toFixed(6),
          "x-compute-characters": String(parsed.chars),
          "x-total-time": String(Math.round(totalMs)),
          "x-validation-time": "0",
          "x-queue-time": String(Math.round(timing.queueMs)),
          "x-inference-time": String(Math.round(timing.inferenceMs)),
          "x-time-per-token": String(completionTokens > 0 ? Math.round(timing.inferenceMs / completionTokens) : 0),
          "x-prompt-tokens": String(inputTokens),
          "x-generated-tokens": String(completionTokens),
          "x-emulator-request": String(n),
        },
      );
    } catch (err) {
      if (err instanceof HttpError) return this.send(res, err.status, err.body);
      throw err;
    } finally {
      this.inFlight--;
      this.closing.signal.removeEventListener("abort", onShutdown);
      res.off("close", onClose);
    }
  }

  /** Returns true when the fault produced the whole response (false: it only alters the answer). */
  private async applyFault(kind: FaultKind, req: IncomingMessage, res: ServerResponse, signal: AbortSignal): Promise<boolean> {
    switch (kind) {
      case "500":
        this.send(res, 500, { error: "Incomplete generation", error_type: "incomplete_generation" });
        return true;
      case "502":
        this.send(res, 502, "Bad Gateway");
        return true;
      case "504":
        this.send(res, 504, "Gateway Timeout");
        return true;
      case "424":
        this.send(res, 424, { error: "Request failed during generation: Server error: CUDA error: an illegal memory access was encountered", error_type: "generation" });
        return true;
      case "reset":
        this.s.resets++;
        req.socket.destroy();
        return true;
      case "stall":
        // Accept and never answer: held until the client gives up or the server closes.
        this.s.stalls++;
        if (!signal.aborted) await new Promise<void>((r) => signal.addEventListener("abort", () => r(), { once: true }));
        res.destroy();
        return true;
      case "truncated":
      case "invalid_json":
        return false;
    }
  }

  private async countPrompt(messages: ChatMessage[], key: string): Promise<number> {
    const hit = this.tokenCache.get(key);
    if (hit !== undefined) return hit;
    const counter = this.o.countTokens ?? (await loadDefaultCounter(this.o.log));
    const n = await counter(messages);
    if (this.tokenCache.size >= 20_000) this.tokenCache.clear();
    this.tokenCache.set(key, n);
    return n;
  }

  private count(status: number): void {
    const k = String(status);
    this.s.requests[k] = (this.s.requests[k] ?? 0) + 1;
  }

  private info(): Record<string, unknown> {
    return {
      model_id: this.o.modelId,
      model_sha: MODEL_SHA,
      model_pipeline_tag: "text-generation",
      model_dtype: "torch.bfloat16",
      model_device_type: "cuda",
      max_concurrent_requests: this.o.maxConcurrentRequests,
      max_best_of: 2,
      max_stop_sequences: 4,
      max_input_tokens: this.o.maxInputTokens,
      max_total_tokens: this.o.maxTotalTokens,
      validation_workers: 2,
      max_client_batch_size: 4,
      router: "text-generation-router",
      version: SYSTEM_FINGERPRINT.split("-")[0],
      sha: SYSTEM_FINGERPRINT.split("-").pop(),
      docker_label: `sha-${SYSTEM_FINGERPRINT.split("-").pop() ?? ""}`,
      // Not a TGI field (clients ignore unknown ones): lets the harness label runs against a standalone
      // emulator as emulator figures, never as MedGemma's.
      emulator: true,
    };
  }

  private models(): Record<string, unknown> {
    return { object: "list", data: [{ id: this.o.modelId, object: "model", created: 0, owned_by: this.o.modelId }] };
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
      ["emulator_replica_ready", "gauge", st.state === "warm" ? 1 : 0],
    ];
    const lines = [
      "# HELP emulator_requests_total Chat completion responses by HTTP status.",
      "# TYPE emulator_requests_total counter",
      ...Object.entries(st.requests).map(([code, v]) => `emulator_requests_total{status="${code}"} ${v}`),
      ...series.flatMap(([name, type, value]) => [`# TYPE ${name} ${type}`, `${name} ${value}`]),
      "",
    ];
    res.writeHead(200, { "content-type": "text/plain; version=0.0.4" });
    res.end(lines.join("\n"));
  }

  private send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    if (res.headersSent || res.destroyed) return;
    const text = typeof body === "string" ? body : JSON.stringify(body);
    res.writeHead(status, { ...(typeof body === "string" ? { "content-type": "text/plain" } : JSON_HEADERS), ...headers });
    res.end(text);
  }
}

// ---- request parsing (pure) ----

interface ParsedChat {
  messages: ChatMessage[];
  maxTokens: number | undefined;
  grammar: JsonSchema | undefined;
  /** Characters of message content (x-compute-characters). */
  chars: number;
}

/** Validates the body like TGI's chat route would; throws HttpError with TGI's status and message. */
export function parseChatBody(raw: string): ParsedChat {
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch (e) {
    throw new HttpError(400, `Failed to parse the request body as JSON: ${(e as Error).message}`);
  }
  if (!isRecord(body)) throw new HttpError(422, "Failed to deserialize the JSON body into the target type: expected a JSON object");
  if (body.stream === true) throw validation("streaming not supported by emulator");
  const topP = body.top_p;
  if (typeof topP === "number" && (topP <= 0 || topP >= 1)) throw validation("`top_p` must be > 0.0 and < 1.0");
  const temp = body.temperature;
  if (typeof temp === "number" && temp < 0) throw validation("`temperature` must be strictly positive");
  const maxTokens = body.max_tokens ?? body.max_completion_tokens;
  if (maxTokens !== undefined && maxTokens !== null && (typeof maxTokens !== "number" || !Number.isInteger(maxTokens) || maxTokens < 0)) {
    throw new HttpError(422, "Failed to deserialize the JSON body into the target type: max_tokens: invalid value");
  }
  if (maxTokens === 0) throw validation("`max_new_tokens` must be strictly positive");
  if (!Array.isArray(body.messages) || body.messages.length === 0) {
    throw new HttpError(422, "Failed to deserialize the JSON body into the target type: missing field `messages`");
  }
  let chars = 0;
  const messages: ChatMessage[] = body.messages.map((m: unknown) => {
    if (!isRecord(m) || typeof m.role !== "string") throw new HttpError(422, "Failed to deserialize the JSON body into the target type: messages: invalid message");
    const content = contentText(m.content);
    chars += content.length;
    return { role: m.role as ChatMessage["role"], content };
  });
  const rf = body.response_format;
  let grammar: JsonSchema | undefined;
  if (isRecord(rf)) {
    if ((rf.type === "json" || rf.type === "json_object") && isRecord(rf.value)) grammar = rf.value;
    else if (rf.type === "json_schema" && isRecord(rf.json_schema) && isRecord(rf.json_schema.schema)) grammar = rf.json_schema.schema;
    else if (rf.type !== "text") throw new HttpError(422, "Failed to deserialize the JSON body into the target type: response_format: invalid grammar");
  }
  return { messages, maxTokens: typeof maxTokens === "number" ? maxTokens : undefined, grammar, chars };
}

/** OpenAI content may be a string or an array of parts; TGI concatenates the text parts. */
function contentText(c: unknown): string {
  if (typeof c === "string") return c;
  if (Array.isArray(c)) return c.map((p) => (isRecord(p) && typeof p.text === "string" ? p.text : "")).join("");
  return "";
}

/** Applies max_tokens: completion tokens are ceil(chars/4); a cut answer finishes with "length". */
export function applyMaxTokens(a: Answer, maxTokens: number): { text: string; finishReason: "stop" | "length"; completionTokens: number } {
  const tokens = approxTokens(a.text);
  if (tokens <= maxTokens) return { text: a.text, finishReason: a.finishReason, completionTokens: tokens };
  const text = cutToTokens(a.text, maxTokens);
  return { text, finishReason: "length", completionTokens: approxTokens(text) };
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}
