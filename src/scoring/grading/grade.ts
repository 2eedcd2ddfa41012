// The one grader, for every arm and step: normalise → find commitments → choose the final one. Pure and linear
// in the response length. The choice: the highest tier present (final form > prose statement > sole option
// mention), and within it the last commitment; a hedge stands unless a later commitment picks one of its letters.
import type { Letter } from "../../types.js";
import { normalizeResponse } from "./normalize.js";
import { indexOptions, soleMentionedOption, type OptionIndex } from "./options.js";
import { answerLines, jsonFields, loneLetterLines, statements, type Candidate } from "./rules.js";
import type { Grade, GradeInput, GradeRecord, NoneReason } from "./types.js";

export type { Grade, GradeInput, GradeMethod, GradeRecord, NoneReason } from "./types.js";
export { GRADE_METHODS, NONE_REASONS } from "./types.js";

/** Bumped whenever a rule changes a verdict; stored in records so a re-grade can say which grader made them. */
export const GRADER_VERSION = 6;

/**
 * The model declines ("I cannot answer…", "As an AI…", "consult a physician"). Only consulted without a commitment.
 * Matched against the text with every whitespace run made one space (see `refused`), so a space here is `\s+`.
 */
const REFUSAL =
  /\b(?:i ?(?:can ?not|can't|am unable to|'m unable to|am not able to|'m not able to|won't|will not|must decline to|do not feel comfortable) (?:answer|provide|help|assist|give|offer|choose|select|determine|make|recommend|diagnose)|as an ai\b|not (?:able|qualified|permitted) to (?:provide|give|offer) (?:medical|a diagnosis)|consult (?:a|your|with a) (?:qualified )?(?:physician|doctor|healthcare|medical|health care))/i;
const refused = (text: string): boolean => REFUSAL.test(text.replace(/\s+/g, " "));

/**
 * No commitment, but the reply is torn between letters ("It's either B or C.", "I can't decide between A and D",
 * "B or C, depending on…"): the reason is a hedge. Only consulted when nothing commits.
 */
const TORN =
  /(?:\b(?:[Ee]ither|[Bb]etween)\s(?:[Oo]ptions?\s)?[(\[]?[A-H][)\]]?\s(?:or|and)\s(?:[Oo]ption\s)?[(\[]?[A-H][)\]]?|(?:^|[.!?:]\s|\n)(?:[Oo]ptions?\s)?[(\[]?[A-H][)\]]?\sor\s(?:[Oo]ption\s)?[(\[]?[A-H][)\]]?\s*(?:[,.;!?]|$))(?![A-Za-z0-9])/m;

const TRUNCATING: ReadonlySet<string | null | undefined> = new Set(["length", "max_tokens", "model_length"]);

export function grade(input: GradeInput): Grade {
  const idx = indexOptions(input.options);
  const text = normalizeResponse(input.text);
  // \p{L} covers A–Z and a–z.
  if (!/[0-9\p{L}]/u.test(text)) return none("empty");
  const truncated = TRUNCATING.has(input.finishReason);

  let cands = [...jsonFields(text, idx), ...answerLines(text, idx), ...loneLetterLines(text, idx), ...statements(text, idx)];
  // Cut at max_tokens: only a final-form commitment completed before the cut can be trusted (only an `Answer:` line
  // or a JSON field is ever `complete`).
  if (truncated) cands = cands.filter((c) => c.complete);
  if (cands.length === 0 && !truncated) {
    const sole = soleMentionedOption(text, idx);
    if (sole !== null) return { letter: sole.letter, method: "option_text", reason: null, rule: "option_mention", matched: sole.text };
  }
  const pick = choose(cands);
  if (pick === null) return none(truncated ? "truncated" : refused(text) ? "refusal" : TORN.test(text) ? "hedge" : "no_commitment");
  if (pick.read.kind === "hedge") return none("hedge", pick);
  const letter = pick.read.letter;
  if (!isOption(letter, idx)) return none("out_of_range", pick);
  return { letter, method: pick.method, reason: null, rule: pick.rule, matched: pick.matched };
}

function choose(cands: readonly Candidate[]): Candidate | null {
  if (cands.length === 0) return null;
  const top = Math.max(...cands.map((c) => c.tier));
  // At one position (a line's end), a revision later on that line outranks the `Answer:` it takes back.
  const rank = (c: Candidate): number => (c.rule === "revision" ? 1 : 0);
  const ordered = [...cands].sort((a, b) => a.pos - b.pos || rank(a) - rank(b));
  // A lone letter line is the final form only where the reply has no other: an `Answer:` line, a JSON field or a
  // revision decides over a letter line before or after it ("Answer: C" … "B) Vancomycin").
  const inTier = ordered.filter((c) => c.tier === top);
  const tierCands = inTier.some((c) => c.rule !== "lone_letter") ? inTier.filter((c) => c.rule !== "lone_letter") : inTier;
  const last = tierCands[tierCands.length - 1]!;
  if (last.read.kind !== "hedge") return last;
  // "could be B or C, but B is more likely": a later commitment to one of the hedged letters settles it.
  const hedged = last.read.letters;
  const later = ordered.filter((c) => c.pos > last.pos);
  // Stryker disable next-line ConditionalExpression: a hedge read has no `letter`, so includes() rejects it anyway
  const settle = later.filter((c) => c.read.kind === "letter" && hedged.includes(c.read.letter));
  return settle[settle.length - 1] ?? last;
}

function isOption(letter: string, idx: OptionIndex): letter is Letter {
  // idx.letters holds only real letters (A–E), so this also rules out F–H.
  return (idx.letters as readonly string[]).includes(letter);
}

function none(reason: NoneReason, by?: Candidate): Grade {
  return { letter: null, method: "none", reason, rule: by?.rule ?? null, matched: by?.matched ?? null };
}

/** What a case record keeps of a grade. */
export function gradeRecord(g: Grade): GradeRecord {
  return { method: g.method, reason: g.reason, rule: g.rule, matched: g.matched, v: GRADER_VERSION };
}
