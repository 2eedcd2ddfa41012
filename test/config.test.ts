import { describe, expect, it } from "vitest";
import { endpointSettings, parseDotenv, redactUrl } from "../src/config/env.js";
import { configComponents, diffComponents, hashComponents } from "../src/config/hash.js";
import { resumeCommand } from "../src/runner/resume.js";
import type { RunJson } from "../src/types.js";

describe("parseDotenv", () => {
  it("reads the usual shapes", () => {
    expect(
      parseDotenv(`# comment\nMEDGEMMA_BASE_URL=https://x.example/v1\nexport HF_TOKEN="hf_abc"\nQ='single # not comment'\nT=val # trailing\nbad line\n`),
    ).toEqual({ MEDGEMMA_BASE_URL: "https://x.example/v1", HF_TOKEN: "hf_abc", Q: "single # not comment", T: "val" });
  });
});

describe("endpointSettings", () => {
  it.each([
    ["nothing set → emulator, model tgi", {}, {}, { baseUrl: null, apiKey: null, model: "tgi" }],
    ["HF_TOKEN is the fallback key", { MEDGEMMA_BASE_URL: "https://e/v1/", HF_TOKEN: "t" }, {}, { baseUrl: "https://e/v1", apiKey: "t", model: "tgi" }],
    ["MEDGEMMA_API_KEY wins over HF_TOKEN", { MEDGEMMA_API_KEY: "k", HF_TOKEN: "t" }, {}, { baseUrl: null, apiKey: "k", model: "tgi" }],
    ["flags override env", { MEDGEMMA_BASE_URL: "https://e/v1", MEDGEMMA_MODEL_ID: "m" }, { baseUrl: "http://127.0.0.1:1/v1", model: "x" }, { baseUrl: "http://127.0.0.1:1/v1", apiKey: null, model: "x" }],
  ])("%s", (_n, env, flags, want) => {
    expect(endpointSettings(env as NodeJS.ProcessEnv, flags)).toEqual(want);
  });
});

describe("redactUrl", () => {
  it("hides userinfo and token-like query parameters", () => {
    expect(redactUrl("https://user:pw@h.example/v1?token=abc&x=1")).toBe("https://***@h.example/v1?token=***&x=1");
  });
});

const base = (over: Partial<RunJson["config"]> = {}, prompts: Record<string, string> = { parse: "p1" }) =>
  ({
    config: { mode: "pipeline", seed: 42, temperature: 0, max_tokens: 2048, json_mode: "prompt", drugs: true, guidelines: true, guidelines_file: null, ...over },
    dataset: { sha256: "d" },
    sampled_ids: ["a", "b"],
    prompts: Object.fromEntries(Object.entries(prompts).map(([k, v]) => [k, { sha256: v, overridden: false }])),
    endpoint: { model: "tgi" },
  }) as unknown as RunJson;

describe("config hash", () => {
  it("is stable and names what differs", () => {
    const a = configComponents(base());
    expect(hashComponents(a)).toBe(hashComponents(configComponents(base())));
    expect(diffComponents(a, configComponents(base({ seed: 7 })))).toEqual(["seed"]);
    expect(diffComponents(a, configComponents(base({}, { parse: "p2" })))).toEqual(["prompt:parse"]);
    expect(diffComponents(a, configComponents(base({ mode: "both", temperature: 0.7 })))).toEqual(["mode", "temperature"]);
  });
  it("concurrency and delay do not change results, so they are not part of it", () => {
    expect(hashComponents(configComponents(base({ concurrency: 8, delay_s: 2 } as never)))).toBe(hashComponents(configComponents(base())));
  });
});

describe("resumeCommand", () => {
  it("never repeats the API key", () => {
    expect(resumeCommand(["--api-key", "hf_x", "--api-key=hf_y", "--apiKey", "hf_z", "--medqa"], "d").split("\n")[0]).toBe("npx run-validation --medqa --resume d");
  });
  it("repeats the original flags and replaces any --resume", () => {
    expect(resumeCommand(["--medqa", "--max-cases", "50", "--resume", "old", "--prompts", "my dir"], "reports/r1")).toBe(
      "npx run-validation --medqa --max-cases 50 --prompts 'my dir' --resume reports/r1",
    );
  });
});
