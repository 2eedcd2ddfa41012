// Letter-symmetry helpers for grading tests: every ordered pair of distinct letters of a 4-option case, and a loop
// that grades a template for each pair over several option sets (a verdict must follow the letter, never favour one).
import { grade, type Grade } from "../../src/scoring/grading/grade.js";

export const LETTERS4 = ["A", "B", "C", "D"] as const;
export type L4 = (typeof LETTERS4)[number];
export type Opts4 = Record<L4, string>;
export type PairForm = (x: L4, y: L4, o: Opts4) => string;

export const LETTER_PAIRS: ReadonlyArray<readonly [L4, L4]> = LETTERS4.flatMap((x) => LETTERS4.filter((y) => y !== x).map((y) => [x, y] as const));

/** The first letter that is neither x nor y. */
export const thirdLetter = (x: L4, y: L4): L4 => LETTERS4.find((l) => l !== x && l !== y)!;

/** Grades form(x, y, options) for every option set and ordered pair, and hands each verdict to check. */
export function eachLetterPair(sets: readonly Opts4[], form: PairForm, check: (r: Grade, x: L4, y: L4, text: string) => void): void {
  for (const o of sets)
    for (const [x, y] of LETTER_PAIRS) {
      const text = form(x, y, o);
      check(grade({ text, options: o, finishReason: "stop" }), x, y, text);
    }
}
