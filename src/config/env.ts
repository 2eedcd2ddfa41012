// Endpoint settings from the environment and an optional `.env` in the working directory.
// Flags override the environment; the environment overrides `.env` (as dotenv does).
import { readFileSync } from "node:fs";
import { join } from "node:path";

/** Parses `KEY=VALUE` lines (optional `export`, quotes, `#` comments). Small enough not to need dotenv. */
export function parseDotenv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!m) continue;
    let value = m[2]!;
    const q = value[0];
    if ((q === '"' || q === "'") && value.endsWith(q) && value.length >= 2) {
      value = value.slice(1, -1);
      if (q === '"') value = value.replace(/\\n/g, "\n").replace(/\\"/g, '"');
    } else {
      value = value.replace(/\s+#.*$/, "").trim();
    }
    out[m[1]!] = value;
  }
  return out;
}

/** process.env layered over `./.env` (the real environment wins). */
export function loadEnv(cwd: string = process.cwd(), env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  let fileVars: Record<string, string> = {};
  try {
    fileVars = parseDotenv(readFileSync(join(cwd, ".env"), "utf8"));
  } catch {
    // no .env: fine
  }
  return { ...fileVars, ...env };
}

export interface EndpointSettings {
  baseUrl: string | null;
  apiKey: string | null;
  model: string;
}

export function endpointSettings(
  env: NodeJS.ProcessEnv,
  flags: { baseUrl?: string | undefined; apiKey?: string | undefined; model?: string | undefined },
): EndpointSettings {
  const baseUrl = (flags.baseUrl ?? env.MEDGEMMA_BASE_URL ?? "").trim() || null;
  const apiKey = (flags.apiKey ?? env.MEDGEMMA_API_KEY ?? env.HF_TOKEN ?? "").trim() || null;
  const model = (flags.model ?? env.MEDGEMMA_MODEL_ID ?? "").trim() || "tgi";
  return { baseUrl: baseUrl ? baseUrl.replace(/\/+$/, "") : null, apiKey, model };
}

/** Hides credentials that may sit in a URL's userinfo or query string. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.username || u.password) {
      u.username = "***";
      u.password = "";
    }
    for (const k of [...u.searchParams.keys()]) if (/token|key|secret/i.test(k)) u.searchParams.set(k, "***");
    return u.toString().replace(/\/$/, "");
  } catch {
    return "<invalid url>";
  }
}
