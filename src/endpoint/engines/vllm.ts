// vLLM's OpenAI-compatible server (vllm/entrypoints/openai/api_server.py and the serve/ routers). Facts from
// its source: GET /version → {"version"}; GET /v1/models cards carry max_model_len and owned_by "vllm";
// POST /tokenize → {count, max_model_len, tokens}; errors are ErrorResponse {"error": {message, type, param,
// code}} (older releases: {"object":"error", message, type, code}); a prompt of ≥ max_model_len tokens is a
// 400 "This model's maximum context length is N tokens. However, your request has M input tokens…", and
// input + max_tokens > max_model_len a 400 "'max_tokens' or 'max_completion_tokens' is too large…"
// (engine/serving.py _validate_input); an unknown model id is a 404 NotFoundError; the scheduler queues
// requests (vllm:num_requests_waiting) instead of answering 429; structured output is OpenAI's
// response_format {type: "json_schema", json_schema: {name, schema}}; Prometheus series vllm:*.
import type { ErrorClass } from "../../types.js";
import { classifyOpenAiStreamError, classifyStatus, isRecord, jsonSchemaFormat, openAiSampling, readModelList } from "./common.js";
import type { EngineFacts, EngineProfile, RootGet } from "./types.js";

export const VLLM_TOO_LONG = /maximum context length is|is too large: \d+\. This model's maximum/i;

function classifyHttp(status: number, body: unknown): ErrorClass {
  return classifyStatus(status, body, VLLM_TOO_LONG);
}

async function detect(get: RootGet, forced: boolean): Promise<EngineFacts | null> {
  const [version, models] = await Promise.all([get("/version"), get("/v1/models")]);
  const v = isRecord(version) && typeof version.version === "string" ? version.version : null;
  const list = readModelList(models);
  const looksVllm = v !== null && (list.maxModelLen !== null || list.ownedBy.includes("vllm"));
  if (!looksVllm && !forced) return null;
  const len = list.maxModelLen;
  return {
    version: v,
    // A prompt may use max_model_len − 1 tokens; prompt + max_tokens may reach max_model_len.
    limits: len !== null ? { maxInputTokens: len - 1, maxTotalTokens: len } : null,
    servedModels: list.ids,
    evidence: looksVllm ? "GET /version + GET /v1/models (max_model_len)" : "no vLLM /version",
    info: { version: v, models: isRecord(models) ? models : null },
  };
}

export const vllm: EngineProfile = {
  name: "vllm",
  label: "vLLM",
  detect,
  responseFormat: jsonSchemaFormat,
  requiresServedModelId: true,
  tokenize: {
    path: "/tokenize",
    body: (model, messages) => ({ model, messages, add_generation_prompt: true }),
    count: (json) => (isRecord(json) && typeof json.count === "number" ? json.count : null),
  },
  classifyHttp,
  classifyStreamError: (error) => classifyOpenAiStreamError(error, classifyHttp),
  metrics: {
    queue: ["vllm:num_requests_waiting"],
    running: ["vllm:num_requests_running"],
    // kv_cache_usage_perc since the V1 engine; gpu_cache_usage_perc before.
    kvCache: ["vllm:kv_cache_usage_perc", "vllm:gpu_cache_usage_perc"],
  },
  sampling: openAiSampling("vLLM uses the model's generation_config defaults when temperature is omitted; 0 is greedy"),
  answers429: false,
  streamUsage: true,
};
