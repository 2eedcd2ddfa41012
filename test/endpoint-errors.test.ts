import { APIConnectionError, APIConnectionTimeoutError, APIUserAbortError, InternalServerError, RateLimitError } from "openai";
import { describe, expect, it } from "vitest";
import {
  classifyHttpError,
  classifyThrown,
  errorText,
  isConnectionRefused,
  isRetryable,
  parseRetryAfter,
  redact,
} from "../src/endpoint/errors.js";
import { EndpointError } from "../src/endpoint/types.js";
import type { ErrorClass } from "../src/types.js";

const tgi = (error: string, error_type: string) => ({ error, error_type });
const netError = (code: string, message: string) =>
  new TypeError("fetch failed", { cause: Object.assign(new Error(message), { code }) });

describe("classifyHttpError", () => {
  it.each<[number, unknown, ErrorClass]>([
    [429, tgi("Model is overloaded", "overloaded"), "overloaded"],
    [500, tgi("boom", "server"), "server_error"],
    [502, "Bad Gateway", "server_error"],
    [503, tgi("Service Unavailable", "unavailable"), "server_error"],
    [504, null, "server_error"],
    [424, tgi("Request failed during generation", "generation"), "generation_error"],
    [422, tgi("Input validation error: `inputs` must have less than 12288 tokens. Given: 13001", "validation"), "input_too_long"],
    [422, "Input validation error: `inputs` tokens + `max_new_tokens` must be <= 16384. Given: 12000 `inputs` tokens and 5000 `max_new_tokens`", "input_too_long"],
    [422, tgi("Input validation error: `top_p` must be > 0.0 and < 1.0", "validation"), "validation"],
    // --max-tokens 0 is a parameter error, not an over-long input (#15 item 10).
    [422, tgi("Input validation error: `max_new_tokens` must be strictly positive", "validation"), "validation"],
    [400, { message: "This model's maximum context length is 8192 tokens. However, you requested 9000 tokens", type: "BadRequestError" }, "input_too_long"],
    [400, tgi("Template error", "template_error"), "validation"],
    [401, tgi("Unauthorized", "authentication"), "auth"],
    [403, tgi("Forbidden", "forbidden"), "auth"],
    [408, null, "timeout"],
    [413, null, "input_too_long"],
  ])("%i %j → %s", (status, body, cls) => {
    expect(classifyHttpError(status, body)).toBe(cls);
  });
});

describe("classifyThrown", () => {
  const stats = { latency_ms: 0, cold_ms: 0, tokens: { prompt: 0, completion: 0 }, finish_reason: null, attempts: 1 };
  it.each<[string, unknown, ErrorClass]>([
    ["SDK 429", new RateLimitError(429, "Model is overloaded", undefined, new Headers()), "overloaded"],
    ["SDK 500", new InternalServerError(500, "x", undefined, new Headers()), "server_error"],
    ["SDK timeout", new APIConnectionTimeoutError(), "timeout"],
    ["SDK user abort", new APIUserAbortError(), "cancelled"],
    ["AbortError", Object.assign(new Error("aborted"), { name: "AbortError" }), "timeout"],
    ["TimeoutError", Object.assign(new Error("timed out"), { name: "TimeoutError" }), "timeout"],
    ["ECONNRESET", netError("ECONNRESET", "read ECONNRESET"), "connection"],
    ["ECONNREFUSED", netError("ECONNREFUSED", "connect ECONNREFUSED 127.0.0.1:1"), "connection"],
    ["undici socket", netError("UND_ERR_SOCKET", "other side closed"), "connection"],
    ["connect timeout", netError("UND_ERR_CONNECT_TIMEOUT", "Connect Timeout Error"), "timeout"],
    ["socket hang up", new Error("socket hang up"), "connection"],
    ["fetch failed", new TypeError("fetch failed"), "connection"],
    ["SDK connection error", new APIConnectionError({ message: "Connection error." }), "connection"],
    ["EndpointError keeps its class", new EndpointError("x", "auth", stats, 401), "auth"],
    ["bad JSON", new SyntaxError("Unexpected token <"), "unknown"],
    ["a string", "weird", "unknown"],
  ])("%s", (_name, err, cls) => {
    expect(classifyThrown(err)).toBe(cls);
  });

  it("detects refused connections through the cause chain only", () => {
    expect(isConnectionRefused(new APIConnectionError({ message: "Connection error.", cause: netError("ECONNREFUSED", "x") }))).toBe(true);
    expect(isConnectionRefused(netError("ECONNRESET", "x"))).toBe(false);
  });
});

describe("isRetryable", () => {
  it.each<[ErrorClass, boolean]>([
    ["overloaded", true],
    ["server_error", true],
    ["generation_error", true],
    ["timeout", true],
    ["connection", true],
    ["input_too_long", false],
    ["validation", false],
    ["auth", false],
    ["cold_start_timeout", false],
    ["cancelled", false],
    ["parse_failed", false],
    ["unknown", false],
  ])("%s → %s", (cls, yes) => {
    expect(isRetryable(cls)).toBe(yes);
  });
});

describe("helpers", () => {
  const now = Date.parse("2025-01-01T00:00:00Z");
  it.each<[string | null, number | undefined]>([
    ["7", 7000],
    ["0.5", 500],
    [" 3 ", 3000],
    ["Wed, 01 Jan 2025 00:00:30 GMT", 30_000],
    ["Tue, 31 Dec 2024 23:59:00 GMT", 0],
    ["soon", undefined],
    ["", undefined],
    [null, undefined],
  ])("parseRetryAfter(%j) = %j", (v, ms) => {
    expect(parseRetryAfter(v, now)).toBe(ms);
  });

  it.each<[unknown, string]>([
    ["plain", "plain"],
    [{ error: "Model is overloaded", error_type: "overloaded" }, "Model is overloaded"],
    [{ error: { message: "nested" } }, "nested"],
    [{ other: 1 }, '{"other":1}'],
    [null, ""],
  ])("errorText(%j) = %j", (body, text) => {
    expect(errorText(body)).toBe(text);
  });

  it("redacts every occurrence of the secret", () => {
    expect(redact("a hf_abcdEFGH b hf_abcdEFGH", "hf_abcdEFGH")).toBe("a [redacted] b [redacted]");
    expect(redact("nothing to hide", "")).toBe("nothing to hide");
  });
});

describe("--max-tokens 0 on every engine profile (#15 item 10)", () => {
  it.each(["tgi", "vllm", "sglang", "openai"] as const)("%s: TGI's 422 for max_new_tokens 0 is validation, never input_too_long", async (name) => {
    const { engineProfile } = await import("../src/endpoint/engines/index.js");
    expect(engineProfile(name).classifyHttp(422, tgi("Input validation error: `max_new_tokens` must be strictly positive", "validation"))).toBe("validation");
  });
});
