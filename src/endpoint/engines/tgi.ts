// Hugging Face text-generation-inference (router: text-generation-router). Facts from TGI's router source
// (router/src/server.rs, validation.rs, infer/mod.rs) and docs: limits on GET /info (max_input_tokens,
// max_total_tokens); 422 with "`inputs` must have less than N tokens" / "`inputs` tokens + `max_new_tokens`
// must be <= N" for over-long input; 429 "Model is overloaded" past --max-concurrent-requests; 424 for a
// failed generation; JSON grammar as response_format {type: "json", value: <schema>}; POST /chat_tokenize;
// top_p must be in (0, 1) exclusive; an omitted temperature samples.
import type { ErrorClass } from "../../types.js";
import { classifyStatus, errorMessage, isRecord, positiveInt, readModelList } from "./common.js";
import type { EngineFacts, EngineProfile, RootGet } from "./types.js";

/** TGI's length validations (validation.rs). */
export const TGI_TOO_LONG = /must have less than|`?max_new_tokens`? must be <=|inputs` tokens \+/i;

function classifyHttp(status: number, body: unknown): ErrorClass {
  return classifyStatus(status, body, TGI_TOO_LONG);
}

/** TGI streams `{"error": "...", "error_type": "..."}`; the SDK hands over only the `error` text. */
function classifyStreamError(error: unknown): { cls: ErrorClass; status?: number } {
  const text = errorMessage(error);
  if (/overloaded/i.test(text)) return { cls: "overloaded", status: 429 };
  if (TGI_TOO_LONG.test(text)) return { cls: "input_too_long", status: 422 };
  if (/validation/i.test(text)) return { cls: "validation", status: 422 };
  if (/incomplete generation/i.test(text)) return { cls: "server_error", status: 500 };
  // Everything else TGI reports mid-stream is a generation failure (its 424 when unstreamed).
  return { cls: "generation_error", status: 424 };
}

async function detect(get: RootGet, forced: boolean): Promise<EngineFacts | null> {
  const info = await get("/info");
  const doc = isRecord(info) ? info : null;
  const maxTotal = positiveInt(doc?.max_total_tokens);
  // max_input_length: TGI < 2.1 name of max_input_tokens.
  const maxInput = positiveInt(doc?.max_input_tokens) ?? positiveInt(doc?.max_input_length);
  const looksTgi = doc !== null && maxTotal !== null && (typeof doc.router === "string" || typeof doc.model_id === "string");
  if (!looksTgi && !forced) return null;
  const served = doc && typeof doc.model_id === "string" ? [doc.model_id] : readModelList(await get("/v1/models")).ids;
  return {
    version: doc && typeof doc.version === "string" ? doc.version : null,
    limits: maxTotal !== null ? { maxInputTokens: maxInput ?? maxTotal - 1, maxTotalTokens: maxTotal } : null,
    servedModels: served,
    evidence: looksTgi ? "GET /info (router, max_total_tokens)" : "no TGI /info",
    info: doc,
  };
}

export const tgi: EngineProfile = {
  name: "tgi",
  label: "TGI",
  detect,
  responseFormat: (_name, schema) => ({ type: "json", value: schema }),
  // TGI serves one model and ignores the request's model field ("tgi" by convention).
  requiresServedModelId: false,
  tokenize: {
    path: "/chat_tokenize",
    body: (model, messages) => ({ model, messages }),
    // ChatTokenizeResponse { tokenize_response: [SimpleToken], templated_text } (router/src/lib.rs).
    count: (json) => (isRecord(json) && Array.isArray(json.tokenize_response) ? json.tokenize_response.length : null),
  },
  classifyHttp,
  classifyStreamError,
  metrics: { queue: ["tgi_queue_size"], running: ["tgi_batch_current_size"], kvCache: [] },
  sampling: {
    accepted: new Set(["temperature", "max_tokens", "seed", "stream", "stream_options", "response_format"]),
    check: ({ temperature, top_p }) => {
      if (temperature !== undefined && temperature < 0) return "`temperature` must be strictly positive";
      if (top_p !== undefined && !(top_p > 0 && top_p < 1)) return "`top_p` must be > 0.0 and < 1.0";
      return null;
    },
    omittedTemperature: "TGI samples when temperature is omitted; 0 is greedy",
  },
  answers429: true,
  streamUsage: true,
};
