// USMLE step of a case from its raw `meta_info`. MedQA spells it inconsistently (`step1`, `step2&3`, and a
// typo `stfep2&3` in the US test set), so the mapping keys on the digits only: exactly "1" → step1; any
// combination of 2 and 3 ("2", "3", "23", "2&3") → step2&3; anything else, or no value → unknown.

import { questionType, type QuestionType } from "./question-type.js";

export const USMLE_STEPS = ["step1", "step2&3", "unknown"] as const;
export type UsmleStep = (typeof USMLE_STEPS)[number];

export function usmleStep(meta?: string): UsmleStep {
  if (meta === undefined) return "unknown";
  const digits = meta.replace(/[^0-9]/g, "");
  if (digits === "1") return "step1";
  if (/^[23]+$/.test(digits)) return "step2&3";
  return "unknown";
}

/** Both strata of a case record: the one labelling used by the report (format.caseLabels) and the diff. */
export function caseStrata(r: { stem?: string; meta_info?: string }): { question_type: QuestionType; usmle_step: UsmleStep } {
  // Stryker disable next-line StringLiteral: any cue-free fallback text for a missing stem gives the same "other"
  return { question_type: questionType(r.stem ?? ""), usmle_step: usmleStep(r.meta_info) };
}
