// guidelines → recommendations relevant to the leading diagnoses (model-stated, or retrieved from a corpus).
import { z } from "zod";

export const GuidelineOutputSchema = z.object({
  recommendations: z
    .array(
      z.object({
        title: z.string(),
        source: z.string().default(""),
        recommendation: z.string(),
      }),
    )
    .default([]),
});

export type GuidelineOutput = z.infer<typeof GuidelineOutputSchema> & {
  /** Retrieval mode only: which corpus entries were used, with their BM25 scores. */
  retrieved?: { id: string; score: number }[];
  query?: string;
};
