// Flag validation in ONE place: every numeric flag of every command has its range here, checked right after
// parsing (yargs `.check`), so `--seed abc`, `--request-timeout 0` or `--max-retries -1` exit 2 naming the
// flag before anything runs. Add a rule here when you add a numeric flag; `--help` is unaffected.
import type { Argv } from "yargs";
import { UsageError } from "../runner/exit-codes.js";

export interface NumberRule {
  /** Whole numbers only. */
  int?: boolean;
  /** Inclusive lower bound. */
  min?: number;
  /** Exclusive lower bound ("> 0"). */
  above?: number;
  /** Inclusive upper bound. */
  max?: number;
  /** Words accepted instead of a number (e.g. `auto`); the flag must then be declared as a string. */
  words?: readonly string[];
}

const share: NumberRule = { min: 0, max: 1 };
const seconds: NumberRule = { above: 0 };
const nonNeg: NumberRule = { min: 0 };
const count: NumberRule = { int: true, min: 0 };
const positiveInt: NumberRule = { int: true, min: 1 };

/** The main job (`run-validation [--medqa | --data PATH]`). */
export const RUN_NUMBER_RULES: Record<string, NumberRule> = {
  "max-cases": positiveInt,
  // TGI's seed is a u64; above 2^53 JSON loses precision, and a negative one would be a 422.
  seed: { int: true, min: 0, max: Number.MAX_SAFE_INTEGER },
  concurrency: { int: true, min: 1, max: 1024, words: ["auto"] },
  "max-concurrency": { int: true, min: 1, max: 1024 },
  delay: nonNeg,
  "request-timeout": seconds,
  "max-retries": count,
  "case-retry-budget": count,
  "case-timeout": seconds,
  "cold-start-timeout": nonNeg,
  "scale-up-timeout": seconds,
  temperature: { min: 0, max: 100 },
  "max-tokens": positiveInt,
  epochs: { int: true, min: 1, max: 1000 },
  "max-input-tokens": positiveInt,
  "max-total-tokens": { int: true, min: 2 },
  "time-scale": seconds,
  "emulator-invalid-json-rate": share,
  "max-error-rate": share,
  "cost-per-hour": nonNeg,
  "price-per-mtok-in": nonNeg,
  "price-per-mtok-out": nonNeg,
};

export const REPORT_NUMBER_RULES: Record<string, NumberRule> = {
  "cost-per-hour": nonNeg,
  "price-per-mtok-in": nonNeg,
  "price-per-mtok-out": nonNeg,
};

export const DIFF_NUMBER_RULES: Record<string, NumberRule> = {
  alpha: { above: 0, max: 1 - Number.EPSILON },
  "min-drop": { min: 0, max: 100 },
  "max-latency-regression": nonNeg,
  "max-error-rate-increase": { min: 0, max: 100 },
  seed: { int: true, min: 0, max: Number.MAX_SAFE_INTEGER },
};

export const EMULATOR_NUMBER_RULES: Record<string, NumberRule> = {
  port: { int: true, min: 0, max: 65535 },
  "time-scale": seconds,
  "max-concurrent": positiveInt,
  "max-input-tokens": positiveInt,
  "max-total-tokens": { int: true, min: 2 },
  "idle-timeout": nonNeg,
  "cold-start": nonNeg,
  "fault-rate": share,
  "invalid-json-rate": share,
  "overload-rate": share,
};

/** String flags that must not be empty when given (`--resume ""` must not silently start a new run). */
export const NON_EMPTY_STRINGS = ["resume", "data", "out", "case-ids", "prompts", "guidelines-file", "shard", "model", "pipeline"] as const;

/** "a whole number ≥ 1", "a number in 0..1", "a number > 0"… */
export function describeRule(r: NumberRule): string {
  const what = r.int ? "a whole number" : "a number";
  const lo = r.above !== undefined ? `> ${r.above}` : r.min !== undefined ? `≥ ${r.min}` : null;
  const hi = r.max !== undefined ? (r.max === 1 - Number.EPSILON ? "< 1" : `≤ ${r.max}`) : null;
  const range = r.min !== undefined && r.max !== undefined ? `in ${r.min}..${r.max}` : [lo, hi].filter(Boolean).join(" and ");
  const words = r.words?.length ? ` or ${r.words.map((w) => `"${w}"`).join(", ")}` : "";
  return `${what}${range ? ` ${range}` : ""}${words}`;
}

/** The text the user typed for a flag (`--name V`, `--name=V`, camelCase too), for the "got" part. */
export function rawFlagValue(argv: readonly string[], name: string): string | undefined {
  const camel = name.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    for (const n of new Set([name, camel])) {
      if (a === `--${n}`) return argv[i + 1] ?? "";
      if (a.startsWith(`--${n}=`)) return a.slice(n.length + 3);
    }
  }
  return undefined;
}

/** null when `v` satisfies the rule, else what was expected. */
export function checkNumber(v: unknown, r: NumberRule): string | null {
  if (typeof v === "string" && r.words?.includes(v)) return null;
  const n = typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : NaN;
  const ok =
    Number.isFinite(n) &&
    (!r.int || Number.isInteger(n)) &&
    (r.min === undefined || n >= r.min) &&
    (r.above === undefined || n > r.above) &&
    (r.max === undefined || n <= r.max);
  return ok ? null : describeRule(r);
}

/** Throws a UsageError naming the first flag that breaks its rule (or is given twice). */
export function validateFlags(parsed: Record<string, unknown>, rules: Record<string, NumberRule>, rawArgv: readonly string[], nonEmpty: readonly string[] = []): void {
  for (const [name, rule] of Object.entries(rules)) {
    const v = parsed[name];
    if (v === undefined) continue;
    if (Array.isArray(v)) throw new UsageError(`--${name} was given ${v.length} times; give it once`);
    const expected = checkNumber(v, rule);
    if (expected !== null) {
      const raw = rawFlagValue(rawArgv, name) ?? String(v);
      throw new UsageError(`--${name}: expected ${expected}, got ${JSON.stringify(raw)}`);
    }
  }
  for (const name of nonEmpty) {
    const v = parsed[name];
    if (v === undefined) continue;
    if (Array.isArray(v)) throw new UsageError(`--${name} was given ${v.length} times; give it once`);
    if (typeof v === "string" && v.trim() === "") throw new UsageError(`--${name}: expected a non-empty value, got ""`);
  }
}

/** Installs the checks on a command's yargs builder. */
export function withFlagChecks<T>(y: Argv<T>, rules: Record<string, NumberRule>, rawArgv: readonly string[], nonEmpty: readonly string[] = []): Argv<T> {
  return y.check((parsed) => {
    validateFlags(parsed as Record<string, unknown>, rules, rawArgv, nonEmpty);
    return true;
  });
}
