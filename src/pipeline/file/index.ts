// `--pipeline FILE` for the runner: load and validate once, then one interpreter call per case.
import type { ModelClient } from "../../endpoint/types.js";
import type { Case, RunPipeline } from "../../types.js";
import type { ArmResult, PipelineOptions } from "../types.js";
import { runPipelineFile } from "./interpret.js";
import { loadPipelineFile, pipelineRecord, type PipelineDef } from "./load.js";

export { loadPipelineFile, parsePipeline, pipelineRecord, type PipelineDef } from "./load.js";
export { runPipelineFile } from "./interpret.js";

export interface PipelineRun {
  def: PipelineDef;
  record: RunPipeline;
  run: (c: Case, client: ModelClient, opts: PipelineOptions, signal?: AbortSignal) => Promise<ArmResult>;
}

/**
 * Run flags that act on pipeline steps must find one in the file: --no-drugs / --no-guidelines switch off the steps
 * with that `skipped_by`, --guidelines-file feeds `retrieval.corpus: --guidelines-file`, --prompts replaces built-in
 * step prompts. A flag with nothing to act on would silently change nothing: the problem, or null.
 */
export function runFlagProblem(
  def: PipelineDef,
  flags: { drugs: boolean; guidelines: boolean; guidelines_file: string | null },
  overriddenPrompts: readonly string[] = [],
): string | null {
  const file = def.path;
  // --prompts DIR replaces the built-in pipeline's step prompts; a pipeline file names its own (direct.md still applies).
  const steps = overriddenPrompts.filter((id) => id !== "direct");
  if (steps.length > 0) return `--prompts: ${steps.map((id) => `${id}.md`).join(", ")} override built-in pipeline steps, but the pipeline file ${file} names its own prompts (only direct.md applies with --pipeline)`;
  for (const [flag, off] of [["--no-drugs", !flags.drugs], ["--no-guidelines", !flags.guidelines]] as const) {
    if (off && !def.steps.some((s) => s.skipped_by === flag)) return `${flag}: the pipeline file ${file} has no step with skipped_by: ${flag}`;
  }
  if (flags.guidelines && flags.guidelines_file && !def.steps.some((s) => s.retrieval?.corpus === "run")) {
    return `--guidelines-file: the pipeline file ${file} has no step with retrieval.corpus: --guidelines-file`;
  }
  return null;
}

export function loadPipelineRun(path: string): PipelineRun {
  const def = loadPipelineFile(path);
  return { def, record: pipelineRecord(def), run: (c, client, opts, signal) => runPipelineFile(def, c, client, opts, signal) };
}
