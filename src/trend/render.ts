// The trend as Markdown (job summaries) and as ONE self-contained HTML page (inline CSS and SVG, the report's
// CSP: no URL is ever loaded).
import { CSP, esc } from "../report/html.js";
import { DASH, fmtMs, pct, usd } from "../report/format.js";
import { formatP } from "../stats/paired.js";
import type { Trend, TrendStep } from "./trend.js";

const ARMS = ["direct", "pipeline"] as const;
const COLORS: Record<string, string> = { direct: "#1f6feb", pipeline: "#b35900" };

const armsOf = (t: Trend): string[] => ARMS.filter((a) => t.points.some((p) => p.arms.some((x) => x.arm === a)));
const ciText = (lo: number | null, hi: number | null): string => (lo === null || hi === null ? DASH : `${(lo * 100).toFixed(1)}–${(hi * 100).toFixed(1)}%`);

/** "prompt.direct, temperature" and, when accuracy moved significantly, "▲ direct +8.0 pts (p = 0.004)". */
function stepText(s: TrendStep | undefined): { changes: string; marks: string } {
  if (!s) return { changes: "", marks: "" };
  const changes = s.changes.map((c) => c.field).join(", ");
  const marks = s.arms
    .filter((a) => a.significant)
    .map((a) => `${(a.delta_pts ?? 0) >= 0 ? "▲" : "▼"} ${a.arm} ${(a.delta_pts ?? 0) >= 0 ? "+" : ""}${(a.delta_pts ?? 0).toFixed(1)} pts (${formatP(a.log10_p)})`)
    .join("; ");
  return { changes, marks };
}

export function renderTrendMarkdown(t: Trend): string {
  const arms = armsOf(t);
  const out = [`# Accuracy over ${t.points.length} run(s)`, ""];
  if (t.points.some((p) => p.emulator)) out.push("> Some runs used the emulator: their figures test the harness, not a model.", "");
  const head = ["#", "run", "created", ...arms.flatMap((a) => [`${a} accuracy`, `${a} 95% CI`, `${a} p50/p95`]), "cost/case", "changed since previous", `significant (p < ${t.alpha})`];
  out.push(`| ${head.join(" | ")} |`, `|${head.map((_, i) => (i === 0 ? "---:" : "---")).join("|")}|`);
  t.points.forEach((p, i) => {
    const { changes, marks } = stepText(t.steps[i - 1]);
    const cells = arms.flatMap((a) => {
      const x = p.arms.find((y) => y.arm === a);
      return x ? [`${pct(x.accuracy.p)} (n=${x.n})`, ciText(x.accuracy.lo, x.accuracy.hi), `${fmtMs(x.latency_p50_ms)} / ${fmtMs(x.latency_p95_ms)}`] : [DASH, DASH, DASH];
    });
    const cost = p.arms.map((x) => x.cost_per_case_usd).find((c) => c !== null) ?? null;
    out.push(`| ${[String(i + 1), `\`${p.run_id}\``, p.created_at.slice(0, 16).replace("T", " "), ...cells, usd(cost), changes || DASH, marks || DASH].join(" | ")} |`);
  });
  out.push("");
  return out.join("\n");
}

const W = 760;
const H = 260;
const PAD = { l: 48, r: 16, t: 14, b: 34 };

/** Accuracy per arm over the runs: dots with 95% CI whiskers, a dashed line where the configuration changed, red where significant. */
function accuracyChart(t: Trend): string {
  const n = t.points.length;
  const x = (i: number) => PAD.l + (n <= 1 ? (W - PAD.l - PAD.r) / 2 : (i * (W - PAD.l - PAD.r)) / (n - 1));
  const y = (p: number) => PAD.t + (1 - p) * (H - PAD.t - PAD.b);
  const parts: string[] = [];
  for (const g of [0, 0.25, 0.5, 0.75, 1]) {
    parts.push(`<line x1="${PAD.l}" x2="${W - PAD.r}" y1="${y(g)}" y2="${y(g)}" class="grid"/><text x="${PAD.l - 6}" y="${y(g) + 4}" text-anchor="end">${g * 100}%</text>`);
  }
  t.steps.forEach((s, i) => {
    if (s.changes.length === 0 && !s.arms.some((a) => a.significant)) return;
    const sig = s.arms.some((a) => a.significant);
    const mx = (x(i) + x(i + 1)) / 2;
    parts.push(
      `<line x1="${mx}" x2="${mx}" y1="${PAD.t}" y2="${H - PAD.b}" class="${sig ? "sig" : "chg"}" data-step="${i + 1}"><title>${esc(
        `${stepText(s).changes || "no configuration change"}${sig ? ` — ${stepText(s).marks}` : ""}`,
      )}</title></line>`,
    );
  });
  for (const arm of armsOf(t)) {
    const pts: string[] = [];
    t.points.forEach((p, i) => {
      const a = p.arms.find((z) => z.arm === arm);
      if (!a || a.accuracy.p === null) return;
      pts.push(`${x(i)},${y(a.accuracy.p)}`);
      if (a.accuracy.lo !== null && a.accuracy.hi !== null) parts.push(`<line x1="${x(i)}" x2="${x(i)}" y1="${y(a.accuracy.lo)}" y2="${y(a.accuracy.hi)}" stroke="${COLORS[arm]}" class="ci"/>`);
      parts.push(`<circle cx="${x(i)}" cy="${y(a.accuracy.p)}" r="3.5" fill="${COLORS[arm]}"><title>${esc(`${arm} ${p.run_id}: ${pct(a.accuracy.p)} [${ciText(a.accuracy.lo, a.accuracy.hi)}]`)}</title></circle>`);
    });
    if (pts.length > 1) parts.push(`<polyline points="${pts.join(" ")}" fill="none" stroke="${COLORS[arm]}" stroke-width="1.5"/>`);
  }
  t.points.forEach((_, i) => parts.push(`<text x="${x(i)}" y="${H - PAD.b + 16}" text-anchor="middle">${i + 1}</text>`));
  const legend = armsOf(t).map((a) => `<span style="color:${COLORS[a]}">● ${esc(a)}</span>`).join(" ");
  return `<svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="accuracy over runs">${parts.join("")}</svg><p class="legend">${legend} · dashed: configuration changed · red: significant change (p &lt; ${t.alpha})</p>`;
}

function table(head: readonly string[], rows: ReadonlyArray<ReadonlyArray<string>>): string {
  return `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join("")}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join("")}</tr>`).join("")}</tbody></table>`;
}

const CSS = `body{font:14px/1.45 system-ui,sans-serif;margin:24px;color:#1d2329}h1{font-size:20px}h2{font-size:16px;margin-top:28px}
table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #d0d7de;padding:3px 8px;text-align:left}th{background:#f6f8fa}
svg text{font-size:11px;fill:#57606a}.grid{stroke:#eaeef2}.chg{stroke:#8c959f;stroke-dasharray:4 3}.sig{stroke:#cf222e;stroke-width:2}.ci{stroke-width:2;opacity:.5}
.banner{background:#fff8c5;border:1px solid #d4a72c;padding:6px 10px}.legend{color:#57606a}.mark{color:#cf222e;font-weight:600}`;

export function renderTrendHtml(t: Trend): string {
  const arms = armsOf(t);
  const parts = [
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="${CSP}">`,
    `<title>Accuracy trend (${t.points.length} runs)</title><style>${CSS}</style></head><body>`,
    `<h1>Accuracy over ${t.points.length} run(s)</h1>`,
  ];
  if (t.points.some((p) => p.emulator)) parts.push(`<div class="banner"><b>Emulator figures</b> in some runs: they test the harness, not a model.</div>`);
  parts.push(`<h2>Accuracy per arm (95% Wilson intervals)</h2>`, accuracyChart(t));
  parts.push(
    `<h2>Runs</h2>`,
    table(
      ["#", "run", "created", "dataset", ...arms.flatMap((a) => [`${a} accuracy`, `${a} 95% CI`, `${a} errors`])],
      t.points.map((p, i) => [
        String(i + 1),
        p.run_id,
        p.created_at,
        p.dataset,
        ...arms.flatMap((a) => {
          const x = p.arms.find((y) => y.arm === a);
          return x ? [`${pct(x.accuracy.p)} (${x.accuracy.k}/${x.accuracy.n})`, ciText(x.accuracy.lo, x.accuracy.hi), String(x.errors)] : [DASH, DASH, DASH];
        }),
      ]),
    ),
  );
  parts.push(
    `<h2>Changes between consecutive runs</h2>`,
    table(
      ["step", "configuration changed", "Δ accuracy (paired, common cases)", "significant"],
      t.steps.map((s, i) => [
        `${i + 1} → ${i + 2}`,
        s.changes.map((c) => `${c.field}: ${String(c.base)} → ${String(c.cand)}`).join("; ") || DASH,
        s.arms.map((a) => `${a.arm} ${a.delta_pts === null ? DASH : `${a.delta_pts >= 0 ? "+" : ""}${a.delta_pts.toFixed(1)} pts`} (n=${a.paired}, ${formatP(a.log10_p)})`).join("; "),
        stepText(s).marks || "no",
      ]),
    ),
  );
  parts.push(
    `<h2>Latency and cost per case</h2>`,
    table(
      ["#", ...arms.flatMap((a) => [`${a} p50`, `${a} p95`, `${a} cost/case`])],
      t.points.map((p, i) => [
        String(i + 1),
        ...arms.flatMap((a) => {
          const x = p.arms.find((y) => y.arm === a);
          return x ? [fmtMs(x.latency_p50_ms), fmtMs(x.latency_p95_ms), usd(x.cost_per_case_usd)] : [DASH, DASH, DASH];
        }),
      ]),
    ),
  );
  for (const a of arms) {
    const keys = [...new Set(t.points.flatMap((p) => p.arms.find((x) => x.arm === a)?.question_type.filter((s) => s.n > 0).map((s) => s.key) ?? []))];
    parts.push(
      `<h2>${esc(a)}: accuracy by question type</h2>`,
      table(
        ["question type", ...t.points.map((_, i) => `run ${i + 1}`)],
        keys.map((k) => [
          k,
          ...t.points.map((p) => {
            const s = p.arms.find((x) => x.arm === a)?.question_type.find((q) => q.key === k);
            return s && s.n > 0 ? `${pct(s.accuracy.p)} (n=${s.n})` : DASH;
          }),
        ]),
      ),
    );
  }
  parts.push(`</body></html>`);
  return parts.join("\n");
}
