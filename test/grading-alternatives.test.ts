// Every alternative of the grader's wording rules, one row each, for every letter: other languages' "the answer is",
// the connective conclusions, JSON answer-array keys, the phrases that make a statement someone's mistaken thought,
// a label followed by a verdict for its own option, and conditions after a modal. Through grade(): the verdict a
// user sees. (Which alternative is which is the rules' business; each row is a way real replies are worded.)
import { describe, expect, it } from "vitest";
import { grade } from "../src/scoring/grading/grade.js";

const OPTS = { A: "Aortic dissection", B: "Acute pericarditis", C: "Pulmonary embolism", D: "Tension pneumothorax" };
const LS = ["A", "B", "C", "D"] as const;
const other = (l: string) => LS[(LS.indexOf(l as (typeof LS)[number]) + 1) % 4]!;
const g = (text: string) => grade({ text, options: OPTS, finishReason: "stop" });
const lead = "The hypoxia after a long flight, with clear lungs, narrows it down.";

describe("'the (correct) answer is' in other languages", () => {
  it.each([
    "La respuesta es", "La respuesta es la", "Respuesta correcta es", "La respuesta correcta es la", "A resposta é",
    "A resposta correta é a", "Resposta correta e", "La réponse est", "La réponse correcte est la", "La reponse est",
    "Die Antwort ist", "Die richtige Antwort ist", "Antwort ist", "La risposta è", "La risposta corretta è la",
    "Risposta e", "Правильный ответ", "Правильный ответ:", "Мой ответ:",
  ])("'%s X.'", (cue) => {
    for (const l of LS) expect([g(`${lead} ${cue} ${l}.`).letter, g(`${lead} ${cue} ${l}.`).rule], `${cue} ${l}`).toEqual([l, "answer_statement"]);
  });
  it("the word inside another word is no cue", () => {
    for (const l of LS) expect(g(`${lead} Corespuesta es ${l}.`).rule).not.toBe("answer_statement");
  });
});

describe("connective conclusions", () => {
  const connectives = [
    "So", "Thus", "Hence", "Therefore", "Overall", "Ultimately", "Finally", "On balance", "In conclusion", "In summary",
    "In short", "All in all", "All things considered",
  ];
  const middles = ["", "it's ", "it is ", "it must be ", "that's ", "that is ", "the pick is ", "we get "];
  it.each(connectives)("'%s, <…> X.' after a full stop, for every letter and every middle", (c) => {
    for (const m of middles)
      for (const l of LS) {
        const r = g(`${lead} ${c}, ${m}${l}.`);
        expect([r.letter, r.rule], `${c}, ${m}${l}.`).toEqual([l, "conclusion"]);
      }
  });
  it.each([
    (l: string) => `${lead}\n${"so"} ${l}.`,
    (l: string) => `Both fit; but it is ${l}.`,
    (l: string) => `Both fit, and so ${l}!`,
    (l: string) => `Both fit and thus (${l}).`,
    (l: string) => `${lead}: it's option ${l}.`,
    (l: string) => `${lead}; that's choice [${l}]`,
  ])("boundary form %s", (f) => {
    for (const l of LS) expect(g(f(l)).letter, f(l)).toBe(l);
  });
});

describe("JSON answer arrays: every key form", () => {
  it.each([
    ["answer", "format"], ["final_answer", "format"], ["final answer", "format"], ["answer_letter", "format"], ["answers", "statement"],
    ["correct_answer", "statement"], ["selected_answer", "statement"], ["chosen_answer", "statement"], ["best_answer", "statement"],
    ["answer_choice", "statement"], ["answer_option", "statement"], ["answer_letters", "statement"], ["finalanswer", "format"],
  ])("'%s': [X] (method %s)", (key, method) => {
    for (const l of LS) {
      const r = g(`{"${key}": ["${l}"], "why": "x"}`);
      expect([r.letter, r.method, r.rule], key).toEqual([l, method, "json_field"]);
      expect(g(`{'${key}': [ '${l}' ]}`).letter, `${key} single quotes`).toBe(l);
      expect([g(`{"${key}": ["${l}", "${other(l)}"]}`).reason], key).toEqual(["hedge"]);
    }
  });
  it("an array of non-answers, an empty array, or an item that names no option is no answer", () => {
    expect(g('{"answer": []}').letter).toBeNull();
    expect(g('{"answer": ["unclear"]}').letter).toBeNull();
    for (const l of LS) expect(g(`{"answer": ["${l}", "unclear"]}`).letter).toBeNull();
    expect(g('{"options": ["A", "B"]}').letter).toBeNull();
  });
});

describe("someone's mistaken thought is not the answer", () => {
  const before = [
    "Some might think", "One may be tempted to say", "A student could consider", "Many would argue", "You might assume",
    "One could guess", "Some may suspect", "Most would expect", "People might say", "Some could choose", "Some may pick",
    "Others would select", "One might go with", "It is tempting to say", "Having been tempted, one says", "One might say",
    "Someone might say", "Some people may say", "Some students could say", "Some clinicians would say",
    "A common mistake is to say", "A classic error: saying", "A frequent pitfall is saying", "The tempting trap says",
    "A classic distractor says", "A common misconception says", "Why not say", "At first", "Initially", "At first glance",
    "It seems like", "If we only look at the pain,", "If you just read the stem,", "If one ignored the flight,", "Otherwise",
    "Not that", "Not because",
  ];
  it.each(before)("'%s the answer is Y', then the real answer", (b) => {
    for (const l of LS) {
      const y = other(l);
      const r = g(`${b} the answer is ${y}. The answer is ${l}.`);
      expect(r.letter, `${b} … ${y} … ${l}`).toBe(l);
      // Alone, it commits to nothing (or at least never to Y).
      expect(g(`${b} the answer is ${y}.`).letter, `${b} alone`).not.toBe(y);
    }
  });
});

describe("a label line with a verdict for its own option", () => {
  it.each([
    "is correct", "is the correct answer", "is the best option", "would be the most appropriate choice", "the answer",
    "my final answer", "is the right one", "most likely", "is the most likely answer", "is the best choice", "correct",
  ])("'X. <its text> %s' as the last line", (tail) => {
    for (const l of LS) {
      const r = g(`${lead}\n\n${l}. ${OPTS[l]} ${tail}`);
      expect([r.letter, r.rule], `${l} ${tail}`).toEqual([l, "lone_letter"]);
    }
  });
  it.each(["is incorrect", "is the wrong answer", "is unlikely here", "is less likely", "could be considered"])("'X. <its text> %s' is no lone letter", (tail) => {
    for (const l of LS) expect(g(`${lead}\n\n${l}. ${OPTS[l]} ${tail}`).rule, tail).not.toBe("lone_letter");
  });
});

describe("a modal answer with a condition after it is hypothetical", () => {
  it.each([
    "if the patient were hypotensive", "unless the D-dimer is normal", "only if she were pregnant", "only when imaging is unavailable",
    "only in children", "were the patient older", "had the patient been stable", "had there been a murmur", "in a patient with renal failure",
    "in the setting of trauma", "for a patient with a murmur", "for the case of a child", "when the patient is unstable",
    "in patients with sepsis", "in children", "in adults over 65", "in cases of trauma",
  ])("'The answer would be Y %s. The answer is X.'", (cond) => {
    for (const l of LS) {
      const y = other(l);
      expect(g(`The answer would be ${y} ${cond}. The answer is ${l}.`).letter, cond).toBe(l);
      expect(g(`The answer would be ${y} ${cond}.`).letter, `${cond} alone`).toBeNull();
    }
  });
});
