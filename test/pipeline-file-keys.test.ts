// The pipeline-file keys the built-in pipeline (src/pipeline/default.yaml) needs, usable by any file: inputs as
// {as, from, view}, stand_in, requires, skipped_by, retrieval from the run's --guidelines-file, differential.
// Load-time rules (file:line:field, exit 2) and what the interpreter does with each.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { DataError } from "../src/datasets/errors.js";
import { defaultPipelineFile } from "../src/pipeline/default.js";
import { loadPipelineFile, pipelineRecord, runFlagProblem, runPipelineFile } from "../src/pipeline/file/index.js";
import { CASE, FakeClient, OUTPUTS, options } from "./pipeline-fake.js";

function pipelineDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "rv-pfk-"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return join(dir, "p.yaml");
}

const PROMPTS = {
  "parse.md": "Vignette: {{vignette}}",
  "sum.md": "Patient: {{who}}; meds: {{meds}}",
  "ans.md": "{{report}}\n{{question}}\n{{options}}",
  "free.md": "Say something about {{question}}",
};

/** parse (built-in schema) → sum (views of parse) → answer; `extra` is spliced into the sum step. */
const base = (extra = "", parseExtra = "") =>
  "steps:\n" +
  `  - name: p\n    prompt: parse.md\n    schema: parse\n    inputs: [vignette]\n${parseExtra}` +
  `  - name: sum\n    prompt: sum.md\n    inputs:\n      - { as: who, view: profile_summary, from: p }\n      - { as: meds, view: medications, from: p }\n${extra}` +
  "  - name: z\n    prompt: ans.md\n    inputs: [{ as: report, from: sum }, question, options]\n    answer: true\n";

function loadError(yaml: string): DataError {
  try {
    loadPipelineFile(pipelineDir({ ...PROMPTS, "p.yaml": yaml }));
  } catch (err) {
    expect(err).toBeInstanceOf(DataError);
    return err as DataError;
  }
  throw new Error("expected the pipeline file to be rejected");
}

const load = (yaml: string, files: Record<string, string> = {}) => loadPipelineFile(pipelineDir({ ...PROMPTS, ...files, "p.yaml": yaml }));

describe("pipeline file keys: loading", () => {
  it("the base file loads: views make their steps dependencies, `as` names the template variable", () => {
    const def = load(base());
    expect(def.levels).toEqual([["p"], ["sum"], ["z"]]);
    expect(def.steps[1]!.deps).toEqual(["p"]);
    expect(def.steps[1]!.inputs.map((r) => r.as)).toEqual(["who", "meds"]);
    expect(def.differential).toBeNull();
  });

  it.each([
    ["an unknown view", base().replace("view: medications", "view: meds_list"), 10, "steps[1].inputs[1]"],
    ["a view of a step with another schema", base().replace("schema: parse", "schema: reason"), 9, "steps[1].inputs[0].from"],
    ["a view reading a case field", base().replace("view: profile_summary, from: p", "view: profile_summary, from: question"), 9, "steps[1].inputs[0].from"],
    ["a multi-role view given one step", base().replace("view: medications, from: p", "view: diagnosis_query, from: p"), 10, "steps[1].inputs[1].from"],
    ["a duplicate variable name", base().replace("as: meds", "as: who"), 10, "steps[1].inputs[1]"],
    ["requires naming a step not read", base("    requires: [z]\n"), 11, "steps[1].requires[0]"],
    ["stand_in on a step without the parse schema", base("    stand_in: profile\n"), 11, "steps[1].stand_in"],
    ["skipped_by on the answer step", base() + "    skipped_by: --no-drugs\n", 15, "steps[2].skipped_by"],
    ["an unknown skip flag", base("    skipped_by: --no-parse\n"), 11, "steps[1].skipped_by"],
    ["differential on a free-text step", base("    differential: true\n"), 11, "steps[1].differential"],
  ])("rejects %s with file:line:field", (_what, yaml, line, field) => {
    const err = loadError(yaml);
    expect({ line: err.issue.line, field: err.issue.field }).toEqual({ line, field });
  });

  it("differential: true on a step with the built-in reason or synthesize schema, or a JSON Schema with a differential array", () => {
    const ddx = JSON.stringify({ type: "object", properties: { differential: { type: "array", items: { type: "string" } } } });
    const yaml = base().replace("prompt: sum.md\n", "prompt: sum.md\n    schema: ddx.json\n    differential: true\n");
    const def = load(yaml, { "ddx.json": ddx });
    expect(def.differential).toBe("sum");
    expect(pipelineRecord(def).differential).toBe("sum");
    expect(pipelineRecord(load(base())).differential).toBeUndefined();
  });

  it("retrieval from the run's --guidelines-file needs a prompt (the step is a model call without the flag)", () => {
    const yaml = base().replace("  - name: z", "  - name: g\n    inputs: [question]\n    retrieval: { corpus: --guidelines-file, use: output }\n  - name: z");
    expect(loadError(yaml).issue.field).toBe("steps[2].prompt");
    const ok = load(yaml.replace("  - name: g\n", "  - name: g\n    prompt: free.md\n"));
    expect(ok.steps[2]!.retrieval).toMatchObject({ corpus: "run", use: "output", corpus_sha256: null });
  });

  it("records keys added after the first release only when set, so earlier files' run.json records are unchanged", () => {
    const rec = pipelineRecord(loadPipelineFile(resolve(import.meta.dirname, "fixtures", "pipeline-file", "pipeline.yaml")));
    for (const s of rec.steps) {
      expect(Object.keys(s)).toEqual(["name", "prompt_sha256", "schema", "schema_sha256", "temperature", "max_tokens", "json_mode", "inputs", "on_failure", "retrieval"]);
      expect(s.inputs.every((i) => typeof i === "string")).toBe(true);
    }
    expect(Object.keys(rec)).toEqual(["file", "sha256", "answer", "steps"]);
  });
});

describe("pipeline file keys: interpreter", () => {
  it("views render the upstream value; a failed step with stand_in: profile hands later steps the vignette profile", async () => {
    const def = load(base("", "    stand_in: profile\n"));
    const ok = new FakeClient({ p: ["```json\n" + JSON.stringify(OUTPUTS.parse) + "\n```"], sum: ["summary"], z: ["Answer: B"] });
    await runPipelineFile(def, CASE, ok, options());
    expect(ok.requestsFor("sum")[0]!.messages[1]!.content).toBe("Patient: 34-year-old female; chief complaint: fever and dysuria; meds: lisinopril 10 mg daily");
    const failing = new FakeClient({ p: ["server_error"], sum: ["summary"], z: ["Answer: B"] });
    const res = await runPipelineFile(def, CASE, failing, options());
    expect(res.failed_steps).toEqual(["p"]);
    // The stand-in: the vignette as the complaint, medications "not extracted" (not "none recorded").
    const sum = failing.requestsFor("sum")[0]!.messages[1]!.content;
    expect(sum).toContain("chief complaint: A 34-year-old woman comes to the clinic");
    expect(sum).toContain("meds: (not extracted: the parse step failed; see the case text)");
  });

  it("without stand_in a failed step reads (not available: step failed) as text", async () => {
    const yaml = base().replace("inputs:\n      - { as: who", "inputs:\n      - { as: raw, from: p }\n      - { as: who");
    const def = load(yaml, { "sum.md": "{{raw}} / {{who}}" });
    const client = new FakeClient({ p: ["server_error"], sum: ["s"], z: ["Answer: B"] });
    await runPipelineFile(def, CASE, client, options());
    expect(client.requestsFor("sum")[0]!.messages[1]!.content).toMatch(/^\(not available: step failed\) \/ patient of unstated age and sex; chief complaint: A 34-year-old/);
  });

  it("requires: the step is skipped when a required step failed; the answer still runs and reads (not available: step skipped)", async () => {
    const def = load(base("    requires: [p]\n"));
    const client = new FakeClient({ p: ["server_error"], z: ["Answer: B"] });
    const res = await runPipelineFile(def, CASE, client, options());
    expect(client.stepsCalled()).toEqual(["p", "z"]);
    expect(res.steps!.sum!.status).toBe("skipped");
    expect(client.requestsFor("z")[0]!.messages[1]!.content).toContain("(not available: step skipped)");
    expect(res.outcome).toBe("correct");
  });

  it("skipped_by: --no-drugs switches the step off only when the flag is given", async () => {
    const def = load(base("    skipped_by: --no-drugs\n"));
    const parsed = "```json\n" + JSON.stringify(OUTPUTS.parse) + "\n```";
    const on = new FakeClient({ p: [parsed], sum: ["s"], z: ["Answer: B"] });
    await runPipelineFile(def, CASE, on, options());
    expect(on.stepsCalled()).toEqual(["p", "sum", "z"]);
    const off = new FakeClient({ p: [parsed], z: ["Answer: B"] });
    const res = await runPipelineFile(def, CASE, off, options({ drugs: false }));
    expect(off.stepsCalled()).toEqual(["p", "z"]);
    expect(res.steps!.sum!.status).toBe("skipped");
    expect(res.failed_steps).toBeUndefined();
  });

  it("retrieval.corpus --guidelines-file: retrieval (no call) with the run's corpus, the model step without it", async () => {
    const yaml = base().replace("  - name: z", "  - name: g\n    prompt: free.md\n    inputs: [question]\n    retrieval: { corpus: --guidelines-file, top_k: 1, use: output }\n  - name: z");
    const def = load(yaml);
    const corpus = [{ id: "u", specialty: "id", title: "Urinary tract infection", source: "S", text: "fever dysuria culture" }];
    const withCorpus = new FakeClient({ sum: ["s"], z: ["Answer: B"] });
    const res = await runPipelineFile(def, CASE, withCorpus, options({ guidelinesCorpus: corpus }));
    expect(withCorpus.stepsCalled()).toEqual(["p", "sum", "z"]);
    expect(res.steps!.g!.output).toMatchObject({ retrieved: [{ id: "u" }] });
    const without = new FakeClient({ sum: ["s"], g: ["free text"], z: ["Answer: B"] });
    await runPipelineFile(def, CASE, without, options());
    expect(without.stepsCalled()).toEqual(["p", "g", "sum", "z"]);
  });

  it("the answer step re-asks with the letters it needs and records {answer, justification}", async () => {
    const def = load(base());
    const client = new FakeClient({ sum: ["s"], z: ["I am not sure.", '{"answer": "B", "justification": "culture"}'] });
    const res = await runPipelineFile(def, CASE, client, options());
    expect(client.requestsFor("z")[1]!.messages.at(-1)!.content).toContain('"answer" must be exactly one of A, B, C, D.');
    expect(res.steps!.z!.output).toEqual({ answer: "B", justification: "culture" });
  });
});

describe("run flags against a pipeline file", () => {
  const fixture = () => loadPipelineFile(resolve(import.meta.dirname, "fixtures", "pipeline-file", "pipeline.yaml"));
  const flags = { drugs: true, guidelines: true, guidelines_file: null };

  it("the built-in pipeline takes every flag", () => {
    const def = defaultPipelineFile();
    expect(runFlagProblem(def, { drugs: false, guidelines: false, guidelines_file: null })).toBeNull();
    expect(runFlagProblem(def, { ...flags, guidelines_file: "/g.json" })).toBeNull();
  });

  it.each([
    [{ drugs: false }, /--no-drugs: the pipeline file .* has no step with skipped_by: --no-drugs/],
    [{ guidelines: false }, /--no-guidelines: .* no step with skipped_by: --no-guidelines/],
    [{ guidelines_file: "/g.json" }, /--guidelines-file: .* no step with retrieval\.corpus: --guidelines-file/],
  ])("a flag with nothing to act on is refused: %j", (over, msg) => {
    expect(runFlagProblem(fixture(), { ...flags, ...over })).toMatch(msg);
  });

  it("default flags need nothing", () => {
    expect(runFlagProblem(fixture(), flags)).toBeNull();
  });

  it("--prompts overriding built-in step prompts is refused with a pipeline file; direct.md alone is fine", () => {
    expect(runFlagProblem(fixture(), flags, ["direct"])).toBeNull();
    expect(runFlagProblem(fixture(), flags, ["direct", "reason"])).toMatch(/--prompts: reason\.md override built-in pipeline steps, but the pipeline file .* names its own prompts/);
    expect(runFlagProblem(defaultPipelineFile(), flags, [])).toBeNull();
  });
});
