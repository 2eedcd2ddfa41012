// The main job from the user's side: spawn the CLI against the embedded emulator on real MedQA cases.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { MEDQA, onlyRunDir, readJson, readJsonl, runCli, tempDir, type CliResult } from "./helpers/cli.js";

interface Line { case_id: string; arm: string; outcome: string; answer: string | null }

async function run(args: string[]): Promise<{ res: CliResult; dir: string }> {
  const out = tempDir("rv-e2e-");
  const res = await runCli([...args, "--out", out]);
  return { res, dir: res.code === 0 ? onlyRunDir(out) : out };
}

describe("run-validation --medqa (direct arm, emulator)", () => {
  let a: { res: CliResult; dir: string };
  let b: { res: CliResult; dir: string };
  beforeAll(async () => {
    [a, b] = await Promise.all([
      run(["--medqa", "--data", MEDQA, "--max-cases", "50", "--seed", "42", "--mode", "direct"]),
      run(["--medqa", "--data", MEDQA, "--max-cases", "50", "--seed", "42", "--mode", "direct"]),
    ]);
  }, 180_000);

  it("finishes on the emulator and writes run.json, 50 journal lines, summary.json and a table", () => {
    expect(a.res.code, a.res.stderr).toBe(0);
    expect(a.res.stderr).toMatch(/EMULATOR figures/);
    const runJson = readJson<{ endpoint: { kind: string; info: { max_input_tokens: number } }; sampled_ids: string[]; dataset: { sha256: string } }>(join(a.dir, "run.json"));
    expect(runJson.endpoint.kind).toBe("emulator");
    expect(runJson.endpoint.info.max_input_tokens).toBe(12288);
    expect(runJson.dataset.sha256).toBe("2e51d17d47099a72c4eea6b6a3307de71360333e0c99beb1d53d7a42834cacc4");
    expect(runJson.sampled_ids).toHaveLength(50);
    const lines = readJsonl<Line>(join(a.dir, "cases.jsonl"));
    expect(lines).toHaveLength(50);
    expect(new Set(lines.map((l) => l.case_id))).toEqual(new Set(runJson.sampled_ids));
    expect(existsSync(join(a.dir, "summary.json"))).toBe(true);
    expect(a.res.stdout).toMatch(/accuracy/i);
    expect(a.res.stdout).toMatch(/[┌┐└┘─│]/); // cli-table3 box drawing
  });

  it("is reproducible: identical sampled ids and identical answers", () => {
    expect(b.res.code, b.res.stderr).toBe(0);
    const ids = (d: string) => readJson<{ sampled_ids: string[] }>(join(d, "run.json")).sampled_ids;
    expect(ids(b.dir)).toEqual(ids(a.dir));
    const answers = (d: string) => Object.fromEntries(readJsonl<Line>(join(d, "cases.jsonl")).map((l) => [l.case_id, l.answer]));
    expect(answers(b.dir)).toEqual(answers(a.dir));
  });

  it("samples nest (seed 42: 50 ⊂ 100) and another seed differs", async () => {
    const [hundred, seven] = await Promise.all([
      run(["--data", MEDQA, "--max-cases", "100", "--seed", "42", "--mode", "direct"]),
      run(["--data", MEDQA, "--max-cases", "50", "--seed", "7", "--mode", "direct"]),
    ]);
    const ids = (d: string) => readJson<{ sampled_ids: string[] }>(join(d, "run.json")).sampled_ids;
    const fifty = ids(a.dir);
    expect(ids(hundred.dir)).toEqual(expect.arrayContaining(fifty));
    expect(ids(seven.dir)).not.toEqual(fifty);
  }, 180_000);
});

describe("bad input", () => {
  it("a malformed line → exit 2 naming the file and the line", async () => {
    const dir = tempDir("rv-bad-");
    const file = join(dir, "bad.jsonl");
    const good = readFileSync(MEDQA, "utf8").split("\n").slice(0, 3);
    writeFileSync(file, [good[0], good[1], '{"question": "q", "options": {"A": "x"}, "answer_idx": "Z"}', good[2]].join("\n") + "\n");
    const res = await runCli(["--data", file, "--out", dir]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(`${file}:3`);
  });

  it("an unknown flag → exit 2 with usage", async () => {
    const res = await runCli(["--medqa", "--max-casez", "5"]);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/Unknown argument/i);
    expect(res.stderr).toMatch(/--max-cases/);
  });

  it("no dataset chosen → exit 2 with a clear message", async () => {
    const res = await runCli([]);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/--medqa .* or --data PATH/);
  });
});
