// Question-type rules, cue by cue: one synthetic stem per cue (and per optional part of a cue), each matching no
// earlier rule, so every cue is shown to decide on its own. The broad table is in scoring.test.ts.
import { describe, expect, it } from "vitest";
import { questionType, type QuestionType } from "../src/scoring/question-type.js";

const CUES: Record<Exclude<QuestionType, "other">, string[]> = {
  epidemiology: [
    "These results are most likely distorted by recall bias.",
    "Which of the following is a confounder in this analysis?",
    "What is the p-value of this result?",
    "What is the p value of this result?",
    "Which statistical test should be used?",
    "The difference is statistically significant at which level?",
    "This is best described as a case-control design.",
    "This is best described as a case control design.",
    "The investigators ran a cross-sectional survey. What does it show?",
    "The investigators ran a randomised trial. What does it show?",
    "The investigators ran a randomized trial. What does it show?",
    "What is the power of the study?",
    "What is the positive predictive value?",
  ],
  ethics: [
    "How should the physician handle confidentiality here?",
    "Which of the following is the most ethical course?",
    "Which of the following is required before disclosure to the family?",
    "Which of the following is the best response?",
    "Which of the following is the best verbal response?",
    "Which of the following is the most appropriate initial verbal response?",
    "What is an appropriate response by the physician?",
    "The patient is refusing transfusion. Which of the following is true?",
    "Who is the appropriate surrogate?",
  ],
  pharmacology: [
    "Which of the following is the most likely adverse effect of this drug?",
    "Which of the following is a common side effect?",
    "Which of the following toxicities is expected?",
    "Which of the following pharmacokinetic properties applies?",
    "Which of the following is pharmacokinetically important?",
    "Which pharmacodynamic property applies?",
    "Which pharmacodynamics principle applies?",
    "What is the half-life of this compound?",
    "What is the half life of this compound?",
    "How does this drug work?",
    "This drug will most likely inhibit which of the following?",
    "The prescribed medication will block which of the following?",
    "The agent will bind which of the following?",
    "The therapy will target which of the following?",
    "Which of the following is explained by the drug mechanism?",
    "What is the drug's mechanism?",
    "Which of the following is the drug's primary mechanism?",
    "Which drug most likely caused this reaction?",
    "Which receptor is involved?",
  ],
  diagnosis: [
    "Which is the most appropriate test?",
    "What is the best confirmatory study?",
    "What is the etiologic agent?",
    "Which of the following best describes what this patient condition is?",
    "Which of the following best describes what this patient's disease is?",
  ],
  treatment: [
    "What is the next step?",
    "Which of the following is the best means of prevention?",
    "Which is the most appropriate measure at this time?",
    "Which of the following is the most appropriate recommendation?",
    "Which drug is most effective?",
    "Which of the following drugs would be the most beneficial?",
  ],
  mechanism: [
    "What is the pathophysiologic basis of this condition?",
    "Which of the following would explain these findings?",
    "A deficiency of which of the following enzymes causes this?",
    "Which enzyme is deficient?",
    "Which gene product is most likely mutated?",
    "What is the underlying defect?",
  ],
  lab_finding: [
    "Which of the following laboratories is most likely to be abnormal?",
    "Which lab value is abnormal?",
    "Which histologic pattern is seen?",
    "What would microscopic examination show?",
    "Which is the most likely finding?",
    "Which is the most likely physical finding?",
    "Which other finding is present?",
    "Which additional feature would be seen?",
    "Which other clinical finding is present?",
    "Which of the following is likely present?",
    "Which finding is expected?",
    "Which value is most likely?",
    "Her potassium level is expected to be which of the following?",
    "Which sodium concentration is most likely?",
    "Further testing would show which of the following?",
  ],
  anatomy: [
    "Which structure is this?",
    "Which anatomic landmark is used?",
    "Which embryologic precursor is involved?",
    "This tissue originates from which of the following?",
    "Where is the lesion located?",
    "What is the site of injury?",
  ],
};

describe("questionType, cue by cue", () => {
  const rows = Object.entries(CUES).flatMap(([type, stems]) => stems.map((s) => [type, s] as const));
  it.each(rows)("%s ← %j", (type, stem) => {
    expect(questionType(stem)).toBe(type);
  });
});

describe("questionType input handling", () => {
  it("is case-insensitive and reads any run of whitespace (line breaks, tabs, double spaces) as one space", () => {
    expect(questionType("WHICH OF THE FOLLOWING IS THE MECHANISM OF ACTION OF THIS DRUG?")).toBe("pharmacology");
    expect(questionType("Which of the following is the mechanism   of\n action of this drug?")).toBe("pharmacology");
    expect(questionType("Which of the following is the most\tappropriate next\n\nstep in management?")).toBe("treatment");
  });

  it("reads a typographic apostrophe like a straight one", () => {
    expect(questionType("Which of the following is the drug’s mechanism?")).toBe(questionType("Which of the following is the drug's mechanism?"));
    expect(questionType("Which of the following best describes what this patient’s disease is?")).toBe("diagnosis");
  });

  it("matches cues as whole words only", () => {
    // "treatment" is a cue, "retreat" is not; "nerve" is, "nervous" is not.
    expect(questionType("Which of the following explains the retreat?")).toBe("mechanism");
    expect(questionType("He is nervous. Which of the following is true?")).toBe("other");
  });

  it("is other for an empty or cue-free stem", () => {
    expect(questionType("")).toBe("other");
    expect(questionType("Which of the following is true?")).toBe("other");
  });
});
