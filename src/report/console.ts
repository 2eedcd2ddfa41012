// Tables printed at the end of a run and by `report`: the headline numbers, for a terminal.
import Table from "cli-table3";
import { describeRegrade } from "../scoring/grading/regrade.js";
import { ci, fmtMs, fmtNum, kn, pct, usd } from "./format.js";
import type { Summary } from "./summary-schema.js";

function table(head: string[], rows: string[][]): string {
  const t = new Table({ head, style: { head: [], border: [] } });
  t.push(...rows);
  return t.toString();
}

export function renderSummaryTables(s: Summary): string {
  const out: string[] = [];
  if (s.emulator) out.push("NOTE: emulator figures (no model was called): they test the harness, not MedGemma.");
  out.push(
    table(
      ["arm", "accuracy (all)", "95% CI", "k/n", "answered", "95% CI", "k/n"],
      s.arms.map((a) => [a.arm, pct(a.accuracy.all.p), ci(a.accuracy.all), kn(a.accuracy.all), pct(a.accuracy.answered.p), ci(a.accuracy.answered), kn(a.accuracy.answered)]),
    ),
  );
  const dx = s.arms.flatMap((a) => (a.diagnostic ? [a.diagnostic] : []));
  for (const d of dx) {
    const q = d.diagnosis_questions;
    out.push(
      table(
        [`pipeline report`, `diagnosis questions (n=${q.n})`, "%", "95% CI", `all cases (n=${d.n})`, "%"],
        (["top1", "top3", "mentioned"] as const)
          .map((m) => [`dx ${m}`, kn(q[m]), pct(q[m].p), ci(q[m]), kn(d[m]), pct(d[m].p)])
          .concat([["with report", `${q.n_with_report}/${q.n}`, "", "", `${d.n_with_report}/${d.n}`, ""]]),
      ),
    );
  }
  out.push(
    table(
      ["arm", "correct", "wrong", "unparseable", "error", "pending", "latency p50", "p95", "tokens in/out (mean)", "cost/case"],
      s.arms.map((a) => [
        a.arm,
        String(a.outcomes.correct),
        String(a.outcomes.wrong),
        String(a.outcomes.unparseable),
        String(a.outcomes.error),
        String(a.n_pending),
        fmtMs(a.latency.case_ms.p50),
        fmtMs(a.latency.case_ms.p95),
        `${fmtNum(a.tokens.case.prompt_mean)} / ${fmtNum(a.tokens.case.completion_mean)}`,
        usd(a.cost.per_case_usd),
      ]),
    ),
  );
  out.push(
    table(
      ["arm", "format", "statement", "option_text", "none", "none reasons", "truncated", ...(s.arms[0]?.grading.by_letter ?? []).map((b) => `acc ${b.letter}`)],
      s.arms.map((a) => {
        const g = a.grading;
        const reasons = Object.entries(g.none_reasons).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n}`).join(", ");
        return [a.arm, ...Object.values(g.methods).map(String), reasons || "—", `${kn(g.truncated)}`, ...g.by_letter.map((b) => `${pct(b.accuracy.p, 0)} (${kn(b.accuracy)})`)];
      }),
    ),
  );
  out.push(describeRegrade(s.regrade, s.arms.reduce((t, a) => t + a.n, 0)));
  const fails: string[][] = [];
  for (const a of s.arms) {
    for (const [cls, n] of Object.entries(a.failures.cases)) fails.push([a.arm, "case", cls, String(n)]);
    for (const f of a.failures.steps) fails.push([a.arm, `step ${f.step}`, f.error_class, String(f.n)]);
    if (a.failures.retries > 0) fails.push([a.arm, "retries", "", String(a.failures.retries)]);
  }
  if (fails.length > 0) out.push(table(["arm", "where", "failure", "n"], fails));
  const c = s.cost;
  out.push(
    `wall ${fmtMs(s.time.wall_time_ms)} · ${fmtNum(s.time.throughput_cases_per_min, 2)} cases/min · cost ${usd(c.total_usd)} ` +
      `(${c.wall_hours.toFixed(3)} h × ${usd(c.per_hour)}/h${c.tokens_usd !== null ? ` + tokens ${usd(c.tokens_usd)}` : ""}) · ${usd(c.per_case_usd)}/case`,
  );
  return out.join("\n") + "\n";
}
