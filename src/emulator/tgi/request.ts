// TGI's request types (router/src/lib.rs: ChatRequest, GenerateRequest, GenerateParameters, GrammarType)
// as the emulator reads them: serde-shaped deserialization (serde.ts), then ChatRequest::try_into_generate's
// mapping to generation parameters (temperature 0 → greedy, presence_penalty → repetition_penalty + 2,
// `model` other than "tgi" → adapter_id, top_logprobs → top_n_tokens).
import type { ChatMessage } from "../../endpoint/types.js";
import type { JsonSchema } from "../schema-gen.js";
import { deserializeError, toolError, type HttpError } from "./errors.js";
import { checkFields, isRecord, parseJsonBody, position, rules, valueSpans, type FieldSpec, type Spans } from "./serde.js";

const { string, bool, f32, uint, seq, optional } = rules;

/** GrammarType: `{type: "json"|"json_object", value}`, `{type: "regex", value}`, `{type: "json_schema", value: {name?, schema}}`. */
/** `wrapped`: the json_schema variant (its schema is used as given: no string re-parse, no object check). */
export type Grammar = { kind: "json"; schema: unknown; wrapped: boolean } | { kind: "regex"; regex: string };

/** The generation parameters validate() checks (GenerateParameters after try_into_generate). */
export interface GenParams {
  temperature: number | null;
  repetitionPenalty: number | null;
  frequencyPenalty: number | null;
  topP: number | null;
  topK: number | null;
  typicalP: number | null;
  doSample: boolean;
  maxNewTokens: number | null;
  stop: string[];
  seed: number | null;
  topNTokens: number | null;
  truncate: number | null;
  bestOf: number | null;
  grammar: Grammar | null;
  details: boolean;
  decoderInputDetails: boolean;
  returnFullText: boolean;
}

export interface ChatReq {
  model: string | null;
  messages: ChatMessage[];
  stream: boolean;
  includeUsage: boolean;
  params: GenParams;
  /** Characters of message content (x-compute-characters is counted on the templated text in TGI). */
  chars: number;
}

export interface GenerateReq {
  inputs: string;
  stream: boolean;
  params: GenParams;
}

const GRAMMAR_VARIANTS = "`json`, `json_object`, `regex`, `json_schema`";

/** serde's adjacently tagged GrammarType (tag "type", content "value"). Returns the grammar or throws. */
function readGrammar(v: unknown, path: string, raw: string, spans: Spans): Grammar | null {
  if (v === null) return null;
  const at = (p: string): string => position(raw, spans.get(p)?.end ?? raw.length);
  if (!isRecord(v)) throw deserializeError(`${path}: invalid type: ${v === null ? "null" : typeof v === "string" ? `string ${JSON.stringify(v)}` : Array.isArray(v) ? "sequence" : String(v)}, expected adjacently tagged enum GrammarType${at(path)}`);
  const t = v.type;
  if (t === undefined) throw deserializeError(`${path}: missing field \`type\`${at(path)}`);
  if (typeof t !== "string" || !["json", "json_object", "regex", "json_schema"].includes(t)) {
    throw deserializeError(`${path}.type: unknown variant \`${String(t)}\`, expected one of ${GRAMMAR_VARIANTS}${at(`${path}.type`)}`);
  }
  if (!("value" in v)) throw deserializeError(`${path}: missing field \`value\`${at(path)}`);
  const value = v.value;
  if (t === "regex") {
    if (typeof value !== "string") throw deserializeError(`${path}.value: invalid type: ${describe(value)}, expected a string${at(`${path}.value`)}`);
    return { kind: "regex", regex: value };
  }
  if (t === "json_schema") {
    // JsonSchemaConfig { name: Option<String>, schema: Value }
    if (!isRecord(value)) throw deserializeError(`${path}.value: invalid type: ${describe(value)}, expected struct JsonSchemaConfig${at(`${path}.value`)}`);
    checkFields(value, { name: { rule: optional(string) }, schema: { rule: () => null, required: true } }, raw, spans, `${path}.value`);
    return { kind: "json", schema: value.schema, wrapped: true };
  }
  return { kind: "json", schema: value, wrapped: false };
}

const describe = (v: unknown): string =>
  v === null ? "null" : typeof v === "string" ? `string ${JSON.stringify(v)}` : typeof v === "number" ? (Number.isInteger(v) ? `integer \`${v}\`` : `floating point \`${v}\``) : typeof v === "boolean" ? `boolean \`${v}\`` : Array.isArray(v) ? "sequence" : "map";

/** Message { role, content (string | [{type:"text",text}|{type:"image_url",image_url}]) | tool_calls, name? }. */
function readMessages(v: unknown[], raw: string, spans: Spans): { messages: ChatMessage[]; chars: number } {
  let chars = 0;
  const messages = v.map((m, i) => {
    const p = `messages[${i}]`;
    const at = position(raw, spans.get(p)?.end ?? raw.length);
    if (!isRecord(m)) throw deserializeError(`${p}: invalid type: ${describe(m)}, expected struct Message${at}`);
    if (typeof m.role !== "string") {
      throw deserializeError(m.role === undefined ? `${p}: missing field \`role\`${at}` : `${p}.role: invalid type: ${describe(m.role)}, expected a string${at}`);
    }
    const content = contentText(m.content);
    if (content === null && !Array.isArray(m.tool_calls)) throw deserializeError(`${p}: data did not match any variant of untagged enum MessageBody${at}`);
    const text = content ?? JSON.stringify(m.tool_calls);
    chars += text.length;
    return { role: m.role as ChatMessage["role"], content: text };
  });
  return { messages, chars };
}

/** MessageContent: a string, or chunks joined without separator (images become `![](url)`). */
function contentText(c: unknown): string | null {
  if (typeof c === "string") return c;
  if (!Array.isArray(c)) return null;
  let out = "";
  for (const p of c) {
    if (isRecord(p) && p.type === "text" && typeof p.text === "string") out += p.text;
    else if (isRecord(p) && p.type === "image_url" && isRecord(p.image_url) && typeof p.image_url.url === "string") out += `![](${p.image_url.url})`;
    else return null;
  }
  return out;
}

const CHAT_FIELDS: Record<string, FieldSpec> = {
  model: { rule: optional(string) },
  messages: { rule: (v) => (Array.isArray(v) ? null : `invalid type: ${describe(v)}, expected a sequence`), required: true },
  frequency_penalty: { rule: optional(f32) },
  logit_bias: { rule: optional(seq(f32)) },
  logprobs: { rule: optional(bool) },
  top_logprobs: { rule: optional(uint(32)) },
  max_tokens: { rule: optional(uint(32)), aliases: ["max_completion_tokens"] },
  n: { rule: optional(uint(32)) },
  presence_penalty: { rule: optional(f32) },
  stop: { rule: optional(seq(string)) },
  stream: { rule: bool },
  seed: { rule: optional(uint(64)) },
  temperature: { rule: optional(f32) },
  top_p: { rule: optional(f32) },
  tools: { rule: optional((v) => (Array.isArray(v) ? null : `invalid type: ${describe(v)}, expected a sequence`)) },
  tool_prompt: { rule: optional(string) },
  response_format: { rule: () => null },
  stream_options: { rule: (v) => (isRecord(v) ? null : `invalid type: ${describe(v)}, expected struct StreamOptions`) },
};

/** Reads a /v1/chat/completions body; throws TGI's 400/422 for what its extractor or try_into_generate rejects. */
export function readChatRequest(raw: string): ChatReq {
  const body = parseJsonBody(raw);
  const spans = valueSpans(raw);
  if (!isRecord(body)) throw deserializeError(`invalid type: ${describe(body)}, expected struct ChatRequest${position(raw, raw.length)}`);
  checkFields(body, CHAT_FIELDS, raw, spans, "");
  const so = body.stream_options;
  if (isRecord(so)) checkFields(so, { include_usage: { rule: bool } }, raw, spans, "stream_options");
  const grammar = readGrammar(body.response_format ?? null, "response_format", raw, spans);
  const { messages, chars } = readMessages(body.messages as unknown[], raw, spans);
  if (grammar && Array.isArray(body.tools)) throw toolError("Grammar and tools are mutually exclusive");
  const num = (k: string): number | null => (typeof body[k] === "number" ? (body[k] as number) : null);
  const temperature = num("temperature");
  const presence = num("presence_penalty");
  const model = typeof body.model === "string" ? body.model : null;
  return {
    model,
    messages,
    stream: body.stream === true,
    includeUsage: isRecord(so) && so.include_usage === true,
    chars,
    params: {
      // try_into_generate: `temperature: 0` means greedy (do_sample false, no temperature).
      temperature: temperature === 0 ? null : temperature,
      doSample: temperature !== 0,
      repetitionPenalty: presence === null ? null : presence + 2,
      frequencyPenalty: num("frequency_penalty"),
      topP: num("top_p"),
      topK: null,
      typicalP: null,
      maxNewTokens: num("max_tokens") ?? num("max_completion_tokens"),
      stop: Array.isArray(body.stop) ? (body.stop as string[]) : [],
      seed: num("seed"),
      topNTokens: num("top_logprobs"),
      truncate: null,
      bestOf: null,
      grammar,
      details: true,
      decoderInputDetails: false,
      returnFullText: false,
    },
  };
}

const PARAM_FIELDS: Record<string, FieldSpec> = {
  best_of: { rule: optional(uint(64)) },
  temperature: { rule: optional(f32) },
  repetition_penalty: { rule: optional(f32) },
  frequency_penalty: { rule: optional(f32) },
  top_k: { rule: optional((v) => (typeof v === "number" && Number.isInteger(v) ? null : `invalid type: ${describe(v)}, expected i32`)) },
  top_p: { rule: optional(f32) },
  typical_p: { rule: optional(f32) },
  do_sample: { rule: bool },
  max_new_tokens: { rule: optional(uint(32)) },
  return_full_text: { rule: optional(bool) },
  stop: { rule: seq(string) },
  truncate: { rule: optional(uint(64)) },
  watermark: { rule: bool },
  details: { rule: bool },
  decoder_input_details: { rule: bool },
  seed: { rule: optional(uint(64)) },
  top_n_tokens: { rule: optional(uint(32)) },
  grammar: { rule: () => null },
  adapter_id: { rule: optional(string) },
};

/** Reads a /generate or /generate_stream body. */
export function readGenerateRequest(raw: string, stream: boolean): GenerateReq {
  const body = parseJsonBody(raw);
  const spans = valueSpans(raw);
  if (!isRecord(body)) throw deserializeError(`invalid type: ${describe(body)}, expected struct GenerateRequest${position(raw, raw.length)}`);
  checkFields(body, { inputs: { rule: string, required: true }, parameters: { rule: (v) => (isRecord(v) ? null : `invalid type: ${describe(v)}, expected struct GenerateParameters`) } }, raw, spans, "");
  const p = isRecord(body.parameters) ? body.parameters : null;
  if (p) checkFields(p, PARAM_FIELDS, raw, spans, "parameters");
  const num = (k: string): number | null => (p && typeof p[k] === "number" ? (p[k] as number) : null);
  return {
    inputs: body.inputs as string,
    stream,
    params: {
      temperature: num("temperature"),
      repetitionPenalty: num("repetition_penalty"),
      frequencyPenalty: num("frequency_penalty"),
      topP: num("top_p"),
      topK: num("top_k"),
      typicalP: num("typical_p"),
      // default_parameters() (no `parameters` at all) samples; a `parameters` object defaults to greedy.
      doSample: p ? p.do_sample === true : true,
      maxNewTokens: num("max_new_tokens"),
      stop: p && Array.isArray(p.stop) ? (p.stop as string[]) : [],
      seed: num("seed"),
      topNTokens: num("top_n_tokens"),
      truncate: num("truncate"),
      bestOf: num("best_of"),
      grammar: p ? readGrammar(p.grammar ?? null, "parameters.grammar", raw, spans) : null,
      details: p?.details === true,
      decoderInputDetails: p?.decoder_input_details === true,
      returnFullText: p?.return_full_text === true,
    },
  };
}

/** The JSON schema of a grammar, for the emulated model's answer (regex grammars get free text). */
export function grammarSchema(g: Grammar | null): JsonSchema | undefined {
  return g?.kind === "json" && isRecord(g.schema) ? g.schema : undefined;
}

export type { HttpError };
