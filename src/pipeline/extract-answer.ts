// Strict answer-letter extraction from a free-text model response. A letter is returned only when the response
// states one unambiguously; anything else is null (scored as `unparseable`), never a guess. The old harness read
// "Answer: D" as A (the first capital letter); here a letter must be a standalone token in an answer position.
import { LETTERS, type Letter } from "../types.js";
import { readJson } from "./json/parse.js";

/** What one answer statement says. */
type Decision = { kind: "letter"; letter: Letter } | { kind: "ambiguous" };

const LETTER_SET: ReadonlySet<string> = new Set(LETTERS);

/**
 * An explicit answer statement, up to its separator: "Answer:", "The final answer is", "**Answer:**",
 * "correct option is", `"answer": `. The letter is read from what follows (see readStatedLetter).
 */
const STATEMENT =
  /\b(?:answers?(?:\s+(?:choice|option))?|(?:final|correct|best|right|most\s+(?:likely|appropriate))\s+(?:option|choice|response|selection))(?:\s+(?:to|for)\s+(?:this|the)\s+question)?[*_"'`]*\s*(?:(?:is|(?:would|should|must|will|could|might|may)\s+be|remains)\b\s*:?|[:=]|[-–—](?=\s))/gi;

/** Reverse form: "Option C is correct", "(B) is the best answer", "D is the correct answer". */
const REVERSE =
  /(?:\b(?:[Oo]ption|[Cc]hoice)\s+[(\[]?([A-Ea-e])[)\]]?|[(\[]([A-Ea-e])[)\]]|\b([A-E]))(?![A-Za-z0-9])[*_]*\s+is\s+(?:the\s+)?(?:(?:most\s+)?correct|right|best)(?:\s+(?:answer|option|choice))?\b/g;

/** Words allowed between a statement and its letter ("the answer is therefore B", "either B or D"). */
const FILLER =
  /^(?:either|both|between|option|choice|letter|therefore|thus|hence|so|clearly|definitely|probably|likely|most\s+likely|indeed|actually|then)\b[\s*_"'`:]*/i;

/** A connector between two letters: ",", "/", "or", "and", "and/or", "vs", "nor", optionally in parentheses. */
const HEDGE =
  /^[\s*_]*(?:\(\s*)?(?:,\s*(?:(?:or|and)\b)?|\/|\band\/or\b|\bor\b|\band\b|\bnor\b|\bvs\b\.?|\bversus\b)[\s*_]*(?:(?:possibly|maybe|perhaps|also|even|option|choice)\s+)*/i;

/** A question mark right after a stated letter (closing markup or bracket allowed): "B?", "**C?**", "(D)?". */
const QUERIED = /^[*_"'`)\]]*\?/;

/** Words that may follow a bare letter ("B because …"); after "A", any other word means the article. */
const CONNECTORS = new Set(["because", "since", "as", "which", "given", "due", "based", "for", "is", "was", "being"]);

/** How far after a statement its letter and any hedge are looked for (keeps the work linear). */
const WINDOW = 160;

/** The letter the response states, if it is in `letters`; null when absent, ambiguous, a refusal or out of range. */
export function extractAnswer(text: string, letters: readonly Letter[]): Letter | null {
  const decision = fromJson(text) ?? fromStatements(text) ?? fromLoneLine(text);
  if (decision === null || decision.kind === "ambiguous") return null;
  return letters.includes(decision.letter) ? decision.letter : null;
}

/** A JSON response's `answer` field decides on its own (the prose in a justification may mention other letters). */
function fromJson(text: string): Decision | null {
  if (!text.includes("{")) return null;
  const read = readJson(text);
  if (!read.ok) return null;
  const value = read.value;
  if (typeof value !== "object" || value === null || Array.isArray(value)) return null;
  for (const [key, v] of Object.entries(value)) {
    if (!/^(?:final_?)?(?:answer|choice|option|selected_?option)(?:_?(?:letter|idx|choice|option))?$/i.test(key)) continue;
    if (typeof v !== "string") return null;
    return readStatedLetter(v.trim()) ?? { kind: "ambiguous" };
  }
  return null;
}

/** The last statement that names a letter (or hedges between letters) wins. */
function fromStatements(text: string): Decision | null {
  let best: { at: number; decision: Decision } | undefined;
  const consider = (at: number, decision: Decision | null): void => {
    if (decision !== null && (best === undefined || at >= best.at)) best = { at, decision };
  };
  for (const m of text.matchAll(STATEMENT)) {
    const after = m.index + m[0].length;
    consider(m.index, readStatedLetter(text.slice(after, after + WINDOW)));
  }
  for (const m of text.matchAll(REVERSE)) {
    const raw = m[1] ?? m[2] ?? m[3];
    if (raw === undefined) continue;
    const before = text.slice(Math.max(0, m.index - 40), m.index);
    // "A or C is correct": the hedge precedes the letter.
    if (/[(\[]?\b[A-E][)\]]?\s*(?:or|and|\/|,)\s*(?:option\s+|choice\s+)?$/i.test(before)) {
      consider(m.index, { kind: "ambiguous" });
      continue;
    }
    // A bare capital must open a sentence or clause ("C is correct."), not end a name ("Vitamin A is …").
    if (m[3] !== undefined && !/(?:^|[.:,;!?\n])[\s*_]*$/.test(before)) continue;
    consider(m.index, { kind: "letter", letter: raw.toUpperCase() as Letter });
  }
  return best?.decision ?? null;
}

/**
 * The letter at the start of `s` (after markdown and filler words), or ambiguous when the same clause names a
 * second letter ("B or D", "A and C", "A/B"). Null when no letter is stated ("the answer is not clear").
 */
function readStatedLetter(s: string): Decision | null {
  let rest = s.slice(0, WINDOW).replace(/^[\s*_"'`#>]+/, "");
  for (let k = 0; k < 4; k++) {
    const f = FILLER.exec(rest);
    if (!f) break;
    rest = rest.slice(f[0].length);
  }
  const tok = readLetterToken(rest);
  if (tok === null) return null;
  // "Answer: B?" is a guess offered for confirmation, not a choice.
  if (QUERIED.test(rest.slice(tok.end))) return { kind: "ambiguous" };
  // A hedge follows the letter directly ("B or D", "A, B or C", "A (or possibly C)", "B/C"); a letter later in
  // the clause ("D, because B and C are wrong") is reasoning, not a second answer.
  let after = rest.slice(tok.end);
  for (let k = 0; k < 4; k++) {
    const h = HEDGE.exec(after);
    if (!h) break;
    const other = readLetterToken(after.slice(h[0].length));
    if (other === null) break;
    if (other.letter !== tok.letter) return { kind: "ambiguous" };
    after = after.slice(h[0].length + other.end);
  }
  return { kind: "letter", letter: tok.letter };
}

interface LetterToken {
  letter: Letter;
  /** Index just past the token in the input. */
  end: number;
}

/**
 * A standalone option letter at the start of `s`: "B", "(b)", "[C]", "D.", "d)", "B because…", "C - Ketotifen".
 * Not "Dexamethasone", not "e.g.", and not the article in "a beta blocker" / "A 45-year-old man".
 */
function readLetterToken(s: string): LetterToken | null {
  const m = /^(?:([(\[])[ \t]*)?([A-Za-z])(?:[ \t]*([)\]]))?/.exec(s);
  if (!m) return null;
  const letter = m[2]!.toUpperCase();
  if (!LETTER_SET.has(letter)) return null;
  const rest = s.slice(m[0].length);
  const ok = { letter: letter as Letter, end: m[0].length };
  if (/^[A-Za-z0-9]/.test(rest)) return null; // part of a word
  if (m[1] && m[3]) return ok;
  if (m[1]) return rest === "" ? ok : null; // "(A 45-year-old…": an aside, not a label
  if (/^\.[ \t]*[A-Za-z]\./.test(rest) || /^\.[A-Za-z]/.test(rest)) return null; // e.g., i.e., a.m.
  if (rest === "" || /^[.:,;!?*_"'`)\]}\r\n]/.test(rest)) return ok;
  if (/^[ \t]+[-–—:(=\[]/.test(rest) || /^[ \t]*$/.test(rest) || /^[ \t]*\r?\n/.test(rest)) return ok;
  const word = /^[ \t]+([A-Za-z]+)/.exec(rest)?.[1]?.toLowerCase();
  if (word !== undefined && CONNECTORS.has(word)) return ok;
  // "A 45-year-old", "a beta blocker", "A Ketotifen": indistinguishable from the article. Other letters are not words.
  return letter === "A" ? null : ok;
}

/** Option-label lines ("A. …", "(B) …"), counted to recognise a response that lists the options. */
const LABEL_LINE = /^[(\[]?([A-E])[)\].:]/;

/**
 * A response that is only a letter: "B", "**C**", "(A)", "D. Ketotifen eye drops" as its first or last line.
 * Skipped when several lines start with different option labels (the model is walking through the options).
 */
function fromLoneLine(text: string): Decision | null {
  const lines = text
    .split("\n")
    .map(stripLineMarkup)
    .filter((l) => l !== "");
  if (lines.length === 0) return null;
  const labels = new Set<string>();
  for (const l of lines) {
    const m = LABEL_LINE.exec(l);
    if (m) labels.add(m[1]!);
  }
  if (labels.size > 1) return null;
  const candidates = [lines[0]!, lines[lines.length - 1]!].map(loneLetter).filter((d) => d !== null);
  const first = candidates[0];
  if (first === undefined) return null;
  return candidates.every((d) => d.letter === first.letter) ? first : { kind: "ambiguous" };
}

/** Trim whitespace and markdown (`#`, `>`, `*`, `_`, backticks, quotes, a bullet dash) from both ends. */
function stripLineMarkup(line: string): string {
  // Index scanning, not a `[…]+$` regex: that backtracks quadratically on long runs of spaces mid-line.
  const lead = " \t\r#>*_`\"-";
  const trail = " \t\r*_`\"";
  let a = 0;
  let b = line.length;
  while (a < b && lead.includes(line[a]!)) a++;
  while (b > a && trail.includes(line[b - 1]!)) b--;
  return line.slice(a, b);
}

function loneLetter(line: string): { kind: "letter"; letter: Letter } | null {
  const tok = readLetterToken(line);
  if (tok === null) return null;
  const rest = line.slice(tok.end);
  // Only a label: nothing, or punctuation then the option text. "B because …" in prose is not a lone answer.
  if (rest !== "" && !/^[.):]/.test(rest) && !/^[ \t]+[-–—]/.test(rest) && !/^[)\]]/.test(line.slice(tok.end - 1))) {
    return null;
  }
  return { kind: "letter", letter: tok.letter };
}
