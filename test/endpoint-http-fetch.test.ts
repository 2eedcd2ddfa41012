import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import OpenAI from "openai";
import { afterEach, describe, expect, it } from "vitest";
import { classifyThrown } from "../src/endpoint/errors.js";
import { httpFetch } from "../src/endpoint/http-fetch.js";

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => { s.closeAllConnections(); s.close(r); })));
});

async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const s = createServer(handler);
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
}

describe("httpFetch", () => {
  it("sends method, headers and body; returns status, headers and body", async () => {
    const url = await serve((req, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        res.writeHead(201, { "content-type": "application/json", "x-queue-time": "7" });
        res.end(JSON.stringify({ method: req.method, auth: req.headers.authorization, ct: req.headers["content-type"], body }));
      });
    });
    const res = await httpFetch(`${url}/v1/x`, { method: "POST", headers: { Authorization: "Bearer t", "Content-Type": "application/json" }, body: '{"a":1}' });
    expect(res.status).toBe(201);
    expect(res.headers.get("x-queue-time")).toBe("7");
    expect(await res.json()).toEqual({ method: "POST", auth: "Bearer t", ct: "application/json", body: '{"a":1}' });
  });

  it("passes error statuses through (the caller decides what they mean)", async () => {
    const url = await serve((_req, res) => {
      res.writeHead(429, { "retry-after": "3" });
      res.end('{"error":"Model is overloaded","error_type":"overloaded"}');
    });
    const res = await httpFetch(url, {});
    expect([res.status, res.headers.get("retry-after"), ((await res.json()) as { error_type: string }).error_type]).toEqual([429, "3", "overloaded"]);
  });

  it("an abort (timeout) rejects with AbortError and frees the socket", async () => {
    const url = await serve(() => {
      /* stall: never answer */
    });
    const ac = new AbortController();
    const p = httpFetch(url, { signal: ac.signal });
    setImmediate(() => ac.abort());
    await expect(p).rejects.toMatchObject({ name: "AbortError" });
  });

  it.each([
    ["refused connection", async () => "http://127.0.0.1:1"],
    ["connection reset", () => serve((req) => req.socket.destroy())],
    [
      "connection reset mid-body",
      () =>
        serve((_req, res) => {
          res.writeHead(200, { "content-length": "100" });
          res.write("{");
          setImmediate(() => res.socket?.destroy());
        }),
    ],
  ])("%s → TypeError('fetch failed') classified as a connection error", async (_n, target) => {
    const err = await httpFetch(await target(), {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TypeError);
    expect(classifyThrown(err)).toBe("connection");
  });

  it("works as the openai SDK's fetch", async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ object: "chat.completion", id: "", created: 0, model: "tgi", choices: [{ index: 0, message: { role: "assistant", content: "Answer: B" }, finish_reason: "stop" }], usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 } }));
    });
    const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: "k", fetch: httpFetch, maxRetries: 0 });
    const r = await client.chat.completions.create({ model: "tgi", messages: [{ role: "user", content: "q" }] });
    expect(r.choices[0]?.message.content).toBe("Answer: B");
    expect(r.usage?.total_tokens).toBe(5);
  });
});
