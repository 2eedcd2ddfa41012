// Emulator configuration: everything a test or benchmark can tune, all changeable at run time.
import type { ChatMessage } from "../endpoint/types.js";
import { A100_MEDGEMMA_27B, type GpuModel } from "./latency.js";
import type { ResponseStyle } from "./styles.js";

export const FAULT_KINDS = ["500", "502", "504", "424", "reset", "stall", "truncated", "invalid_json"] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export type LatencyProfile = "none" | "a100";

/** Counts prompt tokens of the Gemma-3-rendered chat (what TGI validates against max_input_tokens). */
export type TokenCounter = (messages: ChatMessage[]) => number | Promise<number>;

/** The serving engine the emulator plays (its routes, request validation, answer and error shapes). */
export const EMULATED_ENGINES = ["tgi", "vllm", "sglang"] as const;
export type EmulatedEngine = (typeof EMULATED_ENGINES)[number];

export interface EmulatorOptions {
  /** Which engine's wire behaviour to serve (fixed at start). Default "tgi". */
  engine: EmulatedEngine;
  /** TCP port on 127.0.0.1; 0 = ephemeral. */
  port: number;
  /** Emulated seconds per real second (1000: ten emulated minutes take 0.6 s). */
  timeScale: number;
  /** "none" answers at once; "a100" replays MedGemma 27B bf16 on one A100 80 GB (see latency.ts). */
  latency: LatencyProfile;
  /** Latency model parameters used when latency is "a100". */
  gpu: GpuModel;
  /** More requests than this in flight → 429, as TGI's --max-concurrent-requests. */
  maxConcurrentRequests: number;
  maxInputTokens: number;
  maxTotalTokens: number;
  /** Emulated seconds without traffic before scaling to zero; 0 = never. */
  idleTimeoutS: number;
  /** Emulated seconds a replica takes to start from zero. */
  coldStartS: number;
  /** Start scaled to zero (the first request triggers a cold start). */
  startCold: boolean;
  /** Share of chat requests that fail with a fault drawn evenly from `faultKinds`. */
  faultRate: number;
  faultKinds: FaultKind[];
  /** Per-kind fault shares, added to `faultRate`'s. */
  faults: Partial<Record<FaultKind, number>>;
  /** Faults at given 1-based chat request numbers; overrides the rates. */
  faultAt: Record<number, FaultKind>;
  /** Fault for every request whose `X-Harness-Step` header names this step (e.g. { drugs: "500" }). */
  faultSteps: Partial<Record<string, FaultKind>>;
  /** Seed of the deterministic fault/overload sequence (a function of seed and request number). */
  faultSeed: number | string;
  /** Share of JSON answers broken on purpose (chosen by request hash). */
  invalidJsonRate: number;
  /** Wording of free-text answers: "plain" (rationale + `Answer: X`) or "varied" (real models' styles; styles.ts). */
  responseStyle: ResponseStyle;
  /** Share of chat requests answered 429 regardless of load. */
  overloadRate: number;
  /** When set, chat and info routes need `Authorization: Bearer <token>` (else 401). Never logged. */
  requireToken?: string;
  /** With requireToken: even the right token gets 403, like a gated repo the token cannot access. */
  gated: boolean;
  modelId: string;
  /**
   * The Inference Endpoint is paused: its proxy answers every route 400 "Bad Request: Invalid state"
   * until it is resumed (setOptions({ paused: false })).
   */
  paused: boolean;
  /** Pause the endpoint once this many generation requests have arrived (0 = never): a mid-run pause. */
  pauseAfterRequests: number;
  /** Emulated seconds /health answers 503 "unhealthy" after a generation failure (424) broke a batch. */
  unhealthyS: number;
  /**
   * Prompt token counter, used for every request. Default: the byte bound, then the Gemma tokenizer only when the
   * bound cannot prove the limits; the usage figure is then an estimate (see Emulator.countPrompt).
   */
  countTokens?: TokenCounter;
  /** Diagnostic log sink (default: none). */
  log?: (line: string) => void;
}

const defaults: EmulatorOptions = {
  engine: "tgi",
  port: 0,
  timeScale: 1,
  latency: "none",
  gpu: A100_MEDGEMMA_27B,
  maxConcurrentRequests: 128,
  maxInputTokens: 12288,
  maxTotalTokens: 16384,
  idleTimeoutS: 0,
  coldStartS: 600,
  startCold: false,
  faultRate: 0,
  // "stall" and the answer-damaging kinds are opt-in: a stall costs a full client timeout.
  faultKinds: ["500", "502", "504", "424", "reset"],
  faults: {},
  faultAt: {},
  faultSteps: {},
  faultSeed: 0,
  invalidJsonRate: 0,
  responseStyle: "plain",
  overloadRate: 0,
  gated: false,
  modelId: "google/medgemma-27b-text-it",
  paused: false,
  pauseAfterRequests: 0,
  unhealthyS: 30,
};
export const DEFAULT_EMULATOR_OPTIONS: Readonly<EmulatorOptions> = Object.freeze(defaults);
