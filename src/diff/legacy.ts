// Reader for the old Python harness's outputs, so a new run can be compared with historical numbers without
// misreading them. The old harness (validation/base.py, harness_*.py, tracks/*) wrote:
//   - a result JSON per dataset: {dataset, total_cases, successful_cases, failed_cases, metrics, run_duration_sec,
//     timestamp, per_case: [...]}, named `<dataset>_<UTC stamp>.json`;
//   - a checkpoint JSONL per dataset (`<dataset>_checkpoint.jsonl`): one per_case object per line, appended;
//   - experiment-track results (`trackB_<variant>_<stamp>.json`): the same shape, `dataset` = the track id, case
//     ids `medqa_N` = line N of the MedQA test file, diagnosis-matching scores only, sometimes a per-case
//     `details.cost_ledger` with tokens and cost;
//   - a combined report (`combined_<stamp>.json`): {timestamp, total_duration_sec, datasets: {name: summary}}, no
//     per-case data.
// A per_case object: {case_id, source_dataset, success, scores: {name: 0..1}, pipeline_time_ms, step_results,
// report_summary, error, details}. For MedQA, details.correct_answer is the correct option's TEXT,
// details.mcq_selected the chosen letter ("X" when the reply had none), details.mcq_correct a LETTER (the key,
// answer_idx) and scores.mcq_accuracy 1/0; details.question_type uses the old labels ("diagnostic", …).
// scores.top1_accuracy / top3_accuracy / mentioned(_accuracy) are diagnosis matching by the old fuzzy matcher,
// never multiple-choice accuracy.
//
// Only MedQA files are accepted: MTSamples (parse robustness), PMC case reports (diagnosis vs a title) and other
// datasets are refused with a LegacyFormatError (exit 2), as is a combined report (no per-case data).

import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import { contentHash } from "../datasets/validate.js";
import { LETTERS, type Letter, type Outcome } from "../types.js";

export type LegacyFileKind = "medqa_result" | "checkpoint" | "experiment_result";

export interface LegacyCase {
  case_id: string;
  source_dataset: string | null;
  /** The multiple-choice outcome; meaningful only when `has_mcq` or `outcome === "error"`. */
  outcome: Outcome;
  /** The case went through the old MCQ answer step (scores.mcq_accuracy or details.mcq_selected present). */
  has_mcq: boolean;
  /** The selected option letter, when the old harness recorded one ("X" = none → null, unparseable). */
  answer: string | null;
  /** The key letter (details.mcq_correct). */
  correct_answer: string | null;
  /** The correct option's text (details.correct_answer). */
  correct_text: string | null;
  /** The old harness's question-type label mapped to ours ("diagnostic" → "diagnosis"). */
  question_type: string | null;
  latency_ms: number | null;
  step_status: Record<string, string>;
  error: string | null;
  /** The raw legacy scores, under their own names. */
  scores: Record<string, number>;
  /** Per-case tokens and cost (details.cost_ledger), when the file has them. */
  tokens: { prompt: number; completion: number } | null;
  cost_usd: number | null;
  /** Experiment files: `medqa_N` is line N (1-based) of the MedQA test file → 0-based record index N − 1. */
  line_index: number | null;
  /** sha256 of question + options (as the harness computes it), when the file carries both. */
  content_hash: string | null;
}

/** One legacy number under its own name, with its own denominator. */
export interface LegacyMetric {
  name: string;
  kind: "mcq" | "diagnostic" | "pipeline";
  /** Value as written in the file's `metrics` (null when absent or a checkpoint). */
  file_value: number | null;
  /** Recomputed from per_case the old harness's way: the mean over the cases carrying the score. */
  k: number;
  n: number;
  value: number | null;
  denominator: string;
}

export interface LegacyReport {
  kind: "legacy";
  format: "result" | "checkpoint";
  file_kind: LegacyFileKind;
  path: string;
  dataset: string | null;
  timestamp: string | null;
  run_duration_sec: number | null;
  total_cases: number | null;
  cases: LegacyCase[];
  metrics: LegacyMetric[];
}

export class LegacyFormatError extends Error {
  override name = "LegacyFormatError";
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === "string" ? v : typeof v === "number" ? String(v) : null);
const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);

/** The old classifier's labels → ours (question-type.ts). */
const QUESTION_TYPE_MAP: Record<string, string> = { diagnostic: "diagnosis", lab: "lab_finding", labs: "lab_finding" };
export const mapQuestionType = (t: string | null): string | null => (t === null ? null : (QUESTION_TYPE_MAP[t.toLowerCase()] ?? t.toLowerCase()));

const letterOf = (v: unknown): Letter | null => {
  const s = str(v)?.trim().toUpperCase();
  return s !== undefined && (LETTERS as readonly string[]).includes(s) ? (s as Letter) : null;
};

/** MCQ outcome of one legacy case, from its own MCQ fields only (never from diagnosis-matching scores). */
function mcqOutcome(o: Obj, scores: Obj, details: Obj): { outcome: Outcome; has_mcq: boolean; answer: Letter | null } {
  const selected = str(details.mcq_selected);
  const answer = letterOf(selected);
  const has_mcq = "mcq_accuracy" in scores || selected !== null;
  const error = str(o.error);
  if (o.success === false || (error !== null && error !== "") || str(details.mcq_error) !== null) return { outcome: "error", has_mcq, answer };
  if (!has_mcq) return { outcome: "unparseable", has_mcq, answer };
  const key = letterOf(details.mcq_correct);
  const acc = num(scores.mcq_accuracy);
  const correct = answer !== null && key !== null ? answer === key : acc !== null && acc >= 0.5;
  if (correct) return { outcome: "correct", has_mcq, answer };
  return { outcome: answer === null ? "unparseable" : "wrong", has_mcq, answer };
}

function ledger(details: Obj): { tokens: LegacyCase["tokens"]; cost: number | null } {
  const l = isObj(details.cost_ledger) ? details.cost_ledger : null;
  if (!l) return { tokens: null, cost: null };
  const p = num(l.total_input_tokens);
  const c = num(l.total_output_tokens);
  return { tokens: p !== null && c !== null ? { prompt: p, completion: c } : null, cost: num(l.total_cost_usd) };
}

/** The question and options, when a (later or hand-made) file carries them: they pair cases by content. */
function questionHash(o: Obj, details: Obj): string | null {
  const q = str(details.full_question) ?? str(details.question) ?? str(o.question);
  const opts = isObj(details.options) ? details.options : isObj(o.options) ? o.options : null;
  if (q === null || opts === null) return null;
  const options: Partial<Record<Letter, string>> = {};
  for (const l of LETTERS) if (typeof opts[l] === "string") options[l] = opts[l] as string;
  return Object.keys(options).length >= 2 ? contentHash(q, options) : null;
}

/** Normalise one per_case object; `index` names cases that lack an id. */
export function parseLegacyCase(raw: unknown, index: number): LegacyCase {
  const o = isObj(raw) ? raw : {};
  const scores = isObj(o.scores) ? o.scores : {};
  const details = isObj(o.details) ? o.details : {};
  const error = str(o.error) ?? str(details.mcq_error);
  const mcq = mcqOutcome(o, scores, details);
  const stepStatus: Record<string, string> = {};
  if (isObj(o.step_results)) {
    for (const [k, v] of Object.entries(o.step_results)) stepStatus[k] = str(v) ?? (isObj(v) ? (str(v.status) ?? "?") : "?");
  }
  const numericScores: Record<string, number> = {};
  for (const [k, v] of Object.entries(scores)) if (num(v) !== null) numericScores[k] = v as number;
  const caseId = str(o.case_id) ?? `#${index}`;
  // medqa_N (no zero padding) is the track runners' line id; the validation harness pads sample positions (medqa_0042).
  const line = /^medqa_([1-9]\d*)$/.exec(caseId);
  const { tokens, cost } = ledger(details);
  return {
    case_id: caseId,
    source_dataset: str(o.source_dataset),
    outcome: mcq.outcome,
    has_mcq: mcq.has_mcq,
    answer: mcq.answer,
    correct_answer: letterOf(details.mcq_correct),
    correct_text: str(details.correct_answer),
    question_type: mapQuestionType(str(details.question_type)),
    latency_ms: num(o.pipeline_time_ms),
    step_status: stepStatus,
    error: error === "" ? null : error,
    scores: numericScores,
    tokens,
    cost_usd: cost,
    line_index: line ? Number(line[1]) - 1 : null,
    content_hash: questionHash(o, details),
  };
}

const METRICS: ReadonlyArray<{ name: string; kind: LegacyMetric["kind"]; what: string }> = [
  { name: "mcq_accuracy", kind: "mcq", what: "MCQ answer correct; only cases that reached the MCQ step (successful pipeline runs)" },
  { name: "top1_accuracy", kind: "diagnostic", what: "old fuzzy matcher: correct option text vs the first differential entry (may fall through to other fields)" },
  { name: "top3_accuracy", kind: "diagnostic", what: "old fuzzy matcher: correct option text in the first three differential entries" },
  { name: "mentioned_accuracy", kind: "diagnostic", what: "old fuzzy matcher: correct option text anywhere in the report (30% token overlap suffices)" },
  { name: "mentioned", kind: "diagnostic", what: "old fuzzy matcher: correct option text anywhere in the report" },
  { name: "differential_accuracy", kind: "diagnostic", what: "old fuzzy matcher: found in the differential" },
  { name: "parse_success", kind: "pipeline", what: "pipeline produced a report" },
  { name: "pipeline_success", kind: "pipeline", what: "pipeline completed (file-level metric)" },
];

/** Each legacy metric under its own name: the file's value and a recount over the cases carrying the score. */
export function legacyMetrics(cases: readonly LegacyCase[], fileMetrics: Obj | null): LegacyMetric[] {
  const out: LegacyMetric[] = [];
  for (const m of METRICS) {
    const carrying = cases.filter((c) => m.name in c.scores);
    const fileValue = fileMetrics ? num(fileMetrics[m.name]) : null;
    if (carrying.length === 0 && fileValue === null) continue;
    const k = carrying.reduce((s, c) => s + (c.scores[m.name]! >= 0.5 ? 1 : 0), 0);
    out.push({
      name: m.name,
      kind: m.kind,
      file_value: fileValue,
      k,
      n: carrying.length,
      value: carrying.length ? k / carrying.length : null,
      denominator: `${carrying.length} of ${cases.length} cases carry it (${m.what})`,
    });
  }
  return out;
}

/** What a non-MedQA legacy file is, in words, for the refusal message. */
function refusal(path: string, dataset: string): LegacyFormatError {
  const name = basename(path);
  const d = dataset.toLowerCase();
  const why =
    d === "mtsamples"
      ? "an MTSamples result (medical transcriptions scored for parse robustness, not multiple-choice answers)"
      : d === "pmc"
        ? "a PMC case-report result (its top1 is diagnosis matching against an article title, not MedQA accuracy)"
        : `a "${dataset}" result, not MedQA`;
  return new LegacyFormatError(`${name}: ${why}; only the old harness's MedQA files (medqa_<stamp>.json, medqa_checkpoint.jsonl, trackX_<variant>_<stamp>.json) can be compared with a MedQA run`);
}

/** The file's kind; outside experiment files, a `medqa_N`-looking id is a sample position, not a line. */
function classify(path: string, dataset: string | null, cases: LegacyCase[], format: "result" | "checkpoint"): LegacyFileKind {
  const kind = classifyKind(path, dataset, cases, format);
  if (kind !== "experiment_result") for (const c of cases) c.line_index = null;
  return kind;
}

function classifyKind(path: string, dataset: string | null, cases: readonly LegacyCase[], format: "result" | "checkpoint"): LegacyFileKind {
  const d = (dataset ?? "").toLowerCase();
  if (/^track[a-z]/.test(d)) {
    if (!cases.every((c) => c.line_index !== null || c.case_id.startsWith("#"))) {
      const bad = cases.find((c) => c.line_index === null)!;
      throw new LegacyFormatError(`${basename(path)}: an experiment-track result whose case id "${bad.case_id}" is not medqa_N; only MedQA tracks can be compared`);
    }
    return "experiment_result";
  }
  if (d !== "medqa") throw refusal(path, dataset ?? "unknown");
  return format === "checkpoint" ? "checkpoint" : "medqa_result";
}

function parseCheckpoint(text: string, path: string): LegacyReport {
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
    if (!isObj(obj) || !("case_id" in obj)) throw new LegacyFormatError(`${path}:${i + 1}: not a legacy per_case object (expected case_id, success, scores, details)`);
    cases.push(parseLegacyCase(obj, cases.length));
  });
  if (cases.length === 0) throw new LegacyFormatError(`${path}: no cases in legacy checkpoint`);
  const datasets = [...new Set(cases.map((c) => c.source_dataset ?? "unknown"))];
  if (datasets.length > 1) throw new LegacyFormatError(`${path}: a checkpoint mixing datasets (${datasets.join(", ")})`);
  const dataset = datasets[0]!;
  const file_kind = classify(path, dataset, cases, "checkpoint");
  return { kind: "legacy", format: "checkpoint", file_kind, path, dataset, timestamp: null, run_duration_sec: null, total_cases: null, cases, metrics: legacyMetrics(cases, null) };
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
  if (isJsonl) return parseCheckpoint(text, path);
  if (isObj(doc) && isObj(doc.datasets) && !Array.isArray(doc.per_case)) {
    const names = Object.keys(doc.datasets);
    throw new LegacyFormatError(
      `${basename(path)}: a combined report of the old harness (datasets: ${names.join(", ") || "none"}) has no per-case results; compare its MedQA result file (medqa_<stamp>.json) or medqa_checkpoint.jsonl instead`,
    );
  }
  if (!isObj(doc) || !Array.isArray(doc.per_case)) {
    throw new LegacyFormatError(`${path}: not a legacy result (expected an object with a per_case array)`);
  }
  const cases = doc.per_case.map((c, i) => parseLegacyCase(c, i));
  const dataset = str(doc.dataset) ?? cases.find((c) => c.source_dataset !== null)?.source_dataset ?? null;
  const file_kind = classify(path, dataset, cases, "result");
  return {
    kind: "legacy",
    format: "result",
    file_kind,
    path,
    dataset,
    timestamp: str(doc.timestamp),
    run_duration_sec: num(doc.run_duration_sec),
    total_cases: num(doc.total_cases),
    cases,
    metrics: legacyMetrics(cases, isObj(doc.metrics) ? doc.metrics : null),
  };
}

export async function readLegacy(path: string): Promise<LegacyReport> {
  const text = await readFile(path, "utf8");
  return parseLegacy(text, path);
}

export const legacyLabel = (r: LegacyReport): string => `legacy ${r.file_kind.replace("_", " ")} ${basename(r.path)}`;
