// `run-validation merge <shard dirs...> --out <dir>`: join the shard runs of ONE configuration (run with
// --shard K/N, e.g. as a CI matrix) into a single run directory that reports and diff treat like an
// unsharded run. Refuses anything that would silently mix results: different configurations, datasets or
// prompts, the same shard twice, or a case present in two shards.

import { mkdir, readdir } from "node:fs/promises";
import { basename, join } from "node:path";
import { configComponents, diffComponents, hashComponents, pipelineComponents, stableStringify } from "../config/hash.js";
import { writeFileAtomic } from "../journal/atomic.js";
import { writeReports } from "../report/write.js";
import type { RunEvent } from "../journal/events.js";
import { caseKey, CASES_FILE, EVENTS_FILE, readJournal, RUN_FILE, type Journal } from "../journal/read.js";
import type { CaseRecord, RunJson } from "../types.js";

export class MergeError extends Error {
  override name = "MergeError";
}

/** A line of the merged events.jsonl: the shards' own events, each block preceded by a note. */
export type MergedEvent = RunEvent | { t: string; type: "merge_note"; shard: { k: number; n: number }; source_run_id: string; note: string };

export interface MergedRun {
  run: RunJson;
  cases: CaseRecord[];
  events: MergedEvent[];
  /** Shards 1..N not among the inputs (the merge proceeds; the run is then partial). */
  missingShards: number[];
}

/** The settings that must agree between shards, by name: config without shard, dataset, prompts, model. */
function identity(run: RunJson): Record<string, unknown> {
  const { shard: _shard, ...config } = run.config;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config)) out[`config.${k}`] = v;
  out["dataset.sha256"] = run.dataset.sha256;
  out["dataset.name"] = run.dataset.name;
  out["endpoint.model"] = run.endpoint.model;
  out["endpoint.info.model_sha"] = run.endpoint.info?.model_sha ?? null;
  out["schema_version"] = run.schema_version;
  for (const id of Object.keys(run.prompts)) out[`prompts.${id}`] = run.prompts[id as keyof RunJson["prompts"]]?.sha256 ?? null;
  // --pipeline FILE: every step field that determines requests (the shards may have read different copies).
  Object.assign(out, pipelineComponents(run.pipeline));
  if (run.pipeline) out["pipeline.differential"] = run.pipeline.differential ?? null;
  return out;
}

const show = (v: unknown): string => {
  const s = stableStringify(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
};

/**
 * The unsharded sample order: shard K of N took ranked positions i with i mod N = K−1, so position
 * j·N + (K−1) is shard K's j-th id. Missing shards leave gaps that are simply skipped.
 */
export function interleaveSampledIds(shards: ReadonlyArray<{ k: number; n: number; ids: readonly string[] }>): string[] {
  const n = shards[0]?.n ?? 0;
  const byK = new Map(shards.map((s) => [s.k, s.ids]));
  const longest = Math.max(0, ...shards.map((s) => s.ids.length));
  const out: string[] = [];
  for (let j = 0; j < longest; j++) {
    for (let k = 1; k <= n; k++) {
      const id = byK.get(k)?.[j];
      if (id !== undefined) out.push(id);
    }
  }
  return out;
}

/** Pure: check the shards and build the merged run. `runId` names the result. */
export function mergeRuns(journals: readonly Journal[], runId: string, now: Date = new Date()): MergedRun {
  if (journals.length === 0) throw new MergeError("merge: no run directories given");
  for (const j of journals) {
    if (!j.run.config.shard) throw new MergeError(`${j.dir}: not a shard (run without --shard); merge joins the shards of one configuration`);
  }
  const first = journals[0]!;
  const n = first.run.config.shard!.n;
  const ref = identity(first.run);
  const seenShard = new Map<number, string>();
  for (const j of journals) {
    const { k, n: nj } = j.run.config.shard!;
    if (nj !== n) throw new MergeError(`mixed shard counts: ${first.dir} is one of ${n} shards, ${j.dir} one of ${nj} (field config.shard.n)`);
    const dup = seenShard.get(k);
    if (dup !== undefined) throw new MergeError(`shard ${k}/${n} given twice: ${dup} and ${j.dir}`);
    seenShard.set(k, j.dir);
    const diff = diffComponents(ref, identity(j.run));
    if (diff.length > 0) {
      const f = diff[0]!;
      throw new MergeError(
        `mixed configurations: ${j.dir} differs from ${first.dir} in ${diff.join(", ")} (${f}: ${show(identity(j.run)[f])} vs ${show(ref[f])}); merge only joins shards of one configuration`,
      );
    }
  }

  // Each case (per arm) must come from exactly one shard.
  const owner = new Map<string, string>();
  for (const j of journals) {
    for (const c of j.cases) {
      const key = caseKey(c);
      const prev = owner.get(key);
      const epoch = c.epoch ? `, epoch ${c.epoch}` : "";
      if (prev !== undefined) throw new MergeError(`duplicate case ${c.case_id} (${c.arm} arm${epoch}) in ${prev} and ${j.dir}`);
      owner.set(key, j.dir);
    }
  }

  const sorted = [...journals].sort((a, b) => a.run.config.shard!.k - b.run.config.shard!.k);
  const sampled = interleaveSampledIds(sorted.map((j) => ({ k: j.run.config.shard!.k, n, ids: j.run.sampled_ids })));
  // One pass: the first id seen twice (indexOf per id was quadratic in the sample size).
  const position = new Map<string, number>();
  for (const [i, id] of sampled.entries()) {
    if (position.has(id)) throw new MergeError(`duplicate case ${id} in the shards' sampled ids`);
    position.set(id, i);
  }
  const armOrder = (a: string) => (a === "direct" ? 0 : 1);
  const cases = sorted
    .flatMap((j) => j.cases)
    .sort((a, b) => (position.get(a.case_id) ?? Infinity) - (position.get(b.case_id) ?? Infinity) || armOrder(a.arm) - armOrder(b.arm));

  const events: MergedEvent[] = [];
  for (const j of sorted) {
    const shard = j.run.config.shard!;
    events.push({
      t: j.events[0]?.t ?? j.run.created_at,
      type: "merge_note",
      shard,
      source_run_id: j.run.run_id,
      note: `events of shard ${shard.k}/${shard.n} (${j.run.run_id}); shards may have run in parallel, so sessions can overlap in time`,
    });
    for (const e of j.events) events.push(e); // not push(...): spreading >~120k events overflows the stack
  }

  const base = first.run;
  const partial = {
    config: { ...base.config, shard: null },
    dataset: base.dataset,
    sampled_ids: sampled,
    endpoint: base.endpoint,
    prompts: base.prompts,
    // A --pipeline FILE run's record: in the config hash, and read by reports (step names, differential step).
    ...(base.pipeline ? { pipeline: base.pipeline } : {}),
  };
  const run: RunJson = {
    schema_version: 1,
    run_id: runId,
    created_at: now.toISOString(),
    harness: base.harness,
    ...partial,
    // Same components as an unsharded run of this configuration, so the hashes agree.
    config_hash: hashComponents(configComponents(partial)),
    cost: base.cost,
  };
  const missingShards: number[] = [];
  for (let k = 1; k <= n; k++) if (!seenShard.has(k)) missingShards.push(k);
  return { run, cases, events, missingShards };
}

const jsonl = (xs: readonly unknown[]): string => xs.map((x) => JSON.stringify(x) + "\n").join("");

export interface MergeCommandIO {
  out: (s: string) => void;
  err: (s: string) => void;
}

const defaultIO: MergeCommandIO = { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) };

/** Exit codes: 0 merged, 2 usage/data error (refusal, unreadable directory, non-empty output). */
export async function mergeCommand(dirs: string[], opts: { out: string }, io: MergeCommandIO = defaultIO): Promise<number> {
  try {
    if (dirs.length === 0) throw new MergeError("merge: give the shard run directories");
    if (!opts.out) throw new MergeError("merge: --out <dir> is required");
    const existing = await readdir(opts.out).catch(() => [] as string[]);
    if (existing.length > 0) throw new MergeError(`merge: ${opts.out} exists and is not empty; choose a new --out`);
    const journals: Journal[] = [];
    for (const d of dirs) {
      const j = await readJournal(d).catch((err: Error) => {
        throw new MergeError(`merge: ${err.message}`);
      });
      if (j.tornCasesLine) io.err(`merge: ${d}: dropped a torn last line of ${CASES_FILE}\n`);
      journals.push(j);
    }
    const merged = mergeRuns(journals, basename(opts.out));
    await mkdir(opts.out, { recursive: true });
    await writeFileAtomic(join(opts.out, CASES_FILE), jsonl(merged.cases));
    await writeFileAtomic(join(opts.out, EVENTS_FILE), jsonl(merged.events));
    // run.json last: a directory with run.json is a complete run.
    await writeFileAtomic(join(opts.out, RUN_FILE), JSON.stringify(merged.run, null, 2) + "\n");
    // The merged run's reports, as a run writes them (users expect summary/report files, not only a journal).
    const { files } = await writeReports(opts.out);
    const n = journals[0]!.run.config.shard!.n;
    if (merged.missingShards.length) io.err(`merge: warning: shard(s) ${merged.missingShards.join(", ")} of ${n} missing; the merged run is partial\n`);
    io.out(`merged ${journals.length} shard(s) of ${n}: ${merged.run.sampled_ids.length} cases, ${merged.cases.length} records → ${opts.out}\n`);
    io.out(`wrote ${files.map((f) => basename(f)).join(", ")}\n`);
    return 0;
  } catch (err) {
    if (err instanceof MergeError) {
      io.err(`${err.message}\n`);
      return 2;
    }
    throw err;
  }
}
