// reason → a ranked differential with the evidence behind each item, the work-up and the reasoning chain.
import { z } from "zod";

export const MIN_DIFFERENTIAL = 5;

export const Likelihood = z.enum(["high", "moderate", "low"]);

export const ReasoningSchema = z.object({
  differential: z
    .array(
      z.object({
        diagnosis: z.string(),
        likelihood: Likelihood.optional(),
        supporting_evidence: z.array(z.string()).default([]),
        reasoning: z.string().default(""),
      }),
    )
    // The model is asked for ≥ 5 (minItems in the JSON Schema it sees / the grammar), but validation accepts
    // ≥ 1: a reply cut short by max_tokens and repaired is still a usable ranking, and a reason failure
    // would end the whole case.
    .min(1)
    .meta({ minItems: MIN_DIFFERENTIAL, description: `at least ${MIN_DIFFERENTIAL} diagnoses, most likely first` }),
  workup: z.array(z.string()).default([]),
  reasoning_chain: z.array(z.string()).default([]),
});

export type Reasoning = z.infer<typeof ReasoningSchema>;
