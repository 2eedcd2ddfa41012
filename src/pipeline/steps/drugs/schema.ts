// drugs → interactions among current and likely-proposed medications, plus other drug warnings.
import { z } from "zod";

export const DrugReviewSchema = z.object({
  interactions: z
    .array(
      z.object({
        drug_a: z.string(),
        drug_b: z.string(),
        severity: z.enum(["major", "moderate", "minor"]),
        description: z.string().default(""),
      }),
    )
    .default([]),
  warnings: z.array(z.string()).default([]).describe("contraindications, allergy, dosing or monitoring concerns"),
});

export type DrugReview = z.infer<typeof DrugReviewSchema>;
