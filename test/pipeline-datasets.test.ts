// Prompts for every benchmark's question shape: 3 options (PubMedQA, with its abstract first), 4 (MedQA, MMLU,
// MedMCQA) and 5 (HEAD-QA's older exams); MedQA's prompt text is unchanged by the context support.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { datasetSpec } from "../src/datasets/registry/index.js";
import { loadBenchmark } from "../src/datasets/registry/load.js";
import { directRequestText } from "../src/pipeline/direct/run.js";
import { caseLetters, caseQuestion } from "../src/pipeline/format.js";
import { loadPromptSet } from "../src/pipeline/prompts.js";
import { answerSchema } from "../src/pipeline/steps/answer/schema.js";
import type { Case } from "../src/types.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const FIX = path.resolve(here, "fixtures/datasets/registry");
const load = (name: string, file: string) =>
  loadBenchmark(datasetSpec(name)!, { path: path.join(FIX, file), format: null, subjects: null, split: null, splitFile: null, skipInvalid: false, expectSha256: null });
const template = loadPromptSet(null).direct.text;

describe("prompts across option counts", async () => {
  const pub = (await load("pubmedqa", "pubmedqa-pqal.parquet")).cases[0]!;
  const head = (await load("headqa", "headqa-en-test.parquet")).cases;
  const five = head.find((c) => Object.keys(c.options).length === 5)!;
  const four = head.find((c) => Object.keys(c.options).length === 4)!;

  it.each([
    ["3 options with a context", pub, ["A", "B", "C"]],
    ["4 options", four, ["A", "B", "C", "D"]],
    ["5 options", five, ["A", "B", "C", "D", "E"]],
  ] as const)("%s: the direct prompt lists exactly the case's letters, and the answer schema accepts only them", (_n, c, letters) => {
    const text = directRequestText(c, template);
    for (const l of letters) expect(text).toContain(`\n${l}. ${c.options[l]}`);
    for (const l of "ABCDE".split("").filter((x) => !(letters as readonly string[]).includes(x))) expect(text).not.toMatch(new RegExp(`\\n${l}\\. `));
    expect(caseLetters(c)).toEqual(letters);
    const schema = answerSchema(caseLetters(c));
    for (const l of letters) expect(schema.safeParse({ answer: l }).success).toBe(true);
    expect(schema.safeParse({ answer: letters.length === 5 ? "F" : "ABCDE"[letters.length] }).success).toBe(false);
  });

  it("PubMedQA: the abstract comes before the question, once", () => {
    const text = directRequestText(pub, template);
    const at = text.indexOf("BACKGROUND: Background of study 0.");
    expect(at).toBeGreaterThan(-1);
    expect(at).toBeLessThan(text.indexOf(`Question: ${pub.question}`));
    expect(text.split("BACKGROUND:").length).toBe(2);
  });

  it("a case without a context (MedQA) renders its question exactly as before", () => {
    const c = { question: "  A 30-year-old man has a cough. Which is the diagnosis?\n", options: { A: "x", B: "y" } } as unknown as Case;
    expect(caseQuestion(c)).toBe("A 30-year-old man has a cough. Which is the diagnosis?");
    expect(directRequestText(c, "{{question}}|{{options}}")).toBe("A 30-year-old man has a cough. Which is the diagnosis?|A. x\nB. y");
  });
});
