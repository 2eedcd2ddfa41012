import { describe, expect, it } from "vitest";
import { createProgress, duration } from "../src/report/progress.js";
import { caseId, makeCase } from "./fixtures/report/journal.js";

function fakeStream() {
  const writes: string[] = [];
  return { writes, stream: { write: (s: string) => writes.push(s) } as unknown as NodeJS.WritableStream };
}
function fakeClock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}
const rec = (i: number, outcome: "correct" | "wrong" | "error", latency: number, arm: "direct" | "pipeline" = "direct") =>
  makeCase({ case_id: caseId(i), arm, outcome, latency_ms: latency });

describe("createProgress on a TTY", () => {
  it("redraws one line in place with done/total, accuracy, p50, ETA, retries and endpoint state", () => {
    const { writes, stream } = fakeStream();
    const clock = fakeClock();
    const p = createProgress({ total: 4, stream, isTTY: true, now: clock.now });
    clock.advance(10_000);
    p.caseDone(rec(0, "correct", 1000));
    clock.advance(10_000);
    p.caseDone(rec(1, "wrong", 3000));
    p.retry();
    p.coldState("cold");
    p.concurrency(3);
    const last = writes.at(-1)!;
    expect(writes.every((w) => w.startsWith("\r") && w.includes("\x1b[K") && !w.includes("\n"))).toBe(true);
    expect(last).toContain("[2/4  50.0%]");
    expect(last).toContain("acc 50.0% (1/2)");
    expect(last).toContain("p50 2.0 s");
    expect(last).toContain("elapsed 20s");
    expect(last).toContain("ETA 20s"); // 10 s per case, 2 to go
    expect(last).toContain("retries 1");
    expect(last).toContain("conc 3");
    expect(last).toContain("endpoint cold");
    expect(writes).toHaveLength(5);
    p.coldState("cold"); // no change → no redraw
    expect(writes).toHaveLength(5);
    p.stop();
    expect(writes.at(-1)!.endsWith("\n")).toBe(true);
    p.caseDone(rec(2, "correct", 1)); // after stop: silent
    expect(writes).toHaveLength(6);
  });

  it("shows accuracy per arm when both arms run", () => {
    const { writes, stream } = fakeStream();
    const p = createProgress({ total: 4, stream, isTTY: true, now: () => 0 });
    p.caseDone(rec(0, "correct", 1000, "direct"));
    p.caseDone(rec(0, "error", 5000, "pipeline"));
    expect(writes.at(-1)).toContain("direct 100.0% (1/1) · pipeline 0.0% (0/1)");
  });
});

describe("createProgress without a TTY", () => {
  it("writes at most one plain line per interval plus the final one", () => {
    const { writes, stream } = fakeStream();
    const clock = fakeClock();
    const p = createProgress({ total: 100, stream, isTTY: false, intervalMs: 5000, now: clock.now });
    for (let i = 0; i < 100; i++) {
      clock.advance(1000); // 100 s in all → one line at the first case, then every 5 s
      p.caseDone(rec(i, i % 4 === 0 ? "wrong" : "correct", 100 * (i + 1)));
      if (i === 50) p.retry();
    }
    const beforeStop = writes.length;
    expect(beforeStop).toBe(20);
    p.stop();
    expect(writes).toHaveLength(21);
    expect(writes.every((w) => w.endsWith("\n") && !w.includes("\r") && !w.includes("\x1b"))).toBe(true);
    expect(writes.at(-1)).toContain("[100/100 100.0%]");
    expect(writes.at(-1)).toContain("acc 75.0% (75/100)");
    expect(writes.at(-1)).toContain("p50 5.0 s"); // median of 100..10000 step 100 = 5050 ms
    expect(writes.at(-1)).toContain("ETA done");
    expect(writes.at(-1)).toContain("retries 1");
    p.stop();
    expect(writes).toHaveLength(21);
  });
});

describe("duration", () => {
  it.each([
    [0, "0s"],
    [35_400, "35s"],
    [845_000, "14m 05s"],
    [7_380_000, "2h 03m"],
  ])("%i ms → %s", (ms, want) => expect(duration(ms)).toBe(want));
});
