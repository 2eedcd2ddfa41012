import { describe, expect, it } from "vitest";
import { scoreDiagnostic, stringLeaves } from "../src/scoring/diagnostic.js";
import { matches, normalise, phraseIn } from "../src/scoring/match.js";
import { QUESTION_TYPES, questionType, type QuestionType } from "../src/scoring/question-type.js";
import { usmleStep } from "../src/scoring/strata.js";
import type { CaseRecord, StepRecord } from "../src/types.js";

describe("normalise", () => {
  it.each([
    ["Guillain-Barré  Syndrome.", "guillain barre syndrome"],
    ["The Crohn's disease", "crohns disease"],
    ["An abdominal aortic aneurysm", "abdominal aortic aneurysm"],
    ["A ruptured spleen", "ruptured spleen"],
    ["Hepatitis A", "hepatitis a"],
    ["Vitamin A deficiency", "vitamin a deficiency"],
    ["a", "a"],
    ["Type-II (hypersensitivity)", "type ii hypersensitivity"],
    ["  ", ""],
  ])("%j → %j", (input, want) => {
    expect(normalise(input)).toBe(want);
  });
});

describe("matches(answer, candidate)", () => {
  // The seed harness's false positives (substring either way, candidate-in-answer) and their relatives.
  const falsePositives: Array<[string, string]> = [
    ["Iron deficiency anemia", "Anemia"],
    ["Type 2 diabetes", "Type 1 diabetes"],
    ["Type 2 diabetes", "Type 1 diabetes mellitus"],
    ["Type 2 diabetes mellitus", "Type 1 diabetes mellitus"],
    ["Type II hypersensitivity reaction", "Type III hypersensitivity reaction"],
    ["Gout", "Pseudogout"],
    ["Mania", "Hypomania"],
    ["Hepatitis A", "Hepatitis B"],
    ["Trisomy 21", "Trisomy 18"],
    ["Mitral stenosis", "Mitral regurgitation"],
    ["Adenoma", "Adenomatous polyp"],
    ["Kidney stones", "Kidney"],
    ["Acute lymphoblastic leukemia", "Acute myeloid leukemia"],
    ["", "Anything"],
    ["Anemia", ""],
  ];
  it.each(falsePositives)("%j vs %j → false", (answer, candidate) => {
    expect(matches(answer, candidate)).toBe(false);
  });

  const trueMatches: Array<[string, string]> = [
    ["Anemia", "Iron deficiency anemia"],
    ["Iron deficiency anemia", "Iron-deficiency anemia"],
    ["Type 2 diabetes mellitus", "Diabetes mellitus, type 2"],
    ["Guillain-Barré syndrome", "Guillain Barre syndrome"],
    ["Crohn's disease", "Crohn's Disease (likely)"],
    ["Myocardial infarction", "Acute inferior myocardial infarction"],
    ["Sarcoidosis", "SARCOIDOSIS."],
    ["Trisomy 21", "Trisomy 21 (Down syndrome)"],
    ["Hepatitis A", "Acute hepatitis A infection"],
    ["Pulmonary embolism", "Pulmonary embolism with right heart strain"],
    ["Vitamin B12 deficiency", "vitamin b12 deficiency"],
    ["An abdominal aortic aneurysm", "Abdominal aortic aneurysm"],
    ["Tetralogy of Fallot", "Tetralogy Fallot"],
    ["Type II hypersensitivity reaction", "Type II hypersensitivity"],
  ];
  it.each(trueMatches.slice(0, -1))("%j vs %j → true", (answer, candidate) => {
    expect(matches(answer, candidate)).toBe(true);
  });
  it("requires every answer token, so a shorter candidate misses", () => {
    const [answer, candidate] = trueMatches[trueMatches.length - 1]!;
    expect(matches(answer, candidate)).toBe(false);
    expect(matches(candidate, answer)).toBe(true);
  });
});

describe("phraseIn", () => {
  it.each([
    ["Iron deficiency anemia", "Findings are consistent with iron-deficiency anemia.", true],
    ["Gout", "Pseudogout is likely.", false],
    ["Type 2 diabetes", "history of type 1 diabetes and 2 children", false],
    ["Anemia", "", false],
  ] as const)("%j in %j → %j", (answer, text, want) => {
    expect(phraseIn(answer, text)).toBe(want);
  });
});

function step(output: unknown, status: StepRecord["status"] = "ok"): StepRecord {
  return { status, latency_ms: 1, cold_ms: 0, prompt_tokens: 1, completion_tokens: 1, finish_reason: "stop", calls: 1, attempts: 1, parse: "ok", output };
}
function rec(correct_text: string, steps: CaseRecord["steps"]): CaseRecord {
  return {
    v: 1, case_id: "c", content_hash: "h", arm: "pipeline", outcome: "correct", answer: "A", correct_answer: "A",
    correct_text, stem: "Which of the following is the most likely diagnosis?", latency_ms: 1, wall_ms: 1, cold_ms: 0,
    tokens: { prompt: 1, completion: 1 }, calls: 1, attempts: 1, steps, started_at: "", finished_at: "",
  };
}
const dx = (...names: string[]) => names.map((diagnosis) => ({ diagnosis, likelihood: "high" }));

describe("scoreDiagnostic", () => {
  it.each([
    ["top-1", rec("Sarcoidosis", { synthesize: step({ differential: dx("Sarcoidosis", "Lymphoma") }) }), [true, true, true, true]],
    ["top-3 only", rec("Sarcoidosis", { synthesize: step({ differential: dx("Lymphoma", "TB", "Sarcoidosis") }) }), [true, false, true, true]],
    ["4th of differential → mentioned", rec("Sarcoidosis", { synthesize: step({ differential: dx("A1", "B2", "C3", "Sarcoidosis") }) }), [true, false, false, true]],
    [
      "only in prose: mentioned, never top-1",
      rec("Iron deficiency anemia", {
        synthesize: step({ differential: dx("Anemia of chronic disease"), next_steps: ["Rule out iron deficiency anemia"] }),
      }),
      [true, false, false, true],
    ],
    [
      "answer not fully in candidate",
      rec("Iron deficiency anemia", { synthesize: step({ differential: dx("Anemia"), patient_summary: "anemia" }) }),
      [true, false, false, false],
    ],
    ["reason step's differential is ignored", rec("Sarcoidosis", { reason: step({ differential: dx("Sarcoidosis") }) }), [false, false, false, false]],
    ["failed synthesize = no report", rec("Sarcoidosis", { synthesize: step({ differential: dx("Sarcoidosis") }, "failed") }), [false, false, false, false]],
    ["no steps at all", rec("Sarcoidosis", undefined), [false, false, false, false]],
    ["malformed entry keeps its rank", rec("Sarcoidosis", { synthesize: step({ differential: [{}, "Sarcoidosis"] }) }), [true, false, true, true]],
  ] as const)("%s", (_name, r, [has, t1, t3, m]) => {
    expect(scoreDiagnostic(r)).toEqual({ has_report: has, top1: t1, top3: t3, mentioned: m });
  });

  it("collects nested string leaves in order", () => {
    expect(stringLeaves({ a: "x", b: [{ c: "y" }, 3, "z"], d: null })).toEqual(["x", "y", "z"]);
  });
});

describe("questionType", () => {
  const table: Record<Exclude<QuestionType, "other">, string[]> & { other: string[] } = {
    diagnosis: [
      "Which of the following is the most likely diagnosis?",
      "Which of the following is the most likely cause of this patient's symptoms?",
      "Which of the following is the most likely causal organism?",
      "Which of the following is the most appropriate next step in diagnosis?",
      "What is the most likely cause of this patient's low serum sodium?",
    ],
    treatment: [
      "Which of the following is the most appropriate next step in management?",
      "Which of the following is the most appropriate pharmacotherapy?",
      "Which of the following is the best treatment for this patient?",
      "Which of the following would have prevented this patient's condition?",
    ],
    mechanism: [
      "Which of the following is the most likely mechanism of this patient's hypotension?",
      "This patient's findings are most likely due to which of the following?",
      "Which of the following best explains these findings?",
      "Which of the following enzymes is most likely deficient in this patient?",
    ],
    pharmacology: [
      "Which of the following is the mechanism of action of the drug prescribed?",
      "This patient is at greatest risk for which of the following adverse effects?",
      "The drug most likely acts by inhibiting which of the following?",
      "Which of the following receptors is targeted by this medication?",
    ],
    lab_finding: [
      "Which of the following laboratory findings is most likely in this patient?",
      "A biopsy of the lesion is most likely to show which of the following?",
      "Which of the following sets of serum values would be expected?",
      "Further evaluation is most likely to reveal which of the following?",
    ],
    anatomy: [
      "Which of the following nerves is most likely injured?",
      "Which of the following structures is most likely compressed?",
      "Which of the following arteries supplies the affected area?",
      "The affected tissue is derived from which of the following embryologic structures?",
    ],
    epidemiology: [
      "What is the sensitivity of this test?",
      "Which of the following best describes the study design?",
      "Which of the following is the number needed to treat?",
      "The results of this trial are most likely affected by which type of bias?",
    ],
    ethics: [
      "Which of the following is the most appropriate response by the physician?",
      "Which of the following is the most appropriate action regarding informed consent?",
      "What should the physician tell the patient's daughter?",
      "Which of the following best respects the patient's autonomy?",
    ],
    other: ["Which of the following is true?", "Which of the following is most likely?", "What happens next?"],
  };
  const rows = Object.entries(table).flatMap(([type, stems]) => stems.map((s) => [type, s] as const));
  it.each(rows)("%s ← %j", (type, stem) => {
    expect(questionType(stem)).toBe(type);
  });
  it("covers every type with at least 3 stems", () => {
    for (const t of QUESTION_TYPES) expect(table[t].length).toBeGreaterThanOrEqual(3);
  });
});

describe("usmleStep", () => {
  it.each([
    ["step1", "step1"],
    ["Step1", "step1"],
    ["Step 1", "step1"],
    ["step2&3", "step2&3"],
    ["stfep2&3", "step2&3"],
    ["step 2&3", "step2&3"],
    ["step2", "step2&3"],
    ["Step 3", "step2&3"],
    ["", "unknown"],
    ["step4", "unknown"],
    ["step12", "unknown"],
    [undefined, "unknown"],
  ] as const)("%j → %s", (meta, want) => {
    expect(usmleStep(meta)).toBe(want);
  });
});
