// Vitest config for `npm run mutation` (Stryker): only the unit tests of the mutated modules — scoring, stats and
// the answer grader — so each mutant run takes well under a second. End-to-end and acceptance tests are left out:
// a mutant they alone would kill is a gap in the unit tests, which is what the mutation score is meant to show.
// Naming rule for those unit tests: test/{scoring,stats,match,grading,extract-answer}*.test.ts (or under
// test/scoring/, test/stats/, test/grading/).
import { defineConfig } from "vitest/config";

export const MUTATION_TESTS = [
  "test/scoring*.test.ts",
  "test/stats*.test.ts",
  "test/match*.test.ts",
  "test/grading*.test.ts",
  "test/extract-answer*.test.ts",
  "test/{scoring,stats,grading}/**/*.test.ts",
];

export default defineConfig({
  test: {
    include: MUTATION_TESTS,
    // Instrumented code with per-test coverage runs the grid/property tests many times slower than plain vitest.
    testTimeout: 600_000,
    // Heavy property/grid tests check a thinner sample per mutant (test/helpers/mutation.ts).
    env: { MEDQA_MUTATION_RUN: "1" },
  },
});
