// HEAD-QA (Vilares & Gómez-Rodríguez, 2019), English, test split: Spanish healthcare specialisation exams
// (MIR, EIR, FIR, BIR, QIR, PIR 2016–17) in six categories, 2,742 questions. Options are numbered by `aid`
// (4 in the dev/test exams, 5 in the 2013–14 ones); `ra` is the right `aid`. Annulled questions are missing, so
// `qid`s have gaps. The authors' JSON may be a single line, so each problem names its JSON path as the field.
import type { RawItem } from "../load.js";
import { DataError } from "../errors.js";
import { JsonDocument, lettered, nonEmpty, problem, readBytes, readParquet, requireColumns, text, type JsonNode, type Problem } from "./common.js";
import type { DatasetSpec, FormatSpec, ReadInput, ReadResult } from "./types.js";

export const HEADQA_CATEGORIES = ["medicine", "nursery", "pharmacology", "biology", "chemistry", "psychology"] as const;
const MIN_OPTIONS = 4;
const MAX_OPTIONS = 5;

/** One question in either format, with the field-name prefix for its messages. */
interface Question {
  exam: string;
  category: unknown;
  qid: unknown;
  qtext: unknown;
  ra: unknown;
  answers: unknown;
  image: unknown;
}

/** The common shape: options ordered by aid (which must run 1..N), the key is the option whose aid is `ra`. */
export function toRaw(q: Question, at: string): { raw: unknown; key?: string } | { problem: Problem } {
  const category = typeof q.category === "string" ? q.category.trim().toLowerCase() : q.category;
  if (!HEADQA_CATEGORIES.includes(category as (typeof HEADQA_CATEGORIES)[number])) {
    return { problem: problem(`${at}category`, `one of ${HEADQA_CATEGORIES.join(", ")}`, q.category) };
  }
  if (!Array.isArray(q.answers) || q.answers.length < MIN_OPTIONS || q.answers.length > MAX_OPTIONS) {
    return { problem: problem(`${at}answers`, `${MIN_OPTIONS} or ${MAX_OPTIONS} answers {aid, atext}`, q.answers) };
  }
  const byAid = new Map<number, unknown>();
  for (const [i, a] of (q.answers as unknown[]).entries()) {
    const aid = Number((a as { aid?: unknown } | null)?.aid);
    if (!Number.isInteger(aid) || aid < 1 || aid > q.answers.length || byAid.has(aid)) {
      return { problem: problem(`${at}answers[${i}].aid`, `a distinct option number 1..${q.answers.length}`, (a as { aid?: unknown } | null)?.aid) };
    }
    byAid.set(aid, (a as { atext?: unknown }).atext);
  }
  const texts = [...byAid.keys()].sort((x, y) => x - y).map((aid) => byAid.get(aid));
  const opts = lettered(texts, `${at}answers`);
  if ("problem" in opts) return { problem: opts.problem };
  const ra = typeof q.ra === "string" && /^\s*\d+\s*$/.test(q.ra) ? Number(q.ra) : q.ra;
  if (typeof ra !== "number" || !byAid.has(ra)) return { problem: problem(`${at}ra`, `an answer aid 1..${texts.length}`, q.ra) };
  const qid = typeof q.qid === "number" || (typeof q.qid === "string" && q.qid.trim() !== "") ? String(q.qid).trim() : null;
  if (qid === null) return { problem: problem(`${at}qid`, "a question id", q.qid) };
  if (nonEmpty(q.qtext) === undefined) return { problem: problem(`${at}qtext`, "a non-empty string", q.qtext) };
  return {
    key: `${q.exam}-${qid}`,
    raw: { question: q.qtext, options: opts.options, answer_idx: "ABCDE"[ra - 1], strata: { category: category as string } },
  };
}

function result(file: string, sha256: string, items: RawItem[], withImage: number): ReadResult {
  const notes = withImage > 0 ? [`${withImage} question(s) refer to an image that the model does not see (kept, as in the benchmark)`] : [];
  return { items, sha256, files: [{ path: file, sha256 }], notes };
}

export const headqaJson: FormatSpec = {
  name: "headqa-json",
  describe: "the authors' HEAD_EN/*_HEAD_EN.json: {version, language, exams: {<exam>: {category, data: [{qid, qtext, ra, answers}]}}}",
  matches: (p, dir) => !dir && /\.json$/i.test(p),
  async read(input: ReadInput): Promise<ReadResult> {
    const { bytes, sha256 } = await readBytes(input.path);
    const doc = new JsonDocument(input.path, text(input.path, bytes));
    const exams = doc.root.type === "object" ? doc.get(doc.root, "exams") : undefined;
    if (exams === undefined || exams.type !== "object") {
      throw doc.error(exams ?? doc.root, problem(exams ? "exams" : "(json)", "an object {version, language, exams: {<exam>: …}}", doc.value(exams ?? doc.root)));
    }
    const language = doc.value(doc.get(doc.root, "language"));
    if (language !== undefined && language !== "en") {
      throw doc.error(doc.get(doc.root, "language")!, problem("language", `"en" (the English HEAD-QA)`, language));
    }
    const items: RawItem[] = [];
    let withImage = 0;
    for (const [exam, node] of doc.entries(exams)) {
      const data = node.type === "object" ? doc.get(node, "data") : undefined;
      if (data === undefined || data.type !== "array") {
        throw doc.error(data ?? node, problem(`exams.${exam}.data`, "a list of questions", doc.value(data)));
      }
      const category = doc.value(doc.get(node, "category"));
      (data.children ?? []).forEach((qNode: JsonNode, i: number) => {
        const at = `exams.${exam}.data[${i}].`;
        const line = doc.line(qNode);
        if (qNode.type !== "object") return items.push({ line, problem: problem(`exams.${exam}.data[${i}]`, "a question object", doc.value(qNode)) });
        const f = (k: string) => doc.value(doc.get(qNode, k));
        if (nonEmpty(f("image"))) withImage++;
        const q = { exam, category, qid: f("qid"), qtext: f("qtext"), ra: f("ra"), answers: f("answers"), image: f("image") };
        return items.push({ line, ...toRaw(q, at) });
      });
    }
    return result(input.path, sha256, dedupe(input.path, items), withImage);
  },
};

/** Two questions with one exam and qid would get one case id: refuse the second. */
function dedupe(file: string, items: RawItem[]): RawItem[] {
  const seen = new Map<string, number>();
  for (const it of items) {
    if (it.key === undefined) continue;
    const first = seen.get(it.key);
    if (first !== undefined) {
      throw new DataError({ file, line: it.line, ...(it.unit ? { unit: it.unit } : {}), field: "qid", expected: "each qid once per exam", got: `${it.key} again (first at ${it.unit === "row" ? "row" : "line"} ${first})` });
    }
    seen.set(it.key, it.line);
  }
  return items;
}

export const headqaParquet: FormatSpec = {
  name: "headqa-parquet",
  describe: "the Hugging Face copy (dvilares/head_qa, en/test-*.parquet): name, category, qid, qtext, ra, answers[{aid, atext}]",
  matches: (p, dir) => !dir && /\.parquet$/i.test(p),
  async read(input: ReadInput): Promise<ReadResult> {
    const { bytes, sha256 } = await readBytes(input.path);
    const table = await readParquet(input.path, bytes);
    requireColumns(input.path, table, ["name", "category", "qid", "qtext", "ra", "answers"], "headqa-parquet");
    let withImage = 0;
    const items: RawItem[] = table.rows.map((row, i) => {
      const image = row.image as { bytes?: unknown; path?: unknown } | string | null | undefined;
      if (image && (typeof image === "string" ? image !== "" : image.bytes != null || nonEmpty(image.path))) withImage++;
      const q = { exam: String(row.name ?? ""), category: row.category, qid: row.qid, qtext: row.qtext, ra: row.ra, answers: row.answers, image };
      return { line: i + 1, unit: "row" as const, ...toRaw(q, "") };
    });
    return result(input.path, sha256, dedupe(input.path, items), withImage);
  },
};

export const headqa: DatasetSpec = {
  name: "headqa",
  title: "HEAD-QA, English (test split)",
  idPrefix: "headqa-en-test",
  split: "test (English)",
  n_records: 2742,
  licence: "MIT (authors, aghie.github.io/head-qa)",
  homepage: "https://aghie.github.io/head-qa/",
  sources: () => [
    {
      cacheName: "test-00000-of-00001.parquet",
      url: (rev) => `https://huggingface.co/datasets/dvilares/head_qa/resolve/${rev}/en/test-00000-of-00001.parquet`,
      revision: "main",
    },
  ],
  formats: [headqaParquet, headqaJson],
  strata: [{ field: "category", keys: HEADQA_CATEGORIES }],
  diagnostic: false,
};
