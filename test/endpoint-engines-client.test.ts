// The client with each engine's profile: error classes and retries, structured-output shapes, and --stream
// (TTFT / decode rate / gaps, errors inside a 200 stream, stalls between chunks, cut-off streams).
import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createEndpointClient, type EndpointClientOptions } from "../src/endpoint/client.js";
import { ENGINES } from "../src/endpoint/engines/index.js";
import { httpFetch } from "../src/endpoint/http-fetch.js";
import { EndpointError, type ChatRequest } from "../src/endpoint/types.js";

type Handler = (body: Record<string, unknown>, n: number, res: ServerResponse) => void;

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

async function stub(handler: Handler): Promise<{ url: string; bodies: Record<string, unknown>[] }> {
  const bodies: Record<string, unknown>[] = [];
  const server = createServer((req, res) => {
    let raw = "";
    req.on("data", (c: Buffer) => (raw += c.toString()));
    req.on("end", () => {
      const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
      bodies.push(body);
      handler(body, bodies.length, res);
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, bodies };
}

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
};
const completion = (content: string) => ({
  id: "x",
  object: "chat.completion",
  created: 0,
  model: "m",
  choices: [{ index: 0, message: { role: "assistant", content }, logprobs: null, finish_reason: "stop" }],
  usage: { prompt_tokens: 10, completion_tokens: 3, total_tokens: 13 },
});
const chunk = (content: string | null, finish: string | null = null, usage?: unknown) => ({
  id: "x",
  object: "chat.completion.chunk",
  created: 0,
  model: "m",
  choices: content === null && finish === null && usage ? [] : [{ index: 0, delta: content === null ? { role: "assistant", content: "" } : { content }, finish_reason: finish }],
  ...(usage ? { usage } : {}),
});
const sse = (res: ServerResponse, events: unknown[], end = true) => {
  res.writeHead(200, { "content-type": "text/event-stream" });
  for (const e of events) res.write(`data: ${typeof e === "string" ? e : JSON.stringify(e)}\n\n`);
  if (end) res.end();
};
const WORDS = ["Answer", ":", " B", "."];
const goodStream = (res: ServerResponse) =>
  sse(res, [chunk(null), ...WORDS.map((w) => chunk(w)), chunk("", "stop"), chunk(null, null, { prompt_tokens: 10, completion_tokens: 4, total_tokens: 14 }), "[DONE]"]);

const REQ: ChatRequest = { messages: [{ role: "user", content: "Which drug?" }], tag: { case_id: "c1", step: "answer" } };

function client(url: string, extra: Partial<EndpointClientOptions>) {
  // A clock that moves 10 ms per reading: timings are deterministic, no sleeps.
  let t = 0;
  const waits: number[] = [];
  return {
    c: createEndpointClient({
      baseUrl: url,
      apiKey: "k",
      now: () => (t += 10),
      sleep: async (ms) => void waits.push(ms),
      random: () => 0.5,
      fetch: httpFetch,
      ...extra,
    }),
    waits,
  };
}

async function failure(p: Promise<unknown>): Promise<EndpointError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(EndpointError);
    return e as EndpointError;
  }
  throw new Error("expected a failure");
}

describe("engine error classes through the client", () => {
  it("vLLM's 400 'maximum context length' is input_too_long after one attempt (no retry)", async () => {
    const s = await stub((_b, _n, res) =>
      json(res, 400, { error: { message: "This model's maximum context length is 16384 tokens. However, your request has 20001 input tokens. Please reduce the length of the input messages.", type: "BadRequestError", param: "input_tokens", code: 400 } }),
    );
    const { c } = client(s.url, { profile: ENGINES.vllm });
    const err = await failure(c.chat(REQ));
    expect(err.errorClass).toBe("input_too_long");
    expect(err.stats.attempts).toBe(1);
    expect(err.status).toBe(400);
    expect(err.message).toMatch(/maximum context length is 16384/);
  });

  it("SGLang's body without an `error` member keeps its message and class", async () => {
    const s = await stub((_b, _n, res) =>
      json(res, 400, { object: "error", message: "The input (20001 tokens) is longer than the model's context length (16384 tokens).", type: "BadRequestError", param: null, code: 400 }),
    );
    const { c } = client(s.url, { profile: ENGINES.sglang });
    const err = await failure(c.chat(REQ));
    expect(err.errorClass).toBe("input_too_long");
    expect(err.stats.attempts).toBe(1);
    expect(err.message).toMatch(/longer than the model's context length/);
  });

  it("the same 400 is only validation for TGI's profile (not its wording): profiles matter", async () => {
    const s = await stub((_b, _n, res) => json(res, 400, { error: "Failed to deserialize the JSON body", error_type: "validation" }));
    const { c } = client(s.url, { profile: ENGINES.tgi });
    expect((await failure(c.chat(REQ))).errorClass).toBe("validation");
  });
});

describe("structured output on the wire", () => {
  const schema = { type: "object", properties: { answer: { type: "string" } } };
  it.each([
    ["tgi", { type: "json", value: schema }],
    ["vllm", { type: "json_schema", json_schema: { name: "answer", schema } }],
    ["sglang", { type: "json_schema", json_schema: { name: "answer", schema } }],
  ] as const)("%s gets its own response_format shape", async (engine, want) => {
    const s = await stub((_b, _n, res) => json(res, 200, completion('{"answer":"B"}')));
    const { c } = client(s.url, { profile: ENGINES[engine] });
    await c.chat({ ...REQ, response_format: { type: "json", value: schema } });
    expect(s.bodies[0]!.response_format).toEqual(want);
  });
});

describe("--stream", () => {
  it("asks for usage, rebuilds the text and records TTFT, decode rate and gaps", async () => {
    const s = await stub((_b, _n, res) => goodStream(res));
    const { c } = client(s.url, { profile: ENGINES.vllm, stream: true });
    const r = await c.chat(REQ);
    expect(s.bodies[0]).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    expect(r.text).toBe("Answer: B.");
    expect(r.finish_reason).toBe("stop");
    expect(r.tokens).toEqual({ prompt: 10, completion: 4 });
    // The fake clock advances 10 ms per reading: first content chunk after t0, then one reading per chunk.
    expect(r.stream).toBeDefined();
    expect(r.stream!.chunks).toBe(4);
    expect(r.stream!.ttft_ms).toBeGreaterThan(0);
    expect(r.stream!.itl_ms.n).toBe(3);
    expect(r.stream!.decode_tokens).toBe(3);
    expect(r.stream!.decode_tok_s).toBeCloseTo((3 * 1000) / r.stream!.decode_ms, 1);
  });

  it.each([
    ["vllm", { error: { message: "Internal server error", type: "InternalServerError", param: null, code: 500 } }, "server_error"],
    ["sglang", { error: { object: "error", message: "Internal server error", type: "InternalServerError", param: null, code: 500 } }, "server_error"],
    ["sglang", { object: "error", message: "scheduler aborted the request", type: "InternalServerError", code: 500 }, "server_error"],
    ["tgi", { error: "Request failed during generation: Server error: CUDA error", error_type: "generation" }, "generation_error"],
  ] as const)("%s: an error inside the 200 stream is classed (%s) and retried; the call then succeeds", async (engine, errorEvent, cls) => {
    const s = await stub((_b, n, res) => (n === 1 ? sse(res, [chunk(null), chunk("Ans"), errorEvent, "[DONE]"]) : goodStream(res)));
    const events: Array<{ type: string; errorClass?: string }> = [];
    const { c } = client(s.url, { profile: ENGINES[engine], stream: true, onEvent: (e) => events.push(e) });
    const r = await c.chat(REQ);
    expect(r.text).toBe("Answer: B.");
    expect(r.attempts).toBe(2);
    expect(events.filter((e) => e.type === "retry").map((e) => e.errorClass)).toEqual([cls]);
  });

  it("an input_too_long error inside a stream is not retried", async () => {
    const s = await stub((_b, _n, res) =>
      sse(res, [{ error: { message: "This model's maximum context length is 16384 tokens. However, your request has 16390 input tokens.", type: "BadRequestError", code: 400 } }, "[DONE]"]),
    );
    const { c } = client(s.url, { profile: ENGINES.vllm, stream: true });
    const err = await failure(c.chat(REQ));
    expect(err.errorClass).toBe("input_too_long");
    expect(err.stats.attempts).toBe(1);
  });

  it("a stream that stalls between chunks past the request timeout is aborted and retried", async () => {
    const s = await stub((_b, n, res) => (n === 1 ? sse(res, [chunk(null), chunk("Ans")], false) : goodStream(res)));
    const events: Array<{ type: string; errorClass?: string }> = [];
    const { c } = client(s.url, { profile: ENGINES.vllm, stream: true, requestTimeoutMs: 40, onEvent: (e) => events.push(e) });
    const r = await c.chat(REQ);
    expect(r.text).toBe("Answer: B.");
    expect(r.attempts).toBe(2);
    expect(events.find((e) => e.type === "retry")?.errorClass).toBe("timeout");
  });

  it("a stream cut off before its finish_reason counts as a connection failure and is retried", async () => {
    const s = await stub((_b, n, res) => (n === 1 ? sse(res, [chunk(null), chunk("Ans")]) : goodStream(res)));
    const events: Array<{ type: string; errorClass?: string }> = [];
    const { c } = client(s.url, { profile: ENGINES.sglang, stream: true, onEvent: (e) => events.push(e) });
    const r = await c.chat(REQ);
    expect(r.attempts).toBe(2);
    expect(events.find((e) => e.type === "retry")?.errorClass).toBe("connection");
  });

  it("without --stream nothing streams and no timings are recorded", async () => {
    const s = await stub((_b, _n, res) => json(res, 200, completion("Answer: B")));
    const { c } = client(s.url, { profile: ENGINES.vllm });
    const r = await c.chat(REQ);
    expect(s.bodies[0]!.stream).toBeUndefined();
    expect(r.stream).toBeUndefined();
  });
});
