// Downloads of registry benchmarks into datasets/cache/<dataset>/, pinned by datasets/registry.lock.json.
// A file whose sha256 is known in advance is verified against it; otherwise the first successful download records
// sha256, size, URL, the revision it resolved to (Hugging Face's X-Repo-Commit) and the date in the lock, and
// every later download (and every cached copy) must match that entry. Downloads go to a temp file that is renamed
// into place only once verified, so the cache never holds a partial or unverified file under the real name.
import { createHash, randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, readFile, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { writeFileAtomic } from "../../journal/atomic.js";
import { DataError } from "../errors.js";
import { FetchError, sha256File } from "../fetch.js";
import { hashTap } from "../load.js";
import type { DatasetSpec, ReadInput, SourceFile } from "./types.js";

export const LOCK_FILE = "registry.lock.json";
const DEFAULT_TIMEOUT_MS = 300_000;

export interface LockEntry {
  url: string;
  /** Revision asked for (branch) and the commit it resolved to, when the server said (Hugging Face does). */
  revision: string;
  resolved_revision: string | null;
  sha256: string;
  size: number;
  downloaded_at: string;
}

export interface Lock {
  version: 1;
  /** Keyed `<dataset>/<cache name>`. */
  files: Record<string, LockEntry>;
}

export const lockKey = (dataset: DatasetSpec, source: SourceFile): string => `${dataset.name}/${source.cacheName}`;

export async function readLock(lockPath: string): Promise<Lock> {
  let body: string;
  try {
    body = await readFile(lockPath, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return { version: 1, files: {} };
    throw err;
  }
  try {
    const lock = JSON.parse(body) as Lock;
    if (lock?.version !== 1 || typeof lock.files !== "object" || lock.files === null) throw new Error("not a version 1 lock");
    return lock;
  } catch (err) {
    throw new DataError({ file: lockPath, line: 0, field: "(file)", expected: `a registry lock {"version": 1, "files": {…}}`, got: (err as Error).message });
  }
}

async function writeLock(lockPath: string, lock: Lock): Promise<void> {
  const sorted = Object.fromEntries(Object.entries(lock.files).sort(([a], [b]) => a.localeCompare(b)));
  await writeFileAtomic(lockPath, JSON.stringify({ version: 1, files: sorted }, null, 2) + "\n");
}

export interface CacheOptions {
  cacheDir: string;
  lockPath: string;
  fetchImpl?: typeof fetch;
  log?: (s: string) => void;
  timeoutMs?: number;
  now?: () => Date;
}

export const benchmarkCacheDir = (cacheDir: string, dataset: DatasetSpec): string => path.join(cacheDir, dataset.name);

/** How to go on without the network: a local copy in one of the benchmark's formats. */
export function offlineHint(dataset: DatasetSpec): string {
  const formats = dataset.formats.map((f) => f.name).join(", ");
  return `use a local copy instead: --dataset ${dataset.name} --data PATH --format NAME (NAME one of ${formats})`;
}

/** The sha256 a source file must have: known in advance, or recorded by its first download; null = not yet known. */
export function expectedSha256(dataset: DatasetSpec, source: SourceFile, lock: Lock): string | null {
  return source.sha256 ?? lock.files[lockKey(dataset, source)]?.sha256 ?? null;
}

export type CacheState = "cached" | "missing" | "unverified" | "corrupt";

/** Is this source file in the cache with the expected sha256? (`unverified`: present, but nothing to check it against.) */
export async function cacheState(dataset: DatasetSpec, source: SourceFile, opts: Pick<CacheOptions, "cacheDir">, lock: Lock): Promise<{ state: CacheState; file: string; sha256?: string }> {
  const file = path.join(benchmarkCacheDir(opts.cacheDir, dataset), source.cacheName);
  const isFile = await stat(file).then((s) => s.isFile(), () => false);
  if (!isFile) return { state: "missing", file };
  const actual = await sha256File(file);
  const expected = expectedSha256(dataset, source, lock);
  if (expected === null) return { state: "unverified", file, sha256: actual };
  return { state: actual === expected ? "cached" : "corrupt", file, sha256: actual };
}

/** Downloads one source file, verifies it (known sha256 or lock entry) or records it in the lock; returns its path. */
export async function downloadSource(dataset: DatasetSpec, source: SourceFile, opts: CacheOptions): Promise<{ file: string; sha256: string }> {
  const lock = await readLock(opts.lockPath);
  const key = lockKey(dataset, source);
  const entry = lock.files[key];
  const revision = entry?.resolved_revision ?? source.revision;
  const url = source.url(revision);
  const doFetch = opts.fetchImpl ?? fetch;
  const log = opts.log ?? (() => {});
  const dir = benchmarkCacheDir(opts.cacheDir, dataset);
  await mkdir(dir, { recursive: true });
  const dest = path.join(dir, source.cacheName);
  const tmp = path.join(dir, `.${source.cacheName}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  const hint = offlineHint(dataset);

  log(`downloading ${dataset.name} ${source.cacheName} from ${url}`);
  let res: Response;
  try {
    res = await doFetch(url, { signal: AbortSignal.timeout(opts.timeoutMs ?? DEFAULT_TIMEOUT_MS) });
  } catch (err) {
    throw new FetchError(`cannot download ${dataset.name}: ${url} is unreachable (offline?) [${reason(err)}]; ${hint}`, "offline");
  }
  if (!res.ok || res.body === null) {
    throw new FetchError(`cannot download ${dataset.name}: HTTP ${res.status} ${res.statusText} from ${url}; ${hint}`, "http");
  }
  const hash = createHash("sha256");
  let size = 0;
  try {
    const counted = Readable.fromWeb(res.body as import("node:stream/web").ReadableStream).on("data", (c: Buffer) => (size += c.length));
    await pipeline(counted, hashTap(hash), createWriteStream(tmp));
  } catch (err) {
    await rm(tmp, { force: true });
    throw new FetchError(`cannot download ${dataset.name}: transfer from ${url} failed (offline?) [${reason(err)}]; ${hint}`, "offline");
  }
  const actual = hash.digest("hex");
  const expected = source.sha256 ?? entry?.sha256 ?? null;
  if (expected !== null && actual !== expected) {
    await rm(tmp, { force: true });
    const pinnedBy = source.sha256 ? "the registry" : `${path.basename(opts.lockPath)} (first downloaded ${entry!.downloaded_at})`;
    throw new FetchError(
      `${dataset.name} download from ${url} failed verification: expected sha256 ${expected} (pinned by ${pinnedBy}), got ${actual}; ` +
        `the file was discarded. If the source changed on purpose, delete the "${key}" entry of ${opts.lockPath} and fetch again; or ${hint}.`,
      "checksum",
    );
  }
  await rename(tmp, dest);
  if (!entry && !source.sha256) {
    const resolved = res.headers.get("x-repo-commit");
    lock.files[key] = {
      url,
      revision: source.revision,
      resolved_revision: resolved && /^[0-9a-f]{40}$/.test(resolved) ? resolved : null,
      sha256: actual,
      size,
      downloaded_at: (opts.now ?? (() => new Date()))().toISOString(),
    };
    // Re-read and merge so two concurrent fetches of different benchmarks do not drop each other's entry.
    const latest = await readLock(opts.lockPath);
    latest.files[key] = lock.files[key]!;
    await writeLock(opts.lockPath, latest);
    log(`recorded ${key} in ${opts.lockPath}: sha256 ${actual}, ${size} bytes${lock.files[key]!.resolved_revision ? `, revision ${lock.files[key]!.resolved_revision}` : ""}`);
  } else {
    log(`verified sha256 ${actual}`);
  }
  return { file: dest, sha256: actual };
}

/**
 * The benchmark's files on disk: verified cached copies, downloading what is missing or corrupt when allowed.
 * Returns the path the format reader takes (the single file, or the folder of MMLU subject files).
 */
export async function ensureCached(
  dataset: DatasetSpec,
  input: Pick<ReadInput, "subjects" | "split">,
  opts: CacheOptions & { allowFetch: boolean; refresh?: boolean },
): Promise<{ path: string; files: Array<{ file: string; sha256: string }> }> {
  const sources = dataset.sources(input);
  const files: Array<{ file: string; sha256: string }> = [];
  for (const source of sources) {
    const lock = await readLock(opts.lockPath);
    const state = opts.refresh ? { state: "missing" as const, file: "" } : await cacheState(dataset, source, opts, lock);
    if (state.state === "cached") {
      files.push({ file: state.file, sha256: state.sha256! });
      continue;
    }
    if (state.state === "corrupt") opts.log?.(`${state.file} does not match its pinned sha256 (${state.sha256}); downloading it again`);
    if (!opts.allowFetch) {
      throw new FetchError(`${dataset.name} is not cached (${source.cacheName}) and downloading is disabled; ${offlineHint(dataset)}`, "missing");
    }
    files.push(await downloadSource(dataset, source, opts));
  }
  const dir = benchmarkCacheDir(opts.cacheDir, dataset);
  return { path: dataset.cachedPath ? dataset.cachedPath(dir) : files[0]!.file, files };
}

function reason(err: unknown): string {
  const e = err as { message?: string; cause?: { code?: string; message?: string } } | undefined;
  return e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(err);
}
