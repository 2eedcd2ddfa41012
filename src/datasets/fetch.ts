// Getting the MedQA test file onto disk: an explicit path wins, else a verified cache (`fetch medqa` refreshes
// it), else the gzipped copy shipped with the package (verified when loaded), else a verified download. The download is written to a temp file and only renamed into place once its sha256 matches, so the cache
// never holds a partial or altered file under the real name.
import { createHash, randomBytes } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { hashTap } from "./load.js";

export const MEDQA_SHA256 = "2e51d17d47099a72c4eea6b6a3307de71360333e0c99beb1d53d7a42834cacc4";
export const MEDQA_URL =
  "https://huggingface.co/datasets/GBaker/MedQA-USMLE-4-options/resolve/main/phrases_no_exclude_test.jsonl";
export const MEDQA_CACHE_NAME = "us_4options_test.jsonl";
/** The shipped copy, relative to the package root (see datasets/medqa/README.md: source, licence, sha256). */
export const MEDQA_BUNDLED = "datasets/medqa/us_4options_test.jsonl.gz";
const DEFAULT_TIMEOUT_MS = 120_000;

/** How to proceed without the network; appended to every fetch failure. */
const OFFLINE_HINT = "pass --data PATH or set MEDQA_PATH to a local copy of us_4options_test.jsonl";

export type FetchErrorKind = "offline" | "http" | "checksum" | "missing";

export class FetchError extends Error {
  constructor(
    message: string,
    readonly kind: FetchErrorKind,
  ) {
    super(message);
    this.name = "FetchError";
  }
}

export interface FetchMedqaOptions {
  cacheDir: string;
  url?: string;
  fetchImpl?: typeof fetch;
  log?: (s: string) => void;
  /** Expected sha256 of the download; MEDQA_SHA256 unless testing. */
  sha256?: string;
  timeoutMs?: number;
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

export function medqaCachePath(cacheDir: string): string {
  return path.join(cacheDir, MEDQA_CACHE_NAME);
}

/** Downloads, verifies and atomically installs the MedQA test file; returns its path in cacheDir. */
export async function fetchMedqa(opts: FetchMedqaOptions): Promise<string> {
  const url = opts.url ?? MEDQA_URL;
  const expected = opts.sha256 ?? MEDQA_SHA256;
  const doFetch = opts.fetchImpl ?? fetch;
  const log = opts.log ?? (() => {});
  const dest = medqaCachePath(opts.cacheDir);
  await mkdir(opts.cacheDir, { recursive: true });
  // Same directory as dest so the final rename stays on one filesystem (atomic).
  const tmp = path.join(opts.cacheDir, `.${MEDQA_CACHE_NAME}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);

  log(`downloading MedQA test set from ${url}`);
  let res: Response;
  try {
    res = await doFetch(url, { signal: AbortSignal.timeout(opts.timeoutMs ?? DEFAULT_TIMEOUT_MS) });
  } catch (err) {
    throw new FetchError(`cannot download MedQA: ${url} is unreachable (offline?) [${reason(err)}]; ${OFFLINE_HINT}`, "offline");
  }
  if (!res.ok || res.body === null) {
    throw new FetchError(`cannot download MedQA: HTTP ${res.status} ${res.statusText} from ${url}; ${OFFLINE_HINT}`, "http");
  }

  const hash = createHash("sha256");
  try {
    await pipeline(Readable.fromWeb(res.body as import("node:stream/web").ReadableStream), hashTap(hash), createWriteStream(tmp));
  } catch (err) {
    await rm(tmp, { force: true });
    throw new FetchError(`cannot download MedQA: transfer from ${url} failed (offline?) [${reason(err)}]; ${OFFLINE_HINT}`, "offline");
  }

  const actual = hash.digest("hex");
  if (actual !== expected) {
    await rm(tmp, { force: true });
    throw new FetchError(
      `MedQA download from ${url} failed verification: expected sha256 ${expected}, got ${actual}; ` +
        `the file was discarded. ${OFFLINE_HINT[0]!.toUpperCase()}${OFFLINE_HINT.slice(1)}.`,
      "checksum",
    );
  }
  await rename(tmp, dest);
  log(`verified sha256 ${actual}; saved ${dest}`);
  return dest;
}

export interface ResolveMedqaOptions {
  /** The shipped gzipped copy; used when there is no verified cache, instead of downloading. */
  bundledPath?: string;
  /** `--data PATH`: used as is (any dataset, not verified). */
  data?: string | null;
  /** Environment; `MEDQA_PATH` is used as is when set and non-empty. */
  env: NodeJS.ProcessEnv;
  cacheDir: string;
  /** False for offline runs: a missing or corrupt cache is then an error instead of a download. */
  allowFetch: boolean;
  url?: string;
  fetchImpl?: typeof fetch;
  log?: (s: string) => void;
  sha256?: string;
  timeoutMs?: number;
}

export interface ResolvedMedqa {
  path: string;
  /** The sha256 the file must have when loaded: set for the cache, the shipped copy and a download; null for a user's file. */
  sha256: string | null;
  source: "data" | "env" | "cache" | "bundled" | "download";
}

/**
 * Precedence: --data > MEDQA_PATH > verified cache > shipped copy > download (which re-fetches a corrupt cache).
 * A user's file (--data, MEDQA_PATH) is used as is; every other copy is to be checked against the pinned sha256.
 */
export async function resolveMedqa(opts: ResolveMedqaOptions): Promise<ResolvedMedqa> {
  if (opts.data) return { path: opts.data, sha256: null, source: "data" };
  const fromEnv = opts.env.MEDQA_PATH?.trim();
  if (fromEnv) return { path: fromEnv, sha256: null, source: "env" };

  const log = opts.log ?? (() => {});
  const expected = opts.sha256 ?? MEDQA_SHA256;
  const cached = medqaCachePath(opts.cacheDir);
  let problem = "is not cached";
  if (await isFile(cached)) {
    const actual = await sha256File(cached);
    if (actual === expected) return { path: cached, sha256: expected, source: "cache" };
    problem = `cache ${cached} is corrupt (sha256 ${actual}, expected ${expected})`;
    const next = opts.bundledPath ? "using the shipped copy" : opts.allowFetch ? "downloading it again" : "not downloading (fetch disabled)";
    log(`MedQA ${problem}; ${next}`);
  }
  if (opts.bundledPath && (await isFile(opts.bundledPath))) return { path: opts.bundledPath, sha256: expected, source: "bundled" };
  if (!opts.allowFetch) {
    throw new FetchError(`MedQA test set ${problem} and downloading is disabled; ${OFFLINE_HINT}`, "missing");
  }
  const { cacheDir, url, fetchImpl, sha256, timeoutMs } = opts;
  return { path: await fetchMedqa({ cacheDir, url, fetchImpl, log, sha256, timeoutMs }), sha256: expected, source: "download" };
}

/** resolveMedqa's path only. */
export async function resolveMedqaPath(opts: ResolveMedqaOptions): Promise<string> {
  return (await resolveMedqa(opts)).path;
}

async function isFile(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isFile();
  } catch {
    return false;
  }
}

/** The most specific cause of a fetch failure (undici wraps ECONNREFUSED etc. in `cause`). */
function reason(err: unknown): string {
  const e = err as { message?: string; cause?: { code?: string; message?: string } } | undefined;
  return e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(err);
}
