import { runModelStep, type StepContext, type StepResult } from "../../model-step.js";
import type { ConflictsInputs } from "../conflicts/step.js";
import { ReportSchema, type Report } from "./schema.js";

export const SYNTHESIZE_MAX_TOKENS = 2048;

export interface SynthesizeInputs extends ConflictsInputs {
  conflicts: string;
}

export function runSynthesize(inputs: SynthesizeInputs, ctx: StepContext): Promise<StepResult<Report>> {
  return runModelStep({ id: "synthesize", vars: { ...inputs }, schema: ReportSchema, maxTokens: SYNTHESIZE_MAX_TOKENS }, ctx);
}
