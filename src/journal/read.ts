import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Arm, CaseRecord, RunJson } from "../types.js";
import type { RunEvent } from "./events.js";

export const RUN_FILE = "run.json";
export const CASES_FILE = "cases.jsonl";
export const EVENTS_FILE = "events.jsonl";

export interface JournalLines<T> {
  records: T[];
  /** Byte length of the valid prefix; a torn final line (crash mid-write) lies beyond it. */
  validBytes: number;
  /** True when the last line had no newline and did not parse: it was dropped. */
  torn: boolean;
}

/**
 * Parse a JSONL journal. Every complete line must parse (corruption in the middle is an error, not
 * something to skip silently); only an unterminated, unparsable LAST line is treated as a torn write.
 */
export function parseJsonl<T>(text: string, file: string): JournalLines<T> {
  const records: T[] = [];
  let pos = 0;
  let lineNo = 0;
  while (pos < text.length) {
    const nl = text.indexOf("\n", pos);
    const end = nl === -1 ? text.length : nl;
    const line = text.slice(pos, end);
    lineNo++;
    if (line.trim() !== "") {
      try {
        records.push(JSON.parse(line) as T);
      } catch {
        if (nl === -1) return { records, validBytes: Buffer.byteLength(text.slice(0, pos)), torn: true };
        throw new Error(`${file}:${lineNo}: not valid JSON (the journal is corrupt before its last line)`);
      }
    }
    if (nl === -1) {
      // A complete JSON object without its newline: keep it, but the writer must add the newline first.
      return { records, validBytes: Buffer.byteLength(text), torn: false };
    }
    pos = nl + 1;
  }
  return { records, validBytes: Buffer.byteLength(text), torn: false };
}

export const caseKey = (r: { case_id: string; arm: Arm }): string => `${r.arm}\u0000${r.case_id}`;

/** Latest record per (case, arm): a resumed run appends re-runs of errored cases after the old lines. */
export function latestPerCase(records: readonly CaseRecord[]): CaseRecord[] {
  const byKey = new Map<string, CaseRecord>();
  for (const r of records) {
    const k = caseKey(r);
    byKey.delete(k); // re-insert so the map's order is the order of the latest lines
    byKey.set(k, r);
  }
  return [...byKey.values()];
}

export interface Journal {
  dir: string;
  run: RunJson;
  /** One record per (case, arm), the latest line winning. */
  cases: CaseRecord[];
  /** Every case line as written, superseded attempts included. */
  allCaseLines: CaseRecord[];
  events: RunEvent[];
  tornCasesLine: boolean;
}

async function readOptional(path: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return "";
    throw err;
  }
}

export async function readRunJson(dir: string): Promise<RunJson> {
  const path = join(dir, RUN_FILE);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") throw new Error(`${dir} is not a run directory: ${RUN_FILE} is missing`);
    throw err;
  }
  return JSON.parse(text) as RunJson;
}

export async function readJournal(dir: string): Promise<Journal> {
  const run = await readRunJson(dir);
  const casesPath = join(dir, CASES_FILE);
  const cases = parseJsonl<CaseRecord>(await readOptional(casesPath), casesPath);
  const eventsPath = join(dir, EVENTS_FILE);
  const events = parseJsonl<RunEvent>(await readOptional(eventsPath), eventsPath);
  return {
    dir,
    run,
    cases: latestPerCase(cases.records),
    allCaseLines: cases.records,
    events: events.records,
    tornCasesLine: cases.torn,
  };
}
