// Re-grading a journal: every verdict is recomputed from the raw reply kept in the record, so a fixed grader
// improves old runs without calling the endpoint (report and diff both read journals through this). Pure.
import type { Journal } from "../../journal/read.js";
import { LETTERS, type CaseRecord, type Letter, type Outcome } from "../../types.js";
import { grade, gradeRecord, GRADER_VERSION } from "./grade.js";

export interface RegradeSummary {
  grader_version: number;
  /** Records whose verdict was recomputed from raw text. */
  regraded: number;
  /** Records whose outcome or letter differs from what the journal says. */
  changed: number;
  /** Records with a model reply but no raw text (run with --no-raw): kept as recorded. */
  no_raw: number;
  /** Old-style records (no options saved): graded with the correct option's text only. */
  without_options: number;
  /** Outcome transitions, "from→to" (e.g. "unparseable→correct"), with counts; letter changes within wrong count as "wrong→wrong". */
  transitions: Record<string, number>;
}

/** The raw reply and finish reason the record's verdict rests on, or null when there is none. */
function replyOf(r: CaseRecord): { text: string; finish: string | null } | null {
  if (r.arm === "direct") return r.raw === undefined ? null : { text: r.raw, finish: r.finish_reason ?? null };
  const a = r.steps?.answer;
  if (a === undefined || a.status === "skipped" || a.raw === undefined) return null;
  return { text: a.raw, finish: a.finish_reason };
}

/**
 * The options to grade against: the record's own, or (journals written before they were kept) every letter up
 * to the highest one seen, with only the correct option's text known.
 */
function optionsOf(r: CaseRecord): { options: Partial<Record<Letter, string>>; saved: boolean } {
  if (r.options !== undefined) return { options: r.options, saved: true };
  const top = Math.max(3, LETTERS.indexOf(r.correct_answer), (LETTERS as readonly (string | null)[]).indexOf(r.answer));
  const options: Partial<Record<Letter, string>> = {};
  for (const l of LETTERS.slice(0, top + 1)) options[l] = l === r.correct_answer ? r.correct_text : "";
  return { options, saved: false };
}

/** Old pipeline records ended the case on a model's format failure at parse/reason and called it an error. */
const isLegacyModelFailure = (r: CaseRecord): boolean => r.outcome === "error" && r.error_class === "parse_failed";

export function regradeRecord(r: CaseRecord): { record: CaseRecord; regraded: boolean; noRaw: boolean; savedOptions: boolean } {
  if (isLegacyModelFailure(r)) {
    // The model answered (badly) and the case stopped there: under today's taxonomy that is unparseable, not error.
    const { error_class: _drop, ...rest } = r;
    const record: CaseRecord = { ...rest, outcome: "unparseable", answer: null, grade: { method: "none", reason: "no_commitment", rule: "legacy_step_failure", matched: null, v: GRADER_VERSION } };
    return { record, regraded: true, noRaw: false, savedOptions: r.options !== undefined };
  }
  const reply = r.outcome === "error" ? null : replyOf(r);
  if (reply === null) return { record: r, regraded: false, noRaw: r.outcome !== "error", savedOptions: r.options !== undefined };
  const { options, saved } = optionsOf(r);
  const g = grade({ text: reply.text, options, finishReason: reply.finish });
  const outcome: Outcome = g.letter === null ? "unparseable" : g.letter === r.correct_answer ? "correct" : "wrong";
  const record: CaseRecord = { ...r, outcome, answer: g.letter, grade: gradeRecord(g) };
  return { record, regraded: true, noRaw: false, savedOptions: saved };
}

/** Re-grades every record; returns the new records (same order) and what changed. */
export function regradeCases(cases: readonly CaseRecord[]): { cases: CaseRecord[]; summary: RegradeSummary } {
  const summary: RegradeSummary = { grader_version: GRADER_VERSION, regraded: 0, changed: 0, no_raw: 0, without_options: 0, transitions: {} };
  const out = cases.map((r) => {
    const res = regradeRecord(r);
    if (res.noRaw) summary.no_raw++;
    if (!res.regraded) return r;
    summary.regraded++;
    if (!res.savedOptions) summary.without_options++;
    if (res.record.outcome !== r.outcome || res.record.answer !== r.answer) {
      summary.changed++;
      const k = `${r.outcome}→${res.record.outcome}`;
      summary.transitions[k] = (summary.transitions[k] ?? 0) + 1;
    }
    return res.record;
  });
  return { cases: out, summary };
}

/** One line for a terminal: "re-graded 200 of 200 verdicts from raw text: 3 changed (unparseable→correct 2, …)". */
export function describeRegrade(s: RegradeSummary, total: number): string {
  // Keys are unique: the default (code-unit) order needs no comparator.
  const parts = Object.keys(s.transitions)
    .sort()
    .map((k) => `${k} ${s.transitions[k]}`);
  const extra = [
    s.no_raw > 0 ? `${s.no_raw} kept as recorded (no raw text)` : "",
    s.without_options > 0 ? `${s.without_options} graded without option texts (journal predates them)` : "",
  ].filter(Boolean);
  return (
    `re-graded ${s.regraded} of ${total} verdicts from raw text (grader v${s.grader_version}): ${s.changed} changed` +
    (parts.length ? ` (${parts.join(", ")})` : "") +
    (extra.length ? `; ${extra.join("; ")}` : "")
  );
}

/**
 * A journal whose latest records carry today's verdicts. Superseded lines are left as written (they only feed
 * wall time and liveness, never a verdict).
 */
export function regradeJournal(journal: Journal): { journal: Journal; regrade: RegradeSummary } {
  const { cases, summary } = regradeCases(journal.cases);
  return { journal: { ...journal, cases }, regrade: summary };
}
