import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import seedrandom from "seedrandom";
import { afterAll, describe, expect, it } from "vitest";
import { DataError } from "../src/datasets/errors.js";
import { loadDataset } from "../src/datasets/load.js";
import { parseShard, rankCases, readCaseIdsFile, sampleCases, sampleKey } from "../src/sampling/sample.js";
import type { Case } from "../src/types.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const MEDQA = path.resolve(here, "../../shared/datasets/medqa/us_4options_test.jsonl");
const tmp = mkdtempSync(path.join(tmpdir(), "sampling-test-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const { cases } = await loadDataset(MEDQA);
const ids = (cs: Case[]) => cs.map((c) => c.id);
const hashes = (cs: Case[]) => cs.map((c) => c.content_hash);

/** Seeded Fisher–Yates, so the "shuffled file" test is itself deterministic. */
function shuffled<T>(xs: readonly T[], seed: string): T[] {
  const rng = seedrandom(seed);
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe("sampleCases ranking", () => {
  it("is deterministic for a seed and ordered by the seeded key", () => {
    const a = sampleCases(cases, { seed: 42, maxCases: 100 });
    expect(ids(sampleCases(cases, { seed: 42, maxCases: 100 }))).toEqual(ids(a));
    const keys = a.map((c) => sampleKey(42, c.content_hash));
    expect(keys).toEqual([...keys].sort((x, y) => x - y));
    // A real shuffle, not file order.
    expect(ids(a).slice(0, 10)).not.toEqual(ids(cases).slice(0, 10));
  });

  it("nests: for seed 42 the 50-case sample is the head of the 100-case sample", () => {
    const s50 = sampleCases(cases, { seed: 42, maxCases: 50 });
    const s100 = sampleCases(cases, { seed: 42, maxCases: 100 });
    expect(s50).toHaveLength(50);
    expect(ids(s100).slice(0, 50)).toEqual(ids(s50));
  });

  it("differs between seeds 42 and 7", () => {
    const a = new Set(ids(sampleCases(cases, { seed: 42, maxCases: 100 })));
    const b = ids(sampleCases(cases, { seed: 7, maxCases: 100 }));
    const overlap = b.filter((id) => a.has(id)).length;
    expect(overlap).toBeLessThan(30); // ~8 expected by chance for 100 of 1,273
  });

  it("selects the same questions from a shuffled copy of the file", async () => {
    const lines = readFileSync(MEDQA, "utf8").split("\n").filter(Boolean);
    const p = path.join(tmp, "shuffled.jsonl");
    writeFileSync(p, shuffled(lines, "shuffle-1").join("\n") + "\n");
    const reordered = (await loadDataset(p)).cases;
    expect(hashes(reordered)).not.toEqual(hashes(cases)); // really reordered
    const original = sampleCases(cases, { seed: 42, maxCases: 100 });
    const fromShuffled = sampleCases(reordered, { seed: 42, maxCases: 100 });
    expect(hashes(fromShuffled)).toEqual(hashes(original));
    expect(ids(fromShuffled)).not.toEqual(ids(original)); // positions (ids) changed, questions did not
  });

  it("keeps the relative order of the remaining cases when others are removed", () => {
    const full = hashes(rankCases(cases, 3));
    const subset = cases.filter((_, i) => i % 3 !== 0);
    const kept = new Set(hashes(subset));
    expect(hashes(rankCases(subset, 3))).toEqual(full.filter((h) => kept.has(h)));
  });

  it.each([
    { maxCases: undefined, want: 1273 },
    { maxCases: null, want: 1273 },
    { maxCases: 5000, want: 1273 },
    { maxCases: 0, want: 0 },
    { maxCases: 1, want: 1 },
  ])("maxCases $maxCases keeps $want cases", ({ maxCases, want }) => {
    expect(sampleCases(cases, { seed: 1, maxCases })).toHaveLength(want);
  });

  it.each([-1, 2.5, Number.NaN])("rejects maxCases %s", (maxCases) => {
    expect(() => sampleCases(cases, { seed: 1, maxCases })).toThrow(/non-negative integer/);
  });

  it("breaks key ties by content hash, then id", () => {
    const dup = { ...cases[0]!, id: "zz-0001" };
    const ranked = rankCases([dup, cases[0]!], 42);
    expect(ids(ranked)).toEqual([cases[0]!.id, "zz-0001"]);
  });
});

describe("sampleCases sharding", () => {
  it.each([1, 2, 3, 4, 7])("N=%i shards of a 101-case sample are disjoint, covering and in ranked order", (n) => {
    const sample = sampleCases(cases, { seed: 42, maxCases: 101 });
    const shards = Array.from({ length: n }, (_, i) => sampleCases(cases, { seed: 42, maxCases: 101, shard: { k: i + 1, n } }));
    const all = shards.flatMap(ids);
    expect(new Set(all).size).toBe(all.length); // disjoint
    expect(new Set(all)).toEqual(new Set(ids(sample))); // covering
    const sizes = shards.map((s) => s.length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    const rank = new Map(ids(sample).map((id, i) => [id, i]));
    for (const s of shards) {
      const r = ids(s).map((id) => rank.get(id)!);
      expect(r).toEqual([...r].sort((x, y) => x - y));
    }
    // i-th ranked case goes to shard (i mod N) + 1
    expect(shards[0]![0]!.id).toBe(sample[0]!.id);
    if (n > 1) expect(shards[1]![0]!.id).toBe(sample[1]!.id);
  });

  it.each([
    { k: 0, n: 4 },
    { k: 5, n: 4 },
    { k: 1, n: 0 },
  ])("rejects shard $k/$n", (shard) => {
    expect(() => sampleCases(cases, { seed: 1, shard })).toThrow(/invalid shard/);
  });
});

describe("sampleCases with pinned case ids", () => {
  const pinned = ["medqa-us4-test-0900", "medqa-us4-test-0003", "medqa-us4-test-1272", "medqa-us4-test-0010"];

  it("returns exactly those cases in the given order, whatever the seed", () => {
    expect(ids(sampleCases(cases, { seed: 42, caseIds: pinned }))).toEqual(pinned);
    expect(ids(sampleCases(cases, { seed: 7, caseIds: pinned }))).toEqual(pinned);
  });

  it("applies maxCases and then shard to the pinned list", () => {
    expect(ids(sampleCases(cases, { seed: 1, caseIds: pinned, maxCases: 3 }))).toEqual(pinned.slice(0, 3));
    expect(ids(sampleCases(cases, { seed: 1, caseIds: pinned, shard: { k: 2, n: 2 } }))).toEqual([pinned[1], pinned[3]]);
  });

  it.each([
    { name: "unknown id", list: ["medqa-us4-test-0001", "nope-0001"], msg: /ids\.txt: unknown case id "nope-0001" \(entry 2\); ids look like medqa-us4-test-0000/ },
    { name: "repeated id", list: ["medqa-us4-test-0001", "medqa-us4-test-0001"], msg: /ids\.txt: field "case_ids\[1\]": expected each id once/ },
  ])("rejects an $name, naming it and the ids file", ({ list, msg }) => {
    const run = () => sampleCases(cases, { seed: 1, caseIds: list, caseIdsFile: "ids.txt" });
    expect(run).toThrow(DataError);
    expect(run).toThrow(msg);
  });
});

describe("parseShard", () => {
  it.each([
    ["2/4", { k: 2, n: 4 }],
    ["1/1", { k: 1, n: 1 }],
    [" 4 / 4 ", { k: 4, n: 4 }],
  ])("parses %j", (s, want) => expect(parseShard(s)).toEqual(want));

  it.each(["0/4", "5/4", "junk", "2/0", "-1/4", "1.5/4", "2/4/1", ""])("rejects %j", (s) => {
    expect(() => parseShard(s)).toThrow(/invalid --shard .*expected K\/N/);
  });
});

describe("readCaseIdsFile", () => {
  const write = (name: string, text: string) => {
    const p = path.join(tmp, name);
    writeFileSync(p, text);
    return p;
  };

  it.each([
    { name: "lines with blanks and comments", file: "ids.txt", text: "# pinned\nd-0001\n\n  d-0007  \r\n# end\n", want: ["d-0001", "d-0007"] },
    { name: "JSON array", file: "ids.json", text: ' ["d-0003", "d-0001"]\n', want: ["d-0003", "d-0001"] },
    { name: "empty file", file: "empty.txt", text: "", want: [] },
  ])("reads $name", async ({ file, text, want }) => {
    expect(await readCaseIdsFile(write(file, text))).toEqual(want);
  });

  it.each([
    { name: "broken JSON", text: '["d-1",', msg: /bad\.json: field "\(file\)": expected a JSON array of id strings/ },
    { name: "non-string entry", text: '["d-1", 2]', msg: /field "\[1\]": expected a non-empty id string, got 2/ },
  ])("rejects $name", async ({ text, msg }) => {
    await expect(readCaseIdsFile(write("bad.json", text))).rejects.toThrow(msg);
  });

  it("reports a missing file", async () => {
    await expect(readCaseIdsFile(path.join(tmp, "none.txt"))).rejects.toThrow(/none\.txt: cannot read case ids file \(not found\)/);
  });
});
