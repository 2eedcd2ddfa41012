// TGI's chat streaming (router/src/server.rs chat_completions + router/src/chat.rs ChatState): HTTP 200
// with Server-Sent Events — one `chat.completion.chunk` per token (delta {role, content}, usage null),
// the last one carrying finish_reason; with stream_options.include_usage a final chunk with empty
// choices and the usage; errors (validation, overload, generation) as `data: {"error": {...}}`
// (InferError::into_openai_event); and always `data: [DONE]` at the end.
import type { ServerResponse } from "node:http";
import { openaiErrorEvent, type HttpError } from "./errors.js";

export interface ChunkMeta {
  model: string;
  systemFingerprint: string;
  created: number;
}

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

/** The headers generate_stream_internal sets (no timing headers on a stream). */
export function streamHeaders(computeType: string, computeCharacters: number): Record<string, string> {
  return {
    "content-type": "text/event-stream",
    "cache-control": "no-cache",
    "x-compute-type": computeType,
    "x-compute-characters": String(computeCharacters),
    "x-accel-buffering": "no",
  };
}

export function contentChunk(meta: ChunkMeta, content: string, finishReason: string | null): Record<string, unknown> {
  return {
    object: "chat.completion.chunk",
    id: "",
    created: meta.created,
    model: meta.model,
    system_fingerprint: meta.systemFingerprint,
    choices: [{ index: 0, delta: { role: "assistant", content }, logprobs: null, finish_reason: finishReason }],
    usage: null,
  };
}

export function usageChunk(meta: ChunkMeta, usage: Usage): Record<string, unknown> {
  return { object: "chat.completion.chunk", id: "", created: meta.created, model: meta.model, system_fingerprint: meta.systemFingerprint, choices: [], usage };
}

/** Splits generated text into the emulator's tokens (4 characters each, as approxTokens counts them). */
export function tokenPieces(text: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += 4) out.push(text.slice(i, i + 4));
  return out;
}

/** Writes SSE events to one response; every write is a no-op once the client has gone. */
export class SseWriter {
  constructor(private readonly res: ServerResponse) {}

  get open(): boolean {
    return !this.res.destroyed && !this.res.writableEnded;
  }

  start(status: number, headers: Record<string, string>): void {
    if (this.res.headersSent || !this.open) return;
    this.res.writeHead(status, headers);
    this.res.flushHeaders();
  }

  data(payload: unknown): void {
    if (!this.open) return;
    this.res.write(`data: ${typeof payload === "string" ? payload : JSON.stringify(payload)}\n\n`);
  }

  /** The error event then [DONE], as chat_completions does after a failed generation. */
  error(err: HttpError): void {
    this.data(openaiErrorEvent(err));
  }

  done(): void {
    this.data("[DONE]");
    if (this.open) this.res.end();
  }
}
