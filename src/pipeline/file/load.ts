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
import { templateVariables } from "../template.js";
import type { Letter, RunPipeline } from "../../types.js";
import { jsonSchemaOf } from "../model-step.js";
import type { Guideline } from "../types.js";
import { BUILTIN_SCHEMA_NAMES, builtinSchema } from "./builtin-schemas.js";
import { STAND_INS, VIEW_NAMES, VIEWS, type StandInName, type ViewName } from "./views.js";

/** Case fields a step may name as inputs. */
export const CASE_INPUTS = ["question", "options", "vignette", "context", "stem", "case_text"] as const;
/** The template variable a retrieval step's passages arrive in. */
export const RETRIEVED_VAR = "retrieved";
/** `retrieval.corpus` naming the run's own `--guidelines-file` (without the flag the step is its model call). */
export const RUN_CORPUS = "--guidelines-file";
/** Run flags that switch a step off (`skipped_by`); the steps that `require` it are then skipped too. */
export const SKIP_FLAGS = ["--no-drugs", "--no-guidelines"] as const;
export type SkipFlag = (typeof SKIP_FLAGS)[number];

const NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** An input: a case field or step name as is, or `{as, from, view?}` (a renamed step output, or a view of steps). */
const InputSchema = z.union(
  [
    z.string().min(1),
    z
      .object({
        as: z.string().regex(NAME, "a variable name of letters, digits, _ or -"),
        from: z.union([z.string().min(1), z.record(z.string(), z.string().min(1))]),
        view: z.enum(VIEW_NAMES).optional(),
      })
      .strict(),
  ],
  { error: `a case field or step name, or {as, from, view?} (views: ${VIEW_NAMES.join(", ")})` },
);

const StepSchema = z
  .object({
    name: z.string().regex(NAME, "a name of letters, digits, _ or - (starting with a letter or _)"),
    prompt: z.string().min(1).optional(),
    schema: z.string().min(1).optional(),
    temperature: z.number().min(0).max(2).optional(),
    max_tokens: z.number().int().min(1).max(100_000).optional(),
    json_mode: z.enum(["prompt", "grammar"]).optional(),
    inputs: z.array(InputSchema).default([]),
    retrieval: z
      .object({
        corpus: z.string().min(1),
        top_k: z.number().int().min(1).max(100).default(5),
        /** Inputs whose text forms the BM25 query (default: all of the step's inputs). */
        query: z.array(z.string().min(1)).optional(),
        /** prompt: the passages fill {{retrieved}} of the step's model call; output: they are the step's output. */
        use: z.enum(["prompt", "output"]).optional(),
      })
      .strict()
      .optional(),
    on_failure: z.enum(["degrade", "skip", "fail"]).default("degrade"),
    /** What later steps read when this step fails (instead of "(not available: step failed)"). */
    stand_in: z.enum(Object.keys(STAND_INS) as [StandInName, ...StandInName[]]).optional(),
    /** This step runs only when each named input step produced an output; otherwise it is skipped. */
    requires: z.array(z.string().min(1)).default([]),
    /** A run flag that switches this step off. */
    skipped_by: z.enum(SKIP_FLAGS).optional(),
    /** Reports score this step's `differential` (diagnostic accuracy); at most one step. */
    differential: z.boolean().default(false),
    answer: z.boolean().default(false),
  })
  .strict();

const FileSchema = z.object({ version: z.literal(1).optional(), steps: z.array(StepSchema).min(1) }).strict();

export type StepDef = z.infer<typeof StepSchema>;
export type InputDef = z.infer<typeof InputSchema>;

/** One template variable of a step: a case field, an earlier step's output (its text), or a view of steps. */
export interface InputRef {
  /** The {{variable}} it fills. */
  as: string;
  view: ViewName | null;
  /** view null: { value: <case field or step> }; a view: role → step name. */
  from: Record<string, string>;
}

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
  inputs: InputRef[];
  /** The inputs as written (run.json records them). */
  inputs_def: InputDef[];
  /** The steps this one reads (directly or through a view): its dependencies. */
  deps: string[];
  /**
   * corpus: a file's entries, or "run" = the run's --guidelines-file (none given → no retrieval, the model call).
   * use: "prompt" → passages in {{retrieved}}; "output" → they are the step's output (no model call).
   */
  retrieval: { corpus: Guideline[] | "run"; corpus_path: string; corpus_sha256: string | null; top_k: number; query: string[]; use: "prompt" | "output" } | null;
  on_failure: "degrade" | "skip" | "fail";
  stand_in: StandInName | null;
  requires: string[];
  skipped_by: SkipFlag | null;
  differential: boolean;
  answer: boolean;
}

export interface PipelineDef {
  path: string;
  sha256: string;
  steps: ResolvedStep[];
  /** Topological levels: the steps of one level do not depend on each other and run concurrently. */
  levels: string[][];
  answer: string;
  /** The step whose `differential` reports score; null = none (no diagnostic section). */
  differential: string | null;
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
  const refs = checkNames(defs, loc);
  const steps = defs.map((d, i) => resolveStep(d, i, refs[i]!, dir, loc));
  checkSteps(steps, loc);
  const answers = steps.map((s, i) => [s, i] as const).filter(([s]) => s.answer);
  if (answers.length !== 1) {
    const at = answers[1]?.[1] ?? defs.length - 1;
    loc.fail(["steps", at, "answer"], `exactly one step with answer: true (found ${answers.length})`, answers.length > 1 ? true : undefined);
  }
  checkGraph(steps, loc);
  const answerStep = answers[0]![0];
  if (answerStep.prompt === null) loc.fail(["steps", answers[0]![1], "prompt"], "a prompt file: the answer step calls the model");
  const dx = steps.map((st, i) => [st, i] as const).filter(([st]) => st.differential);
  if (dx.length > 1) loc.fail(["steps", dx[1]![1], "differential"], `at most one step with differential: true (also steps[${dx[0]![1]}])`, true);
  return {
    path,
    sha256: sha256(text),
    steps,
    levels: levelsOf(steps.map((st) => ({ name: st.name, inputs: st.deps, answer: st.answer }))),
    answer: answerStep.name,
    differential: dx[0]?.[0].name ?? null,
  };
}

function knownKeys(path: readonly PropertyKey[]): string {
  if (path.length === 0) return "version, steps";
  if (path.at(-1) === "retrieval") return "corpus, top_k, query, use";
  if (path.at(-2) === "inputs") return "as, from, view";
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

function resolveStep(d: StepDef, i: number, inputs: InputRef[], dir: string, loc: Locator): ResolvedStep {
  const at = (k: string): PropertyKey[] => ["steps", i, k];
  const names = inputs.map((r) => r.as);
  if (d.prompt === undefined && d.retrieval === undefined) loc.fail(at("prompt"), "a prompt file (or a retrieval source for a retrieval-only step)");
  let prompt: ResolvedStep["prompt"] = null;
  if (d.prompt !== undefined) {
    const f = readRelative(dir, d.prompt, loc, at("prompt"), "a readable prompt file");
    prompt = { ...f, sha256: sha256(f.text) };
    const allowed = new Set([...names, ...(d.retrieval && d.retrieval.use !== "output" ? [RETRIEVED_VAR] : [])]);
    const unknown = templateVariables(f.text).filter((v) => !allowed.has(v));
    if (unknown.length > 0) {
      loc.fail(at("prompt"), `a template whose {{placeholders}} are among the step's inputs (${[...allowed].join(", ") || "none"}); ${f.path} uses ${unknown.map((v) => `{{${v}}}`).join(", ")}`);
    }
  }
  let schema: ResolvedStep["schema"] = null;
  if (d.schema !== undefined) schema = resolveSchema(d.schema, dir, loc, at("schema"));
  let retrieval: ResolvedStep["retrieval"] = null;
  if (d.retrieval) {
    const fromRun = d.retrieval.corpus === RUN_CORPUS;
    let corpus: Guideline[] | "run" = "run";
    let corpusPath = RUN_CORPUS;
    let corpusSha: string | null = null;
    if (!fromRun) {
      const f = readRelative(dir, d.retrieval.corpus, loc, [...at("retrieval"), "corpus"], `a readable guideline corpus (JSON array), or ${RUN_CORPUS}`);
      try {
        corpus = validateGuidelines(JSON.parse(f.text), f.path);
      } catch (err) {
        return loc.fail([...at("retrieval"), "corpus"], `a valid guideline corpus (${(err as Error).message})`, d.retrieval.corpus);
      }
      corpusPath = f.path;
      corpusSha = sha256(f.text);
    }
    const query = d.retrieval.query ?? names;
    query.forEach((q, k) => {
      if (!names.includes(q)) loc.fail([...at("retrieval"), "query", k], `one of the step's inputs (${names.join(", ")})`, q);
    });
    if (query.length === 0) loc.fail(at("inputs"), "at least one input to build the retrieval query from");
    const use = d.retrieval.use ?? (d.prompt === undefined ? "output" : "prompt");
    if (use === "prompt" && d.prompt === undefined) loc.fail([...at("retrieval"), "use"], "output for a step without a prompt (no model call to feed)", use);
    // Without --guidelines-file the step is its model call: it needs the prompt.
    if (fromRun && d.prompt === undefined) loc.fail(at("prompt"), `a prompt file: with corpus ${RUN_CORPUS} the step is a model call when the run has no --guidelines-file`);
    retrieval = { corpus, corpus_path: corpusPath, corpus_sha256: corpusSha, top_k: d.retrieval.top_k, query, use };
  }
  return {
    name: d.name,
    line: loc.line(["steps", i]),
    prompt,
    schema,
    temperature: d.temperature ?? null,
    max_tokens: d.max_tokens ?? null,
    json_mode: d.json_mode ?? null,
    inputs,
    inputs_def: d.inputs,
    deps: [...new Set(inputs.flatMap((r) => Object.values(r.from)))].filter((n) => !(CASE_INPUTS as readonly string[]).includes(n)),
    retrieval,
    on_failure: d.on_failure,
    stand_in: d.stand_in ?? null,
    requires: d.requires,
    skipped_by: d.skipped_by ?? null,
    differential: d.differential,
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

/** Names first: every later rule (inputs, cycles) refers to steps by name. Returns each step's inputs resolved. */
function checkNames(steps: readonly Pick<StepDef, "name" | "inputs">[], loc: Locator): InputRef[][] {
  const index = new Map<string, number>();
  steps.forEach((s, i) => {
    const first = index.get(s.name);
    if (first !== undefined) loc.fail(["steps", i, "name"], `a unique step name (also steps[${first}])`, s.name);
    if ((CASE_INPUTS as readonly string[]).includes(s.name)) loc.fail(["steps", i, "name"], `a name that is not a case field (${CASE_INPUTS.join(", ")})`, s.name);
    index.set(s.name, i);
  });
  return steps.map((s, i) => checkInputs(s, i, index, loc));
}

/** Before any file is read: a misspelt input is the likeliest mistake and its error the most useful. */
function checkInputs(s: Pick<StepDef, "name" | "inputs">, i: number, index: ReadonlyMap<string, number>, loc: Locator): InputRef[] {
  const known = `a case field (${CASE_INPUTS.join(", ")}) or a step name (${[...index.keys()].join(", ")})`;
  const source = (name: string, path: PropertyKey[], stepOnly: boolean): void => {
    const isField = (CASE_INPUTS as readonly string[]).includes(name);
    if (!index.has(name) && !isField) loc.fail(path, stepOnly ? `a step name (${[...index.keys()].join(", ")})` : known, name);
    if (stepOnly && isField) loc.fail(path, `a step name (a view reads step outputs; ${name} is a case field)`, name);
    if (name === s.name) loc.fail(path, "another step's name (a step cannot read its own output)", name);
  };
  const seen = new Set<string>();
  return s.inputs.map((inp, k): InputRef => {
    const at: PropertyKey[] = ["steps", i, "inputs", k];
    let ref: InputRef;
    if (typeof inp === "string") {
      source(inp, at, false);
      ref = { as: inp, view: null, from: { value: inp } };
    } else if (inp.view === undefined) {
      if (typeof inp.from !== "string") loc.fail([...at, "from"], "a case field or step name (a map of roles needs a view)", inp.from);
      source(inp.from as string, [...at, "from"], false);
      ref = { as: inp.as, view: null, from: { value: inp.from as string } };
    } else {
      const roles = VIEWS[inp.view].roles as Record<string, { schema: string; required: boolean }>;
      const names = Object.keys(roles);
      let from: Record<string, string>;
      if (typeof inp.from === "string") {
        if (names.length !== 1) loc.fail([...at, "from"], `a map of ${names.join(", ")} → step names (view ${inp.view} reads ${names.length} steps)`, inp.from);
        from = { [names[0]!]: inp.from };
      } else from = inp.from;
      for (const [role, step] of Object.entries(from)) {
        if (!roles[role]) loc.fail([...at, "from", role], `a role of view ${inp.view} (${names.join(", ")})`, role);
        source(step, typeof inp.from === "string" ? [...at, "from"] : [...at, "from", role], true);
      }
      const missing = names.filter((r) => roles[r]!.required && from[r] === undefined);
      if (missing.length > 0) loc.fail([...at, "from"], `the view's required role(s) ${missing.join(", ")}`, inp.from);
      ref = { as: inp.as, view: inp.view, from };
    }
    if (seen.has(ref.as)) loc.fail(at, `a unique variable name among the step's inputs (${ref.as} twice)`, ref.as);
    seen.add(ref.as);
    return ref;
  });
}

/** Rules that need every step resolved: view roles read the schema they expect, stand-ins and requires fit. */
function checkSteps(steps: ResolvedStep[], loc: Locator): void {
  const byName = new Map(steps.map((s) => [s.name, s]));
  steps.forEach((s, i) => {
    s.inputs.forEach((r, k) => {
      if (r.view === null) return;
      const roles = VIEWS[r.view].roles as Record<string, { schema: string }>;
      for (const [role, name] of Object.entries(r.from)) {
        const want = roles[role]!.schema;
        const got = byName.get(name)!.schema;
        if (!got?.builtin || got.ref !== want) {
          loc.fail(["steps", i, "inputs", k, "from"], `view ${r.view} reads ${role} from a step with the built-in schema ${want} (${name} has ${got ? `schema ${got.ref}` : "no schema"})`, name);
        }
      }
    });
    if (s.stand_in !== null) {
      const want = STAND_INS[s.stand_in].schema;
      if (!s.schema?.builtin || s.schema.ref !== want) loc.fail(["steps", i, "stand_in"], `a step with the built-in schema ${want} (the stand-in has its shape)`, s.stand_in);
    }
    s.requires.forEach((name, k) => {
      if (!s.deps.includes(name)) loc.fail(["steps", i, "requires", k], `one of the steps this step reads (${s.deps.join(", ") || "none"})`, name);
    });
    if (s.answer) {
      for (const key of ["stand_in", "skipped_by", "differential"] as const) {
        if (s[key] !== null && s[key] !== false) loc.fail(["steps", i, key], "not on the answer step (it always runs and is graded)", s[key]);
      }
      if (s.requires.length > 0) loc.fail(["steps", i, "requires"], "not on the answer step (it always runs and is graded)", s.requires);
    }
    if (s.differential && !hasDifferential(s)) {
      loc.fail(["steps", i, "differential"], "a step whose schema has a `differential` array (the built-in synthesize or reason schema, or a JSON Schema with properties.differential of type array)", true);
    }
  });
}

/** The step's output schema has a `differential` array that reports can rank. */
function hasDifferential(s: ResolvedStep): boolean {
  if (!s.schema) return false;
  if (s.schema.builtin) return s.schema.ref === "synthesize" || s.schema.ref === "reason";
  const props = (s.schema.json as { properties?: Record<string, { type?: unknown }> }).properties;
  return props?.differential?.type === "array";
}

function checkGraph(steps: ResolvedStep[], loc: Locator): void {
  cycles(steps, new Map(steps.map((s, i) => [s.name, i])), loc);
}

/** Where a step's input `name` is read, for an error pointing at it. */
function inputPath(s: ResolvedStep, i: number, name: string): PropertyKey[] {
  const k = s.inputs.findIndex((r) => Object.values(r.from).includes(name));
  return ["steps", i, "inputs", Math.max(0, k)];
}

function cycles(steps: ResolvedStep[], index: ReadonlyMap<string, number>, loc: Locator): void {
  // Cycle detection by depth-first search; the error points at the input that closes the cycle.
  const state = new Map<string, 1 | 2>();
  const visit = (name: string, trail: string[]): void => {
    state.set(name, 1);
    const i = index.get(name)!;
    const s = steps[i]!;
    for (const inp of s.deps) {
      if (state.get(inp) === 1) loc.fail(inputPath(s, i, inp), `no dependency cycle (${[...trail, name, inp].join(" → ")})`, inp);
      if (!state.has(inp)) visit(inp, [...trail, name]);
    }
    state.set(name, 2);
  };
  for (const s of steps) if (!state.has(s.name)) visit(s.name, []);
  const ans = steps.find((s) => s.answer);
  if (ans) {
    // Nothing may read the answer: the grader reads it last.
    steps.forEach((s, i) => s.deps.includes(ans.name) && loc.fail(inputPath(s, i, ans.name), "not the answer step (it runs last)", ans.name));
  }
}

/** Longest-path levels: a step runs one level after the latest of its inputs; file order within a level. */
export function levelsOf(steps: readonly { name: string; /** dependency names (others ignored) */ inputs: readonly string[]; answer: boolean }[]): string[][] {
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


/**
 * run.json `pipeline`: what determines each step's requests, so resume and diff can name a changed field. Keys
 * added after the first release (requires, stand_in, …) appear only when set, so earlier runs' hashes stay valid.
 */
export function pipelineRecord(def: PipelineDef): RunPipeline {
  return {
    file: def.path,
    sha256: def.sha256,
    answer: def.answer,
    ...(def.differential !== null ? { differential: def.differential } : {}),
    steps: def.steps.map((s) => ({
      name: s.name,
      prompt_sha256: s.prompt?.sha256 ?? null,
      schema: s.schema?.ref ?? null,
      schema_sha256: s.schema?.sha256 ?? null,
      temperature: s.temperature,
      max_tokens: s.max_tokens,
      json_mode: s.json_mode,
      inputs: s.inputs_def,
      on_failure: s.on_failure,
      retrieval: s.retrieval
        ? {
            corpus_sha256: s.retrieval.corpus_sha256,
            top_k: s.retrieval.top_k,
            ...(s.retrieval.corpus === "run" ? { corpus: RUN_CORPUS } : {}),
            ...(s.retrieval.use === "output" && s.prompt !== null ? { use: "output" as const } : {}),
            ...(s.retrieval.query.join() !== s.inputs.map((r) => r.as).join() ? { query: s.retrieval.query } : {}),
          }
        : null,
      ...(s.stand_in !== null ? { stand_in: s.stand_in } : {}),
      ...(s.requires.length > 0 ? { requires: s.requires } : {}),
      ...(s.skipped_by !== null ? { skipped_by: s.skipped_by } : {}),
    })),
  };
}
