// One interface for what differs between the serving engines an Inference Endpoint can run (TGI, vLLM,
// SGLang, or any plain OpenAI-compatible server). Everything engine-specific lives in one module per engine
// (tgi.ts, vllm.ts, sglang.ts, openai.ts); the rest of the harness asks the profile, never `engine === …`.
import type { ErrorClass } from "../../types.js";

export const ENGINE_NAMES = ["tgi", "vllm", "sglang", "openai"] as const;
export type EngineName = (typeof ENGINE_NAMES)[number];

/** Token limits a request must fit: input alone, and input + max_tokens. */
export interface TokenLimits {
  maxInputTokens: number;
  maxTotalTokens: number;
}

/** A GET on the endpoint's root (baseUrl without /v1): parsed JSON, or null when unreachable / not 2xx / not JSON. */
export type RootGet = (path: string) => Promise<unknown>;

/** What a profile learnt from the server's own routes. */
export interface EngineFacts {
  version: string | null;
  /** null: the server publishes none (the harness then cannot preflight and says so). */
  limits: TokenLimits | null;
  /** Model ids the server lists on /v1/models (empty when it lists none). */
  servedModels: string[];
  /** The route(s) that identified the engine, e.g. "GET /version + GET /v1/models (max_model_len)". */
  evidence: string;
  /** The engine's own info document(s), kept in run.json (TGI /info, SGLang /get_server_info, …). */
  info: Record<string, unknown> | null;
}

/** Where a counting route lives and how its answer reads (TGI /chat_tokenize, vLLM /tokenize). */
export interface TokenizeRoute {
  path: string;
  body(model: string, messages: ReadonlyArray<{ role: string; content: string }>): Record<string, unknown>;
  /** Prompt tokens in the answer, or null when the answer is not of the expected shape. */
  count(json: unknown): number | null;
}

/** Prometheus series that show saturation: requests waiting, requests running (batch), KV-cache use. */
export interface SaturationMetrics {
  queue: readonly string[];
  running: readonly string[];
  kvCache: readonly string[];
}

/** Sampling parameters as the engine validates them. */
export interface SamplingRules {
  /** Parameters the harness may send (others are left out of the body). */
  accepted: ReadonlySet<string>;
  /** Why `params` would be rejected (the engine's own wording), or null when they are accepted. */
  check(params: { temperature?: number; top_p?: number }): string | null;
  /** What an omitted temperature means on this engine (documented in reports). */
  omittedTemperature: string;
}

export interface EngineProfile {
  name: EngineName;
  /** Human name for messages. */
  label: string;
  /**
   * Reads the engine's routes. Returns null when the server does not look like this engine. With `forced`
   * (the user chose --engine), returns whatever could be read instead of null.
   */
  detect(get: RootGet, forced: boolean): Promise<EngineFacts | null>;
  /** The structured-output request field for a JSON Schema. */
  responseFormat(name: string, schema: Record<string, unknown>): Record<string, unknown>;
  /** True when the engine rejects a model id it does not serve (so the harness must send a served one). */
  requiresServedModelId: boolean;
  tokenize: TokenizeRoute | null;
  /** Class of an HTTP error answer (status + parsed body). */
  classifyHttp(status: number, body: unknown): ErrorClass;
  /** Class of an error that arrived inside a 200 stream (the error member of the SSE event). */
  classifyStreamError(error: unknown): { cls: ErrorClass; status?: number };
  metrics: SaturationMetrics | null;
  sampling: SamplingRules;
  /** TGI answers 429 past --max-concurrent-requests; vLLM and SGLang queue instead. */
  answers429: boolean;
  /** Supports stream_options.include_usage (usage on the last chunk). */
  streamUsage: boolean;
}

/** How the engine of a run was settled, as recorded in run.json. */
export interface EngineDetection {
  engine: EngineName;
  version: string | null;
  /** "auto: …evidence…" or "--engine vllm (forced)". */
  detected_by: string;
  limits: { max_input_tokens: number; max_total_tokens: number } | null;
  limits_source: "engine" | "flags" | "default" | "unknown";
  served_models: string[];
  /** Things the user should know (limits unknown, model id replaced, engine queues instead of 429, …). */
  notes: string[];
}
