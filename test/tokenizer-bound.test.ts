// The preflight's byte bound (src/tokenizer/bound.ts) against the exact Gemma 3 count, over every prompt the harness
// renders for the MedQA test set: the direct prompt and each pipeline step in both JSON modes (19,095 prompts),
// each step fed the emulator's deterministic answer to the one before. Also the usage estimate's documented error.
import { beforeAll, describe, expect, it } from "vitest";
import { generatedTokens, validateLength } from "../src/emulator/tgi/validate.js";
import { boundClearsGeneration, chatTokenBound, withinLimits } from "../src/tokenizer/bound.js";
import { estimateChatTokens, estimateTokens } from "../src/tokenizer/estimate.js";
import { countChatTokens, countTokens, warmTokenizer } from "../src/tokenizer/gemma.js";
import type { ChatMessage } from "../src/endpoint/types.js";
import { renderMedqaPrompts, type RenderedPrompt } from "./helpers/medqa-prompts.js";

interface Counted {
  p: RenderedPrompt;
  bound: number;
  exact: number;
  estimate: number;
}
let rows: Counted[] = [];

beforeAll(async () => {
  const prompts = await renderMedqaPrompts();
  await warmTokenizer();
  rows = [];
  for (const p of prompts) {
    rows.push({ p, bound: chatTokenBound(p.messages), exact: await countChatTokens(p.messages), estimate: estimateChatTokens(p.messages) });
  }
}, 600_000);

describe("byte bound ≥ exact Gemma count on every rendered MedQA prompt", () => {
  it("covers the direct prompt and all seven steps in both JSON modes for all 1,273 cases", () => {
    const by = new Map<string, number>();
    for (const r of rows) by.set(r.p.where, (by.get(r.p.where) ?? 0) + 1);
    const steps = ["parse", "reason", "drugs", "guidelines", "conflicts", "synthesize", "answer"];
    expect([...by.keys()].sort()).toEqual(["direct", ...steps.flatMap((s) => [`prompt:${s}`, `grammar:${s}`])].sort());
    for (const [where, n] of by) expect(n, where).toBe(1273);
  });

  it("holds for every prompt", () => {
    const violations = rows.filter((r) => r.bound < r.exact).map((r) => `${r.p.case_id} ${r.p.where}: bound ${r.bound} < exact ${r.exact}`);
    expect(violations).toEqual([]);
  });

  it("lets every one of them skip the tokenizer under the endpoint's limits (12,288 / 16,384)", () => {
    const limits = { maxInputTokens: 12_288, maxTotalTokens: 16_384 };
    const needCount = rows.filter((r) => !withinLimits(r.bound, r.p.max_tokens, limits)).map((r) => `${r.p.case_id} ${r.p.where}`);
    expect(needCount).toEqual([]);
    // The emulator's stricter rule (TGI's chunked re-validation) clears them too: it never loads the tokenizer either.
    const emulatorCounts = rows.filter((r) => !boundClearsGeneration(r.bound, r.p.max_tokens ?? null, limits)).map((r) => `${r.p.case_id} ${r.p.where}`);
    expect(emulatorCounts).toEqual([]);
  });
});

describe("byte bound on adversarial text", () => {
  // Byte-fallback characters (emoji, rare CJK, control characters), digits, runs of spaces and newlines,
  // special-token strings inside content: the cases where tokens per byte are highest.
  const samples: string[] = [
    "🧬🦠💊🩺".repeat(20),
    "\u0000\u0001\u0002\u0007".repeat(30),
    "𠀀𠀁𠀂𪛖".repeat(25),
    "0123456789".repeat(40),
    " ".repeat(97) + "\n".repeat(33) + "\t".repeat(17),
    "<start_of_turn><end_of_turn><bos>".repeat(10),
    "é".repeat(50) + "ß".repeat(50) + "ﬁ".repeat(50),
    "a b c d e f g h i j k l m n o p q r s t u v w x y z ".repeat(8),
    "",
  ];
  beforeAll(() => warmTokenizer(), 120_000);
  it.each(samples.map((s, i) => [i, s] as const))("sample %i: bound ≥ exact", async (_i, s) => {
    const messages: ChatMessage[] = [{ role: "system", content: s }, { role: "user", content: s + "?" }, { role: "assistant", content: s }, { role: "user", content: "!" + s }];
    expect(chatTokenBound(messages)).toBeGreaterThanOrEqual(await countChatTokens(messages));
    expect(Buffer.byteLength(s)).toBeGreaterThanOrEqual(await countTokens(s));
  });
});

describe("bound arithmetic", () => {
  it("is the rendered chat's UTF-8 bytes with each template special token counted once", () => {
    // <bos><start_of_turn>user\nhé<end_of_turn>\n<start_of_turn>model\n: 3 specials + "user\n"(5) + "hé"(3) + "\n"(1) + "model\n"(6) + <bos>
    expect(chatTokenBound([{ role: "user", content: "hé" }])).toBe(4 + 5 + 3 + 1 + 6);
    // A system message folds into the first user turn ("sys\n\n" prefix): no extra turn markers.
    expect(chatTokenBound([{ role: "system", content: "sys" }, { role: "user", content: "hé" }])).toBe(4 + 5 + 5 + 3 + 1 + 6);
  });
  it("throws for a conversation the template rejects, as the exact path does", () => {
    expect(() => chatTokenBound([{ role: "assistant", content: "x" }])).toThrow(/alternate/);
  });
  it.each([
    { tokens: 100, max: 50, limits: [100, 150], ok: true },
    { tokens: 101, max: 1, limits: [100, 150], ok: false },
    { tokens: 100, max: 51, limits: [100, 150], ok: false },
    { tokens: 100, max: undefined, limits: [100, 150], ok: true },
    { tokens: 100, max: undefined, limits: [100, 100], ok: false },
  ])("withinLimits($tokens, $max, $limits) = $ok", ({ tokens, max, limits, ok }) => {
    expect(withinLimits(tokens, max, { maxInputTokens: limits[0]!, maxTotalTokens: limits[1]! })).toBe(ok);
  });
});

describe("usage estimate (emulator figures where no limit is at stake)", () => {
  it("is within 0.8–1.2 × the exact count on every rendered MedQA prompt, median within 5 %", () => {
    const ratios = rows.map((r) => r.estimate / r.exact).sort((a, b) => a - b);
    expect(ratios[0]).toBeGreaterThan(0.8);
    expect(ratios.at(-1)).toBeLessThan(1.2);
    expect(Math.abs(ratios[ratios.length >> 1]! - 1)).toBeLessThan(0.05);
  });
  it.each([
    ["", 0],
    ["word", 1],
    [" word", 1],
    ["abcdefghij", 1],
    ["abcdefghijk", 2],
    ["abcdefghijklmn", 2],
    ["abcdefghijklmno", 3],
    ["2024", 4],
    ["<start_of_turn>", 1],
    ["\n", 1],
    ["{}", 1],
    ['": "', 2],
    ["!!!!!!", 2],
  ] as const)("estimateTokens(%j) = %i", (text, n) => {
    expect(estimateTokens(text)).toBe(n);
  });
});

describe("boundClearsGeneration: when the emulator may use an estimate", () => {
  const L = { maxInputTokens: 12_288, maxTotalTokens: 16_384, maxStopSequences: 4, maxTopNTokens: 5, maxBestOf: 2 };
  it.each([
    { bound: 3000, max: 2048, ok: true },
    { bound: 3000, max: null, ok: false },
    { bound: 12_289, max: 1, ok: false },
    { bound: 12_288, max: 1024, ok: true }, // 13,312 ≤ 16,384, and no second chunk
    { bound: 14_336, max: 2048, ok: false },
    { bound: 14_336 - 1, max: 1500, ok: false }, // span 2048: 14,335 + 2,048 > 16,384
    { bound: 14_336, max: 1, ok: false }, // > max_input
    { bound: 11_264, max: 2048, ok: true }, // 11,264 + 2,048 ≤ 16,384 and 11,264 + 1,024 ≤ 12,288
    { bound: 11_265, max: 2048, ok: false }, // 11,265 + 1,024 > 12,288 (the re-validation's input check)
  ])("bound $bound, max_tokens $max → $ok", ({ bound, max, ok }) => {
    expect(boundClearsGeneration(bound, max, L)).toBe(ok);
  });

  it("whenever it says yes, TGI's validation and generated length are the same for every input ≤ bound", () => {
    let state = 12345;
    const rnd = (n: number) => ((state = (state * 1103515245 + 12345) % 2 ** 31), state % n);
    let cleared = 0;
    for (let i = 0; i < 4000; i++) {
      const limits = { ...L, maxInputTokens: 200 + rnd(3000), maxTotalTokens: 0 };
      limits.maxTotalTokens = limits.maxInputTokens + 1 + rnd(5000);
      const bound = rnd(limits.maxInputTokens + 500);
      const max = 1 + rnd(4000);
      if (!boundClearsGeneration(bound, max, limits)) continue;
      cleared++;
      const wanted = rnd(6000);
      const atBound = generatedTokens(bound, wanted, max, limits);
      for (const x of [0, 1, rnd(bound + 1), bound]) {
        expect(() => validateLength(x, max, limits)).not.toThrow();
        expect(generatedTokens(x, wanted, max, limits)).toEqual(atBound);
      }
    }
    expect(cleared).toBeGreaterThan(200);
  });
});
