// The configuration hash guards --resume: a run may only be continued with the settings that produced
// its first half. Each component is compared by name so a refusal can say exactly what differs.
import { createHash } from "node:crypto";
import type { RunJson } from "../types.js";

/** The result-determining parts of a run, by name. */
export function configComponents(
  run: Pick<RunJson, "config" | "dataset" | "sampled_ids" | "prompts" | "endpoint"> & Pick<Partial<RunJson>, "pipeline">,
): Record<string, unknown> {
  const c = run.config;
  const prompts: Record<string, string> = {};
  for (const [id, p] of Object.entries(run.prompts)) if (p) prompts[`prompt:${id}`] = p.sha256;
  return {
    "dataset sha256": run.dataset.sha256,
    "sampled ids": run.sampled_ids,
    model: run.endpoint.model,
    mode: c.mode,
    seed: c.seed,
    temperature: c.temperature,
    max_tokens: c.max_tokens,
    json_mode: c.json_mode,
    drugs: c.drugs,
    guidelines: c.guidelines,
    guidelines_file: c.guidelines_file,
    // Only when repeating, so the hash of every single-epoch run stays what it was.
    ...(c.epochs !== undefined && c.epochs > 1 ? { epochs: c.epochs } : {}),
    ...prompts,
    // Only with --pipeline FILE, so the hash of every other run stays what it was.
    ...pipelineComponents(run.pipeline),
  };
}

/** `pipeline.<step>.<field>` for each step of a --pipeline file, plus the step list itself. */
export function pipelineComponents(p: RunJson["pipeline"]): Record<string, unknown> {
  if (!p) return {};
  const out: Record<string, unknown> = { "pipeline.steps": p.steps.map((s) => s.name), "pipeline.answer": p.answer };
  for (const s of p.steps) {
    const { name, ...fields } = s;
    for (const [k, v] of Object.entries(fields)) out[`pipeline.${name}.${k}`] = v;
  }
  return out;
}

export function stableStringify(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableStringify).join(",")}]`;
  if (v && typeof v === "object") {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableStringify(o[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(v) ?? "null";
}

export function hashComponents(components: Record<string, unknown>): string {
  return createHash("sha256").update(stableStringify(components)).digest("hex");
}

/** Names of the components that differ between a stored run and the one asked for now. */
export function diffComponents(stored: Record<string, unknown>, now: Record<string, unknown>): string[] {
  const keys = new Set([...Object.keys(stored), ...Object.keys(now)]);
  return [...keys].filter((k) => stableStringify(stored[k]) !== stableStringify(now[k])).sort();
}
