// junit.xml: a testsuite per arm, a testcase per case, so CI systems show wrong answers and errors natively.
// wrong → <failure type="wrong">, unparseable → <failure type="unparseable">, error → <error type="<class>">.
import type { Arm, CaseRecord } from "../types.js";
import { caseLabels, orderedCases } from "./format.js";

/** Drop characters XML 1.0 forbids, then escape markup (attribute-safe). */
export function xmlEscape(text: string): string {
  return text
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}

const seconds = (ms: number): string => (ms / 1000).toFixed(3);

export function renderJunit(runId: string, cases: readonly CaseRecord[], sampledIds: readonly string[]): string {
  const byArm = new Map<Arm, CaseRecord[]>();
  for (const r of orderedCases(cases, sampledIds)) {
    const list = byArm.get(r.arm);
    if (list) list.push(r);
    else byArm.set(r.arm, [r]);
  }
  const suites: string[] = [];
  let total = 0;
  let failures = 0;
  let errors = 0;
  let time = 0;
  for (const [arm, recs] of byArm) {
    const f = recs.filter((r) => r.outcome === "wrong" || r.outcome === "unparseable").length;
    const e = recs.filter((r) => r.outcome === "error").length;
    const t = recs.reduce((s, r) => s + r.latency_ms, 0);
    total += recs.length;
    failures += f;
    errors += e;
    time += t;
    const body = recs.map((r) => testcase(arm, r)).join("\n");
    suites.push(
      `  <testsuite name="${xmlEscape(arm)}" tests="${recs.length}" failures="${f}" errors="${e}" skipped="0" time="${seconds(t)}">\n${body}\n  </testsuite>`,
    );
  }
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<testsuites name="${xmlEscape(`medqa-harness ${runId}`)}" tests="${total}" failures="${failures}" errors="${errors}" time="${seconds(time)}">\n` +
    suites.join("\n") +
    `\n</testsuites>\n`
  );
}

function testcase(arm: Arm, r: CaseRecord): string {
  const { question_type } = caseLabels(r);
  const open = `    <testcase classname="${xmlEscape(`${arm}.${question_type}`)}" name="${xmlEscape(r.case_id)}" time="${seconds(r.latency_ms)}"`;
  const detail = xmlEscape(`${r.stem}\ncorrect: ${r.correct_answer}. ${r.correct_text}`);
  switch (r.outcome) {
    case "correct":
      return `${open}/>`;
    case "wrong":
      return `${open}>\n      <failure type="wrong" message="${xmlEscape(`chose ${r.answer ?? "?"}, correct ${r.correct_answer}`)}">${detail}</failure>\n    </testcase>`;
    case "unparseable":
      return `${open}>\n      <failure type="unparseable" message="${xmlEscape(r.error ?? "no answer letter could be extracted")}">${detail}</failure>\n    </testcase>`;
    case "error":
      return `${open}>\n      <error type="${xmlEscape(r.error_class ?? "unknown")}" message="${xmlEscape(r.error ?? r.error_class ?? "error")}">${detail}</error>\n    </testcase>`;
  }
}
