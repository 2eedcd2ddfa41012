// The peer: promptfoo 0.121.20 (the TypeScript eval tool), installed pinned into a temporary folder and run on the
// same N direct MedQA questions (the harness's own seeded sample and direct prompt text) against the same emulator
// process, alternating with the harness. Skipped with a note when the npm registry is unreachable.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO } from "./util.mjs";

export const PEER_VERSION = "0.121.20";

/** Installs promptfoo@PEER_VERSION into BENCH_PEER_DIR (default: a fixed temp folder reused across runs). */
export function ensurePromptfoo(log) {
  const dir = process.env.BENCH_PEER_DIR ?? join(tmpdir(), `medqa-bench-promptfoo-${PEER_VERSION}`);
  const pkg = join(dir, "node_modules", "promptfoo", "package.json");
  const installed = () => existsSync(pkg) && JSON.parse(readFileSync(pkg, "utf8")).version === PEER_VERSION;
  if (!installed()) {
    mkdirSync(dir, { recursive: true });
    log(`installing promptfoo@${PEER_VERSION} into ${dir} (npm registry; a few minutes the first time)`);
    const r = spawnSync("npm", ["install", "--prefix", dir, `promptfoo@${PEER_VERSION}`, "--no-audit", "--no-fund", "--loglevel=error"], {
      encoding: "utf8",
      timeout: 15 * 60_000,
    });
    if (r.status !== 0 || !installed()) {
      const why = (r.stderr || r.error?.message || `npm exited ${r.status}`).trim().split("\n").slice(-3).join(" ");
      return { skipped: `promptfoo@${PEER_VERSION} could not be installed (registry unreachable?): ${why}` };
    }
  }
  const bin = JSON.parse(readFileSync(pkg, "utf8")).bin;
  const entry = typeof bin === "string" ? bin : (bin.promptfoo ?? Object.values(bin)[0]);
  return { dir, entry: join(dir, "node_modules", "promptfoo", entry), version: PEER_VERSION };
}

/**
 * A promptfoo config for the first `n` cases of the harness's seeded ranking (seed 42), each with the harness's
 * direct prompt and a regex assertion for the keyed letter, against `url` at concurrency 4, cache off.
 */
export async function writePeerConfig(file, { data, n, url, concurrency = 4 }) {
  const { loadDataset } = await import(join(REPO, "dist/datasets/load.js"));
  const { sampleCases } = await import(join(REPO, "dist/sampling/sample.js"));
  const { loadPromptSet } = await import(join(REPO, "dist/pipeline/prompts.js"));
  const { directRequestText } = await import(join(REPO, "dist/pipeline/direct/run.js"));
  const ds = await loadDataset(data);
  const cases = sampleCases(ds.cases, { seed: 42, maxCases: n });
  const direct = loadPromptSet(null).direct.text;
  const tests = cases.map((c) => ({
    vars: { prompt: directRequestText(c, direct) },
    assert: [{ type: "regex", value: `Answer:\\s*\\**${c.answer_idx}\\b` }],
  }));
  const config = {
    description: `MedQA direct, ${n} questions (medqa-harness bench)`,
    prompts: ["{{prompt}}"],
    providers: [{ id: "openai:chat:tgi", config: { apiBaseUrl: url, apiKey: "bench", temperature: 0, max_tokens: 2048, seed: 42 } }],
    tests,
    evaluateOptions: { maxConcurrency: concurrency, cache: false },
  };
  writeFileSync(file, JSON.stringify(config, null, 1)); // JSON is YAML
  return { cases: cases.length };
}

/** Environment for promptfoo runs: no telemetry, no update check, no cache, its state in a temp folder. */
export function peerEnv(stateDir) {
  mkdirSync(stateDir, { recursive: true });
  return {
    PROMPTFOO_DISABLE_TELEMETRY: "1",
    PROMPTFOO_DISABLE_UPDATE: "1",
    PROMPTFOO_CACHE_ENABLED: "false",
    PROMPTFOO_CONFIG_DIR: stateDir,
    NO_COLOR: "1",
  };
}
