// Issue #5 acceptance: the CLI against the emulator over real HTTP, time-scaled. The emulator runs in this
// process (so the test can make it go cold, overload or fail mid-run); the CLI runs as a child process.
import { spawn } from "node:child_process";
import { cpSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startEmulator, type EmulatorHandle } from "../src/emulator/server.js";
import type { EmulatorOptions } from "../src/emulator/options.js";
import type { CaseRecord } from "../src/types.js";
import { BIN, MEDQA, REPO, cleanEnv, onlyRunDir, readJson, readJsonl, runCli, tempDir } from "./helpers/cli.js";

const SCALE = 1000;
/** A cheap prompt counter: these tests are about faults, not token limits, and the real tokenizer costs seconds. */
const cheapCount = (m: unknown) => Math.ceil(JSON.stringify(m).length / 4);

let emu: EmulatorHandle | null = null;
afterEach(async () => {
  await emu?.close();
  emu = null;
});

async function emulator(opts: Partial<EmulatorOptions> = {}): Promise<EmulatorHandle> {
  emu = await startEmulator({ timeScale: SCALE, countTokens: cheapCount, ...opts });
  return emu;
}

const baseArgs = (url: string, out: string, extra: string[] = []) => [
  "--data", MEDQA, "--seed", "42", "--base-url", url, "--api-key", "test-key", "--no-preflight",
  "--time-scale", String(SCALE), "--out", out, ...extra,
];

const cases = (dir: string) => readJsonl<CaseRecord>(join(dir, "cases.jsonl"));
const summary = (dir: string) => readJson<Record<string, any>>(join(dir, "summary.json"));

/** Resolves once `cond` holds, checking every few ms (no fixed sleeps: it follows the run's progress). */
function when(cond: () => boolean, limitMs = 60_000): Promise<void> {
  return new Promise((res, rej) => {
    const t0 = Date.now();
    const iv = setInterval(() => {
      if (cond()) {
        clearInterval(iv);
        res();
      } else if (Date.now() - t0 > limitMs) {
        clearInterval(iv);
        rej(new Error("condition not reached"));
      }
    }, 2);
  });
}

describe("cold start mid-run", () => {
  it("a 10-emulated-minute cold start in the middle of a 50-case pipeline run: 0 errored, cold time reported", async () => {
    const e = await emulator({ coldStartS: 600 });
    const out = tempDir("rv-cold-");
    // --cold-start-timeout 3600 s (3.6 s real at ×1000) leaves room for a loaded CI machine; the cold start is 600 s.
    const run = runCli(baseArgs(e.url, out, ["--max-cases", "50", "--mode", "pipeline", "--concurrency", "4", "--cold-start-timeout", "3600"]));
    await when(() => e.stats().total >= 120);
    e.goCold();
    const res = await run;
    expect(res.code, res.stderr).toBe(0);
    const dir = onlyRunDir(out);
    const recs = cases(dir);
    expect(recs).toHaveLength(50);
    expect(recs.filter((r) => r.outcome === "error")).toEqual([]);
    expect(e.stats().status503).toBeGreaterThan(0);
    expect(e.stats().coldStarts).toBeGreaterThanOrEqual(1);
    const coldTotal = recs.reduce((s, r) => s + r.cold_ms, 0);
    expect(coldTotal).toBeGreaterThan(0);
    const events = readJsonl<{ type: string; ms?: number; ok?: boolean }>(join(dir, "events.jsonl"));
    expect(events.find((ev) => ev.type === "cold_start_end")).toMatchObject({ ok: true });
    expect(JSON.stringify(summary(dir))).toMatch(/cold/);
  });
});

describe("overload", () => {
  it("20% of requests answered 429: 0 errored, concurrency adapted and visible in the report", async () => {
    const e = await emulator({ overloadRate: 0.2 });
    const out = tempDir("rv-429-");
    const res = await runCli(baseArgs(e.url, out, ["--max-cases", "30", "--mode", "pipeline", "--concurrency", "8"]));
    expect(res.code, res.stderr).toBe(0);
    const dir = onlyRunDir(out);
    expect(cases(dir).filter((r) => r.outcome === "error")).toEqual([]);
    expect(e.stats().status429).toBeGreaterThan(20);
    // A standalone emulator behind --base-url is still labelled: emulator figures, not MedGemma's.
    expect(readJson<{ endpoint: { kind: string } }>(join(dir, "run.json")).endpoint.kind).toBe("emulator");
    expect(res.stderr).toMatch(/is the TGI emulator: these are EMULATOR figures/);
    const limits = readJsonl<{ type: string; limit?: number }>(join(dir, "events.jsonl"))
      .filter((ev) => ev.type === "concurrency")
      .map((ev) => ev.limit!);
    expect(Math.min(...limits)).toBeLessThan(8);
    const s = summary(dir);
    const history = JSON.stringify(s).match(/"concurrency"/);
    expect(history).not.toBeNull();
  });
});

describe("faults", () => {
  it("5% 5xx + 2% connection resets + 1% stalls: 0 errored", async () => {
    const e = await emulator({ faults: { "500": 0.02, "502": 0.01, "504": 0.01, "424": 0.01, reset: 0.02, stall: 0.01 }, faultSeed: 7 });
    const out = tempDir("rv-faults-");
    // --request-timeout 300 s at time scale 1000 gives a stalled request 0.3 s before it is retried.
    const res = await runCli(baseArgs(e.url, out, ["--max-cases", "50", "--mode", "pipeline", "--concurrency", "4"]));
    expect(res.code, res.stderr).toBe(0);
    const dir = onlyRunDir(out);
    const recs = cases(dir);
    expect(recs).toHaveLength(50);
    expect(recs.filter((r) => r.outcome === "error")).toEqual([]);
    const st = e.stats();
    expect(st.resets).toBeGreaterThan(0);
    expect(st.stalls).toBeGreaterThan(0);
    expect((st.requests["500"] ?? 0) + (st.requests["502"] ?? 0) + (st.requests["504"] ?? 0)).toBeGreaterThan(0);
  });
});

describe("crash safety", () => {
  it("SIGKILL at 5 moments of a 100-case run, resumed each time: each id once, accuracy as uninterrupted", async () => {
    const e = await emulator();
    const args = (out: string) => baseArgs(e.url, out, ["--max-cases", "100", "--mode", "pipeline", "--concurrency", "2"]);

    const cleanOut = tempDir("rv-clean-");
    const clean = await runCli(args(cleanOut));
    expect(clean.code, clean.stderr).toBe(0);

    const out = tempDir("rv-kill-");
    const killAt = [9, 27, 44, 63, 82]; // journal lines at which the process is killed
    let dir: string | null = null;
    for (const k of killAt) {
      const argv = dir ? [...args(out), "--resume", dir] : args(out);
      const child = spawn(process.execPath, [BIN, ...argv], { cwd: REPO, env: cleanEnv(), stdio: "ignore" });
      const exited = new Promise<void>((r) => child.on("close", () => r()));
      const lines = () => {
        try {
          const d = dir ?? (readdirSync(out).length === 1 ? join(out, readdirSync(out)[0]!) : null);
          if (!d) return 0;
          return readFileSync(join(d, "cases.jsonl"), "utf8").split("\n").filter(Boolean).length;
        } catch {
          return 0;
        }
      };
      await when(() => lines() >= k || child.exitCode !== null);
      child.kill("SIGKILL");
      await exited;
      dir ??= onlyRunDir(out);
    }
    const final = await runCli([...args(out), "--resume", dir!]);
    expect(final.code, final.stderr).toBe(0);

    const raw = readFileSync(join(dir!, "cases.jsonl"), "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as CaseRecord);
    const ids = raw.map((r) => `${r.arm}:${r.case_id}`);
    expect(new Set(ids).size).toBe(100);
    expect(ids).toHaveLength(100); // exactly once each: abandoned cases were never journaled, torn lines cut
    const sessions = readJsonl<{ type: string }>(join(dir!, "events.jsonl")).filter((ev) => ev.type === "run_start");
    expect(sessions.length).toBe(killAt.length + 1);

    const cleanRecs = cases(onlyRunDir(cleanOut));
    const acc = (rs: CaseRecord[]) => rs.filter((r) => r.outcome === "correct").length / rs.length;
    expect(acc(raw)).toBe(acc(cleanRecs));
    const answers = (rs: CaseRecord[]) => Object.fromEntries(rs.map((r) => [r.case_id, r.answer]));
    expect(answers(raw)).toEqual(answers(cleanRecs));
  }, 240_000);

  it("SIGINT stops cleanly, prints the exact resume command, and that command finishes the run", async () => {
    const e = await emulator();
    const out = tempDir("rv-int-");
    const argv = baseArgs(e.url, out, ["--max-cases", "40", "--mode", "pipeline"]);
    const child = spawn(process.execPath, [BIN, ...argv], { cwd: REPO, env: cleanEnv() });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    const exited = new Promise<number | null>((r) => child.on("close", (code) => r(code)));
    await when(() => e.stats().total >= 40);
    child.kill("SIGINT");
    expect(await exited).toBe(130);
    const m = stderr.match(/npx run-validation (.*--resume \S+)/);
    expect(m, stderr).not.toBeNull();
    const dir = onlyRunDir(out);
    expect(m![1]).toContain(`--resume ${dir}`);
    const before = cases(dir).length;
    expect(before).toBeLessThan(40);
    const resumed = await runCli([...argv, "--resume", dir]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(new Set(cases(dir).map((r) => r.case_id)).size).toBe(40);
  });
});

describe("refusals and exit codes", () => {
  it("401 → exit 3 with the gated-model hint, and the key is never printed", async () => {
    const e = await emulator({ requireToken: "the-right-token" });
    const out = tempDir("rv-401-");
    const args = baseArgs(e.url, out, ["--max-cases", "3", "--mode", "direct"]).map((a) => (a === "test-key" ? "hf_WRONGSECRET123" : a));
    const res = await runCli(args);
    expect(res.code).toBe(3);
    expect(res.stderr).toMatch(/gated model/);
    expect(res.stdout + res.stderr).not.toContain("hf_WRONGSECRET123");
  });

  it("resume after changing a prompt → exit 2 naming the prompt", async () => {
    const e = await emulator();
    const out = tempDir("rv-resume-");
    const first = await runCli(baseArgs(e.url, out, ["--max-cases", "3", "--mode", "direct"]));
    expect(first.code, first.stderr).toBe(0);
    const dir = onlyRunDir(out);
    const prompts = tempDir("rv-prompts-");
    mkdirSync(prompts, { recursive: true });
    cpSync(join(REPO, "src", "pipeline", "direct", "prompt.md"), join(prompts, "direct.md"));
    writeFileSync(join(prompts, "direct.md"), readFileSync(join(prompts, "direct.md"), "utf8") + "\nThink step by step.\n");
    const res = await runCli([...baseArgs(e.url, out, ["--max-cases", "3", "--mode", "direct", "--prompts", prompts]), "--resume", dir]);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/prompt:direct/);
    expect(res.stderr).not.toMatch(/seed|mode|sampled/);
  });
});
