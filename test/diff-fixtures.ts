// Synthetic run journals for the diff and merge tests. No MedQA text: stems are generated templates.

import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { RunEvent } from "../src/journal/events.js";
import type { Journal } from "../src/journal/read.js";
import type { Arm, CaseRecord, Letter, Outcome, RunConfig, RunJson, StepId, StepRecord } from "../src/types.js";

const STEMS = [
  "Which of the following is the most likely diagnosis?",
  "Which of the following is the most appropriate next step in management?",
  "Which of the following is the mechanism of action of the drug given?",
  "Which of the following laboratory findings is most likely?",
];

export const hashOf = (i: number): string => i.toString(16).padStart(64, "0");
export const idOf = (i: number, prefix = "synth"): string => `${prefix}-${String(i).padStart(4, "0")}`;

export interface CaseSpec {
  i: number;
  arm?: Arm;
  outcome?: Outcome;
  /** Override the case id (defaults to idOf(i)). */
  id?: string;
  latency?: number;
  /** Per pipeline step latency (ms); a pipeline case gets parse/reason/answer steps by default. */
  stepLatency?: number;
  tokens?: { prompt: number; completion: number };
  meta?: string;
}

export function caseRecord(s: CaseSpec): CaseRecord {
  const arm = s.arm ?? "pipeline";
  const outcome = s.outcome ?? "correct";
  const correct: Letter = (["A", "B", "C", "D"] as const)[s.i % 4]!;
  const wrong: Letter = correct === "A" ? "B" : "A";
  const answer: Letter | null = outcome === "correct" ? correct : outcome === "wrong" ? wrong : null;
  const lat = s.latency ?? 1000 + (s.i % 10) * 100;
  const tokens = s.tokens ?? { prompt: 500, completion: 100 };
  const rec: CaseRecord = {
    v: 1,
    case_id: s.id ?? idOf(s.i),
    content_hash: hashOf(s.i),
    arm,
    outcome,
    answer,
    correct_answer: correct,
    correct_text: `option ${correct}`,
    meta_info: s.meta ?? (s.i % 2 === 0 ? "step1" : "step2&3"),
    stem: `${STEMS[s.i % STEMS.length]!} (synthetic case ${s.i})`,
    latency_ms: lat,
    wall_ms: lat + 10,
    cold_ms: 0,
    tokens,
    calls: arm === "pipeline" ? 3 : 1,
    attempts: arm === "pipeline" ? 3 : 1,
    started_at: new Date(Date.UTC(2025, 0, 1, 0, 0, s.i)).toISOString(),
    finished_at: new Date(Date.UTC(2025, 0, 1, 0, 0, s.i + 1)).toISOString(),
  };
  if (outcome === "error") {
    rec.error_class = "timeout";
    rec.error = "request timed out";
  }
  if (arm === "pipeline") {
    const steps: Partial<Record<StepId, StepRecord>> = {};
    for (const id of ["parse", "reason", "answer"] as const) {
      steps[id] = {
        status: "ok",
        latency_ms: s.stepLatency ?? lat / 3,
        cold_ms: 0,
        prompt_tokens: tokens.prompt / 3,
        completion_tokens: tokens.completion / 3,
        finish_reason: "stop",
        calls: 1,
        attempts: 1,
        parse: "ok",
      };
    }
    rec.steps = steps;
  }
  return rec;
}

export const baseConfig = (over: Partial<RunConfig> = {}): RunConfig => ({
  dataset: "synthetic",
  data_path: "/data/synthetic.jsonl",
  max_cases: 50,
  seed: 42,
  case_ids_file: null,
  shard: null,
  mode: "pipeline",
  concurrency: 4,
  delay_s: 0,
  model: "medgemma-27b",
  temperature: 0,
  max_tokens: 1024,
  request_timeout_s: 60,
  max_retries: 2,
  json_mode: "prompt",
  drugs: true,
  guidelines: true,
  guidelines_file: null,
  prompts_dir: null,
  raw: true,
  ...over,
});

export interface RunSpec {
  run_id?: string;
  config?: Partial<RunConfig>;
  dataset_sha?: string;
  prompts?: Partial<Record<StepId | "direct", string>>;
  cases: CaseRecord[];
  sampled_ids?: string[];
  events?: RunEvent[];
  per_hour?: number;
}

export function makeRun(spec: RunSpec): Journal {
  const prompts: RunJson["prompts"] = {};
  for (const id of ["direct", "parse", "reason", "answer"] as const) prompts[id] = { sha256: spec.prompts?.[id] ?? `${id}-v1`.padEnd(64, "0"), overridden: false };
  const run: RunJson = {
    schema_version: 1,
    run_id: spec.run_id ?? "run-a",
    created_at: "2025-01-01T00:00:00.000Z",
    harness: { version: "0.1.0", git_commit: null, node: "v20.20.0" },
    config: baseConfig(spec.config),
    config_hash: "c".repeat(64),
    dataset: { name: "synthetic", path: "/data/synthetic.jsonl", sha256: spec.dataset_sha ?? "d".repeat(64), n_records: 2000, n_skipped: 0 },
    sampled_ids: spec.sampled_ids ?? [...new Set(spec.cases.map((c) => c.case_id))],
    endpoint: { kind: "emulator", base_url: "http://127.0.0.1:0", model: "medgemma-27b", info: { model_id: "google/medgemma-27b-it", model_sha: "abc123" } },
    prompts,
    cost: { per_hour: spec.per_hour ?? 3.6, per_mtok_in: null, per_mtok_out: null },
  };
  return { dir: `/runs/${run.run_id}`, run, cases: spec.cases, allCaseLines: spec.cases, events: spec.events ?? [], tornCasesLine: false };
}

/** n cases, outcome from a function of the index. */
export function casesOf(n: number, outcome: (i: number) => Outcome, extra: Partial<CaseSpec> = {}): CaseRecord[] {
  return Array.from({ length: n }, (_, i) => caseRecord({ i, outcome: outcome(i), ...extra }));
}

export async function writeRunDir(dir: string, j: Journal): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, "run.json"), JSON.stringify(j.run, null, 2));
  await writeFile(join(dir, "cases.jsonl"), j.allCaseLines.map((c) => JSON.stringify(c) + "\n").join(""));
  await writeFile(join(dir, "events.jsonl"), j.events.map((e) => JSON.stringify(e) + "\n").join(""));
}
