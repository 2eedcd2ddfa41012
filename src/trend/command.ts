// `run-validation trend RUN_DIR… | FOLDER`: read each run's journal, write trend.html and trend.md.
// A folder that is not itself a run stands for the runs directly inside it (a nightly history folder).
import { readdir, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { writeFileAtomic } from "../journal/atomic.js";
import { readJournal, RUN_FILE, type Journal } from "../journal/read.js";
import { UsageError } from "../runner/exit-codes.js";
import { renderTrendHtml, renderTrendMarkdown } from "./render.js";
import { buildTrend } from "./trend.js";

export interface TrendCommandOptions {
  html: string;
  markdown: string;
  alpha?: number;
}

const isFile = (p: string): Promise<boolean> => stat(p).then((s) => s.isFile(), () => false);

/** Run directories named by `paths`: each a run, or a folder of runs (its subfolders with a run.json). */
export async function expandRuns(paths: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const p of paths.map((x) => resolve(x))) {
    if (await isFile(join(p, RUN_FILE))) {
      out.push(p);
      continue;
    }
    let entries: string[];
    try {
      entries = (await readdir(p, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => join(p, e.name));
    } catch {
      throw new UsageError(`trend: ${p} is neither a run directory (no ${RUN_FILE}) nor a folder of runs`);
    }
    const runs: string[] = [];
    for (const d of entries.sort()) if (await isFile(join(d, RUN_FILE))) runs.push(d);
    if (runs.length === 0) throw new UsageError(`trend: ${p} holds no run directories (no ${RUN_FILE} in it or its subfolders)`);
    out.push(...runs);
  }
  return [...new Set(out)];
}

export async function trendCommand(paths: readonly string[], opts: TrendCommandOptions, say: (s: string) => void): Promise<number> {
  const dirs = await expandRuns(paths);
  if (dirs.length === 0) throw new UsageError("trend: give at least one run directory or a folder of runs");
  const journals: Journal[] = [];
  for (const d of dirs) journals.push(await readJournal(d));
  const datasets = new Set(journals.map((j) => j.run.dataset.name));
  if (datasets.size > 1) say(`NOTE: the runs cover ${datasets.size} datasets (${[...datasets].join(", ")}); consecutive runs are compared on their common cases only`);
  const t = buildTrend(journals, opts.alpha !== undefined ? { alpha: opts.alpha } : {});
  await writeFileAtomic(opts.html, renderTrendHtml(t));
  await writeFileAtomic(opts.markdown, renderTrendMarkdown(t));
  const marked = t.steps.filter((s) => s.arms.some((a) => a.significant)).length;
  const changed = t.steps.filter((s) => s.changes.length > 0).length;
  say(`trend over ${t.points.length} run(s): ${changed} configuration change(s), ${marked} significant accuracy change(s) → ${opts.html}, ${opts.markdown}`);
  return 0;
}
