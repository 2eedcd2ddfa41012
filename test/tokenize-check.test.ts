// The once-per-run check of the token preflight against the engine's counting route (TGI /chat_tokenize).
import { describe, expect, it } from "vitest";
import { checkTokenize } from "../src/endpoint/tokenize-check.js";
import { ENGINES } from "../src/endpoint/engines/index.js";
import { renderGemmaChat } from "../src/tokenizer/gemma.js";
import { chatTokenBound } from "../src/tokenizer/bound.js";
import { startEmulator } from "../src/emulator/server.js";
import { httpFetch } from "../src/endpoint/http-fetch.js";

const messages = [{ role: "user" as const, content: "A 34-year-old woman has fatigue and pallor. Which is the most likely diagnosis?\n\nA. Iron deficiency\nB. Folate deficiency" }];
const tgi = ENGINES.tgi;

/** A fetch that answers every request with `body` (status 200 unless given). */
const answering = (body: unknown, status = 200): typeof fetch => (async () => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } })) as typeof fetch;
const tokens = (n: number) => Array.from({ length: n }, (_, i) => ({ id: i, text: "", start: 0, stop: 0 }));
const opts = (fetchImpl: typeof fetch) => ({ root: "http://x", apiKey: "k", model: "tgi", profile: tgi, messages, fetch: fetchImpl });

describe("checkTokenize", () => {
  it("the same rendering and a count within the bound: no problem", async () => {
    const r = await checkTokenize(opts(answering({ tokenize_response: tokens(40), templated_text: renderGemmaChat(messages) })));
    expect(r).toEqual({ route: "/chat_tokenize", server_tokens: 40, bound: chatTokenBound(messages), rendering: "match", skipped: null, problem: null });
  });

  it("a different rendering (another model's template) is a problem naming where it differs", async () => {
    const r = await checkTokenize(opts(answering({ tokenize_response: tokens(40), templated_text: "<|begin_of_text|>" + messages[0]!.content })));
    expect(r!.rendering).toBe("differs");
    expect(r!.problem).toMatch(/renders the chat differently .*first difference at character \d+: server/);
  });

  it("a server count above the preflight's bound is a problem (the bound's proof would be unsafe)", async () => {
    const bound = chatTokenBound(messages);
    const r = await checkTokenize(opts(answering({ tokenize_response: tokens(bound + 1), templated_text: renderGemmaChat(messages) })));
    expect(r!.problem).toMatch(new RegExp(`counts ${bound + 1} prompt tokens where the preflight's bound allows at most ${bound}`));
    const atBound = await checkTokenize(opts(answering({ tokenize_response: tokens(bound), templated_text: renderGemmaChat(messages) })));
    expect(atBound!.problem).toBeNull();
  });

  it("an error status, a network failure or another shape skips the check with the reason; no route → null", async () => {
    expect((await checkTokenize(opts(answering({ error: "nope" }, 404))))!.skipped).toBe("/chat_tokenize answered 404");
    const boom = (async () => {
      throw new Error("connect ECONNREFUSED");
    }) as unknown as typeof fetch;
    expect((await checkTokenize(opts(boom)))!.skipped).toMatch(/ECONNREFUSED/);
    expect((await checkTokenize(opts(answering({ tokens: [1, 2] }))))!.skipped).toMatch(/unexpected answer shape/);
    expect(await checkTokenize({ ...opts(answering({})), profile: { tokenize: null } })).toBeNull();
  });

  it("against the TGI emulator (TGI's ChatTokenizeResponse shape): rendering matches, count within the bound", async () => {
    const emu = await startEmulator({ port: 0, latency: "none", timeScale: 1000 });
    try {
      const r = await checkTokenize({ ...opts(httpFetch), root: emu.url.replace(/\/v1$/, "") });
      expect(r!.skipped).toBeNull();
      expect(r!.rendering).toBe("match");
      expect(r!.server_tokens!).toBeGreaterThan(20);
      expect(r!.server_tokens!).toBeLessThanOrEqual(r!.bound);
      expect(r!.problem).toBeNull();
    } finally {
      await emu.close();
    }
  });
});
