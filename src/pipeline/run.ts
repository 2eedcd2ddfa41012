// The pipeline arm: the built-in pipeline (default.yaml: parse → reason → (drugs ∥ guidelines) → conflicts →
// synthesize → answer, with its degrade rules) or a `--pipeline FILE`, both through one interpreter
// (file/interpret.ts). Only the answer step decides the outcome: a letter → correct/wrong, a reply without one →
// unparseable, no reply (endpoint failure) → error.
import type { ModelClient } from "../endpoint/types.js";
import type { Case } from "../types.js";
import { defaultPipeline } from "./default.js";
import { runPipelineFile } from "./file/interpret.js";
import type { ArmResult, PipelineOptions } from "./types.js";

export type { ArmResult, Guideline, PipelineOptions, PromptSet } from "./types.js";
export { runDirect } from "./direct/run.js";
export { loadGuidelines } from "./guidelines-file.js";
export { caseResult } from "./result.js";

/** The built-in pipeline (default.yaml) on one case, with the run's prompt set. */
export function runPipeline(c: Case, client: ModelClient, opts: PipelineOptions, signal?: AbortSignal): Promise<ArmResult> {
  return runPipelineFile(defaultPipeline(opts.prompts), c, client, opts, signal);
}
