// HTML and Markdown pieces for the engine sections of the report (see engine.ts): the engine line, streaming
// timings per step, and queue depth / batch size over time from the engine's /metrics.
import { fmtMs, fmtNum } from "./format.js";
import { esc } from "./html.js";
import type { Summary } from "./summary-schema.js";

function table(head: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number>>): string {
  return (
    `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join("")}</tr></thead><tbody>` +
    rows.map((row) => `<tr>${row.map((c) => `<td>${esc(c)}</td>`).join("")}</tr>`).join("") +
    `</tbody></table>`
  );
}

export function engineLine(s: Summary): string | null {
  const e = s.run.engine;
  if (!e || e.name === null) return null;
  const limits = e.limits ? `limits ${e.limits.max_input_tokens} input / ${e.limits.max_total_tokens} total tokens` : "limits unknown (no preflight)";
  return `engine ${e.name}${e.version ? ` ${e.version}` : ""} (${e.detected_by ?? "?"}) · ${limits}${e.stream ? " · streamed" : ""}`;
}

/** Rows: arm, step, n, TTFT p50/p95, decode tok/s p50/p5 (the slow tail), inter-token gap p95 (median over calls). */
function streamingRows(s: Summary): string[][] {
  return s.arms.flatMap((a) =>
    (a.streaming ?? []).map((x) => [
      a.arm,
      x.step,
      String(x.n),
      fmtMs(x.ttft_ms.p50),
      fmtMs(x.ttft_ms.p95),
      fmtNum(x.decode_tok_s.p50, 1),
      fmtNum(x.decode_tok_s.min, 1),
      fmtMs(x.itl_p95_ms.p50),
    ]),
  );
}
const STREAM_HEAD = ["Arm", "Step", "calls", "TTFT p50", "TTFT p95", "decode tok/s p50", "decode tok/s min", "gap p95 (median)"];

function saturationChart(samples: NonNullable<Summary["saturation"]>["samples"]): string {
  const ts = samples.map((p) => Date.parse(p.t));
  const t0 = Math.min(...ts);
  const span = Math.max(1, Math.max(...ts) - t0);
  const maxY = Math.max(1, ...samples.flatMap((p) => [p.queue ?? 0, p.running ?? 0]));
  const w = 600;
  const h = 140;
  const line = (pick: (p: (typeof samples)[number]) => number | null, color: string): string => {
    let d = "";
    samples.forEach((p, i) => {
      const v = pick(p);
      if (v === null) return;
      const x = 30 + (((ts[i] ?? t0) - t0) / span) * (w - 60);
      const y = 10 + (1 - v / maxY) * (h - 40);
      d += `${d === "" ? "M" : "L"}${x.toFixed(1)},${y.toFixed(1)}`;
    });
    return d ? `<path d="${d}" fill="none" stroke="${color}" stroke-width="2"/>` : "";
  };
  return (
    `<svg role="img" aria-label="queue depth and batch size over time" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}">` +
    line((p) => p.queue, "#c62828") +
    line((p) => p.running, "#1565c0") +
    `<text class="mut" x="0" y="14">${maxY}</text><text class="mut" x="0" y="${h - 30}">0</text>` +
    `<text x="30" y="${h - 6}" fill="#c62828">queue depth</text><text x="130" y="${h - 6}" fill="#1565c0">batch size (running)</text>` +
    `<text class="mut" x="330" y="${h - 6}">${esc(`${samples.length} samples from ${samples[0]?.t ?? ""}`)}</text></svg>`
  );
}

/** The engine sections of report.html (empty when the run has none of them). */
export function engineHtml(s: Summary): string[] {
  const parts: string[] = [];
  const rows = streamingRows(s);
  if (rows.length > 0) parts.push(`<h2>Streaming: time to first token and decode rate per step</h2>`, table(STREAM_HEAD, rows));
  const sat = s.saturation;
  if (sat) {
    parts.push(`<h2>Endpoint saturation (queue depth and batch size over time)</h2>`);
    if (sat.samples.length > 0) {
      parts.push(saturationChart(sat.samples));
      const kv = sat.samples.flatMap((p) => (p.kv_cache === null ? [] : [p.kv_cache]));
      if (kv.length) parts.push(`<p class="note">KV-cache use: max ${fmtNum(Math.max(...kv) * 100, 1)}%.</p>`);
    } else {
      parts.push(`<p class="note">${esc(`Not measured: ${sat.note ?? "no /metrics samples"}.`)}</p>`);
    }
  }
  return parts;
}

/** The same for summary.md. */
export function engineMarkdown(s: Summary): string[] {
  const out: string[] = [];
  const line = engineLine(s);
  if (line) out.push(`**${line}**`, "");
  for (const n of s.run.engine?.notes ?? []) out.push(`> NOTE: ${n}`);
  if ((s.run.engine?.notes ?? []).length) out.push("");
  const rows = streamingRows(s);
  if (rows.length > 0) {
    out.push("### Streaming (TTFT, decode rate)", "", `| ${STREAM_HEAD.join(" | ")} |`, `|${STREAM_HEAD.map(() => "---").join("|")}|`, ...rows.map((r) => `| ${r.join(" | ")} |`), "");
  }
  const sat = s.saturation;
  if (sat && sat.samples.length > 0) {
    const q = sat.samples.flatMap((p) => (p.queue === null ? [] : [p.queue]));
    const b = sat.samples.flatMap((p) => (p.running === null ? [] : [p.running]));
    out.push(`Endpoint saturation: ${sat.samples.length} samples; queue depth max ${q.length ? Math.max(...q) : "—"}, batch size max ${b.length ? Math.max(...b) : "—"}.`, "");
  } else if (sat && sat.source === "unavailable") {
    out.push(`Endpoint saturation not measured: ${sat.note}.`, "");
  }
  return out;
}
