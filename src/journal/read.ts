import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Arm, CaseRecord, RunJson } from "../types.js";
import type { RunEvent } from "./events.js";

export const RUN_FILE = "run.json";
export const CASES_FILE = "cases.jsonl";
export const EVENTS_FILE = "events.jsonl";

/** A run folder that cannot be read as a run: not a run, corrupt journal, unreadable run.json. Exit 2. */
export class JournalError extends Error {
  override name = "JournalError";
}

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
        throw new JournalError(`${file}:${lineNo}: not valid JSON (the journal is corrupt before its last line)`);
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

const ARMS = new Set(["direct", "pipeline"]);
const OUTCOMES = new Set(["correct", "wrong", "unparseable", "error"]);

/** Why a parsed cases.jsonl line is not a case record, or null when it has the fields every reader relies on. */
export function caseRecordProblem(v: unknown): string | null {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return `expected a case record (a JSON object), got ${JSON.stringify(v)?.slice(0, 40) ?? String(v)}`;
  const r = v as Record<string, unknown>;
  if (typeof r.case_id !== "string" || r.case_id === "") return `field "case_id": expected a non-empty string`;
  if (typeof r.arm !== "string" || !ARMS.has(r.arm)) return `field "arm": expected "direct" or "pipeline", got ${JSON.stringify(r.arm)}`;
  if (typeof r.outcome !== "string" || !OUTCOMES.has(r.outcome)) return `field "outcome": expected one of ${[...OUTCOMES].join(", ")}, got ${JSON.stringify(r.outcome)}`;
  if (r.epoch !== undefined && !(Number.isInteger(r.epoch) && (r.epoch as number) >= 0)) return `field "epoch": expected a non-negative integer, got ${JSON.stringify(r.epoch)}`;
  const t = r.tokens as Record<string, unknown> | undefined;
  if (t === null || typeof t !== "object") return `field "tokens": expected an object`;
  if (typeof r.started_at !== "string" || typeof r.finished_at !== "string") return `fields "started_at"/"finished_at": expected ISO timestamps`;
  return null;
}

/** Why a parsed events.jsonl line is not an event, or null. */
export function eventProblem(v: unknown): string | null {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return `expected an event (a JSON object), got ${JSON.stringify(v)?.slice(0, 40) ?? String(v)}`;
  const e = v as Record<string, unknown>;
  if (typeof e.type !== "string" || typeof e.t !== "string") return `fields "t"/"type": expected strings`;
  return null;
}

/** Every record must pass `problem`; the first that fails is a JournalError naming file:line. */
function checkRecords<T>(text: string, file: string, records: readonly unknown[], problem: (v: unknown) => string | null): T[] {
  let lineNo = 0;
  let k = 0;
  for (const line of text.split("\n")) {
    lineNo++;
    if (line.trim() === "" || k >= records.length) continue;
    const why = problem(records[k++]);
    if (why) throw new JournalError(`${file}:${lineNo}: not a journal record: ${why}`);
  }
  return records as T[];
}

/** One unit of work: a case through one arm in one epoch (records without `epoch` are epoch 0). */
export const caseKey = (r: { case_id: string; arm: Arm; epoch?: number | undefined }): string =>
  `${r.arm}\u0000${r.case_id}\u0000${r.epoch ?? 0}`;

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
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") throw new JournalError(`${dir} is not a run directory: ${RUN_FILE} is missing`);
    throw err;
  }
  let run: unknown;
  try {
    run = JSON.parse(text);
  } catch {
    throw new JournalError(`${path}: not valid JSON (is this a run directory?)`);
  }
  if (run === null || typeof run !== "object" || Array.isArray(run)) throw new JournalError(`${path}: not a run.json (expected a JSON object)`);
  return run as RunJson;
}

export async function readJournal(dir: string): Promise<Journal> {
  const run = await readRunJson(dir);
  const casesPath = join(dir, CASES_FILE);
  const casesText = await readOptional(casesPath);
  const cases = parseJsonl<CaseRecord>(casesText, casesPath);
  const caseLines = checkRecords<CaseRecord>(casesText, casesPath, cases.records, caseRecordProblem);
  const eventsPath = join(dir, EVENTS_FILE);
  const eventsText = await readOptional(eventsPath);
  const events = checkRecords<RunEvent>(eventsText, eventsPath, parseJsonl<RunEvent>(eventsText, eventsPath).records, eventProblem);
  return {
    dir,
    run,
    cases: latestPerCase(caseLines),
    allCaseLines: caseLines,
    events,
    tornCasesLine: cases.torn,
  };
}
