// summary.md: GitHub-flavoured Markdown, ready to append to $GITHUB_STEP_SUMMARY.
import { engineMarkdown } from "./engine-html.js";
import { DASH, ci, fmtMs, fmtNum, kn, pct, usd, showUsmleStep } from "./format.js";
import { describeRegrade } from "../scoring/grading/regrade.js";
import type { ArmSummary, Stratum, Summary } from "./summary-schema.js";

const cell = (s: string): string => s.replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/\r?\n/g, " ");

function table(head: readonly string[], rows: ReadonlyArray<readonly string[]>, align?: readonly ("l" | "r")[]): string {
  const sep = head.map((_, i) => ((align?.[i] ?? (i === 0 ? "l" : "r")) === "r" ? "---:" : ":---"));
  return [head, sep, ...rows].map((r) => `| ${r.map((c, i) => (r === sep ? c : cell(c ?? (i ? DASH : "")))).join(" | ")} |`).join("\n");
}

export function renderMarkdown(s: Summary): string {
  const out: string[] = [];
  const r = s.run;
  out.push(`# MedQA validation: \`${r.run_id}\``, "");
  if (s.emulator) {
    out.push(
      "> [!WARNING]",
      "> **Emulator figures.** This run used the local emulator, not a model: accuracy, latency and tokens below test",
      "> the harness only and say nothing about MedGemma.",
      "",
    );
  }
  out.push(
    `**Dataset** ${r.dataset.name} (sha256 \`${r.dataset.sha256.slice(0, 12)}\`), ${r.n_sampled} cases sampled (seed ${r.seed}) · ` +
      `**model** ${r.model}${r.endpoint.model_id && r.endpoint.model_id !== r.model ? ` (${r.endpoint.model_id})` : ""} · ` +
      `**endpoint** ${r.endpoint.kind} · **mode** ${r.mode} · **JSON** ${r.json_mode} · **T** ${r.temperature}` +
      (r.prompts_overridden.length ? ` · **prompts overridden:** ${r.prompts_overridden.join(", ")}` : ""),
    "",
  );

  out.push("## Accuracy", "");
  out.push(
    table(
      ["Arm", "Accuracy (all)", "95% CI", "k/n", "Accuracy (answered)", "95% CI", "k/n"],
      s.arms.map((a) => [a.arm, pct(a.accuracy.all.p), ci(a.accuracy.all), kn(a.accuracy.all), pct(a.accuracy.answered.p), ci(a.accuracy.answered), kn(a.accuracy.answered)]),
    ),
    "",
    "_all_ = correct / every recorded case (errors and unparseable count against); _answered_ = correct / (correct + wrong). 95% Wilson intervals.",
    "",
  );

  out.push("## Outcomes", "");
  out.push(
    table(
      ["Arm", "correct", "wrong", "unparseable", "error", "pending"],
      s.arms.map((a) => [a.arm, ...[a.outcomes.correct, a.outcomes.wrong, a.outcomes.unparseable, a.outcomes.error, a.n_pending].map(String)]),
    ),
    "",
  );

  out.push(...gradingSection(s));

  for (const a of s.arms) {
    if (a.diagnostic === null) continue;
    const d = a.diagnostic;
    const q = d.diagnosis_questions;
    const row = (label: string, b: typeof q) => [label, String(b.n), ...(["top1", "top3", "mentioned"] as const).map((m) => `${pct(b[m].p)} ${ci(b[m])} (${kn(b[m])})`), String(b.n_with_report)];
    const head = ["Cases", "n", "top1", "top3", "mentioned", "with report"];
    out.push(`## Diagnostic accuracy of the pipeline report — diagnosis questions (n = ${q.n})`, "");
    out.push(
      table(head, [row("**diagnosis questions** (headline)", q), row("all pipeline cases (secondary)", d)]),
      "",
      `Headline over the ${q.n} diagnosis-type questions; the all-cases line (n = ${d.n}) also counts questions whose key is a drug, ` +
        "an action or a mechanism, which a differential cannot name. One denominator per line: every case of that line; a case without a synthesized report is a miss. " +
        "top1 = the correct option text matches the first differential diagnosis; top3 = one of the first three; mentioned = anywhere in the report (never negated).",
      "",
      "By question type:",
      "",
      table(head, d.by_question_type.filter((b) => b.n > 0).map((b) => row(b.key, b))),
      "",
    );
  }

  for (const a of s.arms) if (a.epochs) out.push(...epochsSection(a.arm, a.epochs));
  out.push("## Accuracy by question type", "", strataTable(s.arms, (a) => a.strata.question_type), "");
  // USMLE steps exist for MedQA (and plain MedQA-style files) only; other benchmarks have their own strata.
  if (showUsmleStep(s)) out.push("## Accuracy by USMLE step", "", strataTable(s.arms, (a) => a.strata.usmle_step), "");
  for (const field of s.run.dataset.strata ?? []) {
    out.push(`## Accuracy by ${field.replace(/_/g, " ")}`, "", strataTable(s.arms, (a) => a.dataset_strata?.[field] ?? []), "");
  }

  out.push("## Latency per case", "");
  out.push(
    table(
      ["Arm", "n", "mean", "p50", "p90", "p95", "p99", "max", "wall p50", "wall p95", "cases/min", "cold wait"],
      s.arms.map((a) => {
        const l = a.latency.case_ms;
        return [a.arm, String(l.n), fmtMs(l.mean), fmtMs(l.p50), fmtMs(l.p90), fmtMs(l.p95), fmtMs(l.p99), fmtMs(l.max),
          fmtMs(a.latency.wall_ms.p50), fmtMs(a.latency.wall_ms.p95), fmtNum(a.latency.throughput_cases_per_min, 2), fmtMs(a.latency.cold_ms)];
      }),
    ),
    "",
    `Run wall time ${fmtMs(s.time.wall_time_ms)} (${s.time.wall_time_source}, ${s.time.sessions} session(s)); ` +
      `cold starts: ${s.time.cold_starts} (${fmtMs(s.time.cold_start_ms)}), excluded from latency.`,
    "",
  );
  if (s.concurrency_chosen) out.push(concurrencyAutoLine(s), "");
  out.push(...engineMarkdown(s));

  for (const a of s.arms) {
    if (a.latency.steps.length === 0) continue;
    out.push(`## Pipeline steps (${a.arm})`, "");
    const tok = new Map(a.tokens.steps.map((t) => [t.step, t.tokens]));
    const parse = new Map(a.parse_outcomes.map((p) => [p.step, p]));
    const fails = new Map<string, string[]>();
    for (const f of a.failures.steps) fails.set(f.step, [...(fails.get(f.step) ?? []), `${f.error_class} ${f.n}`]); // ≤ 7 steps × few classes
    out.push(
      table(
        ["Step", "n", "p50", "p95", "max", "prompt tok (mean)", "completion tok (mean)", "parse ok/repaired/reasked/failed", "failures"],
        a.latency.steps.map(({ step, latency_ms: l }) => {
          const t = tok.get(step);
          const p = parse.get(step);
          return [step, String(l.n), fmtMs(l.p50), fmtMs(l.p95), fmtMs(l.max), fmtNum(t?.prompt_mean, 0), fmtNum(t?.completion_mean, 0),
            p ? `${p.ok}/${p.repaired}/${p.reasked}/${p.failed}` : DASH, fails.get(step)?.join(", ") ?? "0"];
        }),
      ),
      "",
    );
  }

  const timed = s.arms.flatMap((a) => (a.server_timing ?? []).map((t) => ({ arm: a.arm, ...t })));
  if (timed.length > 0) {
    out.push("## Queue vs inference (engine timing headers)", "");
    out.push(
      table(
        ["Arm", "Step", "timed / n", "queue p50", "queue p95", "inference p50", "inference p95", "ended `length`"],
        timed.map((t) => [
          t.arm,
          t.step,
          `${t.n_timed} / ${t.n}`,
          fmtMs(t.queue_ms.p50),
          fmtMs(t.queue_ms.p95),
          fmtMs(t.inference_ms.p50),
          fmtMs(t.inference_ms.p95),
          `${pct(t.finish_length.p)} (${kn(t.finish_length)})`,
        ]),
      ),
      "",
      "Queue = waiting for a batch slot (load); inference = prefill + decode (compute), from TGI's x-queue-time / x-inference-time. " +
        "_ended `length`_: the generation was cut by max_tokens or the context, so the output is likely incomplete.",
      "",
    );
  }

  out.push("## Tokens", "");
  out.push(
    table(
      ["Arm", "prompt total", "completion total", "prompt mean", "completion mean"],
      s.arms.map((a) => [a.arm, fmtNum(a.tokens.case.prompt_total), fmtNum(a.tokens.case.completion_total), fmtNum(a.tokens.case.prompt_mean, 0), fmtNum(a.tokens.case.completion_mean, 0)]),
    ),
    "",
  );
  for (const a of s.arms) {
    const n = a.tokens.estimated_records;
    if (n) out.push(`> ${a.arm}: ${n} of ${a.n} record(s) got no \`usage\` from the server; their tokens and token cost are the harness's **estimates**, not counts.`, "");
  }

  const c = s.cost;
  out.push("## Cost", "");
  out.push(
    table(
      ["", "value"],
      [
        ["endpoint hours", `${c.wall_hours.toFixed(3)} h × ${usd(c.per_hour)}/h = ${usd(c.hourly_usd)}`],
        ["tokens", c.tokens_usd === null ? "no token prices set" : `${usd(c.tokens_usd)} (in ${usd(c.per_mtok_in)}/Mtok, out ${usd(c.per_mtok_out)}/Mtok)`],
        ["total", usd(c.total_usd)],
        ["per case", usd(c.per_case_usd)],
        ...s.arms.map((a) => [`${a.arm} per case`, usd(a.cost.per_case_usd)]),
      ],
    ),
    "",
  );

  out.push("## Failures", "");
  const failRows: string[][] = [];
  for (const a of s.arms) {
    for (const [cls, n] of Object.entries(a.failures.cases)) failRows.push([a.arm, "case", cls, String(n)]);
    for (const f of a.failures.steps) failRows.push([a.arm, `step ${f.step}`, f.error_class, String(f.n)]);
    failRows.push([a.arm, "retries", "(attempts − calls)", String(a.failures.retries)]);
  }
  out.push(table(["Arm", "Where", "Class", "n"], failRows), "");
  if (s.journal.torn_cases_line) out.push("> A torn last line in cases.jsonl (crash mid-write) was ignored.", "");

  out.push(
    `<sub>run ${r.run_id} · harness ${r.harness_version}${r.git_commit ? ` (${r.git_commit.slice(0, 10)})` : ""} · config ${r.config_hash.slice(0, 12)} · generated ${s.generated_at}</sub>`,
    "",
  );
  return out.join("\n");
}

function strataTable(arms: readonly ArmSummary[], pick: (a: ArmSummary) => Stratum[]): string {
  const keys = new Set<string>();
  for (const a of arms) for (const st of pick(a)) if (st.n > 0) keys.add(st.key);
  const head = ["Stratum", ...arms.flatMap((a) => [`${a.arm} k/n`, `${a.arm} %`, `${a.arm} 95% CI`])];
  const rows = [...keys].map((key) => [
    key,
    ...arms.flatMap((a) => {
      const st = pick(a).find((x) => x.key === key);
      return st === undefined ? [DASH, DASH, DASH] : [kn(st.accuracy), pct(st.accuracy.p), ci(st.accuracy)];
    }),
  ]);
  return rows.length ? table(head, rows) : "_no cases_";
}

/** `--concurrency auto`: where it settled and the path it took (level@tok/s per change). */
function concurrencyAutoLine(s: Summary): string {
  const c = s.concurrency_chosen!;
  const path = s.concurrency.map((p) => `${p.limit}${p.reason ? ` (${p.reason}${p.tok_s !== undefined ? `, ${fmtNum(p.tok_s, 1)} tok/s measured before` : ""})` : ""}`);
  const head = c.limit !== null ? `Concurrency auto: settled at **${c.limit}**` : `Concurrency auto: still probing at the end (at ${c.final})`;
  return `${head}; changes: ${path.join(" → ")}.`;
}

/** --epochs: each reducer with its CI, agreement and κ, and the least-sure cases. */
function epochsSection(arm: string, e: NonNullable<ArmSummary["epochs"]>): string[] {
  const ciOf = (lo: number | null, hi: number | null): string => ci({ k: 0, n: 1, p: null, lo, hi });
  const out = [`## Repeatability (${arm}): ${e.k} epochs, ${e.cases} cases, ${e.samples} samples`, ""];
  out.push(
    table(
      ["Reducer", "Accuracy", "95% CI", "CI method", "Naive CI (samples independent)"],
      e.reducers.map((r) => [
        r.reducer + (r.ties ? ` (${r.ties} tie${r.ties === 1 ? "" : "s"} → unparseable)` : ""),
        pct(r.p),
        ciOf(r.lo, r.hi),
        r.ci === "cluster_bootstrap" ? "bootstrap over cases" : "Wilson over cases",
        r.naive ? ciOf(r.naive.lo, r.naive.hi) : DASH,
      ]),
    ),
    "",
  );
  const k = e.kappa === null ? "undefined" : e.kappa.toFixed(3);
  out.push(`Mean per-case agreement ${pct(e.agreement.mean)} · Fleiss' κ over epochs ${k}`, "");
  out.push(table(["Agreement (share of epochs giving the modal answer)", "Cases"], e.agreement.histogram.map((h) => [pct(h.agreement), String(h.cases)])), "");
  if (e.least_sure.length > 0) {
    out.push("Least-sure cases:", "");
    out.push(
      table(
        ["Case", "Agreement", "Answers", "Correct", "Right"],
        e.least_sure.map((c) => [
          c.case_id,
          pct(c.agreement),
          Object.entries(c.answers).map(([a, n]) => `${a}×${n}`).join(" "),
          c.correct_answer,
          `${c.correct}/${c.samples}`,
        ]),
      ),
      "",
    );
  }
  return out;
}

/** How verdicts were reached: methods, none reasons, finish reasons, accuracy by correct letter, chosen vs correct. */
function gradingSection(s: Summary): string[] {
  const out: string[] = ["## Grading", ""];
  const g = (a: ArmSummary) => a.grading;
  out.push(
    table(
      ["Arm", "format", "statement", "option_text", "none", "ungraded", "truncated (finish length)"],
      s.arms.map((a) => [a.arm, ...Object.values(g(a).methods).map(String), String(g(a).ungraded), `${kn(g(a).truncated)} (${pct(g(a).truncated.p)})`]),
    ),
    "",
    table(
      ["Arm", ...Object.keys(s.arms[0]?.grading.none_reasons ?? {}).map((r) => `none: ${r}`), "finish reasons"],
      s.arms.map((a) => [
        a.arm,
        ...Object.values(g(a).none_reasons).map(String),
        Object.entries(g(a).finish_reasons).map(([k, n]) => `${k} ${n}`).join(", ") || DASH,
      ]),
    ),
    "",
    "_format_ = the form the prompt asked for (`Answer: X` line, the answer step's JSON field); _statement_ = another explicit " +
      "commitment; _option_text_ = the reply named one option's text; _none_ = no letter (unparseable). See src/scoring/README.md.",
    "",
    "### Accuracy by correct letter",
    "",
    table(
      ["Correct letter", ...s.arms.flatMap((a) => [`${a.arm} k/n`, `${a.arm} %`, `${a.arm} 95% CI`, `${a.arm} chosen`])],
      (s.arms[0]?.grading.by_letter ?? []).map((row, i) => [
        row.letter,
        ...s.arms.flatMap((a) => {
          const x = a.grading.by_letter[i];
          return x === undefined ? [DASH, DASH, DASH, DASH] : [kn(x.accuracy), pct(x.accuracy.p), ci(x.accuracy), String(x.chosen)];
        }),
      ]),
    ),
    "",
  );
  for (const a of s.arms) {
    const m = a.answer_matrix;
    out.push(`### Chosen vs correct letter (${a.arm})`, "", table(["correct ↓ / chosen →", ...m.columns], m.letters.map((l, i) => [l, ...(m.counts[i] ?? []).map(String)])), "");
  }
  const degraded = s.arms.filter((a) => a.degraded.cases > 0);
  for (const a of degraded) {
    const steps = Object.entries(a.degraded.steps).map(([k, n]) => `${k} ${n}`).join(", ");
    out.push(`Degraded ${a.arm} cases (an intermediate step failed, the case went on): ${a.degraded.cases} (${steps}).`, "");
  }
  out.push(`${describeRegrade(s.regrade, s.arms.reduce((t, a) => t + a.n, 0))}.`, "");
  return out;
}
