// The model-call contract used by the pipeline and the direct arm. The real implementation is
// endpoint/client.ts (openai SDK against TGI); tests may pass a fake ModelClient.
import type { CallStats, ErrorClass } from "../types.js";

export interface ChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

/** TGI's grammar shape (not OpenAI's json_schema shape). */
export interface TgiResponseFormat {
  type: "json";
  value: Record<string, unknown>;
}

export interface ChatRequest {
  messages: ChatMessage[];
  /** Upper bound on completion tokens; the client clamps it to max_total − input after preflight. */
  max_tokens?: number;
  response_format?: TgiResponseFormat;
  /** For logs, metrics and the emulator's per-step fault injection; never sent as model input. */
  tag?: { case_id?: string; step?: string };
  /** Sampling temperature for this call (a pipeline file's per-step value); overrides the client's. */
  temperature?: number;
  /** Sampling seed for this call (an epoch's own seed); overrides the client's default seed. */
  seed?: number;
  /**
   * Retries left for the whole case, shared by all its calls (each retry takes one). When it is spent,
   * a failing call fails at once: the case is recorded as `error` and the run moves on.
   */
  budget?: RetryBudget;
}

export interface RetryBudget {
  remaining: number;
}

export interface ChatResult extends CallStats {
  text: string;
}

/** A call that failed after the client's retries. `stats` holds what it cost anyway. */
export class EndpointError extends Error {
  constructor(
    message: string,
    readonly errorClass: ErrorClass,
    readonly stats: CallStats,
    readonly status?: number,
  ) {
    super(message);
    this.name = "EndpointError";
  }
}

export interface ModelClient {
  chat(req: ChatRequest, signal?: AbortSignal): Promise<ChatResult>;
}

/**
 * Prompt-mode JSON convention shared by the pipeline and the emulator: a step that wants JSON ends its
 * user message with this marker line followed by a fenced ```json block holding the JSON Schema.
 */
export const JSON_SCHEMA_MARKER = "Respond with one JSON object only, conforming to this JSON Schema:";
