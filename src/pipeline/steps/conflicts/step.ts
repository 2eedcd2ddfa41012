import { runModelStep, type StepContext, type StepResult } from "../../model-step.js";
import { ConflictsSchema, type Conflicts } from "./schema.js";

export const CONFLICTS_MAX_TOKENS = 1024;

/** Inputs are pre-rendered text so a missing upstream output reads "(not available: …)". */
export interface ConflictsInputs {
  profile: string;
  reasoning: string;
  drugs: string;
  guidelines: string;
}

export function runConflicts(inputs: ConflictsInputs, ctx: StepContext): Promise<StepResult<Conflicts>> {
  return runModelStep({ id: "conflicts", vars: { ...inputs }, schema: ConflictsSchema, maxTokens: CONFLICTS_MAX_TOKENS }, ctx);
}

