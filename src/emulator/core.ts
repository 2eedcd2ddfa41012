// What an engine module (src/emulator/tgi/, and beside it other engines) gets from the emulator core:
// the proxy in front (auth, scale-to-zero, pause) and the shared machinery — emulated clock, GPU
// batch model, token counting, fault draws, counters. An engine module owns its routes' request
// parsing, validation order, answer and error shapes.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ChatMessage } from "../endpoint/types.js";
import type { EmulatedClock } from "./clock.js";
import type { GpuScheduler } from "./latency.js";
import type { EmulatorOptions, FaultKind } from "./options.js";

export interface EngineCore {
  /** Current options (they can change at run time). */
  readonly o: EmulatorOptions;
  readonly clock: EmulatedClock;
  readonly gpu: GpuScheduler;
  /** Aborts when the server closes. */
  readonly closing: AbortSignal;
  /** Generation requests in flight, this one included. */
  inFlight(): number;
  /**
   * Prompt tokens of a chat, as the served tokenizer counts the rendered template (cached). Given the request's
   * max_new_tokens, it may return a cheap estimate instead when the byte bound proves no length check can depend
   * on the count (tokenizer/bound.ts boundClearsGeneration); without it the count is exact.
   */
  countPrompt(messages: ChatMessage[], maxNewTokens?: number | null): Promise<number>;
  /** Token ids of a rendered prompt (for /chat_tokenize); its length equals countPrompt for the same chat. */
  encodePrompt(messages: ChatMessage[], rendered: string): Promise<number[]>;
  /** Tokens of raw text (for /generate, where the tokenizer adds <bos>). */
  countText(text: string): Promise<number>;
  /** Fault for generation request number `n`. */
  pickFault(n: number, req: IncomingMessage): FaultKind | null;
  /** A shard failed: every sequence of the running batch fails and /health reports unhealthy for a while. */
  breakBatch(): number;
  /** Whether /health currently reports unhealthy. */
  unhealthy(): boolean;
  /** Count tokens served and note activity (keeps the replica from idling out). */
  served(promptTokens: number, completionTokens: number): void;
  /** Counters for `reset` and `stall` faults. */
  countFault(kind: "reset" | "stall"): void;
  info(): Record<string, unknown>;
  send(res: ServerResponse, status: number, body: unknown, headers?: Record<string, string>): void;
}

/** An engine's routes: returns false when the route is not its own. */
export interface EngineRoutes {
  /** Paths (POST) that are generation requests: counted in stats and subject to faults and capacity. */
  readonly generationPaths: ReadonlySet<string>;
  handle(req: IncomingMessage, res: ServerResponse, path: string, body: string): Promise<boolean>;
  /** The engine's own Prometheus series (TGI tgi_*, vLLM vllm:*, SGLang sglang:*), added to /metrics. */
  metricsLines?(s: { queued: number; running: number }): string[];
}

/**
 * An abort signal for one response: fired when the client goes away before the response finished, or when the
 * emulator shuts down (the listener is removed once the response closes).
 */
export function abortOnClose(res: import("node:http").ServerResponse, closing: AbortSignal): AbortSignal {
  const ac = new AbortController();
  res.once("close", () => {
    if (!res.writableFinished) ac.abort();
  });
  const onShutdown = (): void => ac.abort();
  closing.addEventListener("abort", onShutdown, { once: true });
  res.once("close", () => closing.removeEventListener("abort", onShutdown));
  return ac.signal;
}
