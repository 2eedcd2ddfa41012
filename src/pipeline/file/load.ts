// `--pipeline FILE`: the pipeline as data. Reads a YAML or JSON file of named steps, validates it with zod and
// the graph rules (inputs known, no cycle, one answer step, files present) and resolves prompt and schema files
// relative to it. Every error names file:line and the field (yaml's node ranges give the line), exit 2.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { LineCounter, parseDocument, type Document } from "yaml";
import { z } from "zod";
import { DataError, describeValue, valueAt } from "../../datasets/errors.js";
import { validateGuidelines } from "../guidelines-file.js";
import { templateVariables } from "../prompts.js";
import type { Letter, RunPipeline } from "../../types.js";
import { jsonSchemaOf } from "../model-step.js";
import type { Guideline } from "../types.js";
import { BUILTIN_SCHEMA_NAMES, builtinSchema } from "./builtin-schemas.js";

/** Case fields a step may name as inputs. */
export const CASE_INPUTS = ["question", "options", "vignette", "context", "stem", "case_text"] as const;
/** The template variable a retrieval step's passages arrive in. */
export const RETRIEVED_VAR = "retrieved";

const NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;

const StepSchema = z
  .object({
    name: z.string().regex(NAME, "a name of letters, digits, _ or - (starting with a letter or _)"),
    prompt: z.string().min(1).optional(),
    schema: z.string().min(1).optional(),
    temperature: z.number().min(0).max(2).optional(),
    max_tokens: z.number().int().min(1).max(100_000).optional(),
    json_mode: z.enum(["prompt", "grammar"]).optional(),
    inputs: z.array(z.string().min(1)).default([]),
    retrieval: z
      .object({
        corpus: z.string().min(1),
        top_k: z.number().int().min(1).max(100).default(5),
        /** Inputs whose text forms the BM25 query (default: all of the step's inputs). */
        query: z.array(z.string().min(1)).optional(),
      })
      .strict()
      .optional(),
    on_failure: z.enum(["degrade", "skip", "fail"]).default("degrade"),
    answer: z.boolean().default(false),
  })
  .strict();

const FileSchema = z.object({ version: z.literal(1).optional(), steps: z.array(StepSchema).min(1) }).strict();

export type StepDef = z.infer<typeof StepSchema>;

export interface ResolvedStep {
  name: string;
  /** 1-based line of the step in the file. */
  line: number;
  /** Template text; null for a retrieval-only step (no model call). */
  prompt: { path: string; text: string; sha256: string } | null;
  /** JSON Schema sent to the model and validating its reply; null = free text. */
  schema: {
    ref: string;
    sha256: string;
    builtin: boolean;
    /** The validating schema for a case's letters (only the built-in `answer` depends on them). */
    zodFor: (letters: readonly Letter[]) => z.ZodType;
    /** A file's JSON Schema as sent to the model; null → derived from the zod schema (built-ins). */
    json: Record<string, unknown> | null;
  } | null;
  temperature: number | null;
  max_tokens: number | null;
  json_mode: "prompt" | "grammar" | null;
  inputs: string[];
  retrieval: { corpus: Guideline[]; corpus_path: string; corpus_sha256: string; top_k: number; query: string[] } | null;
  on_failure: "degrade" | "skip" | "fail";
  answer: boolean;
}

export interface PipelineDef {
  path: string;
  sha256: string;
  steps: ResolvedStep[];
  /** Topological levels: the steps of one level do not depend on each other and run concurrently. */
  levels: string[][];
  answer: string;
}

const sha256 = (s: string | Buffer): string => createHash("sha256").update(s).digest("hex");

class Locator {
  constructor(
    readonly file: string,
    private readonly doc: Document.Parsed,
    private readonly lc: LineCounter,
  ) {}

  /** 1-based line of the node at `path`, or of its nearest existing parent. */
  line(path: readonly PropertyKey[]): number {
    for (let n = path.length; n >= 0; n--) {
      const node = this.doc.getIn(path.slice(0, n) as unknown[], true) as { range?: [number, number, number] } | undefined;
      if (node && typeof node === "object" && node.range) return this.lc.linePos(node.range[0]).line;
    }
    return 1;
  }

  fail(path: readonly PropertyKey[], expected: string, got?: unknown, hasGot = arguments.length > 2): never {
    throw new DataError({
      file: this.file,
      line: this.line(path),
      field: fieldName(path),
      expected,
      ...(hasGot ? { got: describeValue(got) } : {}),
    });
  }
}

/** `steps[2].temperature` */
function fieldName(path: readonly PropertyKey[]): string {
  let out = "";
  for (const p of path) out += typeof p === "number" ? `[${p}]` : out === "" ? String(p) : `.${String(p)}`;
  return out || "(root)";
}

export function loadPipelineFile(path: string): PipelineDef {
  const file = resolve(path);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new DataError(
      { file: path, line: 0, field: "(file)", expected: "a readable pipeline file" },
      `--pipeline ${path}: cannot read the file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
    );
  }
  return parsePipeline(text, path);
}

/** Parses and validates pipeline text; `path` names the file in errors and anchors relative paths. */
export function parsePipeline(text: string, path: string): PipelineDef {
  const lc = new LineCounter();
  // YAML 1.2 is a superset of JSON: one parser, with node ranges, for both.
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const line = e.linePos?.[0]?.line ?? lc.linePos(e.pos[0]).line;
    throw new DataError({ file: path, line, field: "(syntax)", expected: `valid YAML or JSON (${e.message.split("\n")[0]})` });
  }
  const loc = new Locator(path, doc, lc);
  const data: unknown = doc.toJS();
  const parsed = FileSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const ipath = issue.code === "unrecognized_keys" ? [...issue.path, issue.keys[0]!] : issue.path;
    const expected = issue.code === "unrecognized_keys" ? `no key "${issue.keys[0]}" (known: ${knownKeys(issue.path)})` : issue.message;
    loc.fail(ipath, expected, valueAt(data, ipath));
  }
  const dir = dirname(resolve(path));
  const defs = parsed.data!.steps;
  checkNames(defs, loc);
  const steps = defs.map((d, i) => resolveStep(d, i, dir, loc));
  const answers = steps.map((s, i) => [s, i] as const).filter(([s]) => s.answer);
  if (answers.length !== 1) {
    const at = answers[1]?.[1] ?? defs.length - 1;
    loc.fail(["steps", at, "answer"], `exactly one step with answer: true (found ${answers.length})`, answers.length > 1 ? true : undefined);
  }
  checkGraph(steps, loc);
  const answerStep = answers[0]![0];
  if (answerStep.prompt === null) loc.fail(["steps", answers[0]![1], "prompt"], "a prompt file: the answer step calls the model");
  return { path, sha256: sha256(text), steps, levels: levelsOf(steps), answer: answerStep.name };
}

function knownKeys(path: readonly PropertyKey[]): string {
  if (path.length === 0) return "version, steps";
  if (path.at(-1) === "retrieval") return "corpus, top_k, query";
  return Object.keys(StepSchema.shape).join(", ");
}

function readRelative(dir: string, ref: string, loc: Locator, path: PropertyKey[], what: string): { path: string; text: string } {
  const p = resolve(dir, ref);
  try {
    return { path: p, text: readFileSync(p, "utf8") };
  } catch (err) {
    return loc.fail(path, `${what} (relative to the pipeline file; ${(err as NodeJS.ErrnoException).code ?? "unreadable"})`, ref);
  }
}

function resolveStep(d: StepDef, i: number, dir: string, loc: Locator): ResolvedStep {
  const at = (k: string): PropertyKey[] => ["steps", i, k];
  if (d.prompt === undefined && d.retrieval === undefined) loc.fail(at("prompt"), "a prompt file (or a retrieval source for a retrieval-only step)");
  let prompt: ResolvedStep["prompt"] = null;
  if (d.prompt !== undefined) {
    const f = readRelative(dir, d.prompt, loc, at("prompt"), "a readable prompt file");
    prompt = { ...f, sha256: sha256(f.text) };
    const allowed = new Set([...d.inputs, ...(d.retrieval ? [RETRIEVED_VAR] : [])]);
    const unknown = templateVariables(f.text).filter((v) => !allowed.has(v));
    if (unknown.length > 0) {
      loc.fail(at("prompt"), `a template whose {{placeholders}} are among the step's inputs (${[...allowed].join(", ") || "none"}); ${f.path} uses ${unknown.map((v) => `{{${v}}}`).join(", ")}`);
    }
  }
  let schema: ResolvedStep["schema"] = null;
  if (d.schema !== undefined) schema = resolveSchema(d.schema, dir, loc, at("schema"));
  let retrieval: ResolvedStep["retrieval"] = null;
  if (d.retrieval) {
    const f = readRelative(dir, d.retrieval.corpus, loc, [...at("retrieval"), "corpus"], "a readable guideline corpus (JSON array)");
    let corpus: Guideline[];
    try {
      corpus = validateGuidelines(JSON.parse(f.text), f.path);
    } catch (err) {
      return loc.fail([...at("retrieval"), "corpus"], `a valid guideline corpus (${(err as Error).message})`, d.retrieval.corpus);
    }
    const query = d.retrieval.query ?? d.inputs;
    query.forEach((q, k) => {
      if (!d.inputs.includes(q)) loc.fail([...at("retrieval"), "query", k], `one of the step's inputs (${d.inputs.join(", ")})`, q);
    });
    if (query.length === 0) loc.fail(at("inputs"), "at least one input to build the retrieval query from");
    retrieval = { corpus, corpus_path: f.path, corpus_sha256: sha256(f.text), top_k: d.retrieval.top_k, query };
  }
  return {
    name: d.name,
    line: loc.line(["steps", i]),
    prompt,
    schema,
    temperature: d.temperature ?? null,
    max_tokens: d.max_tokens ?? null,
    json_mode: d.json_mode ?? null,
    inputs: d.inputs,
    retrieval,
    on_failure: d.on_failure,
    answer: d.answer,
  };
}

function resolveSchema(ref: string, dir: string, loc: Locator, path: PropertyKey[]): NonNullable<ResolvedStep["schema"]> {
  const builtin = builtinSchema(ref);
  if (builtin) return { ref, sha256: sha256(JSON.stringify(jsonSchemaOf(builtin(["A", "B", "C", "D"])))), builtin: true, zodFor: builtin, json: null };
  if (!/\.json$/i.test(ref)) loc.fail(path, `a JSON Schema file (*.json) or a built-in schema (${BUILTIN_SCHEMA_NAMES.join(", ")})`, ref);
  const f = readRelative(dir, ref, loc, path, "a readable JSON Schema file");
  let json: Record<string, unknown>;
  let zod: z.ZodType;
  try {
    json = JSON.parse(f.text) as Record<string, unknown>;
    if (typeof json !== "object" || json === null || Array.isArray(json)) throw new Error("not a JSON object");
    zod = z.fromJSONSchema(json as never) as z.ZodType;
  } catch (err) {
    return loc.fail(path, `a valid JSON Schema (${f.path}: ${(err as Error).message})`, ref);
  }
  const { $schema: _drop, ...rest } = json;
  return { ref, sha256: sha256(f.text), builtin: false, zodFor: () => zod, json: rest };
}

/** Names first: every later rule (inputs, cycles) refers to steps by name. */
function checkNames(steps: readonly Pick<StepDef, "name" | "inputs">[], loc: Locator): void {
  const index = new Map<string, number>();
  steps.forEach((s, i) => {
    const first = index.get(s.name);
    if (first !== undefined) loc.fail(["steps", i, "name"], `a unique step name (also steps[${first}])`, s.name);
    if ((CASE_INPUTS as readonly string[]).includes(s.name)) loc.fail(["steps", i, "name"], `a name that is not a case field (${CASE_INPUTS.join(", ")})`, s.name);
    index.set(s.name, i);
  });
  checkInputs(steps, index, loc);
}

function checkGraph(steps: ResolvedStep[], loc: Locator): void {
  cycles(steps, new Map(steps.map((s, i) => [s.name, i])), loc);
}

/** Before any file is read: a misspelt input is the likeliest mistake and its error the most useful. */
function checkInputs(steps: readonly Pick<StepDef, "name" | "inputs">[], index: ReadonlyMap<string, number>, loc: Locator): void {
  steps.forEach((s, i) =>
    s.inputs.forEach((inp, k) => {
      if (!index.has(inp) && !(CASE_INPUTS as readonly string[]).includes(inp)) {
        loc.fail(["steps", i, "inputs", k], `a case field (${CASE_INPUTS.join(", ")}) or a step name (${[...index.keys()].join(", ")})`, inp);
      }
      if (inp === s.name) loc.fail(["steps", i, "inputs", k], "another step's name (a step cannot read its own output)", inp);
    }),
  );
}

function cycles(steps: ResolvedStep[], index: ReadonlyMap<string, number>, loc: Locator): void {
  // Cycle detection by depth-first search; the error points at the input that closes the cycle.
  const state = new Map<string, 1 | 2>();
  const visit = (name: string, trail: string[]): void => {
    state.set(name, 1);
    const i = index.get(name)!;
    steps[i]!.inputs.forEach((inp, k) => {
      if (!index.has(inp)) return;
      if (state.get(inp) === 1) loc.fail(["steps", i, "inputs", k], `no dependency cycle (${[...trail, name, inp].join(" → ")})`, inp);
      if (!state.has(inp)) visit(inp, [...trail, name]);
    });
    state.set(name, 2);
  };
  for (const s of steps) if (!state.has(s.name)) visit(s.name, []);
  const ans = steps.find((s) => s.answer);
  if (ans) {
    // Nothing may read the answer: the grader reads it last.
    steps.forEach((s, i) => s.inputs.forEach((inp, k) => inp === ans.name && loc.fail(["steps", i, "inputs", k], "not the answer step (it runs last)", inp)));
  }
}

/** Longest-path levels: a step runs one level after the latest of its inputs; file order within a level. */
export function levelsOf(steps: readonly Pick<ResolvedStep, "name" | "inputs" | "answer">[]): string[][] {
  const byName = new Map(steps.map((s) => [s.name, s]));
  const level = new Map<string, number>();
  const depth = (name: string): number => {
    const known = level.get(name);
    if (known !== undefined) return known;
    const deps = byName.get(name)!.inputs.filter((i) => byName.has(i));
    const d = deps.length === 0 ? 0 : Math.max(...deps.map(depth)) + 1;
    level.set(name, d);
    return d;
  };
  for (const s of steps) depth(s.name);
  const ans = steps.find((s) => s.answer);
  // The answer step always runs alone, last.
  if (ans) level.set(ans.name, Math.max(0, ...steps.filter((s) => !s.answer).map((s) => level.get(s.name)! + 1)));
  const out: string[][] = [];
  for (const s of steps) (out[level.get(s.name)!] ??= []).push(s.name);
  return out.filter((l) => l !== undefined);
}


/** run.json `pipeline`: what determines each step's requests, so resume and diff can name a changed field. */
export function pipelineRecord(def: PipelineDef): RunPipeline {
  return {
    file: def.path,
    sha256: def.sha256,
    answer: def.answer,
    steps: def.steps.map((s) => ({
      name: s.name,
      prompt_sha256: s.prompt?.sha256 ?? null,
      schema: s.schema?.ref ?? null,
      schema_sha256: s.schema?.sha256 ?? null,
      temperature: s.temperature,
      max_tokens: s.max_tokens,
      json_mode: s.json_mode,
      inputs: s.inputs,
      on_failure: s.on_failure,
      retrieval: s.retrieval ? { corpus_sha256: s.retrieval.corpus_sha256, top_k: s.retrieval.top_k } : null,
    })),
  };
}
