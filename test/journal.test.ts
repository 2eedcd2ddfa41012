import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { latestPerCase, parseJsonl, readJournal } from "../src/journal/read.js";
import { JsonlAppender, RunJournalWriter } from "../src/journal/writer.js";
import type { RunEvent } from "../src/journal/events.js";
import { wallTime } from "../src/journal/wall-time.js";
import type { CaseRecord } from "../src/types.js";

const rec = (id: string, outcome: CaseRecord["outcome"], arm: CaseRecord["arm"] = "direct"): CaseRecord => ({
  v: 1, case_id: id, content_hash: `h-${id}`, arm, outcome, answer: outcome === "error" ? null : "A", correct_answer: "A",
  correct_text: "x", stem: "Which?", latency_ms: 1, wall_ms: 1, cold_ms: 0, tokens: { prompt: 1, completion: 1 },
  calls: 1, attempts: 1, started_at: "2026-01-01T00:00:00.000Z", finished_at: "2026-01-01T00:00:01.000Z",
});

describe("parseJsonl", () => {
  it.each([
    ["empty", "", 0, false],
    ["complete lines", '{"a":1}\n{"a":2}\n', 2, false],
    ["blank lines ignored", '{"a":1}\n\n{"a":2}\n', 2, false],
    ["torn last line dropped", '{"a":1}\n{"a":', 1, true],
    ["last line complete without newline kept", '{"a":1}\n{"a":2}', 2, false],
  ])("%s", (_name, text, n, torn) => {
    const r = parseJsonl(text, "f");
    expect(r.records).toHaveLength(n);
    expect(r.torn).toBe(torn);
  });

  it("refuses corruption before the last line, naming file and line", () => {
    expect(() => parseJsonl('{"a":1}\nnot json\n{"a":3}\n', "cases.jsonl")).toThrow(/cases\.jsonl:2/);
  });

  it("validBytes marks where a torn line starts (multi-byte safe)", () => {
    const text = '{"a":"é"}\n{"b":';
    expect(parseJsonl(text, "f").validBytes).toBe(Buffer.byteLength('{"a":"é"}\n'));
  });
});

describe("JsonlAppender", () => {
  it.each([
    ["cuts a torn tail before appending, so the next line is not glued onto it", '{"n":1}\n{"n":2}\n{"n":', 3, '{"n":1}\n{"n":2}\n{"n":3}\n'],
    ["adds the missing newline after a complete last line", '{"n":1}', 2, '{"n":1}\n{"n":2}\n'],
  ])("%s", async (_name, before, n, after) => {
    const p = join(await mkdtemp(join(tmpdir(), "journal-")), "cases.jsonl");
    await writeFile(p, before);
    const app = await JsonlAppender.open(p);
    await app.append({ n });
    await app.close();
    expect(await readFile(p, "utf8")).toBe(after);
  });

  it("serialises concurrent appends into whole lines", async () => {
    const dir = await mkdtemp(join(tmpdir(), "journal-"));
    const p = join(dir, "x.jsonl");
    const app = await JsonlAppender.open(p);
    await Promise.all(Array.from({ length: 50 }, (_, i) => app.append({ i, pad: "x".repeat(i * 10) })));
    await app.close();
    const { records, torn } = parseJsonl<{ i: number }>(await readFile(p, "utf8"), p);
    expect(torn).toBe(false);
    expect(records.map((r) => r.i).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });
});

describe("readJournal", () => {
  it("keeps the latest record per (case, arm): a resumed re-run supersedes the errored line", async () => {
    const dir = await mkdtemp(join(tmpdir(), "journal-"));
    await writeFile(join(dir, "run.json"), JSON.stringify({ run_id: "r" }));
    const w = await RunJournalWriter.open(dir);
    await w.appendCase(rec("c1", "error"));
    await w.appendCase(rec("c2", "correct"));
    await w.appendCase(rec("c1", "error", "pipeline"));
    await w.appendCase(rec("c1", "wrong"));
    await w.event({ type: "concurrency", limit: 4 });
    await w.close();
    const j = await readJournal(dir);
    expect(j.allCaseLines).toHaveLength(4);
    expect(j.cases.map((c) => `${c.arm}:${c.case_id}:${c.outcome}`).sort()).toEqual(["direct:c1:wrong", "direct:c2:correct", "pipeline:c1:error"]);
    expect(j.events).toEqual([expect.objectContaining({ type: "concurrency", limit: 4 })]);
  });

  it("says plainly when a folder is not a run directory", async () => {
    const dir = await mkdtemp(join(tmpdir(), "journal-"));
    await expect(readJournal(dir)).rejects.toThrow(/not a run directory: run\.json is missing/);
  });

  it("latestPerCase is order-preserving by latest line", () => {
    const out = latestPerCase([rec("a", "error"), rec("b", "correct"), rec("a", "correct")]);
    expect(out.map((r) => r.case_id)).toEqual(["b", "a"]);
  });
});

describe("wallTime", () => {
  const ev = (t: string, type: "run_start" | "run_end") =>
    (type === "run_start" ? { t: `2026-01-01T${t}Z`, type, session: 1, pending: 1 } : { t: `2026-01-01T${t}Z`, type, session: 1, status: "completed" }) as RunEvent;
  const fin = (start: string, end: string) => ({ ...rec("x", "correct"), started_at: `2026-01-01T${start}Z`, finished_at: `2026-01-01T${end}Z` });
  it.each([
    ["one session", [ev("10:00:00", "run_start"), ev("10:10:00", "run_end")], [], 10 * 60_000, "events"],
    ["a resume: the pause between sessions is not counted", [ev("10:00:00", "run_start"), ev("10:10:00", "run_end"), ev("12:00:00", "run_start"), ev("12:05:00", "run_end")], [], 15 * 60_000, "events"],
    ["a killed session ends at its last case", [ev("10:00:00", "run_start"), ev("11:00:00", "run_start"), ev("11:01:00", "run_end")], [fin("10:00:01", "10:04:00")], 5 * 60_000, "events"],
    ["merged parallel shards overlap: counted once", [ev("10:00:00", "run_start"), ev("10:10:00", "run_end"), ev("10:02:00", "run_start"), ev("10:12:00", "run_end")], [], 12 * 60_000, "events"],
    ["no events: first start to last finish", [], [fin("10:00:00", "10:01:00"), fin("10:00:30", "10:03:00")], 3 * 60_000, "cases"],
    ["nothing at all", [], [], 0, "none"],
  ] as const)("%s", (_n, events, cases, wantMs, source) => {
    expect(wallTime(events, cases)).toMatchObject({ ms: wantMs, source });
  });
});
