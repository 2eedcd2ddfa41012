// Writes the small Parquet fixtures of the registry's Hugging Face formats (test/fixtures/datasets/registry/*),
// in the column layout of each benchmark's HF copy, with synthetic questions (no benchmark text).
// hyparquet-writer is a devDependency; the fixtures are committed, so tests do not need this script to run.
// Usage: node scripts/make-parquet-fixtures.mjs
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parquetWriteBuffer } from "hyparquet-writer";

const OUT = "test/fixtures/datasets/registry";

const str = (name, optional = true) => ({ name, type: "BYTE_ARRAY", converted_type: "UTF8", repetition_type: optional ? "OPTIONAL" : "REQUIRED" });
const int64 = (name) => ({ name, type: "INT64", repetition_type: "OPTIONAL" });
const int32 = (name) => ({ name, type: "INT32", repetition_type: "OPTIONAL" });
/** A pyarrow-style list<item>: optional group (LIST) → repeated group list → element. */
const list = (name, element) => [
  { name, repetition_type: "OPTIONAL", converted_type: "LIST", num_children: 1 },
  { name: "list", repetition_type: "REPEATED", num_children: 1 },
  ...(Array.isArray(element) ? element : [{ ...element, name: "element" }]),
];
const struct = (name, children) => [{ name, repetition_type: "OPTIONAL", num_children: children.length }, ...children.flat()];

/** rows → columnData + a schema whose top-level children are `fields` (each a schema element list). */
export function table(rows, fields) {
  const flat = fields.map((f) => (Array.isArray(f) ? f : [f]));
  const names = flat.map((f) => f[0].name);
  return {
    columnData: names.map((n) => ({ name: n, data: rows.map((r) => r[n] ?? null) })),
    schema: [{ name: "schema", num_children: names.length }, ...flat.flat()],
  };
}

export function write(file, rows, fields) {
  const buf = parquetWriteBuffer({ ...table(rows, fields), statistics: false });
  writeFileSync(file, new Uint8Array(buf));
}

const topics = ["fever", "anemia", "asthma", "gout", "sepsis", "stroke", "eczema", "angina", "mumps", "scurvy", "rickets", "tetanus"];
const N = 24;

// medmcqa-parquet (openlifescienceai/medmcqa): cop is 0-based.
const medmcqaRows = Array.from({ length: N }, (_, i) => ({
  id: `fixture-${i}`,
  question: `Synthetic MedMCQA-style question ${i}: which option is keyed for ${topics[i % topics.length]}?`,
  exp: i % 3 === 0 ? null : `Explanation ${i}.`,
  cop: BigInt(i % 4),
  opa: `Option alpha ${i}`,
  opb: `Option beta ${i}`,
  opc: `Option gamma ${i}`,
  opd: `Option delta ${i}`,
  subject_name: ["Anatomy", "Physiology", "Pharmacology"][i % 3],
  topic_name: i % 2 ? null : `Topic ${i}`,
  choice_type: i % 5 === 0 ? "multi" : "single",
}));
export const MEDMCQA_FIELDS = [str("id"), str("question"), str("exp"), int64("cop"), str("opa"), str("opb"), str("opc"), str("opd"), str("subject_name"), str("topic_name"), str("choice_type")];

// pubmedqa-parquet (qiaojin/PubMedQA pqa_labeled).
const decisions = ["yes", "no", "maybe"];
const pubmedRows = Array.from({ length: N }, (_, i) => ({
  pubid: BigInt(10_000_000 + i),
  question: `Does synthetic exposure ${i} change outcome ${topics[i % topics.length]}?`,
  context: {
    contexts: [`Background of study ${i}.`, `Methods of study ${i}.`, `Results of study ${i}.`],
    labels: ["BACKGROUND", "METHODS", "RESULTS"],
    meshes: ["Humans"],
  },
  long_answer: `Long answer ${i}.`,
  final_decision: decisions[i % 3],
}));
export const PUBMEDQA_FIELDS = [
  int64("pubid"),
  str("question"),
  struct("context", [list("contexts", str("element")), list("labels", str("element")), list("meshes", str("element"))]),
  str("long_answer"),
  str("final_decision"),
];

// mmlu-parquet (cais/mmlu <subject>/test-*.parquet): answer is 0-based.
const mmluRows = (subject, n) =>
  Array.from({ length: n }, (_, i) => ({
    question: `Synthetic ${subject} question ${i}?`,
    subject,
    choices: [`first ${i}`, `second ${i}`, `third ${i}`, `fourth ${i}`],
    answer: BigInt((i * 3) % 4),
  }));
export const MMLU_FIELDS = [str("question"), str("subject"), list("choices", str("element")), int64("answer")];

// headqa-parquet (dvilares/head_qa en): ra and aid 1-based; some exams have 5 options.
const categories = ["medicine", "nursery", "pharmacology", "biology", "chemistry", "psychology"];
const headqaRows = Array.from({ length: N }, (_, i) => {
  const n = i % 4 === 3 ? 5 : 4;
  return {
    name: `Cuaderno_2016_1_${"MEFBQP"[i % 6]}`,
    year: "2016",
    category: categories[i % 6],
    qid: Math.floor(i / 6) + 1,
    qtext: `Synthetic HEAD-QA question ${i} on ${topics[i % topics.length]}:`,
    ra: (i % n) + 1,
    image: i === 5 ? { bytes: null, path: "img5.png" } : null,
    answers: Array.from({ length: n }, (_, k) => ({ aid: k + 1, atext: `Answer ${k + 1} of ${i}` })),
  };
});
export const HEADQA_FIELDS = [
  str("name"),
  str("year"),
  str("category"),
  int32("qid"),
  str("qtext"),
  int32("ra"),
  struct("image", [{ name: "bytes", type: "BYTE_ARRAY", repetition_type: "OPTIONAL" }, str("path")]),
  list("answers", [{ name: "element", repetition_type: "OPTIONAL", num_children: 2 }, int32("aid"), str("atext")]),
];

if (import.meta.url === `file://${process.argv[1]}`) {
  mkdirSync(join(OUT, "mmlu-parquet"), { recursive: true });
  write(join(OUT, "medmcqa-validation.parquet"), medmcqaRows, MEDMCQA_FIELDS);
  write(join(OUT, "pubmedqa-pqal.parquet"), pubmedRows, PUBMEDQA_FIELDS);
  write(join(OUT, "mmlu-parquet", "anatomy_test.parquet"), mmluRows("anatomy", 12), MMLU_FIELDS);
  write(join(OUT, "mmlu-parquet", "college_medicine_test.parquet"), mmluRows("college_medicine", 12), MMLU_FIELDS);
  write(join(OUT, "headqa-en-test.parquet"), headqaRows, HEADQA_FIELDS);
  console.log(`wrote Parquet fixtures under ${OUT}`);
}
