// `run-validation trend`: ordering, change markers and significance from synthetic journals, then the real CLI on
// five emulator runs with one prompt change in the middle, rendered in headless Chromium.
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { buildTrend } from "../src/trend/trend.js";
import { renderTrendHtml, renderTrendMarkdown } from "../src/trend/render.js";
import { expandRuns } from "../src/trend/command.js";
import type { Journal } from "../src/journal/read.js";
import type { CaseRecord, Outcome } from "../src/types.js";
import { caseId, makeCase, makeRun, writeJournal } from "./fixtures/report/journal.js";
import { MEDQA, onlyRunDir, runCli, tempDir } from "./helpers/cli.js";

const N = 40;
function journal(id: string, created: string, correct: number, over: Partial<ReturnType<typeof makeRun>> = {}): Journal {
  const run = makeRun({ run_id: id, created_at: created, sampled_ids: Array.from({ length: N }, (_, i) => caseId(i)), ...over });
  run.config = { ...run.config, mode: "direct" };
  const cases: CaseRecord[] = Array.from({ length: N }, (_, i) => makeCase({ case_id: caseId(i), arm: "direct", outcome: (i < correct ? "correct" : "wrong") as Outcome }));
  return { dir: `/runs/${id}`, run, cases, allCaseLines: cases, events: [], tornCasesLine: false };
}

describe("buildTrend", () => {
  const prompts = (sha: string) => ({ direct: { sha256: sha, overridden: sha !== "p1" } });
  // Given out of order: the trend orders by created_at.
  const runs = [
    journal("r3", "2026-01-03T03:00:00Z", 20, { prompts: prompts("p1") }),
    journal("r1", "2026-01-01T03:00:00Z", 20, { prompts: prompts("p1") }),
    journal("r4", "2026-01-04T03:00:00Z", 36, { prompts: prompts("p2") }), // prompt change + a big jump
    journal("r2", "2026-01-02T03:00:00Z", 21, { prompts: prompts("p1") }),
    journal("r5", "2026-01-05T03:00:00Z", 35, { prompts: prompts("p2"), harness: { version: "0.2.0", git_commit: "ffff", node: "v20" } }),
  ];
  const t = buildTrend(runs);

  it("orders runs by time and reads each run's own accuracy and CI", () => {
    expect(t.points.map((p) => p.run_id)).toEqual(["r1", "r2", "r3", "r4", "r5"]);
    expect(t.points.map((p) => p.arms[0]!.accuracy.k)).toEqual([20, 21, 20, 36, 35]);
    for (const p of t.points) expect(p.arms[0]!.accuracy.n).toBe(N);
    expect(t.steps).toHaveLength(4);
  });

  it("lists configuration changes between consecutive runs (harness builds are not changes)", () => {
    expect(t.steps.map((s) => s.changes.map((c) => c.field))).toEqual([[], [], ["prompt.direct"], []]);
    expect(t.steps[2]!.changes[0]).toMatchObject({ base: "p1", cand: "p2" });
  });

  it("marks exactly the significant step (paired McNemar on the common cases)", () => {
    expect(t.steps.map((s) => s.arms[0]!.significant)).toEqual([false, false, true, false]);
    expect(t.steps[2]!.arms[0]!.delta_pts).toBeCloseTo(40, 9); // 20 → 36 of 40
    expect(t.steps[2]!.arms[0]!.log10_p).toBeLessThan(Math.log10(0.05));
    expect(t.steps[2]!.arms[0]!.paired).toBe(N);
    // With a stricter alpha the same step is no longer marked.
    expect(buildTrend(runs, { alpha: 1e-6 }).steps[2]!.arms[0]!.significant).toBe(false);
  });

  it("renders the change and the marker in Markdown and HTML", () => {
    const md = renderTrendMarkdown(t);
    const row4 = md.split("\n").find((l) => l.startsWith("| 4 |"))!;
    expect(row4).toContain("prompt.direct");
    expect(row4).toMatch(/▲ direct \+40\.0 pts \(p = /);
    expect(md.split("\n").find((l) => l.startsWith("| 3 |"))).not.toMatch(/▲|▼/);
    const html = renderTrendHtml(t);
    expect(html.match(/class="sig" data-step="3"/g)).toHaveLength(1);
    expect(html).not.toMatch(/data-step="[124]"/); // no other step changed anything
    expect(html).toContain("Content-Security-Policy");
  });
});

describe("expandRuns", () => {
  it("takes run directories and folders of runs; refuses a folder with none", async () => {
    const a = writeJournal(makeRun({ run_id: "a" }), [], []);
    const holder = tempDir("rv-trend-holder-");
    const inner = join(holder, "x");
    mkdirSync(inner);
    writeFileSync(join(inner, "run.json"), readFileSync(join(a, "run.json")));
    expect(await expandRuns([a, holder, a])).toEqual([a, inner]);
    await expect(expandRuns([tempDir("rv-trend-empty-")])).rejects.toThrow(/holds no run directories/);
  });
});

const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const browser = existsSync(CHROMIUM) || process.env.CI === "true";

describe("trend on five emulator runs with a prompt change in the middle (real CLI)", () => {
  it("writes trend.html/.md marking the change; the page loads in headless Chromium with no error or request", async () => {
    const promptsDir = tempDir("rv-trend-prompts-");
    writeFileSync(
      join(promptsDir, "direct.md"),
      "You are sitting a medical licensing examination.\nThink step by step, then end with a line \"Answer: <letter>\".\n\n{{question}}\n\n{{options}}\n",
    );
    const dirs: string[] = [];
    for (let i = 0; i < 5; i++) {
      const out = tempDir(`rv-trend-${i}-`);
      const extra = i >= 3 ? ["--prompts", promptsDir] : [];
      const res = await runCli(["--medqa", "--data", MEDQA, "--max-cases", "40", "--seed", "9", "--mode", "direct", "--time-scale", "1000", ...extra, "--out", out]);
      expect(res.code, res.stderr).toBe(0);
      dirs.push(onlyRunDir(out));
    }
    const where = tempDir("rv-trend-out-");
    const html = join(where, "trend.html");
    const md = join(where, "trend.md");
    const res = await runCli(["trend", ...dirs, "--html", html, "--markdown", md]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toMatch(/trend over 5 run\(s\): 1 configuration change/);
    const rows = readFileSync(md, "utf8").split("\n").filter((l) => /^\| \d \|/.test(l));
    expect(rows).toHaveLength(5);
    expect(rows[3]).toContain("prompt.direct");
    for (const i of [0, 1, 2, 4]) expect(rows[i]).not.toContain("prompt.direct");
    const page = readFileSync(html, "utf8");
    expect(page).toMatch(/class="(chg|sig)" data-step="3"/);
    if (browser) {
      const { stdout } = await promisify(execFile)(process.execPath, ["scripts/check-report-html.mjs", html], { timeout: 90_000 });
      expect(stdout).toContain("check-report-html: ok");
    }
  }, 240_000);
});
