// Re-grading record by record: which reply a record's verdict rests on (direct raw, the answer step's raw), which
// options it is graded against (its own, or for old journals every letter up to the highest seen with only the
// key's text), what is left alone (errors, --no-raw), and how the summary and its one-line description count.
import { describe, expect, it } from "vitest";
import { GRADER_VERSION } from "../src/scoring/grading/grade.js";
import { describeRegrade, regradeCases, regradeJournal, regradeRecord, type RegradeSummary } from "../src/scoring/grading/regrade.js";
import type { Journal } from "../src/journal/read.js";
import type { CaseRecord } from "../src/types.js";
import { caseId, makeCase, makeRun, makeStep } from "./fixtures/report/journal.js";

const OPTIONS = { A: "Aortic dissection", B: "Acute pericarditis", C: "Pulmonary embolism", D: "Tension pneumothorax" };

const direct = (i: number, over: Partial<CaseRecord>): CaseRecord =>
  makeCase({ case_id: caseId(i), arm: "direct", outcome: "unparseable", answer: null, correct_answer: "C", correct_text: OPTIONS.C, ...over });
const pipeline = (i: number, over: Partial<CaseRecord>): CaseRecord =>
  makeCase({ case_id: caseId(i), arm: "pipeline", outcome: "unparseable", answer: null, correct_answer: "C", correct_text: OPTIONS.C, ...over });

describe("regradeRecord: the reply a verdict rests on", () => {
  it.each([
    ["direct, raw with finish stop", direct(0, { raw: "Answer: C", finish_reason: "stop" }), "correct", "C"],
    ["direct, raw without a finish reason", direct(0, { raw: "Answer: B" }), "wrong", "B"],
    ["direct, raw cut at max_tokens", direct(0, { raw: "Answer: C", finish_reason: "length" }), "unparseable", null],
    ["pipeline answer step, stop", pipeline(0, { steps: { answer: makeStep({ raw: '{"answer": "C"}', finish_reason: "stop" }) } }), "correct", "C"],
    ["pipeline answer step cut at max_tokens", pipeline(0, { steps: { answer: makeStep({ raw: "Answer: D", finish_reason: "length" }) } }), "unparseable", null],
    // A pipeline record's top-level raw is not its answer: only the answer step counts.
    ["pipeline with a stray top-level raw", pipeline(0, { raw: "Answer: C", steps: { answer: makeStep({ raw: "Answer: A" }) } }), "wrong", "A"],
    // A direct record's steps (there are none in practice) never stand in for its raw reply.
    ["direct with a stray answer step", direct(0, { raw: "Answer: D", steps: { answer: makeStep({ raw: "Answer: C" }) } }), "wrong", "D"],
  ] as const)("%s", (_name, r, outcome, answer) => {
    const res = regradeRecord(r);
    expect(res).toMatchObject({ regraded: true, noRaw: false });
    expect(res.record.outcome).toBe(outcome);
    expect(res.record.answer).toBe(answer);
    expect(res.record.grade?.v).toBe(GRADER_VERSION);
  });

  it("the cut reply is graded truncated (no rule decided)", () => {
    expect(regradeRecord(direct(0, { raw: "Answer: C", finish_reason: "length" })).record.grade).toEqual({ method: "none", reason: "truncated", rule: null, matched: null, v: GRADER_VERSION });
  });

  it.each([
    ["direct without raw (--no-raw)", direct(0, { outcome: "wrong", answer: "B" })],
    ["pipeline without an answer step", pipeline(0, { outcome: "wrong", answer: "B", steps: { parse: makeStep({ raw: "Answer: C" }) } })],
    ["pipeline without steps", pipeline(0, { outcome: "wrong", answer: "B" })],
    ["pipeline answer step skipped", pipeline(0, { outcome: "wrong", answer: "B", steps: { answer: makeStep({ status: "skipped", raw: "Answer: C" }) } })],
    ["pipeline answer step without raw", pipeline(0, { outcome: "wrong", answer: "B", steps: { answer: makeStep({ status: "ok" }) } })],
  ] as const)("%s: kept as recorded and counted as no raw", (_name, r) => {
    const res = regradeRecord(r);
    expect(res).toEqual({ record: r, regraded: false, noRaw: true, savedOptions: false });
    expect(regradeRecord({ ...r, options: OPTIONS }).savedOptions).toBe(true);
  });

  it("an infrastructure error stays an error even when text was kept, and is not a missing reply", () => {
    const r = direct(0, { outcome: "error", error_class: "timeout", error: "timed out", raw: "Answer: C", finish_reason: "stop" });
    expect(regradeRecord(r)).toEqual({ record: r, regraded: false, noRaw: false, savedOptions: false });
    const p = pipeline(1, { outcome: "error", error_class: "server_error", steps: { answer: makeStep({ raw: "Answer: C" }) }, options: OPTIONS });
    expect(regradeRecord(p)).toEqual({ record: p, regraded: false, noRaw: false, savedOptions: true });
  });

  it("an old pipeline format failure (error/parse_failed) becomes unparseable without the error class", () => {
    const r = pipeline(0, { outcome: "error", error_class: "parse_failed", error: "parse: no JSON", steps: { parse: makeStep({ status: "failed", raw: "Answer: C" }) } });
    const res = regradeRecord(r);
    const { error_class: _e, ...rest } = r;
    expect(res).toEqual({
      record: { ...rest, outcome: "unparseable", answer: null, grade: { method: "none", reason: "no_commitment", rule: "legacy_step_failure", matched: null, v: GRADER_VERSION } },
      regraded: true,
      noRaw: false,
      savedOptions: false,
    });
    expect("error_class" in res.record).toBe(false);
    expect(regradeRecord({ ...r, options: OPTIONS }).savedOptions).toBe(true);
  });

  it("a parse_failed class on a non-error record is graded from its reply like any other", () => {
    const r = pipeline(0, { outcome: "unparseable", error_class: "parse_failed", steps: { answer: makeStep({ raw: "Answer: C" }) } });
    expect(regradeRecord(r).record).toMatchObject({ outcome: "correct", answer: "C", error_class: "parse_failed", grade: { method: "format", rule: "answer_line" } });
  });
});

describe("regradeRecord: the options an old record is graded against", () => {
  it.each([
    // Four letters at least, whatever the key: D is an option, E is not.
    ["key A, reply D", { correct_answer: "A", raw: "Answer: D" }, "wrong", "D", "format"],
    ["key A, reply E", { correct_answer: "A", raw: "Answer: E" }, "unparseable", null, "none"],
    ["key B, reply D", { correct_answer: "B", raw: "Answer: D" }, "wrong", "D", "format"],
    // The key E widens the letters to E.
    ["key E, reply E", { correct_answer: "E", correct_text: "Adenosine", raw: "Answer: E" }, "correct", "E", "format"],
    // So does the recorded answer E (the old extractor saw an E option).
    ["recorded answer E, reply E", { correct_answer: "A", outcome: "wrong", answer: "E", raw: "Answer: E" }, "wrong", "E", "format"],
    ["recorded answer B, reply E", { correct_answer: "A", outcome: "wrong", answer: "B", raw: "Answer: E" }, "unparseable", null, "none"],
  ] as const)("%s", (_name, over, outcome, answer, method) => {
    const res = regradeRecord(direct(0, { correct_text: "Aortic dissection", finish_reason: "stop", ...over }));
    expect(res.savedOptions).toBe(false);
    expect(res.record).toMatchObject({ outcome, answer, grade: { method } });
  });

  it("only the key's text is known: a reply naming the key's text is graded, another option's text is not", () => {
    for (const [letter, text] of Object.entries(OPTIONS)) {
      const key = letter as keyof typeof OPTIONS;
      const named = regradeRecord(direct(0, { correct_answer: key, correct_text: text, raw: `The answer is ${text.toLowerCase()}.`, finish_reason: "stop" }));
      expect(named.record, letter).toMatchObject({ outcome: "correct", answer: key, grade: { method: "option_text" } });
      const other = key === "A" ? OPTIONS.B : OPTIONS.A;
      const unknown = regradeRecord(direct(0, { correct_answer: key, correct_text: text, raw: `The answer is ${other.toLowerCase()}.`, finish_reason: "stop" }));
      expect(unknown.record, letter).toMatchObject({ outcome: "unparseable", answer: null });
    }
  });

  it("other options' texts are unknown, not some other text: a label whose own text is unknown is taken as written", () => {
    // Only the key's text is known, so "B. <the key's text>" cannot be shown to contradict B's own text.
    const r = direct(0, { correct_answer: "C", correct_text: OPTIONS.C, raw: "Answer: B. Pulmonary embolism", finish_reason: "stop" });
    expect(regradeRecord(r).record).toMatchObject({ outcome: "wrong", answer: "B", grade: { method: "format" } });
    // With the record's own options the contradiction shows: a hedge.
    expect(regradeRecord({ ...r, options: OPTIONS }).record).toMatchObject({ outcome: "unparseable", grade: { reason: "hedge" } });
  });

  it("a record's own options are used as they are (an E option exists only if saved)", () => {
    const five = { ...OPTIONS, E: "Aortic stenosis" };
    expect(regradeRecord(direct(0, { options: five, raw: "Answer: E", finish_reason: "stop" }))).toMatchObject({ savedOptions: true, record: { outcome: "wrong", answer: "E" } });
    expect(regradeRecord(direct(0, { options: OPTIONS, raw: "Answer: E", finish_reason: "stop" })).record).toMatchObject({ outcome: "unparseable", grade: { reason: "out_of_range" } });
    expect(regradeRecord(direct(0, { options: five, raw: "I'd say aortic stenosis.", finish_reason: "stop" })).record).toMatchObject({ answer: "E", grade: { method: "option_text" } });
  });
});

describe("regradeCases: the summary", () => {
  it("counts regraded, changed, no-raw and option-less records, and each transition", () => {
    const cases = [
      direct(0, { outcome: "wrong", answer: "B", raw: "Answer: D", finish_reason: "stop" }), // wrong→wrong (letter change)
      direct(1, { outcome: "unparseable", raw: "Answer: C", finish_reason: "stop" }), // unparseable→correct
      direct(2, { outcome: "unparseable", raw: "The answer is C.", finish_reason: "stop", options: OPTIONS }), // unparseable→correct, saved options
      direct(3, { outcome: "correct", answer: "C", raw: "Answer: C", finish_reason: "stop", options: OPTIONS }), // unchanged
      direct(4, { outcome: "wrong", answer: "B" }), // no raw
      direct(5, { outcome: "error", error_class: "timeout" }), // error, not no-raw
      pipeline(6, { outcome: "error", error_class: "parse_failed", options: OPTIONS }), // error→unparseable
      direct(7, { outcome: "correct", answer: "C", raw: "Answer: C", finish_reason: "length" }), // correct→unparseable
    ];
    const { cases: out, summary } = regradeCases(cases);
    expect(summary).toEqual({
      grader_version: GRADER_VERSION,
      regraded: 6,
      changed: 5,
      no_raw: 1,
      without_options: 3,
      transitions: { "wrong→wrong": 1, "unparseable→correct": 2, "error→unparseable": 1, "correct→unparseable": 1 },
    });
    expect(out.map((r) => [r.outcome, r.answer])).toEqual([
      ["wrong", "D"],
      ["correct", "C"],
      ["correct", "C"],
      ["correct", "C"],
      ["wrong", "B"],
      ["error", null],
      ["unparseable", null],
      ["unparseable", null],
    ]);
    // Records that were not re-graded come back as they were; re-graded ones carry a grade.
    expect(out[4]).toBe(cases[4]);
    expect(out[5]).toBe(cases[5]);
    expect(out.filter((r) => r.grade !== undefined).length).toBe(6);
  });

  it("an empty journal and an all-unchanged journal summarise to zeros", () => {
    const zero = { grader_version: GRADER_VERSION, regraded: 0, changed: 0, no_raw: 0, without_options: 0, transitions: {} };
    expect(regradeCases([])).toEqual({ cases: [], summary: zero });
    const same = [direct(0, { outcome: "correct", answer: "C", raw: "Answer: C", options: OPTIONS })];
    expect(regradeCases(same).summary).toEqual({ ...zero, regraded: 1 });
  });

  it("regradeJournal replaces the latest records and keeps everything else", () => {
    const cases = [direct(0, { raw: "Answer: C", finish_reason: "stop" }), direct(1, { outcome: "wrong", answer: "B" })];
    const journal: Journal = { dir: "runs/x", run: makeRun(), cases, allCaseLines: cases, events: [], tornCasesLine: false };
    const { journal: j, regrade } = regradeJournal(journal);
    expect(regrade).toEqual(regradeCases(cases).summary);
    expect(j.cases.map((r) => r.outcome)).toEqual(["correct", "wrong"]);
    expect(j.allCaseLines).toBe(cases);
    expect(j).toMatchObject({ dir: "runs/x", run: journal.run, events: [], tornCasesLine: false });
    expect(journal.cases[0]!.outcome).toBe("unparseable");
  });
});

describe("describeRegrade", () => {
  const base: RegradeSummary = { grader_version: 3, regraded: 0, changed: 0, no_raw: 0, without_options: 0, transitions: {} };
  it.each([
    ["nothing changed", base, 0, "re-graded 0 of 0 verdicts from raw text (grader v3): 0 changed"],
    [
      "transitions in alphabetical order",
      { ...base, grader_version: 7, regraded: 5, changed: 4, transitions: { "wrong→correct": 1, "unparseable→correct": 2, "correct→wrong": 1 } },
      6,
      "re-graded 5 of 6 verdicts from raw text (grader v7): 4 changed (correct→wrong 1, unparseable→correct 2, wrong→correct 1)",
    ],
    ["only no-raw", { ...base, regraded: 2, no_raw: 3 }, 5, "re-graded 2 of 5 verdicts from raw text (grader v3): 0 changed; 3 kept as recorded (no raw text)"],
    [
      "only old records",
      { ...base, regraded: 2, without_options: 2 },
      2,
      "re-graded 2 of 2 verdicts from raw text (grader v3): 0 changed; 2 graded without option texts (journal predates them)",
    ],
    [
      "everything",
      { ...base, regraded: 4, changed: 1, no_raw: 1, without_options: 4, transitions: { "error→unparseable": 1 } },
      5,
      "re-graded 4 of 5 verdicts from raw text (grader v3): 1 changed (error→unparseable 1); 1 kept as recorded (no raw text); 4 graded without option texts (journal predates them)",
    ],
  ] as const)("%s", (_name, s, total, want) => {
    expect(describeRegrade(s, total)).toBe(want);
  });
});
