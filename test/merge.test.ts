import { existsSync } from "node:fs";
import { mkdtemp, readFile, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { configComponents, hashComponents } from "../src/config/hash.js";
import { diffRuns } from "../src/diff/diff.js";
import { readJournal } from "../src/journal/read.js";
import { writeReports } from "../src/report/write.js";
import { interleaveSampledIds, mergeCommand, mergeRuns, type MergeCommandIO } from "../src/merge/merge.js";
import type { RunEvent } from "../src/journal/events.js";
import type { Journal } from "../src/journal/read.js";
import type { RunConfig, StepId } from "../src/types.js";
import { caseRecord, idOf, makeRun, writeRunDir } from "./diff-fixtures.js";

const N = 4;
const COUNT = 50;
// The unsharded run's ranked sample: a fixed permutation of 0..49 (positions ≠ ids, as after seeded ranking).
const ranked = Array.from({ length: COUNT }, (_, p) => (p * 17) % COUNT);
const outcomeOf = (i: number) => (i % 3 === 0 ? ("wrong" as const) : i % 11 === 0 ? ("error" as const) : ("correct" as const));
const t = (s: number) => new Date(Date.UTC(2025, 0, 1, 0, 0, s)).toISOString();

function shardRun(k: number, over: { config?: Partial<RunConfig>; prompts?: Partial<Record<StepId | "direct", string>>; extraCase?: number } = {}): Journal {
  const positions = ranked.filter((_, p) => p % N === k - 1);
  const cases = positions.map((i) => caseRecord({ i, outcome: outcomeOf(i) }));
  if (over.extraCase !== undefined) cases.push(caseRecord({ i: over.extraCase }));
  const events: RunEvent[] = [
    { t: t(k), type: "run_start", session: 1, pending: cases.length },
    { t: t(100 + k), type: "run_end", session: 1, status: "completed" },
  ];
  return makeRun({
    run_id: `shard-${k}`,
    config: { shard: { k, n: N }, ...over.config },
    ...(over.prompts ? { prompts: over.prompts } : {}),
    cases,
    sampled_ids: positions.map((i) => idOf(i)),
    events,
  });
}

const unsharded = makeRun({ run_id: "whole", cases: ranked.map((i) => caseRecord({ i, outcome: outcomeOf(i) })), sampled_ids: ranked.map((i) => idOf(i)) });

let dir: string;
let out: string[];
let err: string[];
const io: MergeCommandIO = { out: (s) => void out.push(s), err: (s) => void err.push(s) };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "merge-"));
  for (let k = 1; k <= N; k++) await writeRunDir(join(dir, `s${k}`), shardRun(k));
  await writeRunDir(join(dir, "whole"), unsharded);
  await writeRunDir(join(dir, "s2-hot"), shardRun(2, { config: { temperature: 0.7 } }));
  await writeRunDir(join(dir, "s3-prompt"), shardRun(3, { prompts: { reason: "9".repeat(64) } }));
  await writeRunDir(join(dir, "s4-dup"), shardRun(4, { extraCase: ranked[0]! })); // shard 1's first case again
  await writeRunDir(join(dir, "s2-of-5"), shardRun(2, { config: { shard: { k: 2, n: 5 } } }));
});

beforeEach(() => {
  out = [];
  err = [];
});

describe("interleaveSampledIds", () => {
  it("restores the ranked order from round-robin shards", () => {
    const ids = Array.from({ length: 10 }, (_, i) => `x${i}`);
    const shards = [1, 2, 3].map((k) => ({ k, n: 3, ids: ids.filter((_, i) => i % 3 === k - 1) }));
    expect(interleaveSampledIds(shards.reverse())).toEqual(ids);
    expect(interleaveSampledIds(shards.filter((s) => s.k !== 2))).toEqual(ids.filter((_, i) => i % 3 !== 1));
  });
});

describe("merging 4 shards", () => {
  it("gives the unsharded run's cases, order, accuracy and config hash", async () => {
    const target = join(dir, "merged");
    const code = await mergeCommand([1, 2, 3, 4].map((k) => join(dir, `s${k}`)), { out: target }, io);
    expect(code).toBe(0);
    expect(out.join("")).toMatch(/merged 4 shard\(s\) of 4: 50 cases/);
    expect(err).toEqual([]);
    const merged = await readJournal(target);
    const whole = await readJournal(join(dir, "whole"));
    expect(merged.run.config.shard).toBeNull();
    expect(merged.run.run_id).toBe("merged");
    expect(merged.run.sampled_ids).toEqual(whole.run.sampled_ids);
    expect(merged.cases.map((c) => c.case_id)).toEqual(whole.cases.map((c) => c.case_id));
    expect(merged.cases).toEqual(whole.cases);
    expect(merged.run.config_hash).toBe(hashComponents(configComponents(whole.run)));

    const r = diffRuns(whole, merged);
    expect(r.config).toEqual([]);
    expect(r.pairing.per_arm).toEqual([{ arm: "pipeline", paired: 50, base_only: 0, cand_only: 0 }]);
    expect(r.arms[0]!.cand).toEqual(r.arms[0]!.base);
    expect(r.arms[0]!.p).toBe(1);

    // events: each shard's block preceded by a note; parallel sessions count once (1 s → 104 s).
    const lines = (await readFile(join(target, "events.jsonl"), "utf8")).trim().split("\n").map((l) => JSON.parse(l));
    expect(lines.filter((e) => e.type === "merge_note").map((e) => e.shard.k)).toEqual([1, 2, 3, 4]);
    expect(lines.filter((e) => e.type === "run_start")).toHaveLength(4);
    expect(r.cost!.cand.wall_s).toBe(103);
  });

  it("writes the merged run's reports too, the same as `report` on it would (#15 item 12)", async () => {
    const target = join(dir, "merged-reports");
    expect(await mergeCommand([1, 2, 3, 4].map((k) => join(dir, `s${k}`)), { out: target }, io)).toBe(0);
    for (const f of ["summary.json", "summary.md", "report.html", "junit.xml", "cases.csv"]) expect(existsSync(join(target, f)), f).toBe(true);
    const summary = JSON.parse(await readFile(join(target, "summary.json"), "utf8"));
    const { summary: regenerated } = await writeReports(target, { generatedAt: summary.generated_at });
    expect(summary).toEqual(JSON.parse(JSON.stringify(regenerated)));
    expect(regenerated.arms[0]!.n).toBe(50);
    expect(out.join("")).toMatch(/wrote summary\.json, summary\.md, report\.html, junit\.xml, cases\.csv/);
  });

  it("merges shards given in any order, and warns about a missing one", () => {
    const m = mergeRuns([shardRun(3), shardRun(1), shardRun(4)], "partial");
    expect(m.missingShards).toEqual([2]);
    expect(m.run.sampled_ids).toEqual(ranked.filter((_, p) => p % N !== 1).map((i) => idOf(i)));
  });
});

describe("merge refusals", () => {
  // [description, shard dirs, stderr pattern]
  const table: Array<[string, string[], RegExp]> = [
    ["mixed configuration", ["s1", "s2-hot", "s3", "s4"], /mixed configurations: .*s2-hot differs .* in config\.temperature \(config\.temperature: 0\.7 vs 0\)/],
    ["a changed prompt", ["s1", "s2", "s3-prompt", "s4"], /mixed configurations: .*prompts\.reason/],
    ["a duplicate case", ["s1", "s2", "s3", "s4-dup"], new RegExp(`duplicate case ${idOf(ranked[0]!)} \\(pipeline arm\\)`)],
    ["the same shard twice", ["s1", "s2", "s2"], /shard 2\/4 given twice/],
    ["a different shard count", ["s1", "s2-of-5"], /mixed shard counts.*config\.shard\.n/],
    ["an unsharded run", ["s1", "whole"], /whole: not a shard/],
    ["a missing directory", ["s1", "nope"], /nope is not a run directory/],
  ];
  it.each(table)("%s", async (_d, dirs, pattern) => {
    const target = join(dir, `out-${Math.random().toString(36).slice(2)}`);
    expect(await mergeCommand(dirs.map((d) => join(dir, d)), { out: target }, io)).toBe(2);
    expect(err.join("")).toMatch(pattern);
  });

  it("will not write into a non-empty directory", async () => {
    const target = join(dir, "occupied");
    await mkdir(target);
    await writeFile(join(target, "keep.txt"), "x");
    expect(await mergeCommand([join(dir, "s1")], { out: target }, io)).toBe(2);
    expect(err.join("")).toMatch(/not empty/);
  });
});
