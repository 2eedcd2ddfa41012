// Engine profiles: detection from each engine's own routes, limits, model ids, and error classes.
import { describe, expect, it } from "vitest";
import {
  detectEngine,
  detectionRecord,
  ENGINES,
  EMULATOR_HEADER,
  resolveLimits,
  resolveModelId,
  type EngineName,
} from "../src/endpoint/engines/index.js";

type Routes = Record<string, { status?: number; body: unknown; headers?: Record<string, string> }>;

/** A fetch that serves fixed documents by path (the shapes each engine's source defines). */
function fakeFetch(routes: Routes): typeof fetch & { asked: string[] } {
  const asked: string[] = [];
  const f = (async (input: string | URL | Request) => {
    const path = new URL(typeof input === "string" || input instanceof URL ? input : input.url).pathname;
    asked.push(path);
    const r = routes[path];
    if (!r) return new Response(JSON.stringify({ detail: "Not Found" }), { status: 404, headers: { "content-type": "application/json" } });
    return new Response(JSON.stringify(r.body), { status: r.status ?? 200, headers: { "content-type": "application/json", ...r.headers } });
  }) as typeof fetch & { asked: string[] };
  f.asked = asked;
  return f;
}

const TGI: Routes = {
  "/info": {
    body: { model_id: "google/medgemma-27b-text-it", max_input_tokens: 12288, max_total_tokens: 16384, router: "text-generation-router", version: "3.3.6" },
  },
  "/v1/models": { body: { object: "list", data: [{ id: "google/medgemma-27b-text-it", object: "model", owned_by: "google/medgemma-27b-text-it" }] } },
};
const VLLM: Routes = {
  "/version": { body: { version: "0.11.2" } },
  "/v1/models": { body: { object: "list", data: [{ id: "google/medgemma-27b-text-it", object: "model", owned_by: "vllm", root: "/repository", max_model_len: 16384 }] } },
};
const SGLANG: Routes = {
  "/get_model_info": { body: { model_path: "google/medgemma-27b-text-it", tokenizer_path: "google/medgemma-27b-text-it", is_generation: true } },
  "/get_server_info": { body: { version: "0.5.4", context_length: 16384, model_path: "google/medgemma-27b-text-it" } },
  "/v1/models": { body: { object: "list", data: [{ id: "google/medgemma-27b-text-it", object: "model", owned_by: "sglang", max_model_len: 16384 }] } },
};
const PLAIN: Routes = { "/v1/models": { body: { object: "list", data: [{ id: "medgemma", object: "model", owned_by: "me" }] } } };

const detect = (routes: Routes, engine: EngineName | "auto" = "auto") =>
  detectEngine({ root: "http://endpoint.test", apiKey: "k", engine, fetch: fakeFetch(routes) });

describe("detectEngine", () => {
  it.each([
    { routes: TGI, engine: "tgi", version: "3.3.6", limits: { maxInputTokens: 12288, maxTotalTokens: 16384 } },
    // vLLM: prompt < max_model_len, prompt + max_tokens <= max_model_len (engine/serving.py _validate_input)
    { routes: VLLM, engine: "vllm", version: "0.11.2", limits: { maxInputTokens: 16383, maxTotalTokens: 16384 } },
    // SGLang: input >= context_len and input + max_new_tokens >= context_len are both rejected
    { routes: SGLANG, engine: "sglang", version: "0.5.4", limits: { maxInputTokens: 16383, maxTotalTokens: 16383 } },
    { routes: PLAIN, engine: "openai", version: null, limits: null },
    { routes: {}, engine: "openai", version: null, limits: null },
  ])("recognises $engine from its routes", async ({ routes, engine, version, limits }) => {
    const d = await detect(routes);
    expect(d.profile.name).toBe(engine);
    expect(d.facts.version).toBe(version);
    expect(d.facts.limits).toEqual(limits);
    expect(d.cold).toBe(false);
  });

  it("a proxy's own /version without max_model_len or owned_by vllm is not vLLM", async () => {
    const d = await detect({ "/version": { body: { version: "1.2.3" } }, ...PLAIN });
    expect(d.profile.name).toBe("openai");
  });

  it("SGLang wins over a /version route (SGLang-only route first)", async () => {
    const d = await detect({ ...SGLANG, "/version": { body: { version: "0.5.4" } } });
    expect(d.profile.name).toBe("sglang");
  });

  it("reads limits from SGLang's server info when /v1/models has no max_model_len", async () => {
    const d = await detect({ ...SGLANG, "/v1/models": { body: { object: "list", data: [{ id: "m", owned_by: "sglang" }] } } });
    expect(d.facts.limits).toEqual({ maxInputTokens: 16383, maxTotalTokens: 16383 });
  });

  it("TGI before 2.1 published max_input_length", async () => {
    const d = await detect({ "/info": { body: { model_id: "m", max_input_length: 4095, max_total_tokens: 4096, version: "2.0.4" } } });
    expect(d.facts.limits).toEqual({ maxInputTokens: 4095, maxTotalTokens: 4096 });
  });

  it("a cold endpoint (503 everywhere) is assumed to be the brief's TGI endpoint, and says so", async () => {
    const cold = { status: 503, body: { error: "Service Unavailable" } };
    const d = await detect({ "/info": cold, "/version": cold, "/v1/models": cold, "/get_model_info": cold, "/get_server_info": cold });
    expect(d.profile.name).toBe("tgi");
    expect(d.cold).toBe(true);
    expect(d.facts.limits).toEqual({ maxInputTokens: 12288, maxTotalTokens: 16384 });
    const rec = detectionRecord(d, "auto", resolveLimits(d.facts, {}));
    expect(rec.notes.join(" ")).toMatch(/cold/);
  });

  it("--engine forces the profile and still reads its routes", async () => {
    const d = await detect(VLLM, "vllm");
    expect(d.profile.name).toBe("vllm");
    expect(d.facts.limits?.maxTotalTokens).toBe(16384);
    const forcedWrong = await detect(PLAIN, "vllm");
    expect(forcedWrong.profile.name).toBe("vllm");
    expect(forcedWrong.facts.limits).toBeNull();
    expect(detectionRecord(forcedWrong, "vllm", resolveLimits(forcedWrong.facts, {})).detected_by).toMatch(/^--engine vllm/);
  });

  it("asks each route once even when several profiles read it", async () => {
    const f = fakeFetch(SGLANG);
    await detectEngine({ root: "http://endpoint.test", apiKey: "", engine: "auto", fetch: f });
    expect(f.asked.filter((p) => p === "/v1/models")).toHaveLength(1);
  });

  it("marks the emulator by its header or TGI /info field", async () => {
    expect((await detect({ ...VLLM, "/version": { body: { version: "0.11.2" }, headers: { [EMULATOR_HEADER]: "1" } } })).emulator).toBe(true);
    expect((await detect({ "/info": { body: { ...(TGI["/info"]!.body as object), emulator: true } } })).emulator).toBe(true);
    expect((await detect(VLLM)).emulator).toBe(false);
  });
});

describe("detectionRecord", () => {
  it("a plain OpenAI-compatible server: engine openai, limits unknown, said clearly", async () => {
    const d = await detect(PLAIN);
    const rec = detectionRecord(d, "auto", resolveLimits(d.facts, {}));
    expect(rec).toMatchObject({ engine: "openai", version: null, limits: null, limits_source: "unknown" });
    expect(rec.notes.some((n) => /limits are unknown/.test(n))).toBe(true);
  });

  it("vLLM and SGLang: a note that they queue instead of answering 429", async () => {
    for (const routes of [VLLM, SGLANG]) {
      const d = await detect(routes);
      expect(detectionRecord(d, "auto", resolveLimits(d.facts, {})).notes.join(" ")).toMatch(/queues requests instead of answering 429/);
    }
    const t = await detect(TGI);
    expect(detectionRecord(t, "auto", resolveLimits(t.facts, {})).notes).toEqual([]);
  });
});

describe("resolveLimits", () => {
  const facts = { version: null, limits: { maxInputTokens: 100, maxTotalTokens: 200 }, servedModels: [], evidence: "", info: null };
  it.each([
    { flags: {}, want: { limits: { maxInputTokens: 100, maxTotalTokens: 200 }, source: "engine" } },
    { flags: { maxInputTokens: 50 }, want: { limits: { maxInputTokens: 50, maxTotalTokens: 200 }, source: "flags" } },
    { flags: { maxTotalTokens: 150 }, want: { limits: { maxInputTokens: 100, maxTotalTokens: 150 }, source: "flags" } },
  ])("flags $flags", ({ flags, want }) => {
    expect(resolveLimits(facts, flags)).toEqual(want);
  });
  it("unknown limits stay unknown; flags alone define them", () => {
    const none = { ...facts, limits: null };
    expect(resolveLimits(none, {})).toEqual({ limits: null, source: "unknown" });
    expect(resolveLimits(none, { maxTotalTokens: 8192 })).toEqual({ limits: { maxInputTokens: 8191, maxTotalTokens: 8192 }, source: "flags" });
  });
});

describe("resolveModelId", () => {
  const facts = (servedModels: string[]) => ({ version: null, limits: null, servedModels, evidence: "", info: null });
  it("vLLM answers 404 for ids it does not serve: the default 'tgi' becomes the served id", () => {
    const r = resolveModelId(ENGINES.vllm, facts(["google/medgemma-27b-text-it"]), "tgi", false);
    expect(r.model).toBe("google/medgemma-27b-text-it");
    expect(r.note).toMatch(/instead of the default/);
  });
  it("an explicit id is kept; TGI and SGLang ignore the field", () => {
    expect(resolveModelId(ENGINES.vllm, facts(["a"]), "mine", true).model).toBe("mine");
    expect(resolveModelId(ENGINES.tgi, facts(["a"]), "tgi", false).model).toBe("tgi");
    expect(resolveModelId(ENGINES.sglang, facts(["a"]), "tgi", false).model).toBe("tgi");
    expect(resolveModelId(ENGINES.vllm, facts([]), "tgi", false).model).toBe("tgi");
  });
});

describe("structured output shapes", () => {
  const schema = { type: "object", properties: { answer: { type: "string" } }, required: ["answer"] };
  it("TGI: {type: json, value}", () => {
    expect(ENGINES.tgi.responseFormat("answer", schema)).toEqual({ type: "json", value: schema });
  });
  it.each(["vllm", "sglang", "openai"] as const)("%s: OpenAI json_schema with a name", (e) => {
    expect(ENGINES[e].responseFormat("answer", schema)).toEqual({ type: "json_schema", json_schema: { name: "answer", schema } });
    const weird = ENGINES[e].responseFormat("a b/c", schema) as { json_schema: { name: string } };
    expect(weird.json_schema.name).toMatch(/^[A-Za-z0-9_-]+$/);
  });
});

describe("error classes", () => {
  // Messages as each engine's source words them, with numbers varied: the rule must not depend on them.
  const sizes = [[8192, 9000], [16384, 16385], [131072, 200000], [4096, 4096]] as const;
  const tooLong: Array<[EngineName, number, (max: number, n: number) => unknown]> = [
    ["vllm", 400, (max, n) => ({ message: `This model's maximum context length is ${max} tokens. However, your request has ${n} input tokens. Please reduce the length of the input messages. (parameter=input_tokens, value=${n})`, type: "BadRequestError", param: "input_tokens", code: 400 })],
    ["vllm", 400, (max, n) => ({ message: `'max_tokens' or 'max_completion_tokens' is too large: 2048. This model's maximum context length is ${max} tokens and your request has ${n} input tokens (2048 > ${max} - ${n}).`, type: "BadRequestError", code: 400 })],
    ["sglang", 400, (max, n) => ({ object: "error", message: `The input (${n} tokens) is longer than the model's context length (${max} tokens).`, type: "BadRequestError", param: null, code: 400 })],
    ["sglang", 400, (max, n) => ({ object: "error", message: `Requested token count exceeds the model's maximum context length of ${max} tokens. You requested a total of ${n + 10} tokens: ${n} tokens from the input messages and 10 tokens for the completion.`, type: "BadRequestError", code: 400 })],
    ["tgi", 422, (max, n) => `Input validation error: \`inputs\` must have less than ${max} tokens. Given: ${n}`],
    ["tgi", 422, (max, n) => `Input validation error: \`inputs\` tokens + \`max_new_tokens\` must be <= ${max}. Given: ${n} \`inputs\` tokens and 2048 \`max_new_tokens\``],
  ];
  it.each(tooLong)("%s %i context-length wording → input_too_long (any numbers), also for the openai profile", (engine, status, body) => {
    for (const [max, n] of sizes) {
      expect(ENGINES[engine].classifyHttp(status, body(max, n))).toBe("input_too_long");
      expect(ENGINES.openai.classifyHttp(status, body(max, n))).toBe("input_too_long");
    }
  });

  it.each([
    ["vllm", 404, { message: "The model `tgi` does not exist.", type: "NotFoundError", param: "model", code: 404 }, "validation"],
    ["vllm", 400, { message: "top_p must be in (0, 1], got 0.0.", type: "BadRequestError", code: 400 }, "validation"],
    ["vllm", 500, { message: "Internal server error", type: "InternalServerError", code: 500 }, "server_error"],
    ["sglang", 400, { object: "error", message: "max_tokens must be positive", type: "BadRequestError", code: 400 }, "validation"],
    ["tgi", 422, "Input validation error: `top_p` must be > 0.0 and < 1.0", "validation"],
    ["tgi", 429, "Model is overloaded", "overloaded"],
    ["tgi", 424, "Request failed during generation: Server error: CUDA error", "generation_error"],
  ] as const)("%s %i %j → %s", (engine, status, body, cls) => {
    expect(ENGINES[engine].classifyHttp(status, body)).toBe(cls);
  });

  it.each([
    ["vllm", { message: "Internal server error", type: "InternalServerError", param: null, code: 500 }, "server_error", 500],
    ["vllm", { message: "This model's maximum context length is 16384 tokens. However, your request has 20000 input tokens.", type: "BadRequestError", code: 400 }, "input_too_long", 400],
    ["sglang", { object: "error", message: "Model is overloaded", type: "ServiceUnavailable", code: 429 }, "overloaded", 429],
    ["sglang", { object: "error", message: "scheduler died", type: "InternalServerError", param: null }, "server_error", undefined],
    ["tgi", "Request failed during generation: Server error: CUDA error: an illegal memory access was encountered", "generation_error", 424],
    ["tgi", "Model is overloaded", "overloaded", 429],
    ["tgi", "Input validation error: `inputs` must have less than 12288 tokens. Given: 13000", "input_too_long", 422],
    // TGI 3.3's chat stream event: {"error": {message, http_status_code}} with http_status_code always 422 — the text decides.
    ["tgi", { message: "Request failed during generation: Server error: CUDA error", http_status_code: 422 }, "generation_error", 424],
    ["tgi", { message: "Model is overloaded", http_status_code: 422 }, "overloaded", 429],
  ] as const)("%s error inside a 200 stream %j → %s (as HTTP %s)", (engine, error, cls, status) => {
    const got = ENGINES[engine].classifyStreamError(error);
    expect(got.cls).toBe(cls);
    expect(got.status).toBe(status);
  });

  it("input_too_long is never retried; stream errors classed like their unstreamed equivalents", () => {
    for (const e of ["vllm", "sglang"] as const) {
      const body = { message: "boom", type: "InternalServerError", code: 500 };
      expect(ENGINES[e].classifyStreamError(body).cls).toBe(ENGINES[e].classifyHttp(500, body));
    }
  });
});

describe("sampling rules", () => {
  it.each([
    ["tgi", { top_p: 1 }, true],
    ["tgi", { top_p: 0.9 }, false],
    ["vllm", { top_p: 1 }, false],
    ["vllm", { top_p: 0 }, true],
    ["sglang", { top_p: 1.5 }, true],
    ["vllm", { temperature: -0.1 }, true],
    ["tgi", { temperature: 0 }, false],
  ] as const)("%s %j rejected: %s", (engine, params, rejected) => {
    expect(ENGINES[engine].sampling.check(params) !== null).toBe(rejected);
  });
});

describe("metrics names", () => {
  it("each engine's saturation series (openai: none)", () => {
    expect(ENGINES.tgi.metrics?.queue).toEqual(["tgi_queue_size"]);
    expect(ENGINES.tgi.metrics?.running).toEqual(["tgi_batch_current_size"]);
    expect(ENGINES.vllm.metrics?.queue).toEqual(["vllm:num_requests_waiting"]);
    expect(ENGINES.vllm.metrics?.running).toEqual(["vllm:num_requests_running"]);
    expect(ENGINES.vllm.metrics?.kvCache).toContain("vllm:kv_cache_usage_perc");
    expect(ENGINES.sglang.metrics?.queue).toEqual(["sglang:num_queue_reqs"]);
    expect(ENGINES.openai.metrics).toBeNull();
  });
  it("tokenize routes: TGI /chat_tokenize, vLLM /tokenize, none elsewhere", () => {
    expect(ENGINES.tgi.tokenize?.path).toBe("/chat_tokenize");
    expect(ENGINES.vllm.tokenize?.path).toBe("/tokenize");
    expect(ENGINES.vllm.tokenize?.count({ count: 57, max_model_len: 16384, tokens: [] })).toBe(57);
    expect(ENGINES.tgi.tokenize?.count({ tokenize_response: [{ id: 1 }, { id: 2 }], templated_text: "x" })).toBe(2);
    expect(ENGINES.sglang.tokenize).toBeNull();
    expect(ENGINES.openai.tokenize).toBeNull();
  });
});
