// TGI 3.3 wire behaviour of the emulator, one describe per row of src/emulator/README.md's table.
// Prompt tokens come from an injected counter; emulated waits run on the emulator's time scale.
import OpenAI, { APIError } from "openai";
import { afterEach, describe, expect, test } from "vitest";
import { EmulatedClock } from "../src/emulator/clock.js";
import { A100_MEDGEMMA_27B, GpuScheduler, perSequenceTokPerS, prefillMs } from "../src/emulator/latency.js";
import { startEmulator, type EmulatorHandle, type EmulatorOptions } from "../src/emulator/server.js";
import { outlinesError } from "../src/emulator/tgi/grammar.js";
import { generation } from "../src/emulator/tgi/routes.js";
import { generatedTokens, validateLength } from "../src/emulator/tgi/validate.js";
import type { ChatMessage } from "../src/endpoint/types.js";

const chars4 = (ms: ChatMessage[]) => ms.reduce((n, m) => n + Math.ceil(m.content.length / 4) + 4, 2);
const QUESTION = "A 30-year-old has fever and a stiff neck. Most likely cause?\nA. Meningitis\nB. Migraine\nC. Sinusitis\nD. Tension headache";
const LIMITS = { maxInputTokens: 12288, maxTotalTokens: 16384, maxStopSequences: 4, maxTopNTokens: 5, maxBestOf: 2 };

const open: EmulatorHandle[] = [];
async function emu(o: Partial<EmulatorOptions> = {}): Promise<EmulatorHandle> {
  const h = await startEmulator({ countTokens: chars4, timeScale: 1000, ...o });
  open.push(h);
  return h;
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((h) => h.close()));
});

const post = (h: EmulatorHandle, path: string, body: unknown): Promise<Response> =>
  fetch(`${h.origin}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: typeof body === "string" ? body : JSON.stringify(body) });
const chat = (extra: Record<string, unknown> = {}, messages: unknown = [{ role: "user", content: QUESTION }]) => ({ model: "tgi", messages, max_tokens: 256, temperature: 0, ...extra });
const sdk = (h: EmulatorHandle) => new OpenAI({ baseURL: h.url, apiKey: "-", maxRetries: 0, timeout: 10_000 });

async function expect422(h: EmulatorHandle, body: unknown, error: string, errorType = "validation"): Promise<void> {
  const r = await post(h, "/v1/chat/completions", body);
  expect(r.status).toBe(422);
  expect(await r.json()).toEqual({ error, error_type: errorType });
}

async function expectDeserialize422(h: EmulatorHandle, body: unknown, text: RegExp): Promise<void> {
  const r = await post(h, "/v1/chat/completions", body);
  expect(r.status).toBe(422);
  expect(r.headers.get("content-type")).toMatch(/^text\/plain/);
  expect(await r.text()).toMatch(text);
}

describe("validation order and the 1024-token chunk", () => {
  test("validateLength: total (with max_new capped at 1024) before input length", () => {
    expect(() => validateLength(15500, 5000, LIMITS)).toThrow(/must be <= 16384\. Given: 15500 `inputs` tokens and 1024 `max_new_tokens`/);
    expect(() => validateLength(13000, 100, LIMITS)).toThrow(/`inputs` must have less than 12288 tokens\. Given: 13000/);
    expect(validateLength(12000, 5000, LIMITS)).toEqual({ chunkTokens: 1024, maxNewTokens: 5000 });
    // max_tokens unset: the rest of the context, scheduled 1024 at a time.
    expect(validateLength(1000, null, LIMITS)).toEqual({ chunkTokens: 1024, maxNewTokens: 15384 });
  });

  test("over HTTP: 12000 input + max_tokens 5000 is accepted (only 1024 is checked)", async () => {
    const h = await emu({ countTokens: () => 12000 });
    const r = await post(h, "/v1/chat/completions", chat({ max_tokens: 5000 }));
    expect(r.status).toBe(200);
  });

  test("generation continues in 1024-token chunks until the re-validation no longer fits", () => {
    const lim = { maxInputTokens: 12288, maxTotalTokens: 16384 };
    expect(generatedTokens(1000, 3000, 5000, lim)).toEqual({ tokens: 3000, length: false });
    expect(generatedTokens(1000, 3000, 2048, lim)).toEqual({ tokens: 2048, length: true });
    // 15000 + 1024 fits, 16024 + 1024 does not: stops after one chunk although max_tokens is 2000.
    expect(generatedTokens(15000, 3000, 2000, lim)).toEqual({ tokens: 1024, length: true });
    // A limit that is not a multiple of 1024 is overshot by the last chunk, as in TGI.
    expect(generatedTokens(100, 3000, 1500, lim)).toEqual({ tokens: 2048, length: true });
  });

  test("finish reasons: stop, length, stop_sequence (kept in the text)", () => {
    const a = { text: "alpha beta. gamma delta", finishReason: "stop" as const, json: null, corruption: null, letter: null };
    expect(generation(a, 10, { stop: [], maxNewTokens: 100 }, LIMITS)).toMatchObject({ finish: "stop", text: a.text });
    expect(generation(a, 10, { stop: [], maxNewTokens: 2 }, LIMITS)).toMatchObject({ finish: "length", text: "alpha be", tokens: 2 });
    expect(generation(a, 10, { stop: ["gamma", "."], maxNewTokens: 100 }, LIMITS)).toMatchObject({ finish: "stop_sequence", text: "alpha beta." });
  });
});

describe("template_error for non-alternating roles", () => {
  test.each([
    ["two user turns", [{ role: "user", content: "a" }, { role: "user", content: "b" }]],
    ["assistant first", [{ role: "assistant", content: "a" }]],
    ["system after the first turn", [{ role: "user", content: "a" }, { role: "assistant", content: "b" }, { role: "system", content: "c" }]],
  ])("%s → 422 template_error", async (_n, messages) => {
    const h = await emu();
    await expect422(h, chat({}, messages), "Template error: syntax error: Conversation roles must alternate user/assistant/user/assistant/... (in <string>:15)", "template_error");
  });

  test("a leading system message is folded into the first user turn (accepted)", async () => {
    const h = await emu();
    const r = await post(h, "/v1/chat/completions", chat({}, [{ role: "system", content: "be brief" }, { role: "user", content: QUESTION }]));
    expect(r.status).toBe(200);
  });
});

describe("parameter types and ranges", () => {
  test.each([
    [{ seed: -1 }, /^Failed to deserialize the JSON body into the target type: seed: invalid value: integer `-1`, expected u64 at line 1 column \d+$/],
    [{ seed: 1.5 }, /seed: invalid type: floating point `1\.5`, expected u64/],
    [{ max_tokens: -3 }, /max_tokens: invalid value: integer `-3`, expected u32/],
    [{ stop: "END" }, /stop: invalid type: string "END", expected a sequence/],
    [{ stream: null }, /stream: invalid type: null, expected a boolean/],
  ])("%j → 422 text from the JSON extractor", async (extra, text) => {
    const h = await emu();
    await expectDeserialize422(h, chat(extra), text);
  });

  test("the column is the position after the offending value", async () => {
    const h = await emu();
    const body = '{"messages":[{"role":"user","content":"x"}],"seed":-1}';
    const r = await post(h, "/v1/chat/completions", body);
    expect(await r.text()).toBe(`Failed to deserialize the JSON body into the target type: seed: invalid value: integer \`-1\`, expected u64 at line 1 column ${body.indexOf("-1") + 2}`);
  });

  test("a u64 seed above 2^53 is accepted", async () => {
    const h = await emu();
    expect((await post(h, "/v1/chat/completions", chat({ seed: 2 ** 60 }))).status).toBe(200);
  });

  test.each([
    [{ stop: ["a", "b", "c", "d", "e"] }, "`stop` supports up to 4 stop sequences. Given: 5"],
    [{ frequency_penalty: 2.5 }, "`frequency_penalty` must be >= -2.0 and <= 2.0"],
    [{ frequency_penalty: -2.01 }, "`frequency_penalty` must be >= -2.0 and <= 2.0"],
    [{ presence_penalty: -2 }, "`repetition_penalty` must be strictly positive"],
    [{ temperature: -0.5 }, "`temperature` must be strictly positive"],
    [{ top_p: 1 }, "`top_p` must be > 0.0 and < 1.0"],
    [{ top_logprobs: 6 }, "`top_n_tokens` must be >= 0 and <= 5. Given: 6"],
    [{ max_tokens: 0 }, "`max_new_tokens` must be strictly positive"],
  ])("%j → 422 validation", async (extra, msg) => {
    const h = await emu();
    await expect422(h, chat(extra), `Input validation error: ${msg}`);
  });

  test("in range: 4 stop sequences, penalties ±2, temperature 0 (greedy)", async () => {
    const h = await emu();
    const r = await post(h, "/v1/chat/completions", chat({ stop: ["x1", "x2", "x3", "x4"], frequency_penalty: -2, presence_penalty: 1, temperature: 0 }));
    expect(r.status).toBe(200);
  });
});

const SCHEMA = { type: "object", properties: { answer: { type: "string", enum: ["A", "B", "C", "D"] } }, required: ["answer"] };

describe("response_format shapes", () => {
  test.each([
    ["json", { type: "json", value: SCHEMA }],
    ["json_object (alias)", { type: "json_object", value: SCHEMA }],
    ["json as a string", { type: "json", value: JSON.stringify(SCHEMA) }],
    ["json_schema (3.3.0)", { type: "json_schema", value: { name: "pick", schema: SCHEMA } }],
    ["json_schema without name", { type: "json_schema", value: { schema: SCHEMA } }],
    ["regex", { type: "regex", value: "Answer: [ABCD]" }],
  ])("%s is accepted", async (_n, rf) => {
    const h = await emu();
    const r = await post(h, "/v1/chat/completions", chat({ response_format: rf }));
    expect(r.status).toBe(200);
    const content = ((await r.json()) as { choices: { message: { content: string } }[] }).choices[0]!.message.content;
    if (rf.type !== "regex") expect(["A", "B", "C", "D"]).toContain((JSON.parse(content) as { answer: string }).answer);
  });

  test.each([
    ["OpenAI's json_schema shape", { type: "json_schema", json_schema: { name: "pick", schema: SCHEMA } }, /^Failed to deserialize the JSON body into the target type: response_format: missing field `value` at line 1 column \d+$/],
    ["OpenAI's text type", { type: "text" }, /response_format\.type: unknown variant `text`, expected one of `json`, `json_object`, `regex`, `json_schema`/],
    ["json_schema without schema", { type: "json_schema", value: { name: "x" } }, /response_format\.value: missing field `schema`/],
  ])("%s → 422", async (_n, rf, text) => {
    const h = await emu();
    await expectDeserialize422(h, chat({ response_format: rf }), text);
  });

  test("a non-object, non-string json value → grammar is not supported", async () => {
    const h = await emu();
    await expect422(h, chat({ response_format: { type: "json", value: 42 } }), "Input validation error: grammar is not supported");
  });

  test("response_format with tools → tool_error", async () => {
    const h = await emu();
    const tools = [{ type: "function", function: { name: "f", parameters: {} } }];
    await expect422(h, chat({ response_format: { type: "json", value: SCHEMA }, tools }), "Tool error: Grammar and tools are mutually exclusive", "tool_error");
  });
});

describe("grammar restrictions (outlines-core)", () => {
  test("a type-union grammar → TGI's 422", async () => {
    const h = await emu();
    const value = { type: "object", properties: { age: { type: ["number", "string", "null"] } }, required: ["age"] };
    await expect422(h, chat({ response_format: { type: "json", value } }), "Input validation error: cannot compile regex from schema: 'type' must be a string");
  });

  test("the same union as anyOf compiles", async () => {
    const h = await emu();
    const value = { type: "object", properties: { age: { anyOf: [{ type: "number" }, { type: "string" }, { type: "null" }] } }, required: ["age"] };
    expect((await post(h, "/v1/chat/completions", chat({ response_format: { type: "json", value } }))).status).toBe(200);
  });

  test("no top-level properties → Grammar must have a 'properties' field", async () => {
    const h = await emu();
    const value = { anyOf: [SCHEMA] };
    await expect422(h, chat({ response_format: { type: "json", value } }), "Input validation error: grammar is not valid: Grammar must have a 'properties' field");
  });

  test("an invalid JSON Schema → grammar is not valid", async () => {
    const h = await emu();
    const value = { type: "object", properties: { a: { type: "text" } } };
    await expect422(h, chat({ response_format: { type: "json", value } }), `Input validation error: grammar is not valid: "text" is not valid under any of the schemas listed in the 'anyOf' keyword`);
  });

  test.each([
    [{ type: ["string", "null"] }, "'type' must be a string"],
    [{ type: "string", format: "email" }, "Format email is not supported by Outlines"],
    [{ $ref: "other.json#/x" }, "External references are not supported: other.json#/x"],
    [{ $ref: "#/$defs/missing" }, "Invalid reference path: $defs"],
    [{ enum: [{ a: 1 }] }, 'Unsupported data type in enum: {"a":1}'],
    [{ description: "no keyword" }, /^Unsupported JSON Schema structure/],
    [{ type: "string", minLength: 5, maxLength: 2 }, "maxLength must be greater than or equal to minLength"],
    [{ type: "integer", minDigits: 5, maxDigits: 2 }, "max bound must be greater than or equal to min bound"],
    [{ type: "array", items: { type: ["a"] } }, "'type' must be a string"],
    [{ type: "tuple" }, "Unsupported type: tuple"],
  ])("outlinesError(%j)", (node, msg) => {
    const e = outlinesError(node);
    if (typeof msg === "string") expect(e).toBe(msg);
    else expect(e).toMatch(msg);
  });

  test.each([
    { type: "object", properties: { a: { type: "string", enum: ["x"] } } },
    { type: "array", items: { anyOf: [{ type: "string" }, { type: "null" }] }, maxItems: 3 },
    { $defs: { d: { type: "integer" } }, $ref: "#/$defs/d" },
    { type: "object", additionalProperties: { type: "number" } },
    {},
  ])("compiles: %j", (node) => {
    expect(outlinesError(node)).toBeNull();
  });
});

describe("batch-correlated 424 and /health", () => {
  test("a 424 fails every request of the running batch and /health answers 503 until the shard recovers", async () => {
    const h = await emu({ latency: "a100", timeScale: 10, faultAt: { 3: "424" }, unhealthyS: 60 });
    expect((await fetch(`${h.origin}/health`)).status).toBe(200);
    const long = chat({ max_tokens: 1024 });
    const first = [post(h, "/v1/chat/completions", long), post(h, "/v1/chat/completions", { ...long, messages: [{ role: "user", content: QUESTION + " (2)" }] })];
    // Wait until both are decoding, then the third request breaks the batch.
    for (let i = 0; i < 5000 && h.stats().running < 2; i++) await new Promise((r) => setTimeout(r, 1));
    expect(h.stats().running).toBe(2);
    const third = await post(h, "/v1/chat/completions", chat());
    const rs = await Promise.all(first);
    const bodies = await Promise.all([third, ...rs].map((r) => r.json()));
    expect([third, ...rs].map((r) => r.status)).toEqual([424, 424, 424]);
    for (const b of bodies) expect(b).toEqual({ error: "Request failed during generation: Server error: CUDA error: an illegal memory access was encountered", error_type: "generation" });
    const health = await fetch(`${h.origin}/health`);
    expect(health.status).toBe(503);
    expect(await health.json()).toEqual({ error: "unhealthy", error_type: "healthcheck" });
    h.setOptions({ timeScale: 1_000_000 });
    await new Promise((r) => setTimeout(r, 1)); // 1 real ms = 1000 emulated s: past unhealthyS
    expect((await fetch(`${h.origin}/health`)).status).toBe(200);
    expect(h.stats().brokenBatches).toBe(1);
  });
});

describe("model echo", () => {
  test.each([
    ["tgi", "google/medgemma-27b-text-it"],
    [undefined, "google/medgemma-27b-text-it"],
    ["my-alias", "my-alias"],
  ])("model %s → %s", async (model, echoed) => {
    const h = await emu();
    const body: Record<string, unknown> = chat();
    if (model === undefined) delete body.model;
    else body.model = model;
    const r = (await (await post(h, "/v1/chat/completions", body)).json()) as { model: string };
    expect(r.model).toBe(echoed);
  });
});

describe("/generate and /chat_tokenize", () => {
  test("/generate answers {generated_text, details} with TGI's finish reasons", async () => {
    const h = await emu();
    const r = await post(h, "/generate", { inputs: QUESTION, parameters: { max_new_tokens: 3, details: true } });
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ generated_text: expect.any(String), details: { finish_reason: "length", generated_tokens: 3 } });
    const plain = (await (await post(h, "/generate", { inputs: QUESTION })).json()) as Record<string, unknown>;
    expect(Object.keys(plain)).toEqual(["generated_text"]);
    expect(r.headers.get("x-prompt-tokens")).toBe(String(Math.ceil(QUESTION.length / 4) + 1));
  });

  test("/generate validates like chat (top_p 1, empty inputs)", async () => {
    const h = await emu();
    const bad = await post(h, "/generate", { inputs: "x", parameters: { top_p: 1 } });
    expect([bad.status, await bad.json()]).toEqual([422, { error: "Input validation error: `top_p` must be > 0.0 and < 1.0", error_type: "validation" }]);
    const empty = await post(h, "/generate", { inputs: "" });
    expect(await empty.json()).toEqual({ error: "Input validation error: `inputs` cannot be empty", error_type: "validation" });
  });

  test("/chat_tokenize returns the rendered Gemma prompt and as many token ids as usage.prompt_tokens", async () => {
    const h = await emu();
    const messages = [{ role: "system", content: "Be brief." }, { role: "user", content: QUESTION }];
    const tok = (await (await post(h, "/chat_tokenize", { model: "tgi", messages })).json()) as { templated_text: string; tokenize_response: { id: number }[] };
    expect(tok.templated_text).toBe(`<bos><start_of_turn>user\nBe brief.\n\n${QUESTION}<end_of_turn>\n<start_of_turn>model\n`);
    const c = (await (await post(h, "/v1/chat/completions", chat({}, messages))).json()) as { usage: { prompt_tokens: number } };
    expect(tok.tokenize_response).toHaveLength(c.usage.prompt_tokens);
    const bad = await post(h, "/chat_tokenize", { messages: [{ role: "assistant", content: "x" }] });
    expect(bad.status).toBe(422);
  });
});

describe("streaming", () => {
  test("the openai SDK's stream reader gets chunks whose text equals the non-streamed answer, then usage", async () => {
    const h = await emu();
    const whole = await sdk(h).chat.completions.create({ ...chat(), stream: false } as never);
    const stream = await sdk(h).chat.completions.create({ ...chat(), stream: true, stream_options: { include_usage: true } } as never);
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    for await (const c of stream as unknown as AsyncIterable<OpenAI.Chat.Completions.ChatCompletionChunk>) chunks.push(c);
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? "").join("");
    const w = whole as unknown as OpenAI.Chat.Completions.ChatCompletion;
    expect(text).toBe(w.choices[0]!.message.content);
    expect(chunks.every((c) => c.object === "chat.completion.chunk")).toBe(true);
    const withChoice = chunks.filter((c) => c.choices.length > 0);
    expect(withChoice.at(-1)!.choices[0]!.finish_reason).toBe("stop");
    expect(withChoice.slice(0, -1).every((c) => c.choices[0]!.finish_reason === null)).toBe(true);
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: w.usage });
  });

  test("raw wire: data events, usage null in content chunks, [DONE] last, no usage chunk by default", async () => {
    const h = await emu();
    const r = await post(h, "/v1/chat/completions", chat({ stream: true, max_tokens: 3 }));
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toBe("text/event-stream");
    const events = (await r.text()).split("\n\n").filter(Boolean);
    expect(events.at(-1)).toBe("data: [DONE]");
    const json = events.slice(0, -1).map((e) => JSON.parse(e.replace(/^data: /, "")) as { usage: unknown; choices: { finish_reason: string | null }[] });
    expect(json).toHaveLength(3);
    expect(json.every((j) => j.usage === null)).toBe(true);
    expect(json.at(-1)!.choices[0]!.finish_reason).toBe("length");
  });

  test("an injected mid-stream 424 arrives inside HTTP 200 as TGI sends it, and the SDK throws it", async () => {
    const h = await emu({ faultAt: { 1: "424", 2: "424" } });
    const r = await post(h, "/v1/chat/completions", chat({ stream: true }));
    expect(r.status).toBe(200);
    const events = (await r.text()).split("\n\n").filter(Boolean);
    expect(events.length).toBeGreaterThan(2); // some tokens came out first
    expect(events.at(-2)).toBe(
      'data: {"error":{"message":"Request failed during generation: Server error: CUDA error: an illegal memory access was encountered","http_status_code":422}}',
    );
    expect(events.at(-1)).toBe("data: [DONE]");
    const stream = await sdk(h).chat.completions.create({ ...chat(), stream: true } as never);
    const err = await (async () => {
      try {
        for await (const _ of stream as unknown as AsyncIterable<unknown>) void _;
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(err).toBeInstanceOf(APIError);
    expect((err as APIError).message).toContain("Request failed during generation");
  });

  test("validation and overload errors of a streamed request are events too; template errors are HTTP 422", async () => {
    const h = await emu();
    const tooLong = await post(h, "/v1/chat/completions", chat({ stream: true, top_p: 1 }));
    expect(tooLong.status).toBe(200);
    expect(await tooLong.text()).toBe('data: {"error":{"message":"Input validation error: `top_p` must be > 0.0 and < 1.0","http_status_code":422}}\n\ndata: [DONE]\n\n');
    h.setOptions({ overloadRate: 1 });
    expect(await (await post(h, "/v1/chat/completions", chat({ stream: true }))).text()).toContain('"message":"Model is overloaded"');
    h.setOptions({ overloadRate: 0 });
    const tmpl = await post(h, "/v1/chat/completions", chat({ stream: true }, [{ role: "assistant", content: "x" }]));
    expect(tmpl.status).toBe(422);
  });

  test("a100 latency: the GPU model reports tokens as they come out (first after prefill), before the end", async () => {
    // Virtual time (a discrete-event clock): deterministic, no real waiting.
    const clock = new VirtualClock();
    const gpu = new GpuScheduler(clock as unknown as EmulatedClock, () => A100_MEDGEMMA_27B);
    const seen: Array<[tokens: number, atMs: number]> = [];
    let t: Awaited<ReturnType<GpuScheduler["run"]>> = null;
    void gpu.run(3000, 64, 4000, undefined, { every: 8, onTokens: (k) => seen.push([k, clock.now()]) }).then((x) => (t = x));
    await clock.drain();
    expect(t).not.toBeNull();
    expect(seen.map(([k]) => k)).toEqual([1, 9, 17, 25, 33, 41, 49, 57]);
    expect(seen[0]![1]).toBeCloseTo(prefillMs(3000) + 1000 / perSequenceTokPerS(1), 6); // first token after the prefill
    expect(seen.at(-1)![1]).toBeLessThan(t!.inferenceMs);
  });
});

/** Discrete-event clock with the EmulatedClock interface the scheduler uses. */
class VirtualClock {
  t = 0;
  timers: Array<{ at: number; resolve: () => void; dead: boolean }> = [];
  get timeScale(): number {
    return 1e-9;
  }
  now(): number {
    return this.t;
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = { at: this.t + Math.max(0, ms), resolve, dead: false };
      this.timers.push(timer);
      signal?.addEventListener("abort", () => ((timer.dead = true), resolve()), { once: true });
    });
  }
  async drain(): Promise<void> {
    const flush = () => new Promise((r) => setImmediate(r));
    await flush();
    for (;;) {
      this.timers = this.timers.filter((x) => !x.dead);
      if (this.timers.length === 0) return;
      this.timers.sort((x, y) => x.at - y.at);
      const timer = this.timers.shift()!;
      this.t = Math.max(this.t, timer.at);
      timer.resolve();
      await flush();
    }
  }
}

describe("paused endpoint", () => {
  test.each(["/v1/chat/completions", "/health", "/info", "/chat_tokenize"])("%s → 400 Bad Request: Invalid state", async (path) => {
    const h = await emu({ paused: true });
    const r = path === "/health" || path === "/info" ? await fetch(`${h.origin}${path}`) : await post(h, path, chat());
    expect(r.status).toBe(400);
    expect(await r.json()).toEqual({ error: "Bad Request: Invalid state" });
  });

  test("resuming serves again", async () => {
    const h = await emu({ paused: true });
    h.setOptions({ paused: false });
    expect((await post(h, "/v1/chat/completions", chat())).status).toBe(200);
  });
});
