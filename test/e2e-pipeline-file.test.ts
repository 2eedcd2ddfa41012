// --pipeline FILE from the user's side: the fixture pipeline (3 steps, its own schema, per-step temperatures) on
// the embedded emulator; step names in every report; a malformed file → exit 2 naming file, line and field;
// one step's temperature changed → diff names exactly that field and --resume refuses it.
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { MEDQA, onlyRunDir, readJson, runCli, tempDir, type CliResult } from "./helpers/cli.js";

const FIXTURE_DIR = resolve(import.meta.dirname, "fixtures", "pipeline-file");
const STEPS = ["findings", "differential", "choose"];

function run(pipeline: string, extra: string[] = []): Promise<CliResult> {
  return runCli(["--pipeline", pipeline, "--mode", "pipeline", "--max-cases", "5", "--time-scale", "1000", "--data", MEDQA, ...extra]);
}

describe("run-validation --pipeline FILE (emulator)", () => {
  const work = tempDir("rv-pf-e2e-");
  const base = join(work, "base");
  const cand = join(work, "cand");
  let baseDir = "";
  let candDir = "";
  let dxDir = "";
  let baseOut: CliResult | null = null;
  beforeAll(async () => {
    cpSync(FIXTURE_DIR, base, { recursive: true });
    cpSync(FIXTURE_DIR, cand, { recursive: true });
    const p = join(cand, "pipeline.yaml");
    writeFileSync(p, readFileSync(p, "utf8").replace("temperature: 0.3", "temperature: 0.25"));
    const outA = join(work, "out-a");
    const outB = join(work, "out-b");
    const outDx = join(work, "out-dx");
    const [a, b, dx] = await Promise.all([
      run(join(base, "pipeline.yaml"), ["--out", outA]),
      run(join(cand, "pipeline.yaml"), ["--out", outB]),
      run(join(base, "pipeline-dx.yaml"), ["--out", outDx]),
    ]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    expect(dx.code, dx.stderr).toBe(0);
    baseOut = a;
    baseDir = onlyRunDir(outA);
    candDir = onlyRunDir(outB);
    dxDir = onlyRunDir(outDx);
  }, 180_000);

  it("runs end to end: journal steps keyed by the file's step names, run.json records the file and step hashes", () => {
    const lines = readFileSync(join(baseDir, "cases.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
    expect(lines).toHaveLength(5);
    for (const l of lines) expect(Object.keys(l.steps)).toEqual(STEPS);
    const runJson = readJson<{ pipeline: { sha256: string; steps: Array<{ name: string; temperature: number; prompt_sha256: string; schema_sha256: string | null }> } }>(join(baseDir, "run.json"));
    expect(runJson.pipeline.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(runJson.pipeline.steps.map((s) => [s.name, s.temperature])).toEqual([["findings", 0.1], ["differential", 0.3], ["choose", 0.2]]);
    expect(runJson.pipeline.steps[0]!.schema_sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it("step names appear in summary.json, summary.md and report.html", () => {
    const summary = readJson<{ arms: Array<{ latency: { steps: Array<{ step: string }> } }> }>(join(baseDir, "summary.json"));
    expect(summary.arms[0]!.latency.steps.map((s) => s.step)).toEqual(STEPS);
    const md = readFileSync(join(baseDir, "summary.md"), "utf8");
    const html = readFileSync(join(baseDir, "report.html"), "utf8");
    for (const s of STEPS) {
      expect(md).toMatch(new RegExp(`^\\| ${s} \\|`, "m"));
      expect(html).toContain(s);
    }
  });

  it("no step produces a differential: no diagnostic section anywhere (summary.json, summary.md, report.html, console, cases.csv)", () => {
    const summary = readJson<{ run: { dataset: { diagnostic_metrics: boolean } }; arms: Array<{ diagnostic: unknown }> }>(join(baseDir, "summary.json"));
    expect(summary.arms[0]!.diagnostic).toBeNull();
    expect(summary.run.dataset.diagnostic_metrics).toBe(false);
    expect(readFileSync(join(baseDir, "summary.md"), "utf8")).not.toMatch(/Diagnostic accuracy/);
    expect(readFileSync(join(baseDir, "report.html"), "utf8")).not.toMatch(/Diagnostic accuracy|no report/);
    expect(baseOut!.stdout + baseOut!.stderr).not.toMatch(/dx top1|pipeline report/);
    const csv = readFileSync(join(baseDir, "cases.csv"), "utf8").trim().split("\n");
    const cols = csv[0]!.split(",");
    const top1 = cols.indexOf("dx_top1");
    expect(top1).toBeGreaterThan(0);
    for (const line of csv.slice(1)) expect(line.split(",")[top1]).toBe("");
  });

  it("a step declaring differential: true is the one the diagnostic section scores", () => {
    const runJson = readJson<{ pipeline: { differential?: string } }>(join(dxDir, "run.json"));
    expect(runJson.pipeline.differential).toBe("ddx");
    const summary = readJson<{ run: { dataset: { diagnostic_metrics: boolean } }; arms: Array<{ diagnostic: { n: number; n_with_report: number } | null }> }>(join(dxDir, "summary.json"));
    expect(summary.run.dataset.diagnostic_metrics).toBe(true);
    const lines = readFileSync(join(dxDir, "cases.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as { steps: Record<string, { status: string }> });
    // Scored from ddx: every case whose ddx step succeeded has a report (there is no synthesize step).
    expect(summary.arms[0]!.diagnostic!.n).toBe(5);
    expect(summary.arms[0]!.diagnostic!.n_with_report).toBe(lines.filter((l) => l.steps.ddx!.status === "ok").length);
    expect(summary.arms[0]!.diagnostic!.n_with_report).toBeGreaterThan(0);
    expect(readFileSync(join(dxDir, "summary.md"), "utf8")).toMatch(/Diagnostic accuracy of the pipeline report/);
  });

  it("diff names exactly the changed step field", async () => {
    const res = await runCli(["diff", baseDir, candDir, "--json", join(work, "d.json")]);
    expect(res.code, res.stderr).toBe(0);
    const d = readJson<{ config: Array<{ field: string; base: unknown; cand: unknown }> }>(join(work, "d.json"));
    const keys = d.config.map((c) => c.field).filter((k) => !k.startsWith("harness."));
    expect(keys).toEqual(["pipeline.differential.temperature"]);
  });

  it("--resume refuses the changed temperature, naming the field (exit 2)", async () => {
    // The same file edited in place (a different path is refused by the resume flag check before the hash).
    const p = join(base, "pipeline.yaml");
    writeFileSync(p, readFileSync(p, "utf8").replace("temperature: 0.3", "temperature: 0.25"));
    const res = await run(p, ["--resume", baseDir]);
    expect(res.code).toBe(2);
    expect(res.stderr, res.stderr).toMatch(/pipeline\.differential\.temperature/);
  }, 60_000);

  it("a run flag with no step to act on (--no-drugs) exits 2 naming the flag, before any endpoint traffic", async () => {
    const res = await run(join(base, "pipeline-dx.yaml"), ["--no-drugs", "--out", join(work, "out-flag")]);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/--no-drugs: the pipeline file .*pipeline-dx\.yaml has no step with skipped_by: --no-drugs/);
  }, 60_000);

  it("a malformed pipeline file exits 2 naming file, line and field", async () => {
    const bad = join(work, "bad");
    cpSync(FIXTURE_DIR, bad, { recursive: true });
    const p = join(bad, "pipeline.yaml");
    writeFileSync(p, readFileSync(p, "utf8").replace("inputs: [findings, stem]", "inputs: [findngs, stem]"));
    const res = await run(p, ["--out", join(work, "out-bad")]);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/pipeline\.yaml:13: field "steps\[1\]\.inputs\[0\]"/);
  }, 60_000);
});
