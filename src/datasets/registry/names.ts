// Benchmark and format names, import-free so the CLI can offer them as choices without loading any reader.
// registry/index.ts is the source of truth; a test checks these lists equal it.
export const DATASET_CHOICES = ["medqa", "medmcqa", "pubmedqa", "mmlu-medical", "headqa"] as const;
export const FORMAT_CHOICES = [
  "jsonl",
  "csv",
  "medmcqa-parquet",
  "medmcqa-json",
  "pubmedqa-json",
  "pubmedqa-parquet",
  "mmlu-parquet",
  "mmlu-csv",
  "headqa-parquet",
  "headqa-json",
] as const;
