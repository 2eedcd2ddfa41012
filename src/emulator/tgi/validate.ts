// TGI 3.3's Validation::validate (router/src/validation.rs), in its order: sampling parameters, then
// validate_input (max_total_tokens BEFORE max_input_tokens, with max_new_tokens capped to the
// 1024-token chunk TGI schedules at a time), then the grammar. Pure: the caller supplies the token count.
import { validationError, type HttpError } from "./errors.js";
import { jsonGrammarError, metaSchemaError } from "./grammar.js";
import type { GenParams } from "./request.js";

/** DEFAULT_GENERATION_LENGTH: TGI schedules generation in chunks of this many tokens (≥ 3.1.1). */
export const GENERATION_CHUNK = 1024;

export interface ValidationLimits {
  maxInputTokens: number;
  maxTotalTokens: number;
  maxStopSequences: number;
  maxTopNTokens: number;
  maxBestOf: number;
}

export interface ValidRequest {
  /** Tokens the first chunk may generate: min(max_new_tokens, 1024). */
  chunkTokens: number;
  /** Tokens the whole generation may produce (max_new_tokens, or max_total − input when unset). */
  maxNewTokens: number;
  seed: number | null;
}

/** Throws TGI's 422 for the first parameter validate() rejects, in its order. */
export function validateParams(p: GenParams, limits: ValidationLimits, inputIsEmpty = false): void {
  const bestOf = p.bestOf ?? 1;
  if (bestOf !== 1) {
    if (limits.maxBestOf === 1) throw validationError("`best_of` != 1 is not allowed for this endpoint");
    if (bestOf > limits.maxBestOf || bestOf === 0) throw validationError(`\`best_of\` must be > 0 and <= ${limits.maxBestOf}. Given: ${bestOf}`);
  }
  const sampling = p.doSample || p.temperature !== null || p.topK !== null || p.topP !== null || p.typicalP !== null;
  if (bestOf > 1 && !sampling) throw validationError("you must use sampling when `best_of` is > 1");
  if ((p.temperature ?? 1) <= 0) throw validationError("`temperature` must be strictly positive");
  if ((p.repetitionPenalty ?? 1) <= 0) throw validationError("`repetition_penalty` must be strictly positive");
  const fp = p.frequencyPenalty ?? 0;
  if (!(fp >= -2 && fp <= 2)) throw validationError("`frequency_penalty` must be >= -2.0 and <= 2.0");
  if (p.topP !== null && (p.topP <= 0 || p.topP >= 1)) throw validationError("`top_p` must be > 0.0 and < 1.0");
  if (p.typicalP !== null && (p.typicalP <= 0 || p.typicalP >= 1)) throw validationError("`typical_p` must be > 0.0 and < 1.0");
  if (p.topK !== null && p.topK <= 0) throw validationError("`top_k` must be strictly positive");
  if (p.maxNewTokens === 0) throw validationError("`max_new_tokens` must be strictly positive");
  if (p.stop.length > limits.maxStopSequences) throw validationError(`\`stop\` supports up to ${limits.maxStopSequences} stop sequences. Given: ${p.stop.length}`);
  if (p.seed !== null && bestOf > 1) throw validationError("`seed` must not be set when `best_of` > 1");
  if (p.topNTokens !== null && p.topNTokens > limits.maxTopNTokens) throw validationError(`\`top_n_tokens\` must be >= 0 and <= ${limits.maxTopNTokens}. Given: ${p.topNTokens}`);
  if (inputIsEmpty) throw validationError("`inputs` cannot be empty");
  if (p.truncate !== null && (p.truncate === 0 || p.truncate > limits.maxInputTokens)) {
    throw validationError(`\`truncate\` must be strictly positive and less than ${limits.maxInputTokens}. Given: ${p.truncate}`);
  }
}

/** validate_input: the length checks, given the prompt's token count. */
export function validateLength(inputTokens: number, maxNewTokens: number | null, limits: ValidationLimits): { chunkTokens: number; maxNewTokens: number } {
  const total = maxNewTokens ?? Math.max(0, limits.maxTotalTokens - inputTokens);
  const chunk = Math.min(total, GENERATION_CHUNK);
  if (inputTokens + chunk > limits.maxTotalTokens) {
    throw validationError(
      `\`inputs\` tokens + \`max_new_tokens\` must be <= ${limits.maxTotalTokens}. Given: ${inputTokens} \`inputs\` tokens and ${chunk} \`max_new_tokens\``,
    );
  }
  if (inputTokens > limits.maxInputTokens) throw validationError(`\`inputs\` must have less than ${limits.maxInputTokens} tokens. Given: ${inputTokens}`);
  return { chunkTokens: chunk, maxNewTokens: total };
}

/** The grammar branch of validate(); returns the JSON schema in force (or null for regex/none). */
export function validateGrammar(g: GenParams["grammar"]): unknown {
  if (!g || g.kind === "regex") return null;
  let schema = g.schema;
  if (!g.wrapped) {
    if (typeof schema === "string") {
      try {
        schema = JSON.parse(schema);
      } catch (e) {
        throw validationError(`grammar is not valid: ${(e as Error).message}`);
      }
    } else if (typeof schema !== "object" || schema === null || Array.isArray(schema)) {
      throw validationError("grammar is not supported");
    }
  }
  const err: HttpError | null = jsonGrammarError(schema);
  if (err) throw err;
  return schema;
}

/**
 * How many tokens TGI actually generates for a request that would say `wanted` tokens unconstrained.
 * Generation runs in chunks of ≤ 1024; when a chunk ends by length and the total allows more, TGI
 * re-validates the prompt + generated text with the ORIGINAL max_new_tokens chunk and stops (finish
 * "length") when that no longer fits (infer/mod.rs, generate_stream). Each continuation chunk is again
 * min(max_new_tokens, 1024) long, so a limit that is not a multiple of 1024 can be overshot, as in TGI.
 */
export function generatedTokens(
  inputTokens: number,
  wanted: number,
  requested: number | null,
  limits: Pick<ValidationLimits, "maxInputTokens" | "maxTotalTokens">,
): { tokens: number; length: boolean } {
  const total = requested ?? Math.max(0, limits.maxTotalTokens - inputTokens);
  let done = 0;
  let chunk = Math.min(total, GENERATION_CHUNK);
  for (;;) {
    if (wanted - done <= chunk) return { tokens: wanted, length: false };
    done += chunk;
    if (done >= total) return { tokens: done, length: true };
    // Re-validation of prompt + generated text; a failure ends the generation with what it has.
    const input = inputTokens + done;
    chunk = Math.min(requested ?? Math.max(0, limits.maxTotalTokens - input), GENERATION_CHUNK);
    if (input + chunk > limits.maxTotalTokens || input > limits.maxInputTokens) return { tokens: done, length: true };
  }
}

export { metaSchemaError };
