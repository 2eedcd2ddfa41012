// `{{variable}}` templates: the placeholders a template uses, rendering, and the hash recorded for a template.
import { createHash } from "node:crypto";

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
