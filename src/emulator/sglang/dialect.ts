// SGLang's wire behaviour for the emulator. Sources (sgl-project/sglang): srt/entrypoints/openai/protocol.py
// (ErrorResponse {object: "error", message, type, param, code}; ModelCard owned_by "sglang" with
// max_model_len; ResponseFormat text|json_object|json_schema with a required name), serving_base.py
// (create_streaming_error_response wraps the body as {"error": …}), srt/managers/tokenizer_manager.py
// (_validate_one_request: input ≥ context_len → "The input (N tokens) is longer than the model's context
// length (M tokens)."; input + max_new_tokens ≥ context_len → "Requested token count exceeds the model's
// maximum context length of M tokens…"), sampling_params.py verify(), http_server.py (/get_model_info,
// /get_server_info), docs (sglang:num_running_reqs, sglang:num_queue_reqs, sglang:token_usage).
import type { Dialect } from "../openai-style.js";
import { HttpError } from "../tgi/errors.js";

export const SGLANG_VERSION = "0.5.4";

const body = (status: number, message: string, type: string, param: string | null = null) => ({ object: "error", message, type, param, code: status });
const error = (status: number, message: string, type: string, param: string | null = null): HttpError => new HttpError(status, body(status, message, type, param));

export const sglangDialect: Dialect = {
  name: "sglang",
  error,
  streamError: (err) => ({ error: err.body }),
  // SGLang does not check the request's model against the served name.
  checkModel: () => null,
  checkLength: (n, maxTokens, len) => {
    if (n >= len) return error(400, `The input (${n} tokens) is longer than the model's context length (${len} tokens).`, "BadRequestError");
    if (maxTokens !== null && maxTokens + n >= len) {
      return error(
        400,
        `Requested token count exceeds the model's maximum context length of ${len} tokens. You requested a total of ${maxTokens + n} tokens: ${n} tokens from the input messages and ${maxTokens} tokens for the completion. Please reduce the number of tokens in the input messages or the completion to fit within the limit.`,
        "BadRequestError",
      );
    }
    return null;
  },
  checkRanges: ({ maxTokens, temperature, topP }) => {
    if (maxTokens !== null && maxTokens <= 0) return "max_tokens must be positive";
    if (temperature !== null && temperature < 0) return `temperature must be non-negative, got ${temperature}.`;
    if (topP !== null && !(topP > 0 && topP <= 1)) return `top_p must be in (0, 1], got ${topP}.`;
    return null;
  },
  info: (core, path) => {
    if (path === "/get_model_info") {
      return { model_path: core.o.modelId, tokenizer_path: core.o.modelId, is_generation: true, preferred_sampling_params: null, weight_version: "default" };
    }
    if (path === "/get_server_info") {
      return {
        model_path: core.o.modelId,
        served_model_name: core.o.modelId,
        context_length: core.o.maxTotalTokens,
        max_running_requests: core.o.maxConcurrentRequests,
        grammar_backend: "xgrammar",
        enable_metrics: true,
        version: SGLANG_VERSION,
      };
    }
    return undefined;
  },
  modelCard: (core) => ({ id: core.o.modelId, object: "model", created: 0, owned_by: "sglang", root: core.o.modelId, parent: null, max_model_len: core.o.maxTotalTokens }),
  metrics: (core, s) => {
    const labels = `model_name="${core.o.modelId}"`;
    return [
      "# HELP sglang:num_running_reqs The number of running requests.",
      "# TYPE sglang:num_running_reqs gauge",
      `sglang:num_running_reqs{${labels}} ${s.running}`,
      "# HELP sglang:num_queue_reqs The number of requests in the waiting queue.",
      "# TYPE sglang:num_queue_reqs gauge",
      `sglang:num_queue_reqs{${labels}} ${s.queued}`,
      "# HELP sglang:token_usage The token usage.",
      "# TYPE sglang:token_usage gauge",
      `sglang:token_usage{${labels}} ${s.kvUse}`,
    ];
  },
  systemFingerprint: null,
};
