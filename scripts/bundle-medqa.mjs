// Writes datasets/medqa/us_4options_test.jsonl.gz, the MedQA test set shipped with the package, from a local copy
// (default ../shared/datasets/medqa/us_4options_test.jsonl). Refuses a copy whose sha256 is not the published one.
// gzip level 9 with no file name or mtime in the header, so the output is byte-for-byte reproducible.
// Usage: node scripts/bundle-medqa.mjs [SOURCE.jsonl]
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";

const SHA256 = "2e51d17d47099a72c4eea6b6a3307de71360333e0c99beb1d53d7a42834cacc4";
const src = process.argv[2] ?? "../shared/datasets/medqa/us_4options_test.jsonl";
const dest = "datasets/medqa/us_4options_test.jsonl.gz";

const raw = readFileSync(src);
const actual = createHash("sha256").update(raw).digest("hex");
if (actual !== SHA256) {
  console.error(`${src}: sha256 ${actual}, expected ${SHA256}; not bundling`);
  process.exit(2);
}
const gz = gzipSync(raw, { level: 9 });
writeFileSync(dest, gz);
console.log(`${dest}: ${gz.length} bytes (from ${raw.length}), gz sha256 ${createHash("sha256").update(gz).digest("hex")}`);
