// #18 acceptance: the built-in pipeline reproduces today's requests exactly. A recording ModelClient captures every
// request (messages, temperature, max_tokens, response_format, seed, tag) of 20 MedQA cases (plus 3 synthetic odd
// corners) through the pipeline arm, across the variants that change requests, and the direct arm; the sha256 of
// each request, and of each case's result (grader bookkeeping aside), is compared with the golden fixture recorded before the built-in
// pipeline became a pipeline file (the commit that added the fixture names the code it was recorded on).
//
// Replies are deterministic functions of the request: the emulator's composeAnswer (schema-valid JSON, some broken
// on purpose), plus endpoint failures, prose and empty replies chosen by hash, so the degrade paths (stand-ins,
// skipped conflicts, re-asks, failed steps) are exercised too. MEDQA text never leaves the test: only hashes are kept.
//
// Regenerate (only when a request change is intended): RECORD_GOLDEN=1 npx vitest run test/pipeline-recording.test.ts
import { execSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadDataset } from "../src/datasets/load.js";
import { composeAnswer } from "../src/emulator/answer.js";
import { EndpointError, type ChatRequest, type ChatResult, type ModelClient } from "../src/endpoint/types.js";
import { loadPromptSet } from "../src/pipeline/prompts.js";
import { runDirect, runPipeline } from "../src/pipeline/run.js";
import type { ArmResult, Guideline, PipelineOptions } from "../src/pipeline/types.js";
import { STEP_IDS, type Case } from "../src/types.js";
import { MEDQA } from "./helpers/cli.js";

const GOLDEN = join(import.meta.dirname, "fixtures", "pipeline-recording", "golden.json");
const RECORD = process.env.RECORD_GOLDEN === "1";

const sha = (s: string) => createHash("sha256").update(s, "utf8").digest("hex");
const unit = (s: string) => parseInt(sha(s).slice(0, 8), 16) / 0x1_0000_0000;

/** What goes over the wire from a ChatRequest (the client adds model and stream fields, the same for every step). */
function requestHash(r: ChatRequest): string {
  return sha(JSON.stringify({ messages: r.messages, temperature: r.temperature, max_tokens: r.max_tokens, response_format: r.response_format, seed: r.seed, tag: r.tag }));
}

/**
 * A case result as the pipeline determines it: everything but the grader's own bookkeeping (`grade`: method, rule,
 * grader version), which the grading work changes on its own schedule. Outcomes and letters stay in.
 */
function resultHash(r: ArmResult): string {
  const { grade: _grade, ...rest } = r;
  return sha(JSON.stringify(rest));
}

interface Recorded {
  caseIndex: number;
  step: string;
  seq: number;
  hash: string;
}

/** Replies by request hash: 12% endpoint failure, 10% prose, 3% empty, else the emulator's answer (25% JSON broken). */
function recordingClient(sink: Recorded[], caseIndex: () => number): ModelClient {
  return {
    chat: async (req: ChatRequest): Promise<ChatResult> => {
      const hash = requestHash(req);
      sink.push({ caseIndex: caseIndex(), step: req.tag?.step ?? "?", seq: sink.length, hash });
      await Promise.resolve();
      const u = unit(hash);
      const stats = { latency_ms: 10, cold_ms: 0, tokens: { prompt: 100, completion: 20 }, finish_reason: "stop", attempts: 1 };
      if (u < 0.12) throw new EndpointError("500 from the recording client", "server_error", { ...stats, attempts: 3 });
      if (u < 0.22) return { ...stats, text: "I would need to examine the patient before committing to any structured output." };
      if (u < 0.25) return { ...stats, text: "" };
      const grammar = req.response_format?.value;
      const a = composeAnswer({ messages: req.messages, ...(grammar ? { grammar } : {}) }, { invalidJsonRate: 0.25 });
      return { ...stats, text: a.text, finish_reason: a.finishReason };
    },
  };
}

/** Odd corners MedQA lacks (synthetic text): a context case (PubMedQA-style), five options, a stem-only question. */
const SYNTHETIC: Case[] = [
  {
    id: "syn-context",
    index: 0,
    line: 1,
    context: "A cohort of 120 adults with community-acquired pneumonia received early antibiotics; mortality fell.",
    question: "Does early antibiotic therapy reduce mortality in community-acquired pneumonia?",
    options: { A: "yes", B: "no", C: "maybe" },
    answer_idx: "A",
    answer: "yes",
    content_hash: "1".repeat(64),
  },
  {
    id: "syn-five",
    index: 1,
    line: 2,
    question:
      "A 61-year-old man on warfarin and amiodarone has an INR of 6.2 and gum bleeding. He is allergic to penicillin. " +
      "Which of the following is the most appropriate next step?",
    options: { A: "Continue warfarin", B: "Hold warfarin and give oral vitamin K", C: "Start heparin", D: "Give platelets", E: "Stop amiodarone only" },
    answer_idx: "B",
    answer: "Hold warfarin and give oral vitamin K",
    content_hash: "2".repeat(64),
  },
  {
    id: "syn-stem-only",
    index: 2,
    line: 3,
    question: "Which of the following enzymes is deficient in classic phenylketonuria?",
    options: { A: "Phenylalanine hydroxylase", B: "Tyrosinase", C: "Homogentisate oxidase", D: "Fumarylacetoacetase" },
    answer_idx: "A",
    answer: "Phenylalanine hydroxylase",
    content_hash: "3".repeat(64),
  },
];

/** A small corpus written for this test (not any guideline's text). */
const CORPUS: Guideline[] = [
  ["pna", "infectious disease", "Community-acquired pneumonia", "Start empiric antibiotics promptly; obtain cultures in severe disease."],
  ["uti", "infectious disease", "Urinary tract infection and pyelonephritis", "Obtain urine culture; treat fever and flank pain with antibiotics."],
  ["mi", "cardiology", "Acute myocardial infarction", "Give aspirin, obtain an ECG within ten minutes, consider reperfusion."],
  ["hf", "cardiology", "Heart failure", "Beta blocker and ACE inhibitor for reduced ejection fraction; monitor potassium."],
  ["dm", "endocrinology", "Diabetes mellitus type 2", "Metformin first line; check renal function and HbA1c."],
  ["anemia", "hematology", "Anemia evaluation", "Check ferritin, reticulocytes and a peripheral smear."],
  ["preg", "obstetrics", "Hypertension in pregnancy", "Labetalol or nifedipine; magnesium for severe features."],
  ["peds", "pediatrics", "Fever in infants", "Blood and urine cultures in infants younger than 60 days."],
].map(([id, specialty, title, text]) => ({ id: id!, specialty: specialty!, title: title!, source: `TEST-${id}`, ...(id === "mi" ? { url: "https://example.org/mi" } : {}), text: text! }));

/** Overrides a user might write (this test's own text), for three steps and the direct arm. */
function overrideDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "rv-rec-prompts-"));
  writeFileSync(join(dir, "reason.md"), "List the likely diagnoses for this patient, most likely first.\n\nProfile:\n{{profile}}\n");
  writeFileSync(join(dir, "drugs.md"), "Medication check for {{profile_summary}}.\nTaking: {{medications}}\nAllergies: {{allergies}}\n");
  writeFileSync(join(dir, "answer.md"), "Background:\n{{report}}\n\n{{question}}\n\n{{options}}\n\nPick one option.\n");
  writeFileSync(join(dir, "direct.md"), "{{question}}\n{{options}}\nEnd with 'Answer: <letter>'.\n");
  return dir;
}

async function loadCases(): Promise<Case[]> {
  const ds = await loadDataset(MEDQA);
  // Spread over the file; fixed indices so the golden does not depend on the sampler.
  const medqa = Array.from({ length: 20 }, (_, i) => ds.cases[i * 63]!);
  return [...medqa, ...SYNTHETIC];
}

interface Variant {
  name: string;
  arm: "pipeline" | "direct";
  opts: (base: PipelineOptions) => PipelineOptions;
}

const VARIANTS: Variant[] = [
  { name: "pipeline json-mode prompt", arm: "pipeline", opts: (b) => b },
  { name: "pipeline json-mode grammar", arm: "pipeline", opts: (b) => ({ ...b, jsonMode: "grammar" }) },
  { name: "pipeline --prompts override", arm: "pipeline", opts: (b) => ({ ...b, prompts: loadPromptSet(overrideDir()) }) },
  { name: "pipeline --guidelines-file", arm: "pipeline", opts: (b) => ({ ...b, guidelinesCorpus: CORPUS }) },
  { name: "pipeline --guidelines-file grammar", arm: "pipeline", opts: (b) => ({ ...b, guidelinesCorpus: CORPUS, jsonMode: "grammar" }) },
  { name: "pipeline --no-drugs", arm: "pipeline", opts: (b) => ({ ...b, drugs: false }) },
  { name: "pipeline --no-guidelines", arm: "pipeline", opts: (b) => ({ ...b, guidelines: false }) },
  { name: "pipeline --max-tokens 700", arm: "pipeline", opts: (b) => ({ ...b, maxTokens: 700 }) },
  { name: "direct", arm: "direct", opts: (b) => b },
  { name: "direct --prompts override", arm: "direct", opts: (b) => ({ ...b, prompts: loadPromptSet(overrideDir()) }) },
];

interface GoldenVariant {
  count: number;
  requests: string[];
  results: string[];
}

async function record(v: Variant, cases: Case[]): Promise<GoldenVariant & { arms: ArmResult[] }> {
  const base: PipelineOptions = { jsonMode: "prompt", drugs: true, guidelines: true, guidelinesCorpus: null, prompts: loadPromptSet(null), raw: true, maxTokens: 4096 };
  const opts = v.opts(base);
  const sink: Recorded[] = [];
  let current = 0;
  const client = recordingClient(sink, () => current);
  const results: string[] = [];
  const arms: ArmResult[] = [];
  for (const [i, c] of cases.entries()) {
    current = i;
    const r = v.arm === "direct" ? await runDirect(c, client, opts) : await runPipeline(c, client, opts);
    arms.push(r);
    results.push(resultHash(r));
  }
  // Cases run one at a time; within a case, steps in pipeline order (drugs ∥ guidelines interleave by timing only).
  const order = (s: string) => (STEP_IDS as readonly string[]).indexOf(s);
  sink.sort((a, b) => a.caseIndex - b.caseIndex || order(a.step) - order(b.step) || a.seq - b.seq);
  return { count: sink.length, requests: sink.map((r) => r.hash), results, arms };
}

describe("built-in pipeline: requests byte-identical to the recording (#18)", async () => {
  const cases = await loadCases();
  const golden: Record<string, GoldenVariant> = existsSync(GOLDEN) ? (JSON.parse(readFileSync(GOLDEN, "utf8")) as { variants: Record<string, GoldenVariant> }).variants : {};
  const recorded: Record<string, GoldenVariant> = {};

  it.each(VARIANTS.map((v) => [v.name, v] as const))("%s: same requests, in order, and same case results", async (name, v) => {
    const got = await record(v, cases);
    recorded[name] = { count: got.count, requests: got.requests, results: got.results };
    if (RECORD) return;
    const want = golden[name];
    expect(want, `no golden for "${name}" (RECORD_GOLDEN=1 to record)`).toBeDefined();
    expect(got.count).toBe(want!.count);
    expect(got.requests).toEqual(want!.requests);
    expect(got.results).toEqual(want!.results);
  });

  it("the recording exercises every step and the degrade paths", async () => {
    const v = await record(VARIANTS[0]!, cases);
    // Over 23 cases × up to 7 steps, with re-asks: more requests than steps alone would give.
    expect(v.count).toBeGreaterThan(23 * 6);
    const steps = v.arms.map((a) => a.steps!);
    const some = (f: (s: NonNullable<ArmResult["steps"]>) => boolean) => steps.filter(f).length;
    expect(some((s) => s.parse!.status === "failed"), "a parse stand-in").toBeGreaterThan(0);
    expect(some((s) => s.reason!.status === "failed"), "no differential").toBeGreaterThan(0);
    expect(some((s) => s.guidelines!.status === "failed" && s.conflicts!.status === "skipped"), "conflicts skipped").toBeGreaterThan(0);
    expect(some((s) => s.synthesize!.status === "failed"), "a report assembled without synthesis").toBeGreaterThan(0);
    expect(some((s) => Object.values(s).some((r) => r.parse === "reasked")), "a re-ask").toBeGreaterThan(0);
    expect(new Set(v.arms.map((a) => a.outcome)).size, "more than one outcome").toBeGreaterThan(1);
    if (RECORD) {
      const commit = execSync("git rev-parse --short HEAD", { encoding: "utf8" }).trim();
      const note = `recorded on the tree of ${commit}: sha256 per request (in order) and per case result; see test/pipeline-recording.test.ts`;
      writeFileSync(GOLDEN, JSON.stringify({ note, variants: recorded }, null, 1) + "\n");
    }
  });
});
