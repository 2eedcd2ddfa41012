// Issue #6 acceptance over the real CLI: two emulator runs that differ in one prompt, and a run diffed with
// itself. The changed prompt adds a bogus fifth option line, so the emulator sometimes picks "E", which the strict
// extractor refuses (unparseable): a realistic way for a prompt edit to break answers.
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { MEDQA, REPO, onlyRunDir, runCli, tempDir } from "./helpers/cli.js";

interface ArmDiffJson {
  label: string;
  test: string;
  base: { n: number };
  delta_pts: number;
  p: number;
  fixed: unknown[];
  broken: Array<{ case_id: string }>;
}

describe("diff on real emulator runs", () => {
  let base: string;
  let cand: string;
  beforeAll(async () => {
    const prompts = tempDir("rv-diff-prompts-");
    copyFileSync(join(REPO, "src", "pipeline", "direct", "prompt.md"), join(prompts, "direct.md"));
    const tpl = readFileSync(join(prompts, "direct.md"), "utf8");
    writeFileSync(join(prompts, "direct.md"), tpl.replace("{{options}}", "{{options}}\nE. All of the above are equally likely given the findings described"));
    const [outA, outB] = [tempDir("rv-diff-a-"), tempDir("rv-diff-b-")];
    const args = ["--data", MEDQA, "--max-cases", "150", "--seed", "42", "--mode", "direct", "--no-preflight"];
    const [a, b] = await Promise.all([runCli([...args, "--out", outA]), runCli([...args, "--prompts", prompts, "--out", outB])]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    base = onlyRunDir(outA);
    cand = onlyRunDir(outB);
  }, 180_000);

  it("a run diffed with itself: no flips, p = 1, exit 0", async () => {
    const json = join(tempDir("rv-diff-self-"), "d.json");
    const res = await runCli(["diff", base, base, "--fail-on-regression", "--json", json]);
    expect(res.code, res.stderr).toBe(0);
    const d = JSON.parse(readFileSync(json, "utf8")) as { arms: ArmDiffJson[] };
    expect(d.arms).toHaveLength(1);
    expect(d.arms[0]).toMatchObject({ label: "direct", test: "mcnemar-exact", base: { n: 150 }, delta_pts: 0, p: 1, fixed: [], broken: [] });
  });

  it("one prompt changed: the config diff names it, flips are listed, and the exit code follows the gate", async () => {
    const dir = tempDir("rv-diff-out-");
    const res = await runCli(["diff", base, cand, "--fail-on-regression", "--json", join(dir, "d.json"), "--markdown", join(dir, "d.md")]);
    const d = JSON.parse(readFileSync(join(dir, "d.json"), "utf8")) as { arms: ArmDiffJson[]; config: Array<{ field: string }> };
    expect(d.config.map((c) => c.field)).toEqual(["prompt.direct"]);
    const arm = d.arms[0]!;
    expect(arm.broken.length).toBeGreaterThan(0);
    for (const f of arm.broken) expect(res.stdout).toContain(f.case_id);
    const significant = arm.p < 0.05 && arm.delta_pts <= -2;
    expect(res.code).toBe(significant ? 1 : 0);
    expect(readFileSync(join(dir, "d.md"), "utf8")).toMatch(/broken/i);
    // The same comparison without the gate flag never fails.
    expect((await runCli(["diff", base, cand])).code).toBe(0);
  });
});
