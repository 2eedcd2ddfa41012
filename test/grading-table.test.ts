// The public grading table (test/fixtures/grading/table.ts): every row gets its expected verdict.
import { describe, expect, it } from "vitest";
import { grade } from "../src/scoring/grading/grade.js";
import { DEFECT_CLASSES, OPTION_SETS, TABLE } from "./fixtures/grading/table.js";

describe("grading table", () => {
  it("has at least 200 rows with unique ids, and rows for every defect class of issue #10", () => {
    expect(TABLE.length).toBeGreaterThanOrEqual(200);
    expect(new Set(TABLE.map((r) => r.id)).size).toBe(TABLE.length);
    for (const c of DEFECT_CLASSES) expect(TABLE.filter((r) => r.tags?.includes(c)).length, c).toBeGreaterThanOrEqual(3);
  });

  it.each(TABLE.map((r) => [r.id, r] as const))("%s", (_id, r) => {
    const g = grade({ text: r.response, options: OPTION_SETS[r.options], finishReason: r.finish ?? "stop" });
    const got = g.letter === null ? `none/${g.reason}` : `${g.letter}/${g.method}`;
    expect(got, `${r.why} — rule ${g.rule}: ${JSON.stringify(g.matched)}`).toBe(r.expect);
  });
});
