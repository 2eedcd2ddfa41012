// reason → a ranked differential with the evidence behind each item, the work-up and the reasoning chain.
import { z } from "zod";

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
    .min(5)
    .describe("at least 5 diagnoses, most likely first"),
  workup: z.array(z.string()).default([]),
  reasoning_chain: z.array(z.string()).default([]),
});

export type Reasoning = z.infer<typeof ReasoningSchema>;
