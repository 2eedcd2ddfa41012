// A small `fetch` over node:http/https with keep-alive agents, for the openai SDK's `fetch` option.
// Node's built-in fetch (undici + web streams) costs about twice the CPU per request; a benchmark run makes
// thousands of calls, so the harness uses this one. JSON bodies are small documents: buffered. Server-sent
// event streams (--stream) are handed over as they arrive, so chunk timings (TTFT, inter-token gaps) are real.
import http from "node:http";
import https from "node:https";
import { Readable } from "node:stream";

const agents = {
  "http:": new http.Agent({ keepAlive: true, maxSockets: 256 }),
  "https:": new https.Agent({ keepAlive: true, maxSockets: 256 }),
};

function headerRecord(h: RequestInit["headers"]): Record<string, string> {
  const out: Record<string, string> = {};
  if (!h) return out;
  if (h instanceof Headers) h.forEach((v, k) => (out[k] = v));
  else if (Array.isArray(h)) for (const [k, v] of h) out[k!.toLowerCase()] = v!;
  else for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k.toLowerCase()] = String(v);
  return out;
}

function bodyBuffer(body: RequestInit["body"]): Buffer | undefined {
  if (body === null || body === undefined) return undefined;
  if (typeof body === "string") return Buffer.from(body);
  if (body instanceof ArrayBuffer) return Buffer.from(body);
  if (ArrayBuffer.isView(body)) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  throw new TypeError("httpFetch: only string or binary request bodies are supported");
}

function responseHeaders(res: http.IncomingMessage): Headers {
  const h = new Headers();
  for (const [k, v] of Object.entries(res.headers)) {
    if (Array.isArray(v)) for (const x of v) h.append(k, x);
    else if (v !== undefined) h.set(k, v);
  }
  return h;
}

const abortError = (signal: AbortSignal): Error => {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason;
  const err = new Error("This operation was aborted");
  err.name = "AbortError";
  return err;
};

export const httpFetch: typeof fetch = (input, init = {}) => {
  const url = new URL(typeof input === "string" || input instanceof URL ? input : input.url);
  const agent = agents[url.protocol as keyof typeof agents];
  if (!agent) return Promise.reject(new TypeError(`httpFetch: unsupported protocol ${url.protocol}`));
  const signal = init.signal ?? undefined;
  if (signal?.aborted) return Promise.reject(abortError(signal));
  const payload = bodyBuffer(init.body);
  const headers = headerRecord(init.headers);
  if (payload && headers["content-length"] === undefined) headers["content-length"] = String(payload.length);

  return new Promise<Response>((resolve, reject) => {
    const req = (url.protocol === "https:" ? https : http).request(url, { method: init.method ?? "GET", headers, agent }, (res) => {
      const status = res.statusCode ?? 0;
      if (status === 200 && /^text\/event-stream/i.test(String(res.headers["content-type"] ?? ""))) {
        // Streamed: resolve at the headers; an abort (or our timer) destroys the socket and errors the body.
        res.once("close", cleanup);
        const body = Readable.toWeb(res) as ReadableStream<Uint8Array>;
        resolve(new Response(body, { status, statusText: res.statusMessage ?? "", headers: responseHeaders(res) }));
        return;
      }
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("error", fail);
      res.on("end", () => {
        cleanup();
        // Response rejects a body on these statuses.
        const body = status === 204 || status === 304 ? null : Buffer.concat(chunks);
        resolve(new Response(body, { status, statusText: res.statusMessage ?? "", headers: responseHeaders(res) }));
      });
    });
    const onAbort = () => {
      req.destroy(abortError(signal!));
    };
    const cleanup = () => signal?.removeEventListener("abort", onAbort);
    // The request and (after the headers) the response body fail the same way, as fetch does.
    const fail = (err: Error) => {
      cleanup();
      reject(signal?.aborted ? abortError(signal) : Object.assign(new TypeError("fetch failed"), { cause: err }));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    req.on("error", fail);
    req.end(payload);
  });
};
