// Issue #15 item 4: dataset or model text that starts like a spreadsheet formula is neutralised in cases.csv.
import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import { csvField, neutralizeFormula, renderCsv } from "../src/report/csv.js";
import { caseId, makeCase } from "./fixtures/report/journal.js";

describe("cases.csv formula neutralising (OWASP)", () => {
  it.each([
    ["=", "=1+1"],
    ["+", "+cmd|' /C calc'!A0"],
    ["-", "-2+3"],
    ["@", "@SUM(A1:A9)"],
    ["tab", "\t=1+1"],
    ["CR", "\r=1+1"],
    ["=HYPERLINK", '=HYPERLINK("http://evil.example","click")'],
  ])("a cell starting with %s gets a leading quote, and reads back as that text", (_n, text) => {
    expect(neutralizeFormula(text)).toBe(`'${text}`);
    const rec = makeCase({ case_id: caseId(0), arm: "direct", outcome: "error", stem: text, error: text, correct_text: text });
    const rows = parse(renderCsv([rec], [caseId(0)]), { columns: true }) as Array<Record<string, string>>;
    for (const col of ["stem", "error", "correct_text"]) {
      expect(rows[0]![col]).toBe(`'${text}`);
      expect(rows[0]![col]![0]).toBe("'");
    }
  });

  it("leaves ordinary text and numbers alone (a negative number is a number, not a formula)", () => {
    for (const s of ["Which drug?", "a=b", "x+y", "", " =1"]) expect(neutralizeFormula(s)).toBe(s);
    expect(csvField(-3)).toBe("-3");
    expect(csvField("plain")).toBe("plain");
  });
});
