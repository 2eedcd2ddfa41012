// Pure parts of the TGI emulator: lexical baseline, schema-driven JSON, corruption, faults, latency model, CLI.
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import yargs from "yargs";
import { z } from "zod";
import { composeAnswer, corrupt, type JsonCorruption } from "../src/emulator/answer.js";
import { emulatorOptionsFromArgv, emulatorYargsOptions } from "../src/emulator/cli.js";
import { isOverloaded, parseFaultSpec, pickFault } from "../src/emulator/faults.js";
import { contentWords, lexicalAnswer, parseMcq } from "../src/emulator/lexical.js";
import { A100_MEDGEMMA_27B, perSequenceTokPerS, prefillMs, serviceTimeMs } from "../src/emulator/latency.js";
import { DEFAULT_EMULATOR_OPTIONS, FAULT_KINDS } from "../src/emulator/options.js";
import { generateFromSchema } from "../src/emulator/schema-gen.js";
import { applyMaxTokens } from "../src/emulator/server.js";
import { readChatRequest } from "../src/emulator/tgi/request.js";
import { JSON_SCHEMA_MARKER } from "../src/endpoint/types.js";

// Synthetic vignettes only (never MedQA text).
const VIGNETTE = [
  "A 30-year-old runner reports knee swelling after a fall onto the knee while jogging.",
  "Which structure is most likely injured?",
  "A. Anterior cruciate ligament",
  "B. Knee meniscus after a fall",
  "C. Rotator cuff",
  "D. Achilles tendon",
].join("\n");

describe("parseMcq", () => {
  test.each([
    { name: "plain A./B. block", text: VIGNETTE, letters: "ABCD", questionEnds: "injured?" },
    { name: "parenthesised and colon letters", text: "Stem here?\n(A) one\n(B) two\nC: three", letters: "ABC", questionEnds: "here?" },
    { name: "last block wins", text: "Old?\nA. x\nB. y\nNew stem?\nA. p\nB. q\nC. r", letters: "ABC", questionEnds: "New stem?" },
    { name: "block followed by instructions", text: "Stem?\nA. a1\nB. b1\nAnswer with a letter.", letters: "AB", questionEnds: "Stem?" },
  ])("$name", ({ text, letters, questionEnds }) => {
    const p = parseMcq(text);
    expect(p?.options.map((o) => o.letter).join("")).toBe(letters);
    expect(p?.question.trimEnd().endsWith(questionEnds)).toBe(true);
  });

  test.each([
    { name: "no options", text: "Just a question without choices." },
    { name: "out-of-order letters", text: "Q?\nA. one\nC. three" },
    { name: "single option", text: "Q?\nA. only" },
  ])("null for $name", ({ text }) => {
    expect(parseMcq(text)).toBeNull();
  });
});

describe("lexicalAnswer", () => {
  test.each([
    { name: "overlap picks the fitting option", text: VIGNETTE, want: "B" },
    {
      name: "rare shared word outweighs a word common to all options",
      text: "Fever and cough with rusty sputum in a smoker.\nA. Viral fever\nB. Rusty sputum fever\nC. Drug fever\nD. Fever of unknown origin",
      want: "B",
    },
    { name: "no overlap → earliest letter", text: "Something unrelated entirely?\nA. alpha\nB. beta\nC. gamma", want: "A" },
    { name: "tie → earliest letter", text: "Headache and nausea?\nA. headache\nB. nausea\nC. neither", want: "A" },
    { name: "trigrams separate options without shared words", text: "He was given amoxicillin earlier?\nA. Ibuprofen\nB. Amoxicilin\nC. Heparin", want: "B" },
  ])("$name", ({ text, want }) => {
    const mcq = parseMcq(text);
    expect(mcq).not.toBeNull();
    expect(lexicalAnswer(mcq!)?.letter).toBe(want);
  });

  const medqa = fileURLToPath(new URL("../../shared/datasets/medqa/us_4options_test.jsonl", import.meta.url));
  test.skipIf(!existsSync(medqa))("on real MedQA the letters come out roughly balanced (no A bias)", () => {
    const counts: Record<string, number> = {};
    const lines = readFileSync(medqa, "utf8").trim().split("\n");
    for (const line of lines) {
      const c = JSON.parse(line) as { question: string; options: Record<string, string> };
      const text = `${c.question}\n${Object.entries(c.options).map(([k, v]) => `${k}. ${v}`).join("\n")}`;
      const letter = lexicalAnswer(parseMcq(text)!)!.letter;
      counts[letter] = (counts[letter] ?? 0) + 1;
    }
    for (const l of ["A", "B", "C", "D"]) expect((counts[l] ?? 0) / lines.length, l).toBeGreaterThan(0.15);
    for (const l of ["A", "B", "C", "D"]) expect((counts[l] ?? 0) / lines.length, l).toBeLessThan(0.4);
  });

  test("content words drop stop words and short tokens", () => {
    expect(contentWords("The patient has a fever of 39 C and chest-pain")).toEqual(["fever", "chest", "pain"]);
  });
});

const SCHEMAS = {
  answerStep: z.object({
    answer: z.enum(["A", "B", "C", "D"]),
    rationale: z.string().min(20),
    confidence: z.number().min(0).max(1),
  }),
  nested: z.object({
    findings: z.array(z.object({ name: z.string().min(1), severity: z.enum(["mild", "moderate", "severe"]) })).min(2).max(4),
    age: z.number().int().min(0).max(120),
    pregnant: z.boolean().nullable(),
    notes: z.string().max(12).optional(),
    kind: z.literal("parse"),
  }),
  unionsAndRecords: z.object({
    value: z.union([z.string(), z.number()]),
    doses: z.record(z.string(), z.number().positive()),
    pair: z.tuple([z.string(), z.number().int()]),
    maybe: z.object({ drug: z.string() }).nullable(),
    tags: z.array(z.string()).max(0),
  }),
  discriminated: z.object({
    item: z.discriminatedUnion("type", [z.object({ type: z.literal("drug"), name: z.string() }), z.object({ type: z.literal("test"), code: z.number() })]),
  }),
};

describe("generateFromSchema", () => {
  test.each(Object.entries(SCHEMAS))("%s: value validates against the zod schema", (_name, schema) => {
    const js = z.toJSONSchema(schema) as Record<string, unknown>;
    for (const key of ["k1", "k2", "k3"]) {
      const v = generateFromSchema(js, { key, words: ["fever", "cough", "sputum", "smoker"], answer: "C" });
      expect(schema.safeParse(v).success, JSON.stringify(v)).toBe(true);
    }
  });

  test("a letter-enum `answer` gets the baseline letter; generation is deterministic", () => {
    const js = z.toJSONSchema(SCHEMAS.answerStep) as Record<string, unknown>;
    const ctx = { key: "same", words: ["knee", "fall"], answer: "D" as const };
    const v = generateFromSchema(js, ctx) as { answer: string };
    expect(v.answer).toBe("D");
    expect(generateFromSchema(js, ctx)).toEqual(v);
  });

  test("recursive schema via $ref terminates", () => {
    type Node = { label: string; children: Node[] };
    const node: z.ZodType<Node> = z.lazy(() => z.object({ label: z.string(), children: z.array(node) }));
    const v = generateFromSchema(z.toJSONSchema(node) as Record<string, unknown>, { key: "r", words: ["x"] });
    expect(typeof (v as Node).label).toBe("string");
  });
});

describe("composeAnswer", () => {
  const schema = z.toJSONSchema(SCHEMAS.answerStep) as Record<string, unknown>;
  const promptMsg = `${VIGNETTE}\n\n${JSON_SCHEMA_MARKER}\n\`\`\`json\n${JSON.stringify(schema)}\n\`\`\``;

  test("free text ends with the baseline's Answer line", () => {
    const a = composeAnswer({ messages: [{ role: "user", content: VIGNETTE }] }, { invalidJsonRate: 0 });
    expect(a.json).toBeNull();
    expect(a.text.split("\n").at(-1)).toBe("Answer: B");
  });

  test("prompt mode finds the schema after the marker", () => {
    const a = composeAnswer({ messages: [{ role: "user", content: promptMsg }] }, { invalidJsonRate: 0 });
    expect(a.json).toBe("prompt");
    const body = a.text.replace(/^```json\n/, "").replace(/\n```$/, "");
    expect(SCHEMAS.answerStep.parse(JSON.parse(body)).answer).toBe("B");
  });

  test("invalidJsonRate 1 breaks prompt-mode JSON in several different ways", () => {
    const kinds = new Set<string>();
    for (let i = 0; i < 40; i++) {
      const a = composeAnswer({ messages: [{ role: "user", content: `${promptMsg}\ncase ${i}` }] }, { invalidJsonRate: 1 });
      expect(() => JSON.parse(a.text)).toThrow();
      kinds.add(a.corruption ?? "none");
    }
    expect(kinds.size).toBeGreaterThanOrEqual(3);
  });

  test("a re-ask (correction turn without the schema) is still answered from the first turn's schema", () => {
    const a = composeAnswer(
      {
        messages: [
          { role: "user", content: promptMsg },
          { role: "assistant", content: '{"answer": "B", "justif' },
          { role: "user", content: "That was not valid JSON. Reply with the corrected JSON object only." },
        ],
      },
      { invalidJsonRate: 0 },
    );
    expect(a.json).toBe("prompt");
    const body = a.text.replace(/^```json\n/, "").replace(/\n```$/, "");
    expect(SCHEMAS.answerStep.parse(JSON.parse(body)).answer).toBe("B");
  });

  test("grammar mode only breaks by truncation (finish_reason length)", () => {
    const a = composeAnswer({ messages: [{ role: "user", content: VIGNETTE }], grammar: schema }, { invalidJsonRate: 1 });
    expect(a).toMatchObject({ json: "grammar", corruption: "truncated", finishReason: "length" });
  });
});

test.each<JsonCorruption>(["truncated", "trailing_comma", "prose", "unclosed"])("corrupt(%s) makes valid JSON unparseable", (kind) => {
  const body = JSON.stringify({ answer: "A", rationale: "short reason here", list: [1, 2] }, null, 2);
  expect(() => JSON.parse(corrupt(body, kind))).toThrow();
});

describe("faults", () => {
  const base = { faultRate: 0, faultKinds: DEFAULT_EMULATOR_OPTIONS.faultKinds, faults: {}, faultAt: {}, faultSeed: 7 };
  test("faultAt overrides rates; no rates → no faults", () => {
    expect(pickFault(3, { ...base, faultAt: { 3: "stall" } })).toBe("stall");
    expect(pickFault(4, { ...base, faultAt: { 3: "stall" } })).toBeNull();
  });

  test("rates are deterministic per (seed, n) and roughly honoured", () => {
    const o = { ...base, faults: { "500": 0.1, reset: 0.05 } };
    const draws = Array.from({ length: 4000 }, (_, i) => pickFault(i + 1, o));
    expect(Array.from({ length: 4000 }, (_, i) => pickFault(i + 1, o))).toEqual(draws);
    const n500 = draws.filter((d) => d === "500").length;
    const nReset = draws.filter((d) => d === "reset").length;
    expect(n500).toBeGreaterThan(320);
    expect(n500).toBeLessThan(480);
    expect(nReset).toBeGreaterThan(140);
    expect(nReset).toBeLessThan(260);
    expect(draws.filter((d) => d !== null && d !== "500" && d !== "reset")).toEqual([]);
  });

  test("overload draw honours 0 and 1", () => {
    expect(isOverloaded(1, 0, 0)).toBe(false);
    expect(isOverloaded(1, 1, 0)).toBe(true);
  });

  test.each([
    { spec: "500:0.02,reset:0.01", want: { "500": 0.02, reset: 0.01 } },
    { spec: " stall:1 ", want: { stall: 1 } },
    { spec: "", want: {} },
  ])("parseFaultSpec($spec)", ({ spec, want }) => {
    expect(parseFaultSpec(spec, FAULT_KINDS)).toEqual(want);
  });

  test.each(["teapot:0.1", "500:2", "500:x"])("parseFaultSpec rejects %s", (spec) => {
    expect(() => parseFaultSpec(spec, FAULT_KINDS)).toThrow();
  });
});

describe("latency model", () => {
  test("batch 1 decodes ~28 tok/s; per-sequence speed falls and aggregate stays capped", () => {
    expect(perSequenceTokPerS(1)).toBeCloseTo(28, 0);
    let prev = Infinity;
    for (const b of [1, 2, 4, 8, 16, 32, 64, 128]) {
      const s = perSequenceTokPerS(b);
      expect(s).toBeLessThan(prev);
      expect(s * b).toBeLessThanOrEqual(A100_MEDGEMMA_27B.aggregateCapTokPerS + 1e-9);
      prev = s;
    }
  });

  test("serviceTimeMs = prefill + decode", () => {
    expect(prefillMs(3000)).toBeCloseTo(1000, 6);
    expect(serviceTimeMs(3000, 280, 1)).toBeCloseTo(1000 + 280 * 35.7, 6);
    expect(serviceTimeMs(1000, 100, 16)).toBeGreaterThan(serviceTimeMs(1000, 100, 1));
  });
});

describe("request parsing", () => {
  test.each([
    { body: { messages: [{ role: "user", content: "x" }], seed: -1 }, status: 422, msg: "seed: invalid value: integer `-1`, expected u64 at line 1 column" },
    { body: { messages: [{ role: "user", content: "x" }], max_tokens: "9" }, status: 422, msg: 'max_tokens: invalid type: string "9", expected u32' },
    { body: { model: "tgi" }, status: 422, msg: "missing field `messages`" },
  ])("rejects $msg", ({ body, status, msg }) => {
    expect(() => readChatRequest(JSON.stringify(body))).toThrow(expect.objectContaining({ status, message: expect.stringContaining(msg) }));
  });

  test("accepts content parts and TGI grammar", () => {
    const p = readChatRequest(
      JSON.stringify({ messages: [{ role: "user", content: [{ type: "text", text: "hi" }] }], max_tokens: 9, response_format: { type: "json", value: { type: "object" } } }),
    );
    expect(p).toMatchObject({ messages: [{ role: "user", content: "hi" }], params: { maxNewTokens: 9, grammar: { kind: "json", schema: { type: "object" } } }, chars: 2 });
  });

  test("applyMaxTokens cuts at 4 chars/token with finish_reason length", () => {
    const a = { text: "x".repeat(100), finishReason: "stop" as const, json: null, corruption: null, letter: null };
    expect(applyMaxTokens(a, 10)).toEqual({ text: "x".repeat(40), finishReason: "length", completionTokens: 10 });
    expect(applyMaxTokens(a, 25)).toEqual({ text: a.text, finishReason: "stop", completionTokens: 25 });
  });
});

describe("cli options", () => {
  test("yargs definitions parse into emulator options", async () => {
    const argv = await yargs([]).options(emulatorYargsOptions).parse("--time-scale 1000 --latency none --faults 500:0.02,reset:0.01 --max-concurrent 4 --require-token secret");
    expect(emulatorOptionsFromArgv(argv as Record<string, unknown>)).toMatchObject({
      port: 8080,
      timeScale: 1000,
      latency: "none",
      faults: { "500": 0.02, reset: 0.01 },
      maxConcurrentRequests: 4,
      coldStartS: 600,
      requireToken: "secret",
    });
  });

  test("standalone defaults to the a100 latency profile", async () => {
    const argv = await yargs([]).options(emulatorYargsOptions).parse("");
    expect(emulatorOptionsFromArgv(argv as Record<string, unknown>).latency).toBe("a100");
  });

  test.each([{ "fault-rate": 2 }, { "time-scale": 0 }, { latency: "h100" }, { faults: "oops:0.1" }])("rejects %o", (argv) => {
    expect(() => emulatorOptionsFromArgv(argv)).toThrow();
  });
});
