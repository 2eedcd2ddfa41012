import { describe, expect, it } from "vitest";
import { extractAnswer } from "../src/pipeline/extract-answer.js";
import type { Letter } from "../src/types.js";

const AD: readonly Letter[] = ["A", "B", "C", "D"];
const AE: readonly Letter[] = ["A", "B", "C", "D", "E"];

// All fixtures are synthetic response shapes, not dataset text.
const CASES: ReadonlyArray<[name: string, response: string, expected: Letter | null]> = [
  // Explicit statements
  ["Answer: D (regression: was read as A)", "Answer: D", "D"],
  ["answer: lower case", "answer: b", "B"],
  ["The answer is B.", "The answer is B.", "B"],
  ["Final answer: c", "Final answer: c", "C"],
  ["answer is (d)", "So the answer is (d)", "D"],
  ["markdown **Answer:** B", "**Answer:** B", "B"],
  ["markdown **Final Answer**: **C**", "Reasoning here.\n\n**Final Answer**: **C**", "C"],
  ["correct option is C: text", "The correct option is C: Ketotifen eye drops.", "C"],
  ["correct answer is (B) text", "The correct answer is (B) Metformin", "B"],
  ["answer: option C", "Answer: Option C", "C"],
  ["upper-case statement, bracketed lower-case letter", "ANSWER: (b)", "B"],
  ["bold letter with option text", "My final answer is: **D. Ketotifen**", "D"],
  ["letter then 'not' another", "The best answer is C, not A.", "C"],
  ["other letters later in the clause are reasoning", "The answer is D, Ketotifen eye drops, because B and C are wrong.", "D"],
  ["explanation mentioning letters after the answer", "Answer: C\n\nExplanation: A and B are wrong.", "C"],
  ["answer is therefore A", "The answer is therefore A.", "A"],
  ["answer A followed by because", "The answer is A because the findings fit.", "A"],
  ["Answer with dash", "Answer - B", "B"],
  ["a queried letter corrected by a later statement", "Is the answer A? No: the answer is B.", "B"],
  ["answer to this question is", "The answer to this question is D.", "D"],
  ["reverse form: Option C is correct", "Option C is correct because it treats the cause.", "C"],
  ["reverse form: D is the correct answer", "Weighing these, D is the correct answer.", "D"],
  // Bare shapes
  ["lone B", "B", "B"],
  ["lone lower-case b with newline", "  b\n", "B"],
  ["bold **C**", "**C**", "C"],
  ["(A)", "(A)", "A"],
  ["lone A", "A", "A"],
  ["D. option text", "D. Ketotifen eye drops", "D"],
  ["letter then explanation on next lines", "C) Lisinopril\n\nThis lowers pressure and protects the kidney.", "C"],
  // JSON
  ["JSON object", '{"answer":"B"}', "B"],
  ["JSON in a fence with prose", 'Here is my answer:\n```json\n{"answer": "c", "justification": "A 30-year-old with..."}\n```', "C"],
  ["JSON answer wins over prose in justification", '{"answer": "A", "justification": "The answer is not D because..."}', "A"],
  ["truncated JSON still names the answer", '{"answer": "D", "justification": "Because the pati', "D"],
  ["JSON answer with option text", '{"answer": "B. Ketotifen"}', "B"],
  // Last explicit statement wins over reasoning letters
  ["reasoning then final", "Option A is tempting and B is possible.\nHowever, C fits best.\nFinal answer: C", "C"],
  ["changed mind: last statement wins", "At first the answer is A, but on review the answer is D.", "D"],
  ["statement beats lone letter line", "B\n\nOn reflection, the answer is C.", "C"],
  // Must be null
  ["empty", "", null],
  ["whitespace", "  \n ", null],
  ["refusal", "I cannot answer this question.", null],
  ["refusal: medical advice", "I'm not able to provide medical advice. Please consult a physician.", null],
  ["hedge: A or C", "The answer is A or C.", null],
  ["hedge: either B or D", "The answer is either B or D, depending on the labs.", null],
  ["hedge: A and B", "Answer: A and B", null],
  ["hedge: slash", "Answer: B/C", null],
  ["hedge: list of three", "The answer is A, B, or C.", null],
  ["hedge: parenthetical", "Answer: A (or possibly C)", null],
  ["hedge in reverse form", "Either A or C is correct here.", null],
  ["last statement is a hedge", "Answer: B\nActually the answer could be B or D.", null],
  ["hedge in JSON", '{"answer": "B or C"}', null],
  ["hedge: letter offered as a question", "The answer is B?", null],
  ["hedge: bold letter with a question mark", "Answer: **C?**", null],
  ["hedge: question mark in JSON", '{"answer": "D?"}', null],
  ["letter outside the option set", "Answer: E", null],
  ["article A in prose", "A 45-year-old man presents with chest pain and dyspnea.", null],
  ["article after statement", "The answer is a beta blocker.", null],
  ["article with digit after statement", "The most likely answer is A 45-year-old's typical presentation", null],
  ["word starting with a letter", "Answer: Dexamethasone", null],
  ["abbreviation e.g.", "e.g. several drugs could be used", null],
  ["statement without a letter", "The answer is unclear from the information given.", null],
  ["options walked through, no statement", "A. Wrong because X\nB. Wrong because Y\nC. Plausible\nD. Unlikely", null],
  ["vitamin name is not a letter", "Vitamin A is the correct supplement here.", null],
  ["pure prose", "This patient most likely has an allergic condition.", null],
];

describe("extractAnswer", () => {
  it("has a table of at least 30 response shapes", () => {
    expect(CASES.length).toBeGreaterThanOrEqual(30);
  });

  it.each(CASES)("%s", (_name, response, expected) => {
    expect(extractAnswer(response, AD)).toBe(expected);
  });

  it("accepts E when the options include it", () => {
    expect(extractAnswer("Answer: E", AE)).toBe("E");
    expect(extractAnswer("Answer: e", AE)).toBe("E");
  });

  it("never guesses on a long response without a statement", () => {
    const prose = "The patient is stable. ".repeat(500);
    expect(extractAnswer(prose, AD)).toBeNull();
  });

  it("stays fast on adversarial input (linear time)", () => {
    const hostile = "answer: ".repeat(20_000) + "{".repeat(20_000) + "'".repeat(20_000);
    const t0 = performance.now();
    extractAnswer(hostile, AD);
    expect(performance.now() - t0).toBeLessThan(1500);
  });
});

describe("extractAnswer performance", () => {
  it("is linear on long whitespace runs and long JSON strings", () => {
    const cases = [
      "x" + " ".repeat(200_000) + "y\nB",
      '{"answer": "' + "B or ".repeat(50_000) + '"}',
      "The answer is " + "(".repeat(100_000),
    ];
    for (const c of cases) {
      const t0 = performance.now();
      extractAnswer(c, AD);
      expect(performance.now() - t0).toBeLessThan(1500);
    }
  });
});
