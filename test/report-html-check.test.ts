import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { writeReports } from "../src/report/write.js";
import { handFixture, writeJournal } from "./fixtures/report/journal.js";
import { largeFixture } from "./fixtures/report/large.js";

const run = promisify(execFile);
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const hasChromium = existsSync(CHROMIUM);
/** In CI (.ci/run sets CI and installs Chromium) a missing browser is a failure, never a silent skip. */
const inCi = Boolean(process.env.CI);
if (!hasChromium && !inCi) console.warn(`report-html-check: skipped, no Chromium at ${CHROMIUM} (apt-get install chromium)`);

describe.runIf(inCi)("report.html browser check in CI", () => {
  it(`Chromium is installed at ${CHROMIUM} (.ci/run installs Debian's chromium)`, () => {
    expect(hasChromium, `no Chromium at ${CHROMIUM}: apt-get install -y chromium, or set CHROMIUM`).toBe(true);
  });
});

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

async function check(file: string): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ["scripts/check-report-html.mjs", file], { timeout: 90_000 });
    return { code: 0, out: stdout + stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: err.code ?? -1, out: `${err.stdout ?? ""}${err.stderr ?? ""}` };
  }
}

describe.skipIf(!hasChromium)("report.html in headless Chromium (skipped without /usr/bin/chromium)", () => {
  it("the fixture report loads with no console error and no network request, and its script runs", async () => {
    const { run: r, cases, events } = handFixture();
    cases[0] = { ...cases[0]!, stem: "<img src=https://example.invalid/x.png> <script>boom()</script>?" };
    const dir = writeJournal(r, cases, events);
    dirs.push(dir);
    await writeReports(dir);
    const res = await check(join(dir, "report.html"));
    expect(res.out).toContain("check-report-html: ok");
    expect(res.code).toBe(0);
  });

  it("a 1,273-case × 2-arm report loads cleanly too", async () => {
    const { run: r, cases, events } = largeFixture();
    const dir = writeJournal(r, cases, events);
    dirs.push(dir);
    await writeReports(dir);
    const res = await check(join(dir, "report.html"));
    expect(res.out).toContain("check-report-html: ok");
  });

  it("fails on an external request, a console error and an exception", async () => {
    const dir = mkdtempSync(join(tmpdir(), "report-html-bad-"));
    dirs.push(dir);
    const bad = join(dir, "bad.html");
    writeFileSync(
      bad,
      `<!doctype html><html><head><meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"></head>` +
        `<body><img src="https://example.invalid/x.png"><script>console.error("bad thing"); missingFn();</script></body></html>`,
    );
    const res = await check(bad);
    expect(res.code).toBe(1);
    expect(res.out).toContain("network request: https://example.invalid/x.png");
    expect(res.out).toContain("console.error: bad thing");
    expect(res.out).toMatch(/uncaught exception: ReferenceError: missingFn/);
  });
});
