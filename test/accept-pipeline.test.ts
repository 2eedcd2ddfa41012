// Acceptance #3 (the pipeline), end to end: the built CLI against the emulator (embedded, or started here in-process
// and reached with --base-url), asserting on what a user gets on disk: cases.jsonl, run.json, summary.json, junit.xml.
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type EmulatorHandle, type EmulatorStats } from "../src/emulator/server.js";
import { STEP_IDS, type CaseRecord, type RunJson } from "../src/types.js";
import { fillerSentences, outcomeCounts, parseJunit, syntheticCase } from "./fixtures/accept/helpers.js";
import { MEDQA, REPO, cleanEnv, onlyRunDir, readJson, readJsonl, runCli, tempDir, type CliResult } from "./helpers/cli.js";

interface Run {
  res: CliResult;
  dir: string;
  lines: CaseRecord[];
  run: RunJson;
}

const RUN_TIMEOUT_MS = 280_000;

async function run(args: string[]): Promise<Run> {
  const out = tempDir("rv-acc3-");
  const res = await runCli([...args, "--out", out], { env: cleanEnv(), timeoutMs: RUN_TIMEOUT_MS });
  if (res.code !== 0 && res.code !== 4) throw new Error(`run-validation ${args.join(" ")} exited ${res.code}:\n${res.stderr}`);
  const dir = onlyRunDir(out);
  return { res, dir, lines: readJsonl<CaseRecord>(join(dir, "cases.jsonl")), run: readJson<RunJson>(join(dir, "run.json")) };
}

const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");
const BUILTIN_REASON = join(REPO, "src", "pipeline", "steps", "reason", "prompt.md");
/** A distinctive key passed with --api-key: it must never show up in output or files. */
const API_KEY = "hf_acceptTestKeyDoNotEcho_7f3a";

let both: Run;
let override: Run;
let overrideDir: string;
let overrideText: string;
let invalid: Run;
let long: Run;
let longStats: EmulatorStats;
let emulator: EmulatorHandle | undefined;

beforeAll(async () => {
  // One prompt overridden: the built-in reason.md with one word changed.
  overrideDir = tempDir("rv-acc3-prompts-");
  const builtin = readFileSync(BUILTIN_REASON, "utf8");
  overrideText = builtin.replace(/\bdifferential diagnosis\b/, "differential diagnoses");
  expect(overrideText).not.toBe(builtin);
  writeFileSync(join(overrideDir, "reason.md"), overrideText);

  // Three synthetic cases; the middle one's vignette is padded far past 12,288 tokens (~20k words ≈ 28k tokens).
  const dataDir = tempDir("rv-acc3-data-");
  const data = join(dataDir, "synthetic.jsonl");
  const cases = [
    syntheticCase("A 30-year-old man presents with fever and a productive cough for three days. Which of the following is the most likely diagnosis?", "A"),
    syntheticCase(`A 45-year-old woman has chest pain on exertion. ${fillerSentences(20_000)} Which of the following is the best next step in management?`, "B"),
    syntheticCase("A 6-year-old child develops hives and lip swelling minutes after eating peanuts. Which of the following is the most appropriate treatment?", "C"),
  ];
  writeFileSync(data, cases.map((c) => JSON.stringify(c)).join("\n") + "\n");

  emulator = await startEmulator({});
  const medqa = ["--medqa", "--data", MEDQA, "--seed", "42"];
  [both, override, invalid, long] = await Promise.all([
    run([...medqa, "--max-cases", "20", "--mode", "both"]),
    run([...medqa, "--max-cases", "2", "--mode", "both", "--prompts", overrideDir]),
    run([...medqa, "--max-cases", "20", "--mode", "pipeline", "--emulator-invalid-json-rate", "0.2"]),
    // Default --max-error-rate (0): the run completes, writes its reports, and exits 4.
    run(["--data", data, "--mode", "both", "--base-url", emulator.url, "--api-key", API_KEY]),
  ]);
  longStats = emulator.stats();
}, 300_000);

afterAll(async () => {
  await emulator?.close();
});

describe("#3 --medqa --max-cases 20 --seed 42 --mode both (embedded emulator)", () => {
  it("exits 0 with 40 journal lines, 20 per arm, on the 20 sampled cases", () => {
    expect(both.res.code, both.res.stderr).toBe(0);
    expect(both.run.endpoint.kind).toBe("emulator");
    expect(both.run.sampled_ids).toHaveLength(20);
    expect(both.lines).toHaveLength(40);
    for (const arm of ["direct", "pipeline"] as const) {
      const ids = both.lines.filter((l) => l.arm === arm).map((l) => l.case_id);
      expect(ids, arm).toHaveLength(20);
      expect(new Set(ids), arm).toEqual(new Set(both.run.sampled_ids));
    }
  });

  it("every pipeline line has all seven step records with latency_ms and tokens, summing to the case's", () => {
    const pipeline = both.lines.filter((l) => l.arm === "pipeline");
    expect(pipeline).toHaveLength(20);
    for (const l of pipeline) {
      expect(Object.keys(l.steps ?? {}).sort(), l.case_id).toEqual([...STEP_IDS].sort());
      let prompt = 0;
      let completion = 0;
      let calls = 0;
      for (const id of STEP_IDS) {
        const s = l.steps![id]!;
        const where = `${l.case_id} ${id}`;
        expect(s.status, where).toBe("ok"); // no faults, no broken JSON configured
        expect(Number.isFinite(s.latency_ms) && s.latency_ms > 0, `${where} latency_ms ${s.latency_ms}`).toBe(true);
        expect(s.prompt_tokens, where).toBeGreaterThan(0);
        expect(s.completion_tokens, where).toBeGreaterThan(0);
        expect(s.calls, where).toBe(1);
        expect(s.parse, where).toBe("ok");
        prompt += s.prompt_tokens;
        completion += s.completion_tokens;
        calls += s.calls;
      }
      expect(l.tokens, l.case_id).toEqual({ prompt, completion });
      expect(l.calls, l.case_id).toBe(calls);
      expect(["correct", "wrong"]).toContain(l.outcome);
    }
  });

  it("direct lines carry no step records but do carry latency and tokens", () => {
    for (const l of both.lines.filter((x) => x.arm === "direct")) {
      expect(l.steps, l.case_id).toBeUndefined();
      expect(l.latency_ms, l.case_id).toBeGreaterThan(0);
      expect(l.tokens.prompt, l.case_id).toBeGreaterThan(0);
      expect(l.tokens.completion, l.case_id).toBeGreaterThan(0);
    }
  });
});

describe("#3 --prompts DIR overriding one prompt", () => {
  it("changes that step's hash in run.json and nothing else; overridden only there", () => {
    expect(override.res.code, override.res.stderr).toBe(0);
    const base = both.run.prompts;
    const over = override.run.prompts;
    expect(Object.keys(base).sort()).toEqual([...STEP_IDS, "direct"].sort());
    expect(Object.keys(over).sort()).toEqual(Object.keys(base).sort());
    for (const id of Object.keys(base) as (keyof typeof base)[]) {
      if (id === "reason") continue;
      expect(over[id], id).toEqual(base[id]);
      expect(base[id]!.overridden, id).toBe(false);
    }
    expect(base.reason).toEqual({ sha256: sha256(readFileSync(BUILTIN_REASON, "utf8")), overridden: false });
    expect(over.reason).toEqual({ sha256: sha256(overrideText), overridden: true });
    expect(over.reason!.sha256).not.toBe(base.reason!.sha256);
    expect(override.run.config.prompts_dir).toBe(overrideDir);
    const summary = readJson<{ run: { prompts_overridden: string[] } }>(join(override.dir, "summary.json"));
    expect(summary.run.prompts_overridden).toEqual(["reason"]);
  });
});

describe("#3 a vignette past 12,288 tokens (in-process emulator, --base-url)", () => {
  const longId = "synthetic-0001";

  it("exits 4 under the default --max-error-rate 0, still writing the journal and reports", () => {
    expect(long.res.code, long.res.stderr).toBe(4);
    expect(long.res.stderr).toMatch(/2 of 6 unit\(s\) errored/);
    expect(long.res.stderr).toMatch(/--resume /);
    // Reached through --base-url, but the endpoint's /info marks the emulator: labelled as emulator figures.
    expect(long.run.endpoint.kind).toBe("emulator");
    expect(long.run.endpoint.info?.max_input_tokens).toBe(12288);
    expect(long.lines).toHaveLength(6);
  });

  it("the padded case fails input_too_long at its parse step (pipeline) and before sending (direct)", () => {
    const mine = long.lines.filter((l) => l.case_id === longId);
    expect(mine.map((l) => l.arm).sort()).toEqual(["direct", "pipeline"]);
    for (const l of mine) {
      expect(l.outcome, l.arm).toBe("error");
      expect(l.error_class, l.arm).toBe("input_too_long");
      expect(l.attempts, l.arm).toBe(0);
      expect(l.tokens, l.arm).toEqual({ prompt: 0, completion: 0 });
    }
    const steps = mine.find((l) => l.arm === "pipeline")!.steps!;
    expect(steps.parse).toMatchObject({ status: "failed", error_class: "input_too_long", attempts: 0, prompt_tokens: 0 });
    expect(steps.parse!.error).toMatch(/12288/);
    // Degrade rule: the later steps still run on the vignette, and are refused before sending too (no call, no cost);
    // the answer step's failure makes the case an error (infrastructure: the input can never be sent).
    for (const id of STEP_IDS.filter((s) => s !== "parse")) {
      const st = steps[id];
      expect(st?.attempts ?? 0, id).toBe(0);
      if (st?.status === "failed") expect(st.error_class, id).toBe("input_too_long");
    }
    expect(steps.answer).toMatchObject({ status: "failed", error_class: "input_too_long" });
    expect(mine.find((l) => l.arm === "pipeline")!.failed_steps).toContain("parse");
  });

  it("the normal cases run normally on both arms", () => {
    const others = long.lines.filter((l) => l.case_id !== longId);
    expect(others).toHaveLength(4);
    for (const l of others) expect(["correct", "wrong"], `${l.case_id} ${l.arm}`).toContain(l.outcome);
  });

  it("nothing is sent for it: the emulator saw zero 422s and exactly the journal's attempts", () => {
    expect(longStats.status422).toBe(0);
    expect(Object.keys(longStats.requests)).toEqual(["200"]);
    const attempts = long.lines.reduce((n, l) => n + l.attempts, 0);
    expect(attempts).toBe(2 * (1 + STEP_IDS.length)); // two normal cases × (direct + seven pipeline calls)
    expect(longStats.total).toBe(attempts);
  });

  it("the reports count the errors: summary.json outcomes and junit.xml <error type=input_too_long>", () => {
    const summary = readJson<{ arms: { arm: string; outcomes: Record<string, number> }[] }>(join(long.dir, "summary.json"));
    for (const a of summary.arms) expect(a.outcomes, a.arm).toEqual(outcomeCounts(long.lines, a.arm as "direct" | "pipeline"));
    const junit = parseJunit(readFileSync(join(long.dir, "junit.xml"), "utf8"));
    expect(junit.errors).toBe(2);
    expect(junit.cases.filter((c) => c.kind === "error").map((c) => [c.arm, c.name, c.type])).toEqual(
      expect.arrayContaining([
        ["direct", longId, "input_too_long"],
        ["pipeline", longId, "input_too_long"],
      ]),
    );
  });

  it("the --api-key value is never echoed (not in the resume command, stdout, run.json or the journal)", () => {
    expect(long.res.stderr).not.toContain(API_KEY);
    expect(long.res.stdout).not.toContain(API_KEY);
    expect(readFileSync(join(long.dir, "run.json"), "utf8")).not.toContain(API_KEY);
    expect(readFileSync(join(long.dir, "cases.jsonl"), "utf8")).not.toContain(API_KEY);
  });
});

describe("#3 --emulator-invalid-json-rate 0.2 (20 cases, pipeline)", () => {
  const stepRecords = () => invalid.lines.flatMap((l) => STEP_IDS.flatMap((id) => (l.steps?.[id] ? [{ id, case_id: l.case_id, ...l.steps[id]! }] : [])));

  it("completes: 20 lines, exit 0 unless a case errored (then 4, as documented)", () => {
    expect(invalid.lines).toHaveLength(20);
    const errored = invalid.lines.filter((l) => l.outcome === "error").length;
    expect(invalid.res.code, invalid.res.stderr).toBe(errored > 0 ? 4 : 0);
  });

  it("non-ok parse outcomes appear (repaired and/or reasked); failures are parse_failed", () => {
    const steps = stepRecords();
    const model = steps.filter((s) => s.status !== "skipped");
    for (const s of model) expect(["ok", "repaired", "reasked", "failed"], `${s.case_id} ${s.id}`).toContain(s.parse);
    const recovered = model.filter((s) => s.parse === "repaired" || s.parse === "reasked");
    expect(recovered.length).toBeGreaterThan(0);
    for (const s of model.filter((x) => x.parse === "failed")) {
      expect(s.status, `${s.case_id} ${s.id}`).toBe("failed");
      expect(s.error_class, `${s.case_id} ${s.id}`).toBe("parse_failed");
    }
    // A share of 20% broken answers should not leave most steps clean-parsed by accident.
    expect(model.filter((s) => s.parse === "ok").length).toBeLessThan(model.length);
  });

  it("summary.json's parse outcome table matches the journal", () => {
    const summary = readJson<{ arms: { arm: string; parse_outcomes: { step: string; ok: number; repaired: number; reasked: number; failed: number }[] }[] }>(
      join(invalid.dir, "summary.json"),
    );
    const arm = summary.arms.find((a) => a.arm === "pipeline")!;
    const steps = stepRecords();
    for (const row of arm.parse_outcomes) {
      const mine = steps.filter((s) => s.id === row.step);
      for (const k of ["ok", "repaired", "reasked", "failed"] as const) {
        expect(row[k], `${row.step} ${k}`).toBe(mine.filter((s) => s.parse === k).length);
      }
    }
  });

  it("a re-ask is answered with JSON (the emulator keeps the schema of the earlier turn), so `reasked` is reachable", () => {
    // A step re-asks once after an unusable reply (calls === 2); the re-ask's last user turn is the correction
    // request, and the schema sits in the first user turn. The reply (raw) must still be a JSON attempt.
    const reasked = stepRecords().filter((s) => s.calls === 2);
    expect(reasked.length).toBeGreaterThan(0);
    for (const s of reasked) expect(s.raw ?? "", `${s.case_id} ${s.id}: ${s.raw}`).toContain("{");
  });
});
