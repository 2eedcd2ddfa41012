// SGLang's server (python/sglang/srt/entrypoints/http_server.py, entrypoints/openai/). Facts from its source
// and docs: GET /get_model_info → {model_path, tokenizer_path, is_generation, …}; GET /get_server_info → the
// server args (context_length, …) plus "version"; /v1/models cards carry max_model_len (owned_by "sglang");
// errors are {"object":"error", message, type, param, code} (protocol.py ErrorResponse), in a stream wrapped
// as {"error": {...}}; the tokenizer manager rejects input ≥ context_len ("The input (N tokens) is longer
// than the model's context length (M tokens).") and input + max_new_tokens ≥ context_len ("Requested token
// count exceeds the model's maximum context length of M tokens…") with 400; requests queue
// (sglang:num_queue_reqs) rather than 429; structured output is OpenAI's json_schema (name required).
import type { ErrorClass } from "../../types.js";
import { classifyOpenAiStreamError, classifyStatus, isRecord, jsonSchemaFormat, openAiSampling, positiveInt, readModelList } from "./common.js";
import type { EngineFacts, EngineProfile, RootGet } from "./types.js";

export const SGLANG_TOO_LONG = /longer than the model's context length|Requested token count exceeds the model's maximum context length/i;

function classifyHttp(status: number, body: unknown): ErrorClass {
  return classifyStatus(status, body, SGLANG_TOO_LONG);
}

async function detect(get: RootGet, forced: boolean): Promise<EngineFacts | null> {
  const [modelInfo, serverInfo, models] = await Promise.all([get("/get_model_info"), get("/get_server_info"), get("/v1/models")]);
  const looksSglang = isRecord(modelInfo) && typeof modelInfo.model_path === "string";
  if (!looksSglang && !forced) return null;
  const server = isRecord(serverInfo) ? serverInfo : null;
  const list = readModelList(models);
  const ctx = list.maxModelLen ?? positiveInt(server?.context_length);
  return {
    version: server && typeof server.version === "string" ? server.version : null,
    // Both checks are `>= context_len`: input and input + max_new_tokens stay below it.
    limits: ctx !== null ? { maxInputTokens: ctx - 1, maxTotalTokens: ctx - 1 } : null,
    servedModels: list.ids,
    evidence: looksSglang ? "GET /get_model_info (model_path) + GET /get_server_info" : "no SGLang /get_model_info",
    info: { model_info: isRecord(modelInfo) ? modelInfo : null, server_info: server },
  };
}

export const sglang: EngineProfile = {
  name: "sglang",
  label: "SGLang",
  detect,
  responseFormat: jsonSchemaFormat,
  // SGLang ignores the model field of a chat request (no served-name check).
  requiresServedModelId: false,
  tokenize: null,
  classifyHttp,
  classifyStreamError: (error) => classifyOpenAiStreamError(error, classifyHttp),
  metrics: { queue: ["sglang:num_queue_reqs"], running: ["sglang:num_running_reqs"], kvCache: ["sglang:token_usage"] },
  sampling: openAiSampling("SGLang uses the model's generation_config defaults when temperature is omitted; 0 is greedy"),
  answers429: false,
  streamUsage: true,
};
