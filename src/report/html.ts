// report.html: ONE self-contained file (inline CSS, JS and SVG; no URL is ever loaded). A CSP meta tag forbids
// every fetch except inline code and data: images, so a stray reference fails loudly in scripts/check-report-html.
// Every piece of text from the journal goes through `esc`.
import { engineHtml, engineLine } from "./engine-html.js";
import { describeRegrade } from "../scoring/grading/regrade.js";
import type { CaseRecord } from "../types.js";
import { stepNames } from "./step-names.js";
import { DASH, caseLabels, ci, fmtMs, fmtNum, kn, orderedCases, pct, usd, showUsmleStep } from "./format.js";
import type { ArmSummary, ProportionJson, Summary } from "./summary-schema.js";
import type { Distribution } from "../stats/quantiles.js";

export const CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:";

export function esc(text: unknown): string {
  return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

/** Longest step output shown per step in the case table (keeps a 1,273-case report loadable). */
const MAX_OUTPUT_CHARS = 20_000;

const CSS = `
:root{--ok:#2e7d32;--bad:#c62828;--warn:#ef6c00;--err:#6a1b9a;--mut:#666;--bg:#fafafa;--line:#ddd;--acc:#1565c0}
*{box-sizing:border-box}body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;padding:0 24px 48px;color:#222;background:#fff}
h1{font-size:22px;margin:20px 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid var(--line);padding-bottom:4px}
.facts{color:var(--mut);margin:0 0 8px}.banner{background:#fff3e0;border:1px solid var(--warn);padding:8px 12px;border-radius:6px;margin:8px 0}
table{border-collapse:collapse;margin:6px 0}th,td{border:1px solid var(--line);padding:3px 8px;text-align:right;vertical-align:top}
th{background:var(--bg)}td:first-child,th:first-child{text-align:left}.grid{display:flex;flex-wrap:wrap;gap:24px}
svg text{font:12px system-ui,sans-serif;fill:#222}svg .mut{fill:var(--mut)}.note{color:var(--mut);font-size:12px}
.o-correct{color:var(--ok)}.o-wrong{color:var(--bad)}.o-unparseable{color:var(--warn)}.o-error{color:var(--err)}
#cases td{text-align:left}#cases td.num{text-align:right}tr[hidden]{display:none}
pre{white-space:pre-wrap;word-break:break-word;max-height:360px;overflow:auto;background:var(--bg);padding:6px;margin:4px 0;font-size:12px}
details>summary{cursor:pointer}.filters{display:flex;gap:8px;align-items:center;flex-wrap:wrap;margin:6px 0}
input,select{font:inherit;padding:2px 6px}.heat{min-width:42px}
`;

const JS = `
(function(){
  var ids=["f-text","f-arm","f-outcome","f-type"];
  var els=ids.map(function(id){return document.getElementById(id);});
  var rows=Array.prototype.slice.call(document.querySelectorAll("#cases tbody tr"));
  var texts=rows.map(function(r){return r.textContent.toLowerCase();});
  var count=document.getElementById("f-count");
  function apply(){
    var t=els[0].value.toLowerCase().trim(),a=els[1].value,o=els[2].value,ty=els[3].value,shown=0;
    for(var i=0;i<rows.length;i++){
      var r=rows[i];
      var ok=(!a||r.getAttribute("data-arm")===a)&&(!o||r.getAttribute("data-outcome")===o)&&(!ty||r.getAttribute("data-type")===ty)&&(!t||texts[i].indexOf(t)>=0);
      r.hidden=!ok;if(ok)shown++;
    }
    count.textContent=shown+" / "+rows.length+" rows";
  }
  els.forEach(function(el){el.addEventListener("input",apply);el.addEventListener("change",apply);});
  apply();
})();
`;

export function renderHtml(s: Summary, cases: readonly CaseRecord[], sampledIds: readonly string[], dxStep: string | null = "synthesize"): string {
  const r = s.run;
  const parts: string[] = [];
  parts.push(
    `<!doctype html><html lang="en"><head><meta charset="utf-8">`,
    `<meta http-equiv="Content-Security-Policy" content="${CSP}">`,
    `<meta name="viewport" content="width=device-width,initial-scale=1">`,
    `<title>${esc(`MedQA run ${r.run_id}`)}</title><style>${CSS}</style></head><body>`,
    `<h1>MedQA validation: ${esc(r.run_id)}</h1>`,
    `<p class="facts">${esc(
      `${r.dataset.name} (sha256 ${r.dataset.sha256.slice(0, 12)}) · ${r.n_sampled} cases sampled, seed ${r.seed} · model ${r.model} · ` +
        `endpoint ${r.endpoint.kind} · mode ${r.mode} · JSON ${r.json_mode} · T ${r.temperature}` +
        (r.prompts_overridden.length ? ` · prompts overridden: ${r.prompts_overridden.join(", ")}` : "") +
        ` · generated ${s.generated_at}`,
    )}</p>`,
  );
  const engine = engineLine(s);
  if (engine) parts.push(`<p class="facts">${esc(engine)}</p>`, ...(r.engine?.notes ?? []).map((n) => `<p class="note">${esc(`NOTE: ${n}`)}</p>`));
  if (s.emulator) {
    parts.push(`<div class="banner"><b>Emulator figures.</b> This run used the local emulator, not a model: the numbers test the harness only.</div>`);
  }

  parts.push(`<h2>Accuracy (95% Wilson intervals)</h2>`);
  parts.push(
    ciChart(
      s.arms.flatMap((a) => [
        { label: `${a.arm} · all`, x: a.accuracy.all },
        { label: `${a.arm} · answered`, x: a.accuracy.answered },
      ]),
    ),
    `<p class="note">all = correct / every recorded case (errors and unparseable count against); answered = correct / (correct + wrong).</p>`,
  );
  parts.push(
    htmlTable(
      ["Arm", "correct", "wrong", "unparseable", "error", "pending"],
      s.arms.map((a) => [a.arm, a.outcomes.correct, a.outcomes.wrong, a.outcomes.unparseable, a.outcomes.error, a.n_pending]),
    ),
  );

  for (const a of s.arms) {
    if (a.diagnostic === null) continue;
    const d = a.diagnostic;
    const q = d.diagnosis_questions;
    const pc = (x: { p: number | null; k: number; n: number }) => (x.p === null ? "n/a" : `${(x.p * 100).toFixed(1)}% (${x.k}/${x.n})`);
    parts.push(
      `<h2>Diagnostic accuracy of the pipeline report — diagnosis questions (n = ${q.n})</h2>`,
      ciChart((["top1", "top3", "mentioned"] as const).map((m) => ({ label: m, x: q[m] }))),
      `<p class="note">Headline over the ${q.n} diagnosis-type questions (${q.n_with_report} with a synthesized report; a case without one is a miss). ` +
        `Secondary, all ${d.n} pipeline cases (keys that are drugs or actions included): top1 ${pc(d.top1)}, top3 ${pc(d.top3)}, mentioned ${pc(d.mentioned)}.</p>`,
      htmlTable(
        ["question type", "n", "top1", "top3", "mentioned", "with report"],
        d.by_question_type.filter((b) => b.n > 0).map((b) => [b.key, b.n, pc(b.top1), pc(b.top3), pc(b.mentioned), b.n_with_report]),
      ),
    );
  }

  for (const a of s.arms) if (a.epochs) parts.push(epochsHtml(a.arm, a.epochs));
  parts.push(`<h2>Accuracy by question type</h2>`, strataChart(s.arms, (a) => a.strata.question_type));
  if (showUsmleStep(s)) parts.push(`<h2>Accuracy by USMLE step</h2>`, strataChart(s.arms, (a) => a.strata.usmle_step));
  for (const field of s.run.dataset.strata ?? []) {
    parts.push(`<h2>Accuracy by ${esc(field.replace(/_/g, " "))}</h2>`, strataChart(s.arms, (a) => a.dataset_strata?.[field] ?? []));
  }

  parts.push(`<h2>Latency (bar p50→p95, whisker min→max, tick = mean)</h2><div class="grid">`);
  for (const a of s.arms) {
    parts.push(
      `<div><h3>${esc(a.arm)}</h3>${latencyChart([{ label: "case", d: a.latency.case_ms }, { label: "case wall", d: a.latency.wall_ms }, ...a.latency.steps.map((x) => ({ label: x.step, d: x.latency_ms }))])}</div>`,
    );
  }
  parts.push(`</div>`);
  parts.push(
    htmlTable(
      ["Arm · scope", "n", "mean", "p50", "p90", "p95", "p99", "max"],
      s.arms.flatMap((a) =>
        [{ label: "case", d: a.latency.case_ms }, ...a.latency.steps.map((x) => ({ label: x.step, d: x.latency_ms }))].map(({ label, d }) => [
          `${a.arm} · ${label}`, d.n, fmtMs(d.mean), fmtMs(d.p50), fmtMs(d.p90), fmtMs(d.p95), fmtMs(d.p99), fmtMs(d.max),
        ]),
      ),
    ),
    `<p class="note">Run wall time ${esc(fmtMs(s.time.wall_time_ms))} (${esc(s.time.wall_time_source)}); ${s.time.cold_starts} cold start(s), ${esc(fmtMs(s.time.cold_start_ms))} waiting, excluded from latency; ${esc(fmtNum(s.time.throughput_cases_per_min, 2))} cases/min.</p>`,
  );

  parts.push(`<h2>Tokens per case and step (mean; prompt + completion)</h2><div class="grid">`);
  for (const a of s.arms) {
    parts.push(
      `<div><h3>${esc(a.arm)}</h3>${tokenChart([{ label: "case", t: a.tokens.case }, ...a.tokens.steps.map((x) => ({ label: x.step, t: x.tokens }))])}</div>`,
    );
  }
  parts.push(`</div>`);

  parts.push(`<h2>Chosen vs correct letter</h2><div class="grid">`);
  for (const a of s.arms) parts.push(`<div><h3>${esc(a.arm)}</h3>${matrixTable(a)}</div>`);
  parts.push(`</div>`);
  parts.push(...gradingHtml(s));

  const c = s.cost;
  parts.push(
    `<h2>Cost</h2>`,
    htmlTable(
      ["", "value"],
      [
        ["endpoint hours", `${c.wall_hours.toFixed(3)} h × ${usd(c.per_hour)}/h = ${usd(c.hourly_usd)}`],
        ["tokens", c.tokens_usd === null ? "no token prices set" : usd(c.tokens_usd)],
        ["total", usd(c.total_usd)],
        ["per case", usd(c.per_case_usd)],
      ],
    ),
  );

  const failRows: Array<Array<string | number>> = [];
  for (const a of s.arms) {
    for (const [cls, n] of Object.entries(a.failures.cases)) failRows.push([a.arm, "case", cls, n]);
    for (const f of a.failures.steps) failRows.push([a.arm, `step ${f.step}`, f.error_class, f.n]);
    failRows.push([a.arm, "retries", "attempts − calls", a.failures.retries]);
    for (const p of a.parse_outcomes) failRows.push([a.arm, `parse ${p.step}`, "ok/repaired/reasked/failed", `${p.ok}/${p.repaired}/${p.reasked}/${p.failed}`]);
  }
  parts.push(`<h2>Failures</h2>`, htmlTable(["Arm", "Where", "Class", "n"], failRows));
  if (s.concurrency.length > 0) parts.push(`<h2>Concurrency limit over time</h2>`, concurrencyChart(s.concurrency));
  parts.push(...engineHtml(s));

  parts.push(casesTable(cases, sampledIds, dxStep), `<script>${JS}</script></body></html>\n`);
  return parts.join("\n");
}

function htmlTable(head: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number>>): string {
  return (
    `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join("")}</tr></thead><tbody>` +
    rows.map((row) => `<tr>${row.map((c) => `<td>${esc(c)}</td>`).join("")}</tr>`).join("") +
    `</tbody></table>`
  );
}

const LABEL_W = 190;
const PLOT_W = 380;
const ROW_H = 22;

/** Horizontal bars of p on a 0–100% axis with a whisker for the 95% CI and a text label. */
function ciChart(rows: ReadonlyArray<{ label: string; x: ProportionJson }>): string {
  const h = rows.length * ROW_H + 24;
  const w = LABEL_W + PLOT_W + 190;
  const body = rows.map(({ label, x }, i) => {
    const y = i * ROW_H + 4;
    const mid = y + ROW_H / 2 - 2;
    const text = `<text x="0" y="${mid + 4}">${esc(label)}</text>`;
    const value = `<text x="${LABEL_W + PLOT_W + 8}" y="${mid + 4}">${esc(x.p === null ? `${DASH} (n=0)` : `${pct(x.p)} [${ci(x)}] ${kn(x)}`)}</text>`;
    if (x.p === null) return text + value;
    const bar = `<rect x="${LABEL_W}" y="${y + 3}" width="${(x.p * PLOT_W).toFixed(1)}" height="${ROW_H - 10}" fill="#90caf9"/>`;
    const lo = LABEL_W + (x.lo ?? 0) * PLOT_W;
    const hi = LABEL_W + (x.hi ?? 0) * PLOT_W;
    const whisker =
      `<line x1="${lo.toFixed(1)}" x2="${hi.toFixed(1)}" y1="${mid}" y2="${mid}" stroke="#0d47a1" stroke-width="2"/>` +
      `<line x1="${lo.toFixed(1)}" x2="${lo.toFixed(1)}" y1="${mid - 5}" y2="${mid + 5}" stroke="#0d47a1"/>` +
      `<line x1="${hi.toFixed(1)}" x2="${hi.toFixed(1)}" y1="${mid - 5}" y2="${mid + 5}" stroke="#0d47a1"/>`;
    return text + bar + whisker + value;
  });
  const axis = [0, 0.25, 0.5, 0.75, 1]
    .map((t) => {
      const x = LABEL_W + t * PLOT_W;
      return `<line x1="${x}" x2="${x}" y1="0" y2="${h - 18}" stroke="#eee"/><text class="mut" x="${x - 10}" y="${h - 4}">${t * 100}%</text>`;
    })
    .join("");
  return `<svg role="img" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}">${axis}${body.join("")}</svg>`;
}

function strataChart(arms: readonly ArmSummary[], pick: (a: ArmSummary) => ArmSummary["strata"]["question_type"]): string {
  const rows: Array<{ label: string; x: ProportionJson }> = [];
  const keys = new Set<string>();
  for (const a of arms) for (const st of pick(a)) if (st.n > 0) keys.add(st.key);
  for (const key of keys) {
    for (const a of arms) {
      const st = pick(a).find((x) => x.key === key);
      if (st && st.n > 0) rows.push({ label: arms.length > 1 ? `${key} · ${a.arm}` : key, x: st.accuracy });
    }
  }
  return rows.length ? ciChart(rows) : `<p class="note">no cases</p>`;
}

function latencyChart(rows: ReadonlyArray<{ label: string; d: Distribution }>): string {
  const max = Math.max(1, ...rows.map((r) => r.d.max ?? 0));
  const scale = (v: number) => LABEL_W * 0.6 + (v / max) * PLOT_W;
  const h = rows.length * ROW_H + 24;
  const w = LABEL_W * 0.6 + PLOT_W + 170;
  const body = rows.map(({ label, d }, i) => {
    const y = i * ROW_H + 4;
    const mid = y + ROW_H / 2 - 2;
    let g = `<text x="0" y="${mid + 4}">${esc(label)}</text>`;
    if (d.n > 0 && d.p50 !== null && d.p95 !== null && d.min !== null && d.max !== null) {
      g +=
        `<line x1="${scale(d.min).toFixed(1)}" x2="${scale(d.max).toFixed(1)}" y1="${mid}" y2="${mid}" stroke="#999"/>` +
        `<rect x="${scale(d.p50).toFixed(1)}" y="${y + 3}" width="${Math.max(1, scale(d.p95) - scale(d.p50)).toFixed(1)}" height="${ROW_H - 10}" fill="#a5d6a7" stroke="#2e7d32"/>` +
        (d.mean !== null ? `<line x1="${scale(d.mean).toFixed(1)}" x2="${scale(d.mean).toFixed(1)}" y1="${y + 1}" y2="${y + ROW_H - 5}" stroke="#c62828"/>` : "");
    }
    g += `<text x="${LABEL_W * 0.6 + PLOT_W + 8}" y="${mid + 4}">${esc(`p50 ${fmtMs(d.p50)} · p95 ${fmtMs(d.p95)}`)}</text>`;
    return g;
  });
  const axis = `<text class="mut" x="${LABEL_W * 0.6}" y="${h - 4}">0</text><text class="mut" x="${LABEL_W * 0.6 + PLOT_W - 40}" y="${h - 4}">${esc(fmtMs(max))}</text>`;
  return `<svg role="img" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}">${axis}${body.join("")}</svg>`;
}

function tokenChart(rows: ReadonlyArray<{ label: string; t: ArmSummary["tokens"]["case"] }>): string {
  const total = (t: ArmSummary["tokens"]["case"]) => (t.prompt_mean ?? 0) + (t.completion_mean ?? 0);
  const max = Math.max(1, ...rows.map((r) => total(r.t)));
  const x0 = LABEL_W * 0.6;
  const h = rows.length * ROW_H + 24;
  const w = x0 + PLOT_W + 190;
  const body = rows.map(({ label, t }, i) => {
    const y = i * ROW_H + 4;
    const mid = y + ROW_H / 2 - 2;
    const pw = ((t.prompt_mean ?? 0) / max) * PLOT_W;
    const cw = ((t.completion_mean ?? 0) / max) * PLOT_W;
    return (
      `<text x="0" y="${mid + 4}">${esc(label)}</text>` +
      `<rect x="${x0}" y="${y + 3}" width="${pw.toFixed(1)}" height="${ROW_H - 10}" fill="#b39ddb"/>` +
      `<rect x="${(x0 + pw).toFixed(1)}" y="${y + 3}" width="${cw.toFixed(1)}" height="${ROW_H - 10}" fill="#ffcc80"/>` +
      `<text x="${x0 + PLOT_W + 8}" y="${mid + 4}">${esc(`${fmtNum(t.prompt_mean)} + ${fmtNum(t.completion_mean)} (n=${t.n})`)}</text>`
    );
  });
  const legend = `<rect x="${x0}" y="${h - 14}" width="10" height="10" fill="#b39ddb"/><text class="mut" x="${x0 + 14}" y="${h - 5}">prompt</text><rect x="${x0 + 70}" y="${h - 14}" width="10" height="10" fill="#ffcc80"/><text class="mut" x="${x0 + 84}" y="${h - 5}">completion</text>`;
  return `<svg role="img" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}">${legend}${body.join("")}</svg>`;
}

/** Methods, none reasons, finish reasons and accuracy by correct letter (with CIs), per arm. */
function gradingHtml(s: Summary): string[] {
  const reasons = Object.keys(s.arms[0]?.grading.none_reasons ?? {});
  return [
    `<h2>Grading</h2>`,
    htmlTable(
      ["Arm", "format", "statement", "option_text", "none", ...reasons.map((r) => `none: ${r}`), "ungraded", "truncated", "finish reasons"],
      s.arms.map((a) => {
        const g = a.grading;
        return [
          a.arm,
          ...Object.values(g.methods),
          ...Object.values(g.none_reasons),
          g.ungraded,
          `${kn(g.truncated)} (${pct(g.truncated.p)})`,
          Object.entries(g.finish_reasons).map(([k, n]) => `${k} ${n}`).join(", ") || DASH,
        ];
      }),
    ),
    `<h3>Accuracy by correct letter</h3>`,
    ciChart(s.arms.flatMap((a) => a.grading.by_letter.map((b) => ({ label: `${a.arm} · ${b.letter} (chosen ${b.chosen})`, x: b.accuracy })))),
    `<p class="note">${esc(describeRegrade(s.regrade, s.arms.reduce((t, a) => t + a.n, 0)))}.</p>`,
  ];
}

function matrixTable(a: ArmSummary): string {
  const m = a.answer_matrix;
  const max = Math.max(1, ...m.counts.flat());
  const head = `<tr><th>correct ↓ / chosen →</th>${m.columns.map((c) => `<th>${esc(c)}</th>`).join("")}</tr>`;
  const rows = m.letters.map((l, i) => {
    const cells = m.columns.map((col, j) => {
      const v = m.counts[i]?.[j] ?? 0;
      const alpha = (v / max) * 0.8;
      const color = col === l ? `rgba(46,125,50,${alpha.toFixed(3)})` : `rgba(198,40,40,${alpha.toFixed(3)})`;
      return `<td class="heat" style="background:${color}">${v}</td>`;
    });
    return `<tr><th>${esc(l)}</th>${cells.join("")}</tr>`;
  });
  return `<table>${head}${rows.join("")}</table>`;
}

function concurrencyChart(points: Summary["concurrency"]): string {
  const ts = points.map((p) => Date.parse(p.t));
  const t0 = Math.min(...ts);
  const span = Math.max(1, Math.max(...ts) - t0);
  const maxL = Math.max(1, ...points.map((p) => p.limit));
  const w = 600;
  const h = 120;
  let path = "";
  points.forEach((p, i) => {
    const x = 30 + (((ts[i] ?? t0) - t0) / span) * (w - 60);
    const y = 10 + (1 - p.limit / maxL) * (h - 30);
    path += i === 0 ? `M${x.toFixed(1)},${y.toFixed(1)}` : `H${x.toFixed(1)}V${y.toFixed(1)}`;
  });
  path += `H${w - 30}`;
  return (
    `<svg role="img" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}"><path d="${path}" fill="none" stroke="#1565c0" stroke-width="2"/>` +
    `<text class="mut" x="0" y="14">${maxL}</text><text class="mut" x="0" y="${h - 18}">0</text>` +
    `<text class="mut" x="30" y="${h - 4}">${esc(points[0]?.t ?? "")}</text></svg>`
  );
}

function casesTable(cases: readonly CaseRecord[], sampledIds: readonly string[], dxStep: string | null): string {
  const ordered = orderedCases(cases, sampledIds);
  const types = [...new Set(ordered.map((r) => caseLabels(r, dxStep).question_type))].sort();
  const arms = [...new Set(ordered.map((r) => r.arm))];
  const opt = (v: string, label = v) => `<option value="${esc(v)}">${esc(label)}</option>`;
  const rows = ordered.map((r) => {
    const { question_type, usmle_step, dx } = caseLabels(r, dxStep);
    const dxText = dx === null ? "" : dx.has_report ? `${dx.top1 ? "top1" : dx.top3 ? "top3" : dx.mentioned ? "mentioned" : "miss"}` : "no report";
    return (
      `<tr data-arm="${esc(r.arm)}" data-outcome="${esc(r.outcome)}" data-type="${esc(question_type)}">` +
      `<td>${esc(r.case_id)}</td><td>${esc(r.arm)}</td><td class="o-${esc(r.outcome)}">${esc(r.outcome)}</td>` +
      `<td>${esc(r.answer ?? DASH)}</td><td>${esc(r.correct_answer)}</td><td>${esc(question_type)}</td><td>${esc(usmle_step)}</td>` +
      `<td class="num">${esc(fmtMs(r.latency_ms))}</td><td class="num">${r.tokens.prompt + r.tokens.completion}</td>` +
      `<td>${esc(r.error_class ?? "")}</td><td>${esc(dxText)}</td><td>${caseDetails(r)}</td></tr>`
    );
  });
  return (
    `<h2 id="cases-h">Cases</h2><div class="filters">` +
    `<input id="f-text" type="search" placeholder="filter text (id, stem, outputs…)" size="36">` +
    `<select id="f-arm">${opt("", "all arms")}${arms.map((a) => opt(a)).join("")}</select>` +
    `<select id="f-outcome">${opt("", "all outcomes")}${["correct", "wrong", "unparseable", "error"].map((o) => opt(o)).join("")}</select>` +
    `<select id="f-type">${opt("", "all question types")}${types.map((t) => opt(t)).join("")}</select>` +
    `<span id="f-count" class="note"></span></div>` +
    `<table id="cases"><thead><tr><th>case</th><th>arm</th><th>outcome</th><th>chosen</th><th>correct</th><th>type</th><th>step</th>` +
    `<th>latency</th><th>tokens</th><th>error</th><th>dx</th><th>details</th></tr></thead><tbody>${rows.join("")}</tbody></table>`
  );
}

function caseDetails(r: CaseRecord): string {
  const inner: string[] = [
    `<p><b>Stem:</b> ${esc(r.stem)}</p>`,
    `<p><b>Correct:</b> ${esc(`${r.correct_answer}. ${r.correct_text}`)}</p>`,
  ];
  if (r.grade) {
    const g = r.grade;
    inner.push(`<p><b>Graded:</b> ${esc(`${g.method}${g.reason ? ` (${g.reason})` : ""}${g.rule ? ` by ${g.rule}` : ""}${g.matched ? `: “${g.matched}”` : ""}`)}</p>`);
  }
  if (r.failed_steps?.length) inner.push(`<p><b>Degraded:</b> ${esc(`failed steps ${r.failed_steps.join(", ")}; the case went on without them`)}</p>`);
  if (r.error) inner.push(`<p><b>Error:</b> ${esc(`${r.error_class ?? ""} ${r.error}`)}</p>`);
  if (r.raw !== undefined) inner.push(`<details><summary>raw response</summary><pre>${esc(clip(r.raw))}</pre></details>`);
  for (const id of stepNames([r])) {
    const s = r.steps?.[id];
    if (s === undefined) continue;
    const head = `${id} · ${s.status} · ${fmtMs(s.latency_ms)} · ${s.prompt_tokens}+${s.completion_tokens} tok · parse ${s.parse}${s.error_class ? ` · ${s.error_class}` : ""}`;
    const body = [
      s.error ? `<p>${esc(s.error)}</p>` : "",
      s.output !== undefined ? `<pre>${esc(clip(JSON.stringify(s.output, null, 2)))}</pre>` : "",
      s.output === undefined && s.raw !== undefined ? `<pre>${esc(clip(s.raw))}</pre>` : "",
    ].join("");
    inner.push(`<details><summary>${esc(head)}</summary>${body}</details>`);
  }
  return `<details><summary>show</summary>${inner.join("")}</details>`;
}

function clip(text: string): string {
  return text.length > MAX_OUTPUT_CHARS ? `${text.slice(0, MAX_OUTPUT_CHARS)}\n… (${text.length - MAX_OUTPUT_CHARS} more characters)` : text;
}

/** --epochs: reducers as CI bars, the agreement histogram, κ and the least-sure cases. */
function epochsHtml(arm: string, e: NonNullable<ArmSummary["epochs"]>): string {
  const bars = ciChart(
    e.reducers.map((r) => ({ label: `${r.reducer}${r.ci === "cluster_bootstrap" ? " (cluster CI)" : ""}`, x: { k: 0, n: e.cases, p: r.p, lo: r.lo, hi: r.hi } })),
  );
  const hist = htmlTable(["Agreement", "Cases"], e.agreement.histogram.map((h) => [pct(h.agreement), h.cases]));
  const unsure = htmlTable(
    ["Case", "Agreement", "Answers", "Correct", "Right"],
    e.least_sure.map((c) => [c.case_id, pct(c.agreement), Object.entries(c.answers).map(([a, n]) => `${a}×${n}`).join(" "), c.correct_answer, `${c.correct}/${c.samples}`]),
  );
  return (
    `<h2>Repeatability (${esc(arm)}): ${e.k} epochs, ${e.cases} cases, ${e.samples} samples</h2>` +
    bars +
    `<p>Mean per-case agreement ${esc(pct(e.agreement.mean))} · Fleiss' κ over epochs ${esc(e.kappa === null ? "undefined" : e.kappa.toFixed(3))}</p>` +
    `<div class="grid">${hist}${e.least_sure.length > 0 ? unsure : ""}</div>`
  );
}
