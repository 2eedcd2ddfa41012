// Option texts as the grader compares them: a phrase that equals or starts with an option's text names that
// option ("B-type natriuretic peptide" is the option with that text, not the letter B), and a response that
// mentions exactly one option's text can commit to it without a letter.
import { LETTERS, type Letter } from "../../types.js";
import { foldText } from "./normalize.js";

export interface OptionIndex {
  /** The case's option letters, in order. */
  letters: readonly Letter[];
  /** Folded option texts by letter; options with unknown (empty) text are left out. */
  folded: ReadonlyArray<{ letter: Letter; text: string }>;
}

/** Shortest folded phrase that may stand for an option it begins ("D-dimer" for "D-dimer assay"). */
const MIN_PREFIX_CHARS = 4;

const indexCache = new WeakMap<object, OptionIndex>();

/** The option index of a case's options (cached per options object: a run grades each case once or twice). */
export function indexOptions(options: Partial<Record<Letter, string>>): OptionIndex {
  return indexCache.get(options) ?? buildIndex(options);
}

function buildIndex(options: Partial<Record<Letter, string>>): OptionIndex {
  const letters = LETTERS.filter((l) => options[l] !== undefined);
  const folded = letters
    .map((letter) => ({ letter, text: foldText(options[letter] ?? "") }))
    .filter((o) => o.text !== "")
    // Longest first: "Iron deficiency anemia" must claim its words before "Anemia" does.
    .sort((a, b) => b.text.length - a.text.length);
  const idx = { letters, folded };
  indexCache.set(options, idx);
  return idx;
}

/**
 * The option a phrase names by its text: the phrase equals or begins with the option's text (the longest such
 * option), else the phrase's first clause begins the option's text and only one option. Null when none or
 * several fit.
 */
export function optionAtStart(phrase: string, idx: OptionIndex): Letter | null {
  const fp = foldText(phrase);
  for (const o of idx.folded) {
    if (fp === o.text || fp.startsWith(o.text + " ")) {
      // A longer option text ties only with an identical one (a data quirk): then it names no single option.
      const twins = idx.folded.filter((x) => x.text === o.text);
      return twins.length === 1 ? o.letter : null;
    }
  }
  const clause = foldText(firstClause(phrase));
  if (clause.length < MIN_PREFIX_CHARS) return null;
  const hits = idx.folded.filter((o) => o.text.startsWith(clause + " "));
  return hits.length === 1 ? hits[0]!.letter : null;
}

/** The phrase up to its first clause break (sentence end, comma, "because", an opening bracket). */
function firstClause(s: string): string {
  const m = /[.;!?,(\n]|\s(?:because|since|as|which|given|due|and|or|but)\b/i.exec(s);
  // "C. difficile": a period right after a single letter is an abbreviation, not a sentence end.
  if (m && m[0] === "." && /^[A-Za-z]$/.test(s.slice(0, m.index).trim())) {
    const rest = s.slice(m.index + 1);
    const n = /[.;!?,(\n]|\s(?:because|since|as|which|given|due|and|or|but)\b/i.exec(rest);
    return s.slice(0, m.index + 1 + (n ? n.index : rest.length));
  }
  return m ? s.slice(0, m.index) : s;
}

/**
 * Words that, just before or after a mention, say the option is being set aside rather than chosen. They are
 * matched in folded text (lower case, one space between words, no punctuation), so a plain space is exact.
 */
const NEGATED_BEFORE = /\b(?:not|no|nor|neither|unlikely|exclude[sd]?|excluding|rule[sd]? out|ruled out|against|without|than|versus|vs|incorrect|wrong|instead of|rather than|less likely) (?:[^ ]+ ){0,2}$/;
const NEGATED_AFTER = /^ (?:is|are|was|would be|seems) (?:not|unlikely|less likely|incorrect|wrong|excluded|ruled out)\b/;

/**
 * The single option whose text the response mentions (whole words, not negated) when that mention is in its
 * final line; null when none, or when two or more options are mentioned. `text` is the normalised response.
 */
export function soleMentionedOption(text: string, idx: OptionIndex): { letter: Letter; text: string } | null {
  const all = mentions(" " + foldText(text) + " ", idx);
  if (all.size !== 1) return null;
  const [letter] = [...all] as [Letter];
  const last = text.split("\n").filter((l) => /[A-Za-z0-9]/.test(l)).pop() ?? "";
  if (!mentions(" " + foldText(last) + " ", idx).has(letter)) return null;
  return { letter, text: idx.folded.find((x) => x.letter === letter)!.text };
}

/** Letters whose option text occurs un-negated in folded text `f` (padded with spaces); longer texts claim first. */
function mentions(f: string, idx: OptionIndex): Set<Letter> {
  // Characters already claimed by a (longer) mention.
  const claimed = new Uint8Array(f.length);
  const found = new Set<Letter>();
  const negated = new Set<Letter>();
  for (const o of idx.folded) {
    const needle = " " + o.text + " ";
    let at = f.indexOf(needle);
    while (at >= 0) {
      const start = at + 1;
      const end = start + o.text.length;
      if (!claimed.subarray(start, end).includes(1)) {
        claimed.fill(1, start, end);
        const neg = NEGATED_BEFORE.test(f.slice(Math.max(0, start - 40), start)) || NEGATED_AFTER.test(f.slice(end, end + 40));
        (neg ? negated : found).add(o.letter);
      }
      at = f.indexOf(needle, at + 1);
    }
  }
  for (const l of negated) found.delete(l);
  // A negated mention of another option is fine ("X, not Y"); an option both chosen and negated is not a commitment.
  return found;
}
