// The final verdict (src/scoring/grading/grade.ts): empty replies, cuts at max_tokens, refusals, hedges, letters
// outside the options, the tier order and the last-commitment rule, and the record a case keeps. Every form is
// checked for every letter of a 4-option and a 5-option case.
import { describe, expect, it } from "vitest";
import { GRADE_METHODS, GRADER_VERSION, NONE_REASONS, grade, gradeRecord, type Grade } from "../src/scoring/grading/grade.js";
import type { Letter } from "../src/types.js";

const FOUR = { A: "Aortic dissection", B: "Acute pericarditis", C: "Pulmonary embolism", D: "Tension pneumothorax" };
const FIVE = { A: "Metoprolol", B: "Amiodarone", C: "Diltiazem", D: "Digoxin", E: "Adenosine" };
const SETS: ReadonlyArray<Partial<Record<Letter, string>>> = [FOUR, FIVE];

const letters = (o: Partial<Record<Letter, string>>): Letter[] => Object.keys(o) as Letter[];
/** Another letter of the case (the next one, wrapping). */
const other = (o: Partial<Record<Letter, string>>, l: Letter): Letter => {
  const ls = letters(o);
  return ls[(ls.indexOf(l) + 1) % ls.length]!;
};
const g = (text: string, options: Partial<Record<Letter, string>>, finishReason: string | null = "stop"): Grade => grade({ text, options, finishReason });
const verdict = (x: Grade): string => (x.letter === null ? `none/${x.reason}` : `${x.letter}/${x.method}`);

describe("grade: nothing to grade", () => {
  it.each([
    ["empty", ""],
    ["whitespace", "  \n\t \n"],
    ["markup only", "**\n\n---\n> "],
    ["control tokens only", "<end_of_turn><eos>"],
  ])("%s → empty", (_n, text) => {
    for (const o of SETS) expect(g(text, o)).toEqual({ letter: null, method: "none", reason: "empty", rule: null, matched: null });
  });

  it("digits or non-Latin letters are something: no commitment, not empty", () => {
    for (const text of ["42", "答え", "Ответ"]) for (const o of SETS) expect(verdict(g(text, o)), text).toBe("none/no_commitment");
  });

  it("an empty reply is empty even when cut at max_tokens", () => {
    expect(g("", FOUR, "length").reason).toBe("empty");
  });
});

describe("grade: a reply cut at max_tokens", () => {
  const cuts = ["length", "max_tokens", "model_length"];
  it.each(cuts)("finish %s: only a completed Answer: line or JSON field counts", (finish) => {
    for (const o of SETS) {
      for (const l of letters(o)) {
        expect(verdict(g(`Reasoning first.\nAnswer: ${l}\nExplanation: the findings of`, o, finish)), l).toBe(`${l}/format`);
        expect(verdict(g(`{"answer": "${l}", "justification": "The patient has`, o, finish)), l).toBe(`${l}/format`);
        // The letter line at the very end may have been cut mid-phrase.
        expect(verdict(g(`Reasoning first.\n\nAnswer: ${l}`, o, finish)), l).toBe("none/truncated");
        // A statement, a lone letter line or a sole option mention before the cut is no verdict.
        expect(verdict(g(`The answer is ${l} because the findings of`, o, finish)), l).toBe("none/truncated");
        expect(verdict(g(`${l}\n\nBecause the findings of`, o, finish)), l).toBe("none/truncated");
        expect(verdict(g(`${o[l]!}\n\nbecause`, o, finish)), l).toBe("none/truncated");
        // A refusal that was cut is still a cut.
        expect(verdict(g("I cannot answer this without more", o, finish))).toBe("none/truncated");
      }
    }
  });

  it.each(["stop", "eos_token", "stop_sequence", null])("finish %s is not a cut", (finish) => {
    for (const o of SETS) {
      for (const l of letters(o)) {
        expect(verdict(g(`Reasoning first.\n\nAnswer: ${l}`, o, finish)), l).toBe(`${l}/format`);
        expect(verdict(g(`The answer is ${l} because the findings fit.`, o, finish)), l).toBe(`${l}/statement`);
        expect(verdict(g(`${o[l]!}.`, o, finish)), l).toBe(`${l}/option_text`);
      }
    }
    expect(grade({ text: "Answer: C", options: FOUR }).letter).toBe("C");
  });

  it("a completed hedge before the cut is still a hedge", () => {
    for (const o of SETS) for (const l of letters(o)) expect(verdict(g(`Answer: ${l} or ${other(o, l)}\nThe findings of`, o, "length"))).toBe("none/hedge");
  });
});

describe("grade: refusals", () => {
  const refusals = [
    "I cannot answer medical questions.",
    "I can't provide a diagnosis.",
    "I can not determine this from the information given.",
    "I am unable to choose between these.",
    "I'm unable to select an option.",
    "I am not able to recommend a treatment.",
    "I'm not able to give medical advice.",
    "I won't make a diagnosis here.",
    "I will not diagnose a patient.",
    "I must decline to answer.",
    "I do not feel comfortable offering a diagnosis.",
    "As an AI, my knowledge has limits.",
    "I am not qualified to provide medical advice.",
    "This tool is not permitted to give a diagnosis.",
    "Please consult a physician.",
    "You should consult your doctor.",
    "Consult with a qualified healthcare provider.",
    "Please consult a health care professional.",
    "Consult a medical professional about this.",
  ];
  it("a refusal broken by a markdown hard line break (two trailing spaces) is still a refusal", () => {
    for (const o of SETS) expect(g("As requested, I cannot  \nanswer this question.", o).reason).toBe("refusal");
    for (const o of SETS) expect(g("I am unable to  \n\nprovide a diagnosis.", o).reason).toBe("refusal");
  });

  it.each(refusals)("%s → refusal", (text) => {
    for (const o of SETS) expect(g(text, o)).toEqual({ letter: null, method: "none", reason: "refusal", rule: null, matched: null });
  });

  it("a refusal word with a commitment is the commitment; prose that only resembles one is no commitment", () => {
    for (const o of SETS) {
      for (const l of letters(o)) expect(verdict(g(`I cannot be certain, but the answer is ${l}.`, o)), l).toBe(`${l}/statement`);
      expect(verdict(g("I can answer this once the labs are back.", o))).toBe("none/no_commitment");
      expect(verdict(g("The consultant physician reviewed the film.", o))).toBe("none/no_commitment");
      expect(verdict(g("Has an airway been secured?", o))).toBe("none/no_commitment");
    }
  });
});

describe("grade: hedges and letters outside the options", () => {
  it("a hedge keeps its rule and span", () => {
    for (const o of SETS) {
      for (const l of letters(o)) {
        const m = other(o, l);
        expect(g(`Answer: ${l} or ${m}`, o)).toEqual({ letter: null, method: "none", reason: "hedge", rule: "answer_line", matched: `Answer: ${l} or ${m}` });
      }
    }
  });

  it("a later commitment to one of the hedged letters settles the hedge; to another letter it does not", () => {
    for (const o of SETS) {
      for (const l of letters(o)) {
        const m = other(o, l);
        const n = other(o, m);
        expect(verdict(g(`The answer is ${l} or ${m}. Clinically, ${m} is more likely.`, o)), l).toBe(`${m}/statement`);
        expect(verdict(g(`Answer: ${l} or ${m}\n\nClinically, ${l} is more likely.`, o)), l).toBe(`${l}/statement`);
        // A commitment to a letter outside the hedge (and of a lower tier) leaves the hedge standing.
        if (n !== l) expect(verdict(g(`Answer: ${l} or ${m}\n\nClinically, ${n} is more likely.`, o)), l).toBe("none/hedge");
        // A commitment to a hedged letter before the hedge does not settle it.
        expect(verdict(g(`${l} is more likely.\n\nAnswer: ${l} or ${m}`, o)), l).toBe("none/hedge");
        // Of several settling commitments, the last.
        expect(verdict(g(`Answer: ${l} or ${m}\n\n${l} is more likely. Clinically, ${m} is more likely.`, o)), l).toBe(`${m}/statement`);
      }
    }
  });

  it("a letter that is not an option is out of range, with the rule that named it", () => {
    expect(g("Answer: E", FOUR)).toEqual({ letter: null, method: "none", reason: "out_of_range", rule: "answer_line", matched: "Answer: E" });
    expect(g("The answer is F.", FIVE)).toMatchObject({ letter: null, reason: "out_of_range", rule: "answer_statement" });
    expect(g("Answer: G", FIVE)).toMatchObject({ letter: null, reason: "out_of_range" });
    expect(verdict(g("Answer: E", FIVE))).toBe("E/format");
  });
});

describe("grade: which commitment decides", () => {
  it("the final form outranks a prose statement wherever it stands", () => {
    for (const o of SETS) {
      for (const l of letters(o)) {
        const m = other(o, l);
        expect(verdict(g(`Answer: ${l}\n\nThe answer is ${m}, on reflection.`, o)), l).toBe(`${l}/format`);
        expect(verdict(g(`The answer is ${m}.\n\nAnswer: ${l}`, o)), l).toBe(`${l}/format`);
      }
    }
  });

  it("within a tier the last commitment decides", () => {
    for (const o of SETS) {
      for (const l of letters(o)) {
        const m = other(o, l);
        expect(verdict(g(`Answer: ${m}\n\nWait, reconsidering.\n\nAnswer: ${l}`, o)), l).toBe(`${l}/format`);
        expect(verdict(g(`The answer is ${m}. On review, the answer is ${l}.`, o)), l).toBe(`${l}/statement`);
        expect(verdict(g(`I would choose ${m}. Actually, I would choose ${l}.`, o)), l).toBe(`${l}/statement`);
      }
    }
  });

  it("a statement outranks a sole option mention; the mention counts only without any commitment", () => {
    for (const o of SETS) {
      for (const l of letters(o)) {
        const m = other(o, l);
        expect(verdict(g(`The answer is ${l}.\n\n${o[m]!} is the classic picture, though.`, o)), l).toBe(`${l}/statement`);
        expect(verdict(g(`The answer is ${l}.\n${o[m]!}`, o)), l).toBe(`${l}/statement`);
      }
    }
  });

  it("an Answer: line and the lone letter line it is (\"Answer:\\nC\") are one commitment: format", () => {
    for (const o of SETS) {
      for (const l of letters(o)) {
        expect(g(`Reasoning.\n\nAnswer:\n${l}\n`, o), l).toMatchObject({ letter: l, method: "format", rule: "answer_line" });
        expect(g(`Answer:\n\n${l}`, o), l).toMatchObject({ letter: l, method: "format", rule: "answer_line" });
      }
    }
  });

  it("a decided verdict carries its rule and span", () => {
    expect(g("Reasoning.\n\nAnswer: C) Pulmonary embolism\nMore text.", FOUR)).toEqual({ letter: "C", method: "format", reason: null, rule: "answer_line", matched: "Answer: C) Pulmonary embolism" });
    expect(g('{"answer": "B"}', FIVE)).toEqual({ letter: "B", method: "format", reason: null, rule: "json_field", matched: '{"answer": "B"}'.slice(1, -1) });
  });
});

describe("the verdict vocabulary and the record a case keeps", () => {
  // One reply for each verdict kind; the listed methods and reasons are exactly those grade() can give.
  const replies: Array<[string, string | null]> = [
    ["Answer: C", "stop"],
    ["I would choose B.", "stop"],
    ["Pulmonary embolism.", "stop"],
    ["More data is needed.", "stop"],
    ["Answer: B or C", "stop"],
    ["The answer is C because the", "length"],
    ["Answer: E", "stop"],
    ["I cannot answer this.", "stop"],
    ["   ", "stop"],
  ];
  it("GRADE_METHODS and NONE_REASONS list every verdict grade() gives, and nothing else", () => {
    const got = replies.map(([text, finish]) => g(text, FOUR, finish));
    expect(new Set(got.map((x) => x.method))).toEqual(new Set(GRADE_METHODS));
    expect(new Set(got.filter((x) => x.letter === null).map((x) => x.reason))).toEqual(new Set(NONE_REASONS));
    expect(GRADE_METHODS.length).toBe(4);
    expect(NONE_REASONS.length).toBe(6);
  });

  it("gradeRecord keeps method, reason, rule and span, and the grader version", () => {
    for (const [text, finish] of replies) {
      const x = g(text, FOUR, finish);
      expect(gradeRecord(x)).toEqual({ method: x.method, reason: x.reason, rule: x.rule, matched: x.matched, v: GRADER_VERSION });
    }
    expect(gradeRecord(g("Answer: C", FOUR))).toEqual({ method: "format", reason: null, rule: "answer_line", matched: "Answer: C", v: GRADER_VERSION });
  });
});
