// `--help` is served from text rendered at build time (scripts/help-cache.mjs) so it starts without yargs; it must
// be byte-identical to what the parser itself prints, at both cached widths, and other widths must still work.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { renderHelp } from "../src/cli.js";
import { REPO, runCli } from "./helpers/cli.js";

describe("cached top-level --help", () => {
  it.each([100, 120])("dist/help/%i.txt is the parser's own help at that width", async (width) => {
    const file = join(REPO, "dist", "help", `${width}.txt`);
    expect(existsSync(file)).toBe(true);
    expect(readFileSync(file, "utf8")).toBe((await renderHelp(width)) + "\n");
  });

  it("`run-validation --help` (not a terminal: width 100) prints it and exits 0", async () => {
    const r = await runCli(["--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe((await renderHelp(100)) + "\n");
    expect(r.stdout).toContain("--concurrency");
  });

  it("subcommand help still goes through yargs", async () => {
    const r = await runCli(["report", "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Regenerate every report");
  });
});
