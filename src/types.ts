// Shared types: the contract between the stages of the data flow
// datasets → sampling → pipeline → endpoint → journal → scoring → report/diff.
// Field names of anything written to disk are snake_case (they are the journal's format).
import type { GradeRecord } from "./scoring/grading/types.js";

export const LETTERS = ["A", "B", "C", "D", "E"] as const;
export type Letter = (typeof LETTERS)[number];

/** One multiple-choice case, validated. */
export interface Case {
  /** Stable id: dataset name + zero-padded 0-based line index, e.g. `medqa-us4-test-0042`. */
  id: string;
  /** 0-based index of the record in its source file (data lines, header excluded for CSV). */
  index: number;
  /** 1-based line number in the source file, for error messages. */
  line: number;
  question: string;
  /** Option texts by letter, in letter order (A..D for MedQA, up to E for CSV). */
  options: Partial<Record<Letter, string>>;
  answer_idx: Letter;
  /** The correct option's text. */
  answer: string;
  /** `step1`, `step2&3` or undefined (raw value, see scoring/strata for normalisation). */
  meta_info?: string;
  /** Reading the question needs this text first (PubMedQA: the abstract's labelled sections). */
  context?: string;
  /** Dataset-specific strata of the case, by field (e.g. `{ subject: "anatomy" }`); see the dataset registry. */
  strata?: Record<string, string>;
  /** sha256 (hex) of question + options (+ context when present): pairs cases across runs regardless of position. */
  content_hash: string;
}

export interface Dataset {
  /** Short name used in ids and run folder names, e.g. `medqa-us4-test`. */
  name: string;
  path: string;
  /** sha256 (hex) of the file's bytes. */
  sha256: string;
  /** `jsonl`/`csv` (MedQA-style) or a registry format such as `medmcqa-json`, `mmlu-parquet`. */
  format: string;
  cases: Case[];
  /** Records skipped with --skip-invalid, with the reason for each. */
  skipped: DataIssue[];
  /** Registry benchmark this was loaded as (`medqa`, `medmcqa`, …); absent for a plain `--data` file. */
  registry?: string;
  /** Dataset-specific strata (fields of Case.strata) in report order, each with its fixed keys when it has them. */
  strata?: DatasetStratum[];
  /** False when the pipeline's diagnostic metrics (differential vs the correct option) mean nothing here. */
  diagnostic?: boolean;
  /** What the loader decided and the user should know (e.g. how MedMCQA's cop base was determined). */
  notes?: string[];
  /** Multi-file datasets (MMLU subjects): each file and its sha256; `sha256` is then the hash of this list. */
  files?: Array<{ path: string; sha256: string }>;
}

/** A dataset-specific stratum field, e.g. `{ field: "subject", keys: ["anatomy", …] }`; no keys = the values seen. */
export interface DatasetStratum {
  field: string;
  keys?: string[];
}

export interface DataIssue {
  file: string;
  /** 1-based line (or Parquet row, see `unit`); 0 = the file as a whole. */
  line: number;
  /** What `line` counts: text lines (default) or Parquet rows. */
  unit?: "line" | "row";
  field: string;
  expected: string;
  got?: string;
}

export type Arm = "direct" | "pipeline";
export type Mode = Arm | "both";
export type Outcome = "correct" | "wrong" | "unparseable" | "error";

/** Why a call or a case failed; the report counts failures by these classes. */
export type ErrorClass =
  | "timeout"
  | "overloaded"
  | "server_error"
  | "generation_error"
  | "connection"
  | "input_too_long"
  | "validation"
  | "parse_failed"
  | "auth"
  | "cold_start_timeout"
  /** The Inference Endpoint is paused (its proxy answers 400 "Bad Request: Invalid state"): stops the run. */
  | "paused"
  /** The case ran past --case-timeout (all its calls, retries and waits together). */
  | "case_timeout"
  | "cancelled"
  | "unknown";

export const STEP_IDS = ["parse", "reason", "drugs", "guidelines", "conflicts", "synthesize", "answer"] as const;
export type StepId = (typeof STEP_IDS)[number];

export type JsonMode = "prompt" | "grammar";
export type ParseOutcome = "ok" | "repaired" | "reasked" | "failed";

export interface TokenUsage {
  prompt: number;
  completion: number;
}

/** What one logical model call cost, retries included. */
export interface CallStats {
  latency_ms: number;
  /** Time spent waiting for a cold endpoint, excluded from latency statistics. */
  cold_ms: number;
  tokens: TokenUsage;
  /** The server sent no `usage`: `tokens` are the harness's own estimate (tokenizer/estimate.ts), not a count. */
  tokens_estimated?: boolean;
  finish_reason: string | null;
  /** HTTP attempts made (1 = no retry). */
  attempts: number;
  /** HTTP status of the last failed attempt, if any. */
  status?: number;
  /** --stream: timings of the successful attempt (gaps kept in memory to merge a step's calls). */
  stream?: StreamStats & { gaps_ms: number[] };
  /** TGI's timing headers of the successful attempt (absent when the engine sends none, e.g. streamed). */
  server?: ServerTiming;
}

/**
 * TGI's own split of a request's time (headers x-validation-time, x-queue-time, x-inference-time,
 * x-time-per-token; ms): queueing is load, inference is compute. Summed over a step's calls.
 */
export interface ServerTiming {
  validation_ms: number;
  queue_ms: number;
  inference_ms: number;
  /** Mean over the calls that had it. */
  time_per_token_ms: number;
}

/**
 * Streaming timings (--stream) of one call, or of one step's calls together. TTFT is request sent → first
 * content chunk of the successful attempt; decode rate is tokens after the first over first → last chunk.
 */
export interface StreamStats {
  ttft_ms: number;
  /** Completion tokens after the first one, and the time they took (first → last content chunk). */
  decode_tokens: number;
  decode_ms: number;
  /** decode_tokens / decode_ms in tokens per second; null when fewer than two chunks carried content. */
  decode_tok_s: number | null;
  /** Gaps between consecutive content chunks (inter-token latency), ms. */
  itl_ms: { n: number; p50: number | null; p95: number | null; max: number | null };
  /** Content chunks received. */
  chunks: number;
}

export interface StepRecord {
  status: "ok" | "failed" | "skipped";
  latency_ms: number;
  cold_ms: number;
  prompt_tokens: number;
  completion_tokens: number;
  finish_reason: string | null;
  /** Model calls made by this step (re-asks count), 0 for a retrieval step. */
  calls: number;
  /** HTTP attempts over all calls. */
  attempts: number;
  parse: ParseOutcome | "n/a";
  /** Some call of the step got no `usage` from the server: its token figures are estimates. */
  tokens_estimated?: boolean;
  error_class?: ErrorClass;
  error?: string;
  /** The step's raw model output (omitted with --no-raw). */
  raw?: string;
  /** The step's parsed, schema-valid output. */
  output?: unknown;
  /** --stream: TTFT of the step's first call, decode rate and gaps over all its calls. */
  stream?: StreamStats;
  /** TGI's timing headers summed over the step's calls (validation, queue, inference; time per token averaged). */
  server?: ServerTiming;
}

/** One line of `cases.jsonl`: one case through one arm. */
export interface CaseRecord {
  v: 1;
  case_id: string;
  /** --epochs K > 1: which repetition (0-based) this record is; absent means 0. */
  epoch?: number;
  /** --epochs K > 1: the sampling seed this epoch sent to the engine. */
  sample_seed?: number;
  content_hash: string;
  arm: Arm;
  outcome: Outcome;
  answer: Letter | null;
  correct_answer: Letter;
  /** Correct option text (for diagnostic matching, reports). */
  correct_text: string;
  /** Raw meta_info (USMLE step) of the case. */
  meta_info?: string;
  /** The case's dataset-specific strata (Case.strata), so reports regenerate them from the journal. */
  strata?: Record<string, string>;
  /** The question's final sentence (the stem), for classification and flip listings. */
  stem: string;
  /** Sum of active call latency for the case, cold-start waits excluded. */
  latency_ms: number;
  /** Wall time from case start to finish (includes waits). */
  wall_ms: number;
  cold_ms: number;
  tokens: TokenUsage;
  /** Some call of the case got no `usage` from the server: `tokens` are partly the harness's estimate. */
  tokens_estimated?: boolean;
  calls: number;
  attempts: number;
  /** Direct arm: the call's finish_reason (`stop`, `length`, `stop_sequence`); per step in `steps` otherwise. */
  finish_reason?: string | null;
  /** HTTP status of the last failed attempt, when the case failed at the endpoint. */
  status?: number;
  error_class?: ErrorClass;
  error?: string;
  /** Direct arm: raw response text (omitted with --no-raw). */
  raw?: string;
  /** Pipeline arm: one record per step id (a `--pipeline FILE` run: per step name of the file). */
  steps?: Record<string, StepRecord>;
  /**
   * How the answer was graded (scoring/grading): method, none-reason, rule and the text it rests on. Absent on
   * `error` records (no model response) and on records written before the grader existed.
   */
  grade?: GradeRecord;
  /** The case's option texts by letter, so `report` can re-grade the raw text without the dataset. */
  options?: Partial<Record<Letter, string>>;
  /** Pipeline arm: intermediate steps that failed; the case went on without their output (degraded). */
  failed_steps?: Array<StepId | (string & {})>;
  /** Direct arm with --stream: the call's streaming timings. */
  stream?: StreamStats;
  /** Direct arm: TGI's timing headers of the call. */
  server?: ServerTiming;
  started_at: string;
  finished_at: string;
}

export interface EndpointInfo {
  model_id?: string;
  model_sha?: string | null;
  max_input_tokens?: number;
  max_total_tokens?: number;
  max_concurrent_requests?: number;
  version?: string;
  [k: string]: unknown;
}

/** Resolved configuration that determines results; hashed for --resume and shown by diff. */
export interface RunConfig {
  dataset: string;
  data_path: string;
  /** The sha256 the data must have when it is a known copy (the shipped or cached MedQA), checked on every load. */
  data_sha256?: string | null;
  /** Registry benchmark (`--dataset`), local file format (`--format`), MMLU subjects, split (PubMedQA `test`). */
  registry?: string | null;
  format?: string | null;
  subjects?: string[] | null;
  split?: string | null;
  /** The split's id file (PubMedQA test_ground_truth.json), when not the one beside the data. */
  split_file?: string | null;
  max_cases: number | null;
  seed: number;
  case_ids_file: string | null;
  shard: { k: number; n: number } | null;
  mode: Mode;
  /** Cases in flight; with concurrency_auto, the ceiling of the search. */
  concurrency: number;
  /** `--concurrency auto`: the level is found by probing (endpoint/auto-concurrency.ts). */
  concurrency_auto?: boolean;
  delay_s: number;
  model: string;
  temperature: number;
  max_tokens: number;
  request_timeout_s: number;
  max_retries: number;
  json_mode: JsonMode;
  drugs: boolean;
  guidelines: boolean;
  guidelines_file: string | null;
  prompts_dir: string | null;
  /** --pipeline FILE: the pipeline arm runs this file's steps (run.json `pipeline` records its hashes). */
  pipeline_file?: string | null;
  raw: boolean;
  /** --epochs K: each sampled case runs K times per arm (absent = 1); result-determining when > 1. */
  epochs?: number;
  /** --reducer: how reports combine a case's epochs (report-time only, not in the config hash). */
  reducers?: Array<"majority" | "mean" | "any" | "all">;
}

export interface RunJson {
  schema_version: 1;
  run_id: string;
  created_at: string;
  harness: { version: string; git_commit: string | null; node: string };
  config: RunConfig;
  /** sha256 over the result-determining parts (see journal/config-hash). */
  config_hash: string;
  dataset: {
    name: string;
    path: string;
    sha256: string;
    n_records: number;
    n_skipped: number;
    /** Registry benchmark, format, dataset-specific strata fields, diagnostic-metric relevance, loader notes. */
    registry?: string;
    format?: string;
    strata?: DatasetStratum[];
    diagnostic?: boolean;
    notes?: string[];
  };
  sampled_ids: string[];
  endpoint: RunEndpoint;
  /** Per step id: the prompt template's sha256 and whether --prompts overrode it. */
  prompts: Partial<Record<StepId | "direct", { sha256: string; overridden: boolean }>>;
  /** --pipeline FILE: the file's sha256 and, per step (in file order), what determines its requests. */
  pipeline?: RunPipeline;
  /** Pricing used by reports (not result-determining, so not in config_hash). */
  cost: CostSettings;
  /**
   * Every run flag's effective value by name (kebab-case; no secrets, paths resolved), so `--resume DIR` alone can
   * continue the run. Not hashed: the result-determining parts are compared through config_hash.
   */
  flags?: Record<string, unknown>;
}

export interface RunPipeline {
  file: string;
  sha256: string;
  answer: string;
  /** The step whose `differential` the diagnostic section scores (absent: no such step, no section). */
  differential?: string;
  steps: Array<{
    name: string;
    prompt_sha256: string | null;
    schema: string | null;
    schema_sha256: string | null;
    temperature: number | null;
    max_tokens: number | null;
    json_mode: JsonMode | null;
    /** As written: a name, or {as, from, view?}. */
    inputs: Array<string | { as: string; from: string | Record<string, string>; view?: string }>;
    on_failure: "degrade" | "skip" | "fail";
    /** corpus_sha256 null with corpus "--guidelines-file": the run's corpus (config guidelines_file). */
    retrieval: { corpus_sha256: string | null; top_k: number; corpus?: string; use?: "output"; query?: string[] } | null;
    stand_in?: string;
    requires?: string[];
    skipped_by?: string;
  }>;
}

/** run.json `endpoint`: where the run went and which serving engine answered (absent in runs before engines). */
export interface RunEndpoint {
  kind: "emulator" | "remote";
  base_url: string;
  /** The model id sent with every request. */
  model: string;
  /** The engine's own info document(s): TGI /info, vLLM /version + /v1/models, SGLang /get_model_info + /get_server_info. */
  info: EndpointInfo | null;
  /** When `info` was read: at start, once the endpoint was warm (it was cold at start), or never. */
  info_read?: "start" | "after_warm" | "never";
  engine?: "tgi" | "vllm" | "sglang" | "openai";
  engine_version?: string | null;
  /** How the engine was settled: "auto: GET /info (…)" or "--engine vllm (…)". */
  detected_by?: string;
  /** Limits requests were preflighted against; null = unknown (no preflight). */
  limits?: { max_input_tokens: number; max_total_tokens: number } | null;
  limits_source?: "engine" | "flags" | "default" | "unknown";
  /** --stream: every call was streamed. */
  stream?: boolean;
  /** What the user should know about this engine for this run (limits unknown, model id replaced, …). */
  notes?: string[];
  /** The once-per-run check of the preflight against the engine's counting route (endpoint/tokenize-check.ts). */
  tokenize_check?: import("./endpoint/tokenize-check.js").TokenizeCheck | null;
}

/** Cost model: endpoint hours (wall time × hourly price) and/or per-million-token prices. */
export interface CostSettings {
  per_hour: number;
  per_mtok_in: number | null;
  per_mtok_out: number | null;
}
