// Readers' shared plumbing: a file's bytes and sha256, JSON lines and JSON documents with true line numbers,
// Parquet rows (hyparquet, a pure-JS reader), and the small checks every benchmark's mapping repeats.
import { isUtf8 } from "node:buffer";
import { createHash } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import jsonc from "jsonc-parser";
import { parquetMetadata, parquetReadObjects, parquetSchema } from "hyparquet";
import { compressors } from "hyparquet-compressors";
import { LETTERS, type Letter } from "../../types.js";
import { DataError, describeValue } from "../errors.js";
import type { RawItem } from "../load.js";
import { invalidUtf8Error, lineOfInvalid } from "../utf8.js";
import type { RecordProblem } from "../validate.js";

export interface FileBytes {
  bytes: Buffer;
  sha256: string;
}

export const sha256Hex = (data: Buffer | string): string => createHash("sha256").update(data).digest("hex");

/** The whole file (datasets here are a few MB) and its sha256; a missing or unreadable file is a DataError. */
export async function readBytes(file: string): Promise<FileBytes> {
  try {
    const st = await stat(file);
    if (!st.isFile()) throw new DataError({ file, line: 0, field: "(file)", expected: "a regular file", got: "a directory" }, `${file}: is not a regular file`);
    const bytes = await readFile(file);
    return { bytes, sha256: sha256Hex(bytes) };
  } catch (err) {
    if (err instanceof DataError) throw err;
    const code = (err as NodeJS.ErrnoException).code ?? "error";
    const what = code === "ENOENT" ? "dataset file not found" : `cannot read dataset file (${code})`;
    throw new DataError({ file, line: 0, field: "(file)", expected: "an existing, readable file", got: code }, `${file}: ${what}`);
  }
}

/** UTF-8 text without a leading BOM; invalid UTF-8 is a DataError at its line (never U+FFFD sent to the model). */
export function text(file: string, bytes: Buffer): string {
  if (!isUtf8(bytes)) throw invalidUtf8Error(file, lineOfInvalid(bytes, 0));
  return bytes.toString("utf8").replace(/^\uFEFF/, "");
}

/** The sha256 of several files: of their `<sha256>  <name>` lines, in the order given (sha256sum's format). */
export function manifestSha256(files: ReadonlyArray<{ path: string; sha256: string }>, name: (p: string) => string): string {
  return sha256Hex(files.map((f) => `${f.sha256}  ${name(f.path)}\n`).join(""));
}

export type Problem = RecordProblem;
export const problem = (field: string, expected: string, got: unknown): Problem => ({ field, expected, got: describeValue(got) });

/** One object per line (JSONL); blank lines skipped, CRLF tolerated. */
export function jsonLines(body: string): Array<{ line: number; value?: Record<string, unknown>; problem?: Problem }> {
  const out: Array<{ line: number; value?: Record<string, unknown>; problem?: Problem }> = [];
  body.split("\n").forEach((raw, i) => {
    const line = i + 1;
    const t = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (t.trim() === "") return;
    let v: unknown;
    try {
      v = JSON.parse(t);
    } catch {
      out.push({ line, problem: problem("(line)", "a JSON object", t) });
      return;
    }
    if (v === null || typeof v !== "object" || Array.isArray(v)) out.push({ line, problem: problem("(line)", "a JSON object", v) });
    else out.push({ line, value: v as Record<string, unknown> });
  });
  return out;
}

export type JsonNode = jsonc.Node;

/** A whole JSON document as a tree whose nodes know their line; a syntax error is a DataError at its line. */
export class JsonDocument {
  readonly root: JsonNode;
  private readonly lineStarts: number[];

  constructor(
    readonly file: string,
    body: string,
  ) {
    this.lineStarts = [0];
    for (let i = body.indexOf("\n"); i !== -1; i = body.indexOf("\n", i + 1)) this.lineStarts.push(i + 1);
    const errors: jsonc.ParseError[] = [];
    const root = jsonc.parseTree(body, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
    const first = errors[0];
    if (first !== undefined || root === undefined) {
      const offset = first?.offset ?? 0;
      const got = first ? jsonc.printParseErrorCode(first.error) : "an empty file";
      throw new DataError({ file, line: this.lineOf(offset), field: "(json)", expected: "well-formed JSON", got });
    }
    this.root = root;
  }

  /** 1-based line of a character offset. */
  lineOf(offset: number): number {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }

  line(node: JsonNode): number {
    return this.lineOf(node.offset);
  }

  /** The JS value of a node. */
  value(node: JsonNode | undefined): unknown {
    return node === undefined ? undefined : jsonc.getNodeValue(node);
  }

  /** An object node's properties as [key, value node] pairs, in file order (duplicates kept, so callers can refuse them). */
  entries(node: JsonNode): Array<[key: string, value: JsonNode, keyNode: JsonNode]> {
    if (node.type !== "object") return [];
    return (node.children ?? []).flatMap((p) => {
      const [k, v] = p.children ?? [];
      return k && v ? [[String(k.value), v, k] as [string, JsonNode, JsonNode]] : [];
    });
  }

  /** An object node's property value node. */
  get(node: JsonNode, key: string): JsonNode | undefined {
    return this.entries(node).find(([k]) => k === key)?.[1];
  }

  /** A DataError at a node's line. */
  error(node: JsonNode, p: Problem): DataError {
    return new DataError({ file: this.file, line: this.line(node), ...p });
  }
}

/** The first key that appears twice among an object's properties, with its second occurrence. */
export function duplicateKey(doc: JsonDocument, node: JsonNode): { key: string; node: JsonNode } | null {
  const seen = new Set<string>();
  for (const [k, , keyNode] of doc.entries(node)) {
    if (seen.has(k)) return { key: k, node: keyNode };
    seen.add(k);
  }
  return null;
}

export interface ParquetTable {
  rows: Array<Record<string, unknown>>;
  /** Top-level column names. */
  columns: string[];
}

/** Every row of a Parquet file as a plain object (INT64 as numbers when exact); not Parquet → DataError. */
export async function readParquet(file: string, bytes: Buffer): Promise<ParquetTable> {
  const ab = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  try {
    const metadata = parquetMetadata(ab);
    const columns = parquetSchema(metadata).children.map((c) => c.element.name);
    const rows = await parquetReadObjects({ file: ab, metadata, compressors, utf8: true });
    return { rows: rows.map((r) => plain(r) as Record<string, unknown>), columns };
  } catch (err) {
    throw new DataError({ file, line: 0, field: "(file)", expected: "a readable Parquet file", got: (err as Error).message });
  }
}

/** BigInt → number where exact (Parquet INT64 ids and labels), recursively. */
function plain(v: unknown): unknown {
  if (typeof v === "bigint") return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (Array.isArray(v)) return v.map(plain);
  if (v !== null && typeof v === "object" && !(v instanceof Uint8Array) && !(v instanceof Date)) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  }
  return v;
}

/** Refuses a Parquet file without the columns a format needs, naming them. */
export function requireColumns(file: string, table: ParquetTable, needed: readonly string[], format: string): void {
  const missing = needed.filter((c) => !table.columns.includes(c));
  if (missing.length > 0) {
    throw new DataError({
      file,
      line: 0,
      field: "(columns)",
      expected: `${format} columns ${needed.join(", ")}`,
      got: `missing ${missing.join(", ")} (has ${table.columns.join(", ") || "none"})`,
    });
  }
}

/** Parquet rows as RawItems with 1-based row numbers. */
export function rowItems(rows: ReadonlyArray<Record<string, unknown>>, map: (row: Record<string, unknown>) => { raw: unknown; key?: string } | { problem: Problem }): RawItem[] {
  return rows.map((row, i) => ({ line: i + 1, unit: "row" as const, ...map(row) }));
}

/** Option texts in order → `{A: …, B: …}`; more than five is a problem (the harness letters stop at E). */
export function lettered(texts: readonly unknown[], field: string): { options: Record<string, unknown> } | { problem: Problem } {
  if (texts.length > LETTERS.length) return { problem: problem(field, `at most ${LETTERS.length} options`, `${texts.length}`) };
  const options: Record<string, unknown> = {};
  texts.forEach((t, i) => (options[LETTERS[i]!] = t));
  return { options };
}

/** A 0-based option index → letter, if it is a whole number within the options. */
export function letterAt(index: unknown, count: number): Letter | null {
  return typeof index === "number" && Number.isInteger(index) && index >= 0 && index < count ? LETTERS[index]! : null;
}

/** A non-empty string, or undefined. */
export function nonEmpty(v: unknown): string | undefined {
  return typeof v === "string" && v.trim() !== "" ? v : undefined;
}
