import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  FetchError,
  MEDQA_SHA256,
  fetchMedqa,
  medqaCachePath,
  resolveMedqaPath,
  sha256File,
} from "../src/datasets/fetch.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const MEDQA = path.resolve(here, "../../shared/datasets/medqa/us_4options_test.jsonl");
const good = readFileSync(MEDQA);
const altered = Buffer.concat([good.subarray(0, good.length - 2), Buffer.from("X\n")]);

const tmp = mkdtempSync(path.join(tmpdir(), "fetch-test-"));
let server: Server;
let base = "";
let hits = 0;

/** Serves /good (the real bytes), /altered (one byte changed) and 404 for anything else. */
beforeAll(async () => {
  server = createServer((req, res) => {
    hits++;
    const body = req.url === "/good" ? good : req.url === "/altered" ? altered : null;
    if (body === null) return void res.writeHead(404).end("not here");
    res.writeHead(200, { "content-type": "application/octet-stream" }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(tmp, { recursive: true, force: true });
});

let dirNo = 0;
const freshDir = () => path.join(tmp, `cache-${dirNo++}`);

/** A loopback port with nothing listening on it. */
async function closedPortUrl(): Promise<string> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise((resolve) => s.close(resolve));
  return `http://127.0.0.1:${port}/good`;
}

async function rejection(p: Promise<unknown>): Promise<FetchError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(FetchError);
  return err as FetchError;
}

describe("sha256File", () => {
  it("hashes the shared MedQA file to the published value", async () => {
    expect(await sha256File(MEDQA)).toBe(MEDQA_SHA256);
  });
});

describe("fetchMedqa", () => {
  it("downloads, verifies and installs the file under its canonical name", async () => {
    const cacheDir = freshDir();
    const logs: string[] = [];
    const dest = await fetchMedqa({ cacheDir, url: `${base}/good`, log: (s) => logs.push(s) });
    expect(dest).toBe(path.join(cacheDir, "us_4options_test.jsonl"));
    expect(readFileSync(dest).equals(good)).toBe(true);
    expect(readdirSync(cacheDir)).toEqual(["us_4options_test.jsonl"]);
    expect(logs.join("\n")).toContain(`verified sha256 ${MEDQA_SHA256}`);
  });

  it("rejects altered bytes, showing both hashes and leaving nothing in the cache", async () => {
    const cacheDir = freshDir();
    const err = await rejection(fetchMedqa({ cacheDir, url: `${base}/altered` }));
    expect(err.kind).toBe("checksum");
    expect(err.message).toContain(`expected sha256 ${MEDQA_SHA256}`);
    expect(err.message).toMatch(/got [0-9a-f]{64}/);
    expect(err.message).not.toContain(`got ${MEDQA_SHA256}`);
    expect(readdirSync(cacheDir)).toEqual([]);
  });

  it.each([
    { name: "closed port", url: closedPortUrl, kind: "offline", msg: /unreachable \(offline\?\)/ },
    { name: "HTTP 404", url: async () => `${base}/missing`, kind: "http", msg: /HTTP 404/ },
  ])("explains a $name and names --data and MEDQA_PATH", async ({ url, kind, msg }) => {
    const cacheDir = freshDir();
    const err = await rejection(fetchMedqa({ cacheDir, url: await url() }));
    expect(err.kind).toBe(kind);
    expect(err.message).toMatch(msg);
    expect(err.message).toContain("--data PATH");
    expect(err.message).toContain("MEDQA_PATH");
    expect(readdirSync(cacheDir)).toEqual([]);
  });

  it("uses an injected fetch implementation", async () => {
    const fetchImpl = (async () => new Response(good)) as typeof fetch;
    const dest = await fetchMedqa({ cacheDir: freshDir(), url: "http://example.invalid/x", fetchImpl });
    expect(await sha256File(dest)).toBe(MEDQA_SHA256);
  });
});

describe("resolveMedqaPath", () => {
  function seededCache(bytes: Buffer | null): string {
    const cacheDir = freshDir();
    mkdirSync(cacheDir, { recursive: true });
    if (bytes) writeFileSync(medqaCachePath(cacheDir), bytes);
    return cacheDir;
  }

  it.each([
    { name: "--data wins over everything", data: "/d/x.csv", env: { MEDQA_PATH: "/e/m.jsonl" }, cache: good, want: "/d/x.csv" },
    { name: "MEDQA_PATH wins over the cache", data: undefined, env: { MEDQA_PATH: "/e/m.jsonl" }, cache: good, want: "/e/m.jsonl" },
    { name: "blank MEDQA_PATH is ignored", data: undefined, env: { MEDQA_PATH: " " }, cache: good, want: "cache" },
    { name: "a verified cache is used", data: undefined, env: {}, cache: good, want: "cache" },
  ])("$name", async ({ data, env, cache, want }) => {
    const cacheDir = seededCache(cache);
    const before = hits;
    const got = await resolveMedqaPath({ data, env, cacheDir, allowFetch: true, url: `${base}/good` });
    expect(got).toBe(want === "cache" ? medqaCachePath(cacheDir) : want);
    expect(hits).toBe(before); // nothing downloaded
  });

  it.each([
    { name: "missing cache", cache: null },
    { name: "corrupt cache", cache: altered },
  ])("downloads on a $name", async ({ cache }) => {
    const cacheDir = seededCache(cache);
    const logs: string[] = [];
    const before = hits;
    const got = await resolveMedqaPath({ env: {}, cacheDir, allowFetch: true, url: `${base}/good`, log: (s) => logs.push(s) });
    expect(hits).toBe(before + 1);
    expect(got).toBe(medqaCachePath(cacheDir));
    expect(await sha256File(got)).toBe(MEDQA_SHA256);
    if (cache) expect(logs[0]).toMatch(/is corrupt .*downloading it again/);
  });

  it.each([
    { name: "missing cache", cache: null, msg: /is not cached and downloading is disabled/ },
    { name: "corrupt cache", cache: altered, msg: /is corrupt \(sha256 [0-9a-f]{64}, expected / },
  ])("fails clearly on a $name when fetching is disabled", async ({ cache, msg }) => {
    const cacheDir = seededCache(cache);
    const err = await rejection(resolveMedqaPath({ env: {}, cacheDir, allowFetch: false, url: `${base}/good` }));
    expect(err.kind).toBe("missing");
    expect(err.message).toMatch(msg);
    expect(err.message).toMatch(/--data PATH.*MEDQA_PATH/);
    expect(existsSync(medqaCachePath(cacheDir))).toBe(cache !== null); // a corrupt cache is left for inspection
  });
});
