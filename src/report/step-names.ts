// Step names for reports and diffs: the built-in ids in pipeline order, then a `--pipeline FILE` run's own step
// names in the order its records list them (file order), so reports take step names from the journal.
import { STEP_IDS } from "../types.js";

export function stepNames(records: Iterable<{ steps?: Partial<Record<string, unknown>> | undefined }>): string[] {
  const seen = new Set<string>();
  for (const r of records) for (const k of Object.keys(r.steps ?? {})) seen.add(k);
  const builtin = STEP_IDS.filter((id) => seen.has(id));
  return [...builtin, ...[...seen].filter((k) => !(STEP_IDS as readonly string[]).includes(k))];
}
