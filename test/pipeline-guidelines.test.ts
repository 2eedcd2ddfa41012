import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { buildIndex, search, tokenize } from "../src/pipeline/bm25.js";
import { loadGuidelines, validateGuidelines } from "../src/pipeline/guidelines-file.js";
import { EXCERPT_MAX_CHARS, retrieveGuidelines } from "../src/pipeline/steps/guidelines/retrieve.js";
import type { Guideline } from "../src/pipeline/types.js";

const DOCS = [
  "community acquired pneumonia antibiotics outpatient", // 0
  "heart failure reduced ejection fraction beta blocker", // 1
  "pneumonia pneumonia pneumonia in children vaccination", // 2
  "diabetes type 2 metformin first line", // 3
  "acute heart attack aspirin", // 4
];

describe("tokenize", () => {
  it.each([
    ["Type-2 Diabetes, the MOST common", ["type", "2", "diabetes", "most", "common"]],
    ["of the and", []],
  ])("%j", (text, tokens) => expect(tokenize(text)).toEqual(tokens));
});

describe("BM25 ranking", () => {
  const index = buildIndex(DOCS);
  it.each<[string, number[]]>([
    ["pneumonia", [2, 0]], // higher term frequency ranks first
    ["community acquired pneumonia", [0, 2]], // more matching terms beat repetition
    ["heart failure", [1, 4]], // a rarer term ("failure") outweighs a shared one ("heart")
    ["metformin", [3]],
    ["unrelated zebra", []], // nothing with a zero score
    ["heart", [4, 1]], // same tf: the shorter document ranks first
  ])("%s → %j", (query, expected) => {
    expect(search(index, query, 5).map((h) => h.index)).toEqual(expected);
  });

  it("keeps corpus order on ties and honours k", () => {
    const tie = buildIndex(["asthma inhaler", "asthma inhaler", "asthma inhaler"]);
    expect(search(tie, "asthma", 2).map((h) => h.index)).toEqual([0, 1]);
  });

  it("scores are positive and descending", () => {
    const hits = search(index, "pneumonia heart aspirin", 5);
    expect(hits.length).toBe(4);
    for (let i = 1; i < hits.length; i++) expect(hits[i - 1]!.score).toBeGreaterThanOrEqual(hits[i]!.score);
    expect(hits.every((h) => h.score > 0)).toBe(true);
  });
});

describe("retrieveGuidelines", () => {
  const g = (id: string, title: string, text: string): Guideline => ({ id, specialty: "medicine", title, source: `SRC-${id}`, text });

  it("returns the top 5 entries for the query, best first, skipping non-matching ones", () => {
    const corpus = [
      g("a", "Asthma management", "Inhaled corticosteroids for persistent asthma."),
      ...Array.from({ length: 6 }, (_, i) => g(`p${i}`, `Pneumonia topic ${i}`, "pneumonia ".repeat(6 - i))),
    ];
    const out = retrieveGuidelines(corpus, "Community-acquired pneumonia");
    expect(out.query).toBe("Community-acquired pneumonia");
    expect(out.retrieved?.map((r) => r.id)).toEqual(["p0", "p1", "p2", "p3", "p4"]);
    expect(out.recommendations.map((r) => r.source)).toEqual(["SRC-p0", "SRC-p1", "SRC-p2", "SRC-p3", "SRC-p4"]);
  });

  it("clips long guideline text passed downstream", () => {
    const out = retrieveGuidelines([g("c", "Pneumonia", "word ".repeat(EXCERPT_MAX_CHARS))], "pneumonia");
    const text = out.recommendations[0]?.recommendation ?? "";
    expect(text).toHaveLength(EXCERPT_MAX_CHARS);
    expect(text.endsWith("…")).toBe(true);
  });
});

describe("guidelines file validation", () => {
  const dir = mkdtempSync(join(tmpdir(), "pipeline-guidelines-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, text: string) => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  const ok = { id: "g1", specialty: "cardiology", title: "T", source: "S", text: "body" };

  it("loads a valid file, keeping url when present", async () => {
    const p = write("ok.json", JSON.stringify([ok, { ...ok, id: "g2", url: "https://example.org" }]));
    const list = await loadGuidelines(p);
    expect(list).toEqual([ok, { ...ok, id: "g2", url: "https://example.org" }]);
  });

  it.each<[string, unknown, RegExp]>([
    ["not an array", { a: 1 }, /field "\(root\)": expected a JSON array of guideline objects/],
    ["empty array", [], /field "\(root\)": expected at least one guideline/],
    ["entry not an object", [ok, "x"], /field "\[1\]": expected an object, got "x"/],
    ["missing title", [ok, { ...ok, id: "g2", title: undefined }], /field "\[1\]\.title": expected a non-empty string, got nothing \(missing\)/],
    ["empty text", [{ ...ok, text: "  " }], /field "\[0\]\.text": expected a non-empty string/],
    ["numeric source", [{ ...ok, source: 3 }], /field "\[0\]\.source": expected a non-empty string, got 3/],
    ["bad url", [{ ...ok, url: 1 }], /field "\[0\]\.url": expected a string when present/],
    ["duplicate id", [ok, ok], /field "\[1\]\.id": expected a unique id \(also used by \[0\]\), got "g1"/],
  ])("%s", (_name, data, message) => {
    expect(() => validateGuidelines(data, "corpus.json")).toThrow(message);
    expect(() => validateGuidelines(data, "corpus.json")).toThrow(/^corpus\.json: /);
  });

  it.each<[string, string | null, RegExp]>([
    ["invalid JSON", "[{", /bad\.json: not valid JSON/],
    ["missing file", null, /missing\.json: cannot read the guidelines file \(ENOENT\)/],
  ])("names the file: %s", async (_name, text, message) => {
    const p = text === null ? join(dir, "missing.json") : write("bad.json", text);
    await expect(loadGuidelines(p)).rejects.toThrow(message);
  });
});
