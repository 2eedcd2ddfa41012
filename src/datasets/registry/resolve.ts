// From the dataset flags (--medqa, --dataset, --data, --format, --subjects, --split, --split-file) to what a run
// loads: which benchmark, which local path (a user's file, the shipped MedQA, a verified cache, or a fresh
// download), and the sha256 that path must have. Kept out of the CLI so the shell stays thin.
import path from "node:path";
import { UsageError } from "../../runner/exit-codes.js";
import { MEDQA_BUNDLED, resolveMedqa } from "../fetch.js";
import { ensureCached, LOCK_FILE } from "./download.js";
import { DATASET_NAMES, datasetSpec, FORMAT_NAMES, formatSpec } from "./index.js";
import { checkSelection } from "./load.js";

export interface DatasetFlags {
  medqa?: boolean | undefined;
  dataset?: string | undefined;
  data?: string | undefined;
  format?: string | undefined;
  /** Comma-separated (as typed) or already split. */
  subjects?: string | string[] | undefined;
  split?: string | undefined;
  splitFile?: string | undefined;
}

export interface ResolvedData {
  /** Registry benchmark, or null for a plain MedQA-style `--data` file. */
  registry: string | null;
  data_path: string;
  data_sha256: string | null;
  format: string | null;
  subjects: string[] | null;
  split: string | null;
  split_file: string | null;
}

export interface ResolveEnv {
  env: NodeJS.ProcessEnv;
  /** Package root: datasets/cache, datasets/registry.lock.json and the shipped MedQA live under it. */
  packageRoot: string;
  allowFetch: boolean;
  log?: (s: string) => void;
  fetchImpl?: typeof fetch;
}

export const cacheDirOf = (root: string): string => path.join(root, "datasets", "cache");
export const lockPathOf = (root: string): string => path.join(root, "datasets", LOCK_FILE);

export function parseSubjects(v: string | string[] | undefined): string[] | null {
  if (v === undefined) return null;
  const list = (Array.isArray(v) ? v : [v]).flatMap((s) => s.split(",")).map((s) => s.trim()).filter((s) => s !== "");
  return list;
}

/** Which benchmark the flags name: --dataset, its alias --medqa, or the owner of --format; null = plain --data. */
export function chosenDataset(f: DatasetFlags): string | null {
  if (f.dataset !== undefined && !DATASET_NAMES.includes(f.dataset)) {
    throw new UsageError(`--dataset ${f.dataset}: unknown dataset (one of ${DATASET_NAMES.join(", ")})`);
  }
  if (f.medqa && f.dataset !== undefined && f.dataset !== "medqa") throw new UsageError(`--medqa is --dataset medqa: it cannot be combined with --dataset ${f.dataset}`);
  if (f.format !== undefined && !FORMAT_NAMES.includes(f.format)) {
    throw new UsageError(`--format ${f.format}: unknown format (one of ${FORMAT_NAMES.join(", ")})`);
  }
  const byFormat = f.format !== undefined ? formatSpec(f.format)!.dataset.name : null;
  const named = f.medqa ? "medqa" : (f.dataset ?? null);
  if (named !== null && byFormat !== null && byFormat !== named) {
    throw new UsageError(`--format ${f.format} is a ${byFormat} format, not one of ${named}'s (${datasetSpec(named)!.formats.map((x) => x.name).join(", ")})`);
  }
  // The MedQA-style jsonl/csv formats read any such file: only --medqa / --dataset medqa makes it MedQA.
  if (named === null && byFormat === "medqa") return null;
  return named ?? byFormat;
}

export async function resolveData(f: DatasetFlags, r: ResolveEnv): Promise<ResolvedData> {
  const registry = chosenDataset(f);
  if (registry === null && !f.data) throw new UsageError("choose a dataset: --medqa (MedQA US test set), --dataset NAME or --data PATH");
  const subjects = parseSubjects(f.subjects);
  const split = f.split ?? null;
  const base = { format: f.format ?? null, subjects, split, split_file: f.splitFile ? path.resolve(f.splitFile) : null };
  if (registry === null) {
    if (subjects || split) throw new UsageError("--subjects and --split need --dataset NAME");
    return { registry: null, data_path: path.resolve(f.data!), data_sha256: null, ...base };
  }
  const spec = datasetSpec(registry)!;
  checkSelection(spec, { subjects, split });
  if (registry === "medqa") {
    const medqa = await resolveMedqa({
      data: f.data ?? null,
      env: r.env,
      cacheDir: cacheDirOf(r.packageRoot),
      bundledPath: path.join(r.packageRoot, MEDQA_BUNDLED),
      allowFetch: r.allowFetch,
      ...(r.log ? { log: r.log } : {}),
      ...(r.fetchImpl ? { fetchImpl: r.fetchImpl } : {}),
    });
    return { registry, data_path: path.resolve(medqa.path), data_sha256: medqa.sha256, ...base };
  }
  if (f.data) return { registry, data_path: path.resolve(f.data), data_sha256: null, ...base };
  if (f.format !== undefined && f.format !== spec.formats[0]!.name) {
    throw new UsageError(`--format ${f.format} describes a local file: pass it with --data PATH (downloads are ${spec.formats[0]!.name})`);
  }
  const cached = await ensureCached(spec, { subjects, split }, {
    cacheDir: cacheDirOf(r.packageRoot),
    lockPath: lockPathOf(r.packageRoot),
    allowFetch: r.allowFetch,
    ...(r.log ? { log: r.log } : {}),
    ...(r.fetchImpl ? { fetchImpl: r.fetchImpl } : {}),
  });
  // A single data file is pinned on load too; MMLU's folder is checked file by file by ensureCached.
  const first = cached.files[0]!;
  return { registry, data_path: cached.path, data_sha256: cached.path === first.file ? first.sha256 : null, ...base, format: spec.formats[0]!.name };
}
