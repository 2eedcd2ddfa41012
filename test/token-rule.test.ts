// "Count only when it can matter", end to end in one process: the harness's client (preflight) and the embedded
// emulator never load the Gemma tokenizer for prompts the byte bound clears, and a padded over-long prompt is
// still refused with the exact count — by the preflight (input_too_long, nothing sent) and, with the preflight
// off, by the emulator's 422 — exactly as when every request was counted.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEndpointClient } from "../src/endpoint/client.js";
import { EndpointError, type ChatMessage } from "../src/endpoint/types.js";
import { startEmulator, type EmulatorHandle } from "../src/emulator/server.js";
import { countChatTokens, tokenizerRequested } from "../src/tokenizer/gemma.js";
import { fillerSentences } from "./fixtures/accept/helpers.js";

let emu: EmulatorHandle;
beforeAll(async () => {
  emu = await startEmulator({ timeScale: 1000 });
});
afterAll(() => emu.close());

const limits = { maxInputTokens: 12_288, maxTotalTokens: 16_384 };
const client = (preflight: boolean) => createEndpointClient({ baseUrl: emu.url, apiKey: "x", limits, preflight, maxRetries: 0 });
const SHORT: ChatMessage[] = [{ role: "user", content: "A 30-year-old man has fever and cough. Which is the most likely diagnosis?\nA) Pneumonia\nB) Asthma\nC) GERD\nD) Sarcoidosis" }];
const PADDED: ChatMessage[] = [{ role: "user", content: `A 45-year-old woman has chest pain on exertion. ${fillerSentences(20_000)} Which is the best next step?` }];

async function failure(p: Promise<unknown>): Promise<EndpointError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(EndpointError);
  return e as EndpointError;
}

describe("the byte bound keeps the tokenizer unloaded", () => {
  it("short prompts, preflight on, embedded emulator: answered, usage estimated, tokenizer never requested", async () => {
    const c = client(true);
    for (let i = 0; i < 5; i++) {
      const r = await c.chat({ messages: SHORT, max_tokens: 2048 });
      expect(r.tokens.prompt).toBeGreaterThan(20);
      expect(r.tokens.prompt).toBeLessThan(80);
    }
    c.close();
    expect(tokenizerRequested()).toBe(false);
  });
});

describe("a padded over-long prompt is refused exactly as before", () => {
  let exact = 0;
  beforeAll(async () => {
    exact = await countChatTokens(PADDED);
  }, 120_000);

  it("the padding is far past the input limit", () => {
    expect(exact).toBeGreaterThan(limits.maxInputTokens);
  });

  it("preflight: input_too_long with the exact count, nothing sent", async () => {
    const before = emu.stats().total;
    const c = client(true);
    const err = await failure(c.chat({ messages: PADDED, max_tokens: 2048 }));
    c.close();
    expect(err.errorClass).toBe("input_too_long");
    expect(err.message).toContain(`input has ${exact} tokens; the endpoint accepts at most 12288 input and 16384 total tokens`);
    expect(err.stats.attempts).toBe(0);
    expect(emu.stats().total).toBe(before);
  });

  it("--no-preflight: the emulator's 422 names the exact count, as TGI's does", async () => {
    const c = client(false);
    const err = await failure(c.chat({ messages: PADDED, max_tokens: 2048 }));
    c.close();
    expect(err.status).toBe(422);
    expect(err.errorClass).toBe("input_too_long"); // the client classifies TGI's length 422 so
    // TGI checks the total (with max_new_tokens capped to its 1,024-token chunk) before the input length.
    expect(err.message).toContain(`\`inputs\` tokens + \`max_new_tokens\` must be <= 16384. Given: ${exact} \`inputs\` tokens and 1024 \`max_new_tokens\``);
  });

  it("a prompt within max_input whose bound cannot prove max_total is counted and clamped, not refused", async () => {
    // ~40k bytes, ~8k tokens: the bound (bytes) says "maybe too long", the exact count says it fits with room.
    const messages: ChatMessage[] = [{ role: "user", content: fillerSentences(5_500) }];
    const n = await countChatTokens(messages);
    expect(n).toBeLessThan(limits.maxInputTokens);
    const c = client(true);
    const r = await c.chat({ messages, max_tokens: 16_000 });
    c.close();
    expect(r.tokens.prompt).toBe(n); // the emulator counted exactly too (its bound could not clear it either)
    expect(emu.stats().status422).toBe(1); // only the --no-preflight refusal above
  });
});
