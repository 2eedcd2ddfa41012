// Issue #15 items 13 and 10: a per-case wall-clock limit (--case-timeout, on the emulated clock), and no
// MaxListenersExceededWarning at high concurrency.
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { startEmulator, type EmulatorHandle } from "../src/emulator/server.js";
import { execute, type WorkUnit } from "../src/runner/execute.js";
import type { ArmResult } from "../src/pipeline/types.js";
import type { Case, CaseRecord } from "../src/types.js";
import { MEDQA, onlyRunDir, readJsonl, runCli, tempDir } from "./helpers/cli.js";

const mkCase = (i: number): Case => ({
  id: `t-${String(i).padStart(4, "0")}`, index: i, line: i + 1, question: `Synthetic vignette ${i}. Which is it?`,
  options: { A: "a", B: "b" }, answer_idx: "A", answer: "a", content_hash: `h${i}`,
});
const ok: ArmResult = { outcome: "correct", answer: "A", latency_ms: 5, cold_ms: 0, tokens: { prompt: 10, completion: 2 }, calls: 1, attempts: 1 };
const units = (n: number): WorkUnit[] => Array.from({ length: n }, (_, i) => ({ c: mkCase(i), arm: "direct" as const }));

describe("execute with caseTimeoutMs (fake clock)", () => {
  afterEach(() => vi.useRealTimers());

  it("a unit past its limit is recorded as error/case_timeout with what it spent; the others go on", async () => {
    vi.useFakeTimers();
    const recs: CaseRecord[] = [];
    const run = execute({
      units: units(3),
      concurrency: 3,
      delayMs: 0,
      signal: new AbortController().signal,
      caseTimeoutMs: 60_000,
      caseTimeoutLabel: "60 s",
      runArm: (c, _arm, signal) => {
        if (c.index !== 1) return Promise.resolve(ok);
        // Case 1 never finishes by itself (endless retries); it stops when its signal aborts.
        return new Promise<ArmResult>((resolve) =>
          signal.addEventListener("abort", () => resolve({ ...ok, outcome: "error", answer: null, latency_ms: 59_000, calls: 7, attempts: 19, error_class: "cancelled" })),
        );
      },
      onRecord: async (r) => {
        recs.push(r);
      },
    });
    await vi.advanceTimersByTimeAsync(59_999);
    expect(recs.map((r) => r.case_id).sort()).toEqual(["t-0000", "t-0002"]);
    await vi.advanceTimersByTimeAsync(1);
    const res = await run;
    expect(res).toMatchObject({ finished: 3, unfinished: 0, fatal: null, journalError: null });
    const timedOut = recs.find((r) => r.case_id === "t-0001")!;
    expect(timedOut).toMatchObject({ outcome: "error", answer: null, error_class: "case_timeout", calls: 7, attempts: 19, latency_ms: 59_000 });
    expect(timedOut.error).toMatch(/--case-timeout \(60 s\)/);
  });

  it("no limit → no timer: a slow unit is left alone", async () => {
    vi.useFakeTimers();
    const recs: CaseRecord[] = [];
    let release: () => void = () => undefined;
    const run = execute({
      units: units(1), concurrency: 1, delayMs: 0, signal: new AbortController().signal,
      runArm: () => new Promise<ArmResult>((r) => (release = () => r(ok))),
      onRecord: async (r) => { recs.push(r); },
    });
    await vi.advanceTimersByTimeAsync(10 * 3600_000);
    expect(recs).toHaveLength(0);
    release();
    await run;
    expect(recs[0]!.outcome).toBe("correct");
  });
});

describe("CLI", () => {
  let emu: EmulatorHandle | null = null;
  afterEach(async () => {
    await emu?.close();
    emu = null;
  });

  it("--case-timeout (emulated seconds): stalled cases become case_timeout errors, the others finish, the run goes on", async () => {
    // Half the requests stall (accepted, never answered); the request timeout (300 s) is longer than the case limit (60 s).
    emu = await startEmulator({ timeScale: 100, faults: { stall: 0.5 }, faultSeed: "case-timeout", countTokens: (m) => Math.ceil(JSON.stringify(m).length / 4) });
    const out = tempDir("rv-case-timeout-");
    const res = await runCli(["--data", MEDQA, "--max-cases", "8", "--mode", "direct", "--base-url", emu.url, "--api-key", "k", "--time-scale", "100", "--case-timeout", "60", "--no-preflight", "--concurrency", "8", "--out", out]);
    expect(res.code, res.stderr).toBe(4); // completed, with errored cases
    const recs = readJsonl<CaseRecord>(join(onlyRunDir(out), "cases.jsonl"));
    expect(recs).toHaveLength(8);
    const timedOut = recs.filter((r) => r.error_class === "case_timeout");
    expect(timedOut.length).toBeGreaterThan(0);
    expect(timedOut.length).toBeLessThan(8);
    for (const r of timedOut) expect(r).toMatchObject({ outcome: "error", answer: null, error: expect.stringMatching(/--case-timeout \(60 s emulated, ×100\)/) });
    for (const r of recs.filter((x) => x.error_class !== "case_timeout")) expect(["correct", "wrong", "unparseable"]).toContain(r.outcome);
  }, 120_000);

  it("no MaxListenersExceededWarning at --concurrency 16", async () => {
    const out = tempDir("rv-listeners-");
    const res = await runCli(["--data", MEDQA, "--max-cases", "32", "--mode", "direct", "--concurrency", "16", "--no-preflight", "--out", out]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).not.toMatch(/MaxListenersExceededWarning|memory leak/i);
  }, 120_000);
});
