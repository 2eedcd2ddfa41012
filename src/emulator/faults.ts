// Deterministic fault and overload draws: a pure function of (seed, request number), so a run with the
// same seed fails at the same request numbers and a retry (a new number) gets a fresh draw.
import { unit } from "./hash.js";
import type { EmulatorOptions, FaultKind } from "./options.js";

type FaultOpts = Pick<EmulatorOptions, "faultRate" | "faultKinds" | "faults" | "faultAt" | "faultSeed"> &
  Partial<Pick<EmulatorOptions, "faultSteps">>;

/** Header carrying the pipeline step (ChatRequest.tag.step) for per-step fault injection. */
export const STEP_HEADER = "x-harness-step";

/** Fault for chat request number `n` (1-based): faultAt, then faultSteps[step], then the rates. */
export function pickFault(n: number, o: FaultOpts, step?: string): FaultKind | null {
  const at = o.faultAt[n];
  if (at) return at;
  const byStep = step !== undefined ? o.faultSteps?.[step] : undefined;
  if (byStep) return byStep;
  const shares = new Map<FaultKind, number>();
  if (o.faultRate > 0 && o.faultKinds.length > 0) {
    for (const k of o.faultKinds) shares.set(k, (shares.get(k) ?? 0) + o.faultRate / o.faultKinds.length);
  }
  for (const [k, r] of Object.entries(o.faults) as [FaultKind, number][]) {
    if (r > 0) shares.set(k, (shares.get(k) ?? 0) + r);
  }
  if (shares.size === 0) return null;
  const u = unit(`${o.faultSeed}:fault:${n}`);
  let acc = 0;
  for (const [k, r] of shares) {
    acc += r;
    if (u < acc) return k;
  }
  return null;
}

export function isOverloaded(n: number, rate: number, seed: number | string): boolean {
  return rate > 0 && unit(`${seed}:overload:${n}`) < rate;
}

/** Parses "500:0.02,reset:0.01" into per-kind shares; throws on unknown kinds or bad numbers. */
export function parseFaultSpec(spec: string, known: readonly string[]): Partial<Record<FaultKind, number>> {
  const out: Partial<Record<FaultKind, number>> = {};
  for (const part of spec.split(",").map((s) => s.trim()).filter(Boolean)) {
    const [kind, rate] = part.split(":");
    const r = Number(rate);
    if (!kind || !known.includes(kind)) throw new Error(`unknown fault kind "${kind ?? ""}" (known: ${known.join(", ")})`);
    if (!Number.isFinite(r) || r < 0 || r > 1) throw new Error(`fault rate for ${kind} must be in 0..1, got "${rate ?? ""}"`);
    out[kind as FaultKind] = r;
  }
  return out;
}
