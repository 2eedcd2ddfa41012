// MedQA (Jin et al., 2020), US, 4 options, test split: 1,273 USMLE-style vignettes. Ships with the package
// (datasets/medqa/, gzipped, sha256-checked on every load) and is refreshed from Hugging Face by `fetch medqa`;
// read by the streaming MedQA-style loader (datasets/load.ts), which also takes CSV with a header.
import { MEDQA_SHA256, MEDQA_URL } from "../fetch.js";
import type { DatasetSpec, FormatSpec } from "./types.js";

export const medqaJsonl: FormatSpec = {
  name: "jsonl",
  describe: "MedQA JSONL: question, options {A: …}, answer_idx, optional answer, meta_info (also .gz)",
  matches: (p, dir) => !dir && /\.(jsonl|ndjson)(\.gz)?$/i.test(p),
};

export const medqaCsv: FormatSpec = {
  name: "csv",
  describe: "CSV with a header: question, A..E or opa..ope, answer_idx (a letter), optional answer, meta_info",
  matches: (p, dir) => !dir && /\.csv(\.gz)?$/i.test(p),
};

export const medqa: DatasetSpec = {
  name: "medqa",
  title: "MedQA US, 4 options (test split) — ships with the package",
  idPrefix: "medqa-us4-test",
  split: "test (US, 4 options)",
  n_records: 1273,
  licence: "MIT (authors, github.com/jind11/MedQA)",
  homepage: "https://github.com/jind11/MedQA",
  sources: () => [
    {
      cacheName: "us_4options_test.jsonl",
      // Always the pinned bytes: the sha256 is known, so the revision need not be.
      url: () => MEDQA_URL,
      revision: "main",
      sha256: MEDQA_SHA256,
      size: 2_075_680,
    },
  ],
  formats: [medqaJsonl, medqaCsv],
  strata: [],
  diagnostic: true,
};
