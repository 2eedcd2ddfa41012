// PubMedQA (Jin et al., 2019), PQA-L: 1,000 expert-labelled research questions, each answered yes / no / maybe
// from a PubMed abstract. Asked here as a 3-option question (A yes, B no, C maybe) after the abstract's labelled
// sections. `--split test` keeps the standard 500-question test split (the ids of test_ground_truth.json).
import path from "node:path";
import { DataError } from "../errors.js";
import type { RawItem } from "../load.js";
import { duplicateKey, JsonDocument, nonEmpty, problem, readBytes, readParquet, requireColumns, text, type FileBytes, type JsonNode, type Problem } from "./common.js";
import type { DatasetSpec, FormatSpec, ReadInput, ReadResult } from "./types.js";

export const DECISIONS = ["yes", "no", "maybe"] as const;
const OPTIONS = { A: "yes", B: "no", C: "maybe" } as const;
const LETTER_OF: Record<string, "A" | "B" | "C"> = { yes: "A", no: "B", maybe: "C" };
export const TEST_IDS_FILE = "test_ground_truth.json";

/** The abstract as the model reads it: one `LABEL: text` paragraph per section (unlabelled sections bare). */
export function contextText(contexts: readonly string[], labels: readonly unknown[]): string {
  return contexts.map((c, i) => (nonEmpty(labels[i]) ? `${String(labels[i]).trim()}: ${c.trim()}` : c.trim())).join("\n\n");
}

/** The common shape, from an entry's question, sections, labels and decision (either format). */
function toRaw(question: unknown, contexts: unknown, labels: unknown, decision: unknown): { raw: unknown } | { problem: Problem } {
  if (!Array.isArray(contexts) || contexts.length === 0 || contexts.some((c) => nonEmpty(c) === undefined)) {
    return { problem: problem("CONTEXTS", "a non-empty list of abstract sections (strings)", contexts) };
  }
  if (labels !== undefined && labels !== null && (!Array.isArray(labels) || labels.length !== contexts.length)) {
    return { problem: problem("LABELS", `one label per section (${contexts.length})`, labels) };
  }
  const d = typeof decision === "string" ? decision.trim().toLowerCase() : decision;
  const letter = typeof d === "string" ? LETTER_OF[d] : undefined;
  if (letter === undefined) return { problem: problem("final_decision", `"yes", "no" or "maybe"`, decision) };
  return {
    raw: {
      question,
      options: { ...OPTIONS },
      answer_idx: letter,
      context: contextText(contexts as string[], (labels as unknown[] | null | undefined) ?? []),
      strata: { decision: d as string },
    },
  };
}

/** The test split's ids and labels: an object PMID → decision; each must be in the data with the same decision. */
async function testIds(input: ReadInput): Promise<{ file: string; doc: JsonDocument; ids: Map<string, { label: unknown; node: JsonNode }> } | null> {
  if (input.split !== "test") return null;
  const file = input.splitFile ?? path.join(path.dirname(input.path), TEST_IDS_FILE);
  const { bytes }: FileBytes = await readBytes(file).catch((err: unknown) => {
    if (err instanceof DataError && input.splitFile === null) {
      throw new DataError(err.issue, `${err.message}: --split test needs the test ids (PubMedQA's ${TEST_IDS_FILE}); put it beside ${input.path} or pass --split-file PATH`);
    }
    throw err;
  });
  const doc = new JsonDocument(file, text(file, bytes));
  if (doc.root.type !== "object") throw doc.error(doc.root, problem("(json)", "an object of PMID → yes/no/maybe", doc.value(doc.root)));
  const dup = duplicateKey(doc, doc.root);
  if (dup) throw doc.error(dup.node, problem("(pmid)", "each PMID once", dup.key));
  return { file, doc, ids: new Map(doc.entries(doc.root).map(([k, v]) => [k, { label: doc.value(v), node: v }])) };
}

/** Keeps the test split's entries (when asked), checking the ids file against the data both ways it can disagree. */
function selectSplit(
  entries: Array<{ pmid: string; line: number; decision: unknown; item: RawItem }>,
  split: Awaited<ReturnType<typeof testIds>>,
): RawItem[] {
  if (split === null) return entries.map((e) => e.item);
  const byId = new Map(entries.map((e) => [e.pmid, e]));
  for (const [pmid, { label, node }] of split.ids) {
    const e = byId.get(pmid);
    if (e === undefined) throw split.doc.error(node, problem(pmid, "a PMID present in the data file", "not in it"));
    const decision = typeof e.decision === "string" ? e.decision.trim().toLowerCase() : e.decision;
    if (label !== decision) throw split.doc.error(node, problem(pmid, `the data's final_decision ${JSON.stringify(decision)}`, label));
  }
  return entries.filter((e) => split.ids.has(e.pmid)).map((e) => e.item);
}

function result(input: ReadInput, fb: FileBytes, items: RawItem[], split: Awaited<ReturnType<typeof testIds>>, total: number): ReadResult {
  const notes = split === null ? [] : [`--split test: ${items.length} of ${total} questions (ids from ${split.file})`];
  return { items, sha256: fb.sha256, files: [{ path: input.path, sha256: fb.sha256 }], notes };
}

export const pubmedqaJson: FormatSpec = {
  name: "pubmedqa-json",
  describe: "the authors' ori_pqal.json: an object PMID → {QUESTION, CONTEXTS, LABELS, final_decision, …}",
  matches: (p, dir) => !dir && /\.json$/i.test(p),
  async read(input: ReadInput): Promise<ReadResult> {
    const fb = await readBytes(input.path);
    const split = await testIds(input);
    const doc = new JsonDocument(input.path, text(input.path, fb.bytes));
    if (doc.root.type !== "object") throw doc.error(doc.root, problem("(json)", "an object keyed by PMID", doc.value(doc.root)));
    const dup = duplicateKey(doc, doc.root);
    if (dup) throw doc.error(dup.node, problem("(pmid)", "each PMID once", dup.key));
    const entries = doc.entries(doc.root).map(([pmid, node, keyNode]) => {
      const line = doc.line(keyNode);
      const field = (k: string) => doc.value(doc.get(node, k));
      const item: RawItem =
        node.type !== "object"
          ? { line, key: pmid, problem: problem(pmid, "an object {QUESTION, CONTEXTS, LABELS, final_decision}", doc.value(node)) }
          : !/^\d+$/.test(pmid)
            ? { line, key: pmid, problem: problem("(pmid)", "a numeric PubMed id", pmid) }
            : { line, key: pmid, ...withQuestionField(toRaw(field("QUESTION"), field("CONTEXTS"), field("LABELS"), field("final_decision"))) };
      return { pmid, line, decision: node.type === "object" ? field("final_decision") : undefined, item };
    });
    return result(input, fb, selectSplit(entries, split), split, entries.length);
  },
};

/** validateRecord names the field `question`; the authors' file calls it QUESTION. */
function withQuestionField(r: { raw: unknown } | { problem: Problem }): { raw: unknown } | { problem: Problem } {
  if ("problem" in r) return r;
  const q = (r.raw as { question: unknown }).question;
  return typeof q === "string" && q.trim() !== "" ? r : { problem: problem("QUESTION", "a non-empty string", q) };
}

export const pubmedqaParquet: FormatSpec = {
  name: "pubmedqa-parquet",
  describe: "the Hugging Face copy (qiaojin/PubMedQA, pqa_labeled/train-*.parquet): pubid, question, context{contexts, labels}, final_decision",
  matches: (p, dir) => !dir && /\.parquet$/i.test(p),
  async read(input: ReadInput): Promise<ReadResult> {
    const fb = await readBytes(input.path);
    const split = await testIds(input);
    const table = await readParquet(input.path, fb.bytes);
    requireColumns(input.path, table, ["pubid", "question", "context", "final_decision"], "pubmedqa-parquet");
    const entries = table.rows.map((row, i) => {
      const ctx = (row.context ?? {}) as { contexts?: unknown; labels?: unknown };
      const pmid = String(row.pubid);
      const item: RawItem = { line: i + 1, unit: "row", key: pmid, ...toRaw(row.question, ctx.contexts, ctx.labels, row.final_decision) };
      return { pmid, line: i + 1, decision: row.final_decision, item };
    });
    return result(input, fb, selectSplit(entries, split), split, entries.length);
  },
};

export const pubmedqa: DatasetSpec = {
  name: "pubmedqa",
  title: "PubMedQA PQA-L (expert-labelled; --split test: the standard 500)",
  idPrefix: "pubmedqa-pqal",
  split: "PQA-L, all 1,000 (--split test: 500)",
  n_records: 1000,
  licence: "MIT (authors, github.com/pubmedqa/pubmedqa)",
  homepage: "https://pubmedqa.github.io",
  sources: ({ split }) => [
    {
      cacheName: "ori_pqal.json",
      url: (rev) => `https://raw.githubusercontent.com/pubmedqa/pubmedqa/${rev}/data/ori_pqal.json`,
      revision: "master",
      sha256: "8b3276be8942ebbd77f3ddcda12c1749bf0e490045a736fd8438ee40cf37a41d",
      size: 2_584_787,
    },
    ...(split === "test"
      ? [{ cacheName: TEST_IDS_FILE, url: (rev: string) => `https://raw.githubusercontent.com/pubmedqa/pubmedqa/${rev}/data/${TEST_IDS_FILE}`, revision: "master" }]
      : []),
  ],
  formats: [pubmedqaJson, pubmedqaParquet],
  strata: [{ field: "decision", keys: DECISIONS }],
  diagnostic: false,
  splits: ["test"],
};
