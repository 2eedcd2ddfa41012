// Token limits without a tokenizer, when they cannot be at stake.
//
// Rule (used by the client's preflight and by the emulator's own validation):
//   1. bound = UTF-8 bytes of the rendered Gemma 3 chat (renderGemmaChat), with each special token the template
//      inserts (<bos>, <start_of_turn>, <end_of_turn>) counted as the one token it is, not as its bytes.
//   2. If bound ≤ max_input_tokens and bound + max_tokens ≤ max_total_tokens, the request is within the limits
//      whatever its exact count: send it as it is (nothing is clamped; the exact count could only be lower).
//   3. Otherwise count exactly with the Gemma tokenizer (loaded only then) and validate/clamp as before.
//
// Why it is an upper bound: Gemma 3's tokenizer is a BPE over the text after one normalisation (" " → "▁", one
// character for one character) with byte fallback. Every token is a non-empty piece of that text: a vocabulary
// string (≥ 1 character ≥ 1 UTF-8 byte of the input), a single fallback byte, or an added/special token (≥ 1
// byte). So no input yields more tokens than UTF-8 bytes. Checked by test/tokenizer-bound.test.ts over every
// prompt the harness renders for the MedQA test set.
import type { ChatMessage } from "../endpoint/types.js";
import { GEMMA_SPECIAL, renderGemmaChat } from "./gemma.js";

const EXTRA_BOS = Buffer.byteLength(GEMMA_SPECIAL.bos) - 1;
const EXTRA_TURN = Buffer.byteLength(GEMMA_SPECIAL.startOfTurn) - 1 + (Buffer.byteLength(GEMMA_SPECIAL.endOfTurn) - 1);
const EXTRA_GEN = Buffer.byteLength(GEMMA_SPECIAL.startOfTurn) - 1;

/**
 * Upper bound on the input tokens of a chat request (what TGI validates against max_input_tokens).
 * Throws like renderGemmaChat for a conversation the template rejects.
 */
export function chatTokenBound(messages: readonly ChatMessage[]): number {
  const turns = messages[0]?.role === "system" ? messages.length - 1 : messages.length;
  return Buffer.byteLength(renderGemmaChat(messages, true), "utf8") - EXTRA_BOS - turns * EXTRA_TURN - EXTRA_GEN;
}

export interface Limits {
  maxInputTokens: number;
  maxTotalTokens: number;
}

/**
 * True when `tokens` (an exact count or an upper bound) proves the request valid: input ≤ max_input and, when
 * max_tokens is given, input + max_tokens ≤ max_total. Without max_tokens TGI fills in max_total − input, which
 * is valid whenever the input is.
 */
export function withinLimits(tokens: number, maxTokens: number | undefined, limits: Limits): boolean {
  if (tokens > limits.maxInputTokens) return false;
  return maxTokens === undefined ? tokens < limits.maxTotalTokens : tokens + maxTokens <= limits.maxTotalTokens;
}

/** TGI schedules generation in chunks of this many tokens and re-validates prompt + output between chunks. */
const CHUNK = 1024;

/**
 * For an engine emulator: true when no length check can depend on the exact input count, for ANY count ≤ `bound`
 * — neither a plain `input + max_tokens ≤ max_total` check (vLLM, SGLang) nor TGI's (≥ 3.1) first check
 * `input + min(max_new, 1024) ≤ max_total` and its re-validation of `input + generated` before each further
 * 1024-token chunk. Every such check reads `input + k·1024 + chunk` with k·1024 + chunk ≤ max_new rounded up to
 * a multiple of 1024, so bounding that sum bounds them all. Without max_tokens the engine fills in
 * `max_total − input`, which depends on the count: never cleared.
 */
export function boundClearsGeneration(bound: number, maxNewTokens: number | null, limits: Limits): boolean {
  if (maxNewTokens === null || bound > limits.maxInputTokens) return false;
  const span = Math.ceil(maxNewTokens / CHUNK) * CHUNK;
  return bound + span <= limits.maxTotalTokens && bound + span - CHUNK <= limits.maxInputTokens;
}
