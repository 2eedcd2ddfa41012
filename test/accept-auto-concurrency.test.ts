// `--concurrency auto` through the built CLI on the embedded emulator's A100 model: every change and the chosen
// level land in events.jsonl, summary.json and summary.md. (Whether it finds the sweet spot is tested in virtual
// time in endpoint-auto-concurrency.test.ts and measured by `npm run bench`; this checks the plumbing.)
import { join } from "node:path";
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { MEDQA, cleanEnv, onlyRunDir, readJson, readJsonl, runCli, tempDir, type CliResult } from "./helpers/cli.js";

let res: CliResult;
let dir: string;
beforeAll(async () => {
  const out = tempDir("rv-auto-");
  res = await runCli(
    ["--data", MEDQA, "--max-cases", "120", "--mode", "direct", "--concurrency", "auto", "--max-concurrency", "16", "--emulator-latency", "a100", "--time-scale", "200", "--out", out],
    { env: cleanEnv(), timeoutMs: 240_000 },
  );
  dir = onlyRunDir(out);
}, 260_000);

describe("--concurrency auto, end to end", () => {
  it("completes and says where it settled (or that it was still probing)", () => {
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toMatch(/--concurrency auto: (settled at \d+|still probing when the run ended)/);
  });

  it("events.jsonl: starts at 2, raises only by probing, never above the ceiling, ends with the chosen level", () => {
    const events = readJsonl<{ type: string; limit: number | null; reason?: string; tok_s?: number; final?: number }>(join(dir, "events.jsonl"));
    const changes = events.filter((e) => e.type === "concurrency");
    expect(changes[0]).toMatchObject({ limit: 2, reason: "start" });
    for (const c of changes.slice(1)) {
      expect(["probe", "settle", "overload", "queue_growth"]).toContain(c.reason);
      expect(c.tok_s).toBeGreaterThan(0);
      expect(c.limit!).toBeLessThanOrEqual(16);
    }
    const chosen = events.filter((e) => e.type === "concurrency_chosen");
    expect(chosen).toHaveLength(1);
    expect(chosen[0]!.final).toBe(changes.at(-1)!.limit);
    const summary = readJson<{ concurrency: unknown[]; concurrency_chosen: { limit: number | null; final: number } }>(join(dir, "summary.json"));
    expect(summary.concurrency).toHaveLength(changes.length);
    expect(summary.concurrency_chosen).toEqual({ limit: chosen[0]!.limit, final: chosen[0]!.final });
    expect(readFileSync(join(dir, "summary.md"), "utf8")).toMatch(/Concurrency auto: (settled at \*\*\d+\*\*|still probing)/);
  });

  it("run.json records the ceiling and the auto flag", () => {
    const run = readJson<{ config: { concurrency: number; concurrency_auto?: boolean } }>(join(dir, "run.json"));
    expect(run.config).toMatchObject({ concurrency: 16, concurrency_auto: true });
  });

  it("a bad value is refused with exit 2 naming the flag and what it accepts", async () => {
    const r = await runCli(["--data", MEDQA, "--concurrency", "lots"], { env: cleanEnv() });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--concurrency: expected a whole number in 1..1024 or "auto", got "lots"');
  });
});
