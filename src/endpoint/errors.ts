// Failure classification for TGI behind a Hugging Face Inference Endpoint. The report counts failures
// by these classes and the client decides retries from them.
import { APIConnectionError, APIConnectionTimeoutError, APIUserAbortError } from "openai";
import type { ErrorClass } from "../types.js";
import { classifyStatus } from "./engines/common.js";

/** Classes worth another attempt: transient load, server or network trouble. */
const RETRYABLE: ReadonlySet<ErrorClass> = new Set<ErrorClass>([
  "overloaded",
  "server_error",
  "generation_error",
  "timeout",
  "connection",
]);

export function isRetryable(cls: ErrorClass): boolean {
  return RETRYABLE.has(cls);
}

/**
 * The human-readable text of an error body. TGI answers `{"error": "...", "error_type": "..."}`; the
 * openai SDK hands over only the `error` member (a string for TGI, an object for OpenAI-style bodies).
 */
export function errorText(body: unknown): string {
  if (body == null) return "";
  if (typeof body === "string") return body;
  if (typeof body === "object") {
    const o = body as { error?: unknown; message?: unknown };
    if (typeof o.message === "string") return o.message;
    if (o.error !== undefined) return errorText(o.error);
  }
  try {
    return JSON.stringify(body);
  } catch {
    return String(body);
  }
}

/**
 * A paused Inference Endpoint: its proxy answers every route 400 "Bad Request: Invalid state" (as users
 * report it, e.g. elastic/elasticsearch#112033). Nothing succeeds until someone resumes it.
 */
const PAUSED = /invalid state/i;

export function isPausedAnswer(status: number, body: unknown): boolean {
  return status === 400 && PAUSED.test(errorText(body));
}

/**
 * Length validations only (as engines/tgi.ts TGI_TOO_LONG, plus vLLM's "maximum context length"): not every message
 * naming max_new_tokens — "`max_new_tokens` must be strictly positive" (--max-tokens 0) is a parameter error.
 */
const TOO_LONG = /must have less than|`?max_new_tokens`? must be <=|inputs` tokens \+|maximum context length/i;

/** TGI's wording of "does not fit" over the one status mapping every engine shares (engines/common.ts). */
export function classifyHttpError(status: number, body: unknown): ErrorClass {
  return classifyStatus(status, body, TOO_LONG);
}

const CONNECTION_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "UND_ERR_SOCKET",
  "UND_ERR_CLOSED",
]);
const TIMEOUT_CODES = new Set([
  "ETIMEDOUT",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
]);
const CONNECTION_TEXT = /socket hang up|fetch failed|other side closed|connection error|ECONNRESET|ECONNREFUSED/i;

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  status?: unknown;
  error?: unknown;
  errorClass?: unknown;
  cause?: unknown;
}

/** The error and its `cause` chain (undici hides the socket error two levels down). */
function* causeChain(err: unknown): Generator<ErrorLike> {
  let cur: unknown = err;
  for (let depth = 0; depth < 8 && cur != null && typeof cur === "object"; depth++) {
    yield cur as ErrorLike;
    cur = (cur as ErrorLike).cause;
  }
}

/** True when the connection was refused outright — the endpoint (or its proxy) is not listening. */
export function isConnectionRefused(err: unknown): boolean {
  for (const e of causeChain(err)) {
    if (e.code === "ECONNREFUSED") return true;
    // undici can report several addresses at once (AggregateError).
    const errors = (e as { errors?: unknown }).errors;
    if (Array.isArray(errors) && errors.some((x) => (x as ErrorLike | null)?.code === "ECONNREFUSED")) return true;
  }
  return false;
}

/**
 * Classify anything a call can throw: our own EndpointError, the openai SDK's APIError family
 * (status + body), abort/timeout errors, and network errors (codes in the cause chain).
 * A caller-initiated abort must be recognised by the caller (signal.aborted) before this:
 * here an AbortError counts as a timeout, as the SDK's own request timeout aborts that way.
 */
export function classifyThrown(err: unknown): ErrorClass {
  const top = err as ErrorLike | null;
  if (top && typeof top === "object") {
    if (typeof top.errorClass === "string") return top.errorClass as ErrorClass;
    if (typeof top.status === "number") return classifyHttpError(top.status, top.error);
    // The SDK's error classes keep name "Error": tell them apart by class.
    if (err instanceof APIUserAbortError) return "cancelled";
    if (err instanceof APIConnectionTimeoutError) return "timeout";
  }
  for (const e of causeChain(err)) {
    const name = typeof e.name === "string" ? e.name : "";
    const code = typeof e.code === "string" ? e.code : "";
    if (name === "AbortError" || name === "TimeoutError") return "timeout";
    if (TIMEOUT_CODES.has(code)) return "timeout";
    if (CONNECTION_CODES.has(code) || isConnectionRefused(e)) return "connection";
  }
  for (const e of causeChain(err)) {
    const msg = typeof e.message === "string" ? e.message : "";
    if (/timed? ?out/i.test(msg)) return "timeout";
    if (CONNECTION_TEXT.test(msg)) return "connection";
  }
  if (err instanceof APIConnectionError) return "connection";
  return "unknown";
}

/** `Retry-After` as milliseconds: delta-seconds or an HTTP date (relative to `nowEpochMs`). */
export function parseRetryAfter(value: string | null | undefined, nowEpochMs: number): number | undefined {
  if (value == null) return undefined;
  const v = value.trim();
  if (v === "") return undefined;
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowEpochMs);
}

/** Remove a secret (the API key) from text that may end up in logs, journals or events. */
export function redact(text: string, secret: string): string {
  return secret.length >= 4 ? text.split(secret).join("[redacted]") : text;
}
