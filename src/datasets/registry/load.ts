// Loading a registry benchmark from a local path (a cached download or `--data PATH`): choose its format, read it,
// validate every record (file:line errors, or skipped with --skip-invalid), and label the Dataset with the
// benchmark's strata, diagnostic-metric relevance and the reader's notes.
import { statSync } from "node:fs";
import path from "node:path";
import type { Dataset } from "../../types.js";
import { checksumError, collectCases, datasetNameFor, loadDataset, noValidRecords } from "../load.js";
import { DataError } from "../errors.js";
import { UsageError } from "../../runner/exit-codes.js";
import type { DatasetSpec, FormatSpec, ReadInput } from "./types.js";


/** The format to read `file` with: `--format` if given (it must be one of the benchmark's), else by its name. */
export function chooseFormat(dataset: DatasetSpec, file: string, explicit: string | null): FormatSpec {
  const names = dataset.formats.map((f) => f.name).join(", ");
  if (explicit) {
    const f = dataset.formats.find((x) => x.name === explicit);
    if (!f) throw new UsageError(`--format ${explicit} is not a format of ${dataset.name} (one of ${names})`);
    return f;
  }
  let isDir = false;
  try {
    isDir = statSync(file).isDirectory();
  } catch {
    /* missing: the reader says so with the path */
  }
  const candidates = dataset.formats.filter((f) => f.matches(file, isDir));
  if (candidates.length === 1) return candidates[0]!;
  throw new UsageError(
    `cannot tell the format of ${file} for --dataset ${dataset.name}: pass --format NAME (one of ${names})`,
  );
}

export interface BenchmarkLoad {
  /** The file (or folder) to read, as the user or the cache named it. */
  path: string;
  format: string | null;
  subjects: readonly string[] | null;
  split: string | null;
  splitFile: string | null;
  skipInvalid: boolean;
  /** Pinned sha256 of the data (the shipped or cached MedQA, a cached download); null = not checked. */
  expectSha256: string | null;
}

/** Checks --subjects / --split against what the benchmark offers. */
export function checkSelection(dataset: DatasetSpec, sel: Pick<ReadInput, "subjects" | "split">): void {
  if (sel.subjects) {
    if (!dataset.subjects) throw new UsageError(`--subjects applies to mmlu-medical only, not ${dataset.name}`);
    const unknown = sel.subjects.filter((s) => !dataset.subjects!.includes(s));
    if (unknown.length > 0) throw new UsageError(`--subjects: unknown subject ${unknown.join(", ")} (one of ${dataset.subjects.join(", ")})`);
    if (sel.subjects.length === 0) throw new UsageError("--subjects: name at least one subject");
  }
  if (sel.split && !(dataset.splits ?? []).includes(sel.split)) {
    throw new UsageError(`--split ${sel.split} is not a split of ${dataset.name}${dataset.splits ? ` (one of ${dataset.splits.join(", ")})` : " (it has one)"}`);
  }
}

export async function loadBenchmark(dataset: DatasetSpec, req: BenchmarkLoad): Promise<Dataset> {
  checkSelection(dataset, req);
  const format = chooseFormat(dataset, req.path, req.format);
  const labels = {
    registry: dataset.name,
    strata: dataset.strata.map((s) => ({ field: s.field, ...(s.keys ? { keys: [...s.keys] } : {}) })),
    diagnostic: dataset.diagnostic,
  };
  if (!format.read) {
    // MedQA-style files: the streaming loader; a MedQA file keeps the name it has always had (by file name).
    const ds = await loadDataset(req.path, { name: dataset.name === "medqa" ? datasetNameFor(req.path) : dataset.idPrefix, skipInvalid: req.skipInvalid, ...(req.expectSha256 ? { expectSha256: req.expectSha256 } : {}) });
    return { ...ds, ...labels, notes: [] };
  }
  const read = await format.read({ path: req.path, subjects: req.subjects, split: req.split, splitFile: req.splitFile });
  if (req.expectSha256 && read.sha256 !== req.expectSha256) throw checksumError(req.path, req.expectSha256, read.sha256);
  const collected = await collectCases(read.items, { file: req.path, name: dataset.idPrefix, skipInvalid: req.skipInvalid });
  if (collected.cases.length === 0) throw noValidRecords(req.path, collected);
  const dup = firstDuplicateId(collected.cases);
  if (dup) throw new DataError({ file: req.path, line: dup.line, field: "(id)", expected: "unique case ids", got: dup.id });
  return {
    name: dataset.idPrefix,
    path: path.resolve(req.path),
    sha256: read.sha256,
    format: format.name,
    cases: collected.cases,
    skipped: collected.skipped,
    ...labels,
    notes: read.notes,
    ...(read.files.length > 1 ? { files: read.files.map((f) => ({ path: path.resolve(f.path), sha256: f.sha256 })) } : {}),
  };
}

function firstDuplicateId(cases: ReadonlyArray<{ id: string; line: number }>): { id: string; line: number } | null {
  const seen = new Set<string>();
  for (const c of cases) {
    if (seen.has(c.id)) return c;
    seen.add(c.id);
  }
  return null;
}
