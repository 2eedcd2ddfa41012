// synthesize → the CDS report. Scoring reads `differential` (top-1/top-3), so it is required and non-empty;
// everything else is lenient.
import { z } from "zod";
import { Likelihood } from "../reason/schema.js";

export const ReportSchema = z.object({
  patient_summary: z.string().default(""),
  differential: z
    .array(
      z.object({
        diagnosis: z.string().min(1),
        likelihood: Likelihood.optional(),
        reasoning: z.string().default(""),
      }),
    )
    .min(1)
    .describe("most likely first"),
  drug_warnings: z.array(z.string()).default([]),
  guideline_recommendations: z.array(z.string()).default([]),
  next_steps: z.array(z.string()).default([]),
  caveats: z.array(z.string()).default([]),
  conflicts: z.array(z.string()).default([]),
  sources: z.array(z.string()).default([]),
});

export type Report = z.infer<typeof ReportSchema>;
