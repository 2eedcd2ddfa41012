// The letter-symmetry law: every template, rendered with each letter in turn and with the options permuted,
// gets the verdict that moves with the letter. No form may work for one letter and not another.
import { describe, expect, it } from "vitest";
import { grade } from "../src/scoring/grading/grade.js";
import { LETTERS, type Letter } from "../src/types.js";
import { TEMPLATES, type Template } from "./fixtures/grading/templates.js";
import { scale } from "./helpers/mutation.js";

/** Option-text pools (synthetic): plain texts, texts that start with a letter, and a five-option set. */
const POOLS: Record<string, readonly string[]> = {
  plain: ["Aortic dissection", "Acute pericarditis", "Pulmonary embolism", "Tension pneumothorax"],
  letter_prefixed: ["B-type natriuretic peptide", "D-dimer", "C. difficile toxin assay", "A-a gradient"],
  five: ["Metoprolol", "Amiodarone", "Diltiazem", "Digoxin", "Adenosine"],
};

function permutations<T>(xs: readonly T[]): T[][] {
  if (xs.length <= 1) return [[...xs]];
  return xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]));
}

/** All orders of a 4-option pool; the 5 rotations of a 5-option pool and of its reverse. */
function orders(pool: readonly string[]): string[][] {
  const rot = (xs: readonly string[]) => xs.map((_, k) => [...xs.slice(k), ...xs.slice(0, k)]);
  // A mutation run (instrumented, once per mutant) checks the rotations only: every letter still meets every text.
  if (pool.length <= 4) return scale(permutations(pool), rot(pool));
  return [...rot(pool), ...rot([...pool].reverse())];
}

function check(t: Template, texts: readonly string[]): string[] {
  const letters = LETTERS.slice(0, texts.length) as Letter[];
  const options = Object.fromEntries(letters.map((l, i) => [l, texts[i]!])) as Partial<Record<Letter, string>>;
  const failures: string[] = [];
  letters.forEach((L, i) => {
    const M = letters[(i + 1) % letters.length]!;
    const N = letters[(i + 2) % letters.length]!;
    const text = t.render({ L, T: options[L]!, M, U: options[M]!, N, lower: (s) => s.toLowerCase() });
    const g = grade({ text, options, finishReason: t.finish ?? "stop" });
    const want = "method" in t.expect ? { letter: L, method: t.expect.method, reason: null } : { letter: null, method: "none", reason: t.expect.none };
    if (g.letter !== want.letter || g.method !== want.method || g.reason !== want.reason) {
      failures.push(`${t.id} L=${L} [${texts.join(" | ")}]: got ${g.letter}/${g.method}/${g.reason} (${g.rule}: ${g.matched}) want ${want.letter}/${want.method}/${want.reason}\n  ${JSON.stringify(text)}`);
    }
  });
  return failures;
}

describe("grading symmetry law", () => {
  it("has templates for every method and the letter-independent none reasons", () => {
    const kinds = new Set(TEMPLATES.map((t) => ("method" in t.expect ? t.expect.method : t.expect.none)));
    for (const k of ["format", "statement", "option_text", "hedge", "truncated", "no_commitment"]) expect(kinds).toContain(k);
    expect(new Set(TEMPLATES.map((t) => t.id)).size).toBe(TEMPLATES.length);
  });

  for (const [pool, texts] of Object.entries(POOLS)) {
    it(`every template × every letter × every option order (${pool})`, () => {
      const failures = orders(texts).flatMap((o) => TEMPLATES.flatMap((t) => check(t, o)));
      expect(failures.slice(0, 15).join("\n")).toBe("");
    });
  }

  it("a verdict does not depend on which letter the key is: the same response graded against each key", () => {
    // Grading never sees the key; this guards against a future rule that would.
    const g = grade({ text: "Answer: A", options: { A: "x", B: "y", C: "z", D: "w" } });
    expect(g).toMatchObject({ letter: "A", method: "format" });
  });
});
