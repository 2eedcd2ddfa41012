import { compactJson } from "../../format.js";
import { runModelStep, type StepContext, type StepResult } from "../../model-step.js";
import type { Profile } from "../parse/schema.js";
import { ReasoningSchema, type Reasoning } from "./schema.js";

export const REASON_MAX_TOKENS = 1536;

export function runReason(profile: Profile, ctx: StepContext): Promise<StepResult<Reasoning>> {
  return runModelStep(
    { id: "reason", vars: { profile: compactJson(profile) }, schema: ReasoningSchema, maxTokens: REASON_MAX_TOKENS },
    ctx,
  );
}
