// The dataset registry's vocabulary: a benchmark (DatasetSpec) is data — where its files come from, how they are
// pinned, which local formats it reads, how each is parsed, its licence and its strata — as lm-evaluation-harness
// treats a task. One module per benchmark implements it; registry/index.ts lists them.
import type { RawItem } from "../load.js";

/** One file a benchmark downloads. */
export interface SourceFile {
  /** Name under `datasets/cache/<dataset>/`, and the key of its entry in registry.lock.json. */
  cacheName: string;
  /** Download URL for a revision (Hugging Face `resolve/<revision>/…`, GitHub `raw/<revision>/…`). */
  url: (revision: string) => string;
  /** Revision asked for: a branch until registry.lock.json pins the commit the first download resolved. */
  revision: string;
  /** sha256 of the file when known in advance (else the first download records it in registry.lock.json). */
  sha256?: string;
  /** Size in bytes when known in advance (shown by `run-validation datasets`). */
  size?: number;
}

/** A local file (or folder, for MMLU's per-subject CSVs) read by one format. */
export interface ReadInput {
  /** As the user wrote it (messages point there). */
  path: string;
  /** Only these subjects (MMLU); null = all of the benchmark's. */
  subjects: readonly string[] | null;
  /** Split asked for (PubMedQA: `test`); null = the benchmark's default. */
  split: string | null;
  /** The split's id file (PubMedQA's test_ground_truth.json); null = the conventional name beside `path`. */
  splitFile: string | null;
}

/** What a format reader produced: records to validate, the data's sha256, and what it decided on the way. */
export interface ReadResult {
  items: RawItem[];
  sha256: string;
  /** Files read, each with its sha256 (more than one for MMLU folders). */
  files: Array<{ path: string; sha256: string }>;
  /** Decisions the user should see (printed at start, kept in run.json): e.g. how a cop base was determined. */
  notes: string[];
}

export interface FormatSpec {
  /** `--format` value, e.g. `medmcqa-json`. */
  name: string;
  /** One line for `--help` and `run-validation datasets`. */
  describe: string;
  /** Does this path look like this format (by extension / folder contents)? Used when --format is not given. */
  matches: (path: string, isDirectory: boolean) => boolean;
  /** Absent for the MedQA-style `jsonl` and `csv` formats, which the streaming loader (datasets/load.ts) reads. */
  read?: (input: ReadInput) => Promise<ReadResult>;
}

/** A stratum field and, when the benchmark fixes them, its keys in report order (else the values seen, sorted). */
export interface StratumField {
  field: string;
  keys?: readonly string[];
}

export interface DatasetSpec {
  /** `--dataset` value: `medqa`, `medmcqa`, `pubmedqa`, `mmlu-medical`, `headqa`. */
  name: string;
  title: string;
  /** Case-id prefix and run-folder name, e.g. `medmcqa-dev`. */
  idPrefix: string;
  /** What is evaluated, with the record count of the default selection. */
  split: string;
  n_records: number;
  licence: string;
  homepage: string;
  /** Files a download fetches, for the given subjects (MMLU) / split. */
  sources: (input: Pick<ReadInput, "subjects" | "split">) => SourceFile[];
  /** The path the first format's reader takes for the cached files (default: the first source file). */
  cachedPath?: (benchmarkCacheDir: string) => string;
  /** Formats `--data PATH` accepts for this benchmark; the first is what the downloaded files are. */
  formats: readonly FormatSpec[];
  /** Dataset-specific strata, in report order. */
  strata: readonly StratumField[];
  /**
   * Whether the pipeline's diagnostic metrics (is the correct option's text the report's top diagnosis?) mean
   * anything: only where the questions ask for a diagnosis among clinical vignettes.
   */
  diagnostic: boolean;
  /** Subjects (MMLU) that `--subjects` chooses among; absent when the benchmark has none. */
  subjects?: readonly string[];
  /** Splits `--split` accepts besides the default (PubMedQA: `test`). */
  splits?: readonly string[];
}
