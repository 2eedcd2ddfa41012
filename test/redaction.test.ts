// Issue #15 item 1 and acceptance: a secret never leaves the process — not in hints, logs, errors, run.json,
// reports or events — whichever flag, alias, variable, .env or URL userinfo carried it (redacted by value).
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addArgvSecrets, addSecret, addUrlSecrets, clearSecrets, containsSecret, redactSecrets } from "../src/config/redact.js";
import { startEmulator, type EmulatorHandle } from "../src/emulator/server.js";
import { resumeCommand } from "../src/runner/resume.js";
import { MEDQA, cleanEnv, runCli, tempDir } from "./helpers/cli.js";

describe("redactSecrets (unit)", () => {
  afterAll(() => clearSecrets());
  it("masks a secret in any text, JSON-escaped or URL-encoded, and URL userinfo", () => {
    clearSecrets();
    addSecret('hf_ab"cd/ef');
    addUrlSecrets("https://bob:p%40ss%2Fword@h.example/v1");
    expect(redactSecrets('key hf_ab"cd/ef end')).toBe("key *** end");
    expect(redactSecrets(JSON.stringify({ k: 'hf_ab"cd/ef' }))).toBe('{"k":"***"}');
    expect(redactSecrets(`u=${encodeURIComponent('hf_ab"cd/ef')}`)).toBe("u=***");
    expect(redactSecrets("https://bob:p%40ss%2Fword@h.example/v1")).not.toMatch(/p%40ss|p@ss/);
    expect(redactSecrets("decoded p@ss/word")).toBe("decoded ***");
    expect(containsSecret('--apiKey=hf_ab"cd/ef')).toBe(true);
    expect(containsSecret("--seed")).toBe(false);
  });

  it("a short secret is masked as a whole word only", () => {
    clearSecrets();
    addSecret("T");
    expect(redactSecrets("--apiKey T --mode direct")).toBe("--apiKey *** --mode direct");
    expect(redactSecrets("Total Time")).toBe("Total Time");
  });

  it("argv secrets are found under every spelling before parsing", () => {
    clearSecrets();
    addArgvSecrets(["--apiKey", "k1xxxx", "--api-key=k2xxxx", "--base-url", "http://u:k3xxxx@h/v1", "--baseUrl=http://u:k4xxxx@h/v1"]);
    for (const k of ["k1xxxx", "k2xxxx", "k3xxxx", "k4xxxx"]) expect(redactSecrets(`x ${k} y`)).toBe("x *** y");
  });

  it("the resume hint drops every token carrying a secret, with its flag", () => {
    clearSecrets();
    addSecret("hf_SECRET1");
    addUrlSecrets("http://u:pw_SECRET2@h/v1");
    const hint = resumeCommand(["--apiKey", "hf_SECRET1", "--base-url", "http://u:pw_SECRET2@h/v1", "--api-key=hf_SECRET1", "--mode", "direct"], "d");
    expect(hint).not.toMatch(/SECRET/);
    expect(hint.split("\n")[0]).toBe("npx run-validation --mode direct --resume d");
    expect(hint).toMatch(/credentials are never echoed/);
  });
});

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

describe("acceptance: grep of everything a run writes, for each way of passing the key", () => {
  const SECRET = "hf_SeCrEtToKeN9f8e7d6c5b";
  let emu: EmulatorHandle;
  beforeAll(async () => {
    // The key is real here (the emulator requires it), and half the calls fail, so every run prints a re-run hint.
    emu = await startEmulator({ requireToken: SECRET, faults: { "500": 0.5 }, faultSeed: "redact", countTokens: (m) => Math.ceil(JSON.stringify(m).length / 4) });
  });
  afterAll(() => emu.close());

  const common = ["--data", MEDQA, "--max-cases", "6", "--mode", "direct", "--no-preflight", "--max-retries", "0", "--case-retry-budget", "0"];
  const userinfo = () => emu.url.replace("http://", `http://medgemma:${SECRET}@`);
  const scenarios: Array<[string, () => { args: string[]; env?: Record<string, string>; dotenv?: string }]> = [
    ["MEDGEMMA_API_KEY in the environment", () => ({ args: ["--base-url", emu.url], env: { MEDGEMMA_API_KEY: SECRET } })],
    ["HF_TOKEN in the environment", () => ({ args: ["--base-url", emu.url], env: { HF_TOKEN: SECRET } })],
    ["--api-key K", () => ({ args: ["--base-url", emu.url, "--api-key", SECRET] })],
    ["--apiKey K (yargs' camelCase alias)", () => ({ args: ["--base-url", emu.url, "--apiKey", SECRET] })],
    ["--api-key=K", () => ({ args: ["--base-url", emu.url, `--api-key=${SECRET}`] })],
    [".env", () => ({ args: [], dotenv: `MEDGEMMA_BASE_URL=${emu.url}\nMEDGEMMA_API_KEY="${SECRET}"\n` })],
    ["URL userinfo in --base-url", () => ({ args: ["--base-url", userinfo(), "--api-key", SECRET] })],
    ["URL userinfo in MEDGEMMA_BASE_URL", () => ({ args: ["--apiKey", SECRET], env: { MEDGEMMA_BASE_URL: userinfo() } })],
  ];

  it.each(scenarios)("%s", async (_name, make) => {
    const s = make();
    const cwd = tempDir("rv-secret-cwd-");
    const out = tempDir("rv-secret-out-");
    if (s.dotenv) writeFileSync(join(cwd, ".env"), s.dotenv);
    const res = await runCli([...common, ...s.args, "--out", out], { cwd, env: cleanEnv(s.env ?? {}) });
    // The run happened (some cases answered, some errored → exit 4 with a re-run hint).
    expect(res.code, res.stderr).toBe(4);
    expect(res.stderr).toMatch(/Re-run the errored ones with:\n {2}npx run-validation/);
    const written = filesUnder(out);
    expect(written.map((f) => f.split("/").pop())).toEqual(expect.arrayContaining(["run.json", "cases.jsonl", "events.jsonl", "summary.json", "summary.md", "report.html", "junit.xml", "cases.csv"]));
    for (const [where, text] of [["stdout", res.stdout], ["stderr", res.stderr], ...written.map((f) => [f, readFileSync(f, "utf8")])] as const) {
      expect(text.includes(SECRET), `${where} contains the secret`).toBe(false);
      expect(text.includes(encodeURIComponent(SECRET)), where).toBe(false);
    }
  });
});
