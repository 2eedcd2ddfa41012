// Registry downloads against a loopback server: the first download records sha256/size/URL/revision/date in the
// lock, later ones must match it (or the registry's known sha256), offline failures name a local alternative,
// and the dataset flags resolve to the right benchmark, path and pinned hash.
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FetchError } from "../src/datasets/fetch.js";
import { cacheState, downloadSource, ensureCached, readLock } from "../src/datasets/registry/download.js";
import { datasetSpec } from "../src/datasets/registry/index.js";
import { chosenDataset, parseSubjects, resolveData } from "../src/datasets/registry/resolve.js";
import type { DatasetSpec, SourceFile } from "../src/datasets/registry/types.js";
import { UsageError } from "../src/runner/exit-codes.js";

const tmp = mkdtempSync(path.join(tmpdir(), "registry-fetch-"));
const COMMIT = "0123456789abcdef0123456789abcdef01234567";
let server: Server;
let base = "";
let body = Buffer.from("version one\n");
const requests: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push(req.url ?? "");
    if (req.url?.includes("/missing")) return void res.writeHead(404).end("no");
    res.writeHead(200, { "x-repo-commit": COMMIT }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  rmSync(tmp, { recursive: true, force: true });
});

const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");
let k = 0;
function setup(source: Partial<SourceFile> = {}) {
  const dir = path.join(tmp, `s${k++}`);
  const medmcqa = datasetSpec("medmcqa")!;
  const src: SourceFile = { cacheName: "validation.parquet", url: (rev) => `${base}/resolve/${rev}/validation.parquet`, revision: "main", ...source };
  const spec: DatasetSpec = { ...medmcqa, sources: () => [src] };
  return { spec, src, opts: { cacheDir: path.join(dir, "cache"), lockPath: path.join(dir, "registry.lock.json"), now: () => new Date("2026-12-01T09:00:00Z") } };
}

async function rejection(p: Promise<unknown>): Promise<FetchError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(FetchError);
  return err as FetchError;
}

describe("registry downloads", () => {
  it("records the first download in the lock (sha256, size, URL, resolved revision, date) and pins later ones to it", async () => {
    body = Buffer.from("version one\n");
    const { spec, src, opts } = setup();
    const first = await downloadSource(spec, src, opts);
    expect(readFileSync(first.file).equals(body)).toBe(true);
    const lock = await readLock(opts.lockPath);
    expect(lock.files["medmcqa/validation.parquet"]).toEqual({
      url: `${base}/resolve/main/validation.parquet`,
      revision: "main",
      resolved_revision: COMMIT,
      sha256: sha(body),
      size: body.length,
      downloaded_at: "2026-12-01T09:00:00.000Z",
    });
    expect((await cacheState(spec, src, opts, lock)).state).toBe("cached");

    requests.length = 0;
    await downloadSource(spec, src, opts); // same bytes: verified, lock unchanged
    expect(requests).toEqual([`/resolve/${COMMIT}/validation.parquet`]); // the pinned revision, not the branch
    expect(await readLock(opts.lockPath)).toEqual(lock);

    body = Buffer.from("version two, changed upstream\n");
    const err = await rejection(downloadSource(spec, src, opts));
    expect(err.kind).toBe("checksum");
    expect(err.message).toContain(`expected sha256 ${sha(Buffer.from("version one\n"))}`);
    expect(err.message).toContain(`got ${sha(body)}`);
    expect(err.message).toMatch(/delete the "medmcqa\/validation\.parquet" entry/);
    expect(readFileSync(first.file, "utf8")).toBe("version one\n"); // the verified copy stays
    expect(readdirSync(path.dirname(first.file))).toEqual(["validation.parquet"]); // no temp file left
  });

  it("verifies against a sha256 known in advance and records nothing then", async () => {
    body = Buffer.from("pinned bytes\n");
    const good = setup({ sha256: sha(body) });
    await downloadSource(good.spec, good.src, good.opts);
    expect(existsSync(good.opts.lockPath)).toBe(false);
    const bad = setup({ sha256: "0".repeat(64) });
    const err = await rejection(downloadSource(bad.spec, bad.src, bad.opts));
    expect(err.message).toMatch(/pinned by the registry/);
    expect(existsSync(path.join(bad.opts.cacheDir, "medmcqa", "validation.parquet"))).toBe(false);
  });

  it("a cached file that no longer matches its lock entry is corrupt, and is downloaded again", async () => {
    body = Buffer.from("good\n");
    const { spec, src, opts } = setup();
    const { file } = await downloadSource(spec, src, opts);
    writeFileSync(file, "tampered\n");
    expect((await cacheState(spec, src, opts, await readLock(opts.lockPath))).state).toBe("corrupt");
    const logs: string[] = [];
    const got = await ensureCached(spec, { subjects: null, split: null }, { ...opts, allowFetch: true, log: (s) => logs.push(s) });
    expect(readFileSync(got.path, "utf8")).toBe("good\n");
    expect(logs.join("\n")).toMatch(/does not match its pinned sha256/);
  });

  it.each([
    { name: "unreachable host", url: () => "http://127.0.0.1:9/x.parquet", kind: "offline", msg: /unreachable \(offline\?\)/ },
    { name: "HTTP 404", url: () => `${base}/missing`, kind: "http", msg: /HTTP 404/ },
  ])("offline / $name: fails naming --dataset NAME --data PATH --format NAME", async ({ url, kind, msg }) => {
    const { spec, src, opts } = setup({ url });
    const err = await rejection(downloadSource(spec, src, opts));
    expect(err.kind).toBe(kind);
    expect(err.message).toMatch(msg);
    expect(err.message).toContain("--dataset medmcqa --data PATH --format NAME (NAME one of medmcqa-parquet, medmcqa-json)");
  });

  it("with downloads disabled a missing file is an error that names the local alternative", async () => {
    const { spec, opts } = setup();
    const err = await rejection(ensureCached(spec, { subjects: null, split: null }, { ...opts, allowFetch: false }));
    expect(err.kind).toBe("missing");
    expect(err.message).toMatch(/not cached .* --data PATH --format NAME/);
  });

  it("MMLU's cache is the folder of the chosen subjects' files; PubMedQA's test split adds its ids file", () => {
    const mmlu = datasetSpec("mmlu-medical")!;
    expect(mmlu.sources({ subjects: ["anatomy"], split: null }).map((s) => s.url(s.revision))).toEqual([
      "https://huggingface.co/datasets/cais/mmlu/resolve/main/anatomy/test-00000-of-00001.parquet",
    ]);
    expect(mmlu.sources({ subjects: null, split: null })).toHaveLength(6);
    const pub = datasetSpec("pubmedqa")!;
    expect(pub.sources({ subjects: null, split: null }).map((s) => s.cacheName)).toEqual(["ori_pqal.json"]);
    expect(pub.sources({ subjects: null, split: "test" }).map((s) => s.cacheName)).toEqual(["ori_pqal.json", "test_ground_truth.json"]);
  });
});

describe("dataset flags", () => {
  it.each([
    [{ medqa: true }, "medqa"],
    [{ dataset: "headqa" }, "headqa"],
    [{ format: "mmlu-csv", data: "x" }, "mmlu-medical"],
    [{ format: "jsonl", data: "x" }, null], // MedQA-style formats read any such file
    [{ data: "x.jsonl" }, null],
  ] as const)("%j → %s", (flags, want) => {
    expect(chosenDataset(flags)).toBe(want);
  });

  it.each([
    [{ dataset: "medmcqa2" }, /unknown dataset \(one of medqa, medmcqa, pubmedqa, mmlu-medical, headqa\)/],
    [{ medqa: true, dataset: "headqa" }, /--medqa is --dataset medqa/],
    [{ dataset: "headqa", format: "medmcqa-json" }, /a medmcqa format, not one of headqa's/],
    [{ format: "xml" }, /unknown format/],
  ] as const)("%j is refused", (flags, msg) => {
    expect(() => chosenDataset(flags)).toThrow(UsageError);
    expect(() => chosenDataset(flags)).toThrow(msg);
  });

  it("resolves --dataset X --data PATH without touching the network or the cache", async () => {
    const fetchImpl = (async () => {
      throw new Error("no network");
    }) as typeof fetch;
    const r = await resolveData({ dataset: "pubmedqa", data: "some/ori_pqal.json", split: "test" }, { env: {}, packageRoot: tmp, allowFetch: true, fetchImpl });
    expect(r).toMatchObject({ registry: "pubmedqa", data_path: path.resolve("some/ori_pqal.json"), data_sha256: null, split: "test", format: null });
    await expect(resolveData({}, { env: {}, packageRoot: tmp, allowFetch: true })).rejects.toThrow(/choose a dataset: --medqa .*--dataset NAME or --data PATH/);
    await expect(resolveData({ data: "x.jsonl", subjects: "anatomy" }, { env: {}, packageRoot: tmp, allowFetch: true })).rejects.toThrow(/need --dataset NAME/);
    await expect(resolveData({ dataset: "mmlu-medical", subjects: "anatomy,virology" }, { env: {}, packageRoot: tmp, allowFetch: true })).rejects.toThrow(/unknown subject virology/);
    expect(parseSubjects("anatomy, college_medicine,")).toEqual(["anatomy", "college_medicine"]);
  });

  it("--dataset X without --data uses the verified cache (no download when it is there)", async () => {
    body = Buffer.from("cached\n");
    const { opts } = setup();
    // Lay out a package root whose cache holds a medmcqa file recorded in its lock.
    const root = path.dirname(opts.cacheDir);
    const real = datasetSpec("medmcqa")!;
    const source = real.sources({ subjects: null, split: null })[0]!;
    const local: SourceFile = { ...source, url: () => `${base}/resolve/main/validation.parquet` };
    await downloadSource({ ...real, sources: () => [local] }, local, { cacheDir: path.join(root, "datasets", "cache"), lockPath: path.join(root, "datasets", "registry.lock.json") });
    requests.length = 0;
    const r = await resolveData({ dataset: "medmcqa" }, { env: {}, packageRoot: root, allowFetch: false });
    expect(requests).toEqual([]);
    expect(r).toMatchObject({ registry: "medmcqa", data_path: path.join(root, "datasets", "cache", "medmcqa", source.cacheName), data_sha256: sha(body), format: "medmcqa-parquet" });
  });
});
