// The one definition of `summary.json`: the zod schema below; the TypeScript type and the committed JSON Schema
// (`summary.schema.json`, checked by a test) are both derived from it. Bump `schema_version` on any breaking change.
import { EpochsSchema } from "./epochs.js";
import { z } from "zod";
import { GRADE_METHODS, NONE_REASONS } from "../scoring/grading/types.js";

const int = z.number().int().nonnegative();
const num = z.number();
const numOrNull = z.number().nullable();

/** A binomial proportion with its 95% Wilson interval; p/lo/hi are null when n = 0 (no data is not 0%). */
export const ProportionSchema = z.object({ k: int, n: int, p: numOrNull, lo: numOrNull, hi: numOrNull });

/** A distribution (milliseconds or tokens); statistics are null when n = 0. Quantiles are type 7 (R/numpy default). */
export const DistributionSchema = z.object({
  n: int,
  mean: numOrNull,
  p50: numOrNull,
  p90: numOrNull,
  p95: numOrNull,
  p99: numOrNull,
  max: numOrNull,
  min: numOrNull,
  sum: num,
});

export const TokenStatsSchema = z.object({
  n: int,
  prompt_total: int,
  completion_total: int,
  prompt_mean: numOrNull,
  completion_mean: numOrNull,
});

/** A built-in step id or a `--pipeline FILE` step name. */
const StepIdSchema = z.string().min(1);
const ArmSchema = z.enum(["direct", "pipeline"]);

export const StratumSchema = z.object({
  key: z.string(),
  n: int,
  /** correct / n of the stratum (the "all" denominator). */
  accuracy: ProportionSchema,
});

/** Diagnostic metrics over one set of pipeline cases: one denominator n for all three (see scoring/diagnostic). */
export const DxBlockSchema = z.object({ n: int, n_with_report: int, top1: ProportionSchema, top3: ProportionSchema, mentioned: ProportionSchema });

export const ArmSummarySchema = z.object({
  arm: ArmSchema,
  /** Case records of this arm (latest per case). */
  n: int,
  /** Sampled cases with no record yet for this arm (interrupted run). Not in any denominator. */
  n_pending: int,
  accuracy: z.object({
    /** correct / every recorded case: errors and unparseable answers count against. */
    all: ProportionSchema,
    /** correct / (correct + wrong): accuracy on the cases that produced a letter. */
    answered: ProportionSchema,
  }),
  /** Errors are never wrong answers: they have their own count. */
  outcomes: z.object({ correct: int, wrong: int, unparseable: int, error: int }),
  strata: z.object({ question_type: z.array(StratumSchema), usmle_step: z.array(StratumSchema) }),
  /** The benchmark's own strata (MedMCQA choice_type and subject, MMLU subject, …), by field; absent for MedQA. */
  dataset_strata: z.record(z.string(), z.array(StratumSchema)).optional(),
  /**
   * Pipeline only (null for direct), and only where the benchmark's questions ask for a diagnosis (null otherwise,
   * see run.dataset.diagnostic_metrics). The headline is `diagnosis_questions`: most MedQA keys are a drug or an action,
   * not a diagnosis, so matching them against a differential means little. The top-level n/top1/top3/mentioned are
   * over every pipeline case (a secondary line); `by_question_type` has every type in fixed order.
   */
  diagnostic: DxBlockSchema.extend({
    diagnosis_questions: DxBlockSchema,
    by_question_type: z.array(DxBlockSchema.extend({ key: z.string() })),
  }).nullable(),
  latency: z.object({
    /** Active model time per case (cold-start waits excluded). */
    case_ms: DistributionSchema,
    /** Wall time per case (includes queueing, retry back-off and cold waits). */
    wall_ms: DistributionSchema,
    /** Sum of cold-start waits of the arm's cases (excluded from the latency statistics). */
    cold_ms: num,
    /** Arm's cases per minute of the run's wall time (in mode both, the arms share that wall time). */
    throughput_cases_per_min: numOrNull,
    /** Per pipeline step, over cases where the step ran (status ok or failed; skipped steps are left out). */
    steps: z.array(z.object({ step: StepIdSchema, latency_ms: DistributionSchema })),
  }),
  tokens: z.object({
    case: TokenStatsSchema,
    steps: z.array(z.object({ step: StepIdSchema, tokens: TokenStatsSchema })),
    /** Records with a call whose server sent no `usage`: their tokens (and token cost) are the harness's estimates. */
    estimated_records: int.optional(),
  }),
  cost: z.object({
    /** Token-priced cost of the arm, null when no token price is set. */
    tokens_usd: numOrNull,
    /** Endpoint-hours cost; null when several arms share the wall clock (see run-level cost). */
    hourly_usd: numOrNull,
    total_usd: numOrNull,
    per_case_usd: numOrNull,
  }),
  failures: z.object({
    /** Cases whose outcome is error or unparseable, by error class (unparseable without a class → parse_failed). */
    cases: z.record(z.string(), int),
    /** Failed pipeline steps by step and error class (a step can fail while its case still answers). */
    steps: z.array(z.object({ step: StepIdSchema, error_class: z.string(), n: int })),
    /** HTTP retries: sum over cases of (attempts − calls). */
    retries: int,
  }),
  parse_outcomes: z.array(z.object({ step: StepIdSchema, ok: int, repaired: int, reasked: int, failed: int })),
  /** --stream runs: per step ("direct" for the direct arm) TTFT, decode tokens/s and p95 inter-token gap. */
  streaming: z
    .array(z.object({ step: z.string(), n: int, ttft_ms: DistributionSchema, decode_tok_s: DistributionSchema, itl_p95_ms: DistributionSchema }))
    .optional(),
  /**
   * The engine's own split of request time (TGI's x-queue-time / x-inference-time headers, summed over a step's
   * calls) and how generations ended, per pipeline step (direct arm: one row, step "direct"). Queue time is load
   * (waiting for a batch slot); inference time is compute (prefill + decode). `finish_length`: records whose last
   * call ended `length` — cut by max_tokens or the context, the output is likely incomplete.
   */
  server_timing: z
    .array(
      z.object({
        step: z.string(),
        n: int,
        /** Records with timing headers (streamed calls and other engines have none). */
        n_timed: int,
        queue_ms: DistributionSchema,
        inference_ms: DistributionSchema,
        finish_length: ProportionSchema,
      }),
    )
    .optional(),
  /** How the verdicts were reached (scoring/README.md, "Grading"), so a letter bias or a format problem is visible. */
  grading: z.object({
    /** Graded records (every record with a model reply) by extraction method. */
    methods: z.object(Object.fromEntries(GRADE_METHODS.map((m) => [m, int])) as Record<(typeof GRADE_METHODS)[number], typeof int>),
    /** Records graded `none`, by reason. */
    none_reasons: z.object(Object.fromEntries(NONE_REASONS.map((r) => [r, int])) as Record<(typeof NONE_REASONS)[number], typeof int>),
    /** Records with no grade: errors (no model reply), or replies kept without raw text in an old journal. */
    ungraded: int,
    /** finish_reason of the graded reply (direct: the call; pipeline: the answer step), "null" when unknown. */
    finish_reasons: z.record(z.string(), int),
    /** Share of graded replies cut at max_tokens (finish_reason length). */
    truncated: ProportionSchema,
    /** Accuracy (all denominator) by the correct letter, and how often each letter was chosen. */
    by_letter: z.array(z.object({ letter: z.string(), n: int, accuracy: ProportionSchema, chosen: int })),
  }),
  /** Pipeline: cases that went on after an intermediate step failed (degraded), and the failures by step. */
  degraded: z.object({ cases: int, steps: z.record(z.string(), int) }),
  /** Rows: correct letter; columns: chosen letter then "none" (no letter: unparseable or error). */
  answer_matrix: z.object({ letters: z.array(z.string()), columns: z.array(z.string()), counts: z.array(z.array(int)) }),
  /** --epochs K > 1 only: reducers with case-clustered CIs, per-case agreement, Fleiss' κ (report/epochs.ts). */
  epochs: EpochsSchema.optional(),
});

export const SummarySchema = z.object({
  schema_version: z.literal(1),
  generated_at: z.string(),
  run: z.object({
    run_id: z.string(),
    created_at: z.string(),
    harness_version: z.string(),
    git_commit: z.string().nullable(),
    config_hash: z.string(),
    dataset: z.object({
      name: z.string(),
      sha256: z.string(),
      n_records: int,
      n_skipped: int,
      /** Registry benchmark (`--dataset`) and format it was read in; absent for a plain --data file. */
      registry: z.string().optional(),
      format: z.string().optional(),
      /** Fields of the arms' dataset_strata. */
      strata: z.array(z.string()).optional(),
      /** Whether the pipeline's diagnostic metrics are reported (false where the questions ask no diagnosis). */
      diagnostic_metrics: z.boolean().optional(),
    }),
    model: z.string(),
    endpoint: z.object({ kind: z.enum(["emulator", "remote"]), base_url: z.string(), model_id: z.string().nullable() }),
    mode: z.enum(["direct", "pipeline", "both"]),
    seed: z.number(),
    temperature: z.number(),
    json_mode: z.string(),
    n_sampled: int,
    /** Prompt ids whose template was replaced by --prompts. */
    prompts_overridden: z.array(z.string()),
    /** The serving engine (run.json endpoint.engine …); name null for runs made before engines were recorded. */
    engine: z
      .object({
        name: z.enum(["tgi", "vllm", "sglang", "openai"]).nullable(),
        version: z.string().nullable(),
        detected_by: z.string().nullable(),
        limits: z.object({ max_input_tokens: int, max_total_tokens: int }).nullable(),
        stream: z.boolean(),
        notes: z.array(z.string()),
      })
      .optional(),
  }),
  /** True when the figures come from the local emulator, not a model. */
  emulator: z.boolean(),
  journal: z.object({ case_lines: int, superseded_lines: int, torn_cases_line: z.boolean() }),
  time: z.object({
    /** Run wall time (journal/wall-time.ts): union of the sessions' run_start→run_end intervals, else max(finished_at) − min(started_at). */
    wall_time_ms: num,
    wall_time_source: z.enum(["events", "cases", "none"]),
    sessions: int,
    /** Cold-start waits from events (cold_start_end.ms). */
    cold_start_ms: num,
    cold_starts: int,
    throughput_cases_per_min: numOrNull,
  }),
  cost: z.object({
    per_hour: num,
    per_mtok_in: numOrNull,
    per_mtok_out: numOrNull,
    wall_hours: num,
    hourly_usd: num,
    tokens_usd: numOrNull,
    total_usd: num,
    /** total_usd / case records (all arms). */
    per_case_usd: numOrNull,
  }),
  /** `report` re-grades every record from its raw text (scoring/grading/regrade.ts); what changed against the journal. */
  regrade: z.object({
    grader_version: int,
    regraded: int,
    changed: int,
    no_raw: int,
    without_options: int,
    transitions: z.record(z.string(), int),
  }),
  retries: z.object({ events: int, by_class: z.record(z.string(), int) }),
  /** Every change of the concurrency limit; reason/tok_s/latency_ms come from `--concurrency auto`. */
  concurrency: z.array(
    z.object({ t: z.string(), limit: z.number(), reason: z.string().optional(), tok_s: z.number().optional(), latency_ms: z.number().optional() }),
  ),
  /** Endpoint saturation sampled from the engine's /metrics (events.jsonl); source "unavailable" with the reason. */
  saturation: z
    .object({
      source: z.enum(["metrics", "unavailable", "none"]),
      note: z.string().nullable(),
      samples: z.array(z.object({ t: z.string(), queue: numOrNull, running: numOrNull, kv_cache: numOrNull })),
    })
    .optional(),
  /** `--concurrency auto`: the level it settled on (null: still probing at the end) and the last one; null without auto. */
  concurrency_chosen: z.object({ limit: int.nullable(), final: int }).nullable(),
  arms: z.array(ArmSummarySchema),
});

export type Summary = z.infer<typeof SummarySchema>;
export type ArmSummary = z.infer<typeof ArmSummarySchema>;
export type ProportionJson = z.infer<typeof ProportionSchema>;
export type Stratum = z.infer<typeof StratumSchema>;

/** The JSON Schema (draft 2020-12) of summary.json, as committed in summary.schema.json. */
export function summaryJsonSchema(): Record<string, unknown> {
  return { ...z.toJSONSchema(SummarySchema), $id: "medqa-harness/summary.schema.json", title: "medqa-harness summary.json" };
}
