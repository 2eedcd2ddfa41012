// Pieces shared by the engine profiles: reading JSON documents, the OpenAI json_schema response format, the
// generic HTTP classes, and the OpenAI-style error member (vLLM and SGLang both answer {message, type, code}).
import { isPausedAnswer } from "../errors.js";
import type { ErrorClass } from "../../types.js";
import type { SamplingRules } from "./types.js";

export const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === "object" && x !== null && !Array.isArray(x);

export const positiveInt = (x: unknown): number | null => (typeof x === "number" && Number.isInteger(x) && x > 0 ? x : null);

/** OpenAI's structured-output shape, as vLLM and SGLang accept it (both require `name`). */
export function jsonSchemaFormat(name: string, schema: Record<string, unknown>): Record<string, unknown> {
  return { type: "json_schema", json_schema: { name: name.replace(/[^A-Za-z0-9_-]/g, "_").slice(0, 64) || "output", schema } };
}

/** The ids a /v1/models document lists, and the first `max_model_len` among them. */
export function readModelList(doc: unknown): { ids: string[]; maxModelLen: number | null; ownedBy: string[] } {
  const data = isRecord(doc) && Array.isArray(doc.data) ? doc.data.filter(isRecord) : [];
  const ids = data.flatMap((m) => (typeof m.id === "string" ? [m.id] : []));
  const ownedBy = data.flatMap((m) => (typeof m.owned_by === "string" ? [m.owned_by] : []));
  const maxModelLen = data.map((m) => positiveInt(m.max_model_len)).find((n) => n !== null) ?? null;
  return { ids, maxModelLen, ownedBy };
}

/** Text of an error member: a string (TGI), or an object with `message` (OpenAI, vLLM, SGLang). */
export function errorMessage(error: unknown): string {
  if (typeof error === "string") return error;
  if (isRecord(error)) {
    if (typeof error.message === "string") return error.message;
    if (error.error !== undefined) return errorMessage(error.error);
  }
  return error == null ? "" : JSON.stringify(error);
}

/**
 * HTTP status → class, with the engine's own wording for "the request does not fit the context" (a 4xx that
 * retrying cannot fix). 503 reaching classification is one that persisted past the cold-start gate.
 */
export function classifyStatus(status: number, body: unknown, tooLong: RegExp): ErrorClass {
  if (status === 429) return "overloaded";
  if (status === 401 || status === 403) return "auth";
  if (status === 424) return "generation_error";
  if (status === 408) return "timeout";
  if (status === 413) return "input_too_long";
  // The Inference Endpoints proxy, whatever engine is behind it: a paused endpoint answers 400 everywhere.
  if (isPausedAnswer(status, body)) return "paused";
  if (status >= 500) return "server_error";
  if (status >= 400) return tooLong.test(errorMessage(body)) ? "input_too_long" : "validation";
  return "unknown";
}

/**
 * An error inside a 200 stream from an OpenAI-style server: `{message, type, code}` where `code` is the
 * HTTP status the same failure gets unstreamed (vLLM serving.py create_streaming_error_response; SGLang
 * serving_base.py). Without a code, the type names the class (InternalServerError → server_error).
 */
export function classifyOpenAiStreamError(
  error: unknown,
  classifyHttp: (status: number, body: unknown) => ErrorClass,
): { cls: ErrorClass; status?: number } {
  const code = isRecord(error) ? Number(error.code) : Number.NaN;
  if (Number.isInteger(code) && code >= 400 && code < 600) return { cls: classifyHttp(code, error), status: code };
  const type = isRecord(error) && typeof error.type === "string" ? error.type : "";
  if (/internal|server/i.test(type)) return { cls: "server_error" };
  return { cls: classifyHttp(400, error) === "input_too_long" ? "input_too_long" : "server_error" };
}

/** vLLM/SGLang-style sampling checks: temperature ≥ 0, top_p in (0, 1]. */
export function openAiSampling(omittedTemperature: string): SamplingRules {
  return {
    accepted: new Set(["temperature", "max_tokens", "seed", "top_p", "stream", "stream_options", "response_format"]),
    check: ({ temperature, top_p }) => {
      if (temperature !== undefined && temperature < 0) return `temperature must be non-negative, got ${temperature}.`;
      if (top_p !== undefined && !(top_p > 0 && top_p <= 1)) return `top_p must be in (0, 1], got ${top_p}.`;
      return null;
    },
    omittedTemperature,
  };
}
