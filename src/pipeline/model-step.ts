// Runs one JSON-producing pipeline step: render → call → parse/validate → at most one re-ask. Produces the
// step's StepRecord; re-throws only the endpoint errors that must stop the case or the run.
import { z } from "zod";
import { mergeStreamStats } from "../endpoint/stream-stats.js";
import { EndpointError, JSON_SCHEMA_MARKER, type ChatMessage, type ChatRequest, type ChatResult, type ModelClient } from "../endpoint/types.js";
import type { CallStats, ErrorClass, ParseOutcome, ServerTiming, StepId, StepRecord } from "../types.js";
import { grammarSafe } from "./json/grammar-safe.js";
import { parseStructured, type ParseStructuredResult } from "./json/parse.js";
import { renderTemplate } from "./template.js";
import type { PipelineOptions } from "./types.js";

/** The CDS agent's role, shared by every pipeline step. */
export const SYSTEM_PROMPT =
  "You are a clinical decision support assistant for physicians. Analyse the case carefully and accurately, " +
  "use only the facts given plus established medical knowledge, and return exactly the output format requested.";

/** The cost of no model call: a cancellation before the call, or a client that failed without stats. */
export const NO_CALL_STATS: Readonly<CallStats> = Object.freeze({
  latency_ms: 0,
  cold_ms: 0,
  tokens: Object.freeze({ prompt: 0, completion: 0 }),
  finish_reason: null,
  attempts: 0,
});

/** Classes that end the case (or the run) instead of being recorded as a step failure. */
const FATAL: ReadonlySet<ErrorClass> = new Set(["auth", "cold_start_timeout", "paused", "cancelled"]);

export function isFatal(err: unknown): err is EndpointError {
  return err instanceof EndpointError && FATAL.has(err.errorClass);
}

export interface StepContext {
  client: ModelClient;
  opts: PipelineOptions;
  caseId: string;
  signal?: AbortSignal;
}

export interface ModelStepSpec<T> {
  /** A built-in step id, or a `--pipeline FILE` step name (then `template` is given). */
  id: StepId | (string & {});
  vars: Readonly<Record<string, string>>;
  /** null → free text: no schema in the prompt or grammar; any non-empty reply is the output. */
  schema: z.ZodType<T> | null;
  /** Pipeline files: the step's own template (default: the prompt set's, by id). */
  template?: string;
  /** Pipeline files: per-step temperature (default: the client's --temperature). */
  temperature?: number;
  /** Pipeline files: per-step --json-mode override. */
  jsonMode?: PipelineOptions["jsonMode"];
  /** Pipeline files: a JSON Schema file's own text, sent instead of the one derived from `schema`. */
  jsonSchema?: Record<string, unknown>;
  /** The step's default; clamped to opts.maxTokens. */
  maxTokens: number;
  /**
   * Reads the reply (default: JSON → schema). The answer step grades it instead, so that it reads letters as the
   * direct arm does; `schema` still defines what the model is asked for.
   */
  parse?: (text: string, finishReason: string | null) => ParseStructuredResult<T>;
}

export interface StepResult<T> {
  record: StepRecord;
  /** Present iff record.status is "ok". */
  value?: T;
}

const jsonSchemaCache = new WeakMap<z.ZodType, Record<string, unknown>>();

/** The JSON Schema sent to the model (prompt text or TGI grammar), derived from the step's zod schema. */
export function jsonSchemaOf(schema: z.ZodType): Record<string, unknown> {
  let js = jsonSchemaCache.get(schema);
  if (!js) {
    // `$schema` and `default` only cost input tokens (re-sent on every call); some grammar compilers also
    // reject unknown meta-schemas. Defaults still apply when validating the reply.
    const full = z.toJSONSchema(schema, {
      override: (ctx) => {
        delete (ctx.jsonSchema as Record<string, unknown>).default;
      },
    }) as Record<string, unknown>;
    const { $schema: _drop, ...rest } = full;
    js = rest;
    jsonSchemaCache.set(schema, js);
  }
  return js;
}

const grammarCache = new WeakMap<z.ZodType, Record<string, unknown>>();

/** The schema sent as TGI's JSON grammar: jsonSchemaOf with type unions as anyOf (outlines-core rejects type arrays). */
export function grammarSchemaOf(schema: z.ZodType): Record<string, unknown> {
  let g = grammarCache.get(schema);
  if (!g) {
    g = grammarSafe(jsonSchemaOf(schema));
    grammarCache.set(schema, g);
  }
  return g;
}

/** Grammar mode still says "JSON" in words: the grammar constrains tokens, the sentence keeps the model on topic. */
export const GRAMMAR_INSTRUCTION = "Respond with one JSON object only.";

export function buildRequest(spec: ModelStepSpec<unknown>, template: string, ctx: StepContext): ChatRequest {
  const body = renderTemplate(template, spec.vars);
  const mode = spec.jsonMode ?? ctx.opts.jsonMode;
  const schema = spec.schema === null ? null : (spec.jsonSchema ?? jsonSchemaOf(spec.schema));
  const user =
    schema === null
      ? body
      : mode === "prompt"
        ? `${body}\n\n${JSON_SCHEMA_MARKER}\n\`\`\`json\n${JSON.stringify(schema)}\n\`\`\``
        : `${body}\n\n${GRAMMAR_INSTRUCTION}`;
  const req: ChatRequest = {
    messages: [
      { role: "system", content: SYSTEM_PROMPT },
      { role: "user", content: user },
    ],
    max_tokens: Math.min(spec.maxTokens, ctx.opts.maxTokens),
    tag: { case_id: ctx.caseId, step: spec.id },
  };
  if (spec.temperature !== undefined) req.temperature = spec.temperature;
  if (schema !== null && mode === "grammar") {
    req.response_format = { type: "json", value: spec.jsonSchema ? grammarSafe(spec.jsonSchema) : grammarSchemaOf(spec.schema!) };
  }
  return req;
}

export function reaskMessages(previous: ChatMessage[], badOutput: string, error: string, freeText = false): ChatMessage[] {
  return [
    ...previous,
    { role: "assistant", content: badOutput },
    {
      role: "user",
      content:
        `Your reply could not be used: ${error}\n` +
        (freeText ? "Reply again, following the instructions above." : "Reply with the corrected JSON object only, conforming to the schema requested above."),
    },
  ];
}

/** A step's server timings: sums over its calls, time per token averaged; undefined when no call had them. */
export function sumServerTiming(xs: readonly ServerTiming[]): ServerTiming | undefined {
  if (xs.length === 0) return undefined;
  const sum = (k: keyof ServerTiming) => xs.reduce((a, x) => a + x[k], 0);
  return { validation_ms: sum("validation_ms"), queue_ms: sum("queue_ms"), inference_ms: sum("inference_ms"), time_per_token_ms: sum("time_per_token_ms") / xs.length };
}

/** Sums what the calls of one step cost. */
class Tally {
  latency_ms = 0;
  cold_ms = 0;
  prompt = 0;
  completion = 0;
  attempts = 0;
  calls = 0;
  finish_reason: string | null = null;
  /** Some call got no `usage`: the step's tokens are partly estimates. */
  estimated = false;
  /** --stream: the timings of each successful call, merged into the step's figure. */
  private readonly streams: NonNullable<CallStats["stream"]>[] = [];

  /** TGI's timing headers of each successful call. */
  private readonly servers: ServerTiming[] = [];

  add(s: CallStats): void {
    if (s.stream) this.streams.push(s.stream);
    if (s.server) this.servers.push(s.server);
    this.calls += 1;
    if (s.tokens_estimated) this.estimated = true;
    this.latency_ms += s.latency_ms;
    this.cold_ms += s.cold_ms;
    this.prompt += s.tokens.prompt;
    this.completion += s.tokens.completion;
    this.attempts += s.attempts;
    this.finish_reason = s.finish_reason;
  }

  record(status: StepRecord["status"], parse: StepRecord["parse"]): StepRecord {
    const stream = mergeStreamStats(this.streams);
    const server = sumServerTiming(this.servers);
    return {
      ...(stream ? { stream } : {}),
      ...(server ? { server } : {}),
      status,
      latency_ms: this.latency_ms,
      cold_ms: this.cold_ms,
      prompt_tokens: this.prompt,
      completion_tokens: this.completion,
      finish_reason: this.finish_reason,
      calls: this.calls,
      attempts: this.attempts,
      parse,
      ...(this.estimated ? { tokens_estimated: true } : {}),
    };
  }
}

type CallOutcome = { ok: true; result: ChatResult } | { ok: false; errorClass: ErrorClass; error: string };

async function call(req: ChatRequest, ctx: StepContext, tally: Tally): Promise<CallOutcome> {
  try {
    const result = await ctx.client.chat(req, ctx.signal);
    tally.add(result);
    return { ok: true, result };
  } catch (err) {
    if (err instanceof EndpointError) {
      tally.add(err.stats);
      if (FATAL.has(err.errorClass)) throw err;
      return { ok: false, errorClass: err.errorClass, error: err.message };
    }
    // A client that breaks its contract (non-EndpointError) is recorded, not allowed to kill a long run.
    tally.calls += 1;
    return { ok: false, errorClass: "unknown", error: err instanceof Error ? err.message : String(err) };
  }
}

export async function runModelStep<T>(spec: ModelStepSpec<T>, ctx: StepContext): Promise<StepResult<T>> {
  const template = spec.template ?? ctx.opts.prompts[spec.id as StepId].text;
  const req = buildRequest(spec as ModelStepSpec<unknown>, template, ctx);
  const tally = new Tally();
  const withRaw = (rec: StepRecord, raw: string | undefined): StepRecord => {
    if (ctx.opts.raw && raw !== undefined) rec.raw = raw;
    return rec;
  };

  const first = await call(req, ctx, tally);
  if (!first.ok) return { record: { ...tally.record("failed", "n/a"), error_class: first.errorClass, error: first.error } };
  const read = spec.parse ?? (spec.schema === null ? freeText<T> : (text: string) => parseStructured(text, spec.schema!));
  const parsed = read(first.result.text, first.result.finish_reason);
  if (parsed.ok) return { record: withRaw(ok(tally, parsed.outcome, parsed.value), first.result.text), value: parsed.value };

  // One re-ask: the model sees its own output and the validation error.
  const retryReq: ChatRequest = { ...req, messages: reaskMessages(req.messages, first.result.text, parsed.error, spec.schema === null) };
  const second = await call(retryReq, ctx, tally);
  if (!second.ok) {
    const rec = { ...tally.record("failed", "failed" as ParseOutcome), error_class: second.errorClass, error: second.error };
    return { record: withRaw(rec, first.result.text) };
  }
  const reparsed = read(second.result.text, second.result.finish_reason);
  if (reparsed.ok) return { record: withRaw(ok(tally, "reasked", reparsed.value), second.result.text), value: reparsed.value };
  const rec: StepRecord = { ...tally.record("failed", "failed"), error_class: "parse_failed", error: reparsed.error };
  return { record: withRaw(rec, second.result.text) };
}

/** A free-text step's reply: any non-empty text (re-asked once when empty). */
function freeText<T>(text: string): ParseStructuredResult<T> {
  const t = text.trim();
  return t === "" ? { ok: false, error: "the reply was empty" } : { ok: true, value: t as T, outcome: "ok" };
}

function ok(tally: Tally, parse: ParseOutcome, value: unknown): StepRecord {
  return { ...tally.record("ok", parse), output: value };
}

/** A step record with no model call: a skipped step, or (status ok) a retrieval step. */
export function skippedRecord(): StepRecord {
  return {
    status: "skipped",
    latency_ms: 0,
    cold_ms: 0,
    prompt_tokens: 0,
    completion_tokens: 0,
    finish_reason: null,
    calls: 0,
    attempts: 0,
    parse: "n/a",
  };
}
