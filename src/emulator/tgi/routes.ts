// TGI 3.3's generation routes on top of the emulator core: /v1/chat/completions (plain and streamed),
// /generate, /generate_stream and /chat_tokenize, each in TGI's order of checks (see the README table):
// deserialize → chat template → concurrency permit (429) → parameters → lengths → grammar → generate.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ChatMessage } from "../../endpoint/types.js";
import { approxTokens, composeAnswer, cutToTokens, messagesKey, type Answer } from "../answer.js";
import { abortOnClose, type EngineCore, type EngineRoutes } from "../core.js";
import type { JobTiming } from "../latency.js";
import type { FaultKind } from "../options.js";
import { generationError, HttpError, incompleteGeneration, overloaded, tgiErrorEvent, unhealthy } from "./errors.js";
import { grammarSchema, readChatRequest, readGenerateRequest, type GenParams } from "./request.js";
import { contentChunk, SseWriter, streamHeaders, tokenPieces, usageChunk, type ChunkMeta } from "./stream.js";
import { applyChatTemplate } from "./template.js";
import { generatedTokens, validateGrammar, validateLength, validateParams, type ValidationLimits } from "./validate.js";
import { isOverloaded } from "../faults.js";

export const TGI_VERSION = "3.3.6";
export const TGI_SHA = "3c5ff9a";
export const SYSTEM_FINGERPRINT = `${TGI_VERSION}-sha-${TGI_SHA}`;
const MODEL_SHA = "5f31de3c9d0b7a0c2a0c5a1c8f1c3e5b9d7a6e42";
const COMPUTE_TYPE = "1-nvidia-a100-80gb";
/** The shard error a `424` fault reports (a CUDA fault fails the whole batch). */
const SHARD_ERROR = "Server error: CUDA error: an illegal memory access was encountered";

/** TGI's finish reasons (FinishReason::format(true): EOS → "stop"). */
type Finish = "stop" | "length" | "stop_sequence";

export interface Generation {
  text: string;
  finish: Finish;
  tokens: number;
}

/**
 * What the emulated model generates under TGI's limits: the answer cut at the first stop sequence
 * (kept, finish "stop_sequence"), then at the token limit TGI's 1024-token chunking allows.
 */
export function generation(a: Answer, inputTokens: number, p: Pick<GenParams, "stop" | "maxNewTokens">, limits: ValidationLimits): Generation {
  let text = a.text;
  let finish: Finish = a.finishReason === "length" ? "length" : "stop";
  let cut = -1;
  for (const s of p.stop) {
    const i = s === "" ? -1 : text.indexOf(s);
    if (i >= 0 && (cut < 0 || i + s.length < cut)) cut = i + s.length;
  }
  if (cut >= 0) {
    text = text.slice(0, cut);
    finish = "stop_sequence";
  }
  const g = generatedTokens(inputTokens, approxTokens(text), p.maxNewTokens, limits);
  if (g.length) {
    text = cutToTokens(text, g.tokens);
    finish = "length";
  }
  return { text, finish, tokens: approxTokens(text) };
}

/** The `model` echo rule (chat_completions): "tgi" or absent → the served model id; anything else verbatim. */
export function echoModel(requested: string | null, servedId: string): string {
  return requested === null || requested === "tgi" ? servedId : requested;
}

/** TGI's /info for the emulated deployment. */
export function tgiInfo(o: EngineCore["o"]): Record<string, unknown> {
  return {
    model_id: o.modelId,
    model_sha: MODEL_SHA,
    model_pipeline_tag: "text-generation",
    model_dtype: "torch.bfloat16",
    model_device_type: "cuda",
    max_concurrent_requests: o.maxConcurrentRequests,
    max_best_of: 2,
    max_stop_sequences: 4,
    max_input_tokens: o.maxInputTokens,
    max_total_tokens: o.maxTotalTokens,
    validation_workers: 2,
    max_client_batch_size: 4,
    router: "text-generation-router",
    version: TGI_VERSION,
    sha: TGI_SHA,
    docker_label: `sha-${TGI_SHA}`,
    // Not a TGI field (clients ignore unknown ones): lets the harness label runs against a standalone
    // emulator as emulator figures, never as MedGemma's.
    emulator: true,
  };
}

interface Prepared {
  messages: ChatMessage[];
  inputTokens: number;
  params: GenParams;
  grammar: Record<string, unknown> | undefined;
  fault: FaultKind | null;
  n: number;
}

export class TgiRoutes implements EngineRoutes {
  readonly generationPaths: ReadonlySet<string> = new Set(["/v1/chat/completions", "/generate", "/generate_stream"]);
  private seq = 0;

  constructor(private readonly core: EngineCore) {}

  /** TGI's saturation gauges (router/src/infer/mod.rs, backends/v3/src/queue.rs): queue depth and batch size. */
  metricsLines(s: { queued: number; running: number }): string[] {
    return ["# TYPE tgi_queue_size gauge", `tgi_queue_size ${s.queued}`, "# TYPE tgi_batch_current_size gauge", `tgi_batch_current_size ${s.running}`];
  }

  private get limits(): ValidationLimits {
    const o = this.core.o;
    return { maxInputTokens: o.maxInputTokens, maxTotalTokens: o.maxTotalTokens, maxStopSequences: 4, maxTopNTokens: 5, maxBestOf: 2 };
  }

  async handle(req: IncomingMessage, res: ServerResponse, path: string, body: string): Promise<boolean> {
    const get = req.method === "GET";
    if (get && (path === "/health" || path === "/ping" || path === "/")) {
      if (this.core.unhealthy()) this.fail(res, unhealthy());
      else this.core.send(res, 200, "");
      return true;
    }
    if (get && path === "/info") return this.core.send(res, 200, this.core.info()), true;
    if (get && path === "/v1/models") {
      const id = this.core.o.modelId;
      return this.core.send(res, 200, { object: "list", data: [{ id, object: "model", created: 0, owned_by: id }] }), true;
    }
    if (req.method !== "POST") return false;
    try {
      if (path === "/v1/chat/completions") await this.chat(req, res, body);
      else if (path === "/generate" || path === "/generate_stream") await this.generate(req, res, body, path === "/generate_stream");
      else if (path === "/chat_tokenize") await this.chatTokenize(res, body);
      else return false;
    } catch (err) {
      if (!(err instanceof HttpError)) throw err;
      this.fail(res, err);
    }
    return true;
  }

  private fail(res: ServerResponse, err: HttpError): void {
    this.core.send(res, err.status, err.body);
  }

  /** The concurrency permit (infer/mod.rs generate_stream: try_acquire before validation). */
  private permit(n: number): void {
    const o = this.core.o;
    if (this.core.inFlight() > o.maxConcurrentRequests || isOverloaded(n, o.overloadRate, o.faultSeed)) throw overloaded();
  }

  /** Permit, parameters, lengths, grammar — the part of a request that fails inside a stream. */
  private async validate(n: number, messages: ChatMessage[], params: GenParams, countInput: () => Promise<number>, empty = false): Promise<Omit<Prepared, "fault">> {
    this.permit(n);
    validateParams(params, this.limits, empty);
    const inputTokens = await countInput();
    validateLength(inputTokens, params.maxNewTokens, this.limits);
    const schema = validateGrammar(params.grammar);
    const grammar = schema !== null && typeof schema === "object" ? (schema as Record<string, unknown>) : grammarSchema(params.grammar);
    return { messages, inputTokens, params, grammar, n };
  }

  private compose(p: Prepared): Generation {
    const force = p.fault === "truncated" || p.fault === "invalid_json" ? p.fault : undefined;
    const answer = composeAnswer(
      {
        messages: p.messages,
        messagesKey: messagesKey(p.messages),
        ...(p.grammar ? { grammar: p.grammar } : {}),
        ...(p.params.doSample ? { sampling: { temperature: p.params.temperature, seed: p.params.seed } } : {}),
      },
      { invalidJsonRate: this.core.o.invalidJsonRate, style: this.core.o.responseStyle, ...(force ? { force } : {}) },
    );
    return generation(answer, p.inputTokens, p.params, this.limits);
  }

  /**
   * Faults the proxy or the connection produce before any byte of a TGI answer (502/504 are the
   * proxy's, reset/stall the connection's). Returns true when the fault produced the whole response.
   */
  private async proxyFault(kind: FaultKind | null, req: IncomingMessage, res: ServerResponse, signal: AbortSignal): Promise<boolean> {
    switch (kind) {
      case "502":
        this.core.send(res, 502, "Bad Gateway");
        return true;
      case "504":
        this.core.send(res, 504, "Gateway Timeout");
        return true;
      case "reset":
        this.core.countFault("reset");
        req.socket.destroy();
        return true;
      case "stall":
        // Accept and never answer: held until the client gives up or the server closes.
        this.core.countFault("stall");
        if (!signal.aborted) await new Promise<void>((r) => signal.addEventListener("abort", () => r(), { once: true }));
        res.destroy();
        return true;
      default:
        return false;
    }
  }

  /** Runs a generation on the emulated GPU; resolves null when the client left, throws 424 when the batch broke. */
  private async run(p: Prepared, g: Generation, signal: AbortSignal, onTokens?: (done: number) => void): Promise<JobTiming | null> {
    if (p.fault === "424") {
      // A shard error fails every sequence of the running batch, this one included.
      this.core.breakBatch();
      throw generationError(SHARD_ERROR);
    }
    if (p.fault === "500") throw incompleteGeneration();
    if (this.core.o.latency !== "a100") return { queueMs: 0, inferenceMs: 0 };
    const chunk = Math.min(p.params.maxNewTokens ?? this.limits.maxTotalTokens - p.inputTokens, 1024);
    const progress = onTokens ? { every: Math.max(1, Math.ceil(g.tokens / 16)), onTokens } : undefined;
    const t = await this.core.gpu.run(p.inputTokens, g.tokens, p.inputTokens + chunk, signal, progress);
    if (t?.failed) throw generationError(SHARD_ERROR);
    return t;
  }

  private abortOnClose(res: ServerResponse): AbortSignal {
    return abortOnClose(res, this.core.closing);
  }

  // ---- /v1/chat/completions ----

  private async chat(req: IncomingMessage, res: ServerResponse, raw: string): Promise<void> {
    const n = ++this.seq;
    const r = readChatRequest(raw);
    const rendered = applyChatTemplate(r.messages);
    const meta: ChunkMeta = { model: echoModel(r.model, this.core.o.modelId), systemFingerprint: SYSTEM_FINGERPRINT, created: Math.floor(Date.now() / 1000) };
    const signal = this.abortOnClose(res);
    const fault = this.core.pickFault(n, req);
    if (r.stream) return this.chatStream(req, res, r, rendered, meta, n, fault, signal);

    const p: Prepared = { ...(await this.validate(n, r.messages, r.params, () => this.core.countPrompt(r.messages, r.params.maxNewTokens))), fault };
    const started = this.core.clock.now();
    if (await this.proxyFault(fault, req, res, signal)) return;
    const g = this.compose(p);
    const t = await this.run(p, g, signal);
    if (!t) return void res.destroy(); // client went away or server closing
    this.core.served(p.inputTokens, g.tokens);
    const usage = { prompt_tokens: p.inputTokens, completion_tokens: g.tokens, total_tokens: p.inputTokens + g.tokens };
    this.core.send(
      res,
      200,
      {
        object: "chat.completion",
        id: "",
        created: meta.created,
        model: meta.model,
        system_fingerprint: meta.systemFingerprint,
        choices: [{ index: 0, message: { role: "assistant", content: g.text }, logprobs: null, finish_reason: g.finish }],
        usage,
      },
      { ...this.timingHeaders(this.core.clock.now() - started, t, rendered.length, p.inputTokens, g.tokens), "x-emulator-request": String(n) },
    );
  }

  /** generate_internal's headers: x-compute-time in seconds, the others in whole milliseconds. */
  private timingHeaders(totalMs: number, t: JobTiming, chars: number, input: number, generated: number): Record<string, string> {
    return {
      "x-compute-type": COMPUTE_TYPE,
      "x-compute-time": (totalMs / 1000).toFixed(6),
      "x-compute-characters": String(chars),
      "x-total-time": String(Math.round(totalMs)),
      "x-validation-time": "0",
      "x-queue-time": String(Math.round(t.queueMs)),
      "x-inference-time": String(Math.round(t.inferenceMs)),
      "x-time-per-token": String(generated > 0 ? Math.round(t.inferenceMs / generated) : 0),
      "x-prompt-tokens": String(input),
      "x-generated-tokens": String(generated),
    };
  }

  private async chatStream(
    req: IncomingMessage,
    res: ServerResponse,
    r: ReturnType<typeof readChatRequest>,
    rendered: string,
    meta: ChunkMeta,
    n: number,
    fault: FaultKind | null,
    signal: AbortSignal,
  ): Promise<void> {
    // Proxy and connection faults happen before TGI's 200; everything after it is an SSE event.
    if (await this.proxyFault(fault, req, res, signal)) return;
    const sse = new SseWriter(res);
    sse.start(200, streamHeaders(COMPUTE_TYPE, rendered.length));
    try {
      const p: Prepared = { ...(await this.validate(n, r.messages, r.params, () => this.core.countPrompt(r.messages, r.params.maxNewTokens))), fault };
      const g = this.compose(p);
      const pieces = tokenPieces(g.text);
      let sent = 0;
      const emitUpTo = (k: number): void => {
        for (; sent < Math.min(k, pieces.length); sent++) sse.data(contentChunk(meta, pieces[sent]!, null));
      };
      if (fault === "424" || fault === "500") {
        // The failure lands mid-generation: half the tokens are out when the batch breaks.
        emitUpTo(Math.floor(pieces.length / 2));
        await this.run(p, g, signal);
      }
      const t = await this.run(p, g, signal, emitUpTo);
      if (!t) return void res.destroy();
      this.core.served(p.inputTokens, g.tokens);
      // The last token carries finish_reason; an EOS token is special, so its content is empty.
      if (g.finish === "stop") {
        emitUpTo(pieces.length);
        sse.data(contentChunk(meta, "", "stop"));
      } else {
        emitUpTo(pieces.length - 1);
        sse.data(contentChunk(meta, pieces.at(-1) ?? "", g.finish));
      }
      if (r.includeUsage) sse.data(usageChunk(meta, { prompt_tokens: p.inputTokens, completion_tokens: g.tokens, total_tokens: p.inputTokens + g.tokens }));
    } catch (err) {
      if (!(err instanceof HttpError)) throw err;
      sse.error(err);
    }
    sse.done();
  }

  // ---- /generate, /generate_stream ----

  private async generate(req: IncomingMessage, res: ServerResponse, raw: string, stream: boolean): Promise<void> {
    const n = ++this.seq;
    const r = readGenerateRequest(raw, stream);
    const messages: ChatMessage[] = [{ role: "user", content: r.inputs }];
    const signal = this.abortOnClose(res);
    const fault = this.core.pickFault(n, req);
    if (await this.proxyFault(fault, req, res, signal)) return;
    // The tokenizer adds <bos> to raw inputs.
    const count = async (): Promise<number> => (await this.core.countText(r.inputs)) + 1;
    if (!stream) {
      const p: Prepared = { ...(await this.validate(n, messages, r.params, count, r.inputs === "")), fault };
      const started = this.core.clock.now();
      const g = this.compose(p);
      const t = await this.run(p, g, signal);
      if (!t) return void res.destroy();
      this.core.served(p.inputTokens, g.tokens);
      const text = r.params.returnFullText ? r.inputs + g.text : g.text;
      const details = { finish_reason: g.finish === "stop" ? "eos_token" : g.finish, generated_tokens: g.tokens, seed: r.params.seed, prefill: [], tokens: [] };
      this.core.send(res, 200, { generated_text: text, ...(r.params.details ? { details } : {}) }, this.timingHeaders(this.core.clock.now() - started, t, r.inputs.length, p.inputTokens, g.tokens));
      return;
    }
    const sse = new SseWriter(res);
    sse.start(200, streamHeaders(COMPUTE_TYPE, r.inputs.length));
    try {
      const p: Prepared = { ...(await this.validate(n, messages, r.params, count, r.inputs === "")), fault };
      const g = this.compose(p);
      const pieces = tokenPieces(g.text);
      let sent = 0;
      const token = (i: number, special = false) => ({ id: i, text: special ? "<end_of_turn>" : (pieces[i] ?? ""), logprob: 0, special });
      const emitUpTo = (k: number): void => {
        for (; sent < Math.min(k, pieces.length - 1); sent++) sse.data({ index: sent + 1, token: token(sent), generated_text: null, details: null });
      };
      const t = await this.run(p, g, signal, emitUpTo);
      if (!t) return void res.destroy();
      this.core.served(p.inputTokens, g.tokens);
      emitUpTo(pieces.length - 1);
      const details = r.params.details ? { finish_reason: g.finish === "stop" ? "eos_token" : g.finish, generated_tokens: g.tokens, seed: r.params.seed, input_length: p.inputTokens } : null;
      sse.data({ index: pieces.length, token: token(pieces.length - 1, g.finish === "stop"), generated_text: g.text, details });
    } catch (err) {
      if (!(err instanceof HttpError)) throw err;
      sse.data(tgiErrorEvent(err));
    }
    if (sse.open) res.end();
  }

  // ---- /chat_tokenize ----

  /** The templated prompt and its tokens (server.rs get_chat_tokenize; no offsets → empty token texts, as TGI). */
  private async chatTokenize(res: ServerResponse, raw: string): Promise<void> {
    const r = readChatRequest(raw);
    const rendered = applyChatTemplate(r.messages);
    const ids = await this.core.encodePrompt(r.messages, rendered);
    this.core.send(res, 200, { tokenize_response: ids.map((id) => ({ id, text: "", start: 0, stop: 0 })), templated_text: rendered });
  }
}
