// Prompt templates: the built-in set (one prompt.md per step, plus direct/prompt.md), `--prompts DIR` overrides,
// their hashes (recorded in run.json so a diff can say which prompt changed) and `{{variable}}` rendering.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { STEP_IDS, type StepId } from "../types.js";
import type { PromptId, PromptSet, PromptTemplate } from "./types.js";

export { splitStem, type StemSplit } from "./stem.js";

export const PROMPT_IDS: readonly PromptId[] = [...STEP_IDS, "direct"];

/**
 * The pipeline's dependency graph: each step reads the outputs of the steps listed. drugs and guidelines
 * depend only on parse/reason, so they run concurrently; answer is always last.
 */
export const STEP_DEPENDENCIES: Readonly<Record<StepId, readonly StepId[]>> = {
  parse: [],
  reason: ["parse"],
  drugs: ["parse", "reason"],
  guidelines: ["parse", "reason"],
  conflicts: ["parse", "reason", "drugs", "guidelines"],
  synthesize: ["parse", "reason", "drugs", "guidelines", "conflicts"],
  answer: ["synthesize"],
};

/** Execution stages in order; the steps of one stage run concurrently. */
export const STEP_STAGES: readonly (readonly StepId[])[] = [
  ["parse"],
  ["reason"],
  ["drugs", "guidelines"],
  ["conflicts"],
  ["synthesize"],
  ["answer"],
];

export const STEP_ORDER: readonly StepId[] = STEP_STAGES.flat();

/** The variables each template may use; an override using any other name is rejected at load time. */
export const TEMPLATE_VARIABLES: Readonly<Record<PromptId, readonly string[]>> = {
  parse: ["vignette"],
  reason: ["profile"],
  drugs: ["medications", "allergies", "profile_summary", "top_diagnoses"],
  guidelines: ["profile_summary", "top_diagnoses"],
  conflicts: ["profile", "reasoning", "drugs", "guidelines"],
  synthesize: ["profile", "reasoning", "drugs", "guidelines", "conflicts"],
  answer: ["report", "question", "options"],
  direct: ["question", "options"],
};

function builtinUrl(id: PromptId): URL {
  return id === "direct"
    ? new URL("./direct/prompt.md", import.meta.url)
    : new URL(`./steps/${id}/prompt.md`, import.meta.url);
}

/** Reads the built-in templates, then replaces any subset with `<id>.md` files from `overrideDir`. */
export function loadPromptSet(overrideDir?: string | null): PromptSet {
  const set = {} as PromptSet;
  for (const id of PROMPT_IDS) {
    const url = builtinUrl(id);
    set[id] = { text: readFileSync(url, "utf8"), overridden: false, path: fileURLToPath(url) };
  }
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
  const allowed = TEMPLATE_VARIABLES[id];
  const unknown = templateVariables(tpl.text).filter((v) => !allowed.includes(v));
  if (unknown.length > 0) {
    throw new Error(
      `${tpl.path}: unknown template variable(s) ${unknown.map((v) => `{{${v}}}`).join(", ")}; ` +
        `the ${id} prompt can use ${allowed.map((v) => `{{${v}}}`).join(", ")}`,
    );
  }
}

const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

export function templateVariables(tpl: string): string[] {
  return [...new Set([...tpl.matchAll(PLACEHOLDER)].map((m) => m[1] as string))];
}

/** Replaces `{{name}}` placeholders; a placeholder without a value is an error, never an empty string. */
export function renderTemplate(tpl: string, vars: Readonly<Record<string, string>>): string {
  const missing = templateVariables(tpl).filter((v) => !Object.hasOwn(vars, v));
  if (missing.length > 0) throw new Error(`template variable(s) without a value: ${missing.join(", ")}`);
  return tpl.replace(PLACEHOLDER, (_, name: string) => vars[name] as string).trim();
}

export function sha256(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

export function promptHashes(set: PromptSet): Record<PromptId, { sha256: string; overridden: boolean }> {
  const out = {} as Record<PromptId, { sha256: string; overridden: boolean }>;
  for (const id of PROMPT_IDS) out[id] = { sha256: sha256(set[id].text), overridden: set[id].overridden };
  return out;
}
