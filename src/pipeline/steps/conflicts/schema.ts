// conflicts → where the patient's facts or the working plan depart from guidelines or drug safety.
import { z } from "zod";

export const ConflictType = z.enum(["omission", "contradiction", "dosage", "monitoring", "allergy_risk", "interaction_gap"]);
export const Severity = z.enum(["high", "moderate", "low"]);

export const ConflictsSchema = z.object({
  conflicts: z
    .array(
      z.object({
        type: ConflictType,
        severity: Severity,
        guideline_source: z.string().default(""),
        patient_fact: z.string(),
        resolution: z.string().default(""),
      }),
    )
    .default([]),
});

export type Conflicts = z.infer<typeof ConflictsSchema>;
