// seededFirstDouble must equal seedrandom(seed)() exactly: every sample the harness ever drew depends on it.
import seedrandom from "seedrandom";
import { describe, expect, it } from "vitest";
import { seededFirstDouble } from "../src/sampling/arc4.js";

describe("seededFirstDouble ≡ seedrandom(seed)()", () => {
  it("on the harness's own seed shape (seed:content_hash) for many seeds and hashes", () => {
    let s = 1;
    const rnd = () => ((s = (s * 1103515245 + 12345) % 2 ** 31), s);
    for (let k = 0; k < 3000; k++) {
      const hash = Array.from({ length: 64 }, () => "0123456789abcdef"[rnd() % 16]).join("");
      const seed = `${rnd() % 100_000}:${hash}`;
      expect(seededFirstDouble(seed), seed).toBe(seedrandom(seed)());
    }
  });

  it.each([
    [""],
    ["a"],
    ["42"],
    ["x".repeat(255)],
    ["y".repeat(256)],
    ["long seed ".repeat(70)], // > 256 characters: mixkey's second pass over the key
    ["ünïcödé 漢字 🧬"],
    ["\u0000\u00ff\u0100\uffff"],
  ])("edge seed %j", (seed) => {
    expect(seededFirstDouble(seed)).toBe(seedrandom(seed)());
  });

  it("random strings of any length and alphabet", () => {
    let s = 99;
    const rnd = () => ((s = (s * 1103515245 + 12345) % 2 ** 31), s);
    for (let k = 0; k < 2000; k++) {
      const len = rnd() % 600;
      const str = String.fromCharCode(...Array.from({ length: len }, () => rnd() % (k % 2 ? 128 : 65536)));
      expect(seededFirstDouble(str)).toBe(seedrandom(str)());
    }
  });
});
