// Everything decided before the first model call: dataset, sample, prompts, run directory, run.json.
// Pure-ish and endpoint-free, so resume checks can refuse before anything is sent.
import { execFile } from "node:child_process";
import { mkdir, readFile, stat } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { diffComponents, configComponents, hashComponents } from "../config/hash.js";
import { loadDataset } from "../datasets/load.js";
import { DATASET_NAMES, datasetSpec } from "../datasets/registry/index.js";
import { loadBenchmark } from "../datasets/registry/load.js";
import { writeFileAtomic } from "../journal/atomic.js";
import { readRunJson, RUN_FILE } from "../journal/read.js";
import { readCaseIdsFile, sampleCases } from "../sampling/sample.js";
import type { Case, CostSettings, Dataset, EndpointInfo, RunConfig, RunJson, StepId } from "../types.js";
import { UsageError } from "./exit-codes.js";

const HERE = dirname(fileURLToPath(import.meta.url));
/** The package root (dist/runner → ../..; src/runner under vitest → ../..). */
export const PACKAGE_ROOT = resolve(HERE, "..", "..");

let harness: Promise<RunJson["harness"]> | undefined;

/**
 * Version, git commit and Node version for run.json. Memoized and asynchronous (`git rev-parse` runs as a child
 * process without blocking): the runner starts it first thing, so it overlaps dataset loading.
 */
export function harnessInfo(): Promise<RunJson["harness"]> {
  harness ??= (async () => {
    let version = "0.0.0";
    try {
      version = JSON.parse(await readFile(join(PACKAGE_ROOT, "package.json"), "utf8")).version ?? version;
    } catch {
      /* packaged without package.json: keep the placeholder */
    }
    const git_commit = await new Promise<string | null>((res) => {
      execFile("git", ["rev-parse", "HEAD"], { cwd: PACKAGE_ROOT }, (err, stdout) => res(err ? null : stdout.toString().trim() || null));
    });
    return { version, git_commit, node: process.version };
  })();
  return harness;
}

export interface Sampled {
  dataset: Dataset;
  cases: Case[];
}

export async function loadAndSample(config: RunConfig, skipInvalid: boolean): Promise<Sampled> {
  const dataset = await loadConfiguredDataset(config, skipInvalid);
  const caseIds = config.case_ids_file ? await readCaseIdsFile(config.case_ids_file) : null;
  const cases = sampleCases(dataset.cases, {
    seed: config.seed,
    maxCases: config.max_cases,
    caseIds,
    ...(config.case_ids_file ? { caseIdsFile: config.case_ids_file } : {}),
    shard: config.shard,
  });
  if (cases.length === 0) throw new UsageError("the sample is empty: check --max-cases, --shard and --case-ids");
  return { dataset, cases };
}

/** A registry benchmark (`--dataset`, `--medqa`, `--format`) or a plain MedQA-style `--data` file. */
async function loadConfiguredDataset(config: RunConfig, skipInvalid: boolean): Promise<Dataset> {
  const spec = config.registry ? datasetSpec(config.registry) : undefined;
  if (config.registry && !spec) throw new UsageError(`unknown dataset ${config.registry} (one of ${DATASET_NAMES.join(", ")})`);
  if (!spec) {
    return loadDataset(config.data_path, {
      name: config.dataset || undefined,
      skipInvalid,
      ...(config.data_sha256 ? { expectSha256: config.data_sha256 } : {}),
    });
  }
  return loadBenchmark(spec, {
    path: config.data_path,
    format: config.format ?? null,
    subjects: config.subjects ?? null,
    split: config.split ?? null,
    splitFile: config.split_file ?? null,
    skipInvalid,
    expectSha256: config.data_sha256 ?? null,
  });
}

/** `<UTC timestamp>-<dataset>-s<seed>-n<count>`, e.g. `20261127T173000Z-medqa-us4-test-s42-n50`. */
export function runDirName(now: Date, dataset: string, seed: number, count: number): string {
  const ts = now.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
  return `${ts}-${dataset}-s${seed}-n${count}`;
}

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}

/** A fresh folder under `outDir` (suffix -2, -3… if two runs start in the same second). */
export async function createRunDir(outDir: string, name: string): Promise<string> {
  await mkdir(outDir, { recursive: true });
  for (let i = 1; ; i++) {
    const dir = join(outDir, i === 1 ? name : `${name}-${i}`);
    if (!(await exists(dir))) {
      await mkdir(dir);
      return dir;
    }
  }
}

export interface RunJsonInput {
  runId: string;
  config: RunConfig;
  dataset: Dataset;
  cases: Case[];
  endpoint: RunJson["endpoint"];
  prompts: Partial<Record<StepId | "direct", { sha256: string; overridden: boolean }>>;
  /** --pipeline FILE: its record (pipeline/file/load.ts pipelineRecord). */
  pipeline?: RunJson["pipeline"];
  cost: CostSettings;
}

export async function buildRunJson(input: RunJsonInput): Promise<RunJson> {
  const partial = {
    config: input.config,
    dataset: {
      name: input.dataset.name,
      path: input.dataset.path,
      sha256: input.dataset.sha256,
      n_records: input.dataset.cases.length,
      n_skipped: input.dataset.skipped.length,
      ...(input.dataset.registry !== undefined ? { registry: input.dataset.registry, format: input.dataset.format } : {}),
      ...(input.dataset.strata?.length ? { strata: input.dataset.strata } : {}),
      ...(input.dataset.diagnostic !== undefined ? { diagnostic: input.dataset.diagnostic } : {}),
      ...(input.dataset.notes?.length ? { notes: input.dataset.notes } : {}),
    },
    sampled_ids: input.cases.map((c) => c.id),
    endpoint: input.endpoint,
    prompts: input.prompts,
    ...(input.pipeline ? { pipeline: input.pipeline } : {}),
  };
  return {
    schema_version: 1,
    run_id: input.runId,
    created_at: new Date().toISOString(),
    harness: await harnessInfo(),
    ...partial,
    config_hash: hashComponents(configComponents(partial)),
    cost: input.cost,
  };
}

export async function writeRunJson(dir: string, run: RunJson): Promise<void> {
  await writeFileAtomic(join(dir, RUN_FILE), JSON.stringify(run, null, 2) + "\n");
}

/**
 * --resume: the stored run must have been made with the same result-determining configuration.
 * Returns the stored run.json; throws a UsageError naming every component that differs.
 */
export async function checkResumable(dir: string, now: RunJson): Promise<RunJson> {
  const stored = await readRunJson(dir).catch((err: Error) => {
    throw new UsageError(`cannot resume ${dir}: ${err.message}`);
  });
  if (stored.config_hash === now.config_hash) return stored;
  const differing = diffComponents(configComponents(stored), configComponents(now));
  throw new UsageError(
    `cannot resume ${dir}: the configuration differs from the stored run (${differing.join(", ") || "config hash"}). ` +
      `Resume with the original settings, or start a new run without --resume.`,
  );
}

export function endpointRecord(kind: "emulator" | "remote", baseUrl: string, model: string, info: EndpointInfo | null): RunJson["endpoint"] {
  return { kind, base_url: baseUrl, model, info };
}
