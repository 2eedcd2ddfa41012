// Human renderings of a DiffResult: a console view (cli-table3) and Markdown for $GITHUB_STEP_SUMMARY.
// Both say in words whether a change is significant, because a bare "−4.0 pts" invites over-reading.

import Table from "cli-table3";
import { formatP } from "../stats/paired.js";
import type { GateResult } from "./gate.js";
import type { ArmDiff, DiffResult, Flip, LegacySection, Scalar } from "./types.js";

export interface RenderOptions {
  /** Significance level used in the verdict wording (default 0.05). */
  alpha?: number;
  gate?: GateResult;
  /** Flips listed per direction before "… and N more" (console 20, Markdown 50). */
  maxFlips?: number;
}

const pct = (p: number | null): string => (p === null ? "n/a" : `${(p * 100).toFixed(1)}%`);
const signed = (x: number | null, digits = 1): string => (x === null ? "n/a" : `${x > 0 ? "+" : x < 0 ? "−" : "±"}${Math.abs(x).toFixed(digits)}`);
const num = (x: number | null, digits = 0): string => (x === null ? "n/a" : x.toFixed(digits));
const ratioStr = (x: number | null): string => (x === null ? "n/a" : `×${x.toFixed(2)}`);
const scalar = (v: Scalar): string => {
  if (v === null) return "—";
  const s = String(v);
  return /^[0-9a-f]{40,64}$/.test(s) ? s.slice(0, 12) : s;
};
const ci = (lo: number | null, hi: number | null): string => (lo === null || hi === null ? "" : ` [${(lo * 100).toFixed(1)}–${(hi * 100).toFixed(1)}]`);

export function verdict(arm: ArmDiff, alpha = 0.05): string {
  if (arm.delta_pts === null) return "nothing to compare";
  const test = arm.test === "mcnemar-exact" ? "McNemar" : "z-test";
  if (arm.log10_p < Math.log10(alpha)) return `significant (${test} ${formatP(arm.log10_p)} < ${alpha})`;
  return `not significant (${test} ${formatP(arm.log10_p)}): within noise`;
}

function deltaWithCi(arm: ArmDiff): string {
  if (arm.delta_pts === null) return "n/a";
  const c = arm.ci_pts ? ` [${signed(arm.ci_pts.lo)}, ${signed(arm.ci_pts.hi)}]` : "";
  return `${signed(arm.delta_pts)} pts${c}`;
}

/** n of the comparison, with the pairs left out for errors. */
function nCell(a: ArmDiff): string {
  const n = a.paired ? String(a.base.n) : `${a.base.n} / ${a.cand.n}`;
  return a.not_compared.n ? `${n} (+${a.not_compared.n} errored)` : n;
}

/** "N pairs not compared: errored in base 1, in cand 3 (both 0)". */
export function notComparedLine(a: ArmDiff): string {
  const nc = a.not_compared;
  const what = a.paired ? "pairs" : "cases";
  const both = a.paired ? ` (both ${nc.errored_both})` : "";
  return `${nc.n} ${what} not compared: errored in base ${nc.errored_base}, in cand ${nc.errored_cand}${both}`;
}

/** The CI lines: the one that agrees with the test, and the bootstrap as a labelled extra. */
function ciLines(a: ArmDiff): string[] {
  const out: string[] = [];
  if (a.ci_pts) {
    const what = a.ci_pts.method === "exact" ? "exact (Clopper–Pearson on the discordant pairs; agrees with McNemar)" : "Newcombe score interval";
    out.push(`Δ ${Math.round(a.ci_pts.level * 100)}% CI, ${what}: [${signed(a.ci_pts.lo)}, ${signed(a.ci_pts.hi)}] pts`);
  }
  const b = a.bootstrap_ci_pts;
  if (b) out.push(`extra: paired bootstrap ${Math.round(b.level * 100)}% CI (${b.iterations} resamples, seed ${b.seed}): [${signed(b.lo)}, ${signed(b.hi)}] pts`);
  return out;
}

const KIND_LABEL = { mcq: "MCQ", diagnostic: "diagnostic, old matcher", pipeline: "pipeline" } as const;

/** Rows of the legacy metrics table: every legacy number under its own name and denominator. */
function legacyRows(l: LegacySection): string[][] {
  return l.metrics.map((m) => [
    `${m.name} (${KIND_LABEL[m.kind]})`,
    m.file_value === null ? "—" : `${(m.file_value * 100).toFixed(1)}%`,
    m.value === null ? "—" : `${(m.value * 100).toFixed(1)}% (${m.k}/${m.n})`,
    m.denominator,
  ]);
}

/** Lines under the legacy table: tokens/cost and the diagnosis-matching scores beside this run's on the paired cases. */
function legacyNotes(l: LegacySection): string[] {
  const out: string[] = [];
  if (l.tokens) out.push(`legacy tokens per case (${l.tokens.n} cases with a cost ledger): prompt ${l.tokens.prompt_mean.toFixed(0)}, completion ${l.tokens.completion_mean.toFixed(0)}`);
  if (l.cost_usd_per_case !== null) out.push(`legacy cost per case (its ledger): $${l.cost_usd_per_case.toFixed(4)}`);
  const d = l.dx_on_paired;
  if (d) {
    const both = (m: "top1" | "top3" | "mentioned") => `${m} legacy ${d.legacy[m]}/${d.n} vs this run ${d.run[m]}/${d.n}`;
    out.push(`on the ${d.n} paired cases (old fuzzy matcher vs this run's matcher, not like for like): ${both("top1")}, ${both("top3")}, ${both("mentioned")}`);
  }
  return out;
}

const legacyHead = (l: LegacySection) => `Legacy ${l.side}: ${l.file_kind} ${l.path} (dataset ${l.dataset ?? "?"}); ${l.pairing.note}`;

const answers = (f: Flip): string => `${f.base_answer ?? "–"}→${f.cand_answer ?? "–"} (key ${f.correct_answer ?? "?"})`;
const caseName = (f: Flip): string => (f.base_case_id ? `${f.case_id} (base ${f.base_case_id})` : f.case_id);

function plainTable(head: string[]): Table.Table {
  return new Table({ head, style: { head: [], border: [], compact: true } });
}

function headerLines(r: DiffResult): string[] {
  const lines = [
    `base: ${r.base.run_id}  (${r.base.source})`,
    `cand: ${r.cand.run_id}  (${r.cand.source})`,
    `dataset: ${r.base.dataset ?? "?"}${r.cand.dataset !== r.base.dataset ? ` vs ${r.cand.dataset ?? "?"}` : ""}; ${
      r.pairing.paired ? "paired by content_hash" : "UNPAIRED"
    }; bootstrap seed ${r.seed}`,
  ];
  for (const n of r.pairing.notes) lines.push(`note: ${n}`);
  return lines;
}

export function renderDiffConsole(r: DiffResult, opts: RenderOptions = {}): string {
  const alpha = opts.alpha ?? 0.05;
  const maxFlips = opts.maxFlips ?? 20;
  const out: string[] = [r.kind === "arms" ? "Arm comparison" : "Run diff", ...headerLines(r), ""];

  if (r.kind === "runs") {
    if (r.config.length === 0) out.push(r.base.kind === "legacy" || r.cand.kind === "legacy" ? "Config: unknown (legacy report)" : "Config: identical");
    else {
      const t = plainTable(["changed", "base", "cand"]);
      for (const c of r.config) t.push([c.field, scalar(c.base), scalar(c.cand)]);
      out.push("Config changes:", t.toString());
    }
    out.push("");
  }

  const acc = plainTable(["arm", "n", "base acc [95% CI]", "cand acc [95% CI]", "Δ [95% CI]", "fixed", "broken", "verdict"]);
  for (const a of r.arms) {
    acc.push([a.label, nCell(a), pct(a.base.p) + ci(a.base.lo, a.base.hi), pct(a.cand.p) + ci(a.cand.lo, a.cand.hi), deltaWithCi(a), a.discordant?.fixed ?? "–", a.discordant?.broken ?? "–", verdict(a, alpha)]);
  }
  out.push("Accuracy:", r.arms.length ? acc.toString() : "  (no multiple-choice comparison)");
  for (const l of r.legacy) {
    const t = plainTable(["legacy metric", "in file", "recount", "denominator"]);
    for (const row of legacyRows(l)) t.push(row);
    out.push("", legacyHead(l), t.toString(), ...legacyNotes(l).map((x) => `  ${x}`));
  }

  for (const a of r.arms) {
    out.push("", `── ${a.label} ──`, ...ciLines(a));
    for (const [name, flips] of [["fixed (wrong → correct)", a.fixed], ["broken (correct → wrong)", a.broken]] as const) {
      if (!a.paired) break;
      out.push(`${name}: ${flips.length}`);
      for (const f of flips.slice(0, maxFlips)) out.push(`  ${caseName(f)}  ${answers(f)}  ${f.stem}`);
      if (flips.length > maxFlips) out.push(`  … and ${flips.length - maxFlips} more (see --json)`);
    }
    if (a.not_compared.n) {
      out.push(`${notComparedLine(a)} (infrastructure errors: left out of accuracy, McNemar, the CI and the gate)`);
      for (const e of a.errors.slice(0, maxFlips)) out.push(`  [${e.side}] ${e.case_id} ${e.error_class ?? ""} ${e.error ?? ""}`.trimEnd());
      if (a.errors.length > maxFlips) out.push(`  … and ${a.errors.length - maxFlips} more (see --json)`);
    }
    if (a.agreement) out.push(agreementLine(a.agreement));
    const st = plainTable(["stratum", "n", "base", "cand", "Δ pts"]);
    for (const s of a.strata) st.push([`${s.dimension === "usmle_step" ? "step" : "type"}: ${s.stratum}`, a.paired ? s.n_base : `${s.n_base}/${s.n_cand}`, pct(s.base), pct(s.cand), signed(s.delta_pts)]);
    out.push("By stratum:", st.toString());
    const lt = plainTable(["latency (ms)", "base p50", "base p95", "cand p50", "cand p95", "p50 ratio", "p95 ratio", "per-case ratio p50"]);
    for (const l of a.latency) lt.push([l.step, num(l.base_p50), num(l.base_p95), num(l.cand_p50), num(l.cand_p95), ratioStr(l.ratio_p50), ratioStr(l.ratio_p95), ratioStr(l.pair_ratio_p50)]);
    out.push(lt.toString());
    if (a.streaming?.length) {
      const sr = plainTable(["streaming (TTFT ms; decode tok/s: ratio > 1 = faster)", "base p50", "base p95", "cand p50", "cand p95", "p50 ratio", "p95 ratio", "per-case ratio p50"]);
      for (const l of a.streaming) sr.push([l.step, num(l.base_p50), num(l.base_p95), num(l.cand_p50), num(l.cand_p95), ratioStr(l.ratio_p50), ratioStr(l.ratio_p95), ratioStr(l.pair_ratio_p50)]);
      out.push(sr.toString());
    }
    if (a.tokens.length) {
      const tt = plainTable(["tokens (mean)", "prompt base", "prompt cand", "Δ", "completion base", "completion cand", "Δ"]);
      for (const t of a.tokens) tt.push([t.step, num(t.base_prompt), num(t.cand_prompt), signed(t.delta_prompt, 0), num(t.base_completion), num(t.cand_completion), signed(t.delta_completion, 0)]);
      out.push(tt.toString());
    }
  }
  if (r.cost) out.push("", costLine(r));
  if (opts.gate) out.push("", ...gateLines(opts.gate));
  return out.join("\n") + "\n";
}

function costLine(r: DiffResult): string {
  const c = r.cost!;
  const side = (s: typeof c.base) => (s.per_case === null ? `n/a${s.wall_s !== null ? ` (wall ${Math.round(s.wall_s)} s)` : ""}` : `$${s.per_case.toFixed(4)}/case (wall ${Math.round(s.wall_s ?? 0)} s, ${s.cases} cases)`);
  const d = c.delta_per_case === null ? "" : `, Δ ${c.delta_per_case >= 0 ? "+" : "−"}$${Math.abs(c.delta_per_case).toFixed(4)}/case`;
  return `Cost: base ${side(c.base)}; cand ${side(c.cand)}${d}`;
}

function gateLines(g: GateResult): string[] {
  if (g.reasons.length === 0) return ["Gate: pass (no significant regression)"];
  return [`Gate: ${g.exitCode === 1 ? "FAIL" : "regression found (not failing: --fail-on-regression not set)"}`, ...g.reasons.map((x) => `  - ${x}`)];
}

const md = (s: string): string => s.replace(/\|/g, "\\|").replace(/</g, "&lt;");

export function renderDiffMarkdown(r: DiffResult, opts: RenderOptions = {}): string {
  const alpha = opts.alpha ?? 0.05;
  const maxFlips = opts.maxFlips ?? 50;
  const out: string[] = [`## ${r.kind === "arms" ? "Arm comparison" : "Run diff"}: \`${md(r.base.run_id)}\` → \`${md(r.cand.run_id)}\``, ""];
  for (const l of headerLines(r)) out.push(`- ${md(l)}`);
  out.push("");
  if (opts.gate) {
    out.push(opts.gate.reasons.length === 0 ? "**Gate: ✅ pass**" : `**Gate: ${opts.gate.exitCode === 1 ? "❌ FAIL" : "⚠️ regression (not gating)"}**`);
    for (const x of opts.gate.reasons) out.push(`- ${md(x)}`);
    out.push("");
  }
  out.push("| arm | n | base acc [95% CI] | cand acc [95% CI] | Δ [95% CI] | fixed | broken | verdict |", "|---|---:|---|---|---|---:|---:|---|");
  for (const a of r.arms) {
    out.push(`| ${md(a.label)} | ${nCell(a)} | ${pct(a.base.p)}${ci(a.base.lo, a.base.hi)} | ${pct(a.cand.p)}${ci(a.cand.lo, a.cand.hi)} | ${deltaWithCi(a)} | ${a.discordant?.fixed ?? "–"} | ${a.discordant?.broken ?? "–"} | ${verdict(a, alpha)} |`);
  }
  out.push("");
  for (const l of r.legacy) {
    out.push(`### ${md(legacyHead(l))}`, "", "| legacy metric | in file | recount | denominator |", "|---|---:|---:|---|");
    for (const row of legacyRows(l)) out.push(`| ${row.map(md).join(" | ")} |`);
    out.push("", ...legacyNotes(l).map((x) => `- ${md(x)}`), "");
  }
  if (r.kind === "runs" && r.config.length) {
    out.push("### Config changes", "", "| field | base | cand |", "|---|---|---|");
    for (const c of r.config) out.push(`| ${c.field} | \`${md(scalar(c.base))}\` | \`${md(scalar(c.cand))}\` |`);
    out.push("");
  }
  for (const a of r.arms) {
    out.push(`### ${md(a.label)}`, "");
    for (const l of ciLines(a)) out.push(`- ${md(l)}`);
    out.push("");
    if (a.paired) {
      for (const [name, flips] of [["Fixed (wrong → correct)", a.fixed], ["Broken (correct → wrong)", a.broken]] as const) {
        out.push(`<details><summary>${name}: ${flips.length}</summary>`, "");
        if (flips.length) {
          out.push("| case | answer | stem |", "|---|---|---|");
          for (const f of flips.slice(0, maxFlips)) out.push(`| ${md(caseName(f))} | ${md(answers(f))} | ${md(f.stem)} |`);
          if (flips.length > maxFlips) out.push(`| … | | ${flips.length - maxFlips} more in the JSON |`);
        }
        out.push("", "</details>", "");
      }
    }
    if (a.not_compared.n) out.push(`**${notComparedLine(a)}** (infrastructure errors, left out of the comparison) — ${a.errors.slice(0, 10).map((e) => `${e.side}:${md(e.case_id)}`).join(", ")}${a.errors.length > 10 ? ", …" : ""}`, "");
    if (a.agreement) out.push(agreementLine(a.agreement), "");
    out.push("<details><summary>By stratum</summary>", "", "| stratum | n | base | cand | Δ pts |", "|---|---:|---:|---:|---:|");
    for (const s of a.strata) out.push(`| ${s.dimension === "usmle_step" ? "step" : "type"}: ${md(s.stratum)} | ${a.paired ? s.n_base : `${s.n_base}/${s.n_cand}`} | ${pct(s.base)} | ${pct(s.cand)} | ${signed(s.delta_pts)} |`);
    out.push("", "</details>", "");
    out.push("| latency (ms) | base p50 | base p95 | cand p50 | cand p95 | p50 ratio | p95 ratio |", "|---|---:|---:|---:|---:|---:|---:|");
    for (const l of a.latency) out.push(`| ${l.step} | ${num(l.base_p50)} | ${num(l.base_p95)} | ${num(l.cand_p50)} | ${num(l.cand_p95)} | ${ratioStr(l.ratio_p50)} | ${ratioStr(l.ratio_p95)} |`);
    out.push("");
    if (a.streaming?.length) {
      out.push("| streaming (TTFT ms; decode tok/s: ratio > 1 = faster) | base p50 | base p95 | cand p50 | cand p95 | p50 ratio | p95 ratio |", "|---|---:|---:|---:|---:|---:|---:|");
      for (const l of a.streaming) out.push(`| ${l.step} | ${num(l.base_p50)} | ${num(l.base_p95)} | ${num(l.cand_p50)} | ${num(l.cand_p95)} | ${ratioStr(l.ratio_p50)} | ${ratioStr(l.ratio_p95)} |`);
      out.push("");
    }
    if (a.tokens.length) {
      out.push("| tokens (mean) | prompt base → cand | Δ | completion base → cand | Δ |", "|---|---|---:|---|---:|");
      for (const t of a.tokens) out.push(`| ${t.step} | ${num(t.base_prompt)} → ${num(t.cand_prompt)} | ${signed(t.delta_prompt, 0)} | ${num(t.base_completion)} → ${num(t.cand_completion)} | ${signed(t.delta_completion, 0)} |`);
      out.push("");
    }
  }
  if (r.cost) out.push(md(costLine(r)), "");
  return out.join("\n");
}

/** --epochs: cases were reduced to one verdict each before pairing; how often each side agreed with itself. */
function agreementLine(g: NonNullable<ArmDiff["agreement"]>): string {
  return `per-case agreement over epochs (mean): base ${pct(g.base)}, cand ${pct(g.cand)}`;
}
