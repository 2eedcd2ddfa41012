// Every registry benchmark end to end through the CLI and the embedded emulator: a 20-case `--mode both` run on
// its real-format sample (and a direct run on its Parquet fixture) writes dataset-specific strata into
// summary.json; a malformed file stops with exit 2 and file:line; `datasets` lists all five; `fetch` offline
// fails naming --data PATH --format NAME.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { spawn } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { BIN, REPO, cleanEnv, onlyRunDir, readJson, readJsonl, runCli, tempDir } from "./helpers/cli.js";

const SAMPLES = path.resolve(REPO, "..", "shared", "datasets", "samples");
const FIX = path.join(REPO, "test", "fixtures", "datasets", "registry");

interface Stratum { key: string; n: number }
interface Summary {
  run: { dataset: { name: string; registry?: string; format?: string; strata?: string[]; diagnostic_metrics?: boolean } };
  arms: Array<{ arm: string; n: number; dataset_strata?: Record<string, Stratum[]>; diagnostic: unknown }>;
}

const CASES = [
  { dataset: "medmcqa", data: path.join(SAMPLES, "medmcqa/dev.first50.jsonl"), parquet: path.join(FIX, "medmcqa-validation.parquet"), strata: ["choice_type", "subject"], letters: 4 },
  { dataset: "pubmedqa", data: path.join(SAMPLES, "pubmedqa/ori_pqal.sample50.json"), parquet: path.join(FIX, "pubmedqa-pqal.parquet"), strata: ["decision"], letters: 3 },
  { dataset: "mmlu-medical", data: path.join(SAMPLES, "mmlu"), parquet: path.join(FIX, "mmlu-parquet"), strata: ["subject"], letters: 4 },
  { dataset: "headqa", data: path.join(SAMPLES, "headqa/dev_HEAD_EN.sample50.json"), parquet: path.join(FIX, "headqa-en-test.parquet"), strata: ["category"], letters: 4 },
];

async function run(args: string[]) {
  const out = tempDir("rv-ds-");
  const res = await runCli([...args, "--out", out, "--time-scale", "50"]);
  return { res, dir: res.code === 0 ? onlyRunDir(out) : out };
}

describe.each(CASES)("--dataset $dataset end to end (emulator)", ({ dataset, data, parquet, strata, letters }) => {
  it("a 20-case --mode both run on the real-format sample: dataset strata in summary.json, no diagnostic metrics", async () => {
    const { res, dir } = await run(["--dataset", dataset, "--data", data, "--max-cases", "20", "--mode", "both", "--seed", "42"]);
    expect(res.code, res.stderr).toBe(0);
    const s = readJson<Summary>(path.join(dir, "summary.json"));
    expect(s.run.dataset).toMatchObject({ registry: dataset, strata, diagnostic_metrics: false });
    expect(s.arms.map((a) => a.arm)).toEqual(["direct", "pipeline"]);
    for (const a of s.arms) {
      expect(a.n).toBe(20);
      expect(Object.keys(a.dataset_strata ?? {})).toEqual(strata);
      for (const field of strata) expect(a.dataset_strata![field]!.reduce((t, x) => t + x.n, 0)).toBe(20);
      expect(a.diagnostic).toBeNull();
    }
    const lines = readJsonl<{ arm: string; strata?: Record<string, string>; correct_answer: string }>(path.join(dir, "cases.jsonl"));
    expect(lines).toHaveLength(40);
    expect(lines.every((l) => strata.every((f) => typeof l.strata?.[f] === "string"))).toBe(true);
    expect(lines.every((l) => "ABCDE".slice(0, letters + 1).includes(l.correct_answer))).toBe(true);
    const md = readFileSync(path.join(dir, "summary.md"), "utf8");
    const html = readFileSync(path.join(dir, "report.html"), "utf8");
    for (const field of strata) {
      expect(md).toContain(`## Accuracy by ${field.replace(/_/g, " ")}`);
      expect(html).toContain(`<h2>Accuracy by ${field.replace(/_/g, " ")}</h2>`);
    }
    expect(md).not.toContain("USMLE step"); // MedQA's stratum; every case would be "unknown" here
    // The report can be regenerated from the journal alone, strata included.
    const again = await runCli(["report", dir, "--quiet"]);
    expect(again.code, again.stderr).toBe(0);
    expect(readJson<Summary>(path.join(dir, "summary.json")).arms[0]!.dataset_strata).toEqual(s.arms[0]!.dataset_strata);
  }, 120_000);

  it("a direct run on the Hugging Face Parquet fixture", async () => {
    const { res, dir } = await run(["--dataset", dataset, "--data", parquet, "--max-cases", "20", "--mode", "direct"]);
    expect(res.code, res.stderr).toBe(0);
    const s = readJson<Summary>(path.join(dir, "summary.json"));
    expect(s.run.dataset.format).toMatch(/-parquet$/);
    expect(s.arms[0]!.n).toBe(20);
  }, 120_000);
});

describe("malformed files stop the run with exit 2 and file:line", () => {
  const tmp = tempDir("rv-bad-");
  const medmcqa = readFileSync(path.join(SAMPLES, "medmcqa/dev.first50.jsonl"), "utf8").split("\n");
  medmcqa[4] = medmcqa[4]!.replace(/"cop":\d/, '"cop":9');
  const pub = JSON.parse(readFileSync(path.join(SAMPLES, "pubmedqa/ori_pqal.sample50.json"), "utf8")) as Record<string, Record<string, unknown>>;
  const firstPmid = Object.keys(pub).sort()[0]!;
  pub[firstPmid]!.final_decision = "unclear";
  const pubBody = JSON.stringify(pub, null, 2);
  const files = {
    medmcqa: { name: "dev.json", body: medmcqa.join("\n"), where: ":5: field \"cop\"" },
    pubmedqa: { name: "ori_pqal.json", body: pubBody, where: `:${pubBody.slice(0, pubBody.indexOf(`"${firstPmid}"`)).split("\n").length}: field "final_decision"` },
    "mmlu-medical": { name: "anatomy_test.csv", body: "Q1?,a,b,c,d,A\nQ2?,a,b,c,d,F\n", where: ':2: field "answer_idx"' },
    headqa: { name: "test_HEAD_EN.json", body: JSON.stringify({ exams: { E: { category: "medicine", data: [{ qid: "1", qtext: "Q?", ra: "7", answers: [1, 2, 3, 4].map((aid) => ({ aid, atext: `t${aid}` })) }] } } }), where: ':1: field "exams.E.data[0].ra"' },
  } as const;
  it.each(Object.entries(files))("%s", async (dataset, f) => {
    mkdirSync(path.join(tmp, dataset));
    const p = path.join(tmp, dataset, f.name);
    writeFileSync(p, f.body);
    const res = await runCli(["--dataset", dataset, "--data", p, "--max-cases", "5", "--mode", "direct", "--out", tmp]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(`error: ${p}${f.where}`);
  }, 60_000);
});

describe("datasets and fetch commands", () => {
  it("`datasets` lists all five with size, licence and cache state (table and --json)", async () => {
    const [table, json] = await Promise.all([runCli(["datasets"]), runCli(["datasets", "--json"])]);
    expect(table.code, table.stderr).toBe(0);
    for (const name of ["medqa", "medmcqa", "pubmedqa", "mmlu-medical", "headqa"]) expect(table.stdout).toContain(name);
    const rows = JSON.parse(json.stdout) as Array<{ name: string; licence: string; cached: string; size_bytes: number | null; records: number }>;
    expect(rows.map((r) => r.name)).toEqual(["medqa", "medmcqa", "pubmedqa", "mmlu-medical", "headqa"]);
    expect(rows[0]).toMatchObject({ name: "medqa", records: 1273, size_bytes: 2_075_680 });
    expect(rows[0]!.cached).toMatch(/^shipped/);
    expect(rows.every((r) => /MIT/.test(r.licence))).toBe(true);
  }, 60_000);

  it.each(["medmcqa", "pubmedqa", "mmlu-medical", "headqa"])("`fetch %s` offline fails (exit 2) naming --data PATH --format NAME", async (name) => {
    const res = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, ["--import", path.join(REPO, "test/helpers/offline.mjs"), BIN, "fetch", name], { cwd: REPO, env: cleanEnv() });
      let stderr = "";
      child.stderr.on("data", (d) => (stderr += d));
      child.stdout.resume();
      child.on("error", reject);
      child.on("close", (code) => resolve({ code, stderr }));
    });
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(new RegExp(`error: cannot download ${name}: .* unreachable \\(offline\\?\\)`));
    expect(res.stderr).toContain(`--dataset ${name} --data PATH --format NAME`);
  }, 60_000);
});
