// A plain OpenAI-compatible server with none of the engine routes: nothing is known about its limits,
// metrics or tokenizer. Errors are classified by every engine's context-length wording plus OpenAI's own
// ("context_length_exceeded"), since the server behind it is unknown.
import type { ErrorClass } from "../../types.js";
import { classifyOpenAiStreamError, classifyStatus, jsonSchemaFormat, openAiSampling, readModelList } from "./common.js";
import { SGLANG_TOO_LONG } from "./sglang.js";
import { TGI_TOO_LONG } from "./tgi.js";
import type { EngineFacts, EngineProfile, RootGet } from "./types.js";
import { VLLM_TOO_LONG } from "./vllm.js";

const ANY_TOO_LONG = new RegExp(
  [TGI_TOO_LONG, VLLM_TOO_LONG, SGLANG_TOO_LONG, /context_length_exceeded|maximum context length/i].map((r) => r.source).join("|"),
  "i",
);

function classifyHttp(status: number, body: unknown): ErrorClass {
  return classifyStatus(status, body, ANY_TOO_LONG);
}

async function detect(get: RootGet): Promise<EngineFacts> {
  const list = readModelList(await get("/v1/models"));
  return {
    version: null,
    limits: null,
    servedModels: list.ids,
    evidence: list.ids.length ? "only GET /v1/models answered" : "no engine route answered",
    info: null,
  };
}

export const openai: EngineProfile = {
  name: "openai",
  label: "OpenAI-compatible",
  detect,
  responseFormat: jsonSchemaFormat,
  requiresServedModelId: true,
  tokenize: null,
  classifyHttp,
  classifyStreamError: (error) => classifyOpenAiStreamError(error, classifyHttp),
  metrics: null,
  sampling: openAiSampling("unknown engine: an omitted temperature means whatever the server defaults to"),
  answers429: true,
  streamUsage: true,
};
