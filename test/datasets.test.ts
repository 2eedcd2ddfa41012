import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { DataError, formatIssue } from "../src/datasets/errors.js";
import { caseId, csvColumns, datasetNameFor, loadDataset } from "../src/datasets/load.js";
import { contentHash } from "../src/datasets/validate.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const MEDQA = path.resolve(here, "../../shared/datasets/medqa/us_4options_test.jsonl");
const FIXTURES = path.resolve(here, "fixtures/datasets");
const tmp = mkdtempSync(path.join(tmpdir(), "datasets-test-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let fileNo = 0;
function writeTmp(ext: string, text: string, base?: string): string {
  const p = path.join(tmp, base ?? `case-${fileNo++}${ext}`);
  writeFileSync(p, text);
  return p;
}

function mkdirFile(name: string): string {
  const p = path.join(tmp, name);
  mkdirSync(p);
  return p;
}

/** A valid synthetic record; override fields to break it. */
function rec(over: Record<string, unknown> = {}, n = 0): Record<string, unknown> {
  return {
    question: `Synthetic vignette number ${n}: which invented finding is expected?`,
    options: { A: `alpha ${n}`, B: `beta ${n}`, C: `gamma ${n}`, D: `delta ${n}` },
    answer_idx: "B",
    answer: `beta ${n}`,
    meta_info: "step1",
    ...over,
  };
}
const line = (o: unknown) => JSON.stringify(o);

async function loadError(p: string, opts?: { skipInvalid?: boolean }): Promise<DataError> {
  const err = await loadDataset(p, opts).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DataError);
  return err as DataError;
}

describe("loadDataset on the real MedQA test file", async () => {
  const ds = await loadDataset(MEDQA);

  it("loads 1,273 cases with MedQA ids, lines and file hash", () => {
    expect(ds.name).toBe("medqa-us4-test");
    expect(ds.format).toBe("jsonl");
    expect(ds.cases).toHaveLength(1273);
    expect(ds.skipped).toEqual([]);
    expect(ds.sha256).toBe("2e51d17d47099a72c4eea6b6a3307de71360333e0c99beb1d53d7a42834cacc4");
    expect(ds.path).toBe(MEDQA);
    expect(ds.cases.map((c) => c.id).slice(0, 2)).toEqual(["medqa-us4-test-0000", "medqa-us4-test-0001"]);
    const last = ds.cases.at(-1)!;
    expect([last.id, last.index, last.line]).toEqual(["medqa-us4-test-1272", 1272, 1273]);
    expect(ds.cases.every((c, i) => c.index === i && c.line === i + 1)).toBe(true);
  });

  it("has the published answer-key distribution and consistent answers", () => {
    const counts: Record<string, number> = {};
    for (const c of ds.cases) counts[c.answer_idx] = (counts[c.answer_idx] ?? 0) + 1;
    expect(counts).toEqual({ A: 353, B: 309, C: 346, D: 265 });
    expect(ds.cases.every((c) => c.answer === c.options[c.answer_idx])).toBe(true);
    expect(ds.cases.every((c) => Object.keys(c.options).join("") === "ABCD")).toBe(true);
  });

  it("keeps meta_info raw, including the stfep2&3 typo line", () => {
    const meta: Record<string, number> = {};
    for (const c of ds.cases) meta[String(c.meta_info)] = (meta[String(c.meta_info)] ?? 0) + 1;
    expect(meta).toEqual({ step1: 679, "step2&3": 593, "stfep2&3": 1 });
  });

  it("gives every case a distinct content hash computed from question and options", () => {
    expect(new Set(ds.cases.map((c) => c.content_hash)).size).toBe(1273);
    const c = ds.cases[7]!;
    const text = [c.question, ...(["A", "B", "C", "D"] as const).map((l) => `${l}. ${c.options[l]}`)].join("\n");
    expect(c.content_hash).toBe(createHash("sha256").update(text).digest("hex"));
  });
});

describe("loadDataset on synthetic JSONL", () => {
  it("skips blank lines without breaking line numbers or ids, accepts lower-case keys and fills answer", async () => {
    const ds = await loadDataset(path.join(FIXTURES, "tiny.jsonl"));
    expect(ds.name).toBe("tiny");
    expect(ds.cases.map((c) => [c.id, c.index, c.line, c.answer_idx, c.answer])).toEqual([
      ["tiny-0000", 0, 1, "C", "Gamma fever"],
      ["tiny-0001", 1, 3, "D", "Refer"],
      ["tiny-0002", 2, 4, "A", "Fakemab"],
    ]);
    expect(ds.sha256).toBe(createHash("sha256").update(readFileSync(path.join(FIXTURES, "tiny.jsonl"))).digest("hex"));
    expect(Object.keys(ds.cases[0]!)).not.toContain("metamap_phrases");
  });

  it("tolerates CRLF line endings, a BOM and a missing final newline", async () => {
    const p = writeTmp(".jsonl", `\uFEFF${line(rec({}, 0))}\r\n\r\n${line(rec({}, 1))}`);
    const ds = await loadDataset(p);
    expect(ds.cases.map((c) => c.line)).toEqual([1, 3]);
    expect(ds.cases[0]!.question).toBe(rec({}, 0).question);
  });

  it("uses an explicit name for ids", async () => {
    const ds = await loadDataset(path.join(FIXTURES, "tiny.jsonl"), { name: "pilot" });
    expect(ds.cases[2]!.id).toBe("pilot-0002");
  });

  it("loads a 10,000-record file", async () => {
    const p = writeTmp(".ndjson", Array.from({ length: 10_000 }, (_, i) => line(rec({}, i))).join("\n") + "\n");
    const ds = await loadDataset(p);
    expect(ds.cases).toHaveLength(10_000);
    expect(ds.cases.at(-1)!.id).toMatch(/-9999$/);
  });
});

// Each variant: line 1 is valid, the broken record sits on `line` (after blank lines where noted).
const malformed: Array<{ name: string; body: string; line: number; field: string; expected: RegExp }> = [
  { name: "not JSON", body: '{"question": "cut off', line: 2, field: "(line)", expected: /a JSON object/ },
  { name: "JSON array", body: "[1, 2]", line: 2, field: "(line)", expected: /a JSON object/ },
  { name: "JSON number", body: "42", line: 2, field: "(line)", expected: /a JSON object/ },
  { name: "missing question", body: line({ ...rec(), question: undefined }), line: 2, field: "question", expected: /expected a string, got nothing/ },
  { name: "blank question", body: line(rec({ question: "   " })), line: 2, field: "question", expected: /a non-empty string/ },
  { name: "numeric question", body: line(rec({ question: 42 })), line: 2, field: "question", expected: /a string, got 42/ },
  { name: "options not an object", body: line(rec({ options: "A,B" })), line: 2, field: "options", expected: /an object of option texts/ },
  { name: "non-letter option key", body: line(rec({ options: { A: "x", B: "y", F: "z" } })), line: 2, field: "options", expected: /letter keys A, B, C, D, E only, got "F"/ },
  { name: "lower-case option key", body: line(rec({ options: { A: "x", b: "y" } })), line: 2, field: "options", expected: /letter keys/ },
  { name: "empty option text", body: line(rec({ options: { A: "x", B: "", C: "z" }, answer: "x", answer_idx: "A" })), line: 2, field: "options.B", expected: /a non-empty string, got ""/ },
  { name: "non-string option", body: line(rec({ options: { A: "x", B: "y", C: 3 } })), line: 2, field: "options.C", expected: /a non-empty string, got 3/ },
  { name: "gap in letters", body: line(rec({ options: { A: "x", B: "y", D: "w" }, answer: "y" })), line: 2, field: "options", expected: /contiguous from A \(A, B, C\), got "A, B, D"/ },
  { name: "single option", body: line(rec({ options: { A: "x" }, answer_idx: "A", answer: "x" })), line: 2, field: "options", expected: /at least 2 options/ },
  { name: "answer_idx not an option", body: line(rec({ answer_idx: "E" })), line: 2, field: "answer_idx", expected: /one of A, B, C, D, got "E"/ },
  { name: "answer_idx missing", body: line({ ...rec(), answer_idx: undefined }), line: 2, field: "answer_idx", expected: /an option letter/ },
  { name: "answer text mismatch", body: line(rec({ answer: "gamma 0" })), line: 2, field: "answer", expected: /the text of option B "beta 0", got "gamma 0"/ },
  { name: "meta_info not a string", body: line(rec({ meta_info: 1 })), line: 2, field: "meta_info", expected: /a string, got 1/ },
  { name: "after blank lines", body: `\n\n${line(rec({ answer_idx: "Z" }))}`, line: 4, field: "answer_idx", expected: /one of/ },
];

describe("loadDataset rejects malformed JSONL records with file, line and field", () => {
  it.each(malformed)("$name", async ({ body, line: ln, field, expected }) => {
    const p = writeTmp(".jsonl", `${line(rec())}\n${body}\n${line(rec({}, 9))}\n`);
    const err = await loadError(p);
    expect(err.message.startsWith(`${p}:${ln}: field "${field}": expected `)).toBe(true);
    expect(err.message).toMatch(expected);
    expect(err.issue).toMatchObject({ file: p, line: ln, field });
  });

  it("truncates a long offending value to about 80 characters", async () => {
    const p = writeTmp(".jsonl", `not json ${"x".repeat(500)}\n`);
    const err = await loadError(p);
    const got = err.message.split(", got ")[1]!;
    expect(got.length).toBeLessThanOrEqual(80);
    expect(got.endsWith("…")).toBe(true);
  });
});

describe("loadDataset with skipInvalid", () => {
  it("collects bad records and keeps ids positional", async () => {
    const body = [rec({}, 0), "{oops", rec({}, 2), rec({ answer_idx: "Q" }, 3), "", rec({}, 4)]
      .map((r) => (typeof r === "string" ? r : line(r)))
      .join("\n");
    const p = writeTmp(".jsonl", body);
    const ds = await loadDataset(p, { skipInvalid: true });
    expect(ds.cases.map((c) => [c.id.slice(-4), c.line])).toEqual([
      ["0000", 1],
      ["0002", 3],
      ["0004", 6],
    ]);
    expect(ds.skipped.map((s) => [s.line, s.field])).toEqual([
      [2, "(line)"],
      [4, "answer_idx"],
    ]);
  });

  it("still fails when nothing valid remains", async () => {
    const p = writeTmp(".jsonl", "{oops\n[]\n");
    const err = await loadError(p, { skipInvalid: true });
    expect(err.message).toMatch(/no valid records \(2 record\(s\) read, 2 skipped; first problem at line 1/);
  });
});

describe("loadDataset file-level errors", () => {
  it.each([
    { name: "missing file", make: () => path.join(tmp, "nope.jsonl"), msg: /nope\.jsonl: dataset file not found/ },
    { name: "directory", make: () => mkdtempSync(path.join(tmp, "dir-")) + "/x.jsonl", msg: /x\.jsonl: dataset file not found/ },
    { name: "directory named like a dataset", make: () => mkdirFile("d.jsonl"), msg: /d\.jsonl: is not a regular file/ },
    { name: "unknown extension", make: () => writeTmp(".txt", line(rec())), msg: /expected a \.jsonl, \.ndjson or \.csv file \(optionally \.gz\), got "\.txt"/ },
    { name: "only blank lines", make: () => writeTmp(".jsonl", "\n\n  \n"), msg: /no valid records \(0 record/ },
    { name: "empty CSV", make: () => writeTmp(".csv", ""), msg: /field "\(header\)": expected a header row/ },
  ])("$name", async ({ make, msg }) => {
    const err = await loadError(make());
    expect(err.message).toMatch(msg);
  });
});

describe("loadDataset on CSV", () => {
  it("reads A..E columns: case-insensitive answer letters, quoted newlines, 5 options, empty optional cells", async () => {
    const ds = await loadDataset(path.join(FIXTURES, "letters.csv"));
    expect(ds.format).toBe("csv");
    expect(ds.name).toBe("letters");
    expect(ds.cases.map((c) => [c.id, c.line, Object.keys(c.options).join(""), c.answer_idx, c.answer, c.meta_info])).toEqual([
      ["letters-0000", 2, "ABCD", "B", "Biopsy", "step1"],
      ["letters-0001", 3, "ABC", "A", "7.40", "step2&3"],
      ["letters-0002", 6, "ABCDE", "E", "White", undefined],
    ]);
    expect(ds.cases[0]!.question).toContain('"sunburst"');
    expect(ds.cases[1]!.question).toContain("\nwith a line break");
  });

  it("CRLF inside quoted fields does not shift the line numbers of later records (csv-parse counts \\r too)", async () => {
    const p = writeTmp(".csv", 'question,A,B,answer_idx\r\n"Q one\r\nspans",x,y,A\r\n"Q two\r\n\r\nspans more",x,y,B\r\nQ three?,x,y,Q\r\n');
    const err = await loadError(p);
    expect(err.issue).toMatchObject({ line: 7, field: "answer_idx" });
    const ds = await loadDataset(p, { skipInvalid: true });
    expect(ds.cases.map((c) => c.line)).toEqual([2, 4]);
  });

  it("reads opa..ope columns and ignores unknown columns", async () => {
    const ds = await loadDataset(path.join(FIXTURES, "medmcqa-style.csv"));
    expect(ds.name).toBe("medmcqa-style");
    expect(ds.cases.map((c) => [c.options, c.answer_idx, c.answer])).toEqual([
      [{ A: "Fooase", B: "Barase", C: "Bazase", D: "Quxase" }, "C", "Bazase"],
      [{ A: "Nerve one", B: "Nerve two" }, "A", "Nerve one"],
    ]);
  });

  it("hashes content the same way as JSONL", async () => {
    const ds = await loadDataset(writeTmp(".csv", "question,A,B,answer_idx\nQ?,x,y,A\n"));
    expect(ds.cases[0]!.content_hash).toBe(contentHash("Q?", { A: "x", B: "y" }));
  });

  it.each([
    { name: "no answer_idx column", csv: "question,A,B\nq,x,y\n", line: 1, field: "(header)", expected: /"question" and "answer_idx"/ },
    { name: "mixed option styles", csv: "question,A,opb,answer_idx\nq,x,y,A\n", line: 1, field: "(header)", expected: /one style/ },
    { name: "option columns with a gap", csv: "question,A,B,D,answer_idx\nq,x,y,z,A\n", line: 1, field: "(header)", expected: /contiguous from A, got "?A, B, D/ },
    { name: "one option column", csv: "question,A,answer_idx\nq,x,A\n", line: 1, field: "(header)", expected: /at least 2 option columns/ },
    { name: "answer letter absent", csv: "question,A,B,C,answer_idx\nq,x,y,,C\n", line: 2, field: "answer_idx", expected: /one of A, B, got "C"/ },
    { name: "gap in a row's options", csv: "\nquestion,A,B,C,answer_idx\n\nq,x,,z,A\n", line: 4, field: "options", expected: /contiguous from A/ },
    { name: "answer text mismatch", csv: "question,A,B,answer_idx,answer\nq,x,y,b,x\n", line: 2, field: "answer", expected: /option B "y", got "x"/ },
    { name: "empty question", csv: 'question,A,B,answer_idx\n"",x,y,A\n', line: 2, field: "question", expected: /non-empty/ },
    { name: "unclosed quote", csv: 'question,A,B,answer_idx\nq,x,y,A\n"broken,x,y,A\n', line: 3, field: "(csv)", expected: /well-formed CSV/ },
  ])("rejects $name", async ({ csv, line: ln, field, expected }) => {
    const p = writeTmp(".csv", csv);
    const err = await loadError(p);
    expect(err.issue).toMatchObject({ file: p, line: ln, field });
    expect(err.message).toMatch(expected);
  });
});

describe("names, ids and messages", () => {
  it.each([
    ["/x/us_4options_test.jsonl", "medqa-us4-test"],
    ["phrases_no_exclude_test.jsonl", "medqa-us4-test"],
    ["data/My Pilot_Set.v2.csv", "my-pilot-set-v2"],
    ["MEDQA.ndjson", "medqa"],
  ])("datasetNameFor(%s) = %s", (p, name) => expect(datasetNameFor(p)).toBe(name));

  it("pads ids to 4 digits", () => {
    expect([caseId("d", 0), caseId("d", 42), caseId("d", 12345)]).toEqual(["d-0000", "d-0042", "d-12345"]);
  });

  it("formats issues as file:line: field …", () => {
    expect(formatIssue({ file: "f.jsonl", line: 3, field: "answer", expected: "x", got: '"y"' })).toBe(
      'f.jsonl:3: field "answer": expected x, got "y"',
    );
    expect(csvColumns(["Question", "OPA", "opb", "Answer_Idx"]).ok).toBe(true);
  });
});
