import { describe, expect, it } from "vitest";
import { diffArms, diffRuns } from "../src/diff/diff.js";
import { gate } from "../src/diff/gate.js";
import { renderDiffConsole, renderDiffMarkdown } from "../src/diff/render.js";
import { wallSeconds } from "../src/diff/source.js";
import { DiffInputError } from "../src/diff/types.js";
import { mcnemarExact, pairedExactCI } from "../src/stats/paired.js";
import type { Outcome } from "../src/types.js";
import { caseRecord, casesOf, idOf, makeRun } from "./diff-fixtures.js";

// Base: 0..39 correct, 40..49 wrong (80%).
const baseOutcome = (i: number): Outcome => (i < 40 ? "correct" : "wrong");
const base = makeRun({ run_id: "base", cases: casesOf(50, baseOutcome) });

/** Candidate with `broken` of the first correct cases now wrong and `fixed` of the wrong ones now right. */
function candidate(broken: number, fixed: number, extra: Parameters<typeof makeRun>[0] extends infer S ? Partial<S> : never = {}) {
  const outcome = (i: number): Outcome => (i < broken ? "wrong" : i < 40 ? "correct" : i < 40 + fixed ? "correct" : "wrong");
  return makeRun({ run_id: "cand", prompts: { reason: "reason-v2".padEnd(64, "0") }, cases: casesOf(50, outcome), ...extra });
}

describe("diffRuns: a run against itself", () => {
  const r = diffRuns(base, base);
  const arm = r.arms[0]!;
  it("finds no change", () => {
    expect(r.config).toEqual([]);
    expect(r.pairing.paired).toBe(true);
    expect(r.pairing.notes).toEqual([]);
    expect(arm.fixed).toEqual([]);
    expect(arm.broken).toEqual([]);
    expect(arm.p).toBe(1);
    expect(arm.delta_pts).toBe(0);
    expect(arm.ci_pts).toMatchObject({ lo: 0, hi: 0 });
    expect(arm.base.p).toBeCloseTo(0.8, 12);
    expect(gate(r, { failOnRegression: true, maxLatencyRegressionPct: 0 })).toEqual({ exitCode: 0, reasons: [] });
  });
  it("reports latency ratios of 1", () => {
    for (const row of arm.latency) {
      expect(row.ratio_p95).toBeCloseTo(1, 12);
      expect(row.pair_ratio_p50).toBeCloseTo(1, 12);
    }
  });
});

describe("diffRuns: a prompt change with flips", () => {
  const cand = candidate(12, 2);
  const r = diffRuns(base, cand, { seed: 7 });
  const arm = r.arms[0]!;

  it("names the changed prompt and nothing else", () => {
    expect(r.config.map((c) => c.field)).toEqual(["prompt.reason"]);
  });
  it("lists the flipped cases with both answers and the stem's start", () => {
    expect(arm.broken.map((f) => f.case_id)).toEqual(Array.from({ length: 12 }, (_, i) => idOf(i)));
    expect(arm.fixed.map((f) => f.case_id)).toEqual([idOf(40), idOf(41)]);
    const f = arm.broken[0]!;
    expect(f.base_outcome).toBe("correct");
    expect(f.cand_outcome).toBe("wrong");
    expect(f.base_answer).toBe(f.correct_answer);
    expect(f.cand_answer).not.toBe(f.correct_answer);
    expect(f.stem).toMatch(/^Which of the following/);
    expect(f.stem.length).toBeLessThanOrEqual(80);
    expect(f.base_case_id).toBeUndefined();
  });
  it("computes Δ, McNemar on the discordant pairs, the exact CI and a bootstrap CI as an extra", () => {
    expect(arm.delta_pts).toBeCloseTo(-20, 10);
    expect(arm.discordant).toEqual({ fixed: 2, broken: 12 });
    expect(arm.p).toBeCloseTo(mcnemarExact(12, 2), 15);
    expect(arm.p).toBeCloseTo(212 / 16384, 12);
    expect(arm.log10_p).toBeCloseTo(Math.log10(212 / 16384), 12);
    const exact = pairedExactCI(12, 2, 50);
    expect(arm.ci_pts).toEqual({ lo: exact.lo * 100, hi: exact.hi * 100, level: 0.95, method: "exact" });
    expect(arm.ci_pts!.hi).toBeLessThan(0); // agrees with p < 0.05
    const boot = arm.bootstrap_ci_pts!;
    expect(boot).toMatchObject({ level: 0.95, iterations: 10_000, seed: 7 });
    expect(boot.lo).toBeLessThan(-20);
    expect(boot.hi).toBeGreaterThan(-20);
    expect(diffRuns(base, cand, { seed: 7 }).arms[0]!.bootstrap_ci_pts).toEqual(boot); // reproducible
    // --alpha sets the level of both intervals, so the CI's verdict stays the test's.
    expect(diffRuns(base, cand, { seed: 7, alpha: 0.01 }).arms[0]!.ci_pts!.level).toBeCloseTo(0.99, 12);
  });

  // [description, options, expected exit code]
  const gates: Array<[string, Parameters<typeof gate>[1], 0 | 1]> = [
    ["defaults fail", { failOnRegression: true }, 1],
    ["alpha 0.01 is stricter than p=0.013", { failOnRegression: true, alpha: 0.01 }, 0],
    ["a minimum drop of 25 pts", { failOnRegression: true, minDrop: 25 }, 0],
    ["reporting only", { failOnRegression: false }, 0],
  ];
  it.each(gates)("gate: %s", (_d, opts, code) => {
    const g = gate(r, opts);
    expect(g.exitCode).toBe(code);
    if (opts.alpha === undefined && opts.minDrop === undefined) expect(g.reasons[0]).toMatch(/pipeline: accuracy fell 20\.0 pts/);
  });

  it("does not gate on a 4-point swing at n=50 (noise)", () => {
    const small = diffRuns(base, candidate(3, 1));
    expect(small.arms[0]!.delta_pts).toBeCloseTo(-4, 10);
    expect(small.arms[0]!.p).toBeCloseTo(0.625, 12);
    expect(gate(small, { failOnRegression: true }).exitCode).toBe(0);
  });

  it("reports Δ per stratum", () => {
    const step1 = arm.strata.find((s) => s.dimension === "usmle_step" && s.stratum === "step1")!;
    // even indices are step1: broken 0,2,..,10 (6), fixed 40 (1): 20 → 15 correct of 25
    expect(step1).toMatchObject({ n_base: 25, n_cand: 25, base: 20 / 25, cand: 15 / 25 });
    expect(step1.delta_pts).toBeCloseTo(-20, 10);
    const types = arm.strata.filter((s) => s.dimension === "question_type").map((s) => s.stratum);
    expect(types).toContain("diagnosis");
  });
});

describe("pairing", () => {
  it("pairs by content_hash even when ids and positions differ", () => {
    // Same content, renamed ids, reversed order, and one flip.
    const cases = casesOf(50, baseOutcome)
      .map((c, i) => ({ ...c, case_id: `other-${String(99 - i)}`, outcome: i === 45 ? ("correct" as const) : c.outcome, answer: i === 45 ? c.correct_answer : c.answer }))
      .reverse();
    const r = diffRuns(base, makeRun({ run_id: "renamed", cases }));
    const arm = r.arms[0]!;
    expect(r.pairing.per_arm).toEqual([{ arm: "pipeline", paired: 50, base_only: 0, cand_only: 0 }]);
    expect(arm.fixed).toHaveLength(1);
    expect(arm.fixed[0]).toMatchObject({ case_id: "other-54", base_case_id: idOf(45) });
    expect(arm.broken).toEqual([]);
  });

  it("compares only the cases both runs sampled, and says so", () => {
    const cand = makeRun({ run_id: "cand", cases: Array.from({ length: 50 }, (_, k) => caseRecord({ i: k + 10, outcome: baseOutcome(k + 10) })) });
    const r = diffRuns(base, cand);
    expect(r.pairing.per_arm[0]).toEqual({ arm: "pipeline", paired: 40, base_only: 10, cand_only: 10 });
    expect(r.pairing.notes.join(" ")).toMatch(/sampled different cases \(40 paired, 10 only in base, 10 only in candidate\)/);
    expect(r.arms[0]!.base.n).toBe(40);
    expect(() => diffRuns(base, cand, { strict: true })).toThrow(/--strict: pipeline: the runs sampled different cases/);
  });

  it("strict mode refuses different datasets", () => {
    const other = makeRun({ run_id: "other", dataset_sha: "e".repeat(64), cases: casesOf(50, baseOutcome) });
    expect(() => diffRuns(base, other, { strict: true })).toThrow(DiffInputError);
    const loose = diffRuns(base, other);
    expect(loose.pairing.notes[0]).toMatch(/datasets differ/);
    expect(loose.config.map((c) => c.field)).toContain("dataset.sha256");
  });

  it("refuses when no arm is in common", () => {
    const direct = makeRun({ run_id: "direct", config: { mode: "direct" }, cases: casesOf(5, baseOutcome, { arm: "direct" }) });
    expect(() => diffRuns(base, direct)).toThrow(/no arm to compare/);
  });
});

describe("latency, tokens, cost, errors", () => {
  const slow = makeRun({
    run_id: "slow",
    config: { temperature: 0.7 },
    cases: Array.from({ length: 50 }, (_, i) =>
      caseRecord({ i, outcome: i === 3 ? "error" : baseOutcome(i), latency: 2 * (1000 + (i % 10) * 100), tokens: { prompt: 800, completion: 100 } }),
    ),
    per_hour: 7.2,
  });
  const r = diffRuns(base, slow);
  const arm = r.arms[0]!;

  it("shows sampling parameter changes", () => {
    expect(r.config).toContainEqual({ field: "temperature", base: 0, cand: 0.7 });
  });
  it("lists errors apart: an errored pair is neither a flip nor in the accuracy, McNemar or the CI", () => {
    expect(arm.errors).toEqual([{ side: "cand", case_id: idOf(3), error_class: "timeout", error: "request timed out" }]);
    expect(arm.not_compared).toEqual({
      n: 1,
      errored_base: 0,
      errored_cand: 1,
      errored_both: 0,
      pairs: [{ case_id: idOf(3), side: "cand", base_outcome: "correct", cand_outcome: "error", error_class: "timeout" }],
    });
    expect(arm.cand).toMatchObject({ k: 39, n: 49, errors: 1 });
    expect(arm.base).toMatchObject({ k: 39, n: 49, errors: 0 });
    expect(arm.broken).toEqual([]);
    expect(arm.fixed).toEqual([]);
    expect(arm.delta_pts).toBe(0);
    expect(arm.p).toBe(1);
    expect(arm.error_rate).toEqual({ base: 0, cand: 1 / 50, delta_pts: 2 });
    expect(gate(r, { failOnRegression: true, minDrop: 0 }).exitCode).toBe(0);
  });
  it("gates errors only through the explicit error-rate condition (off by default)", () => {
    expect(gate(r, { failOnRegression: true, maxErrorRateIncreasePts: 1 })).toEqual({
      exitCode: 1,
      reasons: ["pipeline: error rate rose 2.0 pts (0.0% → 2.0%), limit 1 pts"],
    });
    expect(gate(r, { failOnRegression: true, maxErrorRateIncreasePts: 2 }).exitCode).toBe(0);
    expect(gate(r, { failOnRegression: false, maxErrorRateIncreasePts: 1 }).exitCode).toBe(0);
  });
  it("says how many pairs were not compared, and why", () => {
    const out = renderDiffConsole(r);
    expect(out).toContain("1 pairs not compared: errored in base 0, in cand 1 (both 0)");
    expect(out).toMatch(/\| pipeline +│|pipeline .*49 \(\+1 errored\)/);
    expect(renderDiffMarkdown(r)).toContain("**1 pairs not compared: errored in base 0, in cand 1 (both 0)**");
  });
  it("gives latency ratios per case and the gate can act on them", () => {
    const row = arm.latency.find((l) => l.step === "case")!;
    expect(row.ratio_p95).toBeCloseTo(2, 10);
    expect(row.pair_ratio_p50).toBeCloseTo(2, 10);
    expect(row.n_cand).toBe(49); // the errored case's latency is excluded
    expect(gate(r, { failOnRegression: true, maxLatencyRegressionPct: 50 }).reasons.join()).toMatch(/p95 case latency rose 100%/);
    expect(gate(r, { failOnRegression: true, maxLatencyRegressionPct: 150 }).exitCode).toBe(0);
    expect(arm.latency.map((l) => l.step)).toEqual(["case", "parse", "reason", "answer"]);
  });
  it("gives the mean token Δ per step", () => {
    expect(arm.tokens.find((t) => t.step === "case")).toMatchObject({ base_prompt: 500, cand_prompt: 800, delta_prompt: 300, delta_completion: 0 });
    expect(arm.tokens.find((t) => t.step === "reason")!.delta_prompt).toBeCloseTo(100, 10);
  });
  it("computes cost per case from per_hour and wall time (case timestamps without events)", () => {
    // Case i runs from second i to i+1: 0..50 s wall.
    expect(r.cost!.base).toMatchObject({ wall_s: 50, wall_source: "case_timestamps", cases: 50 });
    expect(r.cost!.base.per_case).toBeCloseTo((3.6 * 50) / 3600 / 50, 12);
    expect(r.cost!.delta_per_case).toBeCloseTo((3.6 * 50) / 3600 / 50, 12); // double the price
  });
  it("adds token prices to the hourly cost, a missing price counting as free (the report's rule)", () => {
    const priced = { ...slow, run: { ...slow.run, cost: { per_hour: 7.2, per_mtok_in: 2, per_mtok_out: null } } };
    // 50 cases × 800 prompt tokens at $2/Mtok; completion tokens unpriced.
    expect(diffRuns(base, priced).cost!.cand.per_case).toBeCloseTo(((7.2 * 50) / 3600 + (50 * 800 * 2) / 1e6) / 50, 12);
    const unpriced = { ...slow, run: { ...slow.run, cost: { per_hour: 7.2, per_mtok_in: null, per_mtok_out: null } } };
    expect(diffRuns(base, unpriced).cost!.cand.per_case).toBeCloseTo((7.2 * 50) / 3600 / 50, 12);
  });
});

describe("wallSeconds", () => {
  it("sums sessions from events; a killed session ends at its last case", () => {
    const t = (s: number) => new Date(Date.UTC(2025, 0, 1, 0, 0, s)).toISOString();
    const events = [
      { t: t(0), type: "run_start" as const, session: 1, pending: 10 },
      // session 1 killed: its last case finishes at second 21
      { t: t(100), type: "run_start" as const, session: 2, pending: 5 },
      { t: t(130), type: "run_end" as const, session: 2, status: "completed" as const },
    ];
    const cases = [caseRecord({ i: 5 }), caseRecord({ i: 20 }), caseRecord({ i: 110 })];
    expect(wallSeconds(events, cases)).toEqual({ s: 21 + 30, source: "events" });
  });
  it("counts overlapping sessions (parallel shards merged) once", () => {
    const t = (s: number) => new Date(Date.UTC(2025, 0, 1, 0, 0, s)).toISOString();
    const events = [
      { t: t(0), type: "run_start" as const, session: 1, pending: 10 },
      { t: t(40), type: "run_end" as const, session: 1, status: "completed" as const },
      { t: t(10), type: "run_start" as const, session: 1, pending: 10 },
      { t: t(60), type: "run_end" as const, session: 1, status: "completed" as const },
      { t: t(100), type: "run_start" as const, session: 1, pending: 10 },
      { t: t(110), type: "run_end" as const, session: 1, status: "completed" as const },
    ];
    expect(wallSeconds(events, [])).toEqual({ s: 60 + 10, source: "events" });
  });
});

describe("diffArms", () => {
  const run = makeRun({
    run_id: "both",
    config: { mode: "both" },
    cases: [...casesOf(30, (i) => (i < 20 ? "correct" : "wrong"), { arm: "direct" }), ...casesOf(30, (i) => (i < 25 ? "correct" : "wrong"))],
  });
  it("compares two arms of one run, paired by case", () => {
    const r = diffArms(run, "direct", "pipeline");
    expect(r.kind).toBe("arms");
    const a = r.arms[0]!;
    expect(a.label).toBe("direct → pipeline");
    expect(a.discordant).toEqual({ fixed: 5, broken: 0 });
    expect(a.delta_pts).toBeCloseTo(100 / 6, 10);
    expect(a.p).toBeCloseTo(mcnemarExact(0, 5), 15);
    expect(r.cost).toBeNull();
  });
  it("refuses an arm the run does not have", () => {
    expect(() => diffArms(base, "direct", "pipeline")).toThrow(/no direct arm/);
  });
});

describe("renderers", () => {
  const r = diffRuns(base, candidate(12, 2));
  const g = gate(r, { failOnRegression: true });
  it("console output says what is significant and lists flips", () => {
    const out = renderDiffConsole(r, { gate: g });
    expect(out).toMatch(/significant \(McNemar p = 0\.013 < 0\.05\)/);
    expect(out).toMatch(/Δ 95% CI, exact \(Clopper–Pearson on the discordant pairs; agrees with McNemar\): \[−\d+\.\d, −\d+\.\d\] pts/);
    expect(out).toMatch(/extra: paired bootstrap 95% CI \(10000 resamples, seed 42\)/);
    expect(out).toContain("prompt.reason");
    expect(out).toContain(idOf(41));
    expect(out).toMatch(/broken \(correct → wrong\): 12/);
    expect(out).toMatch(/Gate: FAIL/);
    expect(renderDiffConsole(diffRuns(base, candidate(3, 1)))).toMatch(/not significant .*within noise/);
  });
  it("markdown has the accuracy table, the gate and the flips", () => {
    const out = renderDiffMarkdown(r, { gate: g });
    expect(out).toMatch(/^## Run diff/);
    expect(out).toContain("| arm | n | base acc [95% CI]");
    expect(out).toMatch(/\| pipeline \| 50 \| 80\.0% \[/);
    expect(out).toContain("**Gate: ❌ FAIL**");
    expect(out).toContain(`| ${idOf(0)} |`);
  });
});

describe("a huge discordant count", () => {
  // 1,273 cases all correct in base, all wrong in the candidate: McNemar p = 2^-1272 ≈ 1e-383.
  const all = makeRun({ run_id: "all", cases: casesOf(1273, () => "correct") });
  const none = makeRun({ run_id: "none", cases: casesOf(1273, () => "wrong") });
  const r = diffRuns(all, none, { iterations: 200 });
  const arm = r.arms[0]!;
  it("carries log10 p instead of an underflowed 0 and shows it as below 1e-300", () => {
    expect(arm.discordant).toEqual({ fixed: 0, broken: 1273 });
    expect(arm.log10_p).toBeCloseTo(-1272 * Math.log10(2), 9);
    expect(JSON.parse(JSON.stringify(r)).arms[0].log10_p).toBeCloseTo(-382.91, 2);
    const out = renderDiffConsole(r, { gate: gate(r, { failOnRegression: true }) });
    expect(out).toContain("significant (McNemar p < 1e-300 < 0.05)");
    expect(out).not.toMatch(/p = 0(\.0+)?\b/);
    expect(gate(r, { failOnRegression: true })).toMatchObject({ exitCode: 1 });
    expect(gate(r, { failOnRegression: true }).reasons[0]).toMatch(/mcnemar-exact p < 1e-300 < 0\.05/);
  });
});

describe("performance", () => {
  it("diffs two 1,273-case runs (both arms) in well under a second", () => {
    const mk = (id: string, flip: number) =>
      makeRun({
        run_id: id,
        config: { mode: "both" },
        cases: (["direct", "pipeline"] as const).flatMap((arm) => casesOf(1273, (i) => ((i * 7 + flip) % 10 < 6 ? "correct" : "wrong"), { arm })),
      });
    const a = mk("a", 0);
    const b = mk("b", 1);
    const r = diffRuns(a, b);
    // Behaviour only: its speed is measured by `npm run bench` (diff time), never by a timed unit test.
    expect(r.arms).toHaveLength(2);
    expect(r.arms[0]!.base.n).toBe(1273);
    expect(r.arms[0]!.cand.n).toBe(1273);
    expect(r.pairing.per_arm.map((p) => p.paired)).toEqual([1273, 1273]);
  });
});
