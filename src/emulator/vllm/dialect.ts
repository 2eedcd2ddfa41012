// vLLM's wire behaviour for the emulator. Sources (vllm-project/vllm): entrypoints/openai/engine/serving.py
// (create_error_response → ErrorResponse{error: ErrorInfo{message, type, param, code}}, _check_model → 404
// NotFoundError "The model `X` does not exist.", _validate_input → the two context-length 400s with
// VLLMValidationError's "(parameter=…, value=…)" suffix), models/serving.py (ModelCard with max_model_len,
// owned_by "vllm"), serve/tokenize/protocol.py (TokenizeResponse {count, max_model_len, tokens}),
// sampling_params.py (top_p in (0, 1], temperature ≥ 0, max_tokens ≥ 1), docs/design/metrics.md
// (vllm:num_requests_running / _waiting, vllm:kv_cache_usage_perc).
import type { Dialect } from "../openai-style.js";
import { HttpError } from "../tgi/errors.js";

export const VLLM_VERSION = "0.11.2";

const error = (status: number, message: string, type: string, param: string | null = null): HttpError =>
  new HttpError(status, { error: { message, type, param, code: status } });

/** VLLMValidationError.__str__: the message, then "(parameter=…, value=…)". */
const validation = (message: string, parameter: string, value: number): HttpError =>
  error(400, `${message} (parameter=${parameter}, value=${value})`, "BadRequestError", parameter);

export const vllmDialect: Dialect = {
  name: "vllm",
  error,
  streamError: (err) => err.body,
  checkModel: (model, served) =>
    model === null || model === served ? null : error(404, `The model \`${model}\` does not exist.`, "NotFoundError", "model"),
  checkLength: (n, maxTokens, len) => {
    if (n >= len) {
      return validation(
        `This model's maximum context length is ${len} tokens. However, your request has ${n} input tokens. Please reduce the length of the input messages.`,
        "input_tokens",
        n,
      );
    }
    if (maxTokens !== null && n + maxTokens > len) {
      return validation(
        `'max_tokens' or 'max_completion_tokens' is too large: ${maxTokens}. This model's maximum context length is ${len} tokens and your request has ${n} input tokens (${maxTokens} > ${len} - ${n}).`,
        "max_tokens",
        maxTokens,
      );
    }
    return null;
  },
  checkRanges: ({ maxTokens, temperature, topP }) => {
    if (maxTokens !== null && maxTokens < 1) return `max_tokens must be at least 1, got ${maxTokens}.`;
    if (temperature !== null && temperature < 0) return `temperature must be non-negative, got ${temperature}.`;
    if (topP !== null && !(topP > 0 && topP <= 1)) return `top_p must be in (0, 1], got ${topP}.`;
    return null;
  },
  info: (_core, path) => (path === "/version" ? { version: VLLM_VERSION } : undefined),
  modelCard: (core) => ({
    id: core.o.modelId,
    object: "model",
    created: 0,
    owned_by: "vllm",
    root: core.o.modelId,
    parent: null,
    max_model_len: core.o.maxTotalTokens,
    permission: [{ id: "modelperm-emulator", object: "model_permission", allow_sampling: true, is_blocking: false }],
  }),
  tokenize: (core, _body, count) => ({ count, max_model_len: core.o.maxTotalTokens, tokens: Array.from({ length: count }, (_, i) => i + 2), token_strs: null }),
  metrics: (core, s) => {
    const labels = `engine="0",model_name="${core.o.modelId}"`;
    return [
      "# HELP vllm:num_requests_running Number of requests in model execution batches.",
      "# TYPE vllm:num_requests_running gauge",
      `vllm:num_requests_running{${labels}} ${s.running}`,
      "# HELP vllm:num_requests_waiting Number of requests waiting to be processed.",
      "# TYPE vllm:num_requests_waiting gauge",
      `vllm:num_requests_waiting{${labels}} ${s.queued}`,
      "# HELP vllm:kv_cache_usage_perc KV-cache usage. 1 means 100 percent usage.",
      "# TYPE vllm:kv_cache_usage_perc gauge",
      `vllm:kv_cache_usage_perc{${labels}} ${s.kvUse}`,
    ];
  },
  systemFingerprint: null,
};
