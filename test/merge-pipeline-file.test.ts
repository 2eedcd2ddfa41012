// merge of --pipeline FILE shards (#18): the merged run keeps the pipeline record (so its config hash is an
// unsharded run's and reports know the file's differential step), and shards of different pipeline files are refused.
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { configComponents, hashComponents } from "../src/config/hash.js";
import { MergeError, mergeRuns } from "../src/merge/merge.js";
import { loadPipelineFile, pipelineRecord } from "../src/pipeline/file/index.js";
import { differentialStep } from "../src/report/format.js";
import type { RunJson } from "../src/types.js";
import { caseRecord, idOf, makeRun } from "./diff-fixtures.js";

const record = (file: string) => pipelineRecord(loadPipelineFile(resolve(import.meta.dirname, "fixtures", "pipeline-file", file)));

function shard(k: number, pipeline: RunJson["pipeline"]) {
  const j = makeRun({ run_id: `s${k}`, config: { shard: { k, n: 2 }, pipeline_file: "/p.yaml" }, cases: [caseRecord({ i: k })], sampled_ids: [idOf(k)] });
  j.run.pipeline = pipeline;
  return j;
}

describe("merge --pipeline FILE shards", () => {
  it("keeps the pipeline record: the config hash is the unsharded run's, the differential step survives", () => {
    const p = record("pipeline-dx.yaml");
    const merged = mergeRuns([shard(1, p), shard(2, p)], "merged").run;
    expect(merged.pipeline).toEqual(p);
    expect(differentialStep(merged)).toBe("ddx");
    const { shard: _s, ...config } = merged.config;
    expect(merged.config_hash).toBe(hashComponents(configComponents({ ...merged, config: { ...config, shard: null } as RunJson["config"] })));
    expect(Object.keys(configComponents(merged)).some((k) => k.startsWith("pipeline."))).toBe(true);
  });

  it("a file without a differential step stays without one after the merge (no diagnostic section)", () => {
    const p = record("pipeline.yaml");
    expect(differentialStep(mergeRuns([shard(1, p), shard(2, p)], "merged").run)).toBeNull();
  });

  it("refuses shards whose pipeline files differ, naming the step field", () => {
    const a = record("pipeline.yaml");
    const b = structuredClone(a);
    b.steps[1]!.temperature = 0.25;
    expect(() => mergeRuns([shard(1, a), shard(2, b)], "merged")).toThrow(MergeError);
    expect(() => mergeRuns([shard(1, a), shard(2, b)], "merged")).toThrow(/pipeline\.differential\.temperature/);
  });
});
