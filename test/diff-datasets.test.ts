// diff and datasets: runs of two different datasets (names differ) are refused unless --allow-dataset-mismatch;
// the same dataset at another sha256 (another version or subset) is compared on the cases with identical content.
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { diffCommand } from "../src/diff/command.js";
import { diffRuns } from "../src/diff/diff.js";
import { DiffInputError } from "../src/diff/types.js";
import type { Outcome } from "../src/types.js";
import { casesOf, makeRun, writeRunDir } from "./diff-fixtures.js";

const outcome = (i: number): Outcome => (i % 3 === 0 ? "wrong" : "correct");
const named = (name: string, run_id: string, sha = "d".repeat(64)) => {
  const j = makeRun({ run_id, dataset_sha: sha, cases: casesOf(30, outcome) });
  j.run.dataset.name = name;
  return j;
};

describe("diff across datasets", () => {
  it("refuses runs of different datasets, naming both and the flag", () => {
    const a = named("medqa-us4-test", "a");
    const b = named("medmcqa-dev", "b", "e".repeat(64));
    expect(() => diffRuns(a, b)).toThrow(DiffInputError);
    expect(() => diffRuns(a, b)).toThrow(/runs of different datasets: medqa-us4-test vs medmcqa-dev; .*--allow-dataset-mismatch/);
  });

  it("--allow-dataset-mismatch compares the shared content anyway, and says the datasets differ", () => {
    const r = diffRuns(named("medqa-us4-test", "a"), named("medmcqa-dev", "b", "e".repeat(64)), { allowDatasetMismatch: true });
    expect(r.pairing.notes.join(" ")).toMatch(/datasets differ: medqa-us4-test .* vs medmcqa-dev/);
    expect(r.arms).toHaveLength(1);
  });

  it("the same dataset at another sha256 (e.g. other --subjects) is compared with a note, no flag needed", () => {
    const r = diffRuns(named("mmlu-medical-test", "a"), named("mmlu-medical-test", "b", "f".repeat(64)));
    expect(r.pairing.notes[0]).toMatch(/datasets differ/);
  });

  it("the CLI path: exit 2 without the flag, 0 with it", async () => {
    const dir = await mkdtemp(join(tmpdir(), "diff-ds-"));
    await writeRunDir(join(dir, "a"), named("pubmedqa-pqal", "a"));
    await writeRunDir(join(dir, "b"), named("headqa-en-test", "b", "e".repeat(64)));
    const err: string[] = [];
    const io = { out: () => {}, err: (s: string) => void err.push(s) };
    expect(await diffCommand(join(dir, "a"), join(dir, "b"), {}, io)).toBe(2);
    expect(err.join("")).toMatch(/diff: runs of different datasets: pubmedqa-pqal vs headqa-en-test/);
    expect(await diffCommand(join(dir, "a"), join(dir, "b"), { allowDatasetMismatch: true }, io)).toBe(0);
  });
});
