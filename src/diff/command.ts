// `run-validation diff <base> [cand]`: load, compare, print, write files, return the exit code.
// Exit codes: 0 ok, 1 significant regression (with --fail-on-regression), 2 usage/config/data error.

import { stat } from "node:fs/promises";
import { writeFileAtomic } from "../journal/atomic.js";
import { readJournal } from "../journal/read.js";
import { regradeJournal } from "../scoring/grading/regrade.js";
import type { Arm } from "../types.js";
import { diffArms, diffRuns } from "./diff.js";
import { gate } from "./gate.js";
import { LegacyFormatError, readLegacy } from "./legacy.js";
import { renderDiffConsole, renderDiffMarkdown } from "./render.js";
import { isLegacy, type PairReducer, type Source } from "./source.js";
import { DiffInputError, type DiffResult } from "./types.js";

export interface DiffCommandOptions {
  arms?: string;
  strict?: boolean;
  /** Compare runs of different datasets anyway (refused by default). */
  allowDatasetMismatch?: boolean;
  markdown?: string;
  json?: string;
  failOnRegression?: boolean;
  alpha?: number;
  minDrop?: number;
  maxLatencyRegression?: number;
  /** Points: fail when the candidate's error rate exceeds the base's by more than this (off by default). */
  maxErrorRateIncrease?: number;
  seed?: number;
  /** --epochs runs: the reducer giving each case its verdict before pairing. */
  reducer?: PairReducer;
}

export interface CommandIO {
  out: (s: string) => void;
  err: (s: string) => void;
}

const defaultIO: CommandIO = { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) };

export const EXIT_OK = 0;
export const EXIT_REGRESSION = 1;
export const EXIT_USAGE = 2;

const ARMS: readonly Arm[] = ["direct", "pipeline"];

export function parseArms(s: string | undefined): Arm[] | undefined {
  if (s === undefined || s.trim() === "") return undefined;
  const list = s.split(",").map((x) => x.trim()).filter(Boolean);
  for (const a of list) if (!ARMS.includes(a as Arm)) throw new DiffInputError(`--arms: unknown arm "${a}" (expected direct and/or pipeline)`);
  return list as Arm[];
}

/** A directory is a run (journal); a file is a legacy result JSON or checkpoint JSONL. */
export async function loadSource(path: string): Promise<Source> {
  let st;
  try {
    st = await stat(path);
  } catch {
    throw new DiffInputError(`${path}: no such run directory or report file`);
  }
  // Verdicts as today's grader reads the raw replies, exactly as `report` shows them.
  if (st.isDirectory()) return regradeJournal(await readJournal(path)).journal;
  return readLegacy(path);
}

function validateNumbers(opts: DiffCommandOptions): void {
  if (opts.alpha !== undefined && !(opts.alpha > 0 && opts.alpha < 1)) throw new DiffInputError(`--alpha must be in (0, 1), got ${opts.alpha}`);
  if (opts.minDrop !== undefined && !(opts.minDrop >= 0)) throw new DiffInputError(`--min-drop must be >= 0, got ${opts.minDrop}`);
  if (opts.maxLatencyRegression !== undefined && !(opts.maxLatencyRegression >= 0)) throw new DiffInputError(`--max-latency-regression must be >= 0, got ${opts.maxLatencyRegression}`);
  if (opts.maxErrorRateIncrease !== undefined && !(opts.maxErrorRateIncrease >= 0 && opts.maxErrorRateIncrease <= 100)) {
    throw new DiffInputError(`--max-error-rate-increase must be between 0 and 100 (points), got ${opts.maxErrorRateIncrease}`);
  }
}

export async function diffCommand(base: string, cand: string | null, opts: DiffCommandOptions, io: CommandIO = defaultIO): Promise<number> {
  let result: DiffResult;
  try {
    validateNumbers(opts);
    const arms = parseArms(opts.arms);
    const diffOpts = {
      ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
      ...(opts.alpha !== undefined ? { alpha: opts.alpha } : {}),
      ...(opts.reducer !== undefined ? { reducer: opts.reducer } : {}),
    };
    if (cand === null) {
      if (!arms || arms.length !== 2 || arms[0] === arms[1]) {
        throw new DiffInputError("diff with one run compares its two arms: pass --arms direct,pipeline (base arm first)");
      }
      const src = await loadSource(base);
      if (isLegacy(src)) throw new DiffInputError(`${base}: a legacy report has a single arm; give a run directory`);
      result = diffArms(src, arms[0]!, arms[1]!, diffOpts);
    } else {
      const [b, c] = await Promise.all([loadSource(base), loadSource(cand)]);
      result = diffRuns(b, c, { ...diffOpts, strict: opts.strict ?? false, allowDatasetMismatch: opts.allowDatasetMismatch ?? false, ...(arms ? { arms } : {}) });
    }
  } catch (err) {
    if (err instanceof DiffInputError || err instanceof LegacyFormatError || err instanceof SyntaxError || (err instanceof Error && (err.name === "JournalError" || /not a run directory|journal is corrupt/.test(err.message)))) {
      io.err(`diff: ${err.message}\n`);
      return EXIT_USAGE;
    }
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "EACCES" || code === "EISDIR") {
      io.err(`diff: ${(err as Error).message}\n`);
      return EXIT_USAGE;
    }
    throw err;
  }

  const g = gate(result, {
    failOnRegression: opts.failOnRegression ?? false,
    ...(opts.alpha !== undefined ? { alpha: opts.alpha } : {}),
    ...(opts.minDrop !== undefined ? { minDrop: opts.minDrop } : {}),
    ...(opts.maxLatencyRegression !== undefined ? { maxLatencyRegressionPct: opts.maxLatencyRegression } : {}),
    ...(opts.maxErrorRateIncrease !== undefined ? { maxErrorRateIncreasePts: opts.maxErrorRateIncrease } : {}),
  });
  const renderOpts = { gate: g, ...(opts.alpha !== undefined ? { alpha: opts.alpha } : {}) };
  io.out(renderDiffConsole(result, renderOpts));
  try {
    if (opts.markdown) await writeFileAtomic(opts.markdown, renderDiffMarkdown(result, renderOpts));
    if (opts.json) await writeFileAtomic(opts.json, JSON.stringify(result, null, 2) + "\n");
  } catch (err) {
    io.err(`diff: cannot write output: ${(err as Error).message}\n`);
    return EXIT_USAGE;
  }
  return g.exitCode;
}
