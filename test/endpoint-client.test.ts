import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { AUTH_HINT, createEndpointClient, fetchEndpointInfo, type ClientEvent, type EndpointClientOptions } from "../src/endpoint/client.js";
import { EndpointError, type ChatRequest } from "../src/endpoint/types.js";
import { chatTokenBound } from "../src/tokenizer/bound.js";

// ---- a tiny TGI-like stub on 127.0.0.1 ----

interface Seen {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown> | null;
}
type Reply = { status: number; body?: unknown; headers?: Record<string, string> } | "hang";
type Handler = (req: Seen, n: number) => Reply;

interface Stub {
  url: string;
  seen: Seen[];
  chats: () => Seen[];
  close: () => Promise<void>;
}

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

async function startStub(handler: Handler): Promise<Stub> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    let raw = "";
    req.on("data", (c: Buffer) => (raw += c.toString()));
    req.on("end", () => {
      const s: Seen = {
        method: req.method ?? "",
        path: (req.url ?? "").split("?")[0] ?? "",
        headers: req.headers,
        body: raw ? (JSON.parse(raw) as Record<string, unknown>) : null,
      };
      seen.push(s);
      const reply = handler(s, seen.length);
      if (reply === "hang") return;
      res.writeHead(reply.status, { "content-type": "application/json", ...reply.headers });
      res.end(reply.body === undefined ? "" : JSON.stringify(reply.body));
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    seen,
    chats: () => seen.filter((s) => s.path === "/v1/chat/completions"),
    close: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

const completion = (content = "Answer: B", finish = "stop") => ({
  status: 200,
  body: {
    id: "x",
    object: "chat.completion",
    created: 0,
    model: "tgi",
    system_fingerprint: "3.3.6-native",
    choices: [{ index: 0, message: { role: "assistant", content }, logprobs: null, finish_reason: finish }],
    usage: { prompt_tokens: 42, completion_tokens: 7, total_tokens: 49 },
  },
});
const tgiError = (status: number, error: string, error_type: string, headers?: Record<string, string>): Reply => ({
  status,
  body: { error, error_type },
  ...(headers ? { headers } : {}),
});
const OVERLOADED = tgiError(429, "Model is overloaded", "overloaded");
const COLD = tgiError(503, "Service Unavailable", "unavailable");
const TOO_LONG = tgiError(422, "Input validation error: `inputs` must have less than 12288 tokens. Given: 13000", "validation");

// ---- a fake clock: sleeps return at once and advance time; waits are recorded ----

function fakeTime() {
  const clock = { t: 0, waits: [] as number[] };
  const sleep = async (ms: number, signal?: AbortSignal) => {
    if (signal?.aborted) throw signal.reason;
    clock.waits.push(ms);
    clock.t += ms;
  };
  return { clock, sleep, now: () => clock.t };
}

const KEY = "hf_SECRETsecretSECRET123";
const REQ: ChatRequest = { messages: [{ role: "user", content: "Which drug?" }], tag: { case_id: "c1", step: "answer" } };

function client(stub: { url: string }, extra: Partial<EndpointClientOptions> = {}) {
  const t = fakeTime();
  const events: ClientEvent[] = [];
  const c = createEndpointClient({
    baseUrl: stub.url,
    apiKey: KEY,
    sleep: t.sleep,
    now: t.now,
    random: () => 0.5,
    onEvent: (e) => events.push(e),
    ...extra,
  });
  return { c, clock: t.clock, events };
}

async function callError(p: Promise<unknown>): Promise<EndpointError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(EndpointError);
    return err as EndpointError;
  }
  throw new Error("expected the call to fail");
}

// ---- tests ----

describe("retries", () => {
  it.each([
    { name: "500", fail: tgiError(500, "boom", "server"), cls: "server_error" },
    { name: "502", fail: tgiError(502, "bad gateway", "proxy"), cls: "server_error" },
    { name: "424", fail: tgiError(424, "Request failed during generation: CUDA", "generation"), cls: "generation_error" },
  ])("retries $name with exponential full-jitter backoff, then succeeds", async ({ fail, cls }) => {
    const stub = await startStub((_r, n) => (n <= 2 ? fail : completion("ok")));
    const { c, clock, events } = client(stub, { retryBaseMs: 1000 });
    const res = await c.chat(REQ);
    expect(res).toMatchObject({ text: "ok", attempts: 3, finish_reason: "stop", tokens: { prompt: 42, completion: 7 }, cold_ms: 0 });
    // random() = 0.5 → half of 1000·2^0, then half of 1000·2^1
    expect(clock.waits).toEqual([500, 1000]);
    expect(events.filter((e) => e.type === "retry")).toEqual([
      { type: "retry", attempt: 1, errorClass: cls, status: fail !== "hang" ? fail.status : undefined, waitMs: 500, tag: REQ.tag },
      { type: "retry", attempt: 2, errorClass: cls, status: fail !== "hang" ? fail.status : undefined, waitMs: 1000, tag: REQ.tag },
    ]);
    expect(events.at(-1)).toMatchObject({ type: "success", attempts: 3 });
  });

  it("honours Retry-After on 429 and reports each overload", async () => {
    const stub = await startStub((_r, n) =>
      n === 1 ? tgiError(429, "Model is overloaded", "overloaded", { "retry-after": "7" }) : n === 2 ? OVERLOADED : completion(),
    );
    const { c, clock, events } = client(stub, { retryBaseMs: 1000 });
    await c.chat(REQ);
    expect(clock.waits).toEqual([7000, 1000]); // Retry-After, then jittered backoff (0.5 · 2000)
    expect(events.filter((e) => e.type === "overloaded")).toHaveLength(2);
  });

  it("caps waits at retryMaxMs", async () => {
    const stub = await startStub((_r, n) => (n === 1 ? tgiError(429, "x", "overloaded", { "retry-after": "3600" }) : completion()));
    const { c, clock } = client(stub, { retryMaxMs: 60_000 });
    await c.chat(REQ);
    expect(clock.waits).toEqual([60_000]);
  });

  it("gives up after maxRetries with the last status and class", async () => {
    const stub = await startStub(() => tgiError(500, "boom", "server"));
    const { c } = client(stub, { maxRetries: 2 });
    const err = await callError(c.chat(REQ));
    expect(err.errorClass).toBe("server_error");
    expect(err.status).toBe(500);
    expect(err.stats.attempts).toBe(3);
    expect(stub.chats()).toHaveLength(3);
  });

  it("a per-case retry budget is shared by the case's calls and fails them once spent", async () => {
    const stub = await startStub(() => tgiError(502, "bad gateway", "proxy"));
    const { c } = client(stub, { maxRetries: 6 });
    const budget = { remaining: 3 };
    const first = await callError(c.chat({ ...REQ, budget }));
    expect(first.stats.attempts).toBe(4); // 1 + the 3 retries the budget allows
    expect(first.message).toMatch(/retry budget is spent/);
    expect(budget.remaining).toBe(0);
    const second = await callError(c.chat({ ...REQ, budget }));
    expect(second.stats.attempts).toBe(1); // nothing left: no retry at all
    expect(stub.chats()).toHaveLength(5);
  });

  it.each([
    { reply: tgiError(400, "Template error: bad", "template_error"), cls: "validation" },
    { reply: tgiError(422, "Input validation error: `top_p` must be > 0.0 and < 1.0", "validation"), cls: "validation" },
    { reply: TOO_LONG, cls: "input_too_long" },
    {
      reply: tgiError(422, "Input validation error: `inputs` tokens + `max_new_tokens` must be <= 16384. Given: 12000 `inputs` tokens and 5000 `max_new_tokens`", "validation"),
      cls: "input_too_long",
    },
  ])("does not retry $reply.status ($cls)", async ({ reply, cls }) => {
    const stub = await startStub(() => reply);
    const { c, clock } = client(stub);
    const err = await callError(c.chat(REQ));
    expect(err.errorClass).toBe(cls);
    expect(err.stats.attempts).toBe(1);
    expect(stub.chats()).toHaveLength(1);
    expect(clock.waits).toEqual([]);
  });

  it("retries a request that times out", async () => {
    const stub = await startStub((_r, n) => (n === 1 ? "hang" : completion("late but fine")));
    // Generous: the answered second attempt must beat the timeout even on a loaded CI machine.
    const { c, events } = client(stub, { requestTimeoutMs: 400 });
    const res = await c.chat(REQ);
    expect(res.text).toBe("late but fine");
    expect(res.attempts).toBe(2);
    expect(events.find((e) => e.type === "retry")).toMatchObject({ errorClass: "timeout" });
  });

  it("a caller abort cancels without retrying", async () => {
    const stub = await startStub(() => "hang");
    const { c } = client(stub);
    const ctl = new AbortController();
    const p = c.chat(REQ, ctl.signal);
    while (stub.chats().length === 0) await new Promise((r) => setImmediate(r));
    ctl.abort();
    const err = await callError(p);
    expect(err.errorClass).toBe("cancelled");
    expect(stub.chats()).toHaveLength(1);
  });
});

describe("auth and secrecy", () => {
  it("401 fails at once as auth, with the gated-model hint and no key anywhere", async () => {
    // The stub even echoes the key back: it must still never surface.
    const stub = await startStub((r) => tgiError(401, `Invalid token ${String(r.headers.authorization)}`, "authentication"));
    const { c, events } = client(stub);
    const err = await callError(c.chat(REQ));
    expect(err.errorClass).toBe("auth");
    expect(err.status).toBe(401);
    expect(err.message).toContain(AUTH_HINT);
    expect(err.message).not.toContain(KEY);
    expect(JSON.stringify(err.stats)).not.toContain(KEY);
    expect(JSON.stringify(events)).not.toContain(KEY);
    expect(stub.chats()).toHaveLength(1);
    expect(stub.chats()[0]!.headers.authorization).toBe(`Bearer ${KEY}`);
  });

  it("403 is auth too", async () => {
    const stub = await startStub(() => tgiError(403, "Access restricted", "forbidden"));
    const { c } = client(stub);
    expect((await callError(c.chat(REQ))).errorClass).toBe("auth");
  });
});

describe("request body", () => {
  it.each([
    { name: "defaults", extra: {}, req: REQ, expected: { model: "tgi", temperature: 0 } },
    {
      name: "seed, max_tokens, grammar",
      extra: { seed: 7, maxTokens: 512, temperature: 0.2 },
      req: { ...REQ, response_format: { type: "json" as const, value: { type: "object", properties: { a: { type: "string" } } } } },
      expected: {
        model: "tgi",
        temperature: 0.2,
        seed: 7,
        max_tokens: 512,
        response_format: { type: "json", value: { type: "object", properties: { a: { type: "string" } } } },
      },
    },
  ])("sends only TGI-safe parameters ($name)", async ({ extra, req, expected }) => {
    const stub = await startStub(() => completion());
    const { c } = client(stub, extra);
    await c.chat(req);
    const body = stub.chats()[0]!.body!;
    expect(body).toMatchObject({ ...expected, messages: REQ.messages });
    expect(body).not.toHaveProperty("top_p");
    expect(body).not.toHaveProperty("presence_penalty");
    expect(body).not.toHaveProperty("tag");
    expect(body).toHaveProperty("temperature");
  });

  it("per-request max_tokens overrides the client default", async () => {
    const stub = await startStub(() => completion());
    const { c } = client(stub, { maxTokens: 512 });
    await c.chat({ ...REQ, max_tokens: 64 });
    expect(stub.chats()[0]!.body!.max_tokens).toBe(64);
  });
});

describe("token preflight", () => {
  const limits = { maxInputTokens: 130, maxTotalTokens: 150 };

  it("rejects an over-long input without sending anything", async () => {
    const stub = await startStub(() => completion());
    const { c } = client(stub, { limits, preflight: true, countChatTokens: async () => 131 });
    const err = await callError(c.chat(REQ));
    expect(err.errorClass).toBe("input_too_long");
    expect(err.stats.attempts).toBe(0);
    expect(stub.seen).toHaveLength(0);
  });

  it.each([
    { input: 120, requested: 1000, sent: 30 },
    { input: 120, requested: 10, sent: 10 },
    { input: 100, requested: undefined, sent: 50 },
  ])("clamps max_tokens to max_total − input (input $input, asked $requested → $sent)", async ({ input, requested, sent }) => {
    const stub = await startStub(() => completion());
    const { c } = client(stub, { limits, preflight: true, countChatTokens: async () => input });
    await c.chat({ ...REQ, ...(requested !== undefined ? { max_tokens: requested } : {}) });
    expect(stub.chats()[0]!.body!.max_tokens).toBe(sent);
  });

  describe("counts only when the byte bound cannot prove the limits", () => {
    // chatTokenBound(REQ.messages): "Which drug?" (11 bytes) + the template's "user\n", "\n", "model\n" (12 bytes)
    // + 4 special tokens = 27.
    const BOUND = 27;
    const counting = (n: number) => {
      const calls: number[] = [];
      return { calls, fn: async () => (calls.push(n), n) };
    };
    it("the bound of the test request is what the comment says", () => {
      expect(chatTokenBound(REQ.messages)).toBe(BOUND);
    });
    it.each([
      { maxTokens: 150 - BOUND, counted: false, why: "bound + max_tokens = max_total" },
      { maxTokens: 150 - BOUND + 1, counted: true, why: "bound + max_tokens = max_total + 1" },
    ])("max_tokens $maxTokens: counted=$counted ($why)", async ({ maxTokens, counted }) => {
      const stub = await startStub(() => completion());
      const counter = counting(20);
      const { c } = client(stub, { limits, preflight: true, countChatTokens: counter.fn });
      await c.chat({ ...REQ, max_tokens: maxTokens });
      expect(counter.calls).toHaveLength(counted ? 1 : 0);
      // Proven: sent as asked. Counted (20 tokens): clamped only if it exceeds the room, which 124 does not.
      expect(stub.chats()[0]!.body!.max_tokens).toBe(maxTokens);
    });
    it("an input whose bound exceeds max_input is counted, and sent when the exact count fits", async () => {
      const stub = await startStub(() => completion());
      const counter = counting(60);
      const { c } = client(stub, { limits, preflight: true, countChatTokens: counter.fn });
      await c.chat({ messages: [{ role: "user", content: "ab ".repeat(60) }], max_tokens: 500 });
      expect(counter.calls).toEqual([60]);
      expect(stub.chats()[0]!.body!.max_tokens).toBe(150 - 60);
    });
    it("an input over max_input by exact count is refused as input_too_long with the exact figure", async () => {
      const stub = await startStub(() => completion());
      const { c } = client(stub, { limits, preflight: true, countChatTokens: async () => 131 });
      const err = await callError(c.chat({ messages: [{ role: "user", content: "ab ".repeat(60) }], max_tokens: 5 }));
      expect(err.errorClass).toBe("input_too_long");
      expect(err.message).toContain("input has 131 tokens; the endpoint accepts at most 130 input and 150 total tokens");
      expect(stub.seen).toHaveLength(0);
    });
  });

  it("a template error in the preflight is a validation failure, nothing sent", async () => {
    const stub = await startStub(() => completion());
    const { c } = client(stub, { limits, preflight: true }); // the real Gemma template, no tokenizer needed to fail
    const err = await callError(c.chat({ messages: [{ role: "assistant", content: "first" }] }));
    expect(err.errorClass).toBe("validation");
    expect(stub.seen).toHaveLength(0);
  });

  it("a caller abort during the preflight cancels the call, nothing sent", async () => {
    const stub = await startStub(() => completion());
    const ctl = new AbortController();
    const countChatTokens = async () => {
      ctl.abort(); // e.g. the run is interrupted while the tokenizer loads
      return 10;
    };
    const { c } = client(stub, { limits, preflight: true, countChatTokens });
    const err = await callError(c.chat(REQ, ctl.signal));
    expect(err.errorClass).toBe("cancelled");
    expect(err.stats.attempts).toBe(0);
    expect(stub.seen).toHaveLength(0);
  });

  it("is off unless asked for", async () => {
    const stub = await startStub(() => completion());
    const { c } = client(stub, { limits, countChatTokens: async () => 10_000 });
    await c.chat(REQ);
    expect(stub.chats()).toHaveLength(1);
  });
});

describe("cold start", () => {
  it("503s close the gate; one prober polls /health then a 1-token chat; calls resume without spending retries", async () => {
    let ready = false;
    const stub = await startStub((r) => {
      if (r.path === "/health" && stub.seen.filter((s) => s.path === "/health").length >= 4) ready = true;
      return ready ? (r.path === "/health" ? { status: 200 } : completion()) : COLD;
    });
    const { c, clock, events } = client(stub, { maxRetries: 0, coldStartProbe: { firstDelayMs: 5000, maxDelayMs: 30_000 } });
    const results = await Promise.all([c.chat(REQ), c.chat(REQ), c.chat(REQ)]);
    for (const r of results) {
      expect(r.text).toBe("Answer: B");
      expect(r.cold_ms).toBeGreaterThan(0);
      expect(r.latency_ms).toBe(0); // the fake clock only moves during waits: no active time leaks in
    }
    // One prober: 4 health checks (5 s, 7.5 s, 11.25 s, 16.875 s apart), not one per call.
    expect(stub.seen.filter((s) => s.path === "/health")).toHaveLength(4);
    expect(clock.waits).toEqual([5000, 7500, 11250, 16875]);
    const probe = stub.chats().find((s) => s.body?.max_tokens === 1);
    expect(probe?.body).toMatchObject({ max_tokens: 1, temperature: 0 });
    expect(events.filter((e) => e.type === "cold_start_begin")).toEqual([{ type: "cold_start_begin", reason: "http_503" }]);
    expect(events.filter((e) => e.type === "cold_start_end")).toEqual([{ type: "cold_start_end", ok: true, ms: 40625 }]);
    expect(events.filter((e) => e.type === "retry")).toEqual([]);
  });

  it("fails every waiter with cold_start_timeout when the endpoint never comes up", async () => {
    const stub = await startStub(() => COLD);
    const { c, events } = client(stub, { coldStartTimeoutMs: 60_000 });
    const errs = await Promise.all([callError(c.chat(REQ)), callError(c.chat(REQ))]);
    for (const err of errs) {
      expect(err.errorClass).toBe("cold_start_timeout");
      expect(err.stats.cold_ms).toBeGreaterThan(0);
      expect(err.status).toBe(503);
    }
    // Waiting started when each call met its 503; the gate itself gave up 60 s after closing.
    expect(Math.max(...errs.map((e) => e.stats.cold_ms))).toBe(60_000);
    expect(events.filter((e) => e.type === "cold_start_end")).toEqual([{ type: "cold_start_end", ok: false, ms: 60_000 }]);
  });

  it("a refused connection closes the gate too", async () => {
    const stub = await startStub(() => completion());
    await stub.close(); // nothing listens on that port any more
    const { c, events } = client(stub, { coldStartTimeoutMs: 30_000 });
    const err = await callError(c.chat(REQ));
    expect(err.errorClass).toBe("cold_start_timeout");
    expect(err.message).not.toContain(KEY);
    expect(events[0]).toEqual({ type: "cold_start_begin", reason: "connection_refused" });
  });

  it("refused connections then ready: success with maxRetries 0", async () => {
    const stub = await startStub((r) => (r.path === "/health" ? { status: 200 } : completion("up")));
    let refusals = 3;
    const refusingFetch: typeof fetch = async (input, init) => {
      if (refusals-- > 0) {
        const cause = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" });
        throw new TypeError("fetch failed", { cause });
      }
      return fetch(input, init);
    };
    const { c } = client(stub, { maxRetries: 0, fetch: refusingFetch });
    const res = await c.chat(REQ);
    expect(res.text).toBe("up");
    expect(res.cold_ms).toBeGreaterThan(0);
  });

  it("a 503 that persists after the gate reopens becomes a server_error", async () => {
    // /health and the probe chat succeed, but real calls keep getting 503.
    const stub = await startStub((r) => (r.path === "/health" || r.body?.max_tokens === 1 ? (r.path === "/health" ? { status: 200 } : completion()) : COLD));
    const { c } = client(stub, { maxRetries: 1, maxColdCycles: 2 });
    const err = await callError(c.chat(REQ));
    expect(err.errorClass).toBe("server_error");
    expect(err.status).toBe(503);
    // 2 cold cycles + first failure + 1 retry
    expect(stub.chats().filter((s) => s.body?.max_tokens !== 1)).toHaveLength(4);
  });

  it("with scaleUpTimeoutS sends X-Scale-Up-Timeout on every request instead of probing", async () => {
    const stub = await startStub((_r, n) => (n === 1 ? COLD : completion()));
    const { c, events } = client(stub, { scaleUpTimeoutS: 900, maxRetries: 0 });
    const res = await c.chat(REQ);
    await c.chat(REQ);
    expect(res.cold_ms).toBeGreaterThan(0);
    expect(stub.seen.map((s) => s.headers["x-scale-up-timeout"])).toEqual(["900", "900", "900"]);
    expect(stub.seen.filter((s) => s.path === "/health")).toHaveLength(0);
    expect(events.some((e) => e.type === "cold_start_begin")).toBe(false);
  });

  it("with scaleUpTimeoutS gives up after coldStartTimeoutMs", async () => {
    const stub = await startStub(() => COLD);
    const { c } = client(stub, { scaleUpTimeoutS: 60, coldStartTimeoutMs: 10_000, retryBaseMs: 1000 });
    const err = await callError(c.chat(REQ));
    expect(err.errorClass).toBe("cold_start_timeout");
    expect(err.stats.cold_ms).toBeGreaterThanOrEqual(10_000);
  });
});

describe("fetchEndpointInfo", () => {
  it("reads <origin>/info (not under /v1) with the bearer token", async () => {
    const info = { model_id: "google/medgemma-27b-text-it", max_input_tokens: 12288, max_total_tokens: 16384, version: "3.3.6" };
    const stub = await startStub((r) => (r.path === "/info" ? { status: 200, body: info } : { status: 404 }));
    expect(await fetchEndpointInfo(stub.url, KEY)).toEqual(info);
    expect(stub.seen[0]!.headers.authorization).toBe(`Bearer ${KEY}`);
  });

  it("returns null when the endpoint is cold or unreachable", async () => {
    const stub = await startStub(() => COLD);
    expect(await fetchEndpointInfo(stub.url, KEY)).toBeNull();
    await stub.close();
    expect(await fetchEndpointInfo(stub.url, KEY)).toBeNull();
  });
});
