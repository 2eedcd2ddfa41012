// Prompt templates: the built-in set (the prompt files default.yaml names, one per step, plus direct/prompt.md),
// `--prompts DIR` overrides by step name, and their hashes (recorded in run.json so a diff can say which prompt
// changed). Rendering lives in template.ts.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { STEP_IDS } from "../types.js";
import { defaultPipelineFile } from "./default.js";
import { RETRIEVED_VAR } from "./file/load.js";
import { sha256, templateVariables } from "./template.js";
import type { PromptId, PromptSet, PromptTemplate } from "./types.js";

export { splitStem, type StemSplit } from "./stem.js";
export { renderTemplate, sha256, templateVariables } from "./template.js";

export const PROMPT_IDS: readonly PromptId[] = [...STEP_IDS, "direct"];

const DIRECT_URL = new URL("./direct/prompt.md", import.meta.url);

/**
 * The variables each template may use (an override using any other name is rejected at load time): for a step,
 * its inputs in default.yaml (plus {{retrieved}} when its retrieval feeds the prompt); for direct, the question.
 */
export function templateVariablesOf(id: PromptId): readonly string[] {
  if (id === "direct") return ["question", "options"];
  const step = defaultPipelineFile().steps.find((s) => s.name === id);
  if (!step) throw new Error(`default.yaml has no step ${id}`);
  return [...step.inputs.map((r) => r.as), ...(step.retrieval?.use === "prompt" ? [RETRIEVED_VAR] : [])];
}

/** A built-in template: the step's prompt file in default.yaml, or the direct arm's. */
function builtinTemplate(id: PromptId): { text: string; path: string } {
  if (id === "direct") return { text: readFileSync(DIRECT_URL, "utf8"), path: fileURLToPath(DIRECT_URL) };
  const prompt = defaultPipelineFile().steps.find((s) => s.name === id)?.prompt;
  if (!prompt) throw new Error(`default.yaml has no prompt for step ${id}`);
  return { text: prompt.text, path: prompt.path };
}

/** Reads the built-in templates, then replaces any subset with `<id>.md` files from `overrideDir`. */
export function loadPromptSet(overrideDir?: string | null): PromptSet {
  const set = {} as PromptSet;
  for (const id of PROMPT_IDS) set[id] = { ...builtinTemplate(id), overridden: false };
  if (overrideDir) {
    const valid = PROMPT_IDS.map((id) => `${id}.md`);
    let names: string[];
    try {
      names = readdirSync(overrideDir);
    } catch (err) {
      throw new Error(`--prompts ${overrideDir}: cannot read the folder (${(err as Error).message})`);
    }
    for (const name of names.sort()) {
      if (name.startsWith(".")) continue; // editor and OS droppings
      const path = join(overrideDir, name);
      const id = name.endsWith(".md") ? (name.slice(0, -3) as PromptId) : undefined;
      if (id === undefined || !PROMPT_IDS.includes(id) || !statSync(path).isFile()) {
        throw new Error(`--prompts ${overrideDir}: unknown prompt file "${name}"; valid names are ${valid.join(", ")}`);
      }
      set[id] = { text: readFileSync(path, "utf8"), overridden: true, path };
    }
  }
  for (const id of PROMPT_IDS) checkVariables(id, set[id]);
  return set;
}

/** Fails at load time rather than mid-run when a template names a variable its step does not provide. */
function checkVariables(id: PromptId, tpl: PromptTemplate): void {
  const allowed = templateVariablesOf(id);
  const unknown = templateVariables(tpl.text).filter((v) => !allowed.includes(v));
  if (unknown.length > 0) {
    throw new Error(
      `${tpl.path}: unknown template variable(s) ${unknown.map((v) => `{{${v}}}`).join(", ")}; ` +
        `the ${id} prompt can use ${allowed.map((v) => `{{${v}}}`).join(", ")}`,
    );
  }
}

export function promptHashes(set: PromptSet): Record<PromptId, { sha256: string; overridden: boolean }> {
  const out = {} as Record<PromptId, { sha256: string; overridden: boolean }>;
  for (const id of PROMPT_IDS) out[id] = { sha256: sha256(set[id].text), overridden: set[id].overridden };
  return out;
}
