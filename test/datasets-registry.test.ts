// The registry's readers on each benchmark's real format (../shared/datasets/samples, excerpts in the authors'
// formats) and on Parquet fixtures in the Hugging Face layouts (test/fixtures/datasets/registry, written by
// scripts/make-parquet-fixtures.mjs), plus malformed variants of every format: each must fail with the file,
// the line (or Parquet row) and the field, or be skipped and counted with --skip-invalid.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { DataError } from "../src/datasets/errors.js";
import { DATASET_NAMES, FORMAT_NAMES, REGISTRY, datasetSpec, formatSpec } from "../src/datasets/registry/index.js";
import { chooseFormat, loadBenchmark, type BenchmarkLoad } from "../src/datasets/registry/load.js";
import { detectCopBase } from "../src/datasets/registry/medmcqa.js";
import { DATASET_CHOICES, FORMAT_CHOICES } from "../src/datasets/registry/names.js";
import { contextText } from "../src/datasets/registry/pubmedqa.js";
import { subjectOfFile } from "../src/datasets/registry/mmlu-medical.js";
import { UsageError } from "../src/runner/exit-codes.js";
import type { Dataset } from "../src/types.js";
// @ts-expect-error — a plain .mjs script without types
import { HEADQA_FIELDS, MEDMCQA_FIELDS, MMLU_FIELDS, PUBMEDQA_FIELDS, write as writeParquet } from "../scripts/make-parquet-fixtures.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const SAMPLES = path.resolve(here, "../../shared/datasets/samples");
const FIX = path.resolve(here, "fixtures/datasets/registry");
const tmp = mkdtempSync(path.join(tmpdir(), "registry-test-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const SAMPLE = {
  medmcqa: path.join(SAMPLES, "medmcqa/dev.first50.jsonl"),
  pubmedqa: path.join(SAMPLES, "pubmedqa/ori_pqal.sample50.json"),
  pubmedqaTest: path.join(SAMPLES, "pubmedqa/test_ground_truth.sample.json"),
  mmlu: path.join(SAMPLES, "mmlu"),
  headqa: path.join(SAMPLES, "headqa/dev_HEAD_EN.sample50.json"),
};

function load(name: string, p: string, over: Partial<BenchmarkLoad> = {}): Promise<Dataset> {
  return loadBenchmark(datasetSpec(name)!, { path: p, format: null, subjects: null, split: null, splitFile: null, skipInvalid: false, expectSha256: null, ...over });
}

async function failure(p: Promise<unknown>): Promise<DataError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(DataError);
  return err as DataError;
}

let n = 0;
function tmpFile(name: string, body: string | Buffer): string {
  const dir = path.join(tmp, `f${n++}`);
  mkdirSync(dir, { recursive: true });
  const p = path.join(dir, name);
  writeFileSync(p, body);
  return p;
}
/** 1-based line of the first occurrence of `marker` in `body`. */
const lineOf = (body: string, marker: string) => body.slice(0, body.indexOf(marker)).split("\n").length;

describe("registry", () => {
  it("lists the five benchmarks; the CLI's import-free name lists equal the registry", () => {
    expect(DATASET_NAMES).toEqual(["medqa", "medmcqa", "pubmedqa", "mmlu-medical", "headqa"]);
    expect([...DATASET_CHOICES]).toEqual(DATASET_NAMES);
    expect([...FORMAT_CHOICES].sort()).toEqual([...FORMAT_NAMES].sort());
    expect(new Set(FORMAT_NAMES).size).toBe(FORMAT_NAMES.length); // each format belongs to one benchmark
  });

  it.each(REGISTRY.map((d) => [d.name, d] as const))("%s declares a licence, sources with URLs and revisions, formats and strata", (_n, d) => {
    expect(d.licence).toMatch(/MIT/);
    const sources = d.sources({ subjects: null, split: d.splits?.[0] ?? null });
    expect(sources.length).toBeGreaterThan(0);
    for (const s of sources) {
      expect(s.url(s.revision)).toMatch(/^https:\/\//);
      if (s.sha256) expect(s.sha256).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(d.formats.length).toBeGreaterThan(0);
    expect(formatSpec(d.formats[0]!.name)!.dataset.name).toBe(d.name);
  });

  it("chooses a format by file name within the benchmark, and says so when it cannot", () => {
    expect(chooseFormat(datasetSpec("medmcqa")!, "x/dev.json", null).name).toBe("medmcqa-json");
    expect(chooseFormat(datasetSpec("medmcqa")!, "x/v.parquet", null).name).toBe("medmcqa-parquet");
    expect(chooseFormat(datasetSpec("mmlu-medical")!, SAMPLE.mmlu, null).name).toBe("mmlu-csv");
    expect(chooseFormat(datasetSpec("mmlu-medical")!, path.join(FIX, "mmlu-parquet"), null).name).toBe("mmlu-parquet");
    expect(chooseFormat(datasetSpec("medqa")!, "datasets/medqa/us_4options_test.jsonl.gz", null).name).toBe("jsonl");
    expect(() => chooseFormat(datasetSpec("headqa")!, "x/h.txt", null)).toThrow(/pass --format NAME \(one of headqa-parquet, headqa-json\)/);
    expect(() => chooseFormat(datasetSpec("headqa")!, "x/h.json", "medmcqa-json")).toThrow(UsageError);
  });

  it("refuses selections a benchmark does not have", async () => {
    await expect(load("medmcqa", SAMPLE.medmcqa, { subjects: ["anatomy"] })).rejects.toThrow(/--subjects applies to mmlu-medical only/);
    await expect(load("mmlu-medical", SAMPLE.mmlu, { subjects: ["virology"] })).rejects.toThrow(/unknown subject virology/);
    await expect(load("headqa", SAMPLE.headqa, { split: "test" })).rejects.toThrow(/--split test is not a split of headqa/);
  });
});

describe("medmcqa", () => {
  it("reads the authors' 1-based JSON: cop 1 = opa, detected from a cop 4 and said in a note", async () => {
    const ds = await load("medmcqa", SAMPLE.medmcqa);
    const raw = readFileSync(SAMPLE.medmcqa, "utf8").trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(ds.cases).toHaveLength(50);
    expect(ds.name).toBe("medmcqa-dev");
    expect(ds.format).toBe("medmcqa-json");
    expect(ds.cases.map((c) => c.answer_idx)).toEqual(raw.map((r) => "ABCD"[(r.cop as number) - 1]));
    expect(ds.cases.every((c, i) => c.answer === raw[i]![["opa", "opb", "opc", "opd"][(raw[i]!.cop as number) - 1]!])).toBe(true);
    expect(ds.notes).toEqual([expect.stringMatching(/cop is 1-based \(1 = opa; cop 4 at line \d+\)/)]);
    expect(ds.strata).toEqual([{ field: "choice_type", keys: ["single", "multi"] }, { field: "subject" }]);
    expect(new Set(ds.cases.map((c) => c.strata!.choice_type))).toEqual(new Set(["single", "multi"]));
    expect(ds.cases[3]!.line).toBe(4);
    expect(ds.diagnostic).toBe(false);
  });

  it("reads the Hugging Face Parquet: cop 0-based, same letters for the same keyed option", async () => {
    const ds = await load("medmcqa", path.join(FIX, "medmcqa-validation.parquet"));
    expect(ds.format).toBe("medmcqa-parquet");
    expect(ds.cases).toHaveLength(24);
    expect(ds.cases.map((c) => c.answer_idx).slice(0, 4)).toEqual(["A", "B", "C", "D"]);
    expect(ds.cases[0]!.answer).toBe("Option alpha 0");
    expect(ds.notes![0]).toMatch(/cop is 0-based \(0 = opa; cop 0 at row 1\)/);
  });

  it.each([
    { name: "a 0 decides 0-based", cops: [2, 0, 3], declared: 1, base: 0, note: /0-based .* line 2/ },
    { name: "a 4 decides 1-based", cops: [1, 4, 2], declared: 0, base: 1, note: /1-based .* line 2/ },
    { name: "1..3 only: the format's convention, said out loud (JSON)", cops: [1, 2, 3], declared: 1, base: 1, note: /cannot tell its numbering: read as 1-based .* --format medmcqa-json/ },
    { name: "1..3 only: the format's convention, said out loud (Parquet)", cops: [3, 1], declared: 0, base: 0, note: /cannot tell its numbering: read as 0-based/ },
  ] as const)("detectCopBase: $name", ({ cops, declared, base, note }) => {
    const r = detectCopBase(cops.map((cop, i) => ({ line: i + 1, cop })), declared, { file: "f", format: declared === 1 ? "medmcqa-json" : "medmcqa-parquet" });
    expect(r.base).toBe(base);
    expect(r.note).toMatch(note);
  });

  it("detectCopBase refuses a file that mixes 0-based and 1-based keys, at the later line", () => {
    expect(() => detectCopBase([{ line: 1, cop: 4 }, { line: 2, cop: 1 }, { line: 3, cop: 0 }], 1, { file: "f.json", format: "medmcqa-json" })).toThrow(
      /f\.json:3: field "cop": expected one numbering for the whole file, got .*cop 0 here, but cop 4 at line 1/,
    );
  });

  const base = readFileSync(SAMPLE.medmcqa, "utf8").trim().split("\n");
  const edit = (i: number, f: (r: Record<string, unknown>) => Record<string, unknown> | string) => {
    const lines = [...base];
    const out = f(JSON.parse(lines[i]!) as Record<string, unknown>);
    lines[i] = typeof out === "string" ? out : JSON.stringify(out);
    return lines.join("\n") + "\n";
  };
  it.each([
    { name: "cop out of range", body: edit(6, (r) => ({ ...r, cop: 5 })), line: 7, field: "cop", expected: /1\.\.4 \(1-based/ },
    { name: "cop as a string", body: edit(6, (r) => ({ ...r, cop: "2" })), line: 7, field: "cop", expected: /1\.\.4/ },
    { name: "missing option opc", body: edit(2, (r) => ({ ...r, opc: undefined })), line: 3, field: "opc", expected: /non-empty option text/ },
    { name: "unknown choice_type", body: edit(9, (r) => ({ ...r, choice_type: "both" })), line: 10, field: "choice_type", expected: /"single" or "multi"/ },
    { name: "a line that is not JSON", body: edit(11, () => "{not json"), line: 12, field: "(line)", expected: /a JSON object/ },
    { name: "empty question", body: edit(0, (r) => ({ ...r, question: " " })), line: 1, field: "question", expected: /non-empty/ },
    { name: "0-based and 1-based mixed", body: edit(30, (r) => ({ ...r, cop: 0 })), line: 31, field: "cop", expected: /one numbering/ },
  ])("medmcqa-json malformed: $name → file:line, field", async ({ body, line, field, expected }) => {
    const p = tmpFile("dev.json", body);
    const err = await failure(load("medmcqa", p));
    expect(err.issue).toMatchObject({ file: p, line, field });
    expect(err.issue.expected).toMatch(expected);
    expect(err.message.startsWith(`${p}:${line}: field "${field}"`)).toBe(true);
  });

  it("--skip-invalid skips a bad record and keeps the others' ids", async () => {
    const ds = await load("medmcqa", tmpFile("dev.json", edit(6, (r) => ({ ...r, cop: 9 }))), { skipInvalid: true });
    expect(ds.cases).toHaveLength(49);
    expect(ds.skipped).toEqual([expect.objectContaining({ line: 7, field: "cop" })]);
    expect(ds.cases[6]!.id).toBe("medmcqa-dev-0007");
  });

  const rows = () =>
    Array.from({ length: 6 }, (_, i) => ({ id: `r${i}`, question: `Q${i}?`, opa: "a", opb: "b", opc: "c", opd: "d", cop: BigInt(i % 4), choice_type: "single", subject_name: "Anatomy", topic_name: null, exp: null }));
  const pq = (rs: Array<Record<string, unknown>>, fields = MEDMCQA_FIELDS) => {
    const p = tmpFile("validation.parquet", "");
    writeParquet(p, rs, fields);
    return p;
  };
  it.each([
    { name: "cop out of range", make: () => pq(rows().map((r, i) => (i === 2 ? { ...r, cop: 7n } : r))), row: 3, field: "cop" },
    { name: "a null option", make: () => pq(rows().map((r, i) => (i === 4 ? { ...r, opb: null } : r))), row: 5, field: "opb" },
    { name: "a null choice_type", make: () => pq(rows().map((r, i) => (i === 1 ? { ...r, choice_type: null } : r))), row: 2, field: "choice_type" },
    { name: "0-based and 1-based mixed", make: () => pq(rows().map((r, i) => (i === 5 ? { ...r, cop: 4n } : r))), row: 6, field: "cop" },
    { name: "a missing column", make: () => pq(rows(), (MEDMCQA_FIELDS as Array<{ name: string }>).filter((f) => f.name !== "subject_name")), row: 0, field: "(columns)" },
    { name: "not a Parquet file", make: () => tmpFile("v.parquet", "question,opa\n"), row: 0, field: "(file)" },
  ])("medmcqa-parquet malformed: $name → file:row, field", async ({ make, row, field }) => {
    const p = make();
    const err = await failure(load("medmcqa", p));
    expect(err.issue).toMatchObject({ file: p, line: row, field });
    if (row > 0) expect(err.message.startsWith(`${p}:row ${row}: field "${field}"`)).toBe(true);
  });
});

describe("pubmedqa", () => {
  it("reads ori_pqal.json in file order: PMID ids, yes/no/maybe as A/B/C, the labelled abstract as context", async () => {
    const ds = await load("pubmedqa", SAMPLE.pubmedqa);
    const body = readFileSync(SAMPLE.pubmedqa, "utf8");
    const first = ds.cases[0]!;
    expect(ds.cases).toHaveLength(50);
    expect(first.id).toBe("pubmedqa-pqal-21645374"); // the file's first key (JS objects would sort numeric keys)
    expect(first.line).toBe(lineOf(body, '"21645374"'));
    expect(first.options).toEqual({ A: "yes", B: "no", C: "maybe" });
    expect(first.context).toMatch(/^BACKGROUND: /);
    expect(first.strata).toEqual({ decision: first.answer });
    expect(new Set(ds.cases.map((c) => c.answer))).toEqual(new Set(["yes", "no", "maybe"]));
    const raw = JSON.parse(body) as Record<string, { final_decision: string }>;
    expect(ds.cases.every((c) => raw[c.id.replace("pubmedqa-pqal-", "")]!.final_decision === c.answer)).toBe(true);
  });

  it("--split test keeps the test ids' questions only, checked against the ids file", async () => {
    const ds = await load("pubmedqa", SAMPLE.pubmedqa, { split: "test", splitFile: SAMPLE.pubmedqaTest });
    const ids = Object.keys(JSON.parse(readFileSync(SAMPLE.pubmedqaTest, "utf8")) as object);
    expect(ds.cases.map((c) => c.id.replace("pubmedqa-pqal-", "")).sort()).toEqual([...ids].sort());
    expect(ds.notes![0]).toMatch(/--split test: 23 of 50 questions/);
  });

  it("the content hash covers the context: the same question over another abstract is another case", async () => {
    const one = (ctx: string) => JSON.stringify({ "1": { QUESTION: "Same question?", CONTEXTS: [ctx], LABELS: ["RESULTS"], final_decision: "yes" } });
    const [a, b] = await Promise.all([load("pubmedqa", tmpFile("a.json", one("abstract one"))), load("pubmedqa", tmpFile("b.json", one("abstract two")))]);
    expect(a.cases[0]!.content_hash).not.toBe(b.cases[0]!.content_hash);
    expect(contextText(["x", "y"], ["A", ""])).toBe("A: x\n\ny");
  });

  const sample = JSON.parse(readFileSync(SAMPLE.pubmedqa, "utf8")) as Record<string, Record<string, unknown>>;
  const keys = Object.keys(sample);
  const doc = (f: (o: Record<string, Record<string, unknown>>) => void) => {
    const o = structuredClone(sample);
    f(o);
    return JSON.stringify(o, null, 2);
  };
  it.each([
    { name: "an unknown decision", body: doc((o) => (o[keys[3]!]!.final_decision = "perhaps")), marker: keys[3]!, field: "final_decision" },
    { name: "no contexts", body: doc((o) => (o[keys[5]!]!.CONTEXTS = [])), marker: keys[5]!, field: "CONTEXTS" },
    { name: "labels not one per section", body: doc((o) => (o[keys[7]!]!.LABELS = ["ONLY"])), marker: keys[7]!, field: "LABELS" },
    { name: "no question", body: doc((o) => delete o[keys[9]!]!.QUESTION), marker: keys[9]!, field: "QUESTION" },
    { name: "an entry that is not an object", body: doc((o) => ((o as Record<string, unknown>)[keys[2]!] = "yes")), marker: keys[2]!, field: keys[2]! },
  ])("pubmedqa-json malformed: $name → file:line of its PMID, field", async ({ body, marker, field }) => {
    const p = tmpFile("ori_pqal.json", body);
    const err = await failure(load("pubmedqa", p));
    expect(err.issue).toMatchObject({ file: p, line: lineOf(body, `"${marker}"`), field });
  });

  it.each([
    { name: "a syntax error", body: '{\n  "1": {"QUESTION": "q?",\n  }\n}\n', line: 3, field: "(json)" },
    { name: "a PMID twice", body: '{\n"1": {},\n"1": {}\n}', line: 3, field: "(pmid)" },
    { name: "an array, not an object", body: "[\n]\n", line: 1, field: "(json)" },
  ])("pubmedqa-json malformed document: $name → line $line", async ({ body, line, field }) => {
    const p = tmpFile("ori_pqal.json", body);
    expect((await failure(load("pubmedqa", p))).issue).toMatchObject({ line, field });
  });

  it.each([
    { name: "a test id not in the data", ids: { "99999999": "yes" }, field: "99999999", expected: /present in the data/ },
    { name: "a test label that disagrees with the data", ids: { [keys[0]!]: sample[keys[0]!]!.final_decision === "no" ? "yes" : "no" }, field: keys[0]!, expected: /final_decision/ },
  ])("--split test: $name → the ids file's line", async ({ ids, field, expected }) => {
    const idsFile = tmpFile("test_ground_truth.json", JSON.stringify(ids, null, 1));
    const err = await failure(load("pubmedqa", SAMPLE.pubmedqa, { split: "test", splitFile: idsFile }));
    expect(err.issue).toMatchObject({ file: idsFile, line: 2, field });
    expect(err.issue.expected).toMatch(expected);
  });

  it("--split test without an ids file names where it looked and --split-file", async () => {
    const p = tmpFile("ori_pqal.json", readFileSync(SAMPLE.pubmedqa));
    await expect(load("pubmedqa", p, { split: "test" })).rejects.toThrow(/test_ground_truth\.json.*--split-file PATH/);
  });

  it("reads the Hugging Face Parquet (pqa_labeled layout)", async () => {
    const ds = await load("pubmedqa", path.join(FIX, "pubmedqa-pqal.parquet"));
    expect(ds.format).toBe("pubmedqa-parquet");
    expect(ds.cases).toHaveLength(24);
    expect(ds.cases[0]).toMatchObject({ id: "pubmedqa-pqal-10000000", answer_idx: "A", answer: "yes", context: "BACKGROUND: Background of study 0.\n\nMETHODS: Methods of study 0.\n\nRESULTS: Results of study 0." });
    expect(ds.cases[2]!.answer_idx).toBe("C");
  });

  const prow = (i: number, over: Record<string, unknown> = {}) => ({
    pubid: BigInt(i + 1),
    question: `Q${i}?`,
    context: { contexts: ["c"], labels: ["L"], meshes: [] },
    long_answer: "",
    final_decision: "no",
    ...over,
  });
  const ppq = (rs: Array<Record<string, unknown>>, fields = PUBMEDQA_FIELDS) => {
    const p = tmpFile("pqal.parquet", "");
    writeParquet(p, rs, fields);
    return p;
  };
  it.each([
    { name: "a null decision", make: () => ppq([prow(0), prow(1, { final_decision: null })]), row: 2, field: "final_decision" },
    { name: "no contexts", make: () => ppq([prow(0, { context: { contexts: [], labels: [], meshes: [] } })]), row: 1, field: "CONTEXTS" },
    { name: "labels not one per section", make: () => ppq([prow(0), prow(1), prow(2, { context: { contexts: ["a", "b"], labels: ["L"], meshes: [] } })]), row: 3, field: "LABELS" },
    { name: "an empty question", make: () => ppq([prow(0, { question: "" })]), row: 1, field: "question" },
    { name: "a missing column", make: () => ppq([prow(0)], (PUBMEDQA_FIELDS as Array<{ name?: string } | Array<{ name: string }>>).filter((f) => !Array.isArray(f) && f.name !== "final_decision")), row: 0, field: "(columns)" },
  ])("pubmedqa-parquet malformed: $name → file:row, field", async ({ make, row, field }) => {
    const p = make();
    expect((await failure(load("pubmedqa", p))).issue).toMatchObject({ file: p, line: row, field });
  });
});

describe("mmlu-medical", () => {
  it("reads the authors' header-less CSVs (LF; CRLF without a final newline): subject from the file name", async () => {
    const ds = await load("mmlu-medical", SAMPLE.mmlu);
    expect(ds.format).toBe("mmlu-csv");
    const count = (f: string) => ds.cases.filter((c) => c.strata!.subject === f).length;
    expect(count("anatomy")).toBe(135);
    expect(count("medical_genetics")).toBe(100);
    expect(ds.cases[0]!.id).toBe("mmlu-medical-test-anatomy-0000");
    expect(ds.cases.at(-1)!.id).toBe("mmlu-medical-test-medical_genetics-0099");
    expect(ds.files).toHaveLength(2);
    expect(ds.notes).toContain("2 of 6 subjects: anatomy, medical_genetics");
    // CRLF, no final newline: the last answer letter has no stray \r
    expect(ds.cases.at(-1)!.answer_idx).toMatch(/^[A-D]$/);
    const lastLine = readFileSync(path.join(SAMPLE.mmlu, "medical_genetics_test.csv"), "utf8").trimEnd().split("\r\n").length;
    expect(ds.cases.at(-1)!.line).toBe(lastLine);
  });

  it("--subjects picks subjects; one file works alone; ids do not depend on the selection", async () => {
    const all = await load("mmlu-medical", SAMPLE.mmlu);
    const one = await load("mmlu-medical", SAMPLE.mmlu, { subjects: ["medical_genetics"] });
    expect(one.cases.every((c) => c.strata!.subject === "medical_genetics")).toBe(true);
    expect(one.cases.map((c) => c.id)).toEqual(all.cases.filter((c) => c.strata!.subject === "medical_genetics").map((c) => c.id));
    const file = await load("mmlu-medical", path.join(SAMPLE.mmlu, "anatomy_test.csv"));
    expect(file.cases).toHaveLength(135);
    await expect(load("mmlu-medical", SAMPLE.mmlu, { subjects: ["college_biology"] })).rejects.toThrow(/no college_biology_test\.csv/);
  });

  it("quoted fields with line breaks and commas, CRLF, no final newline: each record's start line", async () => {
    const ds = await load("mmlu-medical", path.join(FIX, "mmlu-csv"));
    expect(ds.cases.map((c) => [c.line, c.answer_idx])).toEqual([[1, "A"], [2, "C"], [4, "D"], [5, "B"]]);
    expect(ds.cases[1]!.question).toBe("Synthetic question two,\r\nwith a line break in its quoted stem?");
    expect(ds.cases[1]!.options.B).toBe("beta, with a comma");
    expect(ds.cases[2]!.question).toBe('A "quoted" synthetic question three?');
  });

  const csv = "Q one?,a,b,c,d,A\n\"Q two\nspans lines?\",a,b,c,d,B\nQ three?,a,b,c,d,C\n";
  it.each([
    { name: "five columns", body: csv + "Q four?,a,b,c,D\n", line: 5, field: "(row)" },
    { name: "an answer letter outside the options", body: csv + "Q four?,a,b,c,d,E\n", line: 5, field: "answer_idx" },
    { name: "an empty option", body: csv + "Q four?,a,b,,d,A\n", line: 5, field: "options.C" },
    { name: "an empty question after a quoted newline", body: csv + '"",a,b,c,d,A\n', line: 5, field: "question" },
    { name: "an unclosed quote", body: csv + 'Q four?,"a,b,c,d,A\n', line: 5, field: "(csv)" },
  ])("mmlu-csv malformed: $name → file:line, field", async ({ body, line, field }) => {
    const p = tmpFile("anatomy_test.csv", body);
    const err = await failure(load("mmlu-medical", p));
    expect(err.issue).toMatchObject({ file: p, field });
    if (field !== "(csv)") expect(err.issue.line).toBe(line);
    else expect(err.issue.line).toBeGreaterThanOrEqual(line);
  });

  it.each([
    ["mmlu-medical", "anatomy_test.csv"],
    ["medmcqa", "dev.json"],
    ["headqa", "test_HEAD_EN.json"],
  ])("%s: invalid UTF-8 → (encoding) at its line, not U+FFFD in a prompt", async (dataset, name) => {
    const p = tmpFile(name, Buffer.concat([Buffer.from("line one\nline two \n"), Buffer.from([0xc3, 0x28]), Buffer.from(" three\n")]));
    expect((await failure(load(dataset, p))).issue).toMatchObject({ file: p, line: 3, field: "(encoding)" });
  });

  it("mmlu-csv: a file name that does not name a medical subject", async () => {
    const err = await failure(load("mmlu-medical", tmpFile("virology_test.csv", csv), { format: "mmlu-csv" }));
    expect(err.issue.field).toBe("(file name)");
    expect(subjectOfFile("x/anatomy/test-00000-of-00001.parquet")).toBe("anatomy");
  });

  it("reads the Hugging Face Parquet folder: choices and a 0-based answer", async () => {
    const ds = await load("mmlu-medical", path.join(FIX, "mmlu-parquet"));
    expect(ds.format).toBe("mmlu-parquet");
    expect(ds.cases).toHaveLength(24);
    expect(ds.cases[1]).toMatchObject({ id: "mmlu-medical-test-anatomy-0001", answer_idx: "D", answer: "fourth 1", strata: { subject: "anatomy" } });
  });

  const mrow = (i: number, over: Record<string, unknown> = {}) => ({ question: `Q${i}?`, subject: "anatomy", choices: ["a", "b", "c", "d"], answer: 1n, ...over });
  const mpq = (rs: Array<Record<string, unknown>>, fields = MMLU_FIELDS) => {
    const dir = path.join(tmp, `m${n++}`);
    mkdirSync(dir);
    const p = path.join(dir, "anatomy_test.parquet");
    writeParquet(p, rs, fields);
    return p;
  };
  it.each([
    { name: "answer out of range", make: () => mpq([mrow(0), mrow(1, { answer: 4n })]), row: 2, field: "answer" },
    { name: "no choices", make: () => mpq([mrow(0, { choices: null })]), row: 1, field: "choices" },
    { name: "six choices", make: () => mpq([mrow(0), mrow(1), mrow(2, { choices: ["1", "2", "3", "4", "5", "6"] })]), row: 3, field: "choices" },
    { name: "a row of another subject", make: () => mpq([mrow(0, { subject: "virology" })]), row: 1, field: "subject" },
    { name: "a missing column", make: () => mpq([mrow(0)], (MMLU_FIELDS as Array<{ name?: string }>).filter((f) => f.name !== "answer")), row: 0, field: "(columns)" },
    { name: "an empty choice", make: () => mpq([mrow(0, { choices: ["a", "", "c", "d"] })]), row: 1, field: "options.B" },
  ])("mmlu-parquet malformed: $name → file:row, field", async ({ make, row, field }) => {
    const p = make();
    expect((await failure(load("mmlu-medical", p))).issue).toMatchObject({ file: p, line: row, field });
  });
});

describe("headqa", () => {
  it("reads HEAD_EN JSON: options ordered by aid, ra → letter, category stratum, exam-qid ids", async () => {
    const ds = await load("headqa", SAMPLE.headqa);
    const raw = JSON.parse(readFileSync(SAMPLE.headqa, "utf8")) as { exams: Record<string, { category: string; data: Array<{ qid: string; ra: string; answers: Array<{ aid: number; atext: string }> }> }> };
    const flat = Object.entries(raw.exams).flatMap(([exam, e]) => e.data.map((q) => ({ exam, category: e.category, ...q })));
    expect(ds.cases).toHaveLength(flat.length);
    ds.cases.forEach((c, i) => {
      const q = flat[i]!;
      expect(c.id).toBe(`headqa-en-test-${q.exam}-${q.qid}`);
      expect(c.answer).toBe(q.answers.find((a) => a.aid === Number(q.ra))!.atext);
      expect(c.strata).toEqual({ category: q.category });
    });
    expect(ds.notes![0]).toMatch(/refer to an image/);
  });

  it("reads the Hugging Face Parquet, with 4- and 5-option questions", async () => {
    const ds = await load("headqa", path.join(FIX, "headqa-en-test.parquet"));
    expect(ds.format).toBe("headqa-parquet");
    expect(ds.cases).toHaveLength(24);
    expect(new Set(ds.cases.map((c) => Object.keys(c.options).length))).toEqual(new Set([4, 5]));
    expect(ds.cases[3]).toMatchObject({ answer_idx: "D", options: { E: "Answer 5 of 3" } });
  });

  const sample = JSON.parse(readFileSync(SAMPLE.headqa, "utf8")) as { exams: Record<string, { data: Array<Record<string, unknown>> }> };
  const exam = Object.keys(sample.exams)[1]!;
  const doc = (f: (q: Record<string, unknown>, o: typeof sample) => void) => {
    const o = structuredClone(sample);
    f(o.exams[exam]!.data[2]!, o);
    return JSON.stringify(o, null, 2);
  };
  /** Line of the `{` of question `index` of the edited exam (pretty-printed: the line before its first key). */
  const qLine = (body: string, index: number) => {
    let at = body.indexOf(`"${exam}"`);
    for (let k = 0; k <= index; k++) at = body.indexOf('"qid"', at + 1);
    return body.slice(0, at).split("\n").length - 1;
  };
  it.each([
    { name: "ra not an aid", edit: (q: Record<string, unknown>) => (q.ra = "9"), field: `exams.${exam}.data[2].ra` },
    { name: "two answers with one aid", edit: (q: Record<string, unknown>) => ((q.answers as Array<{ aid: number }>)[1]!.aid = 1), field: `exams.${exam}.data[2].answers[1].aid` },
    { name: "three answers", edit: (q: Record<string, unknown>) => (q.answers = (q.answers as unknown[]).slice(0, 3)), field: `exams.${exam}.data[2].answers` },
    { name: "an empty question text", edit: (q: Record<string, unknown>) => (q.qtext = ""), field: `exams.${exam}.data[2].qtext` },
    { name: "a qid twice in an exam", edit: (q: Record<string, unknown>, o: typeof sample) => (q.qid = o.exams[exam]!.data[0]!.qid), field: "qid" },
    { name: "an unknown category", edit: (_q: Record<string, unknown>, o: typeof sample) => (((o.exams[exam] as unknown) as { category: string }).category = "dentistry"), field: `exams.${exam}.data[0].category` },
  ])("headqa-json malformed: $name → file:line, JSON path", async ({ edit, field }) => {
    const body = doc(edit);
    const p = tmpFile("test_HEAD_EN.json", body);
    const err = await failure(load("headqa", p));
    expect(err.issue.field).toBe(field);
    expect(err.issue.line).toBe(qLine(body, field.endsWith("data[0].category") ? 0 : 2));
  });

  it.each([
    { name: "a syntax error", body: '{"exams": {\n "E": {"category": "medicine", "data": [,]}}}', line: 2, field: "(json)" },
    { name: "no exams", body: '{"version": "1.0"}', line: 1, field: "(json)" },
    { name: "Spanish", body: '{"language": "es", "exams": {}}', line: 1, field: "language" },
  ])("headqa-json malformed document: $name", async ({ body, line, field }) => {
    expect((await failure(load("headqa", tmpFile("h.json", body)))).issue).toMatchObject({ line, field });
  });

  const hrow = (i: number, over: Record<string, unknown> = {}) => ({
    name: "E",
    year: "2016",
    category: "medicine",
    qid: i + 1,
    qtext: `Q${i}:`,
    ra: 2,
    image: null,
    answers: [1, 2, 3, 4].map((aid) => ({ aid, atext: `t${aid}` })),
    ...over,
  });
  const hpq = (rs: Array<Record<string, unknown>>, fields = HEADQA_FIELDS) => {
    const p = tmpFile("test.parquet", "");
    writeParquet(p, rs, fields);
    return p;
  };
  it.each([
    { name: "ra 0", make: () => hpq([hrow(0), hrow(1, { ra: 0 })]), row: 2, field: "ra" },
    { name: "no answers", make: () => hpq([hrow(0, { answers: null })]), row: 1, field: "answers" },
    { name: "an aid gap", make: () => hpq([hrow(0, { answers: [1, 2, 4, 5].map((aid) => ({ aid, atext: "t" })) })]), row: 1, field: "answers[3].aid" },
    { name: "a null category", make: () => hpq([hrow(0), hrow(1), hrow(2, { category: null })]), row: 3, field: "category" },
    { name: "a qid twice", make: () => hpq([hrow(0), hrow(0)]), row: 2, field: "qid" },
    { name: "a missing column", make: () => hpq([hrow(0)], (HEADQA_FIELDS as Array<{ name?: string }>).filter((f) => f.name !== "ra")), row: 0, field: "(columns)" },
  ])("headqa-parquet malformed: $name → file:row, field", async ({ make, row, field }) => {
    const p = make();
    expect((await failure(load("headqa", p))).issue).toMatchObject({ file: p, line: row, field });
  });
});

describe("sampling works unchanged on every benchmark", () => {
  const sources: Array<[string, string]> = [
    ["medmcqa", SAMPLE.medmcqa],
    ["pubmedqa", SAMPLE.pubmedqa],
    ["mmlu-medical", SAMPLE.mmlu],
    ["headqa", SAMPLE.headqa],
    ["headqa", path.join(FIX, "headqa-en-test.parquet")],
  ];
  it.each(sources)("%s (%s): samples nest, shards partition the sample, file order does not matter", async (name, p) => {
    const { sampleCases } = await import("../src/sampling/sample.js");
    const ds = await load(name, p);
    const ids = (cs: ReadonlyArray<{ id: string }>) => cs.map((c) => c.id);
    const ten = sampleCases(ds.cases, { seed: 42, maxCases: 10 });
    const twenty = sampleCases(ds.cases, { seed: 42, maxCases: 20 });
    expect(ids(twenty).slice(0, 10)).toEqual(ids(ten));
    const shards = [1, 2, 3].map((k) => ids(sampleCases(ds.cases, { seed: 42, maxCases: 20, shard: { k, n: 3 } })));
    expect(shards.flat().sort()).toEqual(ids(twenty).sort());
    expect(new Set(shards.flat()).size).toBe(20);
    const reversed = sampleCases([...ds.cases].reverse(), { seed: 42, maxCases: 20 });
    expect(reversed.map((c) => c.content_hash)).toEqual(twenty.map((c) => c.content_hash));
    expect(new Set(ds.cases.map((c) => c.id)).size).toBe(ds.cases.length);
  });
});
