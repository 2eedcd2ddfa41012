// Issue #15 item 3: a journal write failure (full disk) is fatal at once — no new cases, in-flight ones aborted,
// what is journaled kept, exit 5 with the resume hint — and never reported as an endpoint problem.
// The full disk is simulated through the writer's injectable file layer (failingAfter), not a real one.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { execute, type WorkUnit } from "../src/runner/execute.js";
import { failingAfter, JsonlAppender } from "../src/journal/writer.js";
import { JOURNAL_FAULT_ENV } from "../src/runner/run.js";
import type { ArmResult } from "../src/pipeline/types.js";
import type { Case, CaseRecord } from "../src/types.js";
import { MEDQA, cleanEnv, onlyRunDir, readJsonl, runCli, tempDir } from "./helpers/cli.js";
import { readFileSync } from "node:fs";

const mkCase = (i: number): Case => ({
  id: `t-${String(i).padStart(4, "0")}`, index: i, line: i + 1, question: `Synthetic vignette ${i}. Which is it?`,
  options: { A: "a", B: "b" }, answer_idx: "A", answer: "a", content_hash: `h${i}`,
});
const ok: ArmResult = { outcome: "correct", answer: "A", latency_ms: 5, cold_ms: 0, tokens: { prompt: 10, completion: 2 }, calls: 1, attempts: 1 };
const units = (n: number): WorkUnit[] => Array.from({ length: n }, (_, i) => ({ c: mkCase(i), arm: "direct" as const }));
const enospc = () => Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });

describe("execute: a failing onRecord stops the run at once", () => {
  it("starts nothing more, aborts the units in flight, and reports the journal error (not an endpoint one)", async () => {
    let started = 0;
    let abortedInFlight = 0;
    let written = 0;
    const res = await execute({
      units: units(40),
      concurrency: 4,
      delayMs: 0,
      signal: new AbortController().signal,
      runArm: (c, _arm, signal) => {
        started++;
        // Unit 0 finishes at once; the others wait until aborted (they would run "for minutes").
        if (c.index === 0) return Promise.resolve(ok);
        return new Promise<ArmResult>((resolve) =>
          signal.addEventListener("abort", () => {
            abortedInFlight++;
            resolve({ ...ok, outcome: "error", answer: null, error_class: "cancelled" });
          }),
        );
      },
      onRecord: async () => {
        written++;
        throw enospc();
      },
    });
    expect(res.journalError?.message).toMatch(/ENOSPC/);
    expect(res.fatal).toBeNull();
    expect(res.finished).toBe(0);
    expect(written).toBe(1); // the failed write only: nothing after it
    expect(started).toBe(4); // the first four; none of the other 36 started
    expect(abortedInFlight).toBe(3);
  });
});

describe("failingAfter (the injected full disk)", () => {
  it("lets N lines through, then fails every write with ENOSPC", async () => {
    const dir = tempDir("rv-enospc-unit-");
    const path = join(dir, "cases.jsonl");
    const app = await JsonlAppender.open(path, failingAfter(2));
    await app.append({ n: 1 });
    await app.append({ n: 2 });
    await expect(app.append({ n: 3 })).rejects.toMatchObject({ code: "ENOSPC" });
    await expect(app.append({ n: 4 })).rejects.toMatchObject({ code: "ENOSPC" });
    await app.close();
    expect(readFileSync(path, "utf8")).toBe('{"n":1}\n{"n":2}\n');
  });
});

describe("CLI: ENOSPC on cases.jsonl mid-run (embedded emulator)", () => {
  it("exits 5 at once with the resume hint, keeps what was journaled, and the resume finishes the run", async () => {
    const out = tempDir("rv-enospc-");
    const args = ["--data", MEDQA, "--max-cases", "30", "--mode", "pipeline", "--concurrency", "4", "--no-preflight", "--out", out];
    const res = await runCli(args, { env: cleanEnv({ [JOURNAL_FAULT_ENV]: "3" }) });
    expect(res.code, res.stderr).toBe(5);
    expect(res.stderr).toMatch(/error: cannot write the journal .*cases\.jsonl: ENOSPC/);
    expect(res.stderr).toMatch(/stopped at once/);
    expect(res.stderr).toMatch(/resume with:\n {2}npx run-validation .*--resume /);
    // A local problem, never blamed on the endpoint.
    expect(res.stderr).not.toMatch(/endpoint unavailable|cold|connection refused|ECONNREFUSED/i);
    const dir = onlyRunDir(out);
    const kept = readJsonl<CaseRecord>(join(dir, "cases.jsonl"));
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.length).toBeLessThanOrEqual(3);
    const events = readJsonl<{ type: string; status?: string; reason?: string }>(join(dir, "events.jsonl"));
    expect(events.at(-1)).toMatchObject({ type: "run_end", status: "failed", reason: expect.stringMatching(/journal write failed/) });

    const resumed = await runCli(["--resume", dir]);
    expect(resumed.code, resumed.stderr).toBe(0);
    const all = readJsonl<CaseRecord>(join(dir, "cases.jsonl"));
    expect(all).toHaveLength(30);
    expect(new Set(all.map((r) => r.case_id)).size).toBe(30);
  }, 120_000);
});
