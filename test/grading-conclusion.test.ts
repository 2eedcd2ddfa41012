// The "conclusion" rule (a sentence that is only a connective and a letter) and the comparative verdict
// ("A is better"): each form works for every letter, and look-alikes that are not commitments never match.
import { describe, expect, it } from "vitest";
import { grade } from "../src/scoring/grading/grade.js";

const OPTS = { A: "Aortic dissection", B: "Acute pericarditis", C: "B-cell lymphoma", D: "Pulmonary embolism" };
const LETTERS = ["A", "B", "C", "D"] as const;
const g = (text: string) => grade({ text, options: OPTS, finishReason: "stop" });

describe("conclusion: a connective and a letter that ends its sentence", () => {
  const forms = [
    (l: string) => `So ${l}.`,
    (l: string) => `Thus, ${l}.`,
    (l: string) => `Hence ${l}!`,
    (l: string) => `Overall, (${l}).`,
    (l: string) => `On balance, ${l}.`,
    (l: string) => `In conclusion, option ${l}.`,
    (l: string) => `All things considered, it's ${l}.`,
    (l: string) => `The history fits. It is ${l}.`,
    (l: string) => `The findings point one way; that's ${l}.`,
    (l: string) => `Ultimately, it must be [${l}]`,
  ];
  it.each(forms.map((f, i) => [i, f] as const))("form %i gives the letter for every letter", (_i, f) => {
    for (const l of LETTERS) {
      const r = g(`${OPTS.A} and ${OPTS.B} were considered.\n\n${f(l)}`);
      expect(r.letter, f(l)).toBe(l);
      expect(r.method).toBe("statement");
    }
  });

  it.each([
    "So a beta blocker is needed.",
    "So A 45-year-old man would not present this way.",
    "It is a common presentation.",
    "It is D-dimer testing that rules it out here.",
    "Thus, A is unlikely and B is unlikely.",
    "It is not A.",
    "So, what is it?",
  ])("no commitment: %s", (text) => {
    expect(g(text).letter).toBeNull();
  });

  it("a later conclusion settles an earlier hedge, whichever letters", () => {
    for (const l of LETTERS) for (const m of LETTERS) {
      if (l === m) continue;
      expect(g(`It could be ${m} or ${l}. On balance, ${l}.`).letter).toBe(l);
    }
  });
});

describe("comparative verdict", () => {
  it("'X is better' commits to X for every letter; 'X is better only if …' does not", () => {
    for (const l of LETTERS) {
      const m = LETTERS[(LETTERS.indexOf(l) + 1) % 4]!;
      expect(g(`Both ${m} and ${l} are reasonable, but ${l} is better.`).letter).toBe(l);
      expect(g(`${l} is preferable here.`).letter).toBe(l);
      expect(g(`${l} is better only if the patient is unstable.`).letter).toBeNull();
    }
  });
});
