// Issue #15 item 2: one process per run folder. A second `--resume` of a running folder exits 2 naming the
// holder; the journal ends with each case once.
import { spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startEmulator, type EmulatorHandle } from "../src/emulator/server.js";
import { acquireRunLock, LOCK_FILE, LockError } from "../src/journal/lock.js";
import type { CaseRecord } from "../src/types.js";
import { BIN, MEDQA, REPO, cleanEnv, onlyRunDir, readJson, readJsonl, runCli, tempDir } from "./helpers/cli.js";

describe("acquireRunLock", () => {
  it("writes pid, host and start time atomically, refuses a second holder by name, and releases", async () => {
    const dir = tempDir("rv-lock-");
    const lock = await acquireRunLock(dir);
    const info = JSON.parse(readFileSync(join(dir, LOCK_FILE), "utf8"));
    expect(info).toEqual({ pid: process.pid, host: hostname(), started_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
    // Another (live) process on this host:
    const err = await acquireRunLock(dir, { pid: process.pid + 1, isAlive: () => true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LockError);
    expect((err as Error).message).toMatch(new RegExp(`in use by another run-validation process: pid ${process.pid} on ${hostname()}`));
    await lock.release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  });

  it("takes over a stale lock from a dead process on this host, and says so", async () => {
    const dir = tempDir("rv-lock-stale-");
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: 999_999, host: hostname(), started_at: "2026-01-01T00:00:00.000Z" }));
    const said: string[] = [];
    const lock = await acquireRunLock(dir, { say: (s) => said.push(s), isAlive: (pid) => pid !== 999_999 });
    expect(said.join("\n")).toMatch(/took over the lock .*pid 999999 on .* is no longer running/);
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), "utf8")).pid).toBe(process.pid);
    await lock.release();
  });

  it("never takes over a lock from another host (its pid cannot be checked), nor an unreadable one", async () => {
    const dir = tempDir("rv-lock-host-");
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: 1, host: "other-host", started_at: "2026-01-01T00:00:00.000Z" }));
    await expect(acquireRunLock(dir, { isAlive: () => false })).rejects.toThrow(/pid 1 on other-host .*delete/);
    writeFileSync(join(dir, LOCK_FILE), "{half");
    await expect(acquireRunLock(dir)).rejects.toThrow(/unreadable/);
  });

  it("two takers racing for one stale lock: exactly one wins", async () => {
    const dir = tempDir("rv-lock-race-");
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: 999_998, host: hostname(), started_at: "2026-01-01T00:00:00.000Z" }));
    const dead = (pid: number) => pid === 999_998 ? false : true;
    const results = await Promise.allSettled([
      acquireRunLock(dir, { pid: 111_111, isAlive: dead }),
      acquireRunLock(dir, { pid: 222_222, isAlive: dead }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(results.filter((r) => r.status === "rejected")).toHaveLength(1);
  });
});

describe("two processes on one run folder (CLI)", () => {
  let slow: EmulatorHandle | null = null;
  let fast: EmulatorHandle | null = null;
  afterEach(async () => {
    await slow?.close();
    await fast?.close();
    slow = fast = null;
  });

  it("the second concurrent --resume exits 2 naming the holder; the journal has each case once", async () => {
    // A100 latency at 2× real time: a direct case takes seconds, so the first resume is surely still running.
    slow = await startEmulator({ latency: "a100", timeScale: 2, countTokens: (m) => Math.ceil(JSON.stringify(m).length / 4) });
    fast = await startEmulator({ countTokens: (m) => Math.ceil(JSON.stringify(m).length / 4) });
    const out = tempDir("rv-lock-cli-");
    const args = (url: string) => ["--data", MEDQA, "--max-cases", "8", "--mode", "direct", "--no-preflight", "--base-url", url, "--api-key", "k", "--out", out];
    // 1. A run, interrupted after its first journaled case.
    const first = spawn(process.execPath, [BIN, ...args(slow.url)], { cwd: REPO, env: cleanEnv() });
    let err1 = "";
    first.stderr.on("data", (d) => (err1 += d));
    const firstExit = new Promise<number | null>((r) => first.on("close", (c) => r(c)));
    await until(() => /\[1\/8/.test(err1));
    first.kill("SIGINT");
    expect(await firstExit, err1).toBe(130);
    const dir = onlyRunDir(out);

    // 2. Resume A (slow endpoint) holds the folder; resume B at the same time is refused.
    const a = spawn(process.execPath, [BIN, "--resume", dir, "--base-url", slow.url, "--api-key", "k"], { cwd: REPO, env: cleanEnv() });
    let errA = "";
    a.stderr.on("data", (d) => (errA += d));
    const aExit = new Promise<number | null>((r) => a.on("close", (c) => r(c)));
    await until(() => /run directory:/.test(errA));
    const b = await runCli(["--resume", dir, "--base-url", fast.url, "--api-key", "k"]);
    expect(b.code, b.stderr).toBe(2);
    expect(b.stderr).toMatch(new RegExp(`in use by another run-validation process: pid ${a.pid} on ${hostname()}`));
    expect(b.stderr.trim().split("\n")).toHaveLength(1);
    a.kill("SIGINT");
    expect(await aExit, errA).toBe(130);

    // 3. Finish on the fast endpoint (a changed --base-url is allowed on resume): each case exactly once.
    const done = await runCli(["--resume", dir, "--base-url", fast.url, "--api-key", "k"]);
    expect(done.code, done.stderr).toBe(0);
    const lines = readJsonl<CaseRecord>(join(dir, "cases.jsonl"));
    const ids = readJson<{ sampled_ids: string[] }>(join(dir, "run.json")).sampled_ids;
    expect(lines.map((l) => l.case_id).sort()).toEqual([...ids].sort());
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  }, 120_000);
});

function until(cond: () => boolean, limitMs = 60_000): Promise<void> {
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
    }, 5);
  });
}
