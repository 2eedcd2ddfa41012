// MMLU (Hendrycks et al., 2021), the six medical subjects the old harness ran, test split: anatomy (135),
// clinical_knowledge (265), college_biology (144), college_medicine (173), medical_genetics (100),
// professional_medicine (272) = 1,089 questions, 4 options. `--subjects` chooses among them; subject is a stratum.
// The authors' CSVs have no header (question, A, B, C, D, answer letter), the subject only in the file name, CRLF
// or LF line ends, maybe no final newline, and quoted fields that may span lines.
import { readdirSync } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import path from "node:path";
import { parse as parseCsv } from "csv-parse/sync";
import { DataError } from "../errors.js";
import { csvStartLines, type RawItem } from "../load.js";
import { letterAt, lettered, manifestSha256, problem, readBytes, readParquet, requireColumns, text } from "./common.js";
import type { DatasetSpec, FormatSpec, ReadInput, ReadResult } from "./types.js";

export const MMLU_MEDICAL_SUBJECTS = [
  "anatomy",
  "clinical_knowledge",
  "college_biology",
  "college_medicine",
  "medical_genetics",
  "professional_medicine",
] as const;

const CSV_COLUMNS = 6;

/** `anatomy_test.csv` → `anatomy`; `anatomy/test-00000-of-00001.parquet` → `anatomy`. */
export function subjectOfFile(file: string): string | null {
  const base = path.basename(file).toLowerCase();
  const m = /^([a-z_]+?)_test\.(csv|parquet)$/.exec(base);
  if (m) return m[1]!;
  if (/^test-\d+-of-\d+\.parquet$/.test(base)) return path.basename(path.dirname(file)).toLowerCase();
  return null;
}

const pad = (i: number) => String(i).padStart(4, "0");

/** Does a folder hold subject files of this extension (`<subject>_test.ext`, or HF's `<subject>/test-*.parquet`)? */
function folderHas(dir: string, ext: "csv" | "parquet"): boolean {
  try {
    const names = readdirSync(dir);
    return names.some((n) => n.endsWith(`_test.${ext}`)) || (ext === "parquet" && MMLU_MEDICAL_SUBJECTS.some((s) => names.includes(s)));
  } catch {
    return false;
  }
}

/** The subject files to read: one named file, or the chosen subjects' files in a folder (in subject order). */
async function subjectFiles(input: ReadInput, ext: "csv" | "parquet"): Promise<Array<{ file: string; subject: string }>> {
  const chosen: readonly string[] = input.subjects ?? MMLU_MEDICAL_SUBJECTS;
  const isDir = await stat(input.path).then((s) => s.isDirectory(), () => false);
  if (!isDir) {
    const subject = subjectOfFile(input.path);
    if (subject === null || !(MMLU_MEDICAL_SUBJECTS as readonly string[]).includes(subject)) {
      throw new DataError({
        file: input.path,
        line: 0,
        field: "(file name)",
        expected: `<subject>_test.${ext} with subject one of ${MMLU_MEDICAL_SUBJECTS.join(", ")} (MMLU files carry the subject only in their name)`,
        got: path.basename(input.path),
      });
    }
    if (!chosen.includes(subject)) {
      throw new DataError({ file: input.path, line: 0, field: "(file name)", expected: `a file of --subjects ${chosen.join(",")}`, got: subject });
    }
    return [{ file: input.path, subject }];
  }
  const names = await readdir(input.path);
  // Without --subjects a folder gives the subjects it holds (a partial folder is named in a note, not an error).
  const present = MMLU_MEDICAL_SUBJECTS.filter((sub) => names.includes(`${sub}_test.${ext}`) || (ext === "parquet" && names.includes(sub)));
  const wanted = input.subjects ?? present;
  if (wanted.length === 0) {
    throw new DataError({ file: input.path, line: 0, field: "(folder)", expected: `<subject>_test.${ext} files of ${MMLU_MEDICAL_SUBJECTS.join(", ")}`, got: "none" });
  }
  return Promise.all(
    wanted.map(async (subject) => {
      const flat = `${subject}_test.${ext}`;
      if (names.includes(flat)) return { file: path.join(input.path, flat), subject };
      if (ext === "parquet" && names.includes(subject)) {
        const inner = (await readdir(path.join(input.path, subject))).filter((n) => /^test-\d+-of-\d+\.parquet$/.test(n)).sort();
        if (inner.length === 1) return { file: path.join(input.path, subject, inner[0]!), subject };
      }
      throw new DataError({ file: input.path, line: 0, field: "(folder)", expected: `${flat} for subject ${subject}`, got: "no such file" }, `${input.path}: no ${flat} for subject ${subject} (choose others with --subjects)`);
    }),
  );
}

function finish(files: Array<{ path: string; sha256: string }>, items: RawItem[], input: ReadInput): ReadResult {
  const sha256 = files.length === 1 ? files[0]!.sha256 : manifestSha256(files, (p) => path.basename(p));
  const notes = files.length > 1 ? [`${files.length} subject files; the dataset sha256 is that of their sha256sum-style list`] : [];
  const subjects = [...new Set(items.map((i) => i.key?.replace(/-\d+$/, "")))];
  if (input.subjects) notes.push(`--subjects ${input.subjects.join(",")}`);
  else if (subjects.length < MMLU_MEDICAL_SUBJECTS.length) notes.push(`${subjects.length} of ${MMLU_MEDICAL_SUBJECTS.length} subjects: ${subjects.join(", ")}`);
  return { items, sha256, files, notes };
}

interface CsvRecord {
  record: string[];
  info: { lines: number };
}

/** One subject CSV's records with the line each starts on. */
function csvRecords(file: string, body: string): Array<{ line: number; cells: string[] }> {
  let parsed: CsvRecord[];
  try {
    parsed = parseCsv(body, { bom: true, info: true, relax_column_count: true, skip_empty_lines: true }) as unknown as CsvRecord[];
  } catch (err) {
    const e = err as Error & { lines?: number };
    throw new DataError({ file, line: e.lines ?? 0, field: "(csv)", expected: "well-formed CSV", got: e.message });
  }
  const startLine = csvStartLines();
  return parsed.map(({ record, info }) => ({ line: startLine(record, info.lines), cells: record }));
}

export const mmluCsv: FormatSpec = {
  name: "mmlu-csv",
  describe: "the authors' data/test/<subject>_test.csv (no header: question,A,B,C,D,answer), a file or a folder of them",
  matches: (p, dir) => (dir ? folderHas(p, "csv") : /\.csv$/i.test(p)),
  async read(input: ReadInput): Promise<ReadResult> {
    const files: Array<{ path: string; sha256: string }> = [];
    const items: RawItem[] = [];
    for (const { file, subject } of await subjectFiles(input, "csv")) {
      const { bytes, sha256 } = await readBytes(file);
      files.push({ path: file, sha256 });
      csvRecords(file, text(file, bytes)).forEach(({ line, cells }, i) => {
        const base = { line, file, key: `${subject}-${pad(i)}` };
        if (cells.length !== CSV_COLUMNS) {
          items.push({ ...base, problem: problem("(row)", `${CSV_COLUMNS} columns (question,A,B,C,D,answer; no header)`, `${cells.length} column(s)`) });
          return;
        }
        const [question, a, b, c, d, answer] = cells as [string, string, string, string, string, string];
        items.push({ ...base, raw: { question, options: { A: a, B: b, C: c, D: d }, answer_idx: answer, strata: { subject } } });
      });
    }
    return finish(files, items, input);
  },
};

export const mmluParquet: FormatSpec = {
  name: "mmlu-parquet",
  describe: "the Hugging Face copy (cais/mmlu, <subject>/test-*.parquet: question, subject, choices, answer 0..3), a file or a folder",
  matches: (p, dir) => (dir ? folderHas(p, "parquet") : /\.parquet$/i.test(p)),
  async read(input: ReadInput): Promise<ReadResult> {
    const files: Array<{ path: string; sha256: string }> = [];
    const items: RawItem[] = [];
    for (const { file, subject } of await subjectFiles(input, "parquet")) {
      const { bytes, sha256 } = await readBytes(file);
      files.push({ path: file, sha256 });
      const table = await readParquet(file, bytes);
      requireColumns(file, table, ["question", "choices", "answer"], "mmlu-parquet");
      table.rows.forEach((row, i) => {
        const base = { line: i + 1, unit: "row" as const, file, key: `${subject}-${pad(i)}` };
        const choices = row.choices;
        if (!Array.isArray(choices)) return items.push({ ...base, problem: problem("choices", "a list of option texts", choices) });
        const opts = lettered(choices, "choices");
        if ("problem" in opts) return items.push({ ...base, problem: opts.problem });
        const letter = letterAt(row.answer, choices.length);
        if (letter === null) return items.push({ ...base, problem: problem("answer", `an option index 0..${choices.length - 1}`, row.answer) });
        if (typeof row.subject === "string" && row.subject !== "" && row.subject !== subject) {
          return items.push({ ...base, problem: problem("subject", `"${subject}" (the file's subject)`, row.subject) });
        }
        return items.push({ ...base, raw: { question: row.question, options: opts.options, answer_idx: letter, strata: { subject } } });
      });
    }
    return finish(files, items, input);
  },
};

export const mmluMedical: DatasetSpec = {
  name: "mmlu-medical",
  title: "MMLU, 6 medical subjects (test split)",
  idPrefix: "mmlu-medical-test",
  split: `test: ${MMLU_MEDICAL_SUBJECTS.join(", ")}`,
  n_records: 1089,
  licence: "MIT (authors, github.com/hendrycks/test)",
  homepage: "https://github.com/hendrycks/test",
  sources: ({ subjects }) =>
    (subjects ?? MMLU_MEDICAL_SUBJECTS).map((subject) => ({
      cacheName: `${subject}_test.parquet`,
      url: (rev: string) => `https://huggingface.co/datasets/cais/mmlu/resolve/${rev}/${subject}/test-00000-of-00001.parquet`,
      revision: "main",
    })),
  cachedPath: (dir) => dir, // the folder of <subject>_test.parquet files
  formats: [mmluParquet, mmluCsv],
  strata: [{ field: "subject", keys: MMLU_MEDICAL_SUBJECTS }],
  diagnostic: false,
  subjects: MMLU_MEDICAL_SUBJECTS,
};
