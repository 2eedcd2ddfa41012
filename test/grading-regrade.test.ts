// Re-grading a journal from its raw replies: old journals (written by the old extractor, before records kept
// options, grades and the degrade rule) are corrected; a journal written by today's code comes back unchanged.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadSource } from "../src/diff/command.js";
import { reportCommand } from "../src/report/command.js";
import { describeRegrade, regradeCases, regradeRecord } from "../src/scoring/grading/regrade.js";
import { gradeRecord, grade } from "../src/scoring/grading/grade.js";
import type { CaseRecord } from "../src/types.js";
import { caseId, makeCase, makeRun, makeStep } from "./fixtures/report/journal.js";

const OPTIONS = { A: "Aortic dissection", B: "Acute pericarditis", C: "Pulmonary embolism", D: "Tension pneumothorax" };

/** Records in the shape the harness wrote before the grader: no options, no grade, parse failures as errors. */
function oldJournal(): CaseRecord[] {
  return [
    // The old extractor missed these A forms: unparseable → correct.
    makeCase({ case_id: caseId(0), arm: "direct", outcome: "unparseable", answer: null, correct_answer: "A", correct_text: "Aortic dissection", raw: "Answer: A) Aortic dissection", finish_reason: "stop" }),
    makeCase({ case_id: caseId(1), arm: "direct", outcome: "unparseable", answer: null, correct_answer: "A", correct_text: "Aortic dissection", raw: "Answer: A<end_of_turn>", finish_reason: "stop" }),
    // A later conditional overrode the answer: wrong (D) → correct (C).
    makeCase({ case_id: caseId(2), arm: "direct", outcome: "wrong", answer: "D", correct_answer: "C", correct_text: "Pulmonary embolism", raw: "The answer is C. If the patient were hypotensive, the answer would be D.", finish_reason: "stop" }),
    // Truncated walk-through read as a letter: wrong → unparseable.
    makeCase({ case_id: caseId(3), arm: "direct", outcome: "wrong", answer: "B", correct_answer: "C", correct_text: "Pulmonary embolism", raw: "Let us go through the options.\n\nB. Acute", finish_reason: "length" }),
    // Unchanged: a plain answer line.
    makeCase({ case_id: caseId(4), arm: "direct", outcome: "correct", answer: "B", correct_answer: "B", correct_text: "Acute pericarditis", raw: "Answer: B", finish_reason: "stop" }),
    // No raw text (--no-raw): kept as recorded.
    makeCase({ case_id: caseId(5), arm: "direct", outcome: "wrong", answer: "D", correct_answer: "B", correct_text: "Acute pericarditis" }),
    // Infrastructure error: stays an error.
    makeCase({ case_id: caseId(6), arm: "direct", outcome: "error", answer: null, error_class: "timeout", error: "timed out" }),
    // Old pipeline: the parse step's format failure ended the case as an error → unparseable (model behaviour).
    makeCase({ case_id: caseId(7), arm: "pipeline", outcome: "error", answer: null, error_class: "parse_failed", error: "parse: no JSON", steps: { parse: makeStep({ status: "failed", parse: "failed", error_class: "parse_failed" }) } }),
    // Old pipeline answer step: the correct option's text with no letter → correct (only the correct text is known).
    makeCase({ case_id: caseId(8), arm: "pipeline", outcome: "unparseable", answer: null, correct_answer: "C", correct_text: "Pulmonary embolism", steps: { answer: makeStep({ status: "failed", parse: "failed", error_class: "parse_failed", raw: '{"answer": "Pulmonary embolism"}' }) } }),
  ];
}

describe("regrade", () => {
  it("re-grades an old-shape journal from raw text and says what changed", () => {
    const { cases, summary } = regradeCases(oldJournal());
    expect(cases.map((r) => [r.case_id.slice(-1), r.outcome, r.answer])).toEqual([
      ["0", "correct", "A"],
      ["1", "correct", "A"],
      ["2", "correct", "C"],
      ["3", "unparseable", null],
      ["4", "correct", "B"],
      ["5", "wrong", "D"],
      ["6", "error", null],
      ["7", "unparseable", null],
      ["8", "correct", "C"],
    ]);
    expect(summary).toEqual({
      grader_version: expect.any(Number),
      regraded: 7,
      changed: 6,
      no_raw: 1,
      without_options: 7,
      transitions: { "error→unparseable": 1, "unparseable→correct": 3, "wrong→correct": 1, "wrong→unparseable": 1 },
    });
    expect(cases[3]!.grade).toMatchObject({ method: "none", reason: "truncated" });
    expect(cases[7]!.grade).toMatchObject({ method: "none", rule: "legacy_step_failure" });
    expect(cases[7]!.error_class).toBeUndefined();
    expect(describeRegrade(summary, 9)).toBe(
      "re-graded 7 of 9 verdicts from raw text (grader v" + summary.grader_version + "): 6 changed " +
        "(error→unparseable 1, unparseable→correct 3, wrong→correct 1, wrong→unparseable 1); 1 kept as recorded (no raw text); " +
        "7 graded without option texts (journal predates them)",
    );
  });

  it("a journal written by today's grader re-grades to the same verdicts (0 changed)", () => {
    const replies = ["Answer: C", "The answer is A.", '{"answer": "B or C"}', "D-dimer", "I cannot answer this.", "Answer: E"];
    const cases = replies.map((raw, i) => {
      const g = grade({ text: raw, options: OPTIONS, finishReason: "stop" });
      const outcome = g.letter === null ? "unparseable" : g.letter === "C" ? "correct" : "wrong";
      return makeCase({ case_id: caseId(i), arm: "direct", outcome, answer: g.letter, correct_answer: "C", correct_text: OPTIONS.C, options: OPTIONS, raw, finish_reason: "stop", grade: gradeRecord(g) });
    });
    const { cases: again, summary } = regradeCases(cases);
    expect(summary).toMatchObject({ regraded: 6, changed: 0, without_options: 0, transitions: {} });
    expect(again).toEqual(cases);
  });

  it("uses the record's own options when it has them (an option text then counts)", () => {
    const r = makeCase({ case_id: caseId(0), arm: "direct", outcome: "unparseable", answer: null, correct_answer: "D", correct_text: "Tension pneumothorax", options: OPTIONS, raw: "The answer is acute pericarditis.", finish_reason: "stop" });
    expect(regradeRecord(r).record).toMatchObject({ outcome: "wrong", answer: "B", grade: { method: "option_text" } });
    const { options: _o, ...old } = r;
    expect(regradeRecord(old as CaseRecord).record).toMatchObject({ outcome: "unparseable", answer: null, grade: { reason: "no_commitment" } });
  });

  it("a skipped answer step or an E key widen the letters of an old record correctly", () => {
    const skipped = makeCase({ case_id: caseId(0), arm: "pipeline", outcome: "unparseable", answer: null, steps: { answer: makeStep({ status: "skipped", raw: "Answer: A" }) } });
    expect(regradeRecord(skipped)).toMatchObject({ regraded: false, noRaw: true });
    const e = makeCase({ case_id: caseId(1), arm: "direct", outcome: "unparseable", answer: null, correct_answer: "E", correct_text: "Adenosine", raw: "Answer: E" });
    expect(regradeRecord(e).record).toMatchObject({ outcome: "correct", answer: "E" });
    const d = makeCase({ case_id: caseId(2), arm: "direct", outcome: "unparseable", answer: null, correct_answer: "A", raw: "Answer: E" });
    expect(regradeRecord(d).record).toMatchObject({ outcome: "unparseable", grade: { reason: "out_of_range" } });
  });

  it("`report RUN_DIR` on an old run rewrites the reports with the new verdicts and prints how many changed", async () => {
    const dir = mkdtempSync(join(tmpdir(), "regrade-"));
    const cases = oldJournal();
    writeFileSync(join(dir, "run.json"), JSON.stringify(makeRun({ sampled_ids: cases.map((c) => c.case_id).filter((v, i, a) => a.indexOf(v) === i) })));
    writeFileSync(join(dir, "cases.jsonl"), cases.map((c) => JSON.stringify(c)).join("\n") + "\n");
    let printed = "";
    const out = { write: (s: string) => ((printed += s), true) } as unknown as NodeJS.WritableStream;
    expect(await reportCommand(dir, { out, generatedAt: "2025-01-02T00:00:00.000Z" })).toBe(0);
    expect(printed).toMatch(/re-graded 7 of 9 verdicts from raw text \(grader v\d+\): 6 changed/);
    const summary = JSON.parse(readFileSync(join(dir, "summary.json"), "utf8"));
    expect(summary.regrade).toMatchObject({ regraded: 7, changed: 6 });
    const direct = summary.arms.find((a: { arm: string }) => a.arm === "direct");
    expect(direct.outcomes).toEqual({ correct: 4, wrong: 1, unparseable: 1, error: 1 });
    expect(direct.grading.methods).toEqual({ format: 3, statement: 1, option_text: 0, none: 1 });
    expect(direct.grading.none_reasons.truncated).toBe(1);
    expect(direct.grading.finish_reasons).toEqual({ length: 1, stop: 4 });
    expect(readFileSync(join(dir, "summary.md"), "utf8")).toContain("6 changed");
    // The journal itself is never rewritten: re-grading is a view.
    expect(readFileSync(join(dir, "cases.jsonl"), "utf8")).toBe(cases.map((c) => JSON.stringify(c)).join("\n") + "\n");
    // diff reads the same verdicts as report.
    const source = await loadSource(dir);
    expect("cases" in source && source.cases.map((r) => r.outcome)).toEqual(regradeCases(cases).cases.map((r) => r.outcome));
  });
});
