// Issue #15 item 11: `run-validation --resume DIR` alone continues a run from its run.json; flags given with it
// may repeat it or change what cannot affect results (endpoint, key, concurrency, timeouts); anything else is
// refused naming the flag.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { flagGiven, storableFlags } from "../src/runner/resume.js";
import type { CaseRecord, RunJson } from "../src/types.js";
import { MEDQA, onlyRunDir, readJson, readJsonl, runCli, tempDir } from "./helpers/cli.js";

describe("flagGiven / storableFlags", () => {
  it("tells typed flags from defaults, in every spelling", () => {
    const argv = ["--seed", "7", "--max-cases=5", "--no-drugs", "--jsonMode", "grammar"];
    for (const f of ["seed", "max-cases", "drugs", "json-mode"]) expect(flagGiven(argv, f), f).toBe(true);
    for (const f of ["mode", "concurrency", "guidelines"]) expect(flagGiven(argv, f), f).toBe(false);
  });
  it("stores kebab-case run flags without secrets, paths resolved", () => {
    const s = storableFlags({ seed: 7, "api-key": "k", apiKey: "k", "base-url": "http://x", data: "rel/d.jsonl", _: [], $0: "x", maxCases: 5, "max-cases": 5 });
    expect(Object.keys(s).sort()).toEqual(["data", "max-cases", "seed"]);
    expect(s.data).toMatch(/^\/.*rel\/d\.jsonl$/);
  });
});

describe("--resume DIR alone", () => {
  let dir: string;
  let stored: RunJson;
  const truncateJournal = (keep: number) => {
    const p = join(dir, "cases.jsonl");
    writeFileSync(p, readFileSync(p, "utf8").split("\n").filter(Boolean).slice(0, keep).join("\n") + "\n");
  };
  beforeAll(async () => {
    const out = tempDir("rv-resume-alone-");
    const res = await runCli(["--data", MEDQA, "--max-cases", "6", "--seed", "7", "--mode", "direct", "--json-mode", "grammar", "--no-drugs", "--concurrency", "2", "--out", out]);
    expect(res.code, res.stderr).toBe(0);
    dir = onlyRunDir(out);
    stored = readJson<RunJson>(join(dir, "run.json"));
  }, 60_000);

  it("takes every setting from run.json and finishes the run", async () => {
    truncateJournal(2);
    const res = await runCli(["--resume", dir]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toMatch(/resuming .*: 2 finished unit\(s\) kept/);
    const lines = readJsonl<CaseRecord>(join(dir, "cases.jsonl"));
    expect(lines.map((l) => l.case_id).sort()).toEqual([...stored.sampled_ids].sort());
    const after = readJson<RunJson>(join(dir, "run.json"));
    expect(after.config_hash).toBe(stored.config_hash);
    expect(after.config).toMatchObject({ seed: 7, mode: "direct", json_mode: "grammar", drugs: false, max_cases: 6 });
  });

  it("allows repeating stored values and changing endpoint, concurrency and timeouts", async () => {
    truncateJournal(4);
    const res = await runCli(["--resume", dir, "--seed", "7", "--mode", "direct", "--concurrency", "3", "--request-timeout", "100", "--case-timeout", "900", "--max-retries", "2"]);
    expect(res.code, res.stderr).toBe(0);
    const flags = readJson<RunJson>(join(dir, "run.json")).flags!;
    expect(flags).toMatchObject({ "request-timeout": 100, seed: 7 });
    expect(String(flags.concurrency)).toBe("3");
    expect(readJsonl<CaseRecord>(join(dir, "cases.jsonl"))).toHaveLength(6);
  });

  it.each([
    [["--seed", "8"], /--seed \(stored 7, given 8\)/],
    [["--mode", "both"], /--mode \(stored "direct", given "both"\)/],
    [["--drugs"], /--drugs \(stored false, given true\)/],
    [["--max-cases", "10"], /--max-cases \(stored 6, given 10\)/],
    [["--temperature", "0.7"], /--temperature/],
    [["--jsonMode", "prompt"], /--json-mode/],
  ])("refuses %j, naming the flag", async (flags, msg) => {
    const res = await runCli(["--resume", dir, ...flags]);
    expect(res.code, res.stderr).toBe(2);
    expect(res.stderr).toMatch(msg);
    expect(res.stderr).toMatch(/would change the results/);
    expect(res.stderr.trim().split("\n")).toHaveLength(1);
  });

  it("refuses to continue an emulator run on a remote endpoint (field endpoint.kind)", async () => {
    const res = await runCli(["--resume", dir, "--base-url", "http://127.0.0.1:9/v1", "--cold-start-timeout", "0"]);
    expect(res.code, res.stderr).toBe(2);
    expect(res.stderr).toMatch(/endpoint\.kind/);
  });
});
