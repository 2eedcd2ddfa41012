// Acceptance (#13): the main job against each engine's emulator (standalone, reached with --base-url), detected
// automatically; grammar mode on each; vLLM's context-length 400 without retries; a plain OpenAI-compatible
// server; a --stream run with an injected mid-stream error. The built CLI, asserting on what lands on disk.
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startEmulator, type EmulatorHandle } from "../src/emulator/server.js";
import type { RunEvent } from "../src/journal/events.js";
import type { Summary } from "../src/report/summary-schema.js";
import { STEP_IDS, type CaseRecord, type RunJson } from "../src/types.js";
import { fillerSentences, outcomeCounts, syntheticCase } from "./fixtures/accept/helpers.js";
import { MEDQA, cleanEnv, onlyRunDir, readJson, readJsonl, runCli, tempDir } from "./helpers/cli.js";

const handles: EmulatorHandle[] = [];
const servers: Server[] = [];
afterAll(async () => {
  await Promise.all(handles.map((h) => h.close()));
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

async function emulator(engine: "tgi" | "vllm" | "sglang", extra: Parameters<typeof startEmulator>[0] = {}): Promise<EmulatorHandle> {
  const h = await startEmulator({ engine, latency: "none", ...extra });
  handles.push(h);
  return h;
}

interface Run {
  code: number | null;
  stderr: string;
  dir: string;
  run: RunJson;
  lines: CaseRecord[];
  events: RunEvent[];
  summary: Summary;
}

async function run(url: string, args: string[]): Promise<Run> {
  const out = tempDir("rv-eng-");
  const res = await runCli(["--data", MEDQA, "--seed", "42", "--base-url", url, "--concurrency", "8", "--out", out, ...args], { env: cleanEnv(), timeoutMs: 240_000 });
  const dir = onlyRunDir(out);
  return {
    code: res.code,
    stderr: res.stderr,
    dir,
    run: readJson<RunJson>(join(dir, "run.json")),
    lines: readJsonl<CaseRecord>(join(dir, "cases.jsonl")),
    events: readJsonl<RunEvent>(join(dir, "events.jsonl")),
    summary: readJson<Summary>(join(dir, "summary.json")),
  };
}

const VERSIONS = { tgi: "3.3.6", vllm: "0.11.2", sglang: "0.5.4" } as const;

describe.each(["tgi", "vllm", "sglang"] as const)("the main job against emulator --engine %s", (engine) => {
  it("50 cases --mode both: 0 errors, engine detected automatically, saturation sampled", async () => {
    const e = await emulator(engine);
    const r = await run(e.url, ["--max-cases", "50", "--mode", "both"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.lines).toHaveLength(100);
    expect(outcomeCounts(r.lines).error).toBe(0);
    expect(r.run.endpoint.engine).toBe(engine);
    expect(r.run.endpoint.engine_version).toBe(VERSIONS[engine]);
    expect(r.run.endpoint.detected_by).toMatch(/^auto: /);
    expect(r.run.endpoint.kind).toBe("emulator");
    expect(r.run.endpoint.limits).not.toBeNull();
    expect(r.summary.run.engine?.name).toBe(engine);
    // The engine's own Prometheus series were read at least once (the first sample is taken at the start).
    expect(r.events.some((x) => x.type === "saturation" && x.running !== null && x.queue !== null)).toBe(true);
    expect(r.summary.saturation?.source).toBe("metrics");
  }, 250_000);

  it("--json-mode grammar works: the engine's structured-output shape is accepted, 0 errors", async () => {
    const e = await emulator(engine);
    const r = await run(e.url, ["--max-cases", "12", "--mode", "pipeline", "--json-mode", "grammar"]);
    expect(r.code, r.stderr).toBe(0);
    expect(outcomeCounts(r.lines).error).toBe(0);
    expect(e.stats().requests["200"]).toBeGreaterThan(12 * 5);
    // vLLM and SGLang compile every step schema (xgrammar with fallbacks). TGI's outlines-core refuses `type`
    // arrays (422, a degraded step, not an error): grammar-safe step schemas are issue #12's.
    if (engine !== "tgi") {
      expect(r.lines.every((l) => Object.values(l.steps ?? {}).every((s) => s?.status !== "failed"))).toBe(true);
      expect(e.stats().requests["400"] ?? 0).toBe(0);
    }
  }, 250_000);
});

describe("vLLM context length", () => {
  it("a vLLM 400 'maximum context length' is recorded as input_too_long, without retries", async () => {
    const dataDir = tempDir("rv-eng-data-");
    const data = join(dataDir, "long.jsonl");
    writeFileSync(
      data,
      [
        syntheticCase("A 30-year-old man presents with fever and cough. Which of the following is the most likely diagnosis?", "A"),
        syntheticCase(`A 45-year-old woman has chest pain on exertion. ${fillerSentences(20_000)} Which of the following is the best next step in management?`, "B"),
      ]
        .map((c) => JSON.stringify(c))
        .join("\n") + "\n",
    );
    const e = await emulator("vllm");
    const out = tempDir("rv-eng-");
    // --no-preflight: the over-long request reaches vLLM, whose own 400 must be classed right.
    const res = await runCli(["--data", data, "--base-url", e.url, "--mode", "direct", "--no-preflight", "--max-error-rate", "1", "--out", out], { env: cleanEnv(), timeoutMs: 120_000 });
    expect([0, 4]).toContain(res.code);
    const lines = readJsonl<CaseRecord>(join(onlyRunDir(out), "cases.jsonl"));
    const long = lines.find((l) => l.outcome === "error")!;
    expect(long).toBeDefined();
    expect(long.error_class).toBe("input_too_long");
    expect(long.status).toBe(400);
    expect(long.attempts).toBe(1);
    expect(long.error).toMatch(/maximum context length is 16384 tokens/);
    expect(e.stats().requests["400"]).toBe(1);
    expect(lines.filter((l) => l.outcome !== "error")).toHaveLength(1);
  }, 150_000);
});

/** A plain OpenAI-compatible server: only /v1/chat/completions, forwarded to an SGLang emulator; every other route 404. */
async function plainServer(target: EmulatorHandle): Promise<string> {
  const server = createServer((req, res) => {
    if (req.method !== "POST" || req.url !== "/v1/chat/completions") {
      res.writeHead(404, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { message: "Not Found", type: "invalid_request_error" } }));
      return;
    }
    const fwd = request(`${target.origin}/v1/chat/completions`, { method: "POST", headers: { "content-type": "application/json" } }, (up) => {
      const headers = { ...up.headers };
      delete headers["x-medqa-emulator"];
      res.writeHead(up.statusCode ?? 500, headers);
      up.pipe(res);
    });
    req.pipe(fwd);
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
}

describe("a plain OpenAI-compatible server", () => {
  it("runs with engine openai, a clear note that limits are unknown, and says /metrics is unavailable once", async () => {
    const url = await plainServer(await emulator("sglang"));
    const r = await run(url, ["--max-cases", "5", "--mode", "both"]);
    expect(r.code, r.stderr).toBe(0);
    expect(outcomeCounts(r.lines).error).toBe(0);
    expect(r.run.endpoint.engine).toBe("openai");
    expect(r.run.endpoint.limits).toBeNull();
    expect(r.run.endpoint.limits_source).toBe("unknown");
    expect(r.stderr).toMatch(/limits are unknown/);
    expect(r.run.endpoint.notes?.join(" ")).toMatch(/limits are unknown/);
    expect(r.stderr.match(/saturation not measured/g)).toHaveLength(1);
    expect(r.events.filter((x) => x.type === "metrics_unavailable")).toHaveLength(1);
    expect(r.summary.saturation?.source).toBe("unavailable");
  }, 150_000);
});

describe.each(["vllm", "tgi", "sglang"] as const)("--stream against emulator --engine %s", (engine) => {
  it("every call's TTFT and decode rate in the journal and the report; an injected mid-stream error is retried and the case finishes", async () => {
    // Request 3 fails mid-stream (generation failure after half its tokens).
    const e = await emulator(engine, { faultAt: { 3: "424" } });
    const r = await run(e.url, ["--max-cases", "6", "--mode", "both", "--stream"]);
    expect(r.code, r.stderr).toBe(0);
    expect(outcomeCounts(r.lines).error).toBe(0);
    expect(r.run.endpoint.stream).toBe(true);
    const calls: Array<{ stream?: { ttft_ms: number; decode_tok_s: number | null; chunks: number } }> = [];
    for (const l of r.lines) {
      if (l.arm === "direct") calls.push(l);
      for (const id of STEP_IDS) {
        const s = l.steps?.[id];
        if (s && s.calls > 0) calls.push(s);
      }
    }
    expect(calls.length).toBeGreaterThan(6);
    for (const c of calls) {
      expect(c.stream).toBeDefined();
      expect(c.stream!.ttft_ms).toBeGreaterThanOrEqual(0);
      expect(c.stream!.chunks).toBeGreaterThan(1);
      expect(c.stream!.decode_tok_s).not.toBeNull();
    }
    // The mid-stream error was retried: one retry event, and one record with more attempts than calls.
    const retries = r.events.filter((x): x is Extract<RunEvent, { type: "retry" }> => x.type === "retry");
    expect(retries.length).toBe(1);
    expect(["generation_error", "server_error"]).toContain(retries[0]!.error_class);
    expect(r.lines.some((l) => l.attempts > l.calls || Object.values(l.steps ?? {}).some((s) => s && s.attempts > s.calls))).toBe(true);
    // The report shows TTFT and decode rate per step, for both arms.
    for (const a of r.summary.arms) {
      expect(a.streaming?.length).toBeGreaterThan(0);
      for (const st of a.streaming!) {
        expect(st.ttft_ms.n).toBe(st.n);
        expect(st.decode_tok_s.p50).not.toBeNull();
      }
    }
    const html = (await import("node:fs")).readFileSync(join(r.dir, "report.html"), "utf8");
    expect(html).toContain("Streaming: time to first token and decode rate per step");
    expect(html).toContain("Endpoint saturation");
  }, 150_000);
});

describe("diff of two --stream runs", () => {
  it("compares TTFT and decode rate per step", async () => {
    const e = await emulator("vllm");
    const a = await run(e.url, ["--max-cases", "4", "--mode", "both", "--stream"]);
    const b = await run(e.url, ["--max-cases", "4", "--mode", "both", "--stream"]);
    const out = join(tempDir("rv-eng-diff-"), "diff.json");
    const res = await runCli(["diff", a.dir, b.dir, "--json", out], { env: cleanEnv(), timeoutMs: 60_000 });
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toMatch(/TTFT answer/);
    const d = readJson<{ arms: Array<{ label: string; streaming?: Array<{ step: string; n_base: number; n_cand: number; base_p50: number | null }> }> }>(out);
    const pipe = d.arms.find((x) => x.label === "pipeline")!;
    const steps = pipe.streaming!.map((r) => r.step);
    expect(steps).toContain("TTFT parse");
    expect(steps).toContain("decode tok/s answer");
    for (const r of pipe.streaming!) expect([r.n_base, r.n_cand]).toEqual([4, 4]);
    expect(d.arms.find((x) => x.label === "direct")!.streaming!.map((r) => r.step)).toEqual(["TTFT direct", "decode tok/s direct"]);
  }, 150_000);
});
