import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { parse as parseCsv } from "csv-parse/sync";
import { XMLParser } from "fast-xml-parser";
import { afterAll, describe, expect, it } from "vitest";
import { diffRuns } from "../src/diff/diff.js";
import { readJournal } from "../src/journal/read.js";
import { reportCommand } from "../src/report/command.js";
import { renderSummaryTables } from "../src/report/console.js";
import { renderMarkdown } from "../src/report/markdown.js";
import { QUESTION_TYPES } from "../src/scoring/question-type.js";
import { CSV_COLUMNS } from "../src/report/csv.js";
import { esc } from "../src/report/html.js";
import { summarize, runTime } from "../src/report/summary.js";
import { renderReports, writeReports } from "../src/report/write.js";
import { wilson, Z95 } from "../src/stats/wilson.js";
import { caseId, handFixture, makeCase, makeRun, writeJournal } from "./fixtures/report/journal.js";
import { largeFixture } from "./fixtures/report/large.js";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function fixtureDir(): string {
  const { run, cases, events } = handFixture();
  const d = writeJournal(run, cases, events);
  dirs.push(d);
  return d;
}

/** Wilson interval in the textbook closed form (k + z²/2 ± z·√(k(n−k)/n + z²/4)) / (n + z²): independent algebra. */
function wilsonReference(k: number, n: number, z = Z95): [number, number] {
  const z2 = z * z;
  const half = z * Math.sqrt((k * (n - k)) / n + z2 / 4);
  return [(k + z2 / 2 - half) / (n + z2), (k + z2 / 2 + half) / (n + z2)];
}

describe("Wilson intervals used by the reports", () => {
  it.each([
    [18, 50, 0.2414, 0.4986],
    [0, 10, 0, 0.2775],
    [10, 10, 0.7225, 1],
  ])("%i/%i ≈ [%f, %f]", (k, n, lo4, hi4) => {
    const w = wilson(k, n);
    const [lo, hi] = wilsonReference(k, n);
    expect(w.lo!).toBeCloseTo(lo, 9);
    expect(w.hi!).toBeCloseTo(hi, 9);
    // Published 4-digit values (e.g. Newcombe 1998 tables, z = 1.96).
    expect(w.lo!).toBeCloseTo(lo4, 4);
    expect(w.hi!).toBeCloseTo(hi4, 4);
    expect(w.p).toBe(k / n);
  });
});

describe("summarize (hand-computed fixture)", () => {
  const { run, cases, events } = handFixture();
  const journal = { dir: "/x", run, cases, allCaseLines: cases, events, tornCasesLine: false };
  const s = summarize(journal, { generatedAt: "2025-01-02T00:00:00.000Z" });
  const direct = s.arms.find((a) => a.arm === "direct")!;
  const pipe = s.arms.find((a) => a.arm === "pipeline")!;

  it("run facts", () => {
    expect(s.schema_version).toBe(1);
    expect(s.generated_at).toBe("2025-01-02T00:00:00.000Z");
    expect(s.run).toMatchObject({ run_id: run.run_id, model: "medgemma-27b", mode: "both", seed: 7, n_sampled: 10, prompts_overridden: ["synthesize"] });
    expect(s.run.endpoint).toEqual({ kind: "remote", base_url: "http://localhost:8080/v1", model_id: "google/medgemma-27b-text-it" });
    expect(s.emulator).toBe(false);
    expect(s.journal).toEqual({ case_lines: 20, superseded_lines: 0, torn_cases_line: false });
  });

  it("accuracy denominators and outcomes", () => {
    expect(direct.outcomes).toEqual({ correct: 6, wrong: 2, unparseable: 1, error: 1 });
    expect(direct.accuracy.all).toEqual(wilson(6, 10));
    expect(direct.accuracy.answered).toEqual(wilson(6, 8));
    expect(pipe.outcomes).toEqual({ correct: 5, wrong: 3, unparseable: 1, error: 1 });
    expect(pipe.accuracy.all).toEqual(wilson(5, 10));
    expect(pipe.accuracy.answered).toEqual(wilson(5, 8));
    expect(direct.n_pending).toBe(0);
  });

  it("strata by question type and USMLE step", () => {
    const qt = (a: typeof direct) => Object.fromEntries(a.strata.question_type.filter((x) => x.n > 0).map((x) => [x.key, [x.accuracy.k, x.n]]));
    const us = (a: typeof direct) => Object.fromEntries(a.strata.usmle_step.map((x) => [x.key, [x.accuracy.k, x.n]]));
    expect(qt(direct)).toEqual({ diagnosis: [3, 5], treatment: [2, 3], ethics: [1, 2] });
    expect(qt(pipe)).toEqual({ diagnosis: [3, 5], treatment: [1, 3], ethics: [1, 2] });
    expect(us(direct)).toEqual({ step1: [4, 4], "step2&3": [2, 5], unknown: [0, 1] });
    expect(us(pipe)).toEqual({ step1: [4, 4], "step2&3": [1, 5], unknown: [0, 1] });
    expect(direct.strata.question_type.find((x) => x.key === "ethics")!.accuracy).toEqual(wilson(1, 2));
    expect(direct.strata.question_type).toHaveLength(9); // every type, n = 0 included, in a fixed order
  });

  it("diagnostic metrics: headline over diagnosis questions, every pipeline case as a secondary line, per question type", () => {
    expect(direct.diagnostic).toBeNull();
    const d = pipe.diagnostic!;
    expect({ n: d.n, n_with_report: d.n_with_report, top1: d.top1, top3: d.top3, mentioned: d.mentioned }).toEqual({
      n: 10, n_with_report: 8, top1: wilson(1, 10), top3: wilson(2, 10), mentioned: wilson(3, 10),
    });
    // Diagnosis stems are cases 0, 1, 3, 6, 8: top-1 (0), top-3 (1), misses (3, 6), no report (8).
    expect(d.diagnosis_questions).toEqual({ n: 5, n_with_report: 4, top1: wilson(1, 5), top3: wilson(2, 5), mentioned: wilson(2, 5) });
    const byType = Object.fromEntries(d.by_question_type.map((b) => [b.key, b]));
    expect(d.by_question_type.map((b) => b.key)).toEqual([...QUESTION_TYPES]);
    expect(byType.diagnosis).toEqual({ key: "diagnosis", ...d.diagnosis_questions });
    // Case 2 (management) mentions the answer in its next steps only.
    expect(byType.treatment).toEqual({ key: "treatment", n: 3, n_with_report: 3, top1: wilson(0, 3), top3: wilson(0, 3), mentioned: wilson(1, 3) });
    expect(byType.ethics).toMatchObject({ n: 2, n_with_report: 1 });
    expect(byType.anatomy).toMatchObject({ n: 0, top1: { p: null } });
    expect(d.by_question_type.reduce((n, b) => n + b.n, 0)).toBe(d.n);
  });
  it("markdown and console put the diagnosis-question headline first, with n", () => {
    const md = renderMarkdown(s);
    expect(md).toContain("## Diagnostic accuracy of the pipeline report — diagnosis questions (n = 5)");
    expect(md).toMatch(/\*\*diagnosis questions\*\* \(headline\) \| 5 \| 20\.0% .*\(1\/5\)/);
    expect(md).toMatch(/all pipeline cases \(secondary\) \| 10 \| 10\.0%/);
    expect(md).toMatch(/\| treatment \| 3 \|/);
  });

  it("latency per case and per step", () => {
    expect(direct.latency.case_ms).toMatchObject({ n: 10, mean: 5500, p50: 5500, max: 10000, min: 1000 });
    expect(direct.latency.case_ms.p90).toBeCloseTo(9100, 9);
    expect(direct.latency.case_ms.p95).toBeCloseTo(9550, 9);
    expect(direct.latency.case_ms.p99).toBeCloseTo(9910, 9);
    expect(direct.latency.wall_ms.p50).toBe(6000);
    expect(pipe.latency.cold_ms).toBe(30_000);
    expect(pipe.latency.steps.map((x) => [x.step, x.latency_ms.n, x.latency_ms.p50])).toEqual([
      ["parse", 10, 100],
      ["reason", 10, 2000],
      ["synthesize", 9, 3000],
      ["answer", 9, 500],
    ]); // drugs was skipped everywhere: absent
    expect(direct.latency.steps).toEqual([]);
  });

  it("run wall time from events across sessions (crashed session ends at its last stamp)", () => {
    expect(s.time).toMatchObject({ wall_time_ms: 45 * 60_000, wall_time_source: "events", sessions: 2, cold_start_ms: 30_000, cold_starts: 1 });
    expect(s.time.throughput_cases_per_min).toBeCloseTo(20 / 45, 12);
    expect(direct.latency.throughput_cases_per_min).toBeCloseTo(10 / 45, 12);
    // Without events: max(finished_at) − min(started_at).
    expect(runTime({ events: [], cases })).toMatchObject({ wall_time_ms: (69 * 60 + 50) * 1000, wall_time_source: "cases" });
    expect(runTime({ events: [], cases: [] })).toMatchObject({ wall_time_ms: 0, wall_time_source: "none" });
  });

  it("counts superseded case lines as signs of life, so report and diff agree on wall time", () => {
    // Session 1 is killed after an errored attempt (finished 10:10); session 2 re-runs the case and ends cleanly.
    const run1 = makeRun({ config: { ...run.config, mode: "direct" }, sampled_ids: [caseId(0)] });
    const at = (hm: string) => `2025-01-01T${hm}:00.000Z`;
    const first = makeCase({ case_id: caseId(0), arm: "direct", outcome: "error", error_class: "timeout", started_at: at("10:00"), finished_at: at("10:10") });
    const again = makeCase({ case_id: caseId(0), arm: "direct", outcome: "correct", started_at: at("10:31"), finished_at: at("10:35") });
    const ev = [
      { t: at("10:00"), type: "run_start" as const, session: 1, pending: 1 },
      { t: at("10:30"), type: "run_start" as const, session: 2, pending: 1 },
      { t: at("10:40"), type: "run_end" as const, session: 2, status: "completed" as const },
    ];
    const j = { dir: "/x", run: run1, cases: [again], allCaseLines: [first, again], events: ev, tornCasesLine: false };
    expect(summarize(j).time).toMatchObject({ wall_time_ms: 20 * 60_000, wall_time_source: "events", sessions: 2 });
    expect(diffRuns(j, j).cost!.base.wall_s).toBe(20 * 60);
  });

  it("tokens per case and per step", () => {
    expect(direct.tokens.case).toEqual({ n: 10, prompt_total: 10_000, completion_total: 1000, prompt_mean: 1000, completion_mean: 100 });
    const st = Object.fromEntries(pipe.tokens.steps.map((x) => [x.step, [x.tokens.n, x.tokens.prompt_total, x.tokens.completion_total]]));
    expect(st).toEqual({ parse: [10, 5000, 500], reason: [10, 15_000, 2700], synthesize: [9, 18_000, 3200], answer: [9, 9000, 450] });
  });

  it("cost: endpoint hours plus token prices, per run and per case", () => {
    expect(s.cost.wall_hours).toBeCloseTo(0.75, 12);
    expect(s.cost.hourly_usd).toBeCloseTo(1.875, 12);
    expect(s.cost.tokens_usd).toBeCloseTo(0.0435, 12);
    expect(s.cost.total_usd).toBeCloseTo(1.9185, 12);
    expect(s.cost.per_case_usd).toBeCloseTo(0.095925, 12);
    expect(direct.cost.hourly_usd).toBeNull(); // two arms share the wall clock
    expect(direct.cost.tokens_usd).toBeCloseTo(0.0065, 12);
    expect(pipe.cost.per_case_usd).toBeCloseTo(0.0037, 12);
    // Overrides: no token prices, a different hourly rate.
    const o = summarize(journal, { cost: { per_hour: 10, per_mtok_in: null, per_mtok_out: null } });
    expect(o.cost.tokens_usd).toBeNull();
    expect(o.cost.total_usd).toBeCloseTo(7.5, 12);
  });

  it("failures by class, step failures, retries and parse outcomes", () => {
    expect(direct.failures).toEqual({ cases: { parse_failed: 1, timeout: 1 }, steps: [], retries: 2 });
    expect(pipe.failures.cases).toEqual({ overloaded: 1, parse_failed: 1 });
    expect(pipe.failures.steps).toEqual([
      { step: "reason", error_class: "overloaded", n: 1 },
      { step: "synthesize", error_class: "timeout", n: 1 },
      { step: "answer", error_class: "parse_failed", n: 1 },
    ]);
    expect(pipe.failures.retries).toBe(2);
    expect(pipe.parse_outcomes).toEqual([
      { step: "parse", ok: 10, repaired: 0, reasked: 0, failed: 0 },
      { step: "reason", ok: 8, repaired: 1, reasked: 0, failed: 0 },
      { step: "synthesize", ok: 8, repaired: 0, reasked: 0, failed: 0 },
      { step: "answer", ok: 8, repaired: 0, reasked: 0, failed: 1 },
    ]);
    expect(s.retries).toEqual({ events: 1, by_class: { overloaded: 1 } });
  });

  it("concurrency history and the letter matrix", () => {
    expect(s.concurrency.map((c) => c.limit)).toEqual([4, 2, 3]);
    expect(direct.answer_matrix.columns).toEqual(["A", "B", "C", "D", "none"]);
    expect(direct.answer_matrix.counts[0]).toEqual([6, 2, 0, 0, 2]);
    expect(direct.answer_matrix.counts.slice(1).flat().every((v) => v === 0)).toBe(true);
  });

  it("uses the latest line per case and reports superseded and pending cases", () => {
    const run2 = makeRun({ config: { ...run.config, mode: "direct" }, endpoint: { ...run.endpoint, kind: "emulator" } });
    const first = makeCase({ case_id: caseId(0), arm: "direct", outcome: "error", error_class: "timeout" });
    const again = makeCase({ case_id: caseId(0), arm: "direct", outcome: "correct" });
    const j = { dir: "/x", run: run2, cases: [again], allCaseLines: [first, again], events: [], tornCasesLine: true };
    const s2 = summarize(j);
    expect(s2.arms.map((a) => a.arm)).toEqual(["direct"]);
    expect(s2.arms[0]!.n_pending).toBe(9);
    expect(s2.arms[0]!.accuracy.all).toEqual(wilson(1, 1));
    expect(s2.journal).toEqual({ case_lines: 2, superseded_lines: 1, torn_cases_line: true });
    expect(s2.emulator).toBe(true);
    expect(s2.arms[0]!.cost.hourly_usd).not.toBeNull(); // single arm: it owns the wall clock
  });
});

describe("report files", () => {
  it("junit.xml parses and has the right counts", async () => {
    const dir = fixtureDir();
    await writeReports(dir, { generatedAt: "2025-01-02T00:00:00.000Z" });
    const xml = readFileSync(join(dir, "junit.xml"), "utf8");
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "" }).parse(xml);
    expect(doc.testsuites).toMatchObject({ tests: "20", failures: "7", errors: "2" });
    const suites = doc.testsuites.testsuite as Array<{ name: string; tests: string; failures: string; errors: string; testcase: Array<Record<string, any>> }>;
    expect(suites.map((x) => [x.name, x.tests, x.failures, x.errors])).toEqual([
      ["direct", "10", "3", "1"],
      ["pipeline", "10", "4", "1"],
    ]);
    const d = suites[0]!.testcase;
    expect(d).toHaveLength(10);
    expect(d[0]!.name).toBe(caseId(0));
    expect(d[0]!.failure).toBeUndefined();
    expect(d[6]!.failure.type).toBe("wrong");
    expect(d[8]!.failure.type).toBe("unparseable");
    expect(d[9]!.error.type).toBe("timeout");
    expect(d[9]!.failure).toBeUndefined();
  });

  it("cases.csv round-trips with csv-parse, awkward text included", async () => {
    const { run, cases, events } = handFixture();
    cases[0] = { ...cases[0]!, stem: 'Which, of the "following"\nis it?', correct_text: "Zebra, fever" };
    const dir = writeJournal(run, cases, events);
    dirs.push(dir);
    await writeReports(dir);
    const text = readFileSync(join(dir, "cases.csv"), "utf8");
    const rows = parseCsv(text, { columns: true }) as Array<Record<string, string>>;
    expect(Object.keys(rows[0]!)).toEqual([...CSV_COLUMNS]);
    expect(rows).toHaveLength(20);
    expect(rows[0]!.stem).toBe('Which, of the "following"\nis it?');
    expect(rows[0]!.correct_text).toBe("Zebra, fever");
    expect(rows.filter((r) => r.arm === "pipeline").map((r) => r.dx_top1).filter((v) => v === "true")).toHaveLength(1);
    expect(rows[9]).toMatchObject({ arm: "direct", outcome: "error", error_class: "timeout", dx_top1: "" });
    expect(text.includes("\r\n")).toBe(true);
  });

  it("report.html is self-contained and escapes journal text", async () => {
    const { run, cases, events } = handFixture();
    cases[1] = { ...cases[1]!, stem: "<script>alert('x')</script> & <img src=x>?" };
    const dir = writeJournal(run, cases, events);
    dirs.push(dir);
    await writeReports(dir);
    const html = readFileSync(join(dir, "report.html"), "utf8");
    expect(html).toContain(`http-equiv="Content-Security-Policy"`);
    expect(html).not.toContain("<script>alert");
    expect(html).not.toContain("<img src=x>");
    expect(html).toContain(esc("<script>alert('x')</script>"));
    expect(html.match(/<script>/g)).toHaveLength(1); // only our inline script
    expect(html).not.toMatch(/<[^>]*\s(?:src|href)=/i); // no element loads anything
    expect(html).not.toMatch(/url\(/i);
    expect(html).toContain('id="f-text"');
    expect(html.match(/<tr data-arm=/g)).toHaveLength(20);
    expect(html).toContain("<details>");
  });

  it("summary.md has headline, strata, steps, cost and failures, and the emulator note when relevant", () => {
    const { run, cases, events } = handFixture();
    const journal = { dir: "/x", run: { ...run, endpoint: { ...run.endpoint, kind: "emulator" as const } }, cases, allCaseLines: cases, events, tornCasesLine: false };
    const md = renderReports(journal).texts["summary.md"];
    expect(md).toContain("Emulator figures");
    expect(md).toMatch(/\| direct \| 60\.0% \| 31\.3–83\.2% \| 6\/10 \| 75\.0% \|/);
    for (const h of ["## Accuracy by question type", "## Accuracy by USMLE step", "## Pipeline steps (pipeline)", "## Cost", "## Failures", "## Diagnostic"]) {
      expect(md).toContain(h);
    }
    expect(md).toContain("| synthesize | 9 | 3.00 s |");
    const plain = renderReports({ ...journal, run }).texts["summary.md"];
    expect(plain).not.toContain("Emulator figures");
  });

  it("console tables show accuracy with CI and n, outcomes, latency, tokens, cost and failures", () => {
    const { run, cases, events } = handFixture();
    const s = summarize({ dir: "/x", run, cases, allCaseLines: cases, events, tornCasesLine: false });
    const t = renderSummaryTables(s);
    expect(t).toContain("60.0%");
    expect(t).toContain("31.3–83.2%");
    expect(t).toContain("6/10");
    expect(t).toContain("5.50 s"); // direct p50
    expect(t).toContain("1,000 / 100");
    expect(t).toContain("cost $1.92 (0.750 h × $2.50/h + tokens $0.0435) · $0.0959/case");
    expect(t).toMatch(/overloaded/);
  });

  it("report regenerates from the journal alone, idempotently apart from generated_at", async () => {
    const dir = fixtureDir();
    const chunks: string[] = [];
    const sink = { write: (c: string) => chunks.push(c) } as unknown as NodeJS.WritableStream;
    expect(await reportCommand(dir, { generatedAt: "2025-01-02T00:00:00.000Z", out: sink })).toBe(0);
    const first = JSON.parse(readFileSync(join(dir, "summary.json"), "utf8"));
    const others1 = ["summary.md", "report.html", "junit.xml", "cases.csv"].map((f) => readFileSync(join(dir, f), "utf8"));
    expect(await reportCommand(dir, { generatedAt: "2025-03-04T05:06:07.000Z", quiet: true })).toBe(0);
    const second = JSON.parse(readFileSync(join(dir, "summary.json"), "utf8"));
    expect(second.generated_at).toBe("2025-03-04T05:06:07.000Z");
    delete first.generated_at;
    delete second.generated_at;
    expect(second).toEqual(first);
    const others2 = ["summary.md", "report.html", "junit.xml", "cases.csv"].map((f) => readFileSync(join(dir, f), "utf8"));
    expect(others2.slice(2)).toEqual(others1.slice(2)); // md/html carry the time stamp; xml and csv are identical
    expect(chunks.join("")).toContain("accuracy (all)");
    // Cost overrides flow through.
    expect(await reportCommand(dir, { costPerHour: 4, pricePerMTokIn: 0, pricePerMTokOut: 0, quiet: true })).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, "summary.json"), "utf8")).cost).toMatchObject({ per_hour: 4, hourly_usd: 3, tokens_usd: 0 });
  });

  it("report on a missing run directory fails with exit code 1", async () => {
    const errs: string[] = [];
    const err = { write: (c: string) => errs.push(c) } as unknown as NodeJS.WritableStream;
    expect(await reportCommand("/nonexistent/run-dir", { quiet: true, err })).toBe(2);
    expect(errs.join("")).toMatch(/run\.json is missing/);
  });

  it("reads what writeReports wrote via readJournal only", async () => {
    const dir = fixtureDir();
    const j = await readJournal(dir);
    const { files, summary } = await writeReports(dir);
    expect(files.map((f) => f.slice(dir.length + 1))).toEqual(["summary.json", "summary.md", "report.html", "junit.xml", "cases.csv"]);
    expect(summary.arms.map((a) => a.n)).toEqual([j.cases.filter((c) => c.arm === "direct").length, 10]);
  });
});

describe("a full-size run", () => {
  // Its speed is measured by `npm run bench` (report time), not here: a timed unit test fails on a loaded machine.
  it("regenerates every output of a 1,273-case × 2-arm run (every record re-graded)", async () => {
    const { run, cases, events } = largeFixture();
    const dir = writeJournal(run, cases, events);
    dirs.push(dir);
    const { summary } = await writeReports(dir);
    expect(summary.arms.map((a) => a.n)).toEqual([1273, 1273]);
    expect(summary.regrade.regraded + summary.regrade.no_raw).toBeGreaterThan(0);
  });
});
