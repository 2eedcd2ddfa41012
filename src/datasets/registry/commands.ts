// `run-validation fetch NAME` and `run-validation datasets`.
import { stat } from "node:fs/promises";
import path from "node:path";
import Table from "cli-table3";
import { fetchMedqa, MEDQA_BUNDLED, MEDQA_SHA256, medqaCachePath, sha256File } from "../fetch.js";
import { cacheState, ensureCached, readLock, type CacheState } from "./download.js";
import { datasetSpec, REGISTRY } from "./index.js";
import { cacheDirOf, lockPathOf, parseSubjects } from "./resolve.js";
import { checkSelection } from "./load.js";
import type { DatasetSpec, ReadInput } from "./types.js";

export interface FetchCommandOptions {
  subjects?: string | undefined;
  packageRoot: string;
  out: NodeJS.WritableStream;
  log: (s: string) => void;
  fetchImpl?: typeof fetch;
}

/** Every file any selection needs (PubMedQA's test ids too), so later runs work offline. */
function fullSelection(spec: DatasetSpec, subjects: string[] | null): Pick<ReadInput, "subjects" | "split"> {
  return { subjects, split: spec.splits?.[0] ?? null };
}

/** Downloads (again) and verifies a benchmark's files; prints the path the runs will read. */
export async function fetchCommand(name: string, opts: FetchCommandOptions): Promise<void> {
  const spec = datasetSpec(name)!;
  const cacheDir = cacheDirOf(opts.packageRoot);
  if (spec.name === "medqa") {
    const p = await fetchMedqa({ cacheDir, log: opts.log, ...(opts.fetchImpl ? { fetchImpl: opts.fetchImpl } : {}) });
    opts.out.write(`${p}\n`);
    return;
  }
  const subjects = parseSubjects(opts.subjects);
  checkSelection(spec, { subjects, split: null });
  const res = await ensureCached(spec, fullSelection(spec, subjects), {
    cacheDir,
    lockPath: lockPathOf(opts.packageRoot),
    allowFetch: true,
    refresh: true,
    log: opts.log,
    ...(opts.fetchImpl ? { fetchImpl: opts.fetchImpl } : {}),
  });
  opts.out.write(`${res.path}\n`);
}

export interface DatasetRow {
  name: string;
  title: string;
  records: number;
  split: string;
  /** Bytes to download (known in advance or recorded in the lock); null when some file's size is not known yet. */
  size_bytes: number | null;
  licence: string;
  formats: string[];
  strata: string[];
  /** `shipped` (MedQA), `yes`, `partly`, `no`, `corrupt` (a cached file fails its pinned sha256), `unverified`. */
  cached: string;
  homepage: string;
}

async function medqaState(root: string): Promise<string> {
  const shipped = await stat(path.join(root, MEDQA_BUNDLED)).then((s) => s.isFile(), () => false);
  const cache = medqaCachePath(cacheDirOf(root));
  const cached = await stat(cache).then((s) => s.isFile(), () => false);
  const parts = [shipped ? "shipped" : "not shipped"];
  if (cached) parts.push((await sha256File(cache)) === MEDQA_SHA256 ? "cached" : "cache corrupt");
  return parts.join(", ");
}

export async function datasetRows(root: string): Promise<DatasetRow[]> {
  const lock = await readLock(lockPathOf(root));
  const rows: DatasetRow[] = [];
  for (const spec of REGISTRY) {
    const sources = spec.sources(fullSelection(spec, null));
    let size: number | null = 0;
    const states: CacheState[] = [];
    for (const src of sources) {
      const known = src.size ?? lock.files[`${spec.name}/${src.cacheName}`]?.size;
      size = size === null || known === undefined ? null : size + known;
      if (spec.name !== "medqa") states.push((await cacheState(spec, src, { cacheDir: cacheDirOf(root) }, lock)).state);
    }
    const cached =
      spec.name === "medqa"
        ? await medqaState(root)
        : states.includes("corrupt")
          ? "corrupt"
          : states.every((s) => s === "cached")
            ? "yes"
            : states.every((s) => s === "missing")
              ? "no"
              : states.includes("unverified")
                ? "unverified"
                : "partly";
    rows.push({
      name: spec.name,
      title: spec.title,
      records: spec.n_records,
      split: spec.split,
      size_bytes: size,
      licence: spec.licence,
      formats: spec.formats.map((f) => f.name),
      strata: spec.strata.map((s) => s.field),
      cached,
      homepage: spec.homepage,
    });
  }
  return rows;
}

const mb = (n: number | null) => (n === null ? "? (first download records it)" : `${(n / 1e6).toFixed(1)} MB`);

export async function datasetsCommand(opts: { packageRoot: string; json: boolean; out: NodeJS.WritableStream }): Promise<void> {
  const rows = await datasetRows(opts.packageRoot);
  if (opts.json) {
    opts.out.write(JSON.stringify(rows, null, 2) + "\n");
    return;
  }
  const table = new Table({ head: ["dataset", "records", "split", "size", "licence", "cached", "--data formats"], wordWrap: true, colWidths: [14, 9, 26, 16, 30, 18, 28] });
  for (const r of rows) table.push([r.name, r.records.toLocaleString("en-US"), r.split, mb(r.size_bytes), r.licence, r.cached, r.formats.join(", ")]);
  opts.out.write(table.toString() + "\n");
  opts.out.write("Run one with --dataset NAME (--medqa = --dataset medqa); offline, --dataset NAME --data PATH --format NAME.\n");
}
