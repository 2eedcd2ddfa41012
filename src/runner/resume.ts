// --resume: the exact command that continues a run, and the settings a bare `--resume DIR` takes from run.json.
import { resolve } from "node:path";
import { containsSecret } from "../config/redact.js";
import { readRunJson } from "../journal/read.js";
import type { RunJson } from "../types.js";
import { UsageError } from "./exit-codes.js";

/** Flags (with their value) never echoed: the old --resume, and the API key in any spelling. */
const DROPPED = ["--resume", "--api-key", "--apiKey", "--api_key"];

/**
 * The original command line plus `--resume DIR`. Any token equal to or containing a configured secret (a key
 * given under any alias, credentials in a URL) is left out with its flag; the caller is told to supply it again.
 */
export function resumeCommand(argv: readonly string[], dir: string): string {
  const rest: string[] = [];
  let droppedSecret = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (DROPPED.includes(arg)) {
      if (arg !== "--resume") droppedSecret = true;
      i++; // skip its value too
      continue;
    }
    if (DROPPED.some((f) => arg.startsWith(`${f}=`))) {
      if (!arg.startsWith("--resume=")) droppedSecret = true;
      continue;
    }
    if (containsSecret(arg)) {
      droppedSecret = true;
      // `--flag SECRET`: drop the flag too, so the hint does not end up with a flag missing its value.
      if (!arg.startsWith("-") && rest.length > 0 && rest[rest.length - 1]!.startsWith("--") && !rest[rest.length - 1]!.includes("=")) rest.pop();
      continue;
    }
    rest.push(arg);
  }
  const quote = (s: string) => (/^[\w./:=@%+,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);
  const cmd = ["npx", "run-validation", ...rest.map(quote), "--resume", quote(dir)].join(" ");
  return droppedSecret ? `${cmd}\n  (credentials are never echoed: set MEDGEMMA_API_KEY / MEDGEMMA_BASE_URL, or pass --api-key / --base-url again)` : cmd;
}

/**
 * What may differ between a run and its resume without changing results: where and how fast the endpoint is
 * reached, how long to wait, and how it is priced and gated. Everything else must repeat the stored value.
 */
export const RESUME_CHANGEABLE: ReadonlySet<string> = new Set([
  "base-url", "api-key", "concurrency", "delay", "request-timeout", "max-retries", "case-retry-budget", "case-timeout",
  "cold-start-timeout", "scale-up-timeout", "time-scale", "max-error-rate", "cost-per-hour", "price-per-mtok-in",
  "price-per-mtok-out", "out", "resume",
  // The dataset may sit at another path; its content (sha256) and the sampled ids are checked against run.json.
  "data", "medqa",
]);

/** Flags never stored in run.json (secrets, and where the run folder is). */
const NOT_STORED = new Set(["base-url", "api-key", "resume", "out", "help"]);

/** Flags whose value is a path: stored and compared resolved. */
const PATH_FLAGS = new Set(["data", "case-ids", "prompts", "guidelines-file"]);

const camel = (name: string) => name.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());

/** True when the user typed the flag (`--x`, `--x=…`, `--no-x`, camelCase too), not just got its default. */
export function flagGiven(argv: readonly string[], name: string): boolean {
  return [name, camel(name)].some((n) => argv.some((t) => t === `--${n}` || t.startsWith(`--${n}=`) || t === `--no-${n}`));
}

/** The run options by flag name (kebab-case), as stored in run.json's `flags`: secrets left out, paths resolved. */
export function storableFlags(parsed: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(parsed)) {
    if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(k) || NOT_STORED.has(k) || v === undefined) continue;
    out[k] = PATH_FLAGS.has(k) && typeof v === "string" ? resolve(v) : v;
  }
  return out;
}

/** Stored values for runs written before `flags` was kept in run.json. */
function legacyFlags(run: RunJson): Record<string, unknown> {
  const c = run.config;
  return {
    data: c.data_path,
    "max-cases": c.max_cases ?? undefined,
    seed: c.seed,
    "case-ids": c.case_ids_file ?? undefined,
    shard: c.shard ? `${c.shard.k}/${c.shard.n}` : undefined,
    mode: c.mode,
    concurrency: c.concurrency,
    delay: c.delay_s,
    model: run.endpoint.model,
    temperature: c.temperature,
    "max-tokens": c.max_tokens,
    "request-timeout": c.request_timeout_s,
    "max-retries": c.max_retries,
    "json-mode": c.json_mode,
    drugs: c.drugs,
    guidelines: c.guidelines,
    "guidelines-file": c.guidelines_file ?? undefined,
    prompts: c.prompts_dir ?? undefined,
    raw: c.raw,
  };
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/**
 * `--resume DIR` takes every flag not given from the stored run; a given flag must repeat the stored value unless
 * it is one that cannot change results (RESUME_CHANGEABLE). Returns the parsed flags to run with.
 */
export async function resumeArgs<T extends Record<string, unknown>>(parsed: T, argv: readonly string[], dir: string): Promise<T> {
  const run = await readRunJson(dir).catch((err: Error) => {
    throw new UsageError(`cannot resume ${dir}: ${err.message}`);
  });
  // run.json's own record of the flags; for runs written before it was kept, what its config says.
  const stored: Record<string, unknown> = run.flags ?? legacyFlags(run);
  const out: Record<string, unknown> = { ...parsed };
  const refused: string[] = [];
  for (const [name, value] of Object.entries(stored)) {
    if (value === undefined) continue;
    if (!flagGiven(argv, name)) {
      out[name] = value;
      out[camel(name)] = value;
      continue;
    }
    if (RESUME_CHANGEABLE.has(name)) continue;
    const given = PATH_FLAGS.has(name) && typeof parsed[name] === "string" ? resolve(parsed[name] as string) : parsed[name];
    if (!same(given, value)) refused.push(`--${name} (stored ${JSON.stringify(value)}, given ${JSON.stringify(given ?? null)})`);
  }
  if (refused.length > 0) {
    throw new UsageError(
      `cannot resume ${dir}: ${refused.join(", ")} would change the results. On --resume only ${[...RESUME_CHANGEABLE].filter((f) => !["out", "resume", "data", "medqa"].includes(f)).map((f) => `--${f}`).join(", ")} may change; ` +
        `drop the other flags (run.json has them) or start a new run.`,
    );
  }
  return out as T;
}
