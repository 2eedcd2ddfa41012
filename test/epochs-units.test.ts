// --epochs plumbing: seeds per epoch, work units, the emulator's seeded sampling, and the diff's per-case reduction.
import { describe, expect, test } from "vitest";
import { epochSeed, unitKey, workUnits } from "../src/runner/epochs.js";
import { sampledLetter } from "../src/emulator/answer.js";
import { reduceEpochs, type NormCase } from "../src/diff/source.js";
import { caseKey } from "../src/journal/read.js";
import type { Case } from "../src/types.js";

const fakeCase = (id: string) => ({ id }) as Case;

describe("epoch seeds and units", () => {
  test("epoch 0 sends --seed itself; later epochs distinct u32 seeds, stable across calls", () => {
    expect(epochSeed(42, 0)).toBe(42);
    const seeds = [1, 2, 3, 4, 5, 6, 7, 8, 9].map((e) => epochSeed(42, e));
    expect(new Set(seeds).size).toBe(9);
    for (const s of seeds) {
      expect(Number.isInteger(s)).toBe(true);
      expect(s).toBeGreaterThanOrEqual(0);
      expect(s).toBeLessThan(2 ** 32);
    }
    expect(epochSeed(42, 3)).toBe(seeds[2]);
    expect(epochSeed(43, 1)).not.toBe(epochSeed(42, 1));
  });

  test("one unit per case × arm × epoch; single-epoch units carry no epoch (records stay as they were)", () => {
    const cases = [fakeCase("a"), fakeCase("b")];
    expect(workUnits(cases, ["direct", "pipeline"], 1, 1).map((u) => [u.c.id, u.arm, u.epoch])).toEqual([
      ["a", "direct", undefined], ["a", "pipeline", undefined], ["b", "direct", undefined], ["b", "pipeline", undefined],
    ]);
    const units = workUnits(cases, ["direct"], 7, 3);
    expect(units.map((u) => [u.c.id, u.epoch!.index, u.epoch!.seed])).toEqual([
      ["a", 0, 7], ["a", 1, epochSeed(7, 1)], ["a", 2, epochSeed(7, 2)], ["b", 0, 7], ["b", 1, epochSeed(7, 1)], ["b", 2, epochSeed(7, 2)],
    ]);
    // A unit's key is the key its journal record will have.
    expect(unitKey(units[4]!)).toBe(caseKey({ case_id: "b", arm: "direct", epoch: 1 }));
    expect(unitKey(workUnits(cases, ["direct"], 7, 1)[0]!)).toBe(caseKey({ case_id: "a", arm: "direct" }));
    expect(caseKey({ case_id: "a", arm: "direct", epoch: 0 })).toBe(caseKey({ case_id: "a", arm: "direct" }));
  });
});

describe("the emulator's sampling", () => {
  const draw = (seed: number | null, t: number | null, key = "prompt-1") => sampledLetter("B", 4, key, { temperature: t, seed });

  test("greedy (temperature 0/null or no sampling) is the lexical answer, whatever the seed", () => {
    for (const seed of [1, 2, 3, null]) {
      expect(draw(seed, 0)).toBe("B");
      expect(draw(seed, null)).toBe("B");
    }
    expect(sampledLetter("B", 4, "k", undefined)).toBe("B");
    expect(sampledLetter(null, 4, "k", { temperature: 1, seed: 1 })).toBeNull();
  });

  test("sampled: the same seed gives the same letter; over many seeds it moves off greedy at about t/2", () => {
    for (const seed of [1, 2, 3]) expect(draw(seed, 0.7)).toBe(draw(seed, 0.7));
    const letters = Array.from({ length: 2000 }, (_, i) => draw(i, 0.7));
    const moved = letters.filter((l) => l !== "B").length / letters.length;
    expect(moved).toBeGreaterThan(0.3);
    expect(moved).toBeLessThan(0.4);
    expect(new Set(letters)).toEqual(new Set(["A", "B", "C", "D"])); // every other option reachable
    expect(letters.filter((l) => l !== "B").every((l) => ["A", "C", "D"].includes(l!))).toBe(true);
    const hot = Array.from({ length: 2000 }, (_, i) => draw(i, 5)).filter((l) => l !== "B").length / 2000;
    expect(hot).toBeGreaterThan(0.85); // capped at 0.9
    expect(hot).toBeLessThan(0.95);
  });

  test("only the case's own options are drawn (3-option question)", () => {
    const letters = new Set(Array.from({ length: 500 }, (_, i) => sampledLetter("C", 3, "k3", { temperature: 2, seed: i })));
    expect(letters).toEqual(new Set(["A", "B", "C"]));
  });
});

describe("diff: an --epochs run's records reduced per case before pairing", () => {
  const rec = (case_id: string, epoch: number, outcome: NormCase["outcome"], answer: string | null, latency = 10): NormCase => ({
    case_id, content_hash: `h-${case_id}`, arm: "direct", outcome, answer, correct_answer: "A", stem: "", question_type: "other",
    usmle_step: "unknown", latency_ms: latency, tokens: { prompt: 100, completion: 10 * (epoch + 1) }, steps: {}, epoch,
  });

  test("majority verdict, modal answer, mean latency/tokens and agreement; errors are not samples", () => {
    const out = reduceEpochs(
      [rec("x", 0, "correct", "A", 10), rec("x", 1, "wrong", "B", 30), rec("x", 2, "correct", "A", 20), rec("y", 0, "error", null), rec("y", 1, "wrong", "C"), rec("z", 0, "error", null)],
      "majority",
    );
    const [x, y, z] = out;
    expect(out).toHaveLength(3);
    expect([x!.outcome, x!.answer, x!.latency_ms, x!.tokens, x!.agreement]).toEqual(["correct", "A", 20, { prompt: 100, completion: 20 }, 2 / 3]);
    expect(x!.epoch).toBeUndefined();
    expect([y!.outcome, y!.answer, y!.agreement]).toEqual(["wrong", "C", 1]);
    expect(z!.outcome).toBe("error"); // every epoch errored: still an infrastructure error
  });

  test("a majority tie is unparseable; any/all follow their definitions", () => {
    const tie = [rec("t", 0, "correct", "A"), rec("t", 1, "wrong", "B")];
    expect(reduceEpochs(tie, "majority")[0]!.outcome).toBe("unparseable");
    expect(reduceEpochs(tie, "majority")[0]!.answer).toBeNull();
    expect(reduceEpochs(tie, "any")[0]!.outcome).toBe("correct");
    expect(reduceEpochs(tie, "all")[0]!.outcome).toBe("wrong");
    const modalNone = [rec("u", 0, "unparseable", null), rec("u", 1, "unparseable", null), rec("u", 2, "wrong", "B")];
    expect(reduceEpochs(modalNone, "majority")[0]!.outcome).toBe("unparseable");
  });
});
