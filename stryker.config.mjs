// Mutation testing of the code that produces the accuracy number: grading (answer extraction), matching,
// strata and statistics. `npm run mutation`; reports in reports/mutation/ (gitignored). README: "Mutation testing".
// Stryker is pinned to 9.6 (10.x requires Node 22; the machines run Node 20). No TypeScript checker plugin: vitest
// transpiles TS itself, and a type-invalid mutant still runs and must still be caught by a test.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: "vitest",
  vitest: { configFile: "vitest.mutation.config.ts", related: true },
  // Globs, so the grader is covered wherever it lives (src/pipeline/extract-answer.ts today, or src/scoring/grading/).
  mutate: [
    "src/scoring/**/*.ts",
    "src/stats/**/*.ts",
    "src/pipeline/extract-answer.ts",
    "src/pipeline/grading/**/*.ts",
    "src/grading/**/*.ts",
  ],
  coverageAnalysis: "perTest",
  // 2 cores (developers share them; CI has the machine to itself). `npm run mutation -- --concurrency 1` on a busy box.
  concurrency: 2,
  // Generous: a shared, loaded machine must not turn slow-but-correct runs into "timeout" (which counts as killed).
  timeoutFactor: 3,
  timeoutMS: 10_000,
  // The initial (coverage-collecting) run is the slowest: several minutes on a loaded 2-core box (default limit 5).
  dryRunTimeoutMinutes: 30,
  thresholds: { high: 95, low: 90, break: 90 },
  reporters: ["clear-text", "progress", "json", "html", "summary-json"],
  plugins: ["@stryker-mutator/*", "./scripts/stryker-summary-reporter.mjs"],
  jsonReporter: { fileName: "reports/mutation/mutation.json" },
  htmlReporter: { fileName: "reports/mutation/index.html" },
  clearTextReporter: { allowColor: false, logTests: false, maxTestsToLog: 0 },
  incrementalFile: "reports/mutation/stryker-incremental.json",
  tempDirName: ".stryker-tmp",
  cleanTempDir: "always",
};
