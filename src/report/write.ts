// Writes every report output of a run directory from its journal alone, each file atomically.
import { join } from "node:path";
import { writeFileAtomic } from "../journal/atomic.js";
import { readJournal, type Journal } from "../journal/read.js";
import { regradeJournal } from "../scoring/grading/regrade.js";
import { renderCsv } from "./csv.js";
import { renderHtml } from "./html.js";
import { renderJunit } from "./junit.js";
import { differentialStep } from "./format.js";
import { renderMarkdown } from "./markdown.js";
import { summarize, type SummarizeOptions } from "./summary.js";
import type { Summary } from "./summary-schema.js";

export const REPORT_FILES = ["summary.json", "summary.md", "report.html", "junit.xml", "cases.csv"] as const;

export interface ReportTexts {
  summary: Summary;
  texts: Record<(typeof REPORT_FILES)[number], string>;
}

/** Every output as text (pure; handy for tests and for printing without writing). */
export function renderReports(raw: Journal, opts: SummarizeOptions = {}): ReportTexts {
  // Every output reads the verdicts of today's grader, recomputed from the raw replies in the journal.
  const { journal, regrade } = regradeJournal(raw);
  const summary = summarize(journal, { ...opts, regrade });
  const ids = journal.run.sampled_ids;
  // Without a step producing a differential (a --pipeline file without `differential: true`): no dx anywhere.
  const dxStep = differentialStep(journal.run);
  return {
    summary,
    texts: {
      "summary.json": JSON.stringify(summary, null, 2) + "\n",
      "summary.md": renderMarkdown(summary),
      "report.html": renderHtml(summary, journal.cases, ids, dxStep),
      "junit.xml": renderJunit(journal.run.run_id, journal.cases, ids),
      "cases.csv": renderCsv(journal.cases, ids, dxStep),
    },
  };
}

export async function writeReports(dir: string, opts: SummarizeOptions = {}): Promise<{ summary: Summary; files: string[] }> {
  const journal = await readJournal(dir);
  const { summary, texts } = renderReports(journal, opts);
  const files: string[] = [];
  for (const name of REPORT_FILES) {
    const path = join(dir, name);
    await writeFileAtomic(path, texts[name]);
    files.push(path);
  }
  return { summary, files };
}
