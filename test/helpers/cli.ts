// Spawns the built CLI (dist/, built by `npm test`'s build step) as a user would run it.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const MEDQA = resolve(REPO, "..", "shared", "datasets", "medqa", "us_4options_test.jsonl");
export const BIN = join(REPO, "bin", "run-validation.js");

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Environment without any endpoint configured, so runs use the embedded emulator. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of ["MEDGEMMA_BASE_URL", "MEDGEMMA_API_KEY", "HF_TOKEN", "MEDGEMMA_MODEL_ID", "MEDQA_PATH"]) delete env[k];
  return { ...env, ...extra };
}

export function runCli(args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {}): Promise<CliResult> {
  if (!existsSync(join(REPO, "dist", "cli.js"))) throw new Error("dist/ is missing: run `npm run build` (npm test does it)");
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: opts.cwd ?? REPO, env: opts.env ?? cleanEnv() });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 120_000);
    child.on("error", rej);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      res({ code, signal, stdout, stderr });
    });
  });
}

export const tempDir = (prefix: string) => mkdtempSync(join(tmpdir(), prefix));

/** The single run directory created under `out`. */
export function onlyRunDir(out: string): string {
  const dirs = readdirSync(out);
  if (dirs.length !== 1) throw new Error(`expected one run dir in ${out}, found ${dirs.join(", ")}`);
  return join(out, dirs[0]!);
}

export const readJsonl = <T = Record<string, unknown>>(p: string): T[] =>
  readFileSync(p, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as T);
export const readJson = <T = Record<string, unknown>>(p: string): T => JSON.parse(readFileSync(p, "utf8")) as T;
