// The MedQA test set shipped with the package (datasets/medqa/*.jsonl.gz): the same cases as the published file,
// sha256-checked on every load, and used by `--medqa` with no network and no --data / MEDQA_PATH.
import { spawn } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { DataError } from "../src/datasets/errors.js";
import { MEDQA_BUNDLED, MEDQA_SHA256, medqaCachePath, resolveMedqa } from "../src/datasets/fetch.js";
import { loadDataset } from "../src/datasets/load.js";
import { BIN, MEDQA, REPO, cleanEnv, onlyRunDir, readJson, readJsonl, tempDir } from "./helpers/cli.js";

const BUNDLED = path.join(REPO, MEDQA_BUNDLED);
const tmp = tempDir("bundled-");
const write = (name: string, bytes: Buffer) => {
  const p = path.join(tmp, name);
  writeFileSync(p, bytes);
  return p;
};

async function dataError(p: Promise<unknown>): Promise<DataError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(DataError);
  return err as DataError;
}

describe("the shipped MedQA copy", () => {
  it("decompresses to the published file byte for byte, at under a third of its size", () => {
    const gz = readFileSync(BUNDLED);
    const raw = readFileSync(MEDQA);
    expect(gunzipSync(gz).equals(raw)).toBe(true);
    expect(gz.length).toBeLessThan(raw.length / 3);
  });

  it("loads as the same dataset as the raw file: name, sha256, ids, content hashes, answers", async () => {
    const [fromGz, fromRaw] = await Promise.all([loadDataset(BUNDLED, { expectSha256: MEDQA_SHA256 }), loadDataset(MEDQA)]);
    expect(fromGz.name).toBe("medqa-us4-test");
    expect(fromGz.sha256).toBe(MEDQA_SHA256);
    expect(fromGz.format).toBe("jsonl");
    expect(fromGz.cases).toHaveLength(1273);
    const key = (c: { id: string; content_hash: string; answer_idx: string; meta_info?: string }) => [c.id, c.content_hash, c.answer_idx, c.meta_info];
    expect(fromGz.cases.map(key)).toEqual(fromRaw.cases.map(key));
  });

  it("refuses a gzip whose content differs from the pinned sha256, naming both hashes", async () => {
    const raw = readFileSync(MEDQA);
    const altered = Buffer.from(raw.toString("utf8").replace("A 23-year-old", "A 24-year-old"));
    expect(altered.equals(raw)).toBe(false);
    const err = await dataError(loadDataset(write("altered.jsonl.gz", gzipSync(altered)), { expectSha256: MEDQA_SHA256 }));
    expect(err.message).toContain(`expected sha256 ${MEDQA_SHA256}, got `);
    expect(err.message).toMatch(/altered\.jsonl\.gz: failed verification/);
  });

  it("refuses a truncated gzip as a damaged file (not a crash)", async () => {
    const gz = readFileSync(BUNDLED);
    const err = await dataError(loadDataset(write("truncated.jsonl.gz", gz.subarray(0, gz.length - 1000)), { expectSha256: MEDQA_SHA256 }));
    expect(err.issue.field).toBe("(file)");
    expect(err.message).toMatch(/truncated\.jsonl\.gz: .*expected a complete gzip file/);
  });

  it("reports a bad record inside a gzip with its line number", async () => {
    const lines = readFileSync(MEDQA, "utf8").split("\n").slice(0, 3);
    lines[1] = lines[1]!.replace(/"answer_idx": ?"[A-D]"/, '"answer_idx": "Q"');
    const err = await dataError(loadDataset(write("bad.jsonl.gz", gzipSync(lines.join("\n")))));
    expect(err.message).toMatch(/bad\.jsonl\.gz:2: field "answer_idx"/);
  });
});

describe("resolveMedqa", () => {
  const fail = (async () => {
    throw new Error("no network in this test");
  }) as typeof fetch;

  it("uses the shipped copy when nothing is cached, without downloading, and pins its sha256", async () => {
    const got = await resolveMedqa({ env: {}, cacheDir: path.join(tmp, "empty-cache"), bundledPath: BUNDLED, allowFetch: true, fetchImpl: fail });
    expect(got).toEqual({ path: BUNDLED, sha256: MEDQA_SHA256, source: "bundled" });
  });

  it("prefers a verified cache (what `fetch medqa` refreshed) and falls back to the shipped copy past a corrupt one", async () => {
    const cacheDir = path.join(tmp, "cache");
    mkdirSync(cacheDir, { recursive: true });
    copyFileSync(MEDQA, medqaCachePath(cacheDir));
    expect(await resolveMedqa({ env: {}, cacheDir, bundledPath: BUNDLED, allowFetch: true, fetchImpl: fail })).toEqual({
      path: medqaCachePath(cacheDir),
      sha256: MEDQA_SHA256,
      source: "cache",
    });
    writeFileSync(medqaCachePath(cacheDir), "corrupt\n");
    const logs: string[] = [];
    const got = await resolveMedqa({ env: {}, cacheDir, bundledPath: BUNDLED, allowFetch: true, fetchImpl: fail, log: (s) => logs.push(s) });
    expect(got.source).toBe("bundled");
    expect(logs.join("\n")).toMatch(/is corrupt .*using the shipped copy/);
  });

  it("leaves a user's file unverified (--data, MEDQA_PATH)", async () => {
    const opts = { cacheDir: tmp, bundledPath: BUNDLED, allowFetch: true, fetchImpl: fail };
    expect(await resolveMedqa({ ...opts, data: "/x/mine.csv", env: {} })).toEqual({ path: "/x/mine.csv", sha256: null, source: "data" });
    expect(await resolveMedqa({ ...opts, env: { MEDQA_PATH: "/y/m.jsonl" } })).toEqual({ path: "/y/m.jsonl", sha256: null, source: "env" });
  });
});

/** The README quick start, offline: no endpoint, no MEDQA_PATH, no --data, every non-loopback fetch failing. */
function runOffline(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, ["--import", path.join(REPO, "test/helpers/offline.mjs"), BIN, ...args], { cwd: REPO, env: cleanEnv() });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    child.stdout.resume();
    child.on("error", rej);
    child.on("close", (code) => res({ code, stderr }));
  });
}

describe("run-validation --medqa offline", () => {
  it("runs the quick start on the shipped (or a verified cached) copy with no network", async () => {
    const out = tempDir("rv-offline-");
    const res = await runOffline(["--medqa", "--max-cases", "5", "--seed", "42", "--mode", "direct", "--out", out]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).not.toMatch(/\[offline\] blocked|downloading/);
    const dir = onlyRunDir(out);
    const run = readJson<{ config: { data_path: string; data_sha256: string }; dataset: { name: string; sha256: string }; sampled_ids: string[] }>(path.join(dir, "run.json"));
    expect([BUNDLED, medqaCachePath(path.join(REPO, "datasets", "cache"))]).toContain(run.config.data_path);
    expect(run.config.data_sha256).toBe(MEDQA_SHA256);
    expect(run.dataset).toMatchObject({ name: "medqa-us4-test", sha256: MEDQA_SHA256 });
    expect(readJsonl(path.join(dir, "cases.jsonl"))).toHaveLength(5);
  }, 60_000);
});

describe("packaging", () => {
  it("the npm package carries the shipped copy, its README, the CLI and the compiled code", async () => {
    const out = await new Promise<string>((res, rej) => {
      const child = spawn("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: REPO });
      let s = "";
      child.stdout.on("data", (d) => (s += d));
      child.stderr.resume();
      child.on("error", rej);
      child.on("close", (code) => (code === 0 ? res(s) : rej(new Error(`npm pack exited ${code}`))));
    });
    const files = (JSON.parse(out) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map((f) => f.path);
    expect(files).toEqual(expect.arrayContaining([MEDQA_BUNDLED, "datasets/medqa/README.md", "datasets/registry.lock.json", "bin/run-validation.js", "dist/cli.js"]));
    expect(files.some((f) => f.startsWith("datasets/cache/") && f !== "datasets/cache/.gitkeep")).toBe(false);
  }, 60_000);
});
