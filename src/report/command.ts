// `run-validation report DIR`: regenerate every output of a run from its journal alone (no endpoint), e.g. after
// a scoring fix, and print the headline tables. Same journal + options → same summary.json apart from generated_at.
import { writeReports } from "./write.js";
import { renderSummaryTables } from "./console.js";
import { classifyExit } from "../runner/exit-codes.js";

export interface ReportCommandOptions {
  costPerHour?: number;
  pricePerMTokIn?: number;
  pricePerMTokOut?: number;
  quiet?: boolean;
  generatedAt?: string;
  /** Where the tables and messages go (default stdout / stderr). */
  out?: NodeJS.WritableStream;
  err?: NodeJS.WritableStream;
}

/** Returns the process exit code: 0 on success, 2 when the directory is not a readable run (see classifyExit). */
export async function reportCommand(dir: string, opts: ReportCommandOptions): Promise<number> {
  const out = opts.out ?? process.stdout;
  const err = opts.err ?? process.stderr;
  try {
    const { summary, files } = await writeReports(dir, {
      ...(opts.generatedAt !== undefined ? { generatedAt: opts.generatedAt } : {}),
      cost: {
        ...(opts.costPerHour !== undefined ? { per_hour: opts.costPerHour } : {}),
        ...(opts.pricePerMTokIn !== undefined ? { per_mtok_in: opts.pricePerMTokIn } : {}),
        ...(opts.pricePerMTokOut !== undefined ? { per_mtok_out: opts.pricePerMTokOut } : {}),
      },
    });
    if (!opts.quiet) {
      out.write(renderSummaryTables(summary));
      out.write(`wrote ${files.join(", ")}\n`);
    }
    return 0;
  } catch (e) {
    const { code, message } = classifyExit(e);
    err.write(`report: ${message}\n`);
    return code;
  }
}
