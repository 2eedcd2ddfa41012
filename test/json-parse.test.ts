import { describe, expect, it } from "vitest";
import { z } from "zod";
import { coerceToSchema, isNonTrivial } from "../src/pipeline/json/coerce.js";
import { parseStructured } from "../src/pipeline/json/parse.js";

const Severity = z.enum(["minor", "moderate", "major"]);
const Likelihood = z.enum(["unlikely", "possible", "likely"]);

describe("coerceToSchema", () => {
  // [name, schema, input, expected value, expected change kinds]
  const TABLE: ReadonlyArray<[string, z.ZodType, unknown, unknown, string[]]> = [
    ["enum exact", Severity, "major", "major", []],
    ["enum case", Severity, "Moderate", "moderate", ["case"]],
    ["enum synonym mild→minor", Severity, "mild", "minor", ["synonym"]],
    ["enum synonym severe→major", Severity, "SEVERE", "major", ["synonym"]],
    ["enum synonym high→major", Severity, "high", "major", ["synonym"]],
    ["enum synonym medium→moderate", Severity, "medium", "moderate", ["synonym"]],
    ["enum synonym low→low where present", z.enum(["low", "medium", "high"]), "mild", "low", ["synonym"]],
    ["severe stays severe where present", z.enum(["mild", "moderate", "severe"]), "Severe", "severe", ["case"]],
    ["likelihood high→likely", Likelihood, "high", "likely", ["synonym"]],
    ["likelihood probable→likely", Likelihood, "Probable", "likely", ["synonym"]],
    ["likelihood low→unlikely", Likelihood, "low", "unlikely", ["synonym"]],
    ["enum with spaces/underscores", z.enum(["very_likely", "likely"]), "Very likely", "very_likely", ["case"]],
    ["letter enum lower case", z.enum(["A", "B", "C", "D"]), "c", "C", ["case"]],
    ["letter enum with option text", z.enum(["A", "B", "C", "D"]), "B. Ketotifen", "B", ["letter"]],
    ["unknown enum value left for zod", Severity, "catastrophic", "catastrophic", []],
    ["number from string", z.number(), " 0.75 ", 0.75, ["number"]],
    ["non-numeric string left alone", z.number(), "about 5", "about 5", []],
    ["boolean from string", z.boolean(), "TRUE", true, ["boolean"]],
    ["boolean from yes/no", z.boolean(), "no", false, ["boolean"]],
    ["string from number", z.string(), 42, "42", ["string"]],
    ["single object → array", z.array(z.object({ x: z.number() })), { x: "1" }, [{ x: 1 }], ["wrap_array", "number"]],
    ["one-element array → object", z.object({ x: z.number() }), [{ x: 2 }], { x: 2 }, ["unwrap_array"]],
    ["null for optional field dropped", z.object({ a: z.string().optional() }), { a: null }, {}, ["drop_null"]],
    ["null for nullable field kept", z.object({ a: z.string().nullable() }), { a: null }, { a: null }, []],
    ["default/optional unwrap", z.object({ n: z.number().default(1) }), { n: "3" }, { n: 3 }, ["number"]],
    ["key case renamed", z.object({ answer: z.string() }), { Answer: "x" }, { answer: "x" }, ["rename_key"]],
    ["union picks coercible option", z.union([z.number(), z.boolean()]), "false", false, ["boolean"]],
    ["literal case", z.literal("yes"), "YES", "yes", ["case"]],
  ];

  it.each(TABLE)("%s", (_name, schema, input, expected, kinds) => {
    const r = coerceToSchema(input, schema);
    expect(r.value).toEqual(expected);
    expect(r.changes.map((c) => c.kind)).toEqual(kinds);
  });

  it("reports paths of nested coercions", () => {
    const schema = z.object({ items: z.array(z.object({ sev: Severity })) });
    const r = coerceToSchema({ items: [{ sev: "major" }, { sev: "mild" }] }, schema);
    expect(r.changes).toEqual([{ path: "items[1].sev", kind: "synonym" }]);
  });

  it("treats case-only changes as trivial", () => {
    expect(isNonTrivial([{ path: "a", kind: "case" }])).toBe(false);
    expect(isNonTrivial([{ path: "a", kind: "case" }, { path: "b", kind: "number" }])).toBe(true);
  });

  it("does not mutate its input", () => {
    const input = { Answer: "b", n: "1" };
    coerceToSchema(input, z.object({ answer: z.string(), n: z.number() }));
    expect(input).toEqual({ Answer: "b", n: "1" });
  });
});

const AnswerSchema = z.object({
  answer: z.enum(["A", "B", "C", "D"]),
  justification: z.string().min(1),
});

const DifferentialSchema = z.object({
  differential: z
    .array(
      z.object({
        diagnosis: z.string(),
        likelihood: Likelihood,
        supporting_findings: z.array(z.string()).default([]),
      }),
    )
    .min(1),
  red_flags: z.array(z.string()).optional(),
  urgent: z.boolean(),
});

describe("parseStructured: answer schema", () => {
  const CASES: ReadonlyArray<[string, string, { answer: string; justification: string } | null, "ok" | "repaired" | null]> = [
    ["clean JSON", '{"answer": "B", "justification": "fits"}', { answer: "B", justification: "fits" }, "ok"],
    ["fenced with prose", 'Here:\n```json\n{"answer": "D", "justification": "x"}\n```\nDone.', { answer: "D", justification: "x" }, "ok"],
    ["lower-case letter is a trivial fix", '{"answer": "c", "justification": "x"}', { answer: "C", justification: "x" }, "ok"],
    ["truncated justification is repaired", '{"answer": "A", "justification": "Because the', { answer: "A", justification: "Because the" }, "repaired"],
    ["trailing comma is repaired", '{"answer": "A", "justification": "y",}', { answer: "A", justification: "y" }, "repaired"],
    ["option text in the enum is coerced", '{"answer": "B) Ketotifen", "justification": "y"}', { answer: "B", justification: "y" }, "repaired"],
    ["letter out of range fails", '{"answer": "E", "justification": "y"}', null, null],
    ["missing field fails", '{"answer": "A"}', null, null],
    ["truncated before justification fails", '{"answer": "A", "justif', null, null],
    ["pure prose fails", "The answer is B because of the rash.", null, null],
    ["empty fails", "   ", null, null],
  ];

  it.each(CASES)("%s", (_name, text, value, outcome) => {
    const r = parseStructured(text, AnswerSchema);
    if (value === null) {
      expect(r.ok).toBe(false);
    } else {
      expect(r).toEqual({ ok: true, value, outcome });
    }
  });

  it("error messages name the field and what was wrong", () => {
    const wrong = parseStructured('{"answer": "E", "justification": "y"}', AnswerSchema);
    expect(wrong.ok).toBe(false);
    if (!wrong.ok) {
      expect(wrong.error).toMatch(/^The JSON does not match the schema: answer: /);
      expect(wrong.error).toContain('(got "E")');
    }
    const missing = parseStructured('{"answer": "A", "justif', AnswerSchema);
    if (!missing.ok) {
      expect(missing.error).toMatch(/incomplete or malformed/);
      expect(missing.error).toContain("justification: missing (required string)");
    }
    const empty = parseStructured("", AnswerSchema);
    expect(empty).toEqual({ ok: false, error: "The response was empty; expected a JSON object." });
    const prose = parseStructured("No JSON here.", AnswerSchema);
    expect(prose).toEqual({ ok: false, error: "No JSON object found in the response." });
  });
});

describe("parseStructured: nested differential", () => {
  it("coerces synonyms, strings and a lone object, and marks the result repaired", () => {
    const text = [
      "Thinking about it, the differential is:",
      "```json",
      '{"differential": {"diagnosis": "Allergic conjunctivitis", "likelihood": "High", "supporting_findings": ["itching"]},',
      ' "urgent": "false", "red_flags": null}',
      "```",
    ].join("\n");
    const r = parseStructured(text, DifferentialSchema);
    expect(r).toEqual({
      ok: true,
      outcome: "repaired",
      value: {
        differential: [{ diagnosis: "Allergic conjunctivitis", likelihood: "likely", supporting_findings: ["itching"] }],
        urgent: false,
      },
    });
  });

  it("fails a truncated list entry that lacks a required field, naming it", () => {
    const text =
      '{"urgent": true, "differential": [{"diagnosis": "Viral conjunctivitis", "likelihood": "possible"}, {"diagnosis": "Kerat';
    const r = parseStructured(text, DifferentialSchema);
    expect(r.ok).toBe(false); // the cut-off entry has no likelihood: a re-ask is the honest outcome
    if (!r.ok) expect(r.error).toContain("differential[1].likelihood: missing");
  });

  it("passes through a valid nested object as ok", () => {
    const value = {
      differential: [{ diagnosis: "Asthma", likelihood: "likely", supporting_findings: ["wheeze"] }],
      red_flags: ["silent chest"],
      urgent: true,
    };
    expect(parseStructured(JSON.stringify(value), DifferentialSchema)).toEqual({ ok: true, value, outcome: "ok" });
  });

  it("lists at most five issues", () => {
    const text = JSON.stringify({
      differential: Array.from({ length: 8 }, () => ({ diagnosis: 1, likelihood: "??" })),
      urgent: "maybe",
    });
    const r = parseStructured(text, DifferentialSchema);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.split("; ").length).toBeLessThanOrEqual(6);
      expect(r.error).toMatch(/and \d+ more\.$/);
    }
  });
});
