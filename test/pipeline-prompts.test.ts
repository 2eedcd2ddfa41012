import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  PROMPT_IDS,
  templateVariablesOf,
  loadPromptSet,
  promptHashes,
  renderTemplate,
  sha256,
  splitStem,
  templateVariables,
} from "../src/pipeline/prompts.js";

const dirs: string[] = [];
function promptDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "pipeline-prompts-"));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("loadPromptSet", () => {
  it("loads a built-in template for every step and direct, using only allowed variables", () => {
    const set = loadPromptSet();
    expect(Object.keys(set).sort()).toEqual([...PROMPT_IDS].sort());
    for (const id of PROMPT_IDS) {
      expect(set[id].overridden).toBe(false);
      expect(set[id].text.length).toBeGreaterThan(50);
      expect(templateVariables(set[id].text).every((v) => templateVariablesOf(id).includes(v))).toBe(true);
    }
    expect(templateVariables(set.answer.text).sort()).toEqual(["options", "question", "report"]);
    expect(templateVariables(set.direct.text).sort()).toEqual(["options", "question"]);
  });

  it("overriding one prompt changes only that prompt's hash and flag", () => {
    const base = promptHashes(loadPromptSet(null));
    const text = "Think harder.\nQuestion profile:\n{{profile}}\n";
    const over = promptHashes(loadPromptSet(promptDir({ "reason.md": text })));
    for (const id of PROMPT_IDS) {
      if (id === "reason") {
        expect(over.reason).toEqual({ sha256: sha256(text), overridden: true });
        expect(over.reason.sha256).not.toBe(base.reason.sha256);
      } else {
        expect(over[id]).toEqual(base[id]);
      }
    }
  });

  it("ignores dotfiles in the override folder", () => {
    expect(loadPromptSet(promptDir({ ".DS_Store": "x" })).parse.overridden).toBe(false);
  });

  it.each([
    ["an unknown file name", { "parsing.md": "x" }, /unknown prompt file "parsing.md"; valid names are parse\.md, reason\.md, .*direct\.md/],
    ["a non-.md file", { "notes.txt": "x" }, /unknown prompt file "notes.txt"/],
    ["an unknown variable", { "drugs.md": "{{medications}} {{question}}" }, /drugs\.md: unknown template variable\(s\) \{\{question\}\}; the drugs prompt can use/],
  ])("rejects %s", (_name, files, message) => {
    expect(() => loadPromptSet(promptDir(files))).toThrow(message);
  });

  it("names a missing folder", () => {
    expect(() => loadPromptSet("/nonexistent/prompts-dir")).toThrow(/--prompts \/nonexistent\/prompts-dir: cannot read/);
  });
});

describe("renderTemplate", () => {
  it.each([
    ["{{a}} and {{ b }}", { a: "x", b: "y" }, "x and y"],
    ["{{a}}{{a}}", { a: "$1 $&" }, "$1 $&$1 $&"],
    ["  no vars  \n", {}, "no vars"],
  ])("%j", (tpl, vars, expected) => {
    expect(renderTemplate(tpl, vars)).toBe(expected);
  });

  it("fails loudly on a variable without a value", () => {
    expect(() => renderTemplate("{{a}} {{b}} {{c}}", { a: "1" })).toThrow("template variable(s) without a value: b, c");
  });
});

describe("splitStem", () => {
  it.each([
    ["simple", "A 40-year-old man has chest pain. His ECG shows ST elevation. Which of the following is the most likely diagnosis?",
      "A 40-year-old man has chest pain. His ECG shows ST elevation.", "Which of the following is the most likely diagnosis?"],
    ["single sentence", "Which enzyme is deficient in classic galactosemia?", "", "Which enzyme is deficient in classic galactosemia?"],
    ["colon stem", "A boy has a rash. Biopsy would most likely reveal:", "A boy has a rash.", "Biopsy would most likely reveal:"],
    ["lab table before the stem", "A woman is tired.\nHemoglobin 9 g/dL\nMCV 70 fL\nWhich of the following is the next step?",
      "A woman is tired.\nHemoglobin 9 g/dL\nMCV 70 fL", "Which of the following is the next step?"],
    ["lab table after the stem", "A man is thirsty. Which of the following is most likely?\nSodium 150 mEq/L\nGlucose normal",
      "A man is thirsty.\nSodium 150 mEq/L\nGlucose normal", "Which of the following is most likely?"],
    ["trailing parenthetical", "A trial enrolled 200 patients. What is the NNT? (Round to the nearest whole number.)",
      "A trial enrolled 200 patients.", "What is the NNT? (Round to the nearest whole number.)"],
    ["heading colon is not a stem", "What is the best conclusion?\nResults: the drug failed.\nConclusion:",
      "Results: the drug failed.\nConclusion:", "What is the best conclusion?"],
    ["abbreviations and initials", "He saw Dr. Smith at 8 p.m. yesterday. Cultures grow H. influenzae. Which drug is best?",
      "He saw Dr. Smith at 8 p.m. yesterday. Cultures grow H. influenzae.", "Which drug is best?"],
    ["closing quote kept with the stem", 'She says, "It hurts." Which nerve is injured?"', 'She says, "It hurts."', 'Which nerve is injured?"'],
    ["decimals do not split", "Creatinine is 4.2 mg/dL. Which is the cause?", "Creatinine is 4.2 mg/dL.", "Which is the cause?"],
  ])("%s", (_name, question, vignette, stem) => {
    expect(splitStem(question)).toEqual({ vignette, stem });
  });

  it("stems every line of the real MedQA test set (when present) to a non-empty question", async () => {
    const { existsSync, readFileSync } = await import("node:fs");
    const path = new URL("../../shared/datasets/medqa/us_4options_test.jsonl", import.meta.url);
    if (!existsSync(path)) return;
    const lines = readFileSync(path, "utf8").trim().split("\n");
    let asking = 0;
    for (const line of lines) {
      const { stem, vignette } = splitStem((JSON.parse(line) as { question: string }).question);
      expect(stem.length).toBeGreaterThan(0);
      expect(stem.length).toBeLessThan(400);
      if (/[?:]["']?$|\)$/.test(stem) || stem.includes("?")) asking += 1;
      expect(vignette.length + stem.length).toBeGreaterThan(0);
    }
    // All but a handful of stems end as a question.
    expect(asking / lines.length).toBeGreaterThan(0.99);
  });
});
