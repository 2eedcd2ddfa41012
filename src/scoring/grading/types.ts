// The grader's contract: what goes in (response, options, finish_reason) and what comes out (a letter or none,
// and how the verdict was reached). Records on disk carry `GradeRecord` (snake_case, the journal's format).
import type { Letter } from "../../types.js";

/**
 * How the letter was found.
 * - `format`: the form the prompt asked for: an `Answer: X` line, or the answer step's JSON `answer` field;
 * - `statement`: another explicit commitment ("I would choose B", "C is correct", `\boxed{C}`, a lone final letter line);
 * - `option_text`: the response commits to exactly one option's text and names no letter;
 * - `none`: no letter (see NoneReason).
 */
export const GRADE_METHODS = ["format", "statement", "option_text", "none"] as const;
export type GradeMethod = (typeof GRADE_METHODS)[number];

/**
 * Why no letter was given.
 * - `empty`: nothing but whitespace, markup or control tokens;
 * - `truncated`: the output was cut (finish_reason length) before a complete `format` commitment;
 * - `hedge`: the final commitment names two or more letters ("B or C") or asks ("B?");
 * - `out_of_range`: the final commitment names a letter that is not an option;
 * - `refusal`: the model declines to answer;
 * - `no_commitment`: none of the above, the response never commits.
 */
export const NONE_REASONS = ["no_commitment", "hedge", "truncated", "out_of_range", "refusal", "empty"] as const;
export type NoneReason = (typeof NONE_REASONS)[number];

export interface GradeInput {
  /** The model's raw response text. */
  text: string;
  /** Option texts by letter. An empty string means "text unknown" (old journals): letters still count. */
  options: Partial<Record<Letter, string>>;
  /** The call's finish_reason; "length" means the output was cut at max_tokens. */
  finishReason?: string | null;
}

export interface Grade {
  letter: Letter | null;
  method: GradeMethod;
  /** Set iff method is "none". */
  reason: NoneReason | null;
  /** The rule that decided (`answer_line`, `json_field`, `statement`, …), or null for none without a rule. */
  rule: string | null;
  /** The normalised text span the verdict rests on (for the report's explanation), or null. */
  matched: string | null;
}

/** What a case record keeps of its grade. */
export interface GradeRecord {
  method: GradeMethod;
  reason: NoneReason | null;
  rule: string | null;
  matched: string | null;
  /** Grader version that produced it (re-grades compare verdicts, not versions). */
  v: number;
}
