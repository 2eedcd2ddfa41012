// Every prompt the harness renders for the MedQA test set, without an endpoint: the direct prompt and, per JSON
// mode, every pipeline step prompt, with each step fed the emulator's deterministic answer to the step before
// (composeAnswer, called in-process). Used by the token-bound test and the emulator's usage-counter check.
import { loadDataset } from "../../src/datasets/load.js";
import { composeAnswer } from "../../src/emulator/answer.js";
import type { ChatMessage, ChatRequest, ChatResult, ModelClient } from "../../src/endpoint/types.js";
import { loadPromptSet } from "../../src/pipeline/prompts.js";
import { runDirect, runPipeline } from "../../src/pipeline/run.js";
import type { PipelineOptions } from "../../src/pipeline/types.js";
import type { JsonMode } from "../../src/types.js";
import { MEDQA } from "./cli.js";

export interface RenderedPrompt {
  case_id: string;
  /** "direct", or "<json mode>:<step>". */
  where: string;
  messages: ChatMessage[];
  max_tokens: number | undefined;
}

function recordingClient(sink: RenderedPrompt[], where: (r: ChatRequest) => string): ModelClient {
  return {
    chat: async (req: ChatRequest): Promise<ChatResult> => {
      sink.push({ case_id: req.tag?.case_id ?? "?", where: where(req), messages: req.messages, max_tokens: req.max_tokens });
      const grammar = req.response_format?.value;
      const a = composeAnswer({ messages: req.messages, ...(grammar ? { grammar } : {}) }, { invalidJsonRate: 0 });
      return { text: a.text, latency_ms: 1, cold_ms: 0, tokens: { prompt: 1, completion: 1 }, finish_reason: "stop", attempts: 1 };
    },
  };
}

export async function renderMedqaPrompts(opts: { jsonModes?: JsonMode[]; limit?: number } = {}): Promise<RenderedPrompt[]> {
  const dataset = await loadDataset(MEDQA);
  const cases = opts.limit ? dataset.cases.slice(0, opts.limit) : dataset.cases;
  const prompts = loadPromptSet(null);
  const out: RenderedPrompt[] = [];
  const base: PipelineOptions = { jsonMode: "prompt", drugs: true, guidelines: true, guidelinesCorpus: null, prompts, raw: false, maxTokens: 2048 };
  const direct = recordingClient(out, () => "direct");
  for (const c of cases) await runDirect(c, direct, base);
  for (const jsonMode of opts.jsonModes ?? (["prompt", "grammar"] as JsonMode[])) {
    const client = recordingClient(out, (r) => `${jsonMode}:${r.tag?.step ?? "?"}`);
    for (const c of cases) await runPipeline(c, client, { ...base, jsonMode });
  }
  return out;
}
