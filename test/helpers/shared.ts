// The read-only shared/ folder that sits beside the repository (datasets for tests). Found by walking up from
// here rather than at a fixed "../..", so tests also find it when run from a copy of the repo one or more levels
// deeper — Stryker's sandbox (.stryker-tmp/sandbox-*/), where a fixed relative path silently missed it.
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

function findShared(): string {
  const start = dirname(fileURLToPath(import.meta.url));
  for (let dir = resolve(start, "..", ".."); ; dir = dirname(dir)) {
    const candidate = join(dir, "..", "shared");
    if (existsSync(join(candidate, "datasets"))) return resolve(candidate);
    if (dirname(dir) === dir) throw new Error(`shared/datasets not found beside any parent of ${start}`);
  }
}

export const SHARED = findShared();
export const MEDQA_TEST = join(SHARED, "datasets", "medqa", "us_4options_test.jsonl");
