// Seeded, content-addressed sampling. Each case gets a pseudo-random key derived from (seed, content_hash)
// alone, so the sample does not depend on file order, concurrency or which other cases exist: the first 50
// of a ranking are also the first 50 of the first 100 (samples nest), and a reordered file selects the same
// questions.
import { readFile } from "node:fs/promises";
import { seededFirstDouble } from "./arc4.js";
import { DataError, describeValue } from "../datasets/errors.js";
import type { Case } from "../types.js";

export interface Shard {
  /** 1-based shard number. */
  k: number;
  n: number;
}

export interface SampleOptions {
  seed: number;
  /** Keep the first maxCases of the ranking; null/undefined keeps all. */
  maxCases?: number | null;
  /** Pin exactly these ids (in this order) instead of ranking; maxCases and shard still apply. */
  caseIds?: string[] | null;
  /** Where caseIds came from, for error messages. */
  caseIdsFile?: string | null;
  shard?: Shard | null;
}

/** The seeded rank key of a case; exposed so reports can show why a case was picked. */
export function sampleKey(seed: number, contentHash: string): number {
  return seededFirstDouble(`${seed}:${contentHash}`); // ≡ seedrandom(`${seed}:${contentHash}`)(), see arc4.ts
}

/** All cases in seeded order: by key, then content_hash, then id (identical questions stay deterministic). */
export function rankCases(cases: readonly Case[], seed: number): Case[] {
  return cases
    .map((c) => ({ c, key: sampleKey(seed, c.content_hash) }))
    .sort((a, b) => a.key - b.key || cmp(a.c.content_hash, b.c.content_hash) || cmp(a.c.id, b.c.id))
    .map(({ c }) => c);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function sampleCases(cases: Case[], opts: SampleOptions): Case[] {
  const { maxCases, shard } = opts;
  if (maxCases != null && (!Number.isInteger(maxCases) || maxCases < 0)) {
    throw new RangeError(`max cases must be a non-negative integer, got ${maxCases}`);
  }
  if (shard != null) checkShard(shard);

  const ordered = opts.caseIds != null ? pinCases(cases, opts.caseIds, opts.caseIdsFile ?? null) : rankCases(cases, opts.seed);
  const sample = maxCases == null ? ordered : ordered.slice(0, maxCases);
  // Round-robin over the sample: shards are disjoint, cover it, and differ in size by at most one.
  return shard == null ? sample : sample.filter((_, i) => i % shard.n === shard.k - 1);
}

/** The cases named by ids, in the ids' order; an unknown or repeated id is an error naming the ids file. */
function pinCases(cases: readonly Case[], ids: readonly string[], file: string | null): Case[] {
  const byId = new Map(cases.map((c) => [c.id, c]));
  const seen = new Set<string>();
  const where = file ?? "--case-ids";
  return ids.map((id, i) => {
    const c = byId.get(id);
    const field = `case_ids[${i}]`;
    if (c === undefined) {
      const example = cases[0]?.id ?? "none";
      throw new DataError(
        { file: where, line: 0, field, expected: `an id from the dataset (e.g. ${example})`, got: describeValue(id) },
        `${where}: unknown case id ${describeValue(id)} (entry ${i + 1}); ids look like ${example}`,
      );
    }
    if (seen.has(id)) {
      throw new DataError({ file: where, line: 0, field, expected: "each id once", got: `${describeValue(id)} again` });
    }
    seen.add(id);
    return c;
  });
}

function checkShard({ k, n }: Shard): void {
  if (!Number.isInteger(k) || !Number.isInteger(n) || n < 1 || k < 1 || k > n) {
    throw new RangeError(`invalid shard ${k}/${n}: expected K/N with 1 ≤ K ≤ N`);
  }
}

/** Parses `--shard K/N` (1-based K), e.g. "2/4". */
export function parseShard(s: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(s);
  const k = Number(m?.[1]);
  const n = Number(m?.[2]);
  if (!m || n < 1 || k < 1 || k > n) {
    throw new RangeError(`invalid --shard ${JSON.stringify(s)}: expected K/N with 1 ≤ K ≤ N, e.g. 2/4`);
  }
  return { k, n };
}

/** Reads a case-ids file: a JSON array of strings, or one id per line (blank lines and `#` comments ignored). */
export async function readCaseIdsFile(file: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? "error";
    throw new DataError(
      { file, line: 0, field: "(file)", expected: "an existing, readable file", got: code },
      `${file}: cannot read case ids file (${code === "ENOENT" ? "not found" : code})`,
    );
  }
  text = text.replace(/^\uFEFF/, "");
  return text.trimStart().startsWith("[") ? idsFromJson(text, file) : idsFromLines(text);
}

function idsFromJson(text: string, file: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new DataError({ file, line: 0, field: "(file)", expected: "a JSON array of id strings", got: (err as Error).message });
  }
  if (!Array.isArray(parsed)) {
    throw new DataError({ file, line: 0, field: "(file)", expected: "a JSON array of id strings", got: describeValue(parsed) });
  }
  return parsed.map((id, i) => {
    if (typeof id !== "string" || id.trim() === "") {
      throw new DataError({ file, line: 0, field: `[${i}]`, expected: "a non-empty id string", got: describeValue(id) });
    }
    return id.trim();
  });
}

function idsFromLines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"));
}
