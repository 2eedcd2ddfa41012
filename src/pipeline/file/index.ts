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

export function loadPipelineRun(path: string): PipelineRun {
  const def = loadPipelineFile(path);
  return { def, record: pipelineRecord(def), run: (c, client, opts, signal) => runPipelineFile(def, c, client, opts, signal) };
}
