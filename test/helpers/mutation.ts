// `npm run mutation` runs the unit tests once per mutant, instrumented (many times slower than plain vitest), so
// vitest.mutation.config.ts sets MEDQA_MUTATION_RUN=1 and the heaviest property/grid tests check a thinner but still
// broad sample there. `npm test` always runs them in full.
export const MUTATION_RUN = process.env.MEDQA_MUTATION_RUN === "1";

/** `full` in a normal run, `thin` in a mutation run. */
export function scale<T>(full: T, thin: T): T {
  return MUTATION_RUN ? thin : full;
}
