// Matching a correct answer's text against a model's free-text candidate (a diagnosis in a differential).
//
// Rule (precise):
//   matches(answer, candidate) is true iff
//     (a) normalise(answer) is non-empty and equals normalise(candidate), or
//     (b) the answer has at least one content token and EVERY content token of the answer occurs as a whole
//         token of the candidate (order-free; the candidate may have extra tokens).
//   It is never true because the candidate is contained in the answer: "Anemia" (candidate) does not match
//   the answer "Iron deficiency anemia", since "iron" and "deficiency" are missing from the candidate.
//
// Tokens, not substrings: "gout" is not in "pseudogout", "type ii" is not in "type iii". Numbers, roman numerals
// and single letters are content ("Type 2" ≠ "Type 1", "Hepatitis A" ≠ "Hepatitis B"). No synonyms, no stemming,
// no spelling variants ("anaemia" ≠ "anemia", "stones" ≠ "stone"): a miss there is a visible under-count, never
// a silent over-count, which is the failure mode of the old harness.

/** Ignored when checking that every answer token is present (they carry no diagnostic meaning). */
const FUNCTION_WORDS = new Set(["of", "and", "or", "in", "with", "to", "for", "by", "on", "at", "from", "due", "its", "is", "as"]);

/**
 * Canonical form: Unicode NFKD with combining marks removed (Guillain-Barré → guillain barre), lower case,
 * apostrophes deleted (Crohn's → crohns), every other non-alphanumeric run → one space, trimmed, then the
 * articles "the" and "an" dropped anywhere and "a" dropped only as the first of several tokens ("A ruptured
 * spleen"), because elsewhere it is a content letter ("Hepatitis A", "Vitamin A deficiency").
 */
export function normalise(text: string): string {
  // ASCII fast path (most model output): same result, without the costly Unicode decomposition and classes.
  const folded = ASCII.test(text)
    ? text.toLowerCase().replace(/['`]/g, "").replace(/[^a-z0-9]+/g, " ")
    : text
        .normalize("NFKD")
        .replace(/\p{M}+/gu, "")
        .toLowerCase()
        .replace(/['’‘`]/g, "")
        .replace(/[^\p{L}\p{N}]+/gu, " ");
  const words = folded
    .trim()
    .split(" ")
    .filter((w) => w !== "" && w !== "the" && w !== "an");
  if (words.length > 1 && words[0] === "a") words.shift();
  return words.join(" ");
}

const ASCII = /^[\x00-\x7f]*$/;

/** Whole tokens of the normalised text. */
export function tokens(text: string): string[] {
  const n = normalise(text);
  return n === "" ? [] : n.split(" ");
}

/** Tokens that must all be present in a candidate for a match. */
export function contentTokens(text: string): string[] {
  return tokens(text).filter((t) => !FUNCTION_WORDS.has(t));
}

export function matches(answer: string, candidate: string): boolean {
  const a = normalise(answer);
  if (a === "") return false;
  const c = normalise(candidate);
  if (a === c) return true;
  const need = contentTokens(answer);
  if (need.length === 0) return false;
  const have = new Set(c === "" ? [] : c.split(" "));
  return need.every((t) => have.has(t));
}

/**
 * True iff the normalised answer occurs as a contiguous run of whole tokens inside the normalised text
 * ("iron deficiency anemia" in "... consistent with iron deficiency anemia given ..."). Used for "mentioned",
 * where the text is long prose and the order-free token rule of `matches` would be far too lenient.
 */
export function phraseIn(answer: string, text: string): boolean {
  return phraseMatcher(answer)(text);
}

/** `phraseIn` with the answer normalised once, for checking many texts against one answer. */
export function phraseMatcher(answer: string): (text: string) => boolean {
  const a = normalise(answer);
  if (a === "") return () => false;
  const needle = ` ${a} `;
  const first = a.split(" ")[0]!;
  // Cheap pre-check on the raw text (case-folded): a text without the first word's letters cannot contain the phrase.
  const asciiFirst = ASCII.test(first) ? first : null;
  return (text) => {
    if (asciiFirst !== null && ASCII.test(text) && !text.toLowerCase().replace(/['`]/g, "").includes(asciiFirst)) return false;
    return ` ${normalise(text)} `.includes(needle);
  };
}
