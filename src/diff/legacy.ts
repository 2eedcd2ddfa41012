// Reader for the old Python harness's outputs, so a new run can be compared with historical numbers.
// Two shapes: (a) the final result JSON {dataset, total_cases, ..., per_case: [...]} and (b) the
// checkpoint JSONL (one per_case object per line). Every field is optional: old files vary by version.
//
// Its case ids are sample positions ("case_0", "12", ...), not content hashes, so a comparison with
// a legacy report can only be UNPAIRED (see diff.ts).

import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import type { Outcome } from "../types.js";

export interface LegacyCase {
  case_id: string;
  source_dataset: string | null;
  outcome: Outcome;
  /** The selected option letter, when the old harness recorded one. */
  answer: string | null;
  correct_answer: string | null;
  /** The old harness's own question-type label (its taxonomy, not necessarily ours). */
  question_type: string | null;
  latency_ms: number | null;
  step_status: Record<string, string>;
  error: string | null;
}

export interface LegacyReport {
  kind: "legacy";
  format: "result" | "checkpoint";
  path: string;
  dataset: string | null;
  timestamp: string | null;
  run_duration_sec: number | null;
  total_cases: number | null;
  cases: LegacyCase[];
}

export class LegacyFormatError extends Error {
  override name = "LegacyFormatError";
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === "string" ? v : typeof v === "number" ? String(v) : null);
const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);

/** Truthy score: the old harness wrote 1/0, 1.0/0.0 or booleans. */
function scoreTrue(v: unknown): boolean | null {
  if (typeof v === "boolean") return v;
  if (typeof v === "number") return v >= 0.5;
  return null;
}

/** Normalise one per_case object; `index` names cases that lack an id. */
export function parseLegacyCase(raw: unknown, index: number): LegacyCase {
  const o = isObj(raw) ? raw : {};
  const scores = isObj(o.scores) ? o.scores : {};
  const details = isObj(o.details) ? o.details : {};
  const error = str(o.error);
  // MCQ datasets (MedQA) score by mcq_correct / mcq_accuracy; older files only have top1_accuracy.
  const correct = scoreTrue(details.mcq_correct) ?? scoreTrue(scores.mcq_accuracy) ?? scoreTrue(scores.top1_accuracy) ?? false;
  const answer = str(details.mcq_selected);
  let outcome: Outcome;
  if (o.success === false || (error !== null && error !== "")) outcome = "error";
  else if (correct) outcome = "correct";
  else if (scoreTrue(scores.parse_success) === false) outcome = "unparseable";
  else outcome = "wrong";
  const stepStatus: Record<string, string> = {};
  if (isObj(o.step_results)) {
    for (const [k, v] of Object.entries(o.step_results)) stepStatus[k] = str(v) ?? (isObj(v) ? (str(v.status) ?? "?") : "?");
  }
  return {
    case_id: str(o.case_id) ?? `#${index}`,
    source_dataset: str(o.source_dataset),
    outcome,
    answer,
    correct_answer: str(details.correct_answer),
    question_type: str(details.question_type),
    latency_ms: num(o.pipeline_time_ms),
    step_status: stepStatus,
    error: error === "" ? null : error,
  };
}

/** Parse a legacy file's text; JSONL when the name ends in .jsonl or the text is not one JSON document. */
export function parseLegacy(text: string, path: string): LegacyReport {
  const trimmed = text.trim();
  let doc: unknown;
  let isJsonl = path.endsWith(".jsonl");
  if (!isJsonl) {
    try {
      doc = JSON.parse(trimmed);
    } catch {
      isJsonl = true;
    }
  }
  if (isJsonl) {
    const cases: LegacyCase[] = [];
    const lines = text.split("\n");
    lines.forEach((line, i) => {
      if (line.trim() === "") return;
      let obj: unknown;
      try {
        obj = JSON.parse(line);
      } catch {
        // A checkpoint killed mid-write leaves a torn last line; anything earlier is corruption.
        if (i >= lines.length - 2) return;
        throw new LegacyFormatError(`${path}:${i + 1}: not valid JSON`);
      }
      cases.push(parseLegacyCase(obj, cases.length));
    });
    if (cases.length === 0) throw new LegacyFormatError(`${path}: no cases in legacy checkpoint`);
    const dataset = cases.find((c) => c.source_dataset !== null)?.source_dataset ?? null;
    return { kind: "legacy", format: "checkpoint", path, dataset, timestamp: null, run_duration_sec: null, total_cases: null, cases };
  }
  if (!isObj(doc) || !Array.isArray(doc.per_case)) {
    throw new LegacyFormatError(`${path}: not a legacy result (expected an object with a per_case array)`);
  }
  const cases = doc.per_case.map((c, i) => parseLegacyCase(c, i));
  return {
    kind: "legacy",
    format: "result",
    path,
    dataset: str(doc.dataset) ?? cases.find((c) => c.source_dataset !== null)?.source_dataset ?? null,
    timestamp: str(doc.timestamp),
    run_duration_sec: num(doc.run_duration_sec),
    total_cases: num(doc.total_cases),
    cases,
  };
}

export async function readLegacy(path: string): Promise<LegacyReport> {
  const text = await readFile(path, "utf8");
  return parseLegacy(text, path);
}

export const legacyLabel = (r: LegacyReport): string => `legacy ${r.format} ${basename(r.path)}`;
