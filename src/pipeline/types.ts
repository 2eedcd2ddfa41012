// Types of the pipeline and direct arms: options, prompt sets, the guideline corpus and what an arm returns.
import type { CaseRecord, JsonMode, StepId } from "../types.js";

/** One entry of a `--guidelines FILE` corpus (a JSON array of these). */
export interface Guideline {
  id: string;
  specialty: string;
  title: string;
  source: string;
  url?: string;
  text: string;
}

/** A prompt template is addressed by step id, plus `direct` for the direct arm. */
export type PromptId = StepId | "direct";

export interface PromptTemplate {
  /** Template text with `{{variable}}` placeholders. */
  text: string;
  /** True when `--prompts DIR` replaced the built-in template. */
  overridden: boolean;
  /** Where the text came from (for error messages). */
  path: string;
}

export type PromptSet = Record<PromptId, PromptTemplate>;

export interface PipelineOptions {
  jsonMode: JsonMode;
  /** false → the drugs step is skipped. */
  drugs: boolean;
  /** false → the guidelines AND conflicts steps are skipped. */
  guidelines: boolean;
  /** With a corpus, the guidelines step is BM25 retrieval (no model call); null → a model step. */
  guidelinesCorpus: Guideline[] | null;
  prompts: PromptSet;
  /** false → no raw model text in records. */
  raw: boolean;
  /** Upper bound for every call's max_tokens; per-step defaults are clamped to it. */
  maxTokens: number;
}

/** What one arm produced for one case; the runner adds ids, timestamps and wall time. */
export type ArmResult = Pick<
  CaseRecord,
  "outcome" | "answer" | "latency_ms" | "cold_ms" | "tokens" | "calls" | "attempts" | "finish_reason" | "status" | "error_class" | "error" | "raw" | "steps" | "grade" | "failed_steps" | "stream" | "server" | "tokens_estimated"
>;
