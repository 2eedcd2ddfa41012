// The benchmarks `--dataset` knows, and lookups by name and by `--format`.
import { headqa } from "./headqa.js";
import { medmcqa } from "./medmcqa.js";
import { medqa } from "./medqa.js";
import { mmluMedical } from "./mmlu-medical.js";
import { pubmedqa } from "./pubmedqa.js";
import type { DatasetSpec, FormatSpec } from "./types.js";

export type { DatasetSpec, FormatSpec, ReadInput, ReadResult, SourceFile, StratumField } from "./types.js";

export const REGISTRY: readonly DatasetSpec[] = [medqa, medmcqa, pubmedqa, mmluMedical, headqa];
export const DATASET_NAMES = REGISTRY.map((d) => d.name);
/** Every `--format` value, each belonging to one benchmark (the MedQA-style `jsonl`/`csv` to medqa). */
export const FORMAT_NAMES = REGISTRY.flatMap((d) => d.formats.map((f) => f.name));

export function datasetSpec(name: string): DatasetSpec | undefined {
  return REGISTRY.find((d) => d.name === name);
}

/** The benchmark a format belongs to, and the format. */
export function formatSpec(name: string): { dataset: DatasetSpec; format: FormatSpec } | undefined {
  for (const dataset of REGISTRY) {
    const format = dataset.formats.find((f) => f.name === name);
    if (format) return { dataset, format };
  }
  return undefined;
}
