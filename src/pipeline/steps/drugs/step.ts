import { formatAllergies, formatMedications, profileSummary, topDiagnoses } from "../../format.js";
import { runModelStep, type StepContext, type StepResult } from "../../model-step.js";
import type { Profile } from "../parse/schema.js";
import type { Reasoning } from "../reason/schema.js";
import { DrugReviewSchema, type DrugReview } from "./schema.js";

export const DRUGS_MAX_TOKENS = 1024;

/** A model review: current medications plus those likely proposed for the leading diagnoses. */
export function runDrugs(profile: Profile, reasoning: Reasoning, ctx: StepContext): Promise<StepResult<DrugReview>> {
  const vars = {
    profile_summary: profileSummary(profile),
    medications: formatMedications(profile),
    allergies: formatAllergies(profile),
    top_diagnoses: topDiagnoses(reasoning),
  };
  return runModelStep({ id: "drugs", vars, schema: DrugReviewSchema, maxTokens: DRUGS_MAX_TOKENS }, ctx);
}
