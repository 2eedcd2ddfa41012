// What the emulated model says: a deterministic function of the request (never of an answer key).
// JSON requests get a schema-valid value (optionally broken on purpose); free-text requests get a short
// rationale and a final `Answer: X` line chosen by the lexical baseline.
import { JSON_SCHEMA_MARKER, type ChatMessage } from "../endpoint/types.js";
import { LETTERS, type Letter } from "../types.js";
import { fnv1a, unit } from "./hash.js";
import { contentWords, lexicalAnswer, parseMcq } from "./lexical.js";
import { generateFromSchema, type JsonSchema } from "./schema-gen.js";
import { styledAnswer, type ResponseStyle } from "./styles.js";

export type JsonMode = "grammar" | "prompt";
export type JsonCorruption = "truncated" | "trailing_comma" | "prose" | "unclosed";

export interface AnswerInput {
  messages: readonly ChatMessage[];
  /** TGI grammar (`response_format.value`), when present. */
  grammar?: JsonSchema;
  /** messagesKey(messages), when the caller already has it (the server hashes each prompt once). */
  messagesKey?: string;
  /**
   * Sampled decoding (temperature > 0): the answer then depends on the seed too, deterministically. Absent or
   * temperature null/0 = greedy, a function of the prompt alone.
   */
  sampling?: { temperature: number | null; seed: number | null };
}

export interface AnswerOptions {
  /** Share (0..1) of JSON answers to break, chosen by request hash. */
  invalidJsonRate: number;
  /** Wording of free-text answers (default plain: rationale + `Answer: X`); see styles.ts. */
  style?: ResponseStyle;
  /** Fault injection: force this JSON/text damage regardless of the rate. */
  force?: "truncated" | "invalid_json";
}

export interface Answer {
  text: string;
  /** "length" when the answer was cut on purpose (truncation fault or corruption). */
  finishReason: "stop" | "length";
  json: JsonMode | null;
  corruption: JsonCorruption | null;
  letter: Letter | null;
  /** Varied style only: the variant used and the letter a careful grader reads from the text (null = none). */
  style?: string;
  intended?: Letter | null;
}

/** Completion tokens are approximated as ceil(chars / 4): cheap, and close enough for English text. */
export function approxTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** Cuts text to at most `maxTokens` approximate tokens. */
export function cutToTokens(text: string, maxTokens: number): string {
  return text.slice(0, Math.max(0, maxTokens) * 4);
}

/** Stable key of what the model would see (messages + grammar). */
export function requestKey(input: AnswerInput): string {
  const g = input.grammar ? JSON.stringify(input.grammar) : "";
  return (input.messagesKey ?? messagesKey(input.messages)) + fnv1a(g).toString(16);
}

/** 64-bit key of the messages alone (two independent FNV chains): caches prompt token counts. */
export function messagesKey(messages: readonly ChatMessage[]): string {
  let a = 0x811c9dc5;
  let b = 0x01000193;
  for (const m of messages) {
    const s = m.role + "\u0000" + m.content + "\u0001";
    a = fnv1a(s, a);
    b = fnv1a(s, b ^ a);
  }
  return a.toString(16).padStart(8, "0") + b.toString(16).padStart(8, "0");
}

export function lastUserMessage(messages: readonly ChatMessage[]): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i];
    if (m?.role === "user") return m.content;
  }
  return "";
}

/**
 * The user turn that carries the task: the latest one holding the JSON-schema marker, else the last one.
 * A re-ask ends with a short correction request; the schema and the question sit in the first turn.
 */
export function taskUserMessage(messages: readonly ChatMessage[]): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i];
    if (m?.role === "user" && m.content.includes(JSON_SCHEMA_MARKER)) return m.content;
  }
  return lastUserMessage(messages);
}

const schemaCache = new Map<string, JsonSchema | null>();
const SCHEMA_CACHE_MAX = 512;

/** Prompt-mode JSON: the JSON Schema in the ```json block after JSON_SCHEMA_MARKER, or null. Cached by text. */
export function promptSchema(userText: string): JsonSchema | null {
  const at = userText.lastIndexOf(JSON_SCHEMA_MARKER);
  if (at < 0) return null;
  const m = /```json[^\n]*\n([\s\S]*?)```/.exec(userText.slice(at + JSON_SCHEMA_MARKER.length));
  const block = m?.[1];
  if (block === undefined) return null;
  const hit = schemaCache.get(block);
  if (hit !== undefined) return hit;
  let parsed: JsonSchema | null = null;
  try {
    const v: unknown = JSON.parse(block);
    if (typeof v === "object" && v !== null && !Array.isArray(v)) parsed = v as JsonSchema;
  } catch {
    parsed = null;
  }
  if (schemaCache.size >= SCHEMA_CACHE_MAX) schemaCache.clear();
  schemaCache.set(block, parsed);
  return parsed;
}

export function composeAnswer(input: AnswerInput, opts: AnswerOptions): Answer {
  const key = requestKey(input);
  const user = taskUserMessage(input.messages);
  // The question part only: in prompt mode the schema follows the options and must not feed the words.
  const markerAt = user.indexOf(JSON_SCHEMA_MARKER);
  const visible = markerAt >= 0 ? user.slice(0, markerAt) : user;
  const mcq = parseMcq(visible);
  const lex = mcq ? lexicalAnswer(mcq) : null;
  const letter: Letter | null = sampledLetter(lex?.letter ?? null, mcq ? mcq.options.length : 0, key, input.sampling);

  const schema = input.grammar ?? promptSchema(user);
  const json: JsonMode | null = input.grammar ? "grammar" : schema ? "prompt" : null;

  if (!schema || !json) {
    const chosen = letter ?? (LETTERS[fnv1a(key) % 4] as Letter);
    // Damage on purpose is applied to the plain form (its final Answer line is what the damage removes).
    const style = opts.force === undefined ? (opts.style ?? "plain") : "plain";
    const styled = styledAnswer(style, { letter: chosen, options: mcq?.options ?? [], rationale: rationale(mcq, chosen, key, visible), key });
    const text = styled.text;
    if (style !== "plain") return { text, finishReason: "stop", json: null, corruption: null, letter, style: styled.name, intended: styled.intended };
    if (opts.force === "truncated") return { text: text.slice(0, Math.floor(text.length / 2)), finishReason: "length", json: null, corruption: "truncated", letter };
    // A free-text "invalid" answer is one whose final Answer line is missing.
    if (opts.force === "invalid_json") return { text: text.replace(/\nAnswer: [A-E]$/, ""), finishReason: "stop", json: null, corruption: "unclosed", letter };
    return { text, finishReason: "stop", json: null, corruption: null, letter };
  }

  const words = uniqueWords(mcq ? mcq.question : visible, 400);
  const value = generateFromSchema(schema, { key, words, answer: letter });
  const body = JSON.stringify(value, null, 2);
  const corruption = chooseCorruption(key, json, opts);
  const text = corruption ? corrupt(body, corruption) : json === "prompt" && (fnv1a(key + "#fence") & 3) !== 0 ? "```json\n" + body + "\n```" : body;
  return { text, finishReason: corruption === "truncated" ? "length" : "stop", json, corruption, letter };
}

/**
 * The emulated model under sampling: with probability min(0.9, temperature / 2) (temperature 0.7 → 0.35) it
 * moves off its greedy answer to another option, both draws hashed from (prompt, seed): the same seed always gives
 * the same answer, another seed may not. Without a seed (TGI then draws one) the prompt's hash stands in.
 */
export function sampledLetter(greedy: Letter | null, nOptions: number, key: string, sampling: AnswerInput["sampling"]): Letter | null {
  const t = sampling?.temperature ?? 0;
  if (greedy === null || t <= 0 || nOptions < 2) return greedy;
  const salt = `${key}#seed${sampling?.seed ?? "none"}`;
  if (unit(salt + "#move") >= Math.min(0.9, t / 2)) return greedy;
  const at = LETTERS.indexOf(greedy);
  return LETTERS[(at + 1 + (fnv1a(salt + "#to") % (nOptions - 1))) % nOptions] as Letter;
}

function chooseCorruption(key: string, json: JsonMode, opts: AnswerOptions): JsonCorruption | null {
  if (opts.force === "truncated") return "truncated";
  const kinds: JsonCorruption[] =
    // A TGI grammar can only be broken by running out of tokens; prompt-mode JSON breaks every which way.
    json === "grammar" ? ["truncated"] : ["truncated", "trailing_comma", "prose", "unclosed"];
  if (opts.force === "invalid_json") {
    const k = json === "grammar" ? kinds : kinds.slice(1);
    return k[fnv1a(key + "#kind") % k.length] ?? "unclosed";
  }
  if (opts.invalidJsonRate > 0 && unit(key + "#invalid") < opts.invalidJsonRate) return kinds[fnv1a(key + "#kind") % kinds.length] ?? "truncated";
  return null;
}

/** Damages valid JSON text in one of the ways real model output goes wrong. */
export function corrupt(body: string, kind: JsonCorruption): string {
  switch (kind) {
    case "truncated": {
      // Cut inside a string value past the middle, as a max_tokens cut usually lands.
      const mid = Math.floor(body.length * 0.6);
      const open = body.indexOf(': "', mid) + 3; // first char of a string value (2 when none)
      if (open < 3) return body.slice(0, Math.max(1, mid));
      const len = Math.max(0, body.indexOf('"', open) - open);
      return body.slice(0, open + Math.min(4, Math.max(0, len - 1)));
    }
    case "trailing_comma": {
      const end = body.lastIndexOf("}");
      const close = body.lastIndexOf("\n", end);
      return end > 0 && close > 0 ? body.slice(0, close) + "," + body.slice(close) : body.slice(0, -1) + ",}";
    }
    case "prose":
      return `Here is the requested JSON:\n${body}\nLet me know if you need anything else.`;
    case "unclosed":
      return body.replace(/\s*[}\]]\s*$/, "");
  }
}

/** The plain style's rationale: the key features the question shares with the option, and the fit. */
function rationale(mcq: ReturnType<typeof parseMcq>, letter: Letter, key: string, visible: string): string[] {
  const opt = mcq?.options.find((o) => o.letter === letter);
  const q = uniqueWords(mcq ? mcq.question : visible, 400);
  const optWords = new Set(contentWords(opt?.text ?? ""));
  const shared = q.filter((w) => optWords.has(w)).slice(0, 3);
  const cues = shared.length > 0 ? shared : pick(q, key, 3);
  return [
    cues.length > 0 ? `Key features: ${cues.join(", ")}.` : "Key features are limited in this vignette.",
    opt ? `These fit best with ${letter}. ${opt.text}, compared with the alternatives.` : `The most consistent choice is ${letter}.`,
  ];
}

function uniqueWords(text: string, limit: number): string[] {
  const seen = new Set<string>();
  for (const w of contentWords(text)) {
    seen.add(w);
    if (seen.size >= limit) break;
  }
  return [...seen];
}

function pick(words: readonly string[], key: string, n: number): string[] {
  if (words.length === 0) return [];
  const start = fnv1a(key + "#cue") % words.length;
  const out: string[] = [];
  for (let i = 0; i < n && i < words.length; i++) out.push(words[(start + i) % words.length] as string);
  return out;
}
