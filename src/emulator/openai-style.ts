// Routes of the OpenAI-style engines (vLLM, SGLang) on top of the emulator core. Both are FastAPI servers
// with pydantic request models, so they share the order of checks — body → fields and ranges (400) →
// model id (vLLM: 404) → chat template + token count → context length (400) → generate — and the SSE
// shape; what differs (routes, error bodies, wording, limits rule, metrics) is a Dialect, one per engine
// folder (vllm/dialect.ts, sglang/dialect.ts). Unlike TGI, every validation error is an HTTP error even
// with stream: true (they run before the response starts); only generation failures arrive inside a 200
// stream. Neither engine answers 429: requests beyond the batch wait in the scheduler's queue.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ChatMessage } from "../endpoint/types.js";
import { composeAnswer, messagesKey } from "./answer.js";
import { abortOnClose, type EngineCore, type EngineRoutes } from "./core.js";
import type { FaultKind } from "./options.js";
import { applyMaxTokens } from "./server.js";
import { HttpError } from "./tgi/errors.js";
import { contentChunk, SseWriter, tokenPieces, usageChunk, type ChunkMeta } from "./tgi/stream.js";

/** What one engine's wire behaviour fixes. */
export interface Dialect {
  name: "vllm" | "sglang";
  /** Error body for a status and message (vLLM: {"error": {...}}; SGLang: {"object":"error", ...}). */
  error(status: number, message: string, type: string, param?: string | null): HttpError;
  /** The SSE error event for a failure after the 200 (both wrap it in {"error": …}). */
  streamError(err: HttpError): unknown;
  /** Rejects a model id the engine does not serve (vLLM 404), or null to accept anything (SGLang). */
  checkModel(model: string | null, served: string): HttpError | null;
  /** Context-length checks in the engine's order and wording. */
  checkLength(inputTokens: number, maxTokens: number | null, contextLen: number): HttpError | null;
  /** Range checks for max_tokens / temperature / top_p in the engine's wording, or null. */
  checkRanges(p: { maxTokens: number | null; temperature: number | null; topP: number | null }): string | null;
  /** GET routes other than /health and /v1/models (vLLM /version; SGLang /get_model_info, /get_server_info). */
  info(core: EngineCore, path: string): unknown | undefined;
  /** The /v1/models card. */
  modelCard(core: EngineCore): Record<string, unknown>;
  /** POST /tokenize, when the engine has one in this emulator. */
  tokenize?(core: EngineCore, body: Record<string, unknown>, count: number): Record<string, unknown>;
  /** Prometheus lines: queue, running, KV use. */
  metrics(core: EngineCore, s: { queued: number; running: number; kvUse: number }): string[];
  systemFingerprint: string | null;
}

interface ChatReq {
  model: string | null;
  messages: ChatMessage[];
  maxTokens: number | null;
  temperature: number | null;
  topP: number | null;
  stream: boolean;
  includeUsage: boolean;
  schema: Record<string, unknown> | undefined;
}

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === "object" && x !== null && !Array.isArray(x);

/** Pydantic-style reading of a chat request; throws the dialect's 400. */
export function readOpenAiChat(raw: string, d: Dialect): ChatReq {
  const bad = (msg: string) => d.error(400, msg, "BadRequestError");
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch (e) {
    throw bad(`JSON decode error: ${(e as Error).message}`);
  }
  if (!isRecord(body)) throw bad("Input should be a valid dictionary or object to extract fields from");
  if (!Array.isArray(body.messages) || body.messages.length === 0) throw bad("messages: Field required (a non-empty list of messages)");
  const messages: ChatMessage[] = body.messages.map((m: unknown, i: number) => {
    if (!isRecord(m) || typeof m.role !== "string") throw bad(`messages.${i}: Input should be a valid message with a role`);
    const c = m.content;
    const content = typeof c === "string" ? c : Array.isArray(c) ? c.map((p) => (isRecord(p) && typeof p.text === "string" ? p.text : "")).join("") : null;
    if (content === null) throw bad(`messages.${i}.content: Input should be a valid string or list of content parts`);
    return { role: m.role as ChatMessage["role"], content };
  });
  const num = (k: string): number | null => {
    const v = body[k];
    if (v === undefined || v === null) return null;
    if (typeof v !== "number" || !Number.isFinite(v)) throw bad(`${k}: Input should be a valid number`);
    return v;
  };
  const maxRaw = num("max_completion_tokens") ?? num("max_tokens");
  if (maxRaw !== null && !Number.isInteger(maxRaw)) throw bad("max_tokens: Input should be a valid integer");
  const seed = num("seed");
  if (seed !== null && !Number.isInteger(seed)) throw bad("seed: Input should be a valid integer");
  const temperature = num("temperature");
  const topP = num("top_p");
  const range = d.checkRanges({ maxTokens: maxRaw, temperature, topP });
  if (range) throw bad(range);
  if (body.stream !== undefined && typeof body.stream !== "boolean") throw bad("stream: Input should be a valid boolean");
  const so = body.stream_options;
  const includeUsage = isRecord(so) && so.include_usage === true;
  return {
    model: typeof body.model === "string" ? body.model : null,
    messages,
    maxTokens: maxRaw,
    temperature,
    topP,
    stream: body.stream === true,
    includeUsage,
    schema: readResponseFormat(body.response_format, bad),
  };
}

/** OpenAI's ResponseFormat: text | json_object | json_schema {name, schema}. TGI's {type: "json", value} is refused. */
function readResponseFormat(rf: unknown, bad: (m: string) => HttpError): Record<string, unknown> | undefined {
  if (rf === undefined || rf === null) return undefined;
  if (!isRecord(rf)) throw bad("response_format: Input should be a valid dictionary");
  if (rf.type === "text") return undefined;
  if (rf.type === "json_object") return { type: "object" };
  if (rf.type === "json_schema") {
    const js = rf.json_schema;
    if (!isRecord(js)) throw bad("response_format.json_schema: Field required");
    if (typeof js.name !== "string") throw bad("response_format.json_schema.name: Field required");
    const schema = js.schema;
    if (schema !== undefined && schema !== null && !isRecord(schema)) throw bad("response_format.json_schema.schema: Input should be a valid dictionary");
    return isRecord(schema) ? schema : { type: "object" };
  }
  throw bad(`response_format.type: Input should be 'text', 'json_object' or 'json_schema' (got ${JSON.stringify(rf.type)})`);
}

export class OpenAiStyleRoutes implements EngineRoutes {
  readonly generationPaths: ReadonlySet<string> = new Set(["/v1/chat/completions"]);
  private seq = 0;

  constructor(
    private readonly core: EngineCore,
    private readonly d: Dialect,
  ) {}

  /** max_model_len (vLLM) / context_length (SGLang): the deployment's total-token limit. */
  private get contextLen(): number {
    return this.core.o.maxTotalTokens;
  }

  metricsLines(s: { queued: number; running: number }): string[] {
    const kvUse = Math.min(1, s.running > 0 ? this.core.gpu.running / Math.max(1, this.core.o.maxConcurrentRequests) : 0);
    return this.d.metrics(this.core, { queued: s.queued, running: s.running, kvUse });
  }

  async handle(req: IncomingMessage, res: ServerResponse, path: string, body: string): Promise<boolean> {
    if (req.method === "GET") {
      if (path === "/health") return this.core.send(res, 200, ""), true;
      if (path === "/v1/models") return this.core.send(res, 200, { object: "list", data: [this.d.modelCard(this.core)] }), true;
      const doc = this.d.info(this.core, path);
      if (doc !== undefined) return this.core.send(res, 200, doc), true;
      return false;
    }
    if (req.method !== "POST") return false;
    try {
      if (path === "/v1/chat/completions") await this.chat(req, res, body);
      else if (path === "/tokenize" && this.d.tokenize) await this.tokenize(res, body);
      else return false;
    } catch (err) {
      if (!(err instanceof HttpError)) throw err;
      this.core.send(res, err.status, err.body);
    }
    return true;
  }

  private async tokenize(res: ServerResponse, raw: string): Promise<void> {
    const r = readOpenAiChat(raw, this.d);
    const count = await this.core.countPrompt(r.messages);
    this.core.send(res, 200, this.d.tokenize!(this.core, JSON.parse(raw) as Record<string, unknown>, count));
  }

  /** Faults of the proxy or the connection, before any byte of the engine's answer. True: the response is done. */
  private async proxyFault(kind: FaultKind | null, req: IncomingMessage, res: ServerResponse, signal: AbortSignal): Promise<boolean> {
    if (kind === "502") return this.core.send(res, 502, "Bad Gateway"), true;
    if (kind === "504") return this.core.send(res, 504, "Gateway Timeout"), true;
    if (kind === "reset") {
      this.core.countFault("reset");
      req.socket.destroy();
      return true;
    }
    if (kind === "stall") {
      this.core.countFault("stall");
      if (!signal.aborted) await new Promise<void>((r) => signal.addEventListener("abort", () => r(), { once: true }));
      res.destroy();
      return true;
    }
    return false;
  }

  private abortOnClose(res: ServerResponse): AbortSignal {
    return abortOnClose(res, this.core.closing);
  }

  private async chat(req: IncomingMessage, res: ServerResponse, raw: string): Promise<void> {
    const n = ++this.seq;
    const r = readOpenAiChat(raw, this.d);
    const served = this.core.o.modelId;
    const modelErr = this.d.checkModel(r.model, served);
    if (modelErr) throw modelErr;
    const inputTokens = await this.core.countPrompt(r.messages, r.maxTokens);
    const lenErr = this.d.checkLength(inputTokens, r.maxTokens, this.contextLen);
    if (lenErr) throw lenErr;
    const maxNew = r.maxTokens ?? this.contextLen - inputTokens;
    const signal = this.abortOnClose(res);
    const fault = this.core.pickFault(n, req);
    if (await this.proxyFault(fault, req, res, signal)) return;

    const force = fault === "truncated" || fault === "invalid_json" ? fault : undefined;
    const answer = composeAnswer(
      { messages: r.messages, messagesKey: messagesKey(r.messages), ...(r.schema ? { grammar: r.schema } : {}) },
      { invalidJsonRate: this.core.o.invalidJsonRate, style: this.core.o.responseStyle, ...(force ? { force } : {}) },
    );
    const g = applyMaxTokens(answer, maxNew);
    const meta: ChunkMeta = { model: served, systemFingerprint: this.d.systemFingerprint ?? "", created: Math.floor(Date.now() / 1000) };
    const failure = fault === "424" || fault === "500" ? this.d.error(500, "Internal server error", "InternalServerError") : null;
    const usage = { prompt_tokens: inputTokens, completion_tokens: g.completionTokens, total_tokens: inputTokens + g.completionTokens };
    const gpu = async (onTokens?: (k: number) => void): Promise<boolean> => {
      if (this.core.o.latency !== "a100") return true;
      const progress = onTokens ? { every: Math.max(1, Math.ceil(g.completionTokens / 16)), onTokens } : undefined;
      const t = await this.core.gpu.run(inputTokens, g.completionTokens, inputTokens + maxNew, signal, progress);
      return t !== null && !t.failed;
    };

    if (!r.stream) {
      if (failure) throw failure;
      if (!(await gpu())) return void res.destroy();
      this.core.served(inputTokens, g.completionTokens);
      this.core.send(res, 200, {
        id: `chatcmpl-${n}`,
        object: "chat.completion",
        created: meta.created,
        model: meta.model,
        choices: [{ index: 0, message: { role: "assistant", content: g.text }, logprobs: null, finish_reason: g.finishReason }],
        usage,
      });
      return;
    }

    const sse = new SseWriter(res);
    sse.start(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache" });
    const pieces = tokenPieces(g.text);
    let sent = 0;
    const emitUpTo = (k: number): void => {
      for (; sent < Math.min(k, pieces.length); sent++) sse.data(chunk(meta, pieces[sent]!, null));
    };
    // The first chunk carries the role and no content (vLLM serving.py, SGLang serving_chat.py).
    sse.data(chunk(meta, "", null, true));
    if (failure) {
      // A generation failure lands mid-stream: half the tokens are out, then the error event.
      emitUpTo(Math.floor(pieces.length / 2));
      sse.data(this.d.streamError(failure));
      sse.done();
      return;
    }
    if (!(await gpu(emitUpTo))) return void res.destroy();
    this.core.served(inputTokens, g.completionTokens);
    emitUpTo(pieces.length);
    sse.data(chunk(meta, "", g.finishReason));
    if (r.includeUsage) sse.data({ ...usageChunk(meta, usage), id: `chatcmpl-${n}` });
    sse.done();
  }
}

function chunk(meta: ChunkMeta, content: string, finish: string | null, first = false): Record<string, unknown> {
  const c = contentChunk(meta, content, finish) as { choices: Array<{ delta: Record<string, unknown> }> } & Record<string, unknown>;
  c.choices[0]!.delta = first ? { role: "assistant", content: "" } : { content };
  delete c.usage;
  return c;
}
