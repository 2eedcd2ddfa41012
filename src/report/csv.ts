// cases.csv: one row per case and arm (RFC 4180: CRLF line ends, fields with , " CR or LF quoted, " doubled).
import type { CaseRecord } from "../types.js";
import { caseLabels, orderedCases } from "./format.js";

export const CSV_COLUMNS = [
  "case_id", "arm", "outcome", "answer", "correct_answer", "correct_text", "question_type", "usmle_step",
  "latency_ms", "wall_ms", "cold_ms", "prompt_tokens", "completion_tokens", "calls", "attempts",
  "error_class", "error", "dx_top1", "dx_top3", "dx_mentioned", "content_hash", "started_at", "finished_at", "stem",
] as const;

/**
 * OWASP CSV injection rule: a text cell starting with = + - @, tab or CR would run as a formula in Excel,
 * LibreOffice or Sheets (`=HYPERLINK(…)`, `+cmd|' /C calc'!A0`), so it gets a leading single quote. Numbers are
 * written as numbers (a negative latency is a number, not a formula).
 */
export function neutralizeFormula(s: string): string {
  return /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
}

export function csvField(v: string | number | boolean | null | undefined): string {
  if (v === null || v === undefined) return "";
  const s = typeof v === "string" ? neutralizeFormula(v) : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** `dxStep`: the step whose differential is scored (format.differentialStep); null → the dx columns stay empty. */
export function renderCsv(cases: readonly CaseRecord[], sampledIds: readonly string[], dxStep: string | null = "synthesize"): string {
  const lines = [CSV_COLUMNS.join(",")];
  for (const r of orderedCases(cases, sampledIds)) {
    const { question_type, usmle_step, dx } = caseLabels(r, dxStep);
    const row: Record<(typeof CSV_COLUMNS)[number], string | number | boolean | null | undefined> = {
      case_id: r.case_id,
      arm: r.arm,
      outcome: r.outcome,
      answer: r.answer,
      correct_answer: r.correct_answer,
      correct_text: r.correct_text,
      question_type,
      usmle_step,
      latency_ms: r.latency_ms,
      wall_ms: r.wall_ms,
      cold_ms: r.cold_ms,
      prompt_tokens: r.tokens.prompt,
      completion_tokens: r.tokens.completion,
      calls: r.calls,
      attempts: r.attempts,
      error_class: r.error_class,
      error: r.error,
      dx_top1: dx?.top1,
      dx_top3: dx?.top3,
      dx_mentioned: dx?.mentioned,
      content_hash: r.content_hash,
      started_at: r.started_at,
      finished_at: r.finished_at,
      stem: r.stem,
    };
    lines.push(CSV_COLUMNS.map((c) => csvField(row[c])).join(","));
  }
  return lines.join("\r\n") + "\r\n";
}
