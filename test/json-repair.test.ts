import { describe, expect, it } from "vitest";
import { extractJson, extractJsonDetailed } from "../src/pipeline/json/extract.js";
import { repairJson } from "../src/pipeline/json/repair.js";

/** extract → parse, repairing when needed; the value a caller would get, or null. */
function recover(response: string): unknown {
  const json = extractJson(response);
  if (json === null) return null;
  try {
    return JSON.parse(json);
  } catch {
    const fixed = repairJson(json);
    return fixed === null ? null : JSON.parse(fixed);
  }
}

// Synthetic broken model outputs → the value that should be recovered (null = nothing recoverable).
const BROKEN: ReadonlyArray<[name: string, response: string, expected: unknown]> = [
  ["truncated mid-string", '{"answer": "B", "justification": "Because the rash is', { answer: "B", justification: "Because the rash is" }],
  ["truncated mid-array", '{"drugs": ["metformin", "lisinopril",', { drugs: ["metformin", "lisinopril"] }],
  ["truncated mid-array number", '{"scores": [1, 2, 3', { scores: [1, 2, 3] }],
  ["truncated mid-key", '{"answer": "C", "justif', { answer: "C" }],
  ["dangling key without colon", '{"answer": "C", "justification"', { answer: "C" }],
  ["dangling key with colon", '{"answer": "C", "justification": ', { answer: "C" }],
  ["dangling key with comma", '{"answer": "C",', { answer: "C" }],
  [
    "nested truncation",
    '{"differential": [{"diagnosis": "Asthma", "likelihood": "high"}, {"diagnosis": "COPD", "likeli',
    { differential: [{ diagnosis: "Asthma", likelihood: "high" }, { diagnosis: "COPD" }] },
  ],
  ["truncated literal", '{"urgent": tru', { urgent: true }],
  ["truncated number", '{"dose_mg": 12.', { dose_mg: 12 }],
  ["truncated inside an escape", '{"note": "line\\', { note: "line" }],
  ["truncated unicode escape", '{"note": "caf\\u00', { note: "caf" }],
  ["trailing commas", '{"a": [1, 2, ], "b": {"c": 1,},}', { a: [1, 2], b: { c: 1 } }],
  ["prose before and after", 'Sure! Here is the JSON:\n{"answer": "A"}\nLet me know if you need more.', { answer: "A" }],
  [
    "two fenced blocks: the last complete one wins",
    'Draft:\n```json\n{"answer": "A"}\n```\nCorrected:\n```json\n{"answer": "D"}\n```',
    { answer: "D" },
  ],
  ["unclosed fence (truncated)", 'Result:\n```json\n{"answer": "B", "items": ["x"', { answer: "B", items: ["x"] }],
  ["braces inside strings", 'Note {not json}. {"text": "use {x} and [y]", "n": 1}', { text: "use {x} and [y]", n: 1 }],
  ["escaped quotes", '{"quote": "he said \\"stop}\\" twice", "ok": true}', { quote: 'he said "stop}" twice', ok: true }],
  ["unicode", '{"drug": "β-blocker", "note": "naïve → 😀", "esc": "\\u00e9"}', { drug: "β-blocker", note: "naïve → 😀", esc: "é" }],
  ["unicode truncated", '{"drug": "β-blo', { drug: "β-blo" }],
  ["Python literals", "{'flag': True, 'other': False, 'missing': None}", { flag: true, other: false, missing: null }],
  ["single quotes with an apostrophe", "{'answer': 'B', 'why': 'it's the first-line drug'}", { answer: "B", why: "it's the first-line drug" }],
  ["double quote inside single quotes", "{'why': 'the \"classic\" sign'}", { why: 'the "classic" sign' }],
  ["// comments", '{\n  "answer": "C", // the best option\n  "url": "http://x.org/a"\n}', { answer: "C", url: "http://x.org/a" }],
  ["/* block */ comment", '{"a": 1 /* note, with } brace */, "b": 2}', { a: 1, b: 2 }],
  ["unquoted keys and values", "{answer: B, confidence: 0.8}", { answer: "B", confidence: 0.8 }],
  ["missing comma between members", '{"a": 1 "b": 2}', { a: 1, b: 2 }],
  ["raw newline inside a string", '{"text": "line one\nline two"}', { text: "line one\nline two" }],
  ["mismatched closer", '{"a": [1, 2}', { a: [1, 2] }],
  ["top-level array truncated", '[{"a": 1}, {"a": 2', [{ a: 1 }, { a: 2 }]],
  ["empty response", "", null],
  ["pure prose", "I am unable to produce structured output for this request.", null],
];

describe("extract + repair on broken outputs", () => {
  it("covers at least 15 broken shapes", () => {
    expect(BROKEN.length).toBeGreaterThanOrEqual(15);
  });
  it.each(BROKEN)("%s", (_name, response, expected) => {
    expect(recover(response)).toEqual(expected);
  });
});

describe("extractJson", () => {
  it.each([
    ["fenced", "a\n```json\n{\"x\": 1}\n```\nb", { text: '{"x": 1}', source: "fence" }],
    ["unlabelled fence with JSON", "```\n[1, 2]\n```", { text: "[1, 2]", source: "fence" }],
    ["non-JSON fence is ignored", "```python\nx = {1: 2}\n```\n{\"y\": 2}", { text: '{"y": 2}', source: "balanced" }],
    ["balanced in prose", 'Result: {"x": {"y": [1]}} done', { text: '{"x": {"y": [1]}}', source: "balanced" }],
    ["a parseable candidate beats an earlier bracket", 'see [ref 1] then {"x": 1}', { text: '{"x": 1}', source: "balanced" }],
    ["truncated tail", 'Here: {"x": [1, 2', { text: '{"x": [1, 2', source: "tail" }],
  ] as const)("%s", (_name, response, expected) => {
    expect(extractJsonDetailed(response)).toEqual(expected);
  });

  it("returns null without any bracket", () => {
    expect(extractJson("no json here")).toBeNull();
  });
});

describe("repairJson", () => {
  it("leaves valid JSON semantically unchanged", () => {
    const valid = '{"a": [1, {"b": "c\\"d"}], "e": null, "f": -1.5e3}';
    expect(JSON.parse(repairJson(valid)!)).toEqual(JSON.parse(valid));
  });
  it("returns null when there is no object or array", () => {
    expect(repairJson("just words")).toBeNull();
    expect(repairJson("")).toBeNull();
  });
  it("ignores prose after the root value", () => {
    expect(repairJson('{"a": 1} and then {"b": 2}')).toBe('{"a":1}');
  });

  it("is linear-time on large and hostile input", () => {
    const inputs = [
      '{"items": [' + '"x", '.repeat(100_000),
      "[".repeat(100_000),
      "{'a': '" + "it's ".repeat(50_000),
      '{"a": "' + " ".repeat(200_000) + "'",
    ];
    // Each returns (a value or null, never a throw); speed is measured by the bench, not asserted here.
    for (const input of inputs) {
      expect(() => repairJson(input)).not.toThrow();
      expect(() => extractJson(input)).not.toThrow();
    }
  });
});

describe("stray closers", () => {
  it("are ignored in linear time", () => {
    const input = "[".repeat(50_000) + "}".repeat(50_000);
    expect(repairJson(input)).not.toBeNull();
    expect(extractJson(input)).not.toBeNull();
  });
});
