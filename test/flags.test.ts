// Issue #15 item 5: every numeric flag validated with its range in one place (config/flags.ts); exit 2 naming it.
import { describe, expect, it } from "vitest";
import { checkNumber, describeRule, DIFF_NUMBER_RULES, EMULATOR_NUMBER_RULES, RUN_NUMBER_RULES, rawFlagValue, validateFlags } from "../src/config/flags.js";
import { runCli } from "./helpers/cli.js";

describe("checkNumber", () => {
  it.each([
    [{ int: true, min: 1 }, 1, true],
    [{ int: true, min: 1 }, 0, false],
    [{ int: true, min: 1 }, 1.5, false],
    [{ int: true, min: 1 }, NaN, false],
    [{ above: 0 }, 0, false],
    [{ above: 0 }, 0.001, true],
    [{ min: 0 }, -0.1, false],
    [{ min: 0, max: 1 }, 1, true],
    [{ min: 0, max: 1 }, 1.01, false],
    [{ min: 0 }, Infinity, false],
    [{ min: 0 }, "3", true],
    [{ min: 0 }, "", false],
    [{ int: true, min: 1, words: ["auto"] }, "auto", true],
    [{ int: true, min: 1, words: ["auto"] }, "autox", false],
  ])("%j with %s → ok=%s", (rule, v, ok) => {
    expect(checkNumber(v, rule) === null).toBe(ok);
  });

  it("describes ranges in words", () => {
    expect(describeRule({ int: true, min: 1 })).toBe("a whole number ≥ 1");
    expect(describeRule({ min: 0, max: 1 })).toBe("a number in 0..1");
    expect(describeRule({ above: 0 })).toBe("a number > 0");
    expect(describeRule({ int: true, min: 1, words: ["auto"] })).toBe('a whole number ≥ 1 or "auto"');
  });
});

describe("every run flag's rule rejects garbage and accepts a sane value", () => {
  const sane: Record<string, number> = { temperature: 0, "max-error-rate": 0, "emulator-invalid-json-rate": 0, seed: 42, delay: 0, "cold-start-timeout": 0 };
  it.each(Object.keys(RUN_NUMBER_RULES))("--%s", (name) => {
    const rule = RUN_NUMBER_RULES[name]!;
    expect(() => validateFlags({ [name]: NaN }, RUN_NUMBER_RULES, [`--${name}`, "abc"])).toThrow(new RegExp(`^--${name}: expected .*got "abc"$`));
    expect(() => validateFlags({ [name]: -1 }, RUN_NUMBER_RULES, [])).toThrow(`--${name}`);
    const ok = sane[name] ?? (rule.min ?? (rule.above !== undefined ? rule.above + 1 : 1));
    expect(() => validateFlags({ [name]: ok }, RUN_NUMBER_RULES, [])).not.toThrow();
  });
  it.each([...Object.keys(DIFF_NUMBER_RULES).map((n) => ["diff", n] as const), ...Object.keys(EMULATOR_NUMBER_RULES).map((n) => ["emulator", n] as const)])("%s --%s rejects NaN and -1", (cmd, name) => {
    const rules = cmd === "diff" ? DIFF_NUMBER_RULES : EMULATOR_NUMBER_RULES;
    expect(() => validateFlags({ [name]: NaN }, rules, [])).toThrow(`--${name}`);
    expect(() => validateFlags({ [name]: -1 }, rules, [])).toThrow(`--${name}`);
  });

  it("a flag given twice is refused, and an empty --resume", () => {
    expect(() => validateFlags({ seed: [1, 2] }, RUN_NUMBER_RULES, [])).toThrow(/--seed was given 2 times/);
    expect(() => validateFlags({ resume: "" }, {}, [], ["resume"])).toThrow(/--resume: expected a non-empty value/);
    expect(() => validateFlags({ resume: "  " }, {}, [], ["resume"])).toThrow(/--resume/);
  });

  it("rawFlagValue finds --x V, --x=V and the camelCase alias", () => {
    expect(rawFlagValue(["--seed", "abc"], "seed")).toBe("abc");
    expect(rawFlagValue(["--max-retries=-1"], "max-retries")).toBe("-1");
    expect(rawFlagValue(["--maxRetries", "x"], "max-retries")).toBe("x");
    expect(rawFlagValue(["--other"], "seed")).toBeUndefined();
  });
});

describe("the CLI refuses bad numbers before doing anything (exit 2, one line naming the flag)", () => {
  it.each([
    [["--seed", "abc"], /--seed: expected a whole number/],
    [["--delay", "abc"], /--delay: expected a number ≥ 0, got "abc"/],
    [["--request-timeout", "0"], /--request-timeout: expected a number > 0/],
    [["--request-timeout", "-3"], /--request-timeout/],
    [["--max-retries", "-1"], /--max-retries/],
    [["--case-retry-budget", "-1"], /--case-retry-budget/],
    [["--cold-start-timeout", "-1"], /--cold-start-timeout/],
    [["--max-tokens", "0"], /--max-tokens: expected a whole number ≥ 1/],
    [["--resume", ""], /--resume: expected a non-empty value/],
  ])("%j", async (args, msg) => {
    const out = `/nonexistent-${Math.random()}`;
    const res = await runCli(["--medqa", ...args, "--out", out]);
    expect(res.code, res.stderr).toBe(2);
    expect(res.stderr).toMatch(msg);
    expect(res.stderr.trim().split("\n")).toHaveLength(1);
  });

  it("diff and report check theirs too", async () => {
    const d = await runCli(["diff", "a", "b", "--alpha", "0"]);
    expect(d.code).toBe(2);
    expect(d.stderr).toMatch(/--alpha: expected a number > 0 and < 1/);
    const r = await runCli(["report", "x", "--cost-per-hour", "-1"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--cost-per-hour/);
  });
});
