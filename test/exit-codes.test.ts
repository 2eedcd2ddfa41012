// Issue #15 item 8: every data/usage/local-I/O problem exits 2 with one line (no stack trace unless DEBUG);
// the README's exit-code table lists every code the program returns. Codes 0, 1, 3, 4 and 130 are asserted
// end to end in e2e-cli, diff-command, accept-resilience and accept-pipeline; 5 in journal-failure.test.ts.
import { spawn } from "node:child_process";
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { JournalError } from "../src/journal/read.js";
import { classifyExit, EXIT, UsageError, EndpointUnavailableError } from "../src/runner/exit-codes.js";
import { DataError } from "../src/datasets/errors.js";
import { BIN, MEDQA, REPO, cleanEnv, runCli, tempDir, type CliResult } from "./helpers/cli.js";

const sysErr = (code: string, msg: string) => Object.assign(new Error(msg), { code });

describe("README exit-code table", () => {
  it("lists exactly the codes in EXIT", () => {
    const readme = readFileSync(join(REPO, "README.md"), "utf8");
    const section = readme.split("## Exit codes")[1]!.split("\n## ")[0]!;
    const listed = [...section.matchAll(/^\| (\d+) \|/gm)].map((m) => Number(m[1]));
    expect(listed.sort((a, b) => a - b)).toEqual(Object.values(EXIT).sort((a, b) => a - b));
  });
});

describe("classifyExit", () => {
  it.each([
    ["a usage error", new UsageError("--seed: bad"), EXIT.USAGE],
    ["a data error", new DataError({ file: "f", line: 3, field: "x", expected: "y" }), EXIT.USAGE],
    ["a corrupt journal", new JournalError("cases.jsonl:2: not valid JSON"), EXIT.USAGE],
    ["EACCES", sysErr("EACCES", "EACCES: permission denied, open 'x'"), EXIT.USAGE],
    ["EADDRINUSE", sysErr("EADDRINUSE", "listen EADDRINUSE: address already in use"), EXIT.USAGE],
    ["ENOSPC outside the journal", sysErr("ENOSPC", "ENOSPC: no space left on device"), EXIT.USAGE],
    ["an unusable endpoint", new EndpointUnavailableError("401"), EXIT.ENDPOINT],
    ["a bug", new TypeError("cannot read properties of undefined"), EXIT.INTERNAL],
  ])("%s → its code, one line, no stack", (_n, err, code) => {
    const r = classifyExit(err, false);
    expect(r.code).toBe(code);
    expect(r.message.split("\n")).toHaveLength(1);
    expect(r.message).not.toMatch(/\n\s+at /);
  });

  it("never maps anything to 1 (reserved for a regression found by diff)", () => {
    for (const e of [new Error("x"), "str", null, undefined, 42, sysErr("EWHATEVER", "x")]) expect(classifyExit(e, false).code).not.toBe(EXIT.REGRESSION);
  });

  it("DEBUG adds the stack trace", () => {
    expect(classifyExit(new TypeError("boom"), true).message).toMatch(/\n\s+at /);
    expect(classifyExit(sysErr("EACCES", "denied"), true).message).toMatch(/\n\s+at /);
  });
});

function expectOneLine2(res: CliResult, pattern: RegExp): void {
  expect(res.code, res.stderr).toBe(2);
  expect(res.stderr).toMatch(pattern);
  expect(res.stderr).not.toMatch(/\n\s+at /); // no stack trace
  expect(res.stderr.trim().split("\n"), res.stderr).toHaveLength(1);
}

const firstLines = (n: number) => readFileSync(MEDQA, "utf8").split("\n").slice(0, n);

describe("exit 2 with one line", () => {
  let server: Server | null = null;
  afterEach(() => {
    server?.close();
    server = null;
  });

  it("an unreadable dataset (EACCES)", async () => {
    const dir = tempDir("rv-eacces-");
    chmodSync(dir, 0o755);
    const file = join(dir, "locked.jsonl");
    writeFileSync(file, firstLines(2).join("\n") + "\n");
    chmodSync(file, 0o000);
    // root reads anything: run the CLI as nobody then, so the permission check is real.
    const asRoot = process.getuid?.() === 0;
    const res = await new Promise<CliResult>((res, rej) => {
      const child = spawn(process.execPath, [BIN, "--data", file, "--out", join(dir, "out")], {
        cwd: REPO,
        env: cleanEnv(),
        ...(asRoot ? { uid: 65534, gid: 65534 } : {}),
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d) => (stdout += d));
      child.stderr.on("data", (d) => (stderr += d));
      child.on("error", rej);
      child.on("close", (code, signal) => res({ code, signal, stdout, stderr }));
    });
    expectOneLine2(res, new RegExp(`${file}: cannot read dataset file \\(EACCES`));
  });

  it("invalid UTF-8 in a dataset names the file and line", async () => {
    const dir = tempDir("rv-utf8-");
    const file = join(dir, "bad.jsonl");
    const good = firstLines(2);
    writeFileSync(file, Buffer.concat([Buffer.from(good.join("\n") + "\n"), Buffer.from('{"question":"bad '), Buffer.from([0xc3, 0x28]), Buffer.from('","options":{"A":"x","B":"y"},"answer_idx":"A"}\n')]));
    expectOneLine2(await runCli(["--data", file, "--out", dir]), new RegExp(`${file}:3: not valid UTF-8`));
  });

  it("report on a folder that is not a run", async () => {
    const dir = tempDir("rv-notrun-");
    expectOneLine2(await runCli(["report", dir]), /is not a run directory: run\.json is missing/);
  });

  it("report on a corrupt journal, and on journal lines that are JSON but not case records", async () => {
    const dir = tempDir("rv-corrupt-");
    const first = await runCli(["--data", MEDQA, "--max-cases", "3", "--mode", "direct", "--out", dir]);
    expect(first.code, first.stderr).toBe(0);
    const run = join(dir, (await import("node:fs")).readdirSync(dir)[0]!);
    const lines = readFileSync(join(run, "cases.jsonl"), "utf8").split("\n").filter(Boolean);
    writeFileSync(join(run, "cases.jsonl"), [lines[0], "{not json", lines[1]].join("\n") + "\n");
    expectOneLine2(await runCli(["report", run]), /cases\.jsonl:2: not valid JSON/);
    for (const bad of ["null", "{}", '"x"', "42", "[]"]) {
      writeFileSync(join(run, "cases.jsonl"), [lines[0], lines[1], bad, lines[2]].join("\n") + "\n");
      expectOneLine2(await runCli(["report", run]), /cases\.jsonl:3: not a journal record/);
      const resumed = await runCli(["--resume", run, "--data", MEDQA, "--max-cases", "3", "--mode", "direct"]);
      expectOneLine2(resumed, /cases\.jsonl:3: not a journal record/);
    }
  });

  it("the emulator on a port already in use", async () => {
    server = createServer();
    const port = await new Promise<number>((r) => server!.listen(0, "127.0.0.1", () => r((server!.address() as { port: number }).port)));
    expectOneLine2(await runCli(["emulator", "--port", String(port)]), /EADDRINUSE/);
  });

  it("a dataset path that is a directory, and a missing one", async () => {
    const dir = tempDir("rv-dirdata-");
    mkdirSync(join(dir, "x.jsonl"));
    expectOneLine2(await runCli(["--data", join(dir, "x.jsonl"), "--out", dir]), /is not a regular file/);
    expectOneLine2(await runCli(["--data", join(dir, "nope.jsonl"), "--out", dir]), /dataset file not found/);
  });
});
