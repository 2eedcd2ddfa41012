// Loads a multiple-choice dataset (MedQA JSONL or a CSV) into validated Cases, streaming the file once:
// the bytes feed the file's sha256 while lines (or CSV rows) are parsed, so memory stays flat apart from
// the cases themselves. A `.gz` file (the MedQA copy shipped with the package) is decompressed on the way;
// its sha256 is that of the decompressed bytes, so it equals the uncompressed file's and runs compare.
import { createHash, type Hash } from "node:crypto";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import path from "node:path";
import { Transform, pipeline, type Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import { StringDecoder } from "node:string_decoder";
import { parse as parseCsv } from "csv-parse";
import { LETTERS, type Case, type DataIssue, type Dataset, type Letter } from "../types.js";
import { DataError, describeValue } from "./errors.js";
import { utf8Guard } from "./utf8.js";
import { contentHash, validateRecord, type RecordProblem } from "./validate.js";

export interface LoadOptions {
  /** Dataset name used in case ids; default derived from the file name (see datasetNameFor). */
  name?: string;
  /** Record bad records in `dataset.skipped` instead of failing on the first one. */
  skipInvalid?: boolean;
  /** The sha256 the (decompressed) bytes must have; a mismatch is a DataError naming both hashes. */
  expectSha256?: string;
}

export type DatasetFormat = Dataset["format"];

/** The file names the MedQA US 4-option test split is published under. */
const MEDQA_TEST_BASENAMES = new Set(["us_4options_test.jsonl", "phrases_no_exclude_test.jsonl"]);
export const MEDQA_DATASET_NAME = "medqa-us4-test";

/** `medqa-us4-test` for the MedQA test file, else the lower-cased basename with non-alphanumerics → `-`. */
export function datasetNameFor(filePath: string): string {
  const base = path.basename(stripGz(filePath));
  if (MEDQA_TEST_BASENAMES.has(base.toLowerCase())) return MEDQA_DATASET_NAME;
  const stem = base.slice(0, base.length - path.extname(base).length);
  const name = stem.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
  return name || "dataset";
}

export function caseId(name: string, index: number): string {
  return `${name}-${String(index).padStart(4, "0")}`;
}

/** `x.jsonl.gz` → `x.jsonl`: a gzipped file is read as what it compresses. */
function stripGz(filePath: string): string {
  return isGz(filePath) ? filePath.slice(0, -3) : filePath;
}

function isGz(filePath: string): boolean {
  return filePath.toLowerCase().endsWith(".gz");
}

export function formatFor(filePath: string): DatasetFormat | null {
  const ext = path.extname(stripGz(filePath)).toLowerCase();
  if (ext === ".jsonl" || ext === ".ndjson") return "jsonl";
  if (ext === ".csv") return "csv";
  return null;
}

/**
 * One data record as read from a file: a raw object to validate, or a problem found while reading it. `file`
 * overrides the dataset's path (multi-file datasets), `unit` says whether `line` is a text line or a Parquet row,
 * and `key` replaces the record index in the case id (e.g. `anatomy-0003`, a PubMedQA PMID).
 */
export type RawItem = { line: number; file?: string; unit?: "row"; key?: string } & ({ raw: unknown } | { problem: RecordProblem });

export interface Collected {
  cases: Case[];
  skipped: DataIssue[];
  /** Records read, valid or not. */
  records: number;
}

/**
 * Validates raw records into Cases (ids, content hashes); a bad record throws, or is recorded with --skip-invalid.
 * The record index counts every record, valid or not, so ids don't depend on --skip-invalid.
 */
export async function collectCases(
  items: AsyncIterable<RawItem> | Iterable<RawItem>,
  opts: { file: string; name: string; skipInvalid?: boolean },
): Promise<Collected> {
  const cases: Case[] = [];
  const skipped: DataIssue[] = [];
  let index = 0;
  for await (const item of items) {
    const recordIndex = index++;
    const result = "problem" in item ? { ok: false as const, problem: item.problem } : validateRecord(item.raw);
    if (!result.ok) {
      const issue: DataIssue = { file: item.file ?? opts.file, line: item.line, ...(item.unit ? { unit: item.unit } : {}), ...result.problem };
      if (!opts.skipInvalid) throw new DataError(issue);
      skipped.push(issue);
      continue;
    }
    const rec = result.record;
    cases.push({
      id: item.key !== undefined ? `${opts.name}-${item.key}` : caseId(opts.name, recordIndex),
      index: recordIndex,
      line: item.line,
      ...rec,
      content_hash: contentHash(rec.question, rec.options, rec.context),
    });
  }
  return { cases, skipped, records: index };
}

/** The DataError for a file with nothing usable in it. */
export function noValidRecords(file: string, c: Collected): DataError {
  const first = c.skipped[0];
  const at = first ? `; first problem at ${first.unit === "row" ? "row" : "line"} ${first.line}: field "${first.field}"` : "";
  return new DataError(
    { file, line: 0, field: "(file)", expected: "at least one valid record", got: `${c.records} record(s), ${c.skipped.length} skipped` },
    `${file}: no valid records (${c.records} record(s) read, ${c.skipped.length} skipped${at})`,
  );
}

/** The DataError for bytes whose sha256 is not the pinned one. */
export function checksumError(file: string, expected: string, actual: string): DataError {
  return new DataError(
    { file, line: 0, field: "(file)", expected: `sha256 ${expected}`, got: actual },
    `${file}: failed verification: expected sha256 ${expected}, got ${actual} (the file is damaged or altered)`,
  );
}

export async function loadDataset(filePath: string, opts: LoadOptions = {}): Promise<Dataset> {
  const file = filePath; // as the user wrote it: messages should point where they pointed
  const format = formatFor(filePath);
  if (format === null) {
    throw new DataError({
      file,
      line: 0,
      field: "(file)",
      expected: "a .jsonl, .ndjson or .csv file (optionally .gz)",
      got: describeValue(path.extname(filePath) || path.basename(filePath)),
    });
  }
  await assertReadableFile(file);

  const name = opts.name ?? datasetNameFor(filePath);
  const hash = createHash("sha256");
  const bytes = hashedStream(file, hash, isGz(filePath));
  const items = format === "jsonl" ? jsonlItems(bytes) : csvItems(bytes, file);

  let collected: Collected;
  try {
    collected = await collectCases(items, { file, name, skipInvalid: opts.skipInvalid });
  } catch (err) {
    if (err instanceof DataError) throw err;
    // A read or gunzip failure (truncated or corrupt .gz, I/O error such as EACCES): the file as a whole is unusable.
    const e = err as NodeJS.ErrnoException;
    const sys = typeof e.code === "string" && e.syscall !== undefined;
    throw new DataError(
      {
        file,
        line: 0,
        field: "(file)",
        expected: isGz(filePath) ? "a complete gzip file" : "a readable file",
        got: e.code ?? e.message,
      },
      sys ? `${file}: cannot read dataset file (${e.code}: ${e.message.split(",")[0]!.replace(/^E[A-Z]+: /, "")})` : undefined,
    );
  } finally {
    bytes.destroy(); // stops reading early when a record throws
  }

  if (collected.cases.length === 0) throw noValidRecords(file, collected);
  const sha256 = hash.digest("hex");
  if (opts.expectSha256 !== undefined && sha256 !== opts.expectSha256) throw checksumError(file, opts.expectSha256, sha256);
  return { name, path: path.resolve(filePath), sha256, format, cases: collected.cases, skipped: collected.skipped };
}

export async function assertReadableFile(file: string): Promise<void> {
  const issue = (expected: string, got: string): DataIssue => ({ file, line: 0, field: "(file)", expected, got });
  try {
    const st = await stat(file);
    if (!st.isFile()) throw new DataError(issue("a regular file", "a directory"), `${file}: is not a regular file`);
  } catch (err) {
    if (err instanceof DataError) throw err;
    const code = (err as NodeJS.ErrnoException).code ?? "error";
    const what = code === "ENOENT" ? "dataset file not found" : `cannot read dataset file (${code})`;
    throw new DataError(issue("an existing, readable file", code), `${file}: ${what}`);
  }
}

/** A pass-through stream that feeds every chunk to `hash` on the way (sha256 while reading or downloading). */
export function hashTap(hash: Hash): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      done(null, chunk);
    },
  });
}

/** The file's (decompressed) bytes, with each chunk also fed to `hash` on the way through. */
function hashedStream(file: string, hash: Hash, gz: boolean): Readable {
  // pipeline (not .pipe) so a read or gunzip error surfaces on the tap, which the reader iterates.
  // The UTF-8 guard fails the stream at the first bad byte sequence (file:line), instead of U+FFFD reaching the model.
  if (gz) return pipeline(createReadStream(file), createGunzip(), hashTap(hash), utf8Guard(file), () => {});
  return pipeline(createReadStream(file), hashTap(hash), utf8Guard(file), () => {});
}

/** Lines with true 1-based numbers (CRLF tolerated, leading BOM dropped). */
async function* lines(bytes: Readable): AsyncGenerator<{ line: number; text: string }> {
  const decoder = new StringDecoder("utf8");
  let pending = "";
  let line = 0;
  const cut = (s: string) => (s.endsWith("\r") ? s.slice(0, -1) : s);
  for await (const chunk of bytes) {
    pending += decoder.write(chunk as Buffer);
    let start = 0;
    let nl: number;
    while ((nl = pending.indexOf("\n", start)) !== -1) {
      const text = cut(pending.slice(start, nl));
      start = nl + 1;
      line++;
      yield { line, text: line === 1 ? text.replace(/^\uFEFF/, "") : text };
    }
    pending = pending.slice(start); // keep only the unfinished last line
  }
  pending += decoder.end();
  if (pending.length > 0) {
    line++;
    yield { line, text: line === 1 ? cut(pending).replace(/^\uFEFF/, "") : cut(pending) };
  }
}

async function* jsonlItems(bytes: Readable): AsyncGenerator<RawItem> {
  for await (const { line, text } of lines(bytes)) {
    if (text.trim() === "") continue; // blank lines are not records, but keep line numbers honest
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      yield { line, problem: { field: "(line)", expected: "a JSON object", got: describeValue(text) } };
      continue;
    }
    if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
      yield { line, problem: { field: "(line)", expected: "a JSON object", got: describeValue(raw) } };
      continue;
    }
    yield { line, raw };
  }
}

/** Where each known column sits in a CSV row. */
interface CsvColumns {
  question: number;
  answer_idx: number;
  answer?: number;
  meta_info?: number;
  /** Option columns in letter order, contiguous from A. */
  options: Array<{ letter: Letter; col: number }>;
}

/** Accepts `A`..`E` or `opa`..`ope` (MedMCQA style) option columns; other columns are ignored. */
export function csvColumns(header: string[]): { ok: true; columns: CsvColumns } | { ok: false; expected: string; got: string } {
  const names = header.map((h) => h.trim().toLowerCase());
  const dup = names.find((n, i) => n !== "" && names.indexOf(n) !== i);
  if (dup !== undefined) return { ok: false, expected: "unique column names", got: `"${dup}" twice` };
  const find = (n: string) => {
    const i = names.indexOf(n);
    return i === -1 ? undefined : i;
  };
  const question = find("question");
  const answerIdx = find("answer_idx");
  if (question === undefined || answerIdx === undefined) {
    return { ok: false, expected: 'columns "question" and "answer_idx"', got: describeValue(header.join(",")) };
  }
  const styles = {
    letter: LETTERS.map((l) => find(l.toLowerCase())),
    op: LETTERS.map((l) => find(`op${l.toLowerCase()}`)),
  };
  const used = Object.entries(styles).filter(([, cols]) => cols.some((c) => c !== undefined));
  if (used.length !== 1) {
    return {
      ok: false,
      expected: "option columns A..E or opa..ope (one style)",
      got: used.length === 0 ? "no option columns" : "both styles",
    };
  }
  const cols = used[0]![1];
  const options: CsvColumns["options"] = [];
  for (const [i, letter] of LETTERS.entries()) {
    const col = cols[i];
    if (col === undefined) break;
    options.push({ letter, col });
  }
  const present = cols.filter((c) => c !== undefined).length;
  if (options.length < 2 || present !== options.length) {
    return {
      ok: false,
      expected: "at least 2 option columns, contiguous from A",
      got: LETTERS.filter((_, i) => cols[i] !== undefined).join(", "),
    };
  }
  const answer = find("answer");
  const meta = find("meta_info");
  return {
    ok: true,
    columns: {
      question,
      answer_idx: answerIdx,
      options,
      ...(answer !== undefined ? { answer } : {}),
      ...(meta !== undefined ? { meta_info: meta } : {}),
    },
  };
}

/** Maps a CSV row to the JSONL record shape; empty optional cells count as absent. */
function csvRowToRaw(cells: string[], c: CsvColumns): Record<string, unknown> {
  const options: Record<string, string> = {};
  for (const { letter, col } of c.options) {
    const text = cells[col];
    if (text !== undefined && text.trim() !== "") options[letter] = text;
  }
  const optional = (col: number | undefined) => {
    const v = col === undefined ? undefined : cells[col];
    return v === undefined || v.trim() === "" ? undefined : v;
  };
  return {
    question: cells[c.question],
    options,
    answer_idx: cells[c.answer_idx],
    answer: optional(c.answer),
    meta_info: optional(c.meta_info),
  };
}

/**
 * The line each CSV record starts on, from csv-parse's `info.lines` (the line it ends on). Inside quoted fields
 * csv-parse counts every \r as a line too, so each embedded \r (of a CRLF, or alone) shifts its count for the rest
 * of the file; the tracker keeps that drift, then steps back over the record's own embedded \n.
 */
export function csvStartLines(): (cells: readonly string[], infoLines: number) => number {
  let drift = 0;
  return (cells, infoLines) => {
    let cr = 0;
    let lf = 0;
    for (const cell of cells) {
      cr += cell.match(/\r/g)?.length ?? 0;
      lf += cell.match(/\n/g)?.length ?? 0;
    }
    drift += cr;
    return infoLines - drift - lf;
  };
}

interface CsvParsed {
  record: string[];
  info: { lines: number };
}

async function* csvItems(bytes: Readable, file: string): AsyncGenerator<RawItem> {
  const parser = bytes.pipe(
    parseCsv({ bom: true, info: true, skip_empty_lines: true, relax_column_count: true }),
  );
  bytes.on("error", (err) => parser.destroy(err));
  let columns: CsvColumns | undefined;
  const startLine = csvStartLines();
  try {
    for await (const parsed of parser as AsyncIterable<CsvParsed>) {
      const cells = parsed.record;
      const line = startLine(cells, parsed.info.lines);
      if (columns === undefined) {
        const header = csvColumns(cells);
        if (!header.ok) throw new DataError({ file, line, field: "(header)", expected: header.expected, got: header.got });
        columns = header.columns;
        continue;
      }
      yield { line, raw: csvRowToRaw(cells, columns) };
    }
  } catch (err) {
    if (err instanceof DataError) throw err;
    // A CSV syntax error leaves the parser unable to resync, so it is never skippable.
    const e = err as Error & { lines?: number };
    throw new DataError({ file, line: e.lines ?? 0, field: "(csv)", expected: "well-formed CSV", got: e.message });
  } finally {
    parser.destroy();
  }
  if (columns === undefined) {
    throw new DataError({ file, line: 0, field: "(header)", expected: "a header row", got: "an empty file" });
  }
}
