// The old Python harness's files, read faithfully: each file kind detected, non-MedQA refused (exit 2), every
// legacy number under its own name and denominator, per-case tokens/cost, pairing by content or MedQA line number.
// Fixtures: test/fixtures/legacy/ (synthetic text in the real shapes; see its README).
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { MEDQA_SHA256 } from "../src/datasets/fetch.js";
import { contentHash } from "../src/datasets/validate.js";
import { diffCommand, type CommandIO } from "../src/diff/command.js";
import { diffRuns } from "../src/diff/diff.js";
import { gate } from "../src/diff/gate.js";
import { mapQuestionType, parseLegacy, parseLegacyCase, readLegacy, type LegacyReport } from "../src/diff/legacy.js";
import { renderDiffConsole, renderDiffMarkdown } from "../src/diff/render.js";
import { mcnemarExact, twoProportionZ } from "../src/stats/paired.js";
import type { CaseRecord } from "../src/types.js";
import { caseRecord, makeRun, writeRunDir } from "./diff-fixtures.js";

const FIX = fileURLToPath(new URL("./fixtures/legacy/", import.meta.url));
const fx = (name: string) => join(FIX, name);
const RESULT = fx("medqa_20260210_120000.json");
const CHECKPOINT = fx("medqa_checkpoint.jsonl");
const TRACK = fx("trackD_D0_3spec_1round_20260216_230940.json");

function io() {
  const out: string[] = [];
  const err: string[] = [];
  const sink: CommandIO = { out: (s) => void out.push(s), err: (s) => void err.push(s) };
  return { sink, out: () => out.join(""), err: () => err.join("") };
}

/** A real-shape MedQA per_case object (validation harness). */
function medqaCase(over: { selected?: string; key?: string; success?: boolean; error?: string | null; details?: Record<string, unknown>; scores?: Record<string, number> } = {}) {
  const key = over.key ?? "C";
  const selected = over.selected ?? key;
  return {
    case_id: "medqa_0001",
    source_dataset: "medqa",
    success: over.success ?? true,
    scores: over.scores ?? { top1_accuracy: 0, top3_accuracy: 0, mentioned_accuracy: 0, parse_success: 1, mcq_accuracy: selected === key ? 1 : 0 },
    pipeline_time_ms: 20_000,
    step_results: { parse: "completed", synthesize: "completed" },
    report_summary: "synthetic",
    error: over.error ?? null,
    details: { mcq_selected: selected, mcq_correct: key, correct_answer: "Synthetic condition", question_type: "diagnostic", ...over.details },
  };
}

describe("legacy per-case reader (real shape: mcq_correct is the key letter, mcq_selected the chosen one)", () => {
  const table: Array<[string, unknown, Record<string, unknown>]> = [
    ["correct", medqaCase(), { outcome: "correct", has_mcq: true, answer: "C", correct_answer: "C", correct_text: "Synthetic condition", question_type: "diagnosis" }],
    ["wrong letter", medqaCase({ selected: "A" }), { outcome: "wrong", answer: "A", correct_answer: "C" }],
    ["no letter (X)", medqaCase({ selected: "X" }), { outcome: "unparseable", answer: null, has_mcq: true }],
    ["failed pipeline", medqaCase({ success: false, error: "Pipeline timed out after 180s" }), { outcome: "error", error: "Pipeline timed out after 180s" }],
    ["MCQ step raised", { ...medqaCase(), details: { mcq_error: "503 Service Unavailable", correct_answer: "x" }, scores: { mcq_accuracy: 0 } }, { outcome: "error", error: "503 Service Unavailable" }],
    // A diagnosis-matching hit is never an MCQ answer: no MCQ fields → not an MCQ case at all.
    ["top1 only (no MCQ step)", { case_id: "medqa_0002", source_dataset: "medqa", success: true, scores: { top1_accuracy: 1 }, details: {} }, { has_mcq: false, answer: null }],
    ["letter beats a stale score", medqaCase({ selected: "B", key: "B", scores: { mcq_accuracy: 0 } }), { outcome: "correct" }],
    ["score when letters are missing", { ...medqaCase(), details: {}, scores: { mcq_accuracy: 1 } }, { outcome: "correct", has_mcq: true }],
    ["experiment id medqa_N", { case_id: "medqa_7", scores: { top1_accuracy: 0 } }, { line_index: 6, has_mcq: false }],
    ["sample-position id", medqaCase(), { line_index: null }],
    ["cost ledger", { ...medqaCase(), details: { cost_ledger: { total_input_tokens: 100, total_output_tokens: 20, total_cost_usd: 0.5 } } }, { tokens: { prompt: 100, completion: 20 }, cost_usd: 0.5 }],
    ["nothing at all", {}, { case_id: "#7", has_mcq: false, correct_answer: null, tokens: null, content_hash: null }],
    ["step_results with objects", { step_results: { parse: { status: "failed" } } }, { step_status: { parse: "failed" } }],
  ];
  it.each(table)("%s", (_d, raw, expected) => {
    expect(parseLegacyCase(raw, 7)).toMatchObject(expected);
  });

  it("maps the old question-type labels to ours", () => {
    expect(mapQuestionType("diagnostic")).toBe("diagnosis");
    expect(mapQuestionType("Treatment")).toBe("treatment");
    expect(mapQuestionType(null)).toBeNull();
  });

  it("hashes question + options the way the harness does, when the file carries them", () => {
    const options = { A: "One", B: "Two", C: "Three", D: "Four" };
    const c = parseLegacyCase({ ...medqaCase(), details: { ...medqaCase().details, full_question: "Synthetic stem?", options } }, 0);
    expect(c.content_hash).toBe(contentHash("Synthetic stem?", options));
  });
});

describe("file kinds", () => {
  let result: LegacyReport;
  let checkpoint: LegacyReport;
  let track: LegacyReport;
  beforeAll(async () => {
    [result, checkpoint, track] = await Promise.all([readLegacy(RESULT), readLegacy(CHECKPOINT), readLegacy(TRACK)]);
  });

  it("MedQA validation result: each number under its own name and denominator", () => {
    expect(result).toMatchObject({ format: "result", file_kind: "medqa_result", dataset: "medqa", total_cases: 12, run_duration_sec: 2290.4 });
    const m = Object.fromEntries(result.metrics.map((x) => [x.name, x]));
    // mcq_accuracy: over the 10 successful cases (the 2 failed ones never reached the MCQ step), as the file says.
    expect(m.mcq_accuracy).toMatchObject({ kind: "mcq", k: 7, n: 10, value: 0.7, file_value: 0.7 });
    expect(m.mcq_accuracy!.denominator).toMatch(/^10 of 12 cases carry it \(.*successful/);
    // top1/top3/mentioned are diagnosis matching (failed cases carry 0.0, so over all 12).
    expect(m.top1_accuracy).toMatchObject({ kind: "diagnostic", k: 3, n: 12, file_value: 0.25 });
    expect(m.top3_accuracy).toMatchObject({ kind: "diagnostic", k: 5, n: 12 });
    expect(m.mentioned_accuracy).toMatchObject({ kind: "diagnostic", k: 6, n: 12 });
    expect(m.parse_success).toMatchObject({ kind: "pipeline", k: 10, n: 12 });
    const outcomes = result.cases.map((c) => c.outcome);
    expect(outcomes.filter((o) => o === "correct")).toHaveLength(7);
    expect(outcomes.filter((o) => o === "wrong")).toHaveLength(2);
    expect(outcomes.filter((o) => o === "unparseable")).toHaveLength(1);
    expect(outcomes.filter((o) => o === "error")).toHaveLength(2);
    expect(result.cases[0]!.question_type).toBe("diagnosis");
  });

  it("checkpoint JSONL: same cases (torn last line tolerated), metrics recounted, no file values", () => {
    expect(checkpoint).toMatchObject({ format: "checkpoint", file_kind: "checkpoint", dataset: "medqa" });
    expect(checkpoint.cases).toHaveLength(12);
    expect(checkpoint.metrics.find((x) => x.name === "mcq_accuracy")).toMatchObject({ k: 7, n: 10, file_value: null });
    const lines = ["{\"case_id\": \"medqa_0000\", \"source_dataset\": \"medqa\"}", "{broken", "{\"case_id\": \"medqa_0001\", \"source_dataset\": \"medqa\"}"];
    expect(() => parseLegacy(lines.join("\n") + "\n", "/x/c.jsonl")).toThrow(/c\.jsonl:2: not valid JSON/);
    expect(() => parseLegacy('{"foo": 1}\n', "/x/c.jsonl")).toThrow(/c\.jsonl:1: not a legacy per_case object/);
  });

  it("experiment-track result: line ids, diagnosis scores only, per-case tokens and cost", () => {
    expect(track).toMatchObject({ file_kind: "experiment_result", dataset: "trackD_D0_3spec_1round" });
    expect(track.cases.map((c) => c.line_index)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(track.cases.every((c) => !c.has_mcq)).toBe(true);
    expect(track.cases[0]).toMatchObject({ tokens: { prompt: 3100, completion: 5010 }, cost_usd: 0.016 });
    const names = track.metrics.map((x) => x.name);
    expect(names).toContain("mentioned");
    expect(names).not.toContain("mcq_accuracy");
    expect(track.metrics.find((x) => x.name === "top1_accuracy")).toMatchObject({ kind: "diagnostic", k: 2, n: 6 });
  });

  it.each([
    ["mtsamples_20260215_101010.json", /an MTSamples result .*not multiple-choice answers.*only the old harness's MedQA files/],
    ["pmc_20260215_111111.json", /a PMC case-report result .*not MedQA accuracy/],
    ["pmc_checkpoint.jsonl", /a PMC case-report result/],
    ["combined_20260215_120000.json", /a combined report of the old harness \(datasets: medqa, mtsamples, pmc\) has no per-case results; compare its MedQA result file/],
  ])("%s is refused with exit 2 and says why", async (name, why) => {
    await expect(readLegacy(fx(name))).rejects.toThrow(why);
    const t = io();
    expect(await diffCommand(fx(name), RESULT, {}, t.sink)).toBe(2);
    expect(t.err()).toMatch(why);
    expect(t.out()).toBe("");
  });

  it("refuses another dataset and a track whose ids are not medqa_N", () => {
    expect(() => parseLegacy(JSON.stringify({ dataset: "medmcqa", per_case: [{ case_id: "m1" }] }), "/x/medmcqa_1.json")).toThrow(/a "medmcqa" result, not MedQA/);
    expect(() => parseLegacy(JSON.stringify({ dataset: "trackB_B0", per_case: [{ case_id: "case_3" }] }), "/x/trackB.json")).toThrow(/case id "case_3" is not medqa_N/);
    expect(() => parseLegacy('{"foo": 1}', "/x/other.json")).toThrow(/per_case/);
  });
});

/** A run on the MedQA US test file whose case ids carry the record index, with a synthesize step for dx. */
function medqaRun(n: number, sha = MEDQA_SHA256) {
  const cases: CaseRecord[] = Array.from({ length: n }, (_, i) => {
    const r = caseRecord({ i, id: `medqa-us4-test-${String(i).padStart(4, "0")}` });
    r.correct_text = "Synthetic condition";
    r.steps = { ...r.steps, synthesize: { status: "ok", latency_ms: 1, cold_ms: 0, prompt_tokens: 1, completion_tokens: 1, finish_reason: "stop", calls: 1, attempts: 1, parse: "ok", output: { differential: [{ diagnosis: i === 0 ? "Synthetic condition" : "Other condition" }] } } };
    return r;
  });
  return makeRun({ run_id: "new", dataset_sha: sha, cases });
}

describe("comparisons", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "diff-legacy-"));
    await writeRunDir(join(dir, "run"), medqaRun(12));
  });

  it("MedQA result vs a run: unpaired (sample positions), MCQ over the legacy successful cases, legacy numbers shown apart", async () => {
    const t = io();
    const json = join(dir, "d.json");
    expect(await diffCommand(RESULT, join(dir, "run"), { json, markdown: join(dir, "d.md"), failOnRegression: true }, t.sink)).toBe(0);
    const d = JSON.parse(await readFile(json, "utf8"));
    expect(d.base.kind).toBe("legacy");
    expect(d.pairing.paired).toBe(false);
    expect(d.arms[0].base).toMatchObject({ k: 7, n: 10, errors: 2, unparseable: 1 });
    expect(d.arms[0].not_compared).toMatchObject({ errored_base: 2, errored_cand: 0 });
    const z = twoProportionZ(7, 10, 12, 12);
    expect(d.arms[0].p).toBeCloseTo(z.p, 12);
    expect(d.legacy[0]).toMatchObject({ side: "base", file_kind: "medqa_result", pairing: { method: "none", paired: 0, of: 12 } });
    expect(d.legacy[0].pairing.note).toMatch(/could not pair: .*sample positions/);
    const out = t.out();
    expect(out).toMatch(/UNPAIRED/);
    expect(out).toMatch(/mcq_accuracy \(MCQ\) +│ 70\.0% +│ 70\.0% \(7\/10\) +│ 10 of 12 cases carry it/);
    expect(out).toMatch(/top1_accuracy \(diagnostic, old matcher\) +│ 25\.0% +│ 25\.0% \(3\/12\)/);
    expect(out).toMatch(/diagnosis matching by the old fuzzy matcher, shown under their own names, never as MCQ accuracy/);
    expect(await readFile(join(dir, "d.md"), "utf8")).toContain("| top1_accuracy (diagnostic, old matcher) | 25.0% | 25.0% (3/12) |");
  });

  it("experiment-track result vs a run on the MedQA file: paired by line number, no MCQ test, dx beside the run's, tokens and cost", async () => {
    const track = await readLegacy(TRACK);
    const r = diffRuns(track, medqaRun(12));
    expect(r.arms).toEqual([]);
    expect(r.pairing.notes.join("\n")).toMatch(/paired by line number: legacy medqa_N = line N of the MedQA US test file.*\(6 of 6\)/);
    expect(r.pairing.notes.join("\n")).toMatch(/no multiple-choice comparison: the legacy file has no MCQ answers/);
    const l = r.legacy[0]!;
    expect(l.pairing).toMatchObject({ method: "line", paired: 6, of: 6 });
    // Legacy top1 hits are medqa_1, medqa_2; the run's top-1 hit is record 0 (= medqa_1).
    expect(l.dx_on_paired).toEqual({ n: 6, legacy: { top1: 2, top3: 3, mentioned: 5 }, run: { top1: 1, top3: 1, mentioned: 1 } });
    expect(l.tokens).toMatchObject({ n: 6, prompt_mean: 3350 });
    expect(l.cost_usd_per_case).toBeCloseTo(0.0185, 12);
    expect(gate(r, { failOnRegression: true })).toEqual({ exitCode: 0, reasons: [] });
    const out = renderDiffConsole(r);
    expect(out).toContain("(no multiple-choice comparison)");
    expect(out).toMatch(/on the 6 paired cases \(old fuzzy matcher vs this run's matcher, not like for like\): top1 legacy 2\/6 vs this run 1\/6/);
    expect(out).toMatch(/legacy cost per case \(its ledger\): \$0\.0185/);
    expect(renderDiffMarkdown(r)).toMatch(/### Legacy base: experiment_result/);
  });

  it("experiment-track result vs a run on another dataset: says it could not pair", async () => {
    const r = diffRuns(await readLegacy(TRACK), medqaRun(6, "e".repeat(64)));
    expect(r.legacy[0]!.pairing).toMatchObject({ method: "none", paired: 0 });
    expect(r.legacy[0]!.pairing.note).toMatch(/could not pair: the legacy ids are MedQA line numbers \(medqa_N\), but this run's dataset is not the MedQA US test file/);
    expect(r.legacy[0]!.dx_on_paired).toBeNull();
  });

  it("a legacy file that carries questions and options is paired by content: McNemar and flips", () => {
    const run = medqaRun(4);
    const per_case = run.cases.map((c, i) => {
      const options = { A: `opt a ${i}`, B: `opt b ${i}`, C: `opt c ${i}`, D: `opt d ${i}` };
      c.content_hash = contentHash(`Synthetic stem ${i}?`, options);
      return { ...medqaCase({ selected: i < 2 ? c.correct_answer : "A", key: c.correct_answer }), case_id: `medqa_${String(i).padStart(4, "0")}`, details: { ...medqaCase({ selected: i < 2 ? c.correct_answer : "A", key: c.correct_answer }).details, full_question: `Synthetic stem ${i}?`, options } };
    });
    const legacy = parseLegacy(JSON.stringify({ dataset: "medqa", per_case }), "/x/medqa_1.json");
    const r = diffRuns(legacy, run);
    expect(r.pairing.paired).toBe(true);
    expect(r.legacy[0]!.pairing).toMatchObject({ method: "content", paired: 4 });
    const arm = r.arms[0]!;
    expect(arm.test).toBe("mcnemar-exact");
    // legacy: 2 correct (cases 0, 1); run: all 4 correct → 2 fixed.
    expect(arm.discordant).toEqual({ fixed: 2, broken: 0 });
    expect(arm.p).toBeCloseTo(mcnemarExact(0, 2), 15);
  });

  it("two legacy files: unpaired, MCQ over their successful cases", async () => {
    const r = diffRuns(await readLegacy(RESULT), await readLegacy(CHECKPOINT));
    expect(r.pairing.paired).toBe(false);
    expect(r.arms[0]).toMatchObject({ test: "two-proportion-z", base: { k: 7, n: 10 }, cand: { k: 7, n: 10 }, delta_pts: 0 });
    expect(r.legacy.map((l) => l.side)).toEqual(["base", "cand"]);
  });

  it("--strict refuses an unpaired legacy comparison", async () => {
    const t = io();
    expect(await diffCommand(RESULT, join(dir, "run"), { strict: true }, t.sink)).toBe(2);
    expect(t.err()).toMatch(/legacy report cannot be paired/);
  });
});
