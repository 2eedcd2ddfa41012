// ModelClient for TGI's OpenAI-compatible API on a Hugging Face Inference Endpoint, via the openai SDK.
//
// Retries are ours (the SDK's are off): exponential backoff with full jitter on 429 / 5xx / 424 /
// timeouts / connection errors, honouring Retry-After; other 4xx fail at once. 503 and refused
// connections mean "replica starting" and go through the shared cold-start gate (cold-start.ts)
// without consuming the retry budget.
//
// Accounting (CallStats):
// - latency_ms = active time of every attempt that reached the model side (the successful one and
//   the failed ones), EXCLUDING cold-start time and backoff sleeps: it measures the model, not our
//   waiting policy. Wall time is the runner's business (CaseRecord.wall_ms).
// - cold_ms = time waiting at the gate + the duration of the attempts answered 503 / refused; with
//   X-Scale-Up-Timeout, also the part of a successful attempt the proxy held (elapsed − TGI's x-total-time).
// - attempts = every HTTP attempt sent, 503s included; the retry budget counts only non-cold failures.
import { estimateChatTokens, estimateTokens } from "../tokenizer/estimate.js";
import OpenAI, { APIError } from "openai";
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionCreateParamsNonStreaming,
  ChatCompletionCreateParamsStreaming,
} from "openai/resources/chat/completions";
import { chatTokenBound, withinLimits } from "../tokenizer/bound.js";
import type { CallStats, EndpointInfo, ErrorClass, ServerTiming } from "../types.js";
import { ColdStartGate, ColdStartTimeoutError, defaultSleep, type Sleep } from "./cold-start.js";
import { engineProfile, type EngineProfile } from "./engines/index.js";
import { classifyThrown, errorText, isConnectionRefused, isPausedAnswer, isRetryable, parseRetryAfter, redact } from "./errors.js";
import { streamTimings } from "./stream-stats.js";
import { EndpointError, type ChatMessage, type ChatRequest, type ChatResult, type ModelClient } from "./types.js";

export type { Sleep } from "./cold-start.js";

export const AUTH_HINT = "the token needs access to the gated model google/medgemma-27b-text-it";
export const PAUSED_HINT =
  "the Inference Endpoint is paused: resume it (its page on ui.endpoints.huggingface.co → Resume, or huggingface_hub " +
  "InferenceEndpoint.resume()), wait until its status is Running, then run again";

export type ClientEvent =
  | { type: "retry"; attempt: number; errorClass: ErrorClass; status?: number; waitMs: number; tag?: ChatRequest["tag"] }
  | { type: "overloaded"; status: number; tag?: ChatRequest["tag"] }
  | { type: "cold_start_begin"; reason: string }
  | { type: "cold_start_end"; ok: boolean; ms: number }
  | { type: "success"; latencyMs: number; attempts: number; tag?: ChatRequest["tag"]; tokens?: CallStats["tokens"] };

export interface TokenLimits {
  maxInputTokens: number;
  maxTotalTokens: number;
}

export interface EndpointClientOptions {
  /** e.g. https://<id>.<region>.aws.endpoints.huggingface.cloud/v1 */
  baseUrl: string;
  apiKey: string;
  /** TGI serves one model; its id is "tgi". */
  model?: string;
  /** Always sent: TGI samples randomly when it is omitted; 0 = greedy. */
  temperature?: number;
  maxTokens?: number;
  seed?: number;
  requestTimeoutMs?: number;
  /** Retries per call after the first attempt (cold-start waits excluded). */
  maxRetries?: number;
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** Ask the HF proxy to hold requests while a replica starts (header X-Scale-Up-Timeout) instead of probing. */
  scaleUpTimeoutS?: number;
  coldStartTimeoutMs?: number;
  /** Prober delays (default 5 s growing ×1.5 to 30 s). */
  coldStartProbe?: { firstDelayMs?: number; maxDelayMs?: number };
  /** How many times one call may go back to the gate before a 503 counts as a server_error (default 5). */
  maxColdCycles?: number;
  limits?: TokenLimits | null;
  /** What differs per serving engine (structured output, error classes, …). Default: TGI. */
  profile?: EngineProfile;
  /**
   * Stream every call (usage requested via stream_options where the engine supports it): records TTFT,
   * decode rate and inter-token gaps; `requestTimeoutMs` then bounds the silence between chunks.
   */
  stream?: boolean;
  /**
   * Check input tokens before sending (needs `limits`). Default false. The UTF-8 byte bound is tried first
   * (tokenizer/bound.ts); the exact counter runs only when the bound cannot prove the request within the limits.
   */
  preflight?: boolean;
  /** Exact token counter for the preflight (default: the Gemma 3 tokenizer, loaded on first use). */
  countChatTokens?: (messages: ChatMessage[]) => Promise<number>;
  onEvent?: (e: ClientEvent) => void;
  sleep?: Sleep;
  /** Monotonic milliseconds. */
  now?: () => number;
  /** Jitter source in [0, 1). */
  random?: () => number;
  fetch?: typeof fetch;
}

export interface EndpointClient extends ModelClient {
  close(): void;
}

/** The endpoint's origin-level root: baseUrl without its trailing /v1 (where /health and /info live). */
export function endpointRoot(baseUrl: string): string {
  const trimmed = baseUrl.replace(/\/+$/, "");
  return trimmed.endsWith("/v1") ? trimmed.slice(0, -3) : new URL(trimmed).origin;
}

const INFO_TIMEOUT_MS = 10_000;

/** Headers for our own GETs (/info, /health); the openai SDK sets its own on chat calls. */
const authHeaders = (apiKey: string): Record<string, string> => (apiKey ? { authorization: `Bearer ${apiKey}` } : {});
/** TGI's timing headers (whole ms); undefined unless the queue and inference times are both there. */
export function serverTiming(h: { get(name: string): string | null }): ServerTiming | undefined {
  const ms = (name: string): number | undefined => {
    const v = h.get(name);
    const n = v === null ? Number.NaN : Number(v);
    return Number.isFinite(n) && n >= 0 ? n : undefined;
  };
  const queue = ms("x-queue-time");
  const inference = ms("x-inference-time");
  if (queue === undefined || inference === undefined) return undefined;
  return { validation_ms: ms("x-validation-time") ?? 0, queue_ms: queue, inference_ms: inference, time_per_token_ms: ms("x-time-per-token") ?? 0 };
}

/** Network + proxy overhead tolerated before the gap to TGI's x-total-time counts as a scale-up hold. */
const HELD_SLACK_MS = 2_000;

/** GET <root>/info; null when unavailable (cold, unauthorised, not TGI). Never throws. */
export async function fetchEndpointInfo(baseUrl: string, apiKey: string, fetchImpl: typeof fetch = fetch): Promise<EndpointInfo | null> {
  return (await readEndpointInfo(baseUrl, apiKey, fetchImpl)).info;
}

export interface InfoAnswer {
  info: EndpointInfo | null;
  /** HTTP status of the answer (absent when the request itself failed). */
  status?: number;
  /** The proxy says the endpoint is paused (400 "Bad Request: Invalid state"). */
  paused: boolean;
}

/** GET <root>/info with what the answer says about the endpoint's state. Never throws. */
export async function readEndpointInfo(baseUrl: string, apiKey: string, fetchImpl: typeof fetch = fetch): Promise<InfoAnswer> {
  try {
    const res = await fetchImpl(`${endpointRoot(baseUrl)}/info`, {
      headers: authHeaders(apiKey),
      signal: AbortSignal.timeout(INFO_TIMEOUT_MS),
    });
    if (!res.ok) {
      const text = await res.text().catch(() => "");
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // plain text body
      }
      return { info: null, status: res.status, paused: isPausedAnswer(res.status, body) };
    }
    const json: unknown = await res.json();
    return { info: json && typeof json === "object" && !Array.isArray(json) ? (json as EndpointInfo) : null, status: res.status, paused: false };
  } catch {
    return { info: null, paused: false };
  }
}

interface Failure {
  cls: ErrorClass;
  status?: number;
  message: string;
  retryAfterMs?: number;
  /** 503 or refused connection: the replica is (re)starting. */
  cold: boolean;
}

const blankStats = (): CallStats => ({
  latency_ms: 0,
  cold_ms: 0,
  tokens: { prompt: 0, completion: 0 },
  finish_reason: null,
  attempts: 0,
});

export function createEndpointClient(opts: EndpointClientOptions): EndpointClient {
  const model = opts.model ?? "tgi";
  const temperature = opts.temperature ?? 0;
  const requestTimeoutMs = opts.requestTimeoutMs ?? 300_000;
  const maxRetries = opts.maxRetries ?? 6;
  const retryBaseMs = opts.retryBaseMs ?? 1_000;
  const retryMaxMs = opts.retryMaxMs ?? 60_000;
  const coldStartTimeoutMs = opts.coldStartTimeoutMs ?? 20 * 60_000;
  const maxColdCycles = opts.maxColdCycles ?? 5;
  const sleep = opts.sleep ?? defaultSleep;
  const now = opts.now ?? (() => performance.now());
  const random = opts.random ?? Math.random;
  const fetchImpl = opts.fetch ?? fetch;
  const apiKey = opts.apiKey;
  const limits = opts.limits ?? null;
  const preflight = Boolean(opts.preflight && limits);
  const countTokens =
    opts.countChatTokens ?? (async (messages: ChatMessage[]) => (await import("../tokenizer/gemma.js")).countChatTokens(messages));
  const root = endpointRoot(opts.baseUrl);
  const profile = opts.profile ?? engineProfile("tgi");
  const stream = opts.stream === true;
  const scaleUp = opts.scaleUpTimeoutS !== undefined && opts.scaleUpTimeoutS > 0 ? opts.scaleUpTimeoutS : undefined;
  // Static per-client request options: built once to keep per-call overhead small.
  const headers: Record<string, string> = scaleUp ? { "X-Scale-Up-Timeout": String(scaleUp) } : {};
  // The proxy may hold a request for scaleUp seconds before it even reaches TGI.
  const attemptTimeoutMs = requestTimeoutMs + (scaleUp ?? 0) * 1000;

  const emit = (e: ClientEvent): void => {
    if (!opts.onEvent) return;
    try {
      opts.onEvent(e);
    } catch {
      // A broken listener must not fail model calls.
    }
  };
  const clean = (s: string): string => redact(s, apiKey);
  const probeHeaders = authHeaders(apiKey);

  const openai = new OpenAI({
    baseURL: opts.baseUrl,
    apiKey: apiKey || "none",
    maxRetries: 0,
    // Backstop only: our own per-attempt timer (below) also covers reading the body.
    timeout: attemptTimeoutMs + 5_000,
    fetch: errorBodyFetch(fetchImpl),
  });

  /** One readiness check for the gate: /health, then a 1-token chat (a replica can be healthy before it serves). */
  const probe = async (signal: AbortSignal): Promise<boolean> => {
    const probeTimeout = Math.min(requestTimeoutMs, 60_000);
    try {
      const res = await fetchImpl(`${root}/health`, {
        headers: probeHeaders,
        signal: AbortSignal.any([signal, AbortSignal.timeout(probeTimeout)]),
      });
      await res.body?.cancel();
      if (res.status >= 500) return false;
    } catch {
      return false;
    }
    try {
      await openai.chat.completions.create(
        { model, messages: [{ role: "user", content: "ping" }], max_tokens: 1, temperature: 0 },
        { signal, timeout: probeTimeout },
      );
      return true;
    } catch (err) {
      // Any non-5xx HTTP answer (even 401/422/429) means a replica is serving; the real call reports it.
      return err instanceof APIError && typeof err.status === "number" && err.status < 500;
    }
  };

  const gate = scaleUp
    ? null
    : new ColdStartGate({
        timeoutMs: coldStartTimeoutMs,
        probe,
        sleep,
        now,
        ...(opts.coldStartProbe?.firstDelayMs !== undefined ? { firstDelayMs: opts.coldStartProbe.firstDelayMs } : {}),
        ...(opts.coldStartProbe?.maxDelayMs !== undefined ? { maxDelayMs: opts.coldStartProbe.maxDelayMs } : {}),
        onBegin: (reason) => emit({ type: "cold_start_begin", reason }),
        onEnd: (ok, ms) => emit({ type: "cold_start_end", ok, ms: Math.round(ms) }),
      });

  const describe = (err: unknown, aborted: "timeout" | null): Failure => {
    if (aborted === "timeout") {
      const message = stream ? `the stream stalled: no chunk within ${requestTimeoutMs} ms` : `no answer within ${attemptTimeoutMs} ms`;
      return { cls: "timeout", message, cold: false };
    }
    if (err instanceof StreamError) {
      const { cls, status } = profile.classifyStreamError(err.body);
      return { cls, message: `error inside the stream${status !== undefined ? ` (as HTTP ${status})` : ""}: ${err.message}`, cold: false };
    }
    if (err instanceof APIError && err.status === undefined && err.error !== undefined) {
      // The SDK raises an SSE event carrying `error` as an APIError without a status.
      const { cls, status } = profile.classifyStreamError(err.error);
      const text = errorText(err.error) || err.message;
      return { cls, message: `error inside the stream${status !== undefined ? ` (as HTTP ${status})` : ""}: ${text}`, cold: false };
    }
    if (err instanceof APIError && typeof err.status === "number") {
      const status = err.status;
      const cls = profile.classifyHttp(status, err.error);
      const text = errorText(err.error) || err.message;
      const retryAfterMs = parseRetryAfter(err.headers?.get("retry-after"), Date.now());
      return {
        cls,
        status,
        message: `HTTP ${status}: ${text}`,
        cold: status === 503,
        ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      };
    }
    const cls = classifyThrown(err);
    const refused = isConnectionRefused(err);
    const base = err instanceof Error ? err.message : String(err);
    const cause = err instanceof Error && err.cause instanceof Error ? ` (${err.cause.message})` : "";
    return { cls: refused ? "connection" : cls, message: `${base}${cause}`, cold: refused };
  };

  const fail = (cls: ErrorClass, message: string, stats: CallStats, status?: number): EndpointError => {
    const hint = cls === "auth" ? ` — ${AUTH_HINT}` : cls === "paused" ? ` — ${PAUSED_HINT}` : "";
    return new EndpointError(clean(`${cls}: ${message}${hint}`), cls, { ...stats, tokens: { ...stats.tokens } }, status);
  };

  const backoffMs = (failures: number): number =>
    Math.floor(random() * Math.min(retryMaxMs, retryBaseMs * 2 ** (failures - 1)));

  /** Exact input count → the max_tokens to send (clamped to the room left), or input_too_long. */
  const checkedMaxTokens = (input: number, maxTokens: number | undefined, lim: TokenLimits, stats: CallStats): number => {
    const room = lim.maxTotalTokens - input;
    if (input > lim.maxInputTokens || room < 1) {
      throw fail(
        "input_too_long",
        `input has ${input} tokens; the endpoint accepts at most ${lim.maxInputTokens} input and ${lim.maxTotalTokens} total tokens`,
        stats,
      );
    }
    return maxTokens === undefined || maxTokens > room ? room : maxTokens;
  };

  async function chat(req: ChatRequest, signal?: AbortSignal): Promise<ChatResult> {
    const stats = blankStats();
    const cancelled = (): EndpointError => fail("cancelled", "the call was cancelled", stats, stats.status);
    if (signal?.aborted) throw cancelled();

    let maxTokens = req.max_tokens ?? opts.maxTokens;
    if (preflight && limits) {
      let exact: number | null;
      try {
        // Count only when it can matter: the byte bound proves most requests valid without a tokenizer.
        const proven = maxTokens !== undefined && withinLimits(chatTokenBound(req.messages), maxTokens, limits);
        exact = proven ? null : await countTokens(req.messages);
      } catch (err) {
        // The chat template rejects non-alternating roles (TGI would answer 422); anything else is ours.
        const msg = err instanceof Error ? err.message : String(err);
        throw fail(/alternate/.test(msg) ? "validation" : "unknown", `token preflight: ${msg}`, stats);
      }
      if (exact !== null) maxTokens = checkedMaxTokens(exact, maxTokens, limits, stats);
    }

    // Only parameters TGI handles as intended: no top_p (1 is rejected) and no presence_penalty.
    const body: Record<string, unknown> = { model, messages: req.messages, temperature: req.temperature ?? temperature };
    if (maxTokens !== undefined) body.max_tokens = maxTokens;
    const seed = req.seed ?? opts.seed;
    if (seed !== undefined) body.seed = seed;
    // The pipeline hands over a JSON Schema; the engine decides the request shape (TGI json/value, OpenAI json_schema).
    if (req.response_format) body.response_format = profile.responseFormat(req.tag?.step ?? "output", req.response_format.value);
    if (stream) {
      body.stream = true;
      if (profile.streamUsage) body.stream_options = { include_usage: true };
    }
    const params = body as unknown as ChatCompletionCreateParamsNonStreaming;
    const streamParams = body as unknown as ChatCompletionCreateParamsStreaming;

    let failures = 0;
    let coldCycles = 0;
    for (;;) {
      const gateWait = gate?.wait(signal);
      if (gateWait) {
        const t = now();
        try {
          await gateWait;
        } catch (err) {
          stats.cold_ms += now() - t;
          if (signal?.aborted) throw cancelled();
          if (err instanceof ColdStartTimeoutError) throw fail("cold_start_timeout", err.message, stats, stats.status);
          throw fail("cancelled", err instanceof Error ? err.message : String(err), stats, stats.status);
        }
        stats.cold_ms += now() - t;
      }

      // An abort that landed while nothing listened (the token preflight, a sleep that had just ended)
      // would not reach this attempt's listener: check before sending.
      if (signal?.aborted) throw cancelled();
      // Own per-attempt timer: the SDK's timeout stops at the response headers; ours covers the body too.
      // Streamed, the timer is re-armed by every chunk: it bounds the silence between chunks, not the whole call.
      const ctl = new AbortController();
      let timedOut = false;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const arm = (ms: number): void => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          timedOut = true;
          ctl.abort();
        }, ms);
      };
      arm(attemptTimeoutMs);
      const onCallerAbort = () => ctl.abort();
      signal?.addEventListener("abort", onCallerAbort, { once: true });

      stats.attempts++;
      const t0 = now();
      let completion: ChatCompletion | undefined;
      let serverTotalMs: number | undefined;
      let failure: Failure | undefined;
      let chunkTimes: number[] | undefined;
      let server: ServerTiming | undefined;
      try {
        if (stream) {
          const { data, response } = await openai.chat.completions
            .create(streamParams, { signal: ctl.signal, headers, maxRetries: 0 })
            .withResponse();
          if (scaleUp) serverTotalMs = Number(response.headers.get("x-total-time") ?? Number.NaN);
          chunkTimes = [];
          completion = await readStream(data, chunkTimes, () => arm(requestTimeoutMs), now);
        } else {
          const { data, response } = await openai.chat.completions
            .create(params, { signal: ctl.signal, headers, maxRetries: 0 })
            .withResponse();
          completion = data;
          if (scaleUp) serverTotalMs = Number(response.headers.get("x-total-time") ?? Number.NaN);
          server = serverTiming(response.headers);
        }
      } catch (err) {
        if (signal?.aborted) {
          stats.latency_ms += now() - t0;
          throw cancelled();
        }
        failure = describe(err, timedOut ? "timeout" : null);
      } finally {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onCallerAbort);
      }
      const dt = now() - t0;

      if (completion) {
        const choice = completion.choices?.[0];
        // Header mode: a request the proxy held during a scale-up took far longer than TGI reports
        // (x-total-time, ms); that excess is cold time, not model latency.
        const held = serverTotalMs !== undefined && Number.isFinite(serverTotalMs) ? dt - serverTotalMs : 0;
        if (held > HELD_SLACK_MS) {
          stats.cold_ms += held;
          stats.latency_ms += dt - held;
        } else {
          stats.latency_ms += dt;
        }
        if (!choice) throw fail("unknown", "the response has no choices", stats, stats.status);
        // A server that sends no usage (some OpenAI-compatible ones) leaves the count unknown: estimate it and say
        // so, rather than record 0 tokens and a $0 token cost.
        const usage = completion.usage;
        const text = choice.message?.content ?? "";
        stats.tokens = {
          prompt: usage?.prompt_tokens ?? estimateChatTokens(req.messages),
          completion: usage?.completion_tokens ?? estimateTokens(text),
        };
        if (!usage || usage.prompt_tokens === undefined || usage.completion_tokens === undefined) stats.tokens_estimated = true;
        stats.finish_reason = choice.finish_reason ?? null;
        if (server) stats.server = server;
        if (chunkTimes) stats.stream = streamTimings(t0, chunkTimes, completion.usage?.completion_tokens ?? null);
        emit({ type: "success", latencyMs: stats.latency_ms, attempts: stats.attempts, tokens: stats.tokens, ...(req.tag ? { tag: req.tag } : {}) });
        return { ...stats, text: choice.message?.content ?? "" };
      }

      const f = failure!;
      if (f.status !== undefined) stats.status = f.status;

      if (f.cold && gate && coldCycles < maxColdCycles) {
        // The replica is starting: this attempt's time is cold time, not latency, and costs no retry.
        stats.cold_ms += dt;
        coldCycles++;
        void gate.trip(f.status === 503 ? "http_503" : "connection_refused");
        continue;
      }
      if (f.status === 503 && !gate) {
        // X-Scale-Up-Timeout mode: the proxy held the request and still had no replica. Try again
        // (the next request is held again) until the cold-start budget is spent.
        stats.cold_ms += dt;
        coldCycles++;
        if (stats.cold_ms >= coldStartTimeoutMs) throw fail("cold_start_timeout", f.message, stats, stats.status);
        const t = now();
        await sleepOrCancel(Math.min(retryMaxMs, retryBaseMs * 2 ** Math.min(coldCycles - 1, 6)), signal, cancelled);
        stats.cold_ms += now() - t;
        continue;
      }
      // Anything else — including a 503 that persists past maxColdCycles (server_error) and a refused
      // connection in header mode (connection) — is an ordinary failure.
      stats.latency_ms += dt;
      if (f.cls === "overloaded") emit({ type: "overloaded", status: f.status ?? 429, ...(req.tag ? { tag: req.tag } : {}) });
      if (!isRetryable(f.cls) || failures >= maxRetries) throw fail(f.cls, f.message, stats, stats.status);
      if (req.budget && req.budget.remaining <= 0) throw fail(f.cls, `${f.message} (the case's retry budget is spent)`, stats, stats.status);
      if (req.budget) req.budget.remaining--;
      failures++;
      const waitMs = Math.min(f.retryAfterMs ?? backoffMs(failures), retryMaxMs);
      emit({
        type: "retry",
        attempt: stats.attempts,
        errorClass: f.cls,
        waitMs,
        ...(f.status !== undefined ? { status: f.status } : {}),
        ...(req.tag ? { tag: req.tag } : {}),
      });
      await sleepOrCancel(waitMs, signal, cancelled);
    }
  }

  async function sleepOrCancel(ms: number, signal: AbortSignal | undefined, cancelled: () => EndpointError): Promise<void> {
    if (ms <= 0) return;
    try {
      await sleep(ms, signal);
    } catch (err) {
      if (signal?.aborted) throw cancelled();
      throw err;
    }
  }

  return {
    chat,
    close: () => gate?.close(),
  };
}

/** An error the engine sent inside a 200 stream as a chunk of its own (older vLLM/SGLang: {"object":"error", …}). */
class StreamError extends Error {
  constructor(readonly body: unknown) {
    super(errorText(body) || "error chunk");
    this.name = "StreamError";
  }
}

/**
 * Reads a chat stream into the completion it amounts to, recording when each content chunk arrived.
 * A stream that ends without a finish_reason was cut off (a dropped connection), not finished.
 */
async function readStream(
  chunks: AsyncIterable<ChatCompletionChunk>,
  times: number[],
  onChunk: () => void,
  now: () => number,
): Promise<ChatCompletion> {
  let text = "";
  let finish: string | null = null;
  let usage: ChatCompletion["usage"] | undefined;
  onChunk();
  for await (const chunk of chunks) {
    onChunk();
    const c = chunk as ChatCompletionChunk;
    if ((c as unknown as { object?: string }).object === "error") throw new StreamError(c);
    const choice = c.choices?.[0];
    const piece = choice?.delta?.content;
    if (piece) {
      text += piece;
      times.push(now());
    }
    if (choice?.finish_reason) finish = choice.finish_reason;
    if (c.usage) usage = c.usage;
  }
  if (finish === null) {
    throw Object.assign(new Error("the stream ended without a finish_reason (connection cut mid-stream)"), { code: "ECONNRESET" });
  }
  return {
    id: "",
    object: "chat.completion",
    created: 0,
    model: "",
    choices: [{ index: 0, message: { role: "assistant", content: text, refusal: null }, finish_reason: finish as "stop", logprobs: null }],
    ...(usage ? { usage } : {}),
  };
}

/**
 * The openai SDK keeps only the `error` member of an error body. OpenAI-style bodies without one (SGLang and
 * older vLLM: {"object":"error","message":…}) would lose their message, and with it the class: wrap them.
 */
function errorBodyFetch(fetchImpl: typeof fetch): typeof fetch {
  return async (input, init) => {
    const res = await fetchImpl(input, init);
    if (res.status < 400 || !/json/i.test(res.headers.get("content-type") ?? "")) return res;
    const text = await res.text();
    const headers = new Headers(res.headers);
    headers.delete("content-length");
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return new Response(text, { status: res.status, statusText: res.statusText, headers });
    }
    const wrapped = body && typeof body === "object" && !Array.isArray(body) && "error" in body ? body : { error: body };
    return new Response(JSON.stringify(wrapped), { status: res.status, statusText: res.statusText, headers });
  };
}
