// Acceptance for issue #12 (TGI fidelity), end to end: the built CLI against an in-process emulator reached
// with --base-url, so the test can read the emulator's own counters. Emulated waits run on its time scale.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type EmulatorHandle, type EmulatorStats } from "../src/emulator/server.js";
import type { CaseRecord, RunJson } from "../src/types.js";
import { MEDQA, cleanEnv, onlyRunDir, readJson, readJsonl, runCli, tempDir, type CliResult } from "./helpers/cli.js";

interface Run {
  res: CliResult;
  dir: string | null;
  stats: EmulatorStats;
}

const open: EmulatorHandle[] = [];

async function runAgainst(emu: Partial<Parameters<typeof startEmulator>[0]>, args: string[]): Promise<Run> {
  const h = await startEmulator({ timeScale: 1000, ...emu });
  open.push(h);
  const out = tempDir("rv-acc12-");
  const res = await runCli(["--medqa", "--data", MEDQA, "--seed", "42", "--base-url", h.url, "--api-key", "x", ...args, "--out", out], {
    env: cleanEnv(),
    timeoutMs: 240_000,
  });
  let dir: string | null = null;
  try {
    dir = onlyRunDir(out);
  } catch {
    dir = null;
  }
  return { res, dir, stats: h.stats() };
}

let grammar: Run;
let cold: Run;
let pausedAtStart: Run;
let pausedMidRun: Run;

beforeAll(async () => {
  // The emulators share this process's Gemma tokenizer: load it before any run is timed.
  await (await import("../src/tokenizer/gemma.js")).warmTokenizer();
  // --time-scale 100: the harness's cold-start probing and backoff run 100× faster (request timeout 3 s).
  const fast = ["--time-scale", "100"];
  [grammar, cold, pausedAtStart, pausedMidRun] = await Promise.all([
    runAgainst({}, ["--max-cases", "30", "--mode", "pipeline", "--json-mode", "grammar", "--concurrency", "4"]),
    runAgainst({ startCold: true, coldStartS: 600 }, ["--max-cases", "3", "--mode", "direct", ...fast]),
    runAgainst({ paused: true }, ["--max-cases", "5", "--mode", "pipeline", ...fast]),
    runAgainst({ pauseAfterRequests: 6 }, ["--max-cases", "10", "--mode", "pipeline", ...fast]),
  ]);
}, 300_000);

afterAll(async () => {
  await Promise.all(open.splice(0).map((h) => h.close()));
});

describe("#12 --mode pipeline --json-mode grammar, 30 cases", () => {
  it("exits 0 with 30 cases and none errored", () => {
    expect(grammar.res.code, grammar.res.stderr).toBe(0);
    const lines = readJsonl<CaseRecord>(join(grammar.dir!, "cases.jsonl"));
    expect(lines).toHaveLength(30);
    expect(lines.filter((l) => l.outcome === "error")).toEqual([]);
  });

  it("the journal has TGI's timing headers per step, and the reports split queue vs inference and count `length` ends", () => {
    const lines = readJsonl<CaseRecord>(join(grammar.dir!, "cases.jsonl"));
    for (const l of lines) {
      for (const [id, st] of Object.entries(l.steps ?? {})) {
        if (st.calls > 0) expect(st.server, `${l.case_id} ${id}`).toMatchObject({ queue_ms: expect.any(Number), inference_ms: expect.any(Number), validation_ms: expect.any(Number) });
      }
    }
    const summary = readJson<{ arms: Array<{ server_timing: Array<{ step: string; n: number; n_timed: number; queue_ms: { p50: number | null }; finish_length: { n: number } }> }> }>(
      join(grammar.dir!, "summary.json"),
    );
    const rows = summary.arms[0]!.server_timing;
    expect(rows.map((r) => r.step)).toEqual(["parse", "reason", "drugs", "guidelines", "conflicts", "synthesize", "answer"]);
    for (const r of rows) {
      expect(r.n_timed).toBe(r.n);
      expect(r.queue_ms.p50).not.toBeNull();
      expect(r.finish_length.n).toBe(r.n);
    }
    expect(readFileSync(join(grammar.dir!, "summary.md"), "utf8")).toContain("## Queue vs inference");
  });

  it("every request passed TGI's grammar validation (the emulator answered no 422)", () => {
    expect(grammar.stats.status422).toBe(0);
    expect(grammar.stats.requests["200"]).toBeGreaterThanOrEqual(30 * 6);
  });
});

describe("#12 an endpoint that starts scaled to zero", () => {
  it("completes, after one cold start", () => {
    expect(cold.res.code, cold.res.stderr).toBe(0);
    expect(cold.stats.coldStarts).toBe(1);
  });

  it("run.json records the real /info, read once warm, and limits from it", () => {
    const run = readJson<RunJson>(join(cold.dir!, "run.json"));
    expect(run.endpoint.info).toMatchObject({ model_id: "google/medgemma-27b-text-it", max_input_tokens: 12288, max_total_tokens: 16384, version: "3.3.6" });
    expect(run.endpoint.info_read).toBe("after_warm");
    expect(run.endpoint.limits).toEqual({ max_input_tokens: 12288, max_total_tokens: 16384 });
    expect(run.endpoint.limits_source).toBe("engine");
    expect(run.endpoint.engine).toBe("tgi");
    const events = readJsonl<{ type: string }>(join(cold.dir!, "events.jsonl"));
    expect(events.map((e) => e.type)).toContain("info_reread");
  });
});

describe("#12 a paused endpoint", () => {
  it("paused at start: exit 3 before any case, naming the cause and how to resume the endpoint", () => {
    expect(pausedAtStart.res.code).toBe(3);
    expect(pausedAtStart.res.stderr).toContain('"Bad Request: Invalid state"');
    expect(pausedAtStart.res.stderr).toMatch(/paused: resume it .*Resume/);
    expect(pausedAtStart.stats.total).toBe(0); // no model call was sent
    expect(pausedAtStart.dir).toBeNull();
  });

  it("paused mid-run: the run stops at once (no retries of the 400), exit 3, with the resume command", () => {
    expect(pausedMidRun.res.code).toBe(3);
    expect(pausedMidRun.res.stderr).toMatch(/endpoint unavailable: paused: HTTP 400: Bad Request: Invalid state — the Inference Endpoint is paused/);
    expect(pausedMidRun.res.stderr).toContain("--resume");
    // Concurrency 1 (drugs ∥ guidelines may overlap): the request(s) in flight when the pause came met
    // the 400, and nothing was sent after them.
    const rejected = pausedMidRun.stats.requests["400"] ?? 0;
    expect(rejected).toBeGreaterThanOrEqual(1);
    expect(rejected).toBeLessThanOrEqual(2);
    expect(pausedMidRun.stats.total).toBe(6 + rejected);
  });
});
