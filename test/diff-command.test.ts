import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { diffCommand, type CommandIO } from "../src/diff/command.js";
import type { DiffResult } from "../src/diff/types.js";
import type { Outcome } from "../src/types.js";
import { caseRecord, casesOf, makeRun, writeRunDir } from "./diff-fixtures.js";

const baseOutcome = (i: number): Outcome => (i < 40 ? "correct" : "wrong");
let dir: string;
let out: string[];
let err: string[];
const io: CommandIO = { out: (s) => void out.push(s), err: (s) => void err.push(s) };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "diff-cmd-"));
  await writeRunDir(join(dir, "base"), makeRun({ run_id: "base", cases: casesOf(50, baseOutcome) }));
  // 12 broken, 2 fixed: −20 pts, McNemar p ≈ 0.013
  const regressed = (i: number): Outcome => (i < 12 ? "wrong" : i < 42 ? "correct" : "wrong");
  await writeRunDir(join(dir, "regressed"), makeRun({ run_id: "regressed", prompts: { reason: "f".repeat(64) }, cases: casesOf(50, regressed) }));
  await writeRunDir(join(dir, "otherdata"), makeRun({ run_id: "otherdata", dataset_sha: "9".repeat(64), cases: casesOf(50, baseOutcome) }));
  await writeRunDir(
    join(dir, "both"),
    makeRun({ run_id: "both", config: { mode: "both" }, cases: [...casesOf(20, (i) => (i < 10 ? "correct" : "wrong"), { arm: "direct" }), ...casesOf(20, (i) => (i < 15 ? "correct" : "wrong"))] }),
  );
  // A resumed run: the errored first attempt of case 0 is superseded by a later correct line.
  const resumed = makeRun({ run_id: "resumed", cases: casesOf(50, baseOutcome) });
  resumed.allCaseLines = [caseRecord({ i: 0, outcome: "error" }), ...resumed.allCaseLines];
  await writeRunDir(join(dir, "resumed"), resumed);
});

beforeEach(() => {
  out = [];
  err = [];
});

describe("diffCommand exit codes", () => {
  // [description, base, cand, options, exit code, stderr pattern]
  const table: Array<[string, string, string | null, Parameters<typeof diffCommand>[2], number, RegExp | null]> = [
    ["a run against itself", "base", "base", { failOnRegression: true }, 0, null],
    ["a significant regression with --fail-on-regression", "base", "regressed", { failOnRegression: true }, 1, null],
    ["the same regression without the flag", "base", "regressed", {}, 0, null],
    ["the same regression under a stricter alpha", "base", "regressed", { failOnRegression: true, alpha: 0.01 }, 0, null],
    ["an improvement never fails", "regressed", "base", { failOnRegression: true }, 0, null],
    ["a missing directory", "base", "nope", {}, 2, /nope: no such run directory/],
    ["different datasets with --strict", "base", "otherdata", { strict: true }, 2, /--strict: datasets differ/],
    ["different datasets without --strict", "base", "otherdata", {}, 0, null],
    ["an unknown arm", "base", "base", { arms: "direct,robot" }, 2, /unknown arm "robot"/],
    ["one run without --arms", "both", null, {}, 2, /--arms direct,pipeline/],
    ["a bad --alpha", "base", "base", { alpha: 2 }, 2, /--alpha/],
    ["a resumed run (superseded lines ignored)", "base", "resumed", { failOnRegression: true }, 0, null],
  ];
  it.each(table)("%s", async (_d, b, c, opts, code, errPattern) => {
    expect(await diffCommand(join(dir, b), c === null ? null : join(dir, c), opts, io)).toBe(code);
    if (errPattern) expect(err.join("")).toMatch(errPattern);
    else expect(err).toEqual([]);
  });
});

describe("diffCommand outputs", () => {
  it("prints the console diff and writes Markdown and JSON", async () => {
    const md = join(dir, "diff.md");
    const json = join(dir, "diff.json");
    const code = await diffCommand(join(dir, "base"), join(dir, "regressed"), { failOnRegression: true, markdown: md, json, seed: 3 }, io);
    expect(code).toBe(1);
    const console = out.join("");
    expect(console).toMatch(/Gate: FAIL/);
    expect(console).toMatch(/prompt\.reason/);
    const mdText = await readFile(md, "utf8");
    expect(mdText).toContain("**Gate: ❌ FAIL**");
    const result = JSON.parse(await readFile(json, "utf8")) as DiffResult;
    expect(result.seed).toBe(3);
    expect(result.arms[0]!.discordant).toEqual({ fixed: 2, broken: 12 });
    expect(result.arms[0]!.broken).toHaveLength(12);
  });

  it("compares the two arms of one run", async () => {
    const json = join(dir, "arms.json");
    expect(await diffCommand(join(dir, "both"), null, { arms: "direct,pipeline", json }, io)).toBe(0);
    const result = JSON.parse(await readFile(json, "utf8")) as DiffResult;
    expect(result.kind).toBe("arms");
    expect(result.arms[0]).toMatchObject({ label: "direct → pipeline", discordant: { fixed: 5, broken: 0 } });
    expect(out.join("")).toMatch(/Arm comparison/);
  });

  it("restricts a run diff to --arms", async () => {
    const json = join(dir, "one-arm.json");
    expect(await diffCommand(join(dir, "both"), join(dir, "both"), { arms: "direct", json }, io)).toBe(0);
    const result = JSON.parse(await readFile(json, "utf8")) as DiffResult;
    expect(result.arms.map((a) => a.label)).toEqual(["direct"]);
  });
});
