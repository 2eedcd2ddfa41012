// --pipeline FILE: loading and validation (errors name file:line:field), topological levels, and the interpreter
// on a scripted fake client (requests, per-step temperatures, failure rules, outcome taxonomy).
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { configComponents, diffComponents } from "../src/config/hash.js";
import { DataError } from "../src/datasets/errors.js";
import { flattenConfig } from "../src/diff/source.js";
import { loadPipelineFile, parsePipeline, pipelineRecord, runPipelineFile } from "../src/pipeline/file/index.js";
import { levelsOf } from "../src/pipeline/file/load.js";
import { classifyExit } from "../src/runner/exit-codes.js";
import type { RunJson } from "../src/types.js";
import { CASE, FakeClient, options } from "./pipeline-fake.js";

const FIXTURE = resolve(import.meta.dirname, "fixtures", "pipeline-file", "pipeline.yaml");

/** A temp folder with the given files; returns the pipeline file's path. */
function pipelineDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "rv-pf-"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return join(dir, "p.yaml");
}

const PROMPTS = { "a.md": "Case: {{question}}", "b.md": "A said {{a}}", "ans.md": "{{a}} {{b}}\n{{question}}\n{{options}}" };

function loadError(yaml: string, extra: Record<string, string> = {}): DataError {
  const path = pipelineDir({ ...PROMPTS, ...extra, "p.yaml": yaml });
  try {
    loadPipelineFile(path);
  } catch (err) {
    expect(err).toBeInstanceOf(DataError);
    expect(classifyExit(err).code).toBe(2);
    return err as DataError;
  }
  throw new Error("expected the pipeline file to be rejected");
}

describe("pipeline file: loading", () => {
  it("loads the fixture: 3 steps, own schema, per-step temperatures, levels in dependency order", () => {
    const def = loadPipelineFile(FIXTURE);
    expect(def.steps.map((s) => s.name)).toEqual(["findings", "differential", "choose"]);
    expect(def.steps.map((s) => s.temperature)).toEqual([0.1, 0.3, 0.2]);
    expect(def.levels).toEqual([["findings"], ["differential"], ["choose"]]);
    expect(def.answer).toBe("choose");
    expect(def.steps[0]!.schema!.builtin).toBe(false);
    expect(def.steps[0]!.schema!.json).not.toHaveProperty("$schema");
    expect(def.steps[1]!.schema).toBeNull();
    expect(def.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it("independent steps share a level (the drugs ∥ guidelines pattern falls out of the inputs)", () => {
    const steps = [
      { name: "p", inputs: ["question"], answer: false },
      { name: "d", inputs: ["p"], answer: false },
      { name: "g", inputs: ["p"], answer: false },
      { name: "c", inputs: ["d", "g"], answer: false },
      { name: "x", inputs: ["question"], answer: false },
      { name: "ans", inputs: ["c"], answer: true },
    ];
    expect(levelsOf(steps)).toEqual([["p", "x"], ["d", "g"], ["c"], ["ans"]]);
  });

  it("JSON works as well as YAML", () => {
    const path = pipelineDir({ ...PROMPTS, "p.yaml": "" });
    const json = join(path, "..", "p.json");
    writeFileSync(json, JSON.stringify({ steps: [{ name: "a", prompt: "a.md", inputs: ["question"] }, { name: "z", prompt: "ans.md", inputs: ["a", "question", "options"], answer: true }] }));
    expect(() => loadPipelineFile(json)).toThrow(/b/); // ans.md uses {{b}}, not an input
    writeFileSync(join(path, "..", "z.md"), "{{a}} {{question}} {{options}}");
    writeFileSync(json, JSON.stringify({ steps: [{ name: "a", prompt: "a.md", inputs: ["question"] }, { name: "z", prompt: "z.md", inputs: ["a", "question", "options"], answer: true }] }));
    expect(loadPipelineFile(json).levels).toEqual([["a"], ["z"]]);
  });

  const ok = (answerExtra = "") =>
    `steps:\n  - name: a\n    prompt: a.md\n    inputs: [question]\n  - name: b\n    prompt: b.md\n    inputs: [a]\n  - name: z\n    prompt: ans.md\n    inputs: [a, b, question, options]\n    answer: true\n${answerExtra}`;

  it("the valid base case loads (so every rejection below is caused by its one change)", () => {
    const path = pipelineDir({ ...PROMPTS, "p.yaml": ok() });
    expect(loadPipelineFile(path).levels).toEqual([["a"], ["b"], ["z"]]);
  });

  it.each([
    ["a wrong type", ok().replace("inputs: [a]\n", "inputs: [a]\n    temperature: hot\n"), 8, "steps[1].temperature"],
    ["an unknown key", ok().replace("inputs: [a]\n", "inputs: [a]\n    temprature: 0.2\n"), 8, "steps[1].temprature"],
    ["an unknown input", ok().replace("inputs: [a]", "inputs: [a, findngs]"), 7, "steps[1].inputs[1]"],
    ["a cycle", ok().replace("inputs: [question]", "inputs: [question, b]"), 7, "steps[1].inputs[0]"],
    ["two answer steps", ok().replace("inputs: [a]\n", "inputs: [a]\n    answer: true\n"), 12, "steps[2].answer"],
    ["no answer step", ok().replace("    answer: true\n", ""), 8, "steps[2].answer"],
    ["a missing prompt file", ok().replace("prompt: b.md", "prompt: nope.md"), 6, "steps[1].prompt"],
    ["a placeholder that is not an input", ok().replace("prompt: b.md", "prompt: ans.md"), 6, "steps[1].prompt"],
    ["a missing schema file", ok().replace("prompt: b.md", "prompt: b.md\n    schema: nope.json"), 7, "steps[1].schema"],
    ["an unknown built-in schema", ok().replace("prompt: b.md", "prompt: b.md\n    schema: profile"), 7, "steps[1].schema"],
    ["a duplicate step name", ok().replace("name: b", "name: a").replace("inputs: [a, b,", "inputs: [a,"), 5, "steps[1].name"],
    ["a bad on_failure", ok().replace("inputs: [a]\n", "inputs: [a]\n    on_failure: ignore\n"), 8, "steps[1].on_failure"],
  ])("rejects %s with file:line:field", (_what, yaml, line, field) => {
    const err = loadError(yaml);
    expect(err.issue.line).toBe(line);
    expect(err.issue.field).toBe(field);
    expect(err.message).toMatch(new RegExp(`p\\.yaml:${line}: field "${field.replace(/[[\].]/g, "\\$&")}"`));
  });

  it("a YAML syntax error names its line", () => {
    const err = loadError("steps:\n  - name: a\n    inputs: [question\n  - name: b\n");
    expect(err.issue.field).toBe("(syntax)");
    expect(err.issue.line).toBeGreaterThanOrEqual(3);
  });

  it("a missing pipeline file is a DataError (exit 2)", () => {
    expect(() => loadPipelineFile("/nonexistent/p.yaml")).toThrow(DataError);
  });

  it("parsePipeline resolves paths relative to the file, not the working directory", () => {
    const path = pipelineDir({ ...PROMPTS, "p.yaml": "" });
    expect(parsePipeline(ok(), path).steps[0]!.prompt!.path).toBe(join(path, "..", "a.md"));
  });
});

describe("pipeline file: interpreter", () => {
  it("runs the fixture: one request per step, per-step temperature and max_tokens, own schema in the prompt, graded answer", async () => {
    const def = loadPipelineFile(FIXTURE);
    const client = new FakeClient({
      findings: ['{"key_findings": ["fever", "dysuria"], "risk": "high"}'],
      differential: ["Pyelonephritis, cystitis, urethritis."],
      choose: ['{"answer": "B", "justification": "culture first"}'],
    });
    const res = await runPipelineFile(def, CASE, client, options());
    expect(client.stepsCalled()).toEqual(["findings", "differential", "choose"]);
    expect(client.requests.map((r) => r.temperature)).toEqual([0.1, 0.3, 0.2]);
    expect(client.requests.map((r) => r.max_tokens)).toEqual([256, 300, 200]);
    const user = (i: number) => client.requests[i]!.messages[1]!.content;
    expect(user(0)).toContain('"risk"');
    expect(user(1)).not.toContain("```json"); // free text: no schema block
    expect(user(1)).toContain('{"key_findings":["fever","dysuria"],"risk":"high"}');
    expect(user(2)).toContain("Pyelonephritis, cystitis, urethritis.");
    expect(res.outcome).toBe("correct");
    expect(res.answer).toBe("B");
    expect(Object.keys(res.steps!)).toEqual(["findings", "differential", "choose"]);
    expect(res.steps!.findings!.output).toEqual({ key_findings: ["fever", "dysuria"], risk: "high" });
    expect(res.calls).toBe(3);
  });

  it("an output breaking the file's schema is re-asked once, then the step degrades (case still answers)", async () => {
    const def = loadPipelineFile(FIXTURE);
    const client = new FakeClient({ findings: ['{"risk": "extreme"}', '{"key_findings": 3}'], differential: ["x"], choose: ["Answer: B"] });
    const res = await runPipelineFile(def, CASE, client, options());
    expect(client.requestsFor("findings")).toHaveLength(2);
    expect(res.steps!.findings!.status).toBe("failed");
    expect(res.failed_steps).toEqual(["findings"]);
    expect(client.requestsFor("differential")[0]!.messages[1]!.content).toContain("(not available: step failed)");
    expect(res.outcome).toBe("correct");
  });

  it("grammar mode per step sends the file's schema as TGI's grammar", async () => {
    const path = pipelineDir({ ...PROMPTS, "s.json": JSON.stringify({ type: "object", properties: { k: { type: ["string", "null"] } }, required: ["k"] }), "p.yaml": "" });
    const yaml = `steps:\n  - name: a\n    prompt: a.md\n    schema: s.json\n    json_mode: grammar\n    inputs: [question]\n  - name: z\n    prompt: z.md\n    inputs: [a, question, options]\n    answer: true\n`;
    writeFileSync(join(path, "..", "z.md"), "{{a}} {{question}} {{options}}");
    writeFileSync(path, yaml);
    const client = new FakeClient({ a: ['{"k": null}'], z: ["Answer: A"] });
    const res = await runPipelineFile(loadPipelineFile(path), CASE, client, options());
    const rf = client.requestsFor("a")[0]!.response_format!;
    expect(rf.type).toBe("json");
    expect(JSON.stringify(rf.value)).not.toContain('"type":["string","null"]'); // grammar-safe: anyOf, not type arrays
    expect(client.requestsFor("z")[0]!.response_format).toBeUndefined();
    expect(res.outcome).toBe("wrong");
  });

  const threeStep = (rule: string) =>
    `steps:\n  - name: a\n    prompt: a.md\n    inputs: [question]\n    on_failure: ${rule}\n  - name: b\n    prompt: b.md\n    inputs: [a]\n  - name: z\n    prompt: ans.md\n    inputs: [a, b, question, options]\n    answer: true\n`;

  it.each([
    ["degrade", ["a", "b", "z"], "correct", "failed"],
    ["skip", ["a", "z"], "correct", "skipped"],
    ["fail", ["a"], "error", "skipped"],
  ] as const)("on_failure: %s", async (rule, called, outcome, bStatus) => {
    const path = pipelineDir({ ...PROMPTS, "p.yaml": threeStep(rule) });
    const client = new FakeClient({ a: ["server_error"], b: ["fine"], z: ["Answer: B"] });
    const res = await runPipelineFile(loadPipelineFile(path), CASE, client, options());
    expect(client.stepsCalled()).toEqual(called);
    expect(res.outcome).toBe(outcome);
    expect(res.steps!.b!.status).toBe(bStatus === "failed" ? "ok" : "skipped");
    if (rule === "fail") expect(res.error_class).toBe("server_error");
    if (rule === "degrade") expect(client.requestsFor("z")[0]!.messages[1]!.content).toContain("(not available: step failed)");
    if (rule === "skip") expect(client.requestsFor("z")[0]!.messages[1]!.content).toContain("(not available: step skipped)");
  });

  it("outcome taxonomy: an answer without a letter is unparseable, an endpoint failure is error", async () => {
    const path = pipelineDir({ ...PROMPTS, "p.yaml": threeStep("degrade") });
    const def = loadPipelineFile(path);
    const unp = await runPipelineFile(def, CASE, new FakeClient({ a: ["x"], b: ["y"], z: ["I cannot tell.", "Still unsure."] }), options());
    expect(unp.outcome).toBe("unparseable");
    expect(unp.answer).toBeNull();
    const err = await runPipelineFile(def, CASE, new FakeClient({ a: ["x"], b: ["y"], z: ["timeout"] }), options());
    expect(err.outcome).toBe("error");
    expect(err.error_class).toBe("timeout");
  });

  it("retrieval: a retrieval-only step makes no model call; its top-k hits feed later prompts", async () => {
    const corpus = [
      { id: "g1", specialty: "id", title: "Urinary tract infection", source: "S", text: "culture fever dysuria antibiotics" },
      { id: "g2", specialty: "cardio", title: "Heart failure", source: "S", text: "diuretics edema" },
    ];
    const path = pipelineDir({ ...PROMPTS, "c.json": JSON.stringify(corpus), "z.md": "{{g}}\n{{question}}\n{{options}}", "p.yaml": "" });
    writeFileSync(path, `steps:\n  - name: g\n    inputs: [question]\n    retrieval: { corpus: c.json, top_k: 1 }\n  - name: z\n    prompt: z.md\n    inputs: [g, question, options]\n    answer: true\n`);
    const client = new FakeClient({ z: ["Answer: B"] });
    const res = await runPipelineFile(loadPipelineFile(path), CASE, client, options());
    expect(client.stepsCalled()).toEqual(["z"]);
    expect(res.steps!.g!.calls).toBe(0);
    expect(client.requests[0]!.messages[1]!.content).toContain("Urinary tract infection");
    expect(client.requests[0]!.messages[1]!.content).not.toContain("Heart failure");
  });
});

describe("pipeline file: config hash, resume and diff", () => {
  const run = (pipeline?: RunJson["pipeline"]) =>
    ({
      config: { mode: "pipeline", seed: 1, temperature: 0, max_tokens: 10, json_mode: "prompt", drugs: true, guidelines: true, guidelines_file: null, model: "m" },
      dataset: { sha256: "d" },
      sampled_ids: ["x"],
      prompts: {},
      endpoint: { kind: "emulator", model: "m", info: null },
      harness: { version: "1", git_commit: null },
      ...(pipeline ? { pipeline } : {}),
    }) as unknown as RunJson;

  it("without --pipeline the components are unchanged (existing hashes stay valid)", () => {
    expect(Object.keys(configComponents(run())).filter((k) => k.startsWith("pipeline"))).toEqual([]);
  });

  it("changing one step's temperature names exactly that field, for resume and for diff", () => {
    const rec = pipelineRecord(loadPipelineFile(FIXTURE));
    const changed = structuredClone(rec);
    changed.steps[1]!.temperature = 0.25;
    expect(diffComponents(configComponents(run(rec)), configComponents(run(changed)))).toEqual(["pipeline.differential.temperature"]);
    const a = flattenConfig(run(rec));
    const b = flattenConfig(run(changed));
    expect(Object.keys(a).filter((k) => a[k] !== b[k])).toEqual(["pipeline.differential.temperature"]);
    expect(a["pipeline.findings.schema_sha256"]).toMatch(/^[0-9a-f]{64}$/);
  });

  it("a prompt edit names that step's prompt hash", () => {
    const rec = pipelineRecord(loadPipelineFile(FIXTURE));
    const changed = structuredClone(rec);
    changed.steps[0]!.prompt_sha256 = "0".repeat(64);
    expect(diffComponents(configComponents(run(rec)), configComponents(run(changed)))).toEqual(["pipeline.findings.prompt_sha256"]);
  });
});
