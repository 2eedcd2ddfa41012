// MedMCQA (Pal et al., 2022): Indian medical entrance exam questions (AIIMS / NEET PG), 4 options. The test split
// has no public keys, so the benchmark is the validation split (the authors' dev.json), 4,183 questions.
// The answer key `cop` is 1-based (1 = opa) in the authors' JSON and 0-based in the Hugging Face copy: the base is
// detected from the file (a 0 or a 4 settles it), checked for consistency, and said out loud when only the
// format's documented convention can decide.
import path from "node:path";
import { DataError } from "../errors.js";
import type { RawItem } from "../load.js";
import { jsonLines, nonEmpty, problem, readBytes, readParquet, requireColumns, text, type Problem } from "./common.js";
import type { DatasetSpec, FormatSpec, ReadInput, ReadResult } from "./types.js";

const OPTION_FIELDS = ["opa", "opb", "opc", "opd"] as const;
const LETTER_OF = ["A", "B", "C", "D"] as const;
export const CHOICE_TYPES = ["single", "multi"] as const;

/** One record in either format, before the cop base is known. */
interface Pending {
  line: number;
  row: Record<string, unknown>;
}

export type CopBase = 0 | 1;

/**
 * The cop base of a file: 0 if some cop is 0, 1 if some cop is 4; both → the file mixes conventions (an error at
 * the later line); neither → `declared`, with a note saying the file could not tell. Each record's own check
 * (a whole number, 0..3 or 1..4) happens once the base is known, so a bad record stays skippable.
 */
export function detectCopBase(
  records: ReadonlyArray<{ line: number; cop: unknown }>,
  declared: CopBase,
  where: { file: string; unit?: "row"; format: string },
): { base: CopBase; note: string } {
  const at = (line: number) => (where.unit === "row" ? `row ${line}` : `line ${line}`);
  let zero: number | null = null;
  let four: number | null = null;
  for (const { line, cop } of records) {
    if (typeof cop !== "number") continue; // not a number: that record's own problem (toRaw), skippable
    if (cop === 0 && zero === null) zero = line;
    if (cop === 4 && four === null) four = line;
    if (zero !== null && four !== null) {
      throw new DataError({
        file: where.file,
        line,
        ...(where.unit ? { unit: where.unit } : {}),
        field: "cop",
        expected: "one numbering for the whole file",
        got: `cop ${cop} here, but cop ${cop === 0 ? 4 : 0} at ${at(cop === 0 ? four : zero)}: 0-based and 1-based answers mixed`,
      });
    }
  }
  if (zero !== null) return { base: 0, note: `cop is 0-based (0 = opa; cop 0 at ${at(zero)})` };
  if (four !== null) return { base: 1, note: `cop is 1-based (1 = opa; cop 4 at ${at(four)})` };
  const convention = declared === 1 ? "1-based (1 = opa), the authors' JSON convention" : "0-based (0 = opa), the Hugging Face convention";
  return {
    base: declared,
    note: `cop values are 1..3 only, so the file cannot tell its numbering: read as ${convention} of --format ${where.format}`,
  };
}

/** A record in the common shape, given the cop base. */
function toRaw(row: Record<string, unknown>, base: CopBase): { raw: unknown } | { problem: Problem } {
  const options: Record<string, unknown> = {};
  OPTION_FIELDS.forEach((f, i) => (options[LETTER_OF[i]!] = row[f]));
  for (const f of OPTION_FIELDS) {
    if (nonEmpty(row[f]) === undefined) return { problem: problem(f, "a non-empty option text", row[f]) };
  }
  const cop = row.cop;
  const letter = typeof cop === "number" && Number.isInteger(cop) ? LETTER_OF[cop - base] : undefined;
  if (letter === undefined) return { problem: problem("cop", base === 1 ? "1..4 (1-based: 1 = opa)" : "0..3 (0-based: 0 = opa)", cop) };
  const choice = row.choice_type;
  if (!CHOICE_TYPES.includes(choice as (typeof CHOICE_TYPES)[number])) return { problem: problem("choice_type", `"single" or "multi"`, choice) };
  const subject = nonEmpty(row.subject_name);
  if (subject === undefined) return { problem: problem("subject_name", "a non-empty string", row.subject_name) };
  return {
    raw: {
      question: row.question,
      options,
      answer_idx: letter,
      strata: { choice_type: choice as string, subject: subject.trim() },
    },
  };
}

function finish(file: string, sha256: string, pending: Pending[], lineProblems: RawItem[], base: { base: CopBase; note: string }, unit?: "row"): ReadResult {
  const items: RawItem[] = [...lineProblems];
  for (const p of pending) items.push({ line: p.line, ...(unit ? { unit } : {}), ...toRaw(p.row, base.base) });
  items.sort((a, b) => a.line - b.line);
  return { items, sha256, files: [{ path: file, sha256 }], notes: [`${path.basename(file)}: ${base.note}`] };
}

export const medmcqaJson: FormatSpec = {
  name: "medmcqa-json",
  describe: "the authors' dev.json: one JSON object per line (question, opa..opd, cop, choice_type, subject_name)",
  matches: (p, dir) => !dir && /\.jsonl?$/i.test(p),
  async read(input: ReadInput): Promise<ReadResult> {
    const { bytes, sha256 } = await readBytes(input.path);
    const pending: Pending[] = [];
    const problems: RawItem[] = [];
    for (const l of jsonLines(text(input.path, bytes))) {
      if (l.problem) problems.push({ line: l.line, problem: l.problem });
      else pending.push({ line: l.line, row: l.value! });
    }
    const base = detectCopBase(pending.map((p) => ({ line: p.line, cop: p.row.cop })), 1, { file: input.path, format: "medmcqa-json" });
    return finish(input.path, sha256, pending, problems, base);
  },
};

export const medmcqaParquet: FormatSpec = {
  name: "medmcqa-parquet",
  describe: "the Hugging Face copy (openlifescienceai/medmcqa, data/validation-*.parquet)",
  matches: (p, dir) => !dir && /\.parquet$/i.test(p),
  async read(input: ReadInput): Promise<ReadResult> {
    const { bytes, sha256 } = await readBytes(input.path);
    const table = await readParquet(input.path, bytes);
    requireColumns(input.path, table, ["question", ...OPTION_FIELDS, "cop", "choice_type", "subject_name"], "medmcqa-parquet");
    const pending = table.rows.map((row, i) => ({ line: i + 1, row }));
    const base = detectCopBase(pending.map((p) => ({ line: p.line, cop: p.row.cop })), 0, { file: input.path, unit: "row", format: "medmcqa-parquet" });
    return finish(input.path, sha256, pending, [], base, "row");
  },
};

export const medmcqa: DatasetSpec = {
  name: "medmcqa",
  title: "MedMCQA (validation split; the test split has no public keys)",
  idPrefix: "medmcqa-dev",
  split: "validation (the authors' dev.json)",
  n_records: 4183,
  licence: "MIT (authors, github.com/medmcqa/medmcqa); the Hugging Face card says Apache-2.0",
  homepage: "https://medmcqa.github.io",
  sources: () => [
    {
      cacheName: "validation-00000-of-00001.parquet",
      url: (rev) => `https://huggingface.co/datasets/openlifescienceai/medmcqa/resolve/${rev}/data/validation-00000-of-00001.parquet`,
      revision: "main",
    },
  ],
  formats: [medmcqaParquet, medmcqaJson],
  strata: [{ field: "choice_type", keys: CHOICE_TYPES }, { field: "subject" }],
  diagnostic: false,
};
