// Grader v5, from an independent red-team probe (templates written without reading the rules): a line that opens
// with another option's label is discussion, not a final answer; answer headings, arrows, short opinion/choice
// conclusions, other languages' "the answer is", JSON arrays, and torn replies as hedges. Every form is checked for
// every ordered pair of letters over option sets whose texts contain letter-like words.
import { describe, expect, it } from "vitest";
import { grade } from "../src/scoring/grading/grade.js";
import { eachLetterPair, LETTER_PAIRS as pairs, LETTERS4 as LETTERS, thirdLetter, type L4, type Opts4 as Opts, type PairForm } from "./helpers/letter-pairs.js";

const SETS: Opts[] = [
  { A: "Acute pancreatitis", B: "Acute cholecystitis", C: "Perforated peptic ulcer", D: "Acute mesenteric ischemia" },
  { A: "Factor V Leiden", B: "Protein C deficiency", C: "Vitamin A toxicity", D: "Hepatitis B infection" },
];
const third = thirdLetter;
const g = (text: string, options: Opts, finishReason = "stop") => grade({ text, options, finishReason });
type Form = PairForm;

const eachPair = (form: PairForm, check: Parameters<typeof eachLetterPair>[2]): void => eachLetterPair(SETS, form, check);
const forms = (fs: Form[]) => fs.map((f, i) => [i, f] as const);

describe("a line about another option never outranks the answer", () => {
  it.each(
    forms([
      (x, y, o) => `Answer: ${x}\n\nWhy not the others:\n- ${y} (${o[y]}) is incorrect because the timeline does not fit.`,
      (x, y, o) => `**Correct Answer: ${x}**\n\n**Why other options are incorrect:**\n* **${y} (${o[y]}):** Does not fit.`,
      (x, y, o) => `**Answer: ${x}**\n\nThe findings are typical.\n\n**${y}) ${o[y]}** is the main distractor.`,
      (x, y, o) => `The answer is ${x}.\n\n${y}) ${o[y]}: wrong.`,
      (x, y, o) => `$\\boxed{${x}}$\n\n${y}) ${o[y]} is excluded by the normal lipase.`,
      (x, y, o) => `{"answer": "${x}", "justification": "Typical findings."}\n\n${y}. ${o[y]} was considered and rejected.`,
      (x, y, o) => `Answer: ${x}\n\nOption ${y} - ${o[y]}: does not fit.`,
      (x, y, o) => `${y}. ${o[y]} is tempting, but the answer is ${x}.`,
      (x, y, o) => `Answer: ${y}\n\nActually, correction — the answer is ${x}.\n\n${y}. ${o[y]} is wrong on reflection.`,
    ]),
  )("form %i gives the answer's letter for every pair", (_i, f) => {
    eachPair(f, (r, x, _y, text) => expect(r.letter, text).toBe(x));
  });

  it("a reply that only rejects an option commits to none", () => {
    eachPair((_x, y, o) => `${y}. ${o[y]} is wrong.`, (r, _x, _y, text) => expect(r.letter, text).toBeNull());
    eachPair((_x, y, o) => `(${y}) ${o[y]} is excluded.`, (r, _x, _y, text) => expect(r.letter, text).toBeNull());
  });

  it("a label line is an answer when it is the label alone, or the label and a verdict for it", () => {
    eachPair((x, _y, o) => `The findings point one way.\n\n${x}) ${o[x]}`, (r, x, _y, text) => expect([r.letter, r.rule], text).toEqual([x, "lone_letter"]));
    eachPair((x, _y, o) => `The findings point one way.\n\n${x}. ${o[x]} is the correct answer.`, (r, x, _y, text) => expect(r.letter, text).toBe(x));
    // The answer first as its label, then another option discussed by its label.
    eachPair((x, y, o) => `${x}. ${o[x]}\n\nThe history fits.\n\n${y}. ${o[y]} does not fit the timeline.`, (r, x, _y, text) => {
      expect([r.letter, r.rule], text).toEqual([x, "lone_letter"]);
    });
  });

  it("a list of labelled lines, or the options restated, is no answer; a bare letter line still is", () => {
    eachPair((x, y, o) => {
      const z = third(x, y);
      return `${x}. ${o[x]}: no.\n${z}. ${o[z]}: no.\n${y}. ${o[y]}`;
    }, (r, _x, _y, text) => expect(r.letter, text).toBeNull());
    eachPair((x, y, o) => `${y}. ${o[y]}\n${x}. ${o[x]}`, (r, _x, _y, text) => expect(r.letter, text).toBeNull());
    eachPair((x, y, o) => `${y}. ${o[y]}: no.\n\n${x}`, (r, x, _y, text) => expect(r.letter, text).toBe(x));
  });

  it("with option texts unknown (old journals), lines opening with different labels are a walk-through", () => {
    const none = { A: "", B: "", C: "", D: "" };
    for (const [x, y] of pairs) {
      expect(grade({ text: `${y}. no\n${x}. yes`, options: none, finishReason: "stop" }).letter).toBeNull();
      expect(grade({ text: `Reasoning.\n\n${x}. the one`, options: none, finishReason: "stop" }).letter).toBe(x);
    }
  });
});

describe("answer headings, separators and short conclusions", () => {
  it.each(
    forms([
      (x) => `**Final Answer**\n\n${x}\n\nThe lipase is normal.`,
      (x, _y, o) => `### Answer\n**${x}. ${o[x]}**\n\n### Explanation\nTypical.`,
      (x, _y, o) => `**Answer**\n${o[x]}\n\n**Reasoning**\nTypical.`,
      (x) => `Answer → ${x}`,
      (x) => `Answer ⇒ ${x}`,
      (x) => `Answer -> ${x}`,
      (x) => `Selected: ${x}`,
      (x) => `Key: ${x}`,
      (x) => `Ответ: ${x}`,
    ]),
  )("answer line form %i, for every letter", (_i, f) => {
    eachPair(f, (r, x, _y, text) => expect([r.letter, r.rule], text).toEqual([x, "answer_line"]));
  });

  it.each(
    forms([
      (x, y) => `${y} and ${third(x, y)} do not fit. That leaves ${x}.`,
      (x, y) => `Rather than ${y}, choose ${x}.`,
      (x) => `I think ${x}.`,
      (x) => `I'm not sure, but I think it's ${x}.`,
      (x) => `Pick ${x}.`,
      (x) => `\u2713 ${x}`,
    ]),
  )("short conclusion form %i, for every pair", (_i, f) => {
    eachPair(f, (r, x, _y, text) => expect([r.letter, r.rule], text).toEqual([x, "short_conclusion"]));
  });

  it.each(
    forms([
      (x) => `I think ${x} is unlikely.`,
      (x) => `Now consider ${x}, the next option.`,
      (x) => `I would not choose ${x}.`,
      (x) => `If she were pregnant, choose ${x}.`,
      (x) => `One might think ${x}.`,
    ]),
  )("not a commitment: form %i, for every letter", (_i, f) => {
    eachPair(f, (r, _x, _y, text) => expect(r.letter, text).toBeNull());
  });

  it.each(
    forms([
      (x) => `La respuesta correcta es la ${x}.`,
      (x) => `A resposta correta é ${x}.`,
      (x) => `La réponse correcte est ${x}.`,
      (x) => `Die richtige Antwort ist ${x}.`,
      (x) => `La risposta corretta è ${x}.`,
      (x) => `Правильный ответ: ${x}.`,
    ]),
  )("another language's 'the answer is', form %i, for every letter", (_i, f) => {
    eachPair(f, (r, x, _y, text) => expect([r.letter, r.rule], text).toEqual([x, "answer_statement"]));
  });
});

describe("JSON arrays and torn replies", () => {
  it("a one-item answer array is that answer; two different items are a hedge", () => {
    eachPair((x) => `{"answer": ["${x}"], "justification": "Typical."}`, (r, x, _y, text) => expect([r.letter, r.method, r.rule], text).toEqual([x, "format", "json_field"]));
    eachPair((x, y) => `{"answers": ["${x}", "${y}"]}`, (r, _x, _y, text) => expect([r.letter, r.reason], text).toEqual([null, "hedge"]));
    eachPair((x) => `{"answer": ["${x}", "${x}"]}`, (r, x, _y, text) => expect(r.letter, text).toBe(x));
    eachPair((x, _y, o) => `{"answer": ["${o[x]}"]}`, (r, x, _y, text) => expect([r.letter, r.method], text).toEqual([x, "option_text"]));
  });

  it.each(
    forms([
      (x, y) => `It's either ${x} or ${y}.`,
      (x, y) => `I can't decide between ${x} and ${y}.`,
      (x, y) => `${x} or ${y}, depending on the patient's renal function.`,
      (x, y) => `Either option ${x} or option ${y}.`,
      (x, y) => `Either Option ${x} or Option ${y}.`,
      (x, y) => `Between (${x}) and (${y}), hard to say.`,
      (x, y) => `The labs are equivocal. [${x}] or [${y}].`,
      (x, y) => `It might be: ${x} or ${y}!`,
      (x, y) => `Options ${x} or ${y}; more history is needed.`,
      (x, y) => `More history is needed.\n${x} or ${y}`,
    ]),
  )("torn form %i is a hedge, for every pair", (_i, f) => {
    eachPair(f, (r, _x, _y, text) => expect([r.letter, r.reason], text).toEqual([null, "hedge"]));
  });

  it("a refusal or a reply naming no letters is not called a hedge", () => {
    for (const o of SETS) {
      expect(g("The vignette is incomplete; more history is needed.", o).reason).toBe("no_commitment");
      expect(g("Hepatitis A or B serology would help.", o).reason).toBe("no_commitment");
      expect(g("Either Alpha or Beta blockade is reasonable.", o).reason).toBe("no_commitment");
      expect(g("It is between A and Cardiology to decide.", o).reason).toBe("no_commitment");
      expect(g("More history is needed. A or Bx.", o).reason).toBe("no_commitment");
    }
  });
});
