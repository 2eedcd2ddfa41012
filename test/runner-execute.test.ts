import { describe, expect, it } from "vitest";
import { EndpointError } from "../src/endpoint/types.js";
import { Pacer } from "../src/runner/pacer.js";
import { execute, type WorkUnit } from "../src/runner/execute.js";
import type { ArmResult } from "../src/pipeline/types.js";
import type { Case, CaseRecord } from "../src/types.js";

const mkCase = (i: number): Case => ({
  id: `t-${String(i).padStart(4, "0")}`, index: i, line: i + 1, question: `Synthetic vignette ${i}. Which is it?`,
  options: { A: "a", B: "b" }, answer_idx: "A", answer: "a", content_hash: `h${i}`,
});
const ok = (answer: "A" | "B"): ArmResult => ({
  outcome: answer === "A" ? "correct" : "wrong", answer, latency_ms: 5, cold_ms: 0, tokens: { prompt: 10, completion: 2 }, calls: 1, attempts: 1,
});
const units = (n: number): WorkUnit[] => Array.from({ length: n }, (_, i) => ({ c: mkCase(i), arm: "direct" as const }));
const stats = { latency_ms: 0, cold_ms: 0, tokens: { prompt: 0, completion: 0 }, finish_reason: null, attempts: 1 };

describe("Pacer", () => {
  it("spaces starts by the delay across callers", async () => {
    let t = 1000;
    const slept: number[] = [];
    const p = new Pacer(2000, () => t, async (ms) => { slept.push(ms); });
    await Promise.all([p.wait(), p.wait(), p.wait()]);
    expect(slept).toEqual([2000, 4000]); // first starts at once, then +2 s, +4 s
  });
  it("does nothing at delay 0", async () => {
    const slept: number[] = [];
    const p = new Pacer(0, () => 0, async (ms) => { slept.push(ms); });
    await p.wait();
    expect(slept).toEqual([]);
  });
});

describe("execute", () => {
  it("runs every unit once, never more than `concurrency` at a time, and journals each", async () => {
    let inFlight = 0, maxInFlight = 0;
    const recs: CaseRecord[] = [];
    const res = await execute({
      units: units(20), concurrency: 3, delayMs: 0, signal: new AbortController().signal,
      runArm: async (c) => {
        inFlight++; maxInFlight = Math.max(maxInFlight, inFlight);
        await new Promise((r) => setImmediate(r));
        inFlight--;
        return ok(c.index % 2 ? "B" : "A");
      },
      onRecord: async (r) => { recs.push(r); },
    });
    expect(res).toEqual({ finished: 20, unfinished: 0, fatal: null, journalError: null });
    expect(maxInFlight).toBe(3);
    expect(new Set(recs.map((r) => r.case_id)).size).toBe(20);
    expect(recs.filter((r) => r.outcome === "correct")).toHaveLength(10);
    expect(recs[0]).toMatchObject({ v: 1, arm: "direct", correct_answer: "A", correct_text: "a", stem: "Which is it?" });
  });

  it("an unexpected throw is recorded as an error case, not lost", async () => {
    const recs: CaseRecord[] = [];
    await execute({
      units: units(2), concurrency: 1, delayMs: 0, signal: new AbortController().signal,
      runArm: async (c) => { if (c.index === 0) throw new EndpointError("boom", "server_error", stats, 500); return ok("A"); },
      onRecord: async (r) => { recs.push(r); },
    });
    expect(recs.map((r) => [r.outcome, r.error_class ?? null])).toEqual([["error", "server_error"], ["correct", null]]);
  });

  it("a fatal endpoint error (auth) stops the run and leaves the rest unfinished", async () => {
    const recs: CaseRecord[] = [];
    const res = await execute({
      units: units(5), concurrency: 1, delayMs: 0, signal: new AbortController().signal,
      runArm: async (c) => { if (c.index === 1) throw new EndpointError("401", "auth", stats, 401); return ok("A"); },
      onRecord: async (r) => { recs.push(r); },
    });
    expect(res.fatal?.errorClass).toBe("auth");
    expect(res.finished).toBe(1);
    expect(res.unfinished).toBe(4);
  });

  it("an interrupt abandons in-flight work without journaling it", async () => {
    const ac = new AbortController();
    const recs: CaseRecord[] = [];
    const res = await execute({
      units: units(6), concurrency: 2, delayMs: 0, signal: ac.signal,
      runArm: (c, _arm, signal) =>
        c.index < 2
          ? Promise.resolve(ok("A"))
          : new Promise((_r, reject) => {
              if (c.index === 3) ac.abort();
              signal.addEventListener("abort", () => reject(new EndpointError("aborted", "cancelled", stats)));
              if (signal.aborted) reject(new EndpointError("aborted", "cancelled", stats));
            }),
      onRecord: async (r) => { recs.push(r); },
    });
    expect(recs.map((r) => r.case_id)).toEqual(["t-0000", "t-0001"]);
    expect(res.unfinished).toBe(4);
  });

  it("follows a shrinking adaptive limit", async () => {
    let limit = 4, inFlight = 0;
    const seen: number[] = [];
    await execute({
      units: units(12), concurrency: 4, delayMs: 0, signal: new AbortController().signal, currentLimit: () => limit,
      runArm: async (c) => {
        inFlight++; seen.push(inFlight);
        if (c.index === 3) limit = 1;
        await new Promise((r) => setTimeout(r, 1));
        inFlight--;
        return ok("A");
      },
      onRecord: async () => {},
    });
    expect(seen.slice(-4).every((n) => n === 1)).toBe(true);
  });
});
