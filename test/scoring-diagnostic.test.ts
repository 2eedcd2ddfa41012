// Diagnostic metrics and strata: the shapes a synthesize output can take, and the step/strata labelling.
import { describe, expect, it } from "vitest";
import { differentialNames, scoreDiagnostic, stringLeaves } from "../src/scoring/diagnostic.js";
import { caseStrata, usmleStep } from "../src/scoring/strata.js";
import type { CaseRecord, StepRecord } from "../src/types.js";

function step(output: unknown, status: StepRecord["status"] = "ok"): StepRecord {
  return { status, latency_ms: 1, cold_ms: 0, prompt_tokens: 1, completion_tokens: 1, finish_reason: "stop", calls: 1, attempts: 1, parse: "ok", output };
}
function rec(correct_text: string, output: unknown): CaseRecord {
  return {
    v: 1, case_id: "c", content_hash: "h", arm: "pipeline", outcome: "correct", answer: "A", correct_answer: "A",
    correct_text, stem: "Which of the following is the most likely diagnosis?", latency_ms: 1, wall_ms: 1, cold_ms: 0,
    tokens: { prompt: 1, completion: 1 }, calls: 1, attempts: 1, steps: { synthesize: step(output) }, started_at: "", finished_at: "",
  };
}
const dx = (...names: string[]) => names.map((diagnosis) => ({ diagnosis, likelihood: "high" }));

describe("differentialNames", () => {
  it.each([
    ["no output", undefined],
    ["null", null],
    ["a string", "Sarcoidosis"],
    ["an array", [{ diagnosis: "Sarcoidosis" }]],
    ["no differential", { reasoning: "Sarcoidosis" }],
    ["a differential that is a string", { differential: "Sarcoidosis" }],
    ["a differential that is an object", { differential: { diagnosis: "Sarcoidosis" } }],
  ])("is empty for %s", (_name, output) => {
    expect(differentialNames(output)).toEqual([]);
  });

  it("reads objects and plain strings in rank order, keeping a malformed entry's rank as an empty name", () => {
    expect(differentialNames({ differential: [{ diagnosis: "Lymphoma" }, "TB", { name: "x" }, 7, null, { diagnosis: 3 }, { diagnosis: "Sarcoidosis" }] })).toEqual([
      "Lymphoma",
      "TB",
      "",
      "",
      "",
      "",
      "Sarcoidosis",
    ]);
  });
});

describe("stringLeaves", () => {
  it("lists every string of a nested value depth first, in document order, skipping other scalars", () => {
    expect(stringLeaves({ a: ["x", { b: "y", c: [1, true, null, "z"] }], d: "w", e: undefined })).toEqual(["x", "y", "z", "w"]);
    expect(stringLeaves("only")).toEqual(["only"]);
    expect(stringLeaves(42)).toEqual([]);
    expect(stringLeaves([])).toEqual([]);
  });

  it("handles nesting far deeper than the call stack allows", () => {
    let v: unknown = "deep";
    for (let i = 0; i < 100_000; i++) v = i % 2 === 0 ? [v] : { k: v };
    expect(stringLeaves(v)).toEqual(["deep"]);
  });
});

describe("scoreDiagnostic", () => {
  it("counts an order-free match deep in the differential as mentioned, even when no text has it as a phrase", () => {
    const r = rec("Type 2 diabetes mellitus", { differential: dx("Hypothyroidism", "Cushing syndrome", "Acromegaly", "Diabetes mellitus, type 2") });
    expect(scoreDiagnostic(r)).toEqual({ has_report: true, top1: false, top3: false, mentioned: true });
  });

  it("counts a malformed first entry as a miss at rank 1 whatever the answer", () => {
    for (const answer of ["Sarcoidosis", "A", "Hepatitis A", "the"]) {
      const r = rec(answer, { differential: [{}, answer] });
      expect(scoreDiagnostic(r).top1).toBe(false);
      expect(scoreDiagnostic(r).top3).toBe(answer !== "the"); // "the" normalises to nothing: never a match
    }
  });

  it("has a report, with no hit, for an object output without a differential", () => {
    expect(scoreDiagnostic(rec("Sarcoidosis", { reasoning: "unclear" }))).toEqual({ has_report: true, top1: false, top3: false, mentioned: false });
  });

  it.each([["a string", "Sarcoidosis"], ["an array", [{ diagnosis: "Sarcoidosis" }]], ["null", null]])(
    "has no report when the output is %s",
    (_name, output) => {
      expect(scoreDiagnostic(rec("Sarcoidosis", output))).toEqual({ has_report: false, top1: false, top3: false, mentioned: false });
    },
  );

  it("keeps top1 ⊆ top3 ⊆ mentioned for the answer at every rank", () => {
    const names = ["Lymphoma", "TB", "Histoplasmosis", "Berylliosis", "Sarcoidosis"];
    for (let at = 0; at < names.length; at++) {
      const order = names.filter((n) => n !== "Sarcoidosis");
      order.splice(at, 0, "Sarcoidosis");
      const h = scoreDiagnostic(rec("Sarcoidosis", { differential: dx(...order) }));
      expect(h).toEqual({ has_report: true, top1: at === 0, top3: at < 3, mentioned: true });
    }
  });
});

describe("usmleStep", () => {
  it.each([
    ["32", "step2&3"],
    ["step 3&2", "step2&3"],
    ["step2&4", "unknown"],
    ["step 24", "unknown"],
    ["step 21", "unknown"],
    ["step 0", "unknown"],
    ["step", "unknown"],
  ] as const)("%j → %s", (meta, want) => {
    expect(usmleStep(meta)).toBe(want);
  });
});

describe("caseStrata", () => {
  it("labels a record's question type from its stem and its step from meta_info", () => {
    expect(caseStrata({ stem: "What is the most appropriate next step in management?", meta_info: "step2&3" })).toEqual({
      question_type: "treatment",
      usmle_step: "step2&3",
    });
    expect(caseStrata({ stem: "Which nerve is most likely injured?", meta_info: "step1" })).toEqual({ question_type: "anatomy", usmle_step: "step1" });
  });

  it("labels a record without stem or meta_info as other / unknown", () => {
    expect(caseStrata({})).toEqual({ question_type: "other", usmle_step: "unknown" });
  });
});
