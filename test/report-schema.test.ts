import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { SummarySchema, summaryJsonSchema } from "../src/report/summary-schema.js";
import { summarize } from "../src/report/summary.js";
import { handFixture, makeCase, makeRun, caseId } from "./fixtures/report/journal.js";

const SCHEMA_PATH = fileURLToPath(new URL("../src/report/summary.schema.json", import.meta.url));
const generated = JSON.stringify(summaryJsonSchema(), null, 2) + "\n";

// Regenerate with: UPDATE_SUMMARY_SCHEMA=1 npx vitest run test/report-schema.test.ts
if (process.env.UPDATE_SUMMARY_SCHEMA) writeFileSync(SCHEMA_PATH, generated);

function summaries() {
  const { run, cases, events } = handFixture();
  const full = summarize({ dir: "/x", run, cases, allCaseLines: cases, events, tornCasesLine: false });
  const emptyRun = makeRun({ sampled_ids: [], config: { ...run.config, mode: "pipeline" } });
  const empty = summarize({ dir: "/x", run: emptyRun, cases: [], allCaseLines: [], events: [], tornCasesLine: false });
  const directRun = makeRun({ config: { ...run.config, mode: "direct" }, cost: { per_hour: 0, per_mtok_in: null, per_mtok_out: null } });
  const one = [makeCase({ case_id: caseId(3), arm: "direct", outcome: "correct", correct_answer: "E", answer: "E" })];
  const direct = summarize({ dir: "/x", run: directRun, cases: one, allCaseLines: one, events: [], tornCasesLine: true });
  return { full, empty, direct };
}

describe("summary schema", () => {
  it("the committed summary.schema.json equals the one generated from the zod schema", () => {
    expect(readFileSync(SCHEMA_PATH, "utf8")).toBe(generated);
  });

  it.each(Object.entries(summaries()))("a real summary (%s) validates with ajv and zod", (_name, s) => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    const validate = ajv.compile(JSON.parse(readFileSync(SCHEMA_PATH, "utf8")));
    const json = JSON.parse(JSON.stringify(s));
    expect(validate(json), JSON.stringify(validate.errors)).toBe(true);
    expect(SummarySchema.parse(json)).toEqual(json);
  });

  it("rejects a summary with a wrong schema_version or a missing arm field", () => {
    const ajv = new Ajv2020({ strict: false });
    const validate = ajv.compile(JSON.parse(readFileSync(SCHEMA_PATH, "utf8")));
    const s = JSON.parse(JSON.stringify(summaries().full));
    expect(validate({ ...s, schema_version: 2 })).toBe(false);
    delete s.arms[0].accuracy;
    expect(validate(s)).toBe(false);
  });

  it("an empty run has null proportions, not 0%", () => {
    const { empty, direct } = summaries();
    expect(empty.arms).toHaveLength(1);
    expect(empty.arms[0]!.accuracy.all).toEqual({ k: 0, n: 0, p: null, lo: null, hi: null });
    expect(empty.arms[0]!.diagnostic!.top1.p).toBeNull();
    expect(empty.time.wall_time_source).toBe("none");
    expect(direct.arms[0]!.answer_matrix.letters).toEqual(["A", "B", "C", "D", "E"]);
    expect(direct.arms[0]!.answer_matrix.counts[4]).toEqual([0, 0, 0, 0, 1, 0]);
  });
});
