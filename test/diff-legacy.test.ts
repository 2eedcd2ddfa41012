import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { diffCommand, type CommandIO } from "../src/diff/command.js";
import { diffRuns } from "../src/diff/diff.js";
import { parseLegacy, parseLegacyCase, readLegacy } from "../src/diff/legacy.js";
import { twoProportionZ } from "../src/stats/paired.js";
import { casesOf, makeRun, writeRunDir } from "./diff-fixtures.js";

/** A per_case object in the old Python harness's shape (synthetic values). */
function legacyCase(i: number, correct: boolean, over: Record<string, unknown> = {}) {
  return {
    case_id: `case_${i}`,
    source_dataset: "medqa",
    success: true,
    scores: { top1_accuracy: correct ? 1 : 0, top3_accuracy: 1, mentioned_accuracy: 1, differential_accuracy: 0.5, parse_success: 1, mcq_accuracy: correct ? 1.0 : 0.0 },
    pipeline_time_ms: 20000 + i * 10,
    step_results: { parse: "success", reason: "success", synthesize: "success" },
    report_summary: "synthetic summary",
    error: null,
    details: { correct_answer: "C", question_type: "diagnosis", mcq_selected: correct ? "C" : "A", mcq_correct: correct },
    ...over,
  };
}

function legacyResult(n: number, correct: number) {
  const per_case = Array.from({ length: n }, (_, i) => legacyCase(i, i < correct));
  return {
    dataset: "medqa",
    total_cases: n,
    successful_cases: n,
    failed_cases: 0,
    metrics: { mcq_accuracy: correct / n },
    run_duration_sec: 1234.5,
    timestamp: "2024-11-02T10:00:00",
    per_case,
  };
}

describe("legacy reader", () => {
  // [description, raw per_case, expected partial]
  const table: Array<[string, unknown, Record<string, unknown>]> = [
    ["correct by mcq_correct", legacyCase(1, true), { case_id: "case_1", outcome: "correct", answer: "C", correct_answer: "C", question_type: "diagnosis", latency_ms: 20010 }],
    ["wrong", legacyCase(2, false), { outcome: "wrong", answer: "A" }],
    ["failed case", legacyCase(3, false, { success: false, error: "Timeout after 300s" }), { outcome: "error", error: "Timeout after 300s" }],
    ["unparseable", legacyCase(4, false, { scores: { parse_success: 0, mcq_accuracy: 0 }, details: {} }), { outcome: "unparseable", answer: null }],
    ["only top1_accuracy (older files)", { case_id: 5, scores: { top1_accuracy: 1.0 } }, { case_id: "5", outcome: "correct", question_type: null, latency_ms: null }],
    ["nothing at all", {}, { case_id: "#7", outcome: "wrong", correct_answer: null }],
    ["step_results with objects", { step_results: { parse: { status: "failed" } } }, { step_status: { parse: "failed" } }],
  ];
  it.each(table)("%s", (_d, raw, expected) => {
    expect(parseLegacyCase(raw, 7)).toMatchObject(expected);
  });

  it("reads a result JSON", () => {
    const r = parseLegacy(JSON.stringify(legacyResult(10, 6)), "/x/results.json");
    expect(r).toMatchObject({ format: "result", dataset: "medqa", run_duration_sec: 1234.5, total_cases: 10 });
    expect(r.cases.filter((c) => c.outcome === "correct")).toHaveLength(6);
  });

  it("reads a checkpoint JSONL and tolerates a torn last line", () => {
    const lines = Array.from({ length: 4 }, (_, i) => JSON.stringify(legacyCase(i, i % 2 === 0)));
    const r = parseLegacy(lines.join("\n") + '\n{"case_id": "case_4", "succ', "/x/checkpoint.jsonl");
    expect(r.format).toBe("checkpoint");
    expect(r.cases.map((c) => c.case_id)).toEqual(["case_0", "case_1", "case_2", "case_3"]);
    expect(r.dataset).toBe("medqa");
    expect(() => parseLegacy(`${lines[0]}\n{broken\n${lines[1]}\n`, "/x/c.jsonl")).toThrow(/c\.jsonl:2: not valid JSON/);
  });

  it("rejects a JSON file that is not a legacy result", () => {
    expect(() => parseLegacy('{"foo": 1}', "/x/other.json")).toThrow(/per_case/);
  });
});

describe("comparisons with legacy reports are unpaired", () => {
  let dir: string;
  const out: string[] = [];
  const err: string[] = [];
  const io: CommandIO = { out: (s) => void out.push(s), err: (s) => void err.push(s) };
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "diff-legacy-"));
    await writeFile(join(dir, "results.json"), JSON.stringify(legacyResult(40, 24)));
    const ckpt = Array.from({ length: 50 }, (_, i) => JSON.stringify(legacyCase(i, i < 35))).join("\n") + "\n";
    await writeFile(join(dir, "checkpoint.jsonl"), ckpt);
    await writeRunDir(join(dir, "run"), makeRun({ run_id: "new", cases: casesOf(50, (i) => (i < 40 ? "correct" : "wrong")) }));
  });

  it("legacy result vs legacy checkpoint: two-proportion test, no flips", async () => {
    const a = await readLegacy(join(dir, "results.json"));
    const b = await readLegacy(join(dir, "checkpoint.jsonl"));
    const r = diffRuns(a, b);
    const arm = r.arms[0]!;
    expect(r.pairing.paired).toBe(false);
    expect(r.pairing.notes[0]).toMatch(/UNPAIRED/);
    expect(arm).toMatchObject({ label: "pipeline", paired: false, test: "two-proportion-z", discordant: null, fixed: [], broken: [] });
    const z = twoProportionZ(24, 40, 35, 50);
    expect(arm.delta_pts).toBeCloseTo(10, 10);
    expect(arm.p).toBeCloseTo(z.p, 12);
    expect(arm.ci_pts).toMatchObject({ method: "newcombe" });
    expect(arm.ci_pts!.lo).toBeCloseTo(z.lo * 100, 10);
    expect(r.config).toEqual([]);
  });

  it("diff command: legacy file vs run directory, said to be unpaired; --strict refuses", async () => {
    const json = join(dir, "diff.json");
    const code = await diffCommand(join(dir, "results.json"), join(dir, "run"), { json, markdown: join(dir, "d.md") }, io);
    expect(code).toBe(0);
    expect(out.join("")).toMatch(/UNPAIRED/);
    expect(out.join("")).toMatch(/z-test/);
    const written = JSON.parse(await readFile(json, "utf8"));
    expect(written.base.kind).toBe("legacy");
    expect(written.arms[0].base).toMatchObject({ k: 24, n: 40 });
    expect(written.arms[0].cand).toMatchObject({ k: 40, n: 50 });
    expect(await readFile(join(dir, "d.md"), "utf8")).toMatch(/UNPAIRED/);

    expect(await diffCommand(join(dir, "results.json"), join(dir, "run"), { strict: true }, io)).toBe(2);
    expect(err.join("")).toMatch(/legacy report cannot be paired/);
  });

  it("diff command: an unreadable legacy file is a usage error", async () => {
    await writeFile(join(dir, "junk.json"), '{"not": "legacy"}');
    expect(await diffCommand(join(dir, "junk.json"), join(dir, "run"), {}, io)).toBe(2);
    expect(err.join("")).toMatch(/not a legacy result/);
  });
});
