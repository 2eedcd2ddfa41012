// Test helpers for the pipeline tests: a scripted fake ModelClient that records requests and start/end events,
// a synthetic case (no MedQA text), and valid default outputs for every step.
import { EndpointError, type ChatRequest, type ChatResult, type ModelClient } from "../src/endpoint/types.js";
import type { CallStats, Case, ErrorClass } from "../src/types.js";
import { loadPromptSet } from "../src/pipeline/prompts.js";
import type { PipelineOptions } from "../src/pipeline/types.js";

export const CASE: Case = {
  id: "synthetic-0001",
  index: 0,
  line: 1,
  question:
    "A 34-year-old woman comes to the clinic with 3 days of fever and burning on urination. She takes lisinopril 10 mg daily " +
    "and is allergic to sulfa drugs. Her temperature is 38.9°C (102°F). Urinalysis shows nitrites and leukocyte esterase. " +
    "Which of the following is the most appropriate next step in management?",
  options: { A: "Reassurance", B: "Urine culture and oral antibiotics", C: "Renal ultrasound", D: "Cystoscopy" },
  answer_idx: "B",
  answer: "Urine culture and oral antibiotics",
  content_hash: "0".repeat(64),
};

export const STEM = "Which of the following is the most appropriate next step in management?";

export const OUTPUTS = {
  parse: {
    age: 34,
    sex: "female",
    chief_complaint: "fever and dysuria",
    hpi: "3 days of fever and burning on urination",
    past_history: [],
    medications: [{ name: "lisinopril", dose: "10 mg daily" }],
    allergies: ["sulfa"],
    labs: [{ name: "urine nitrite", value: "positive", range: null, abnormal: true }],
    vitals: { temperature: "38.9 C" },
    social_history: null,
    family_history: null,
  },
  reason: {
    differential: ["Acute pyelonephritis", "Acute cystitis", "Urethritis", "Nephrolithiasis", "Pelvic inflammatory disease"].map(
      (diagnosis, i) => ({ diagnosis, likelihood: i === 0 ? "high" : "low", supporting_evidence: ["fever"], reasoning: "r" }),
    ),
    workup: ["urine culture"],
    reasoning_chain: ["fever plus urinary symptoms"],
  },
  drugs: { interactions: [], warnings: ["avoid trimethoprim-sulfamethoxazole: sulfa allergy"] },
  guidelines: { recommendations: [{ title: "UTI guideline", source: "IDSA", recommendation: "obtain urine culture" }] },
  conflicts: { conflicts: [] },
  synthesize: {
    patient_summary: "34-year-old woman with febrile UTI",
    differential: [{ diagnosis: "Acute pyelonephritis", likelihood: "high", reasoning: "fever and pyuria" }],
    drug_warnings: [],
    guideline_recommendations: [],
    next_steps: ["urine culture"],
    caveats: [],
    conflicts: [],
    sources: ["IDSA"],
  },
  answer: { answer: "B", justification: "febrile UTI needs culture and antibiotics" },
} as const;

export type Reply = string | { text: string; finish_reason?: string } | ErrorClass;

/** A reply that is a bare ErrorClass name makes the fake throw an EndpointError of that class. */
const ERROR_CLASSES = new Set<string>([
  "timeout", "overloaded", "server_error", "generation_error", "connection", "input_too_long", "validation",
  "parse_failed", "auth", "cold_start_timeout", "cancelled", "unknown",
]);

export function stats(over: Partial<CallStats> = {}): CallStats {
  return { latency_ms: 100, cold_ms: 5, tokens: { prompt: 50, completion: 20 }, finish_reason: "stop", attempts: 1, ...over };
}

/**
 * Replies per step: `script[step]` is a queue consumed call by call; when empty, the step's default valid JSON
 * (direct: "Answer: B") is returned.
 */
export class FakeClient implements ModelClient {
  readonly requests: ChatRequest[] = [];
  readonly events: string[] = [];
  constructor(readonly script: Partial<Record<string, Reply[]>> = {}) {}

  async chat(req: ChatRequest): Promise<ChatResult> {
    const step = req.tag?.step ?? "?";
    this.requests.push(structuredClone(req));
    this.events.push(`start:${step}`);
    // Yield twice so concurrently started steps interleave observably (no timers involved).
    await Promise.resolve();
    await Promise.resolve();
    this.events.push(`end:${step}`);
    const reply = this.script[step]?.shift() ?? defaultReply(step);
    if (typeof reply === "string" && ERROR_CLASSES.has(reply)) {
      throw new EndpointError(`${reply} from fake`, reply as ErrorClass, stats({ tokens: { prompt: 0, completion: 0 }, attempts: 3 }));
    }
    const text = typeof reply === "string" ? reply : reply.text;
    const finish = typeof reply === "string" ? "stop" : (reply.finish_reason ?? "stop");
    return { text, ...stats({ finish_reason: finish }) };
  }

  stepsCalled(): string[] {
    return this.requests.map((r) => r.tag?.step ?? "?");
  }

  requestsFor(step: string): ChatRequest[] {
    return this.requests.filter((r) => r.tag?.step === step);
  }
}

function defaultReply(step: string): string {
  if (step === "direct") return "The findings indicate a febrile UTI.\nAnswer: B";
  const out = (OUTPUTS as Record<string, unknown>)[step];
  if (out === undefined) throw new Error(`fake: no default reply for step ${step}`);
  return "```json\n" + JSON.stringify(out) + "\n```";
}

export function options(over: Partial<PipelineOptions> = {}): PipelineOptions {
  return {
    jsonMode: "prompt",
    drugs: true,
    guidelines: true,
    guidelinesCorpus: null,
    prompts: loadPromptSet(null),
    raw: true,
    maxTokens: 4096,
    ...over,
  };
}
