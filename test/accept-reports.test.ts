// Acceptance #4 (reports), end to end: one 50-case --mode both run of the built CLI on the embedded emulator, then
// every output checked the way a consumer would read it (ajv, a JUnit XML parser, a CSV parser, headless Chromium).
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { parse as parseCsv } from "csv-parse/sync";
import { beforeAll, describe, expect, it } from "vitest";
import type { CaseRecord, RunJson } from "../src/types.js";
import { outcomeCounts, parseJunit } from "./fixtures/accept/helpers.js";
import { MEDQA, REPO, cleanEnv, onlyRunDir, readJson, readJsonl, runCli, tempDir, type CliResult } from "./helpers/cli.js";

const SCHEMA_PATH = join(REPO, "src", "report", "summary.schema.json");
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const CHECK_SCRIPT = join(REPO, "scripts", "check-report-html.mjs");

let res: CliResult;
let dir: string;
let lines: CaseRecord[];
let runJson: RunJson;
/** The files as the run wrote them, before `report` regenerates them. */
const original: Record<string, string> = {};

beforeAll(async () => {
  const out = tempDir("rv-acc4-");
  res = await runCli(["--medqa", "--data", MEDQA, "--max-cases", "50", "--seed", "42", "--mode", "both", "--out", out], {
    env: cleanEnv(),
    timeoutMs: 280_000,
  });
  if (res.code !== 0) throw new Error(`run exited ${res.code}:\n${res.stderr}`);
  dir = onlyRunDir(out);
  lines = readJsonl<CaseRecord>(join(dir, "cases.jsonl"));
  runJson = readJson<RunJson>(join(dir, "run.json"));
  for (const f of ["summary.json", "summary.md", "report.html", "junit.xml", "cases.csv"]) original[f] = readFileSync(join(dir, f), "utf8");
}, 300_000);

describe("#4 a 50-case --mode both run writes every report", () => {
  it("writes cases.jsonl (100 lines), summary.json, summary.md, report.html, junit.xml and cases.csv", () => {
    for (const f of ["run.json", "cases.jsonl", "summary.json", "summary.md", "report.html", "junit.xml", "cases.csv"]) {
      expect(existsSync(join(dir, f)), f).toBe(true);
    }
    expect(lines).toHaveLength(100);
    expect(runJson.sampled_ids).toHaveLength(50);
    expect(original["summary.md"]!.length).toBeGreaterThan(0);
    expect(original["report.html"]).toMatch(/^<!DOCTYPE html>/i);
  });

  it("summary.json validates against the committed JSON Schema (ajv, draft 2020-12) and matches the journal", () => {
    const schema = readJson<Record<string, unknown>>(SCHEMA_PATH);
    expect(schema["$schema"]).toBe("https://json-schema.org/draft/2020-12/schema");
    const validate = new Ajv2020({ strict: false, allErrors: true }).compile(schema);
    const summary = JSON.parse(original["summary.json"]!) as {
      run: { run_id: string; n_sampled: number; mode: string };
      journal: { case_lines: number };
      arms: { arm: string; n: number; outcomes: Record<string, number> }[];
    };
    expect(validate(summary), JSON.stringify(validate.errors, null, 2)).toBe(true);
    expect(summary.run.run_id).toBe(runJson.run_id);
    expect(summary.run.n_sampled).toBe(50);
    expect(summary.run.mode).toBe("both");
    expect(summary.journal.case_lines).toBe(100);
    expect(summary.arms.map((a) => a.arm).sort()).toEqual(["direct", "pipeline"]);
    for (const a of summary.arms) {
      expect(a.n, a.arm).toBe(50);
      expect(a.outcomes, a.arm).toEqual(outcomeCounts(lines, a.arm as "direct" | "pipeline"));
    }
  });

  it("junit.xml parses as JUnit: one testcase per case and arm, failure/error counts match the journal", () => {
    const junit = parseJunit(original["junit.xml"]!);
    expect(junit.tests).toBe(100);
    expect(junit.cases).toHaveLength(100);
    const key = (arm: string, id: string) => `${arm}/${id}`;
    expect(new Set(junit.cases.map((c) => key(c.arm, c.name)))).toEqual(new Set(lines.map((l) => key(l.arm, l.case_id))));
    const all = outcomeCounts(lines);
    expect(junit.failures).toBe(all.wrong + all.unparseable);
    expect(junit.errors).toBe(all.error);
    expect(junit.cases.filter((c) => c.kind === "failure")).toHaveLength(junit.failures);
    expect(junit.cases.filter((c) => c.kind === "error")).toHaveLength(junit.errors);
    for (const s of junit.suites) {
      const o = outcomeCounts(lines, s.name as "direct" | "pipeline");
      expect(s, s.name).toEqual({ name: s.name, tests: 50, failures: o.wrong + o.unparseable, errors: o.error });
    }
    // Each testcase's verdict is its journal line's outcome.
    const byKey = new Map(lines.map((l) => [key(l.arm, l.case_id), l]));
    for (const c of junit.cases) {
      const l = byKey.get(key(c.arm, c.name))!;
      const expected = l.outcome === "correct" ? "pass" : l.outcome === "error" ? "error" : "failure";
      expect(c.kind, key(c.arm, c.name)).toBe(expected);
      expect(c.classname.startsWith(`${c.arm}.`), c.classname).toBe(true);
    }
  });

  it("cases.csv parses with a header and 100 data rows, one per journal line", () => {
    const rows = parseCsv(original["cases.csv"]!, { columns: true, skip_empty_lines: true }) as Record<string, string>[];
    expect(rows).toHaveLength(100);
    for (const col of ["case_id", "arm", "outcome", "answer", "correct_answer", "latency_ms", "prompt_tokens", "completion_tokens"]) {
      expect(Object.keys(rows[0]!), col).toContain(col);
    }
    const fromCsv = rows.map((r) => `${r.arm}/${r.case_id}/${r.outcome}/${r.answer}`).sort();
    const fromJournal = lines.map((l) => `${l.arm}/${l.case_id}/${l.outcome}/${l.answer ?? ""}`).sort();
    expect(fromCsv).toEqual(fromJournal);
  });
});

describe("#4 run-validation report RUN_DIR", () => {
  it("reproduces summary.json (equal once generated_at is removed) and the other reports", async () => {
    const r = await runCli(["report", dir], { env: cleanEnv() });
    expect(r.code, r.stderr).toBe(0);
    const strip = (text: string) => {
      const { generated_at: _g, ...rest } = JSON.parse(text) as Record<string, unknown>;
      return rest;
    };
    const regenerated = readFileSync(join(dir, "summary.json"), "utf8");
    expect(JSON.parse(regenerated).generated_at).toEqual(expect.any(String));
    expect(strip(regenerated)).toEqual(strip(original["summary.json"]!));
    // Nothing in these depends on the clock.
    expect(readFileSync(join(dir, "junit.xml"), "utf8")).toBe(original["junit.xml"]);
    expect(readFileSync(join(dir, "cases.csv"), "utf8")).toBe(original["cases.csv"]);
  });
});

describe("#4 report.html in headless Chromium", () => {
  it.skipIf(!existsSync(CHROMIUM) || !existsSync(CHECK_SCRIPT))(
    `loads with no console error and no network request (scripts/check-report-html.mjs; skipped without ${CHROMIUM})`,
    async () => {
      const r = await new Promise<{ code: number | null; out: string }>((resolve, reject) => {
        const child = spawn(process.execPath, [CHECK_SCRIPT, join(dir, "report.html")], { env: { ...process.env, CHROMIUM } });
        let out = "";
        child.stdout.on("data", (d) => (out += d));
        child.stderr.on("data", (d) => (out += d));
        child.on("error", reject);
        child.on("close", (code) => resolve({ code, out }));
      });
      expect(r.code, r.out).toBe(0);
      expect(r.out).toMatch(/check-report-html: ok/);
    },
    120_000,
  );
});
