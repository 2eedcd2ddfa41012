// #18: the built-in pipeline's run.json identity. Runs started before the built-in pipeline became a pipeline file
// must still resume and diff against new ones, so the config hash and the prompt hashes of a default run are pinned
// to the values recorded on the code before the switch (test/fixtures/pipeline-recording/run-json.json).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { MEDQA, onlyRunDir, readJson, runCli, tempDir } from "./helpers/cli.js";

const PINNED = JSON.parse(readFileSync(join(import.meta.dirname, "fixtures", "pipeline-recording", "run-json.json"), "utf8")) as {
  args: string[];
  config_hash: string;
  prompts: Record<string, { sha256: string; overridden: boolean }>;
};

describe("default pipeline run.json (#18)", () => {
  it("a default --mode both run has the config hash and prompt hashes recorded before the switch", async () => {
    const out = tempDir("rv-default-");
    const res = await runCli(["--medqa", "--data", MEDQA, ...PINNED.args, "--out", out]);
    expect(res.code, res.stderr).toBe(0);
    const run = readJson<{ config_hash: string; prompts: unknown; pipeline?: unknown }>(join(onlyRunDir(out), "run.json"));
    expect(run.prompts).toEqual(PINNED.prompts);
    expect(run.config_hash).toBe(PINNED.config_hash);
  }, 60_000);
});
