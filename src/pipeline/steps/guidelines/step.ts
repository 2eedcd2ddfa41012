// Two modes: with a corpus, BM25 retrieval (no model call); without one, the model states the guidelines.
import { truncate } from "../../../datasets/errors.js";
import { buildIndex, search, type Bm25Index } from "../../bm25.js";
import { profileSummary, topDiagnoses } from "../../format.js";
import { runModelStep, skippedRecord, type StepContext, type StepResult } from "../../model-step.js";
import type { Guideline } from "../../types.js";
import type { Profile } from "../parse/schema.js";
import type { Reasoning } from "../reason/schema.js";
import { GuidelineOutputSchema, type GuidelineOutput } from "./schema.js";

export const GUIDELINES_MAX_TOKENS = 1024;
export const RETRIEVE_K = 5;
/** Guideline text passed downstream is clipped: it is re-sent to conflicts and synthesize. */
export const EXCERPT_MAX_CHARS = 600;

export function runGuidelines(profile: Profile, reasoning: Reasoning, ctx: StepContext): Promise<StepResult<GuidelineOutput>> {
  const corpus = ctx.opts.guidelinesCorpus;
  if (corpus !== null) return Promise.resolve(retrievalStep(corpus, reasoning.differential[0]?.diagnosis ?? profile.chief_complaint));
  const vars = { profile_summary: profileSummary(profile), top_diagnoses: topDiagnoses(reasoning) };
  return runModelStep({ id: "guidelines", vars, schema: GuidelineOutputSchema, maxTokens: GUIDELINES_MAX_TOKENS }, ctx);
}

const indexCache = new WeakMap<readonly Guideline[], Bm25Index>();

function indexOf(corpus: readonly Guideline[]): Bm25Index {
  let index = indexCache.get(corpus);
  if (!index) {
    // The title is repeated so that a title match outweighs a passing mention in a long text.
    index = buildIndex(corpus.map((g) => `${g.title} ${g.title} ${g.specialty} ${g.text}`));
    indexCache.set(corpus, index);
  }
  return index;
}

/** The top-k corpus entries for the top diagnosis, best first. */
export function retrieveGuidelines(corpus: readonly Guideline[], query: string, k = RETRIEVE_K): GuidelineOutput {
  const hits = search(indexOf(corpus), query, k);
  const chosen = hits.map((h) => ({ g: corpus[h.index] as Guideline, score: h.score }));
  return {
    query,
    recommendations: chosen.map(({ g }) => ({
      title: g.title,
      source: g.url ? `${g.source} (${g.url})` : g.source,
      recommendation: truncate(g.text, EXCERPT_MAX_CHARS),
    })),
    retrieved: chosen.map(({ g, score }) => ({ id: g.id, score: Math.round(score * 1000) / 1000 })),
  };
}

/** Retrieval for the top diagnosis; without a differential (reason failed), for the complaint. */
function retrievalStep(corpus: readonly Guideline[], query: string): StepResult<GuidelineOutput> {
  const value = retrieveGuidelines(corpus, query);
  return {
    value,
    // Retrieval costs no model call: an empty step record, marked ok, carrying what was retrieved.
    record: { ...skippedRecord(), status: "ok", output: value },
  };
}
