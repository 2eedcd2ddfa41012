// Grader v4: a statement that takes back an earlier answer decides ("Answer: A. Actually, no — the answer is D."),
// an answer that calls a second letter right too is a hedge ("Answer: B (D is also acceptable)"), and an option
// named by its text as "the answer" commits to it. Every form is checked for every ordered pair of letters, over
// option sets whose texts contain letter-like words, so no letter is favoured.
import { describe, expect, it } from "vitest";
import { grade } from "../src/scoring/grading/grade.js";
import { eachLetterPair, LETTER_PAIRS as pairs, LETTERS4 as LETTERS, thirdLetter, type L4, type Opts4 as Opts, type PairForm } from "./helpers/letter-pairs.js";

const SETS: Opts[] = [
  { A: "Ceftriaxone", B: "Vancomycin", C: "Ampicillin", D: "Doxycycline" },
  // Letter-like words in the texts, each under another letter.
  { A: "Hepatitis B vaccine", B: "Vitamin A supplementation", C: "Vitamin D supplementation", D: "Protein C concentrate" },
];
const third = thirdLetter;
const g = (text: string, options: Opts, finishReason = "stop") => grade({ text, options, finishReason });

type Form = PairForm;

const eachPair = (form: PairForm, check: Parameters<typeof eachLetterPair>[2]): void => eachLetterPair(SETS, form, check);

describe("revision: a statement that takes back the answer decides", () => {
  const revised: Form[] = [
    (x, y) => `Answer: ${y}\n\nWait, on reflection, the answer is ${x}.`,
    (x, y) => `Answer: ${y}. Actually, no — the answer is ${x}.`,
    (x, y) => `Answer: ${y}\nCorrection: the correct answer is ${x}.`,
    (x, y) => `Answer: ${y}\n\nWait. ${x} is correct.`,
    (x, y) => `Answer: ${y}\n\nI made a mistake: the answer is ${x}.`,
    (x, y) => `Answer: ${y}\n\nUpon further review, I would choose ${x}.`,
    (x, y, o) => `Answer: ${y}\n\nActually, ${o[x]} is the correct answer.`,
  ];
  it.each(revised.map((f, i) => [i, f] as const))("form %i: the revised letter, for every pair", (_i, f) => {
    eachPair(f, (r, x, _y, text) => {
      expect(r.letter, text).toBe(x);
      expect(r.rule, text).toBe("revision");
    });
  });

  it("'Revised answer:' is an answer line of its own", () => {
    eachPair((x, y) => `Answer: ${y}\n\nRevised answer: ${x}`, (r, x, _y, text) => {
      expect([r.letter, r.method, r.rule], text).toEqual([x, "format", "answer_line"]);
    });
  });

  const kept: Form[] = [
    // The marker belongs to an earlier, complete sentence: the final answer line stands.
    (_x, y) => `The answer is ${_x}.\n\nOn reflection, the findings favour something else.\n\nAnswer: ${y}`,
    // A later answer line beats an earlier revision.
    (x, y) => `Wait, the answer is ${x}.\n\nAnswer: ${y}`,
    // A hypothetical is no revision.
    (x, y) => `Answer: ${y}\n\nActually, ${x} would be the answer if the patient were pregnant.`,
    // A revision that names a letter as wrong changes nothing.
    (x, y) => `Answer: ${y}\n\nWait, ${x} is wrong.`,
    // A revision marker far from the statement (other sentences between) is not about it.
    (x, y) => `Answer: ${y}\n\nActually, the vignette is classic. The lab values settle it. In summary the answer is ${y}, not ${x}.`,
  ];
  it.each(kept.map((f, i) => [i, f] as const))("form %i keeps the answer line's letter, for every pair", (_i, f) => {
    eachPair(f, (r, _x, y, text) => expect(r.letter, text).toBe(y));
  });

  it("cut at max_tokens, only the complete answer line counts", () => {
    for (const o of SETS)
      for (const [x, y] of pairs) {
        const r = g(`Answer: ${y}\nWait, on reflection, the answer is ${x}`, o, "length");
        expect([r.letter, r.rule]).toEqual([y, "answer_line"]);
      }
  });
});

describe("hedge: a second letter called right too", () => {
  const hedges: Form[] = [
    (x, y) => `Answer: ${x} and ${y} are both correct`,
    (x, y) => `Answer: ${x} (${y} is also acceptable)`,
    (x, y) => `Answer: ${x}; ${y} would also be reasonable`,
    (x, y) => `Answer: ${x}, though ${y} is also possible`,
    (x, y) => `Answer: ${x} - ${y} is correct as well`,
    (x, y, o) => `Answer: ${x} (${o[x]}) and ${y} (${o[y]})`,
    (x, y, o) => `Answer: ${x}) ${o[x]} or ${y}) ${o[y]}`,
    (x, y) => `The answer is ${x} and ${y} is also correct.`,
  ];
  it.each(hedges.map((f, i) => [i, f] as const))("form %i is a hedge naming both letters, for every pair", (_i, f) => {
    eachPair(f, (r, x, y, text) => {
      expect([r.letter, r.reason], text).toEqual([null, "hedge"]);
      expect(r.matched, text).toContain(x);
      expect(r.matched, text).toContain(y);
    });
  });

  const notHedges: Form[] = [
    (x, y) => `Answer: ${x}, and ${y} is wrong`,
    (x, y) => `Answer: ${x} (${y} and ${third(x, y)} are both wrong)`,
    (x, y) => `Answer: ${x}, and ${y} and ${third(x, y)} are wrong`,
    // A second sentence is a second thought, not part of the answer.
    (x, y) => `Answer: ${x}. However, ${y} is also a reasonable option to consider.`,
    // Conditioned: right only in another case.
    (x, y) => `Answer: ${x} (${y} is also reasonable if she were allergic)`,
    // "A" ends a name here, it is not a letter.
    (x) => `Answer: ${x}, since vitamin A is also likely deficient`,
  ];
  it.each(notHedges.map((f, i) => [i, f] as const))("form %i commits to the first letter, for every pair", (_i, f) => {
    eachPair(f, (r, x, _y, text) => expect([r.letter, r.method], text).toEqual([x, "format"]));
  });
});

describe("an option's text as 'the answer', and 'closest'", () => {
  it("'<other> is unlikely. <text> is the answer.' commits to that option under every option order", () => {
    const texts = Object.values(SETS[0]!);
    const orders = permutations(texts);
    expect(orders).toHaveLength(24);
    for (const order of orders) {
      const o = Object.fromEntries(LETTERS.map((l, i) => [l, order[i]!])) as Opts;
      for (const [x, y] of pairs) {
        const text = `${o[y]} is unlikely. ${o[x]} is the answer.`;
        expect([g(text, o).letter, g(text, o).method], text).toEqual([x, "option_text"]);
      }
    }
  });

  it("'none is ideal, but X is closest' commits to X; 'X is not the closest' does not", () => {
    eachPair((x) => `Answer: None of the options is fully correct, but ${x} is closest.`, (r, x, _y, text) => {
      expect([r.letter, r.rule], text).toEqual([x, "reverse_statement"]);
    });
    for (const o of SETS) for (const x of LETTERS) expect(g(`${x} is not the closest fit.`, o).letter).toBeNull();
  });
});

function permutations<T>(xs: readonly T[]): T[][] {
  if (xs.length <= 1) return [[...xs]];
  return xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]));
}
