// Every schema the harness can send with --json-mode grammar must compile in outlines-core (TGI's
// grammar compiler): no `type` arrays, top-level `properties`. The walk discovers the step schemas
// from src/pipeline/steps/*/schema.ts, so a new step or field is covered without editing this file.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { z } from "zod";
import { generateFromSchema } from "../src/emulator/schema-gen.js";
import { jsonGrammarError, outlinesError } from "../src/emulator/tgi/grammar.js";
import { grammarSafe, grammarViolations } from "../src/pipeline/json/grammar-safe.js";
import { grammarSchemaOf, jsonSchemaOf } from "../src/pipeline/model-step.js";
import { LETTERS } from "../src/types.js";

const STEPS_DIR = join(import.meta.dirname, "..", "src", "pipeline", "steps");

/** Every non-empty subset of the option letters, in order ("A", …, "ABCDE"). */
const letterSets = (): string[][] => {
  const out: string[][] = [];
  for (let mask = 1; mask < 1 << LETTERS.length; mask++) out.push(LETTERS.filter((_, i) => mask & (1 << i)));
  return out;
};

/** The zod object schemas each step module exports, and those its schema factories build. */
async function stepSchemas(): Promise<Array<[string, z.ZodType]>> {
  const out: Array<[string, z.ZodType]> = [];
  for (const step of readdirSync(STEPS_DIR).sort()) {
    const mod = (await import(join(STEPS_DIR, step, "schema.ts"))) as Record<string, unknown>;
    for (const [name, v] of Object.entries(mod)) {
      if (v instanceof z.ZodObject) out.push([`${step}.${name}`, v]);
      else if (typeof v === "function") {
        for (const letters of letterSets()) {
          const s = (v as (l: string[]) => unknown)(letters);
          if (s instanceof z.ZodObject) out.push([`${step}.${name}(${letters.join("")})`, s]);
        }
      }
    }
  }
  return out;
}

const schemas = await stepSchemas();

describe("every grammar the pipeline can send", () => {
  test("discovery found every step's schema", () => {
    const steps = new Set(schemas.map(([n]) => n.split(".")[0]));
    expect([...steps].sort()).toEqual(readdirSync(STEPS_DIR).sort());
    expect(schemas.filter(([n]) => n.startsWith("answer.")).length).toBe(31);
  });

  test("the prompt-mode schemas do have type unions (so this test is not vacuous)", () => {
    expect(schemas.some(([, s]) => grammarViolations(jsonSchemaOf(s)).length > 0)).toBe(true);
  });

  test.each(schemas)("%s: no type arrays, top-level properties, and TGI's validation accepts it", (_name, s) => {
    const g = grammarSchemaOf(s);
    expect(grammarViolations(g)).toEqual([]);
    expect(outlinesError(g)).toBeNull();
    expect(jsonGrammarError(g)).toBeNull();
  });

  test.each(schemas)("%s: values built from the grammar still validate against the step's zod schema", (_name, s) => {
    const g = grammarSchemaOf(s);
    for (let i = 0; i < 5; i++) {
      const v = generateFromSchema(g, { key: `k${i}`, words: ["fever", "stiff", "neck", "meningitis", "lumbar"] });
      expect(() => s.parse(v)).not.toThrow();
    }
  });
});

describe("grammarSafe", () => {
  test("a type array becomes anyOf, each branch with its own keywords; shared keywords stay outside", () => {
    expect(grammarSafe({ type: "object", properties: { x: { type: ["string", "integer", "null"], description: "d", default: null, maxLength: 9, minimum: 0 } } })).toEqual({
      type: "object",
      properties: {
        x: { description: "d", default: null, anyOf: [{ type: "string", maxLength: 9 }, { type: "integer", minimum: 0 }, { type: "null" }] },
      },
    });
  });

  test("nested places are rewritten: items, anyOf branches, $defs, additionalProperties; property names are kept", () => {
    const g = grammarSafe({
      properties: { type: { type: "array", items: { type: ["number", "null"] } }, m: { type: "object", additionalProperties: { type: ["boolean", "null"] } } },
      $defs: { d: { anyOf: [{ type: ["string", "null"] }] } },
    });
    expect(grammarViolations(g)).toEqual([]);
    expect(Object.keys(g.properties as object)).toEqual(["type", "m"]);
  });

  test("a node decided by enum/properties keeps its type array (outlines never reads it)", () => {
    const n = { type: ["string", "null"], enum: ["a", null] };
    expect(grammarSafe({ properties: { n } }).properties).toEqual({ n });
  });

  test("a one-element type array becomes a string", () => {
    expect(grammarSafe({ properties: { a: { type: ["string"] } } })).toEqual({ properties: { a: { type: "string" } } });
  });

  test("grammarViolations names the paths", () => {
    expect(grammarViolations({ anyOf: [{ type: ["a", "b"] }] })).toEqual(["$: no top-level properties", '$.anyOf[0]: type is an array (["a","b"])']);
  });
});
