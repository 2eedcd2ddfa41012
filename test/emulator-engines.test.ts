// The emulator playing vLLM and SGLang: routes, error shapes and wording, limits, no 429, streaming shapes.
// Each assertion mirrors the engine source cited in src/emulator/README.md.
import { afterAll, describe, expect, it } from "vitest";
import { MetricsSampler, parsePrometheus, saturationSample } from "../src/endpoint/metrics.js";
import { ENGINES } from "../src/endpoint/engines/index.js";
import { startEmulator, type EmulatorHandle } from "../src/emulator/server.js";

const handles: EmulatorHandle[] = [];
afterAll(async () => Promise.all(handles.map((h) => h.close())));
async function emu(engine: "vllm" | "sglang", extra: Parameters<typeof startEmulator>[0] = {}): Promise<EmulatorHandle> {
  // A fixed token counter: 1 token per 4 characters + 10 (deterministic limits without loading the tokenizer).
  const h = await startEmulator({ engine, latency: "none", countTokens: (m) => 10 + Math.ceil(m.reduce((n, x) => n + x.content.length, 0) / 4), ...extra });
  handles.push(h);
  return h;
}
const post = async (h: EmulatorHandle, path: string, body: unknown) => {
  const res = await fetch(`${h.origin}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: typeof body === "string" ? body : JSON.stringify(body) });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    /* SSE or text */
  }
  return { status: res.status, json: json as Record<string, any>, text, headers: res.headers };
};
const get = async (h: EmulatorHandle, path: string) => {
  const res = await fetch(`${h.origin}${path}`);
  return { status: res.status, json: (await res.json().catch(() => null)) as Record<string, any> };
};
const MSG = [{ role: "user", content: "Which drug is first line? Answer with a letter." }];

describe("emulator --engine vllm", () => {
  it("routes: /version, /v1/models with max_model_len, /health, /tokenize; no TGI /info", async () => {
    const h = await emu("vllm");
    expect((await get(h, "/version")).json).toEqual({ version: "0.11.2" });
    const models = (await get(h, "/v1/models")).json;
    expect(models.data[0]).toMatchObject({ id: "google/medgemma-27b-text-it", owned_by: "vllm", max_model_len: 16384 });
    expect((await get(h, "/info")).status).toBe(404);
    const tok = await post(h, "/tokenize", { model: "google/medgemma-27b-text-it", messages: MSG });
    expect(tok.json).toMatchObject({ count: 10 + Math.ceil(MSG[0]!.content.length / 4), max_model_len: 16384 });
    expect(ENGINES.vllm.tokenize!.count(tok.json)).toBe(tok.json.count);
  });

  it("errors are ErrorResponse {error: {message, type, param, code}}: unknown model 404, context length 400s", async () => {
    const h = await emu("vllm");
    const unknown = await post(h, "/v1/chat/completions", { model: "tgi", messages: MSG });
    expect(unknown.status).toBe(404);
    expect(unknown.json).toEqual({ error: { message: "The model `tgi` does not exist.", type: "NotFoundError", param: "model", code: 404 } });
    const long = await post(h, "/v1/chat/completions", { messages: [{ role: "user", content: "x".repeat(4 * 16384) }] });
    expect(long.status).toBe(400);
    expect(long.json.error.message).toMatch(/^This model's maximum context length is 16384 tokens\. However, your request has \d+ input tokens\./);
    expect(ENGINES.vllm.classifyHttp(400, long.json.error)).toBe("input_too_long");
    const total = await post(h, "/v1/chat/completions", { messages: MSG, max_tokens: 16380 });
    expect(total.status).toBe(400);
    expect(total.json.error.message).toMatch(/^'max_tokens' or 'max_completion_tokens' is too large: 16380\./);
    expect(ENGINES.vllm.classifyHttp(400, total.json.error)).toBe("input_too_long");
  });

  it("sampling ranges as vLLM checks them: top_p 1 accepted (TGI refuses it), 0 refused; TGI's grammar shape refused", async () => {
    const h = await emu("vllm");
    expect((await post(h, "/v1/chat/completions", { messages: MSG, top_p: 1 })).status).toBe(200);
    const bad = await post(h, "/v1/chat/completions", { messages: MSG, top_p: 0 });
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toBe("top_p must be in (0, 1], got 0.");
    expect((await post(h, "/v1/chat/completions", { messages: MSG, max_tokens: 0 })).status).toBe(400);
    const tgiShape = await post(h, "/v1/chat/completions", { messages: MSG, response_format: { type: "json", value: { type: "object" } } });
    expect(tgiShape.status).toBe(400);
    const noName = await post(h, "/v1/chat/completions", { messages: MSG, response_format: { type: "json_schema", json_schema: { schema: { type: "object" } } } });
    expect(noName.status).toBe(400);
    const ok = await post(h, "/v1/chat/completions", {
      messages: MSG,
      response_format: { type: "json_schema", json_schema: { name: "answer", schema: { type: "object", properties: { answer: { type: ["string", "null"] } }, required: ["answer"] } } },
    });
    expect(ok.status).toBe(200);
    expect(() => JSON.parse(ok.json.choices[0].message.content)).not.toThrow();
  });

  it("queues instead of answering 429, however many requests are in flight", async () => {
    const h = await emu("vllm", { maxConcurrentRequests: 1 });
    const all = await Promise.all(Array.from({ length: 6 }, () => post(h, "/v1/chat/completions", { messages: MSG })));
    expect(all.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
  });

  it("streams: a role chunk, content chunks, finish_reason, usage with include_usage, [DONE]; a generation failure is an error event in the 200", async () => {
    const h = await emu("vllm", { faultAt: { 2: "424" } });
    const ok = await post(h, "/v1/chat/completions", { messages: MSG, stream: true, stream_options: { include_usage: true } });
    expect(ok.status).toBe(200);
    const events = ok.text.split("\n\n").filter(Boolean).map((e) => e.replace(/^data: /, ""));
    expect(events.at(-1)).toBe("[DONE]");
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e));
    expect(chunks[0].choices[0].delta).toEqual({ role: "assistant", content: "" });
    expect(chunks.at(-1).choices).toEqual([]);
    expect(chunks.at(-1).usage.completion_tokens).toBeGreaterThan(0);
    expect(chunks.some((c) => c.choices[0]?.finish_reason === "stop" || c.choices[0]?.finish_reason === "length")).toBe(true);
    const bad = await post(h, "/v1/chat/completions", { messages: MSG, stream: true });
    expect(bad.status).toBe(200);
    const err = bad.text.split("\n\n").map((e) => e.replace(/^data: /, "")).find((e) => e.includes('"error"'))!;
    expect(JSON.parse(err)).toEqual({ error: { message: "Internal server error", type: "InternalServerError", param: null, code: 500 } });
    expect(ENGINES.vllm.classifyStreamError(JSON.parse(err).error).cls).toBe("server_error");
  });

  it("/metrics has vLLM's series; the sampler reads queue, running and KV use", async () => {
    const h = await emu("vllm");
    const text = await (await fetch(`${h.origin}/metrics`)).text();
    const series = parsePrometheus(text);
    expect(series.has("vllm:num_requests_running")).toBe(true);
    expect(series.has("vllm:num_requests_waiting")).toBe(true);
    expect(saturationSample(series, ENGINES.vllm.metrics!)).toEqual({ queue: 0, running: 0, kv_cache: 0 });
  });
});

describe("emulator --engine sglang", () => {
  it("routes: /get_model_info, /get_server_info (context_length, version), /v1/models owned_by sglang", async () => {
    const h = await emu("sglang");
    expect((await get(h, "/get_model_info")).json).toMatchObject({ model_path: "google/medgemma-27b-text-it", is_generation: true });
    expect((await get(h, "/get_server_info")).json).toMatchObject({ context_length: 16384, version: "0.5.4" });
    expect((await get(h, "/v1/models")).json.data[0]).toMatchObject({ owned_by: "sglang", max_model_len: 16384 });
    expect((await get(h, "/version")).status).toBe(404);
  });

  it("errors are {object: error, message, type, param, code}; both context checks are >= context_len; the model field is not checked", async () => {
    const h = await emu("sglang");
    expect((await post(h, "/v1/chat/completions", { model: "anything", messages: MSG })).status).toBe(200);
    const long = await post(h, "/v1/chat/completions", { messages: [{ role: "user", content: "x".repeat(4 * 16384) }] });
    expect(long.status).toBe(400);
    expect(long.json).toMatchObject({ object: "error", type: "BadRequestError", param: null, code: 400 });
    expect(long.json.message).toMatch(/^The input \(\d+ tokens\) is longer than the model's context length \(16384 tokens\)\.$/);
    const n = 10 + Math.ceil(MSG[0]!.content.length / 4);
    // input + max_new_tokens == context_len is refused (>=), one fewer is accepted
    const edge = await post(h, "/v1/chat/completions", { messages: MSG, max_tokens: 16384 - n });
    expect(edge.status).toBe(400);
    expect(edge.json.message).toMatch(/^Requested token count exceeds the model's maximum context length of 16384 tokens\./);
    expect((await post(h, "/v1/chat/completions", { messages: MSG, max_tokens: 16383 - n })).status).toBe(200);
    expect(ENGINES.sglang.classifyHttp(400, long.json)).toBe("input_too_long");
  });

  it("a stream error is wrapped as {error: {object: error, …}}", async () => {
    const h = await emu("sglang", { faultAt: { 1: "500" } });
    const bad = await post(h, "/v1/chat/completions", { messages: MSG, stream: true });
    const err = bad.text.split("\n\n").map((e) => e.replace(/^data: /, "")).find((e) => e.includes('"error"'))!;
    expect(JSON.parse(err).error).toMatchObject({ object: "error", type: "InternalServerError", code: 500 });
  });
});

describe("MetricsSampler", () => {
  it("a server without /metrics: unavailable once, no samples", async () => {
    const samples: unknown[] = [];
    const reasons: string[] = [];
    const s = new MetricsSampler({
      root: "http://x.test",
      apiKey: "",
      names: ENGINES.tgi.metrics!,
      intervalMs: 1,
      fetch: (async () => new Response("not found", { status: 404 })) as typeof fetch,
      onSample: (x) => samples.push(x),
      onUnavailable: (r) => reasons.push(r),
    });
    s.start();
    await s.stop();
    expect(samples).toEqual([]);
    expect(reasons).toEqual(["GET /metrics answered HTTP 404"]);
  });
  it("sums label sets; a page without the engine's series is 'unavailable'", () => {
    const m = parsePrometheus('tgi_queue_size 3\nvllm:num_requests_running{engine="0"} 2\nvllm:num_requests_running{engine="1"} 5\n# HELP x\nbad line');
    expect(m.get("vllm:num_requests_running")).toBe(7);
    expect(saturationSample(m, ENGINES.tgi.metrics!)).toEqual({ queue: 3, running: null, kv_cache: null });
    expect(saturationSample(new Map(), ENGINES.sglang.metrics!)).toBeNull();
  });
});
