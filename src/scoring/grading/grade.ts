// The one grader, for every arm and step: normalise → find commitments → choose the final one. Pure and linear
// in the response length. The choice: the highest tier present (final form > prose statement > sole option
// mention), and within it the last commitment; a hedge stands unless a later commitment picks one of its letters.
import { LETTERS, type Letter } from "../../types.js";
import { normalizeResponse } from "./normalize.js";
import { indexOptions, soleMentionedOption, type OptionIndex } from "./options.js";
import { answerLines, jsonFields, loneLetterLines, statements, type Candidate } from "./rules.js";
import type { Grade, GradeInput, GradeRecord, NoneReason } from "./types.js";

export type { Grade, GradeInput, GradeMethod, GradeRecord, NoneReason } from "./types.js";
export { GRADE_METHODS, NONE_REASONS } from "./types.js";

/** Bumped whenever a rule changes a verdict; stored in records so a re-grade can say which grader made them. */
export const GRADER_VERSION = 4;

/** The model declines ("I cannot answer…", "As an AI…", "consult a physician"). Only consulted without a commitment. */
const REFUSAL =
  /\b(?:i\s*(?:cannot|can\s*not|can't|am\s+unable\s+to|'m\s+unable\s+to|am\s+not\s+able\s+to|'m\s+not\s+able\s+to|won't|will\s+not|must\s+decline\s+to|do\s+not\s+feel\s+comfortable)\s+(?:answer|provide|help|assist|give|offer|choose|select|determine|make|recommend|diagnose)|as\s+an\s+ai\b|not\s+(?:able|qualified|permitted)\s+to\s+(?:provide|give|offer)\s+(?:medical|a\s+diagnosis)|(?:please\s+)?consult\s+(?:a|your|with\s+a)\s+(?:qualified\s+)?(?:physician|doctor|healthcare|medical|health\s+care))/i;

const TRUNCATING = new Set(["length", "max_tokens", "model_length"]);

export function grade(input: GradeInput): Grade {
  const idx = indexOptions(input.options);
  const text = normalizeResponse(input.text);
  if (!/[A-Za-z0-9\p{L}]/u.test(text)) return none("empty");
  const truncated = input.finishReason != null && TRUNCATING.has(input.finishReason);

  let cands = [...jsonFields(text, idx), ...answerLines(text, idx), ...loneLetterLines(text, idx), ...statements(text, idx)];
  // Cut at max_tokens: only a final-form commitment completed before the cut can be trusted.
  if (truncated) cands = cands.filter((c) => (c.rule === "answer_line" || c.rule === "json_field") && c.complete);
  if (cands.length === 0 && !truncated) {
    const sole = soleMentionedOption(text, idx);
    if (sole !== null) return { letter: sole.letter, method: "option_text", reason: null, rule: "option_mention", matched: sole.text };
  }
  const pick = choose(cands);
  if (pick === null) return none(truncated ? "truncated" : REFUSAL.test(text) ? "refusal" : "no_commitment");
  if (pick.read.kind === "hedge") return none("hedge", pick);
  const letter = pick.read.letter;
  if (!isOption(letter, idx)) return none("out_of_range", pick);
  return { letter, method: pick.method, reason: null, rule: pick.rule, matched: pick.matched };
}

function choose(cands: readonly Candidate[]): Candidate | null {
  if (cands.length === 0) return null;
  const top = Math.max(...cands.map((c) => c.tier));
  // At one position (a line's end): an `Answer:` line outranks the lone letter line that is its own continuation,
  // and a revision later on that line outranks the `Answer:` it takes back.
  const rank = (c: Candidate): number => (c.rule === "lone_letter" ? 0 : c.rule === "revision" ? 2 : 1);
  const ordered = [...cands].sort((a, b) => a.pos - b.pos || rank(a) - rank(b));
  const tierCands = ordered.filter((c) => c.tier === top);
  const last = tierCands[tierCands.length - 1]!;
  if (last.read.kind !== "hedge") return last;
  // "could be B or C, but B is more likely": a later commitment to one of the hedged letters settles it.
  const hedged = last.read.letters;
  const settle = ordered.filter((c) => c.pos > last.pos && c.read.kind === "letter" && hedged.includes(c.read.letter));
  return settle[settle.length - 1] ?? last;
}

function isOption(letter: string, idx: OptionIndex): letter is Letter {
  return (LETTERS as readonly string[]).includes(letter) && idx.letters.includes(letter as Letter);
}

function none(reason: NoneReason, by?: Candidate): Grade {
  return { letter: null, method: "none", reason, rule: by?.rule ?? null, matched: by?.matched ?? null };
}

/** What a case record keeps of a grade. */
export function gradeRecord(g: Grade): GradeRecord {
  return { method: g.method, reason: g.reason, rule: g.rule, matched: g.matched, v: GRADER_VERSION };
}
