// Grader v6: wordings that named the answer but were missed — a take-back marker of each kind, an opinion or a
// choice that is only a letter, an adverb before "the best option", a parenthetical "then" after the cue, a long
// management phrase, a connective before an option's text, a cue broken across lines — each checked for every
// ordered pair of letters over option sets with letter-like texts, and look-alikes that must stay no answer.
import { describe, expect, it } from "vitest";
import { grade } from "../src/scoring/grading/grade.js";
import { eachLetterPair, LETTER_PAIRS as pairs, LETTERS4 as LETTERS, thirdLetter, type L4, type Opts4 as Opts, type PairForm } from "./helpers/letter-pairs.js";

const SETS: Opts[] = [
  { A: "Aortic dissection", B: "Acute pericarditis", C: "Pulmonary embolism", D: "Tension pneumothorax" },
  { A: "Hepatitis B infection", B: "Vitamin A deficiency", C: "Protein C deficiency", D: "Factor V Leiden" },
];
const g = (text: string, o: Opts) => grade({ text, options: o, finishReason: "stop" });

const eachPair = (form: PairForm, check: Parameters<typeof eachLetterPair>[2]): void => eachLetterPair(SETS, form, check);

describe("every take-back marker makes a revision", () => {
  const markers = [
    "Wait,", "Actually,", "On second thought,", "On reflection,", "On further reflection,", "On reconsideration,",
    "Upon review,", "Upon further review,", "Upon reflection,", "Correction:", "Scratch that,", "I was wrong;",
    "I made a mistake:", "I made an error:", "I misread the labs;", "I misspoke;", "I take that back:", "I take it back:",
    "I change my answer:", "I revise my answer:", "Let me reconsider:", "Let me correct that:", "Let me correct myself:",
    "Changing my answer:",
  ];
  it.each(markers)("'Answer: Y' then '%s the answer is X.'", (m) => {
    eachPair((x, y) => `Answer: ${y}\n\n${m} the answer is ${x}.`, (r, x, _y, text) => expect([r.letter, r.rule], text).toEqual([x, "revision"]));
  });
  it("a marker as a short sentence of its own, just before", () => {
    for (const m of ["Wait.", "Actually, no.", "Correction."])
      eachPair((x, y) => `Answer: ${y}\n\n${m} ${x} is correct.`, (r, x, _y, text) => expect([r.letter, r.rule], text).toEqual([x, "revision"]));
  });
  it("a marker in a long sentence before, or a word that only looks like one, is no revision", () => {
    eachPair((x, y) => `Answer: ${y}\n\nActually the vignette mentions a long flight and sudden dyspnea. The answer is ${x}.`, (r, x, y, text) => {
      expect(r.letter, text).toBe(y);
      expect(r.rule, text).not.toBe("revision");
      void x;
    });
    eachPair((x, y) => `Answer: ${y}\n\nAwaiting labs, the answer is ${x}.`, (r, _x, y, text) => expect(r.letter, text).toBe(y));
  });
});

describe("an opinion or a choice that is only a letter", () => {
  const leads = [
    "I think", "I believe", "I would say", "I'd say", "I guess", "I think it's", "I believe it is", "I think that's",
    "That leaves", "This leaves", "Which leaves", "That leaves us with", "That leaves only", "Pick", "Choose", "Select",
    "Go with", "\u2714", "\u2705",
  ];
  it.each(leads)("'… %s X.'", (lead) => {
    eachPair((x, y) => `${y} does not fit the exam. ${lead} ${x}.`, (r, x, _y, text) => expect([r.letter, r.rule], text).toEqual([x, "short_conclusion"]));
  });
  it.each([
    (x: L4) => `I think ${x} is unlikely.`,
    (x: L4) => `I believe ${x} 45-year-old patients are rare.`,
    (x: L4) => `If the patient were pregnant, pick ${x}.`,
    (x: L4) => `Unless the troponin rises, choose ${x}.`,
    (x: L4) => `Is it ${x}? I think so.`,
  ])("no answer: %s", (f) => {
    eachPair((x) => f(x), (r, _x, _y, text) => expect(r.rule, text).not.toBe("short_conclusion"));
  });
});

describe("statement wordings", () => {
  it.each([
    (x: L4) => `${x} is clearly the best option.`,
    (x: L4) => `${x} is indeed the answer.`,
    (x: L4) => `${x} is probably the best answer.`,
    (x: L4) => `${x} is still the best choice.`,
    (x: L4) => `${x} is likely the correct answer.`,
    (x: L4) => `The answer, then, is ${x}.`,
    (x: L4) => `The answer, therefore, is ${x}.`,
    (x: L4) => `The best next step in the management of this patient is ${x}.`,
    (x: L4) => `I would go\nwith ${x}.`,
  ])("form %s gives the letter for every pair", (f) => {
    eachPair((x, y) => `${y} was considered. ${f(x)}`, (r, x, _y, text) => expect([r.letter, r.method], text).toEqual([x, "statement"]));
  });

  it("a connective before an option's text as the subject", () => {
    eachPair(
      (x, y, o) => `${o[y]} is unlikely. So ${o[x].toLowerCase()} is the most likely diagnosis, though it must be confirmed.`,
      (r, x, _y, text) => expect([r.letter, r.method], text).toEqual([x, "option_text"]),
    );
    eachPair((x, y, o) => `${o[y]} is unlikely. Thus, ${o[x]} is the most appropriate answer.`, (r, x, _y, text) => expect(r.letter, text).toBe(x));
  });

  it("adverbs do not turn a negation or a qualified statement into a commitment", () => {
    eachPair((x) => `${x} is clearly not the best option.`, (r, _x, _y, text) => expect(r.letter, text).toBeNull());
    eachPair((x) => `${x} is probably the best answer only if the patient is unstable.`, (r, _x, _y, text) => expect(r.letter, text).toBeNull());
  });
});
