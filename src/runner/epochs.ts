// --epochs K: the work units of a run, each case × arm × epoch, and the sampling seed each epoch sends.
// Epoch 0 sends the run's --seed unchanged (so a single-epoch run's requests are what they always were);
// epoch e > 0 sends a seed derived from (--seed, e), recorded in its journal line.
import { caseKey } from "../journal/read.js";
import type { Arm, Case } from "../types.js";
import type { WorkUnit } from "./execute.js";

/** The engine seed for epoch `e` of a run seeded `seed`: a u32, stable across runs and machines. */
export function epochSeed(seed: number, e: number): number {
  if (e === 0) return seed;
  // FNV-1a over "seed:e": spreads neighbouring (seed, e) pairs apart; fits TGI's u64 and every engine's int.
  let h = 0x811c9dc5;
  for (const ch of `${seed}:${e}`) {
    h ^= ch.charCodeAt(0);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** Units in run order: case by case, each arm, then each epoch (a case's epochs run close together). */
export function workUnits(cases: readonly Case[], arms: readonly Arm[], seed: number, epochs: number): WorkUnit[] {
  const units: WorkUnit[] = [];
  for (const c of cases) {
    for (const arm of arms) {
      if (epochs <= 1) units.push({ c, arm });
      else for (let e = 0; e < epochs; e++) units.push({ c, arm, epoch: { index: e, seed: epochSeed(seed, e) } });
    }
  }
  return units;
}

/** The journal key a unit's record will have (resume skips units whose key is already finished). */
export const unitKey = (u: WorkUnit): string => caseKey({ case_id: u.c.id, arm: u.arm, epoch: u.epoch?.index });
