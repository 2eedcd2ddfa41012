// Stryker reporter "summary-json": writes reports/mutation/summary.json — the total and per-file mutation score
// with its counts and the run's wall time — a small, stable file for CI and for the lead (mutation.json, the full
// report, is megabytes). Declared without importing @stryker-mutator/api (PluginKind.Reporter is "Reporter").
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

const OUT = "reports/mutation/summary.json";

/** The counts that define a score: detected = killed + timeout; score = detected / (detected + undetected). */
function counts(m) {
  return {
    score: Number.isNaN(m.mutationScore) ? null : Math.round(m.mutationScore * 100) / 100,
    killed: m.killed,
    timeout: m.timeout,
    survived: m.survived,
    no_coverage: m.noCoverage,
    ignored: m.ignored,
    errors: m.runtimeErrors + m.compileErrors,
    valid: m.totalValid,
  };
}

/** Files are the leaves of the metrics tree (folders have childResults). */
function files(node, out = []) {
  if (node.file !== undefined) out.push(node);
  for (const child of node.childResults ?? []) files(child, out);
  return out;
}

class SummaryJsonReporter {
  static inject = ["options"];
  constructor(options) {
    this.options = options;
    this.started = Date.now();
  }
  onMutationTestReportReady(_report, metrics) {
    const root = metrics.systemUnderTestMetrics;
    const byFile = Object.fromEntries(
      files(root)
        .map((f) => [relative(f.file.name ?? f.name), counts(f.metrics)])
        .sort(([a], [b]) => a.localeCompare(b)),
    );
    const summary = {
      generated_at: new Date().toISOString(),
      wall_s: Math.round((Date.now() - this.started) / 1000),
      concurrency: this.options.concurrency ?? null,
      thresholds: this.options.thresholds,
      total: counts(root.metrics),
      files: byFile,
    };
    mkdirSync(dirname(OUT), { recursive: true });
    writeFileSync(OUT, JSON.stringify(summary, null, 2) + "\n");
  }
}

function relative(name) {
  const i = name.lastIndexOf("src/");
  return i >= 0 ? name.slice(i) : name;
}

export const strykerPlugins = [{ kind: "Reporter", name: "summary-json", injectableClass: SummaryJsonReporter }];
