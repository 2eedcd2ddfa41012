// The built-in pipeline is a pipeline file shipped with the package (default.yaml, next to the step prompts it
// names), run by the same interpreter as `--pipeline FILE`. The only thing that is not in the file is `--prompts
// DIR`: a run's prompt set replaces each step's template by step name (the set holds the built-in text otherwise).
import { fileURLToPath } from "node:url";
import { loadPipelineFile, type PipelineDef } from "./file/load.js";
import type { PromptId, PromptSet } from "./types.js";

export const DEFAULT_PIPELINE_PATH = fileURLToPath(new URL("./default.yaml", import.meta.url));

let base: PipelineDef | null = null;

/** default.yaml as loaded and validated (once per process). */
export function defaultPipelineFile(): PipelineDef {
  base ??= loadPipelineFile(DEFAULT_PIPELINE_PATH);
  return base;
}

const withPrompts = new WeakMap<PromptSet, PipelineDef>();

/** The built-in pipeline with a run's prompt set: each step's template is the set's template of that step name. */
export function defaultPipeline(prompts: PromptSet): PipelineDef {
  let def = withPrompts.get(prompts);
  if (!def) {
    const file = defaultPipelineFile();
    def = {
      ...file,
      steps: file.steps.map((s) => {
        const tpl = prompts[s.name as PromptId];
        return tpl && s.prompt ? { ...s, prompt: { ...s.prompt, path: tpl.path, text: tpl.text } } : s;
      }),
    };
    withPrompts.set(prompts, def);
  }
  return def;
}
