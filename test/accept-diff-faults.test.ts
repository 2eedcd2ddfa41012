// Issue #11 acceptance over the real CLI: a clean run diffed against the same run with injected endpoint faults
// (errors, otherwise identical answers: the emulator's answer depends only on the prompt) → no flips, the errored
// pairs listed apart, and `--fail-on-regression` exits 0; only the explicit --max-error-rate-increase gates them.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type EmulatorHandle } from "../src/emulator/server.js";
import type { CaseRecord } from "../src/types.js";
import { MEDQA, onlyRunDir, readJsonl, runCli, tempDir } from "./helpers/cli.js";

const SCALE = 1000;
const cheapCount = (m: unknown) => Math.ceil(JSON.stringify(m).length / 4);
const emus: EmulatorHandle[] = [];
afterAll(async () => {
  for (const e of emus) await e.close();
});

interface ArmJson {
  fixed: unknown[];
  broken: unknown[];
  base: { n: number; k: number; errors: number };
  cand: { n: number; k: number; errors: number };
  delta_pts: number;
  log10_p: number;
  not_compared: { n: number; errored_base: number; errored_cand: number; pairs: Array<{ case_id: string; side: string }> };
}

describe("clean run vs the same run with endpoint faults", () => {
  let clean: string;
  let faulty: string;
  let faultyErrors: string[];
  beforeAll(async () => {
    const ok = await startEmulator({ timeScale: SCALE, countTokens: cheapCount });
    const bad = await startEmulator({ timeScale: SCALE, countTokens: cheapCount, faults: { "500": 0.2 }, faultSeed: 11 });
    emus.push(ok, bad);
    const args = (url: string, out: string) => [
      "--data", MEDQA, "--max-cases", "60", "--seed", "42", "--mode", "direct", "--base-url", url, "--api-key", "k",
      "--no-preflight", "--time-scale", String(SCALE), "--max-retries", "0", "--max-error-rate", "1", "--out", out,
    ];
    const [outA, outB] = [tempDir("rv-clean-"), tempDir("rv-faulty-")];
    const [a, b] = await Promise.all([runCli(args(ok.url, outA)), runCli(args(bad.url, outB))]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    clean = onlyRunDir(outA);
    faulty = onlyRunDir(outB);
    const recs = readJsonl<CaseRecord>(join(faulty, "cases.jsonl"));
    faultyErrors = recs.filter((r) => r.outcome === "error").map((r) => r.case_id).sort();
  }, 180_000);

  it("the faulted run really has errored cases, and its other answers equal the clean run's", () => {
    expect(faultyErrors.length).toBeGreaterThan(3);
    const byId = new Map(readJsonl<CaseRecord>(join(clean, "cases.jsonl")).map((r) => [r.case_id, r]));
    for (const r of readJsonl<CaseRecord>(join(faulty, "cases.jsonl"))) {
      if (r.outcome !== "error") expect(r.answer).toBe(byId.get(r.case_id)!.answer);
    }
  });

  it("no flips, errored pairs listed apart, --fail-on-regression exits 0", async () => {
    const dir = tempDir("rv-diff-faults-");
    const res = await runCli(["diff", clean, faulty, "--fail-on-regression", "--json", join(dir, "d.json"), "--markdown", join(dir, "d.md")]);
    expect(res.code, res.stdout + res.stderr).toBe(0);
    const arm = (JSON.parse(readFileSync(join(dir, "d.json"), "utf8")) as { arms: ArmJson[] }).arms[0]!;
    expect(arm.fixed).toEqual([]);
    expect(arm.broken).toEqual([]);
    expect(arm.delta_pts).toBe(0);
    expect(arm.log10_p).toBe(0);
    expect(arm.not_compared).toMatchObject({ n: faultyErrors.length, errored_base: 0, errored_cand: faultyErrors.length });
    expect(arm.not_compared.pairs.map((p) => p.case_id).sort()).toEqual(faultyErrors);
    expect(arm.base.n + faultyErrors.length).toBe(60);
    expect(arm.cand.errors).toBe(faultyErrors.length);
    expect(res.stdout).toContain(`${faultyErrors.length} pairs not compared: errored in base 0, in cand ${faultyErrors.length} (both 0)`);
    expect(res.stdout).toMatch(/broken \(correct → wrong\): 0/);
    expect(res.stdout).toMatch(/Gate: pass/);
    expect(readFileSync(join(dir, "d.md"), "utf8")).toContain(`${faultyErrors.length} pairs not compared`);
  });

  it("only the explicit error-rate condition gates the errors", async () => {
    const res = await runCli(["diff", clean, faulty, "--fail-on-regression", "--max-error-rate-increase", "1"]);
    expect(res.code).toBe(1);
    expect(res.stdout).toMatch(/direct: error rate rose \d+\.\d pts \(0\.0% → \d+\.\d%\), limit 1 pts/);
    expect((await runCli(["diff", clean, faulty, "--fail-on-regression", "--max-error-rate-increase", "100"])).code).toBe(0);
    const bad = await runCli(["diff", clean, faulty, "--max-error-rate-increase", "-1"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--max-error-rate-increase/);
  });
});
