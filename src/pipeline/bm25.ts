// Okapi BM25 over a small guideline corpus: pure, dependency-free, deterministic (ties keep corpus order).

const STOPWORDS = new Set(
  ("a an and are as at be by for from in into is it of on or the to with without this that these those was were " +
    "which who whom its their than then there not no patient patients")
    .split(" "),
);

/** Lower-cased alphanumeric words minus stopwords; "type-2" → ["type", "2"]. */
export function tokenize(text: string): string[] {
  return (text.toLowerCase().match(/[a-z0-9]+/g) ?? []).filter((t) => !STOPWORDS.has(t));
}

export interface Bm25Params {
  k1: number;
  b: number;
}

export const DEFAULT_BM25: Bm25Params = { k1: 1.2, b: 0.75 };

export interface Bm25Hit {
  /** Index of the document in the corpus. */
  index: number;
  score: number;
}

export interface Bm25Index {
  docs: Map<string, number>[];
  lengths: number[];
  avgLength: number;
  /** Documents containing each term. */
  df: Map<string, number>;
}

export function buildIndex(documents: readonly string[]): Bm25Index {
  const docs = documents.map((d) => termCounts(tokenize(d)));
  const lengths = docs.map((m) => [...m.values()].reduce((a, b) => a + b, 0));
  const df = new Map<string, number>();
  for (const m of docs) for (const term of m.keys()) df.set(term, (df.get(term) ?? 0) + 1);
  const avgLength = lengths.length === 0 ? 0 : lengths.reduce((a, b) => a + b, 0) / lengths.length;
  return { docs, lengths, avgLength, df };
}

function termCounts(tokens: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const t of tokens) m.set(t, (m.get(t) ?? 0) + 1);
  return m;
}

/** The top `k` documents with a positive score, best first. */
export function search(index: Bm25Index, query: string, k: number, params: Bm25Params = DEFAULT_BM25): Bm25Hit[] {
  const n = index.docs.length;
  // Query terms found in the corpus, each with its IDF (computed once per query, not once per document).
  // The "+1" form of IDF keeps terms present in most documents slightly positive instead of negative.
  const terms: { term: string; idf: number }[] = [];
  for (const term of new Set(tokenize(query))) {
    const df = index.df.get(term) ?? 0;
    if (df > 0) terms.push({ term, idf: Math.log(1 + (n - df + 0.5) / (df + 0.5)) });
  }
  const hits: Bm25Hit[] = [];
  if (terms.length === 0) return hits;
  index.docs.forEach((counts, i) => {
    let score = 0;
    const norm = index.avgLength > 0 ? (index.lengths[i] ?? 0) / index.avgLength : 1;
    for (const { term, idf } of terms) {
      const tf = counts.get(term);
      if (!tf) continue;
      score += (idf * tf * (params.k1 + 1)) / (tf + params.k1 * (1 - params.b + params.b * norm));
    }
    if (score > 0) hits.push({ index: i, score });
  });
  // Array.prototype.sort is stable, so equal scores keep corpus order.
  return hits.sort((a, b) => b.score - a.score).slice(0, k);
}
