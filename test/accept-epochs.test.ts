// #17 acceptance: --epochs K with sampled decoding on the embedded emulator, through the real CLI.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { BIN, cleanEnv, MEDQA, onlyRunDir, readJson, readJsonl, REPO, runCli, tempDir } from "./helpers/cli.js";
import type { CaseRecord } from "../src/types.js";
import type { Summary } from "../src/report/summary-schema.js";

const COMMON = ["--medqa", "--data", MEDQA, "--max-cases", "30", "--seed", "5", "--epochs", "5", "--temperature", "0.7"];
const ARGS = [...COMMON, "--mode", "both", "--time-scale", "1000"];
const DIRECT = [...COMMON, "--mode", "direct"];
const key = (r: CaseRecord) => `${r.arm}:${r.case_id}:${r.epoch}`;
const poll = () => new Promise((r) => setTimeout(r, 20));

describe("--epochs 5 --temperature 0.7, 30 cases, both arms", () => {
  let dir: string;
  let recs: CaseRecord[];
  let summary: Summary;
  beforeAll(async () => {
    const out = tempDir("rv-epochs-");
    const res = await runCli([...ARGS, "--out", out]);
    expect(res.code, res.stderr).toBe(0);
    dir = onlyRunDir(out);
    recs = readJsonl<CaseRecord>(join(dir, "cases.jsonl"));
    summary = readJson<Summary>(join(dir, "summary.json"));
  }, 180_000);

  it("journals 150 records per arm: each case × epoch once, each epoch with its own recorded seed", () => {
    for (const arm of ["direct", "pipeline"]) expect(recs.filter((r) => r.arm === arm)).toHaveLength(150);
    expect(new Set(recs.map(key)).size).toBe(300);
    const seeds = new Map<number, Set<number>>();
    for (const r of recs) (seeds.get(r.epoch!) ?? seeds.set(r.epoch!, new Set()).get(r.epoch!)!).add(r.sample_seed!);
    expect([...seeds.keys()].sort()).toEqual([0, 1, 2, 3, 4]);
    for (const s of seeds.values()) expect(s.size).toBe(1); // one seed per epoch…
    expect(new Set([...seeds.values()].map((s) => [...s][0])).size).toBe(5); // …and a different one each
    expect(seeds.get(0)).toEqual(new Set([5])); // epoch 0 sends --seed itself
  });

  it("sampling makes epochs disagree on some cases (the emulator varies with the seed)", () => {
    const answers = new Map<string, Set<string | null>>();
    for (const r of recs) (answers.get(`${r.arm}:${r.case_id}`) ?? answers.set(`${r.arm}:${r.case_id}`, new Set()).get(`${r.arm}:${r.case_id}`)!).add(r.answer);
    const varying = [...answers.values()].filter((s) => s.size > 1).length;
    expect(varying).toBeGreaterThan(5);
    expect(varying).toBeLessThan(60);
  });

  it("summary: every reducer with a CI, the agreement distribution and κ, per arm", () => {
    for (const a of summary.arms) {
      const e = a.epochs!;
      expect(e).toBeDefined();
      expect(e.k).toBe(5);
      expect(e.cases).toBe(30);
      expect(e.samples).toBe(150);
      expect(e.reducers.map((r) => r.reducer)).toEqual(["majority", "mean", "any", "all"]);
      for (const r of e.reducers) {
        expect(r.lo!).toBeLessThanOrEqual(r.p!);
        expect(r.hi!).toBeGreaterThanOrEqual(r.p!);
      }
      const [maj, mean, any, all] = e.reducers.map((r) => r.p!);
      expect(all).toBeLessThanOrEqual(mean!);
      expect(mean).toBeLessThanOrEqual(any!);
      expect(all).toBeLessThanOrEqual(maj!);
      expect(e.agreement.histogram.reduce((s, h) => s + h.cases, 0)).toBe(30);
      expect(e.kappa).not.toBeNull();
      expect(e.kappa!).toBeGreaterThan(-1);
      expect(e.kappa!).toBeLessThan(1);
      expect(a.n_pending).toBe(0);
    }
    const md = readFileSync(join(dir, "summary.md"), "utf8");
    expect(md).toMatch(/## Repeatability \(direct\): 5 epochs, 30 cases, 150 samples/);
    expect(md).toMatch(/Fleiss' κ over epochs -?\d\.\d{3}/);
    expect(readFileSync(join(dir, "report.html"), "utf8")).toMatch(/Repeatability \(pipeline\)/);
  });

  it("the same command again gives the same answers (sampling is seeded)", async () => {
    const out = tempDir("rv-epochs2-");
    const res = await runCli([...DIRECT, "--time-scale", "1000", "--out", out]);
    expect(res.code, res.stderr).toBe(0);
    const again = readJsonl<CaseRecord>(join(onlyRunDir(out), "cases.jsonl"));
    const first = new Map(recs.filter((r) => r.arm === "direct").map((r) => [key(r), r.answer]));
    expect(again).toHaveLength(150);
    for (const r of again) expect(r.answer).toBe(first.get(key(r)));
  }, 120_000);

  it("diff of the run with itself pairs 30 cases per arm on the majority verdict and shows agreement", async () => {
    const res = await runCli(["diff", dir, dir, "--json", join(dir, "..", "diff.json")]);
    expect(res.code, res.stderr).toBe(0);
    const d = readJson<{ arms: Array<{ label: string; base: { n: number }; agreement?: { base: number; cand: number }; discordant: { fixed: number; broken: number } }> }>(join(dir, "..", "diff.json"));
    for (const a of d.arms) {
      expect(a.discordant).toEqual({ fixed: 0, broken: 0 });
      expect(a.agreement!.base).toBeCloseTo(a.agreement!.cand, 12);
      expect(a.agreement!.base).toBeGreaterThan(0.2);
    }
    expect(res.stdout).toMatch(/per-case agreement over epochs/);
  }, 60_000);
});

describe("--resume after a kill completes exactly the missing (case, epoch) records", () => {
  it("SIGKILL mid-run, then --resume: 150 unique records, answers as in an uninterrupted run", async () => {
    const args = [...DIRECT, "--emulator-latency", "a100", "--time-scale", "300", "--concurrency", "2"];
    const cleanOut = tempDir("rv-ep-clean-");
    const clean = await runCli([...DIRECT, "--time-scale", "1000", "--out", cleanOut]);
    expect(clean.code, clean.stderr).toBe(0);
    const want = new Map(readJsonl<CaseRecord>(join(onlyRunDir(cleanOut), "cases.jsonl")).map((r) => [key(r), r.answer]));

    const out = tempDir("rv-ep-kill-");
    const child = spawn(process.execPath, [BIN, ...args, "--out", out], { cwd: REPO, env: cleanEnv(), stdio: "ignore" });
    const exited = new Promise<void>((r) => child.on("close", () => r()));
    const lines = (): number => {
      try {
        return readFileSync(join(onlyRunDir(out), "cases.jsonl"), "utf8").split("\n").filter(Boolean).length;
      } catch {
        return 0;
      }
    };
    while (lines() < 40 && child.exitCode === null) await poll();
    child.kill("SIGKILL");
    await exited;
    const dir = onlyRunDir(out);
    const before = lines();
    expect(before).toBeGreaterThanOrEqual(40);
    expect(before).toBeLessThan(150);

    const res = await runCli([...args, "--out", out, "--resume", dir]);
    expect(res.code, res.stderr).toBe(0);
    const recs = readJsonl<CaseRecord>(join(dir, "cases.jsonl"));
    expect(recs).toHaveLength(150);
    expect(new Set(recs.map(key)).size).toBe(150);
    for (const r of recs) expect(r.answer).toBe(want.get(key(r)));
  }, 240_000);
});
