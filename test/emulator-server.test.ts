// The TGI emulator over real HTTP on loopback. Prompt tokens come from an injected counter (the real
// Gemma tokenizer takes seconds to load); emulated waits use a large time scale.
import OpenAI from "openai";
import { afterEach, describe, expect, test } from "vitest";
import { z } from "zod";
import { startEmulator, serviceTimeMs, type EmulatorHandle, type EmulatorOptions } from "../src/emulator/server.js";
import { JSON_SCHEMA_MARKER, type ChatMessage } from "../src/endpoint/types.js";

const VIGNETTE = [
  "A 52-year-old gardener has an itchy rash on both forearms after pulling weeds, with linear vesicles.",
  "Which is the most likely cause?",
  "A. Scabies infestation",
  "B. Contact dermatitis from weeds with linear vesicles",
  "C. Psoriasis",
  "D. Tinea corporis",
].join("\n");

const STEP = z.object({ answer: z.enum(["A", "B", "C", "D"]), rationale: z.string().min(10), cues: z.array(z.string()).min(1).max(3) });
const STEP_SCHEMA = z.toJSONSchema(STEP) as Record<string, unknown>;

/** Fixed-size token counter: lets tests pick prompt lengths exactly. */
const fixed = (n: number) => () => n;
const chars4 = (ms: ChatMessage[]) => ms.reduce((n, m) => n + Math.ceil(m.content.length / 4) + 4, 2);

const open: EmulatorHandle[] = [];
async function emu(o: Partial<EmulatorOptions> = {}): Promise<EmulatorHandle> {
  const h = await startEmulator({ countTokens: chars4, ...o });
  open.push(h);
  return h;
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((h) => h.close()));
});

function post(h: EmulatorHandle, body: unknown, headers: Record<string, string> = {}, signal?: AbortSignal): Promise<Response> {
  return fetch(`${h.url}/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
    ...(signal ? { signal } : {}),
  });
}
const ask = (content = VIGNETTE, extra: Record<string, unknown> = {}) => ({ model: "tgi", messages: [{ role: "user", content }], max_tokens: 512, ...extra });
const client = (h: EmulatorHandle, apiKey = "-") => new OpenAI({ baseURL: h.url, apiKey, maxRetries: 0, timeout: 5000 });

describe("routes and shapes", () => {
  test("chat completion via the openai SDK has TGI's shape and the baseline answer", async () => {
    const h = await emu();
    const r = await client(h).chat.completions.create({ model: "tgi", messages: [{ role: "user", content: VIGNETTE }], max_tokens: 300, temperature: 0 });
    expect(r).toMatchObject({ object: "chat.completion", id: "", model: "google/medgemma-27b-text-it", choices: [{ index: 0, logprobs: null, finish_reason: "stop", message: { role: "assistant" } }] });
    expect(r.system_fingerprint).toMatch(/^3\.3\.6-sha-/);
    expect(r.choices[0]?.message.content?.split("\n").at(-1)).toBe("Answer: B");
    expect(r.usage).toEqual({ prompt_tokens: chars4([{ role: "user", content: VIGNETTE }]), completion_tokens: expect.any(Number), total_tokens: expect.any(Number) });
    expect(r.usage!.total_tokens).toBe(r.usage!.prompt_tokens + r.usage!.completion_tokens);
    const models = await client(h).models.list();
    expect(models.data.map((m) => m.id)).toEqual(["google/medgemma-27b-text-it"]);
  });

  test("/info, /health, TGI timing headers", async () => {
    const h = await emu();
    const info = (await (await fetch(`${h.origin}/info`)).json()) as Record<string, unknown>;
    expect(info).toMatchObject({ model_id: "google/medgemma-27b-text-it", max_input_tokens: 12288, max_total_tokens: 16384, max_concurrent_requests: 128, version: "3.3.6" });
    expect(typeof info.model_sha).toBe("string");
    expect((await fetch(`${h.origin}/health`)).status).toBe(200);
    const r = await post(h, ask());
    for (const k of ["x-queue-time", "x-inference-time", "x-compute-time", "x-time-per-token", "x-total-time"]) expect(r.headers.get(k), k).toMatch(/^\d+(\.\d+)?$/);
    expect((await fetch(`${h.origin}/nope`)).status).toBe(404);
  });

  test("same request → same answer, across emulator instances", async () => {
    const [a, b] = [await emu(), await emu()];
    const texts = await Promise.all([a, a, b].map(async (h) => ((await (await post(h, ask())).json()) as { choices: { message: { content: string } }[] }).choices[0]?.message.content));
    expect(new Set(texts).size).toBe(1);
  });

  test("max_tokens cuts the answer with finish_reason length", async () => {
    const h = await emu();
    const r = await client(h).chat.completions.create({ model: "tgi", messages: [{ role: "user", content: VIGNETTE }], max_tokens: 5 });
    expect(r.choices[0]?.finish_reason).toBe("length");
    expect(r.usage?.completion_tokens).toBe(5);
    expect(r.choices[0]?.message.content?.length).toBe(20);
  });

  test("/metrics counts responses by status and tokens", async () => {
    const h = await emu();
    await post(h, ask());
    await post(h, ask());
    await post(h, ask(VIGNETTE, { top_p: 1 }));
    const text = await (await fetch(`${h.origin}/metrics`)).text();
    expect(text).toContain('emulator_requests_total{status="200"} 2');
    expect(text).toContain('emulator_requests_total{status="422"} 1');
    expect(text).toMatch(/emulator_in_flight_requests 0/);
    const st = h.stats();
    expect(text).toContain(`emulator_prompt_tokens_total ${st.promptTokens}`);
    expect(st).toMatchObject({ total: 3, status422: 1, requests: { "200": 2, "422": 1 } });
    expect(st.totalTokens).toBe(st.promptTokens + st.completionTokens);
  });
});

describe("validation (TGI's 422s)", () => {
  test.each([
    { name: "top_p 1", count: 100, extra: { top_p: 1 }, error: "Input validation error: `top_p` must be > 0.0 and < 1.0" },
    { name: "over max_input_tokens", count: 13000, extra: {}, error: "Input validation error: `inputs` must have less than 12288 tokens. Given: 13000" },
    {
      // TGI ≥ 3.1.1 checks input + min(max_tokens, 1024) against max_total_tokens, BEFORE the input length.
      name: "input + min(max_tokens, 1024) over max_total_tokens, checked before max_input_tokens",
      count: 15500,
      extra: { max_tokens: 5000 },
      error: "Input validation error: `inputs` tokens + `max_new_tokens` must be <= 16384. Given: 15500 `inputs` tokens and 1024 `max_new_tokens`",
    },
  ])("$name", async ({ count, extra, error }) => {
    const h = await emu({ countTokens: fixed(count) });
    const r = await post(h, ask(VIGNETTE, extra));
    expect(r.status).toBe(422);
    expect(await r.json()).toEqual({ error, error_type: "validation" });
  });

  test("openai SDK surfaces the 422 as an APIError", async () => {
    const h = await emu();
    await expect(client(h).chat.completions.create({ model: "tgi", messages: [{ role: "user", content: "x" }], top_p: 1 })).rejects.toMatchObject({ status: 422 });
  });
});

describe("JSON answers", () => {
  test("grammar mode: bare JSON valid against the zod schema, answer from the baseline", async () => {
    const h = await emu();
    const r = await client(h).chat.completions.create({
      model: "tgi",
      messages: [{ role: "user", content: VIGNETTE }],
      max_tokens: 800,
      // TGI's grammar shape, not OpenAI's json_schema.
      response_format: { type: "json", value: STEP_SCHEMA } as never,
    });
    const text = r.choices[0]?.message.content ?? "";
    expect(text.startsWith("{")).toBe(true);
    expect(STEP.parse(JSON.parse(text)).answer).toBe("B");
  });

  test("prompt mode: schema after the marker, answer possibly fenced, valid after unfencing", async () => {
    const h = await emu();
    for (let i = 0; i < 6; i++) {
      const content = `${VIGNETTE}\nCase ${i}.\n\n${JSON_SCHEMA_MARKER}\n\`\`\`json\n${JSON.stringify(STEP_SCHEMA)}\n\`\`\``;
      const body = (await (await post(h, ask(content, { max_tokens: 800 }))).json()) as { choices: { message: { content: string } }[] };
      const text = body.choices[0]?.message.content ?? "";
      const json = text.replace(/^```json\n([\s\S]*)\n```$/, "$1");
      expect(STEP.parse(JSON.parse(json)).answer).toBe("B");
    }
  });

  test("invalidJsonRate 1: grammar answers come back truncated with finish_reason length", async () => {
    const h = await emu({ invalidJsonRate: 1 });
    const r = (await (await post(h, ask(VIGNETTE, { response_format: { type: "json", value: STEP_SCHEMA } }))).json()) as {
      choices: { message: { content: string }; finish_reason: string }[];
    };
    expect(r.choices[0]?.finish_reason).toBe("length");
    expect(() => JSON.parse(r.choices[0]?.message.content ?? "")).toThrow();
  });
});

describe("capacity and auth", () => {
  test("429 beyond maxConcurrentRequests while others are in flight", async () => {
    const h = await emu({ maxConcurrentRequests: 2, faultAt: { 1: "stall", 2: "stall" } });
    const ac = new AbortController();
    const stalled = [post(h, ask(), {}, ac.signal), post(h, ask(), {}, ac.signal)].map((p) => p.catch((e: unknown) => e));
    await until(() => h.stats().stalls === 2);
    const r = await post(h, ask());
    expect(r.status).toBe(429);
    expect(await r.json()).toEqual({ error: "Model is overloaded", error_type: "overloaded" });
    ac.abort();
    await Promise.all(stalled);
    await until(() => h.stats().inFlight === 0);
    expect(h.stats()).toMatchObject({ maxInFlight: 3, status429: 1 });
    expect((await post(h, ask())).status).toBe(200);
  });

  test("overloadRate 1 answers every request 429", async () => {
    const h = await emu({ overloadRate: 1 });
    await expect(client(h).chat.completions.create({ model: "tgi", messages: [{ role: "user", content: "x" }] })).rejects.toMatchObject({ status: 429 });
  });

  test.each([
    { name: "no token", key: undefined, gated: false, status: 401 },
    { name: "wrong token", key: "nope", gated: false, status: 401 },
    { name: "right token", key: "s3cret", gated: false, status: 200 },
    { name: "gated", key: "s3cret", gated: true, status: 403 },
  ])("auth: $name → $status", async ({ key, gated, status }) => {
    const h = await emu({ requireToken: "s3cret", gated });
    const r = await post(h, ask(), key ? { authorization: `Bearer ${key}` } : {});
    expect(r.status).toBe(status);
    expect(await r.text()).not.toContain("s3cret");
  });
});

describe("scale to zero", () => {
  test("cold: 503 to requests and /health while starting, then ready after coldStartS", async () => {
    const h = await emu({ timeScale: 1000, coldStartS: 300 });
    h.goCold();
    expect((await post(h, ask())).status).toBe(503);
    expect((await fetch(`${h.origin}/health`)).status).toBe(503);
    expect(h.stats()).toMatchObject({ state: "starting", coldStarts: 1, status503: 1 });
    // Held until the replica is ready (300 emulated s = 0.3 real s), then served normally.
    const held = await post(h, ask(), { "X-Scale-Up-Timeout": "400" });
    expect(held.status).toBe(200);
    expect((await fetch(`${h.origin}/health`)).status).toBe(200);
    expect(h.stats().coldStarts).toBe(1);
  });

  test("X-Scale-Up-Timeout shorter than the start → 503 after the timeout", async () => {
    const h = await emu({ timeScale: 1000, coldStartS: 600, startCold: true });
    const r = await post(h, ask(), { "X-Scale-Up-Timeout": "20" });
    expect(r.status).toBe(503);
    expect(h.stats().state).toBe("starting");
  });

  test("idleTimeoutS scales to zero after idle emulated time", async () => {
    const h = await emu({ timeScale: 1, idleTimeoutS: 5, coldStartS: 300 });
    expect((await post(h, ask())).status).toBe(200);
    expect(h.stats().state).toBe("warm");
    h.setOptions({ timeScale: 100_000 }); // 5 emulated s now pass in 0.05 real ms
    await until(() => h.stats().state === "cold");
    expect((await fetch(`${h.origin}/health`)).status).toBe(503);
  });
});

describe("faults", () => {
  test("500, 502, 504, 424 at given request numbers", async () => {
    const h = await emu({ faultAt: { 1: "500", 2: "502", 3: "504", 4: "424" } });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await post(h, ask())).status);
    expect(statuses).toEqual([500, 502, 504, 424, 200]);
  });

  test("424 body is TGI's generation error", async () => {
    const h = await emu({ faultAt: { 1: "424" } });
    const body = (await (await post(h, ask())).json()) as { error: string; error_type: string };
    expect(body.error_type).toBe("generation");
    expect(body.error).toMatch(/^Request failed during generation: /);
  });

  test("reset destroys the connection (SDK: connection error)", async () => {
    const h = await emu({ faultAt: { 1: "reset" } });
    await expect(client(h).chat.completions.create({ model: "tgi", messages: [{ role: "user", content: VIGNETTE }] })).rejects.toBeInstanceOf(
      OpenAI.APIConnectionError,
    );
    expect(h.stats().resets).toBe(1);
  });

  test("stall never answers until the client gives up", async () => {
    const h = await emu({ faultAt: { 1: "stall" } });
    const ac = new AbortController();
    const p = post(h, ask(), {}, ac.signal).then(
      () => "answered",
      () => "aborted",
    );
    await until(() => h.stats().stalls === 1);
    ac.abort();
    expect(await p).toBe("aborted");
  });

  test("truncated and invalid_json damage the answer", async () => {
    const h = await emu({ faultAt: { 1: "truncated", 2: "invalid_json" } });
    const content = `${VIGNETTE}\n\n${JSON_SCHEMA_MARKER}\n\`\`\`json\n${JSON.stringify(STEP_SCHEMA)}\n\`\`\``;
    type Body = { choices: { message: { content: string }; finish_reason: string }[] };
    const a = (await (await post(h, ask(content))).json()) as Body;
    const b = (await (await post(h, ask(content))).json()) as Body;
    expect(a.choices[0]?.finish_reason).toBe("length");
    expect(() => JSON.parse(a.choices[0]?.message.content ?? "")).toThrow();
    expect(b.choices[0]?.finish_reason).toBe("stop");
    expect(() => JSON.parse(b.choices[0]?.message.content ?? "")).toThrow();
  });

  test("faultSteps fails only requests tagged with that step", async () => {
    const h = await emu({ faultSteps: { drugs: "502" } });
    expect((await post(h, ask(), { "X-Harness-Step": "drugs" })).status).toBe(502);
    expect((await post(h, ask(), { "X-Harness-Step": "reason" })).status).toBe(200);
    expect((await post(h, ask())).status).toBe(200);
  });

  test("faultRate draws are deterministic per seed", async () => {
    const run = async () => {
      const h = await emu({ faultRate: 0.5, faultKinds: ["500", "502"], faultSeed: "s1" });
      const out: number[] = [];
      for (let i = 0; i < 12; i++) out.push((await post(h, ask())).status);
      return out;
    };
    const [a, b] = [await run(), await run()];
    expect(a).toEqual(b);
    expect(new Set(a).size).toBeGreaterThan(1);
  });
});

describe("a100 latency", () => {
  test("single request takes ≈ serviceTimeMs and reports it in headers", async () => {
    const h = await emu({ latency: "a100", timeScale: 20, countTokens: fixed(3000) });
    const r = await post(h, ask());
    const gen = Number(r.headers.get("x-generated-tokens"));
    const inference = Number(r.headers.get("x-inference-time"));
    const ideal = serviceTimeMs(3000, gen, 1);
    // Never faster than the service model (a lower bound holds under any load; an upper one is wall-clock luck).
    expect(inference).toBeGreaterThanOrEqual(ideal - 30);
    expect(Number(r.headers.get("x-queue-time"))).toBeGreaterThanOrEqual(0);
  });

  test("requests that do not fit the KV budget wait in the queue (FIFO)", async () => {
    const gpu = { prefillTokPerS: 3000, stepBaseMs: 35.7, stepPerSeqMs: 2.2, aggregateCapTokPerS: 400, kvBudgetTokens: 2000 };
    const h = await emu({ latency: "a100", timeScale: 100, gpu, countTokens: fixed(500) });
    const [r1, r2] = await Promise.all([post(h, ask(VIGNETTE, { max_tokens: 1000 })), post(h, ask(VIGNETTE + " ", { max_tokens: 1000 }))]);
    const q = [r1, r2].map((r) => Number(r.headers.get("x-queue-time"))).sort((x, y) => x - y);
    const inf1 = Number(r1.headers.get("x-inference-time"));
    // The second waited for the first's KV budget (a lower bound: load can only add to it).
    expect(q[1]).toBeGreaterThan(inf1 * 0.7);
  });
});

/** Polls a condition on the emulator's state (no fixed sleeps). */
async function until(cond: () => boolean, timeoutMs = 1500): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!cond()) {
    if (performance.now() > end) throw new Error("condition not reached");
    await new Promise((r) => setTimeout(r, 2));
  }
}
