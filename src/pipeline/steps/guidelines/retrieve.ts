// BM25 retrieval from a guideline corpus (`--guidelines-file`, or a pipeline step's `retrieval.corpus`): the top-k
// entries for a query, in the guidelines step's output shape. No model call.
import { truncate } from "../../../datasets/errors.js";
import { buildIndex, search, type Bm25Index } from "../../bm25.js";
import type { Guideline } from "../../types.js";
import type { GuidelineOutput } from "./schema.js";

export const RETRIEVE_K = 5;
/** Guideline text passed downstream is clipped: it is re-sent to conflicts and synthesize. */
export const EXCERPT_MAX_CHARS = 600;

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
