// Matching a correct answer's text against a model's free-text candidate (a diagnosis in a differential, or prose).
//
// Both texts go through one analysis (`analyse`): a list of canonical tokens, each tagged with its clause (text
// between punctuation) and sentence. Then:
//
//   matches(answer, candidate) is true iff the canonical texts are equal, or, after dropping the candidate's negated
//   tokens, some alternative of the candidate ("X or Y", "X vs Y") holds every content token of the answer AND its
//   head (the part before a subordinate connective: "with", "secondary to", "due to", …) holds every content token
//   of the answer's own head. So "Pulmonary embolism" matches "Pulmonary embolism with right heart strain", but
//   "Aortic stenosis" does not match "Mitral stenosis with aortic regurgitation", nor "Left ventricular failure"
//   "Right ventricular failure secondary to left-sided valve disease". The candidate is never matched because it is
//   contained in the answer: "Anemia" does not match the answer "Iron deficiency anemia".
//
//   phraseIn(answer, text) is true iff the answer's canonical tokens occur contiguously, inside one clause, with none
//   of them negated. Used for "mentioned" over prose, where an order-free rule would be far too lenient.
//
// Canonical tokens (see `scan`): accents dropped, lower case, possessive "'s" dropped (Wilson's → wilson), other
// apostrophes deleted, hyphens split words ("non-Hodgkin" → "non hodgkin"), then "non" fuses with the next word
// (nonhodgkin ≠ hodgkin), British spellings folded (anaemia → anemia), plurals reduced (stones → stone), ordinals and
// Roman numerals after a counting word become digits (type II → type 2, factor VIII → factor 8), articles dropped,
// and the curated abbreviation/synonym table (synonyms.json: MI, SLE, B12/cobalamin, …) rewritten to one form.
// "a" is an article except where it is a letter: "Hepatitis A" (capital, not starting a sentence) or a lower-case
// "a" closing its clause ("hepatitis a."). So "…viral hepatitis, a common cause…" never mentions "Hepatitis A".
//
// Negation (candidates only, NegEx-style): a cue before a term ("not", "no", "without", "ruled out", "negative for",
// "unlikely", "inconsistent with", …) negates the rest of its sentence up to a contrastive word ("but", "however",
// …); a cue after a term ("X is unlikely", "X ruled out", "X (excluded)") negates back to the previous comma or
// sentence break, or to the one before when the cue opens its own comma-part ("X, ruled out"). A cue whose words are all in the answer is part of the
// answer's name ("Absence of the vas deferens"), not a negation.

import { readFileSync } from "node:fs";

/** One canonical token with the clause and sentence it sits in. */
export interface Token {
  t: string;
  /** Text between any two punctuation marks (commas, brackets, full stops, …). */
  clause: number;
  /** Text between commas, semicolons and sentence breaks, brackets included: the reach of a post-negation. */
  part: number;
  sent: number;
}

/** Ignored when checking that every answer token is present (they carry no diagnostic meaning). */
const FUNCTION_WORDS = new Set(["of", "and", "or", "in", "with", "to", "for", "by", "on", "at", "from", "due", "its", "is", "as"]);

const NON_ASCII = /[^\x00-\x7f]/;
// A word: letters/digits, with inner apostrophes (crohn's) and decimal or thousands separators between digits (2.5).
const WORD = /[\p{L}\p{N}]+(?:['’‘`][\p{L}\p{N}]+|(?<=\p{N})[.,]\p{N}+)*['’‘`]?/gu;
const APOSTROPHE = /['’‘`]/g;
const SENTENCE_BREAK = /[.;:!?\n]/;
const CLAUSE_BREAK = /[.;:!?\n,()[\]{}"“”]|\s[-–—]+\s|[–—]/;
const PART_BREAK = /[.;:!?\n,]|\s[-–—]+\s|[–—]/;

/** Words after which i, ii, …, xii (and 1st, 2nd) are counts: "type II", "stage IV", "factor Xa", "cranial nerve VII". */
const COUNT_WORDS = new Set(["type", "stage", "grade", "class", "factor", "phase", "nerve", "cn", "mobitz", "collagen", "complex", "zone", "level", "schedule", "men", "degree"]);
const ROMAN: Record<string, number> = { i: 1, ii: 2, iii: 3, iv: 4, v: 5, vi: 6, vii: 7, viii: 8, ix: 9, x: 10, xi: 11, xii: 12 };
const ORDINAL_WORDS: Record<string, string> = { first: "1", second: "2", third: "3", fourth: "4" };

/** Accents off (NFKD, marks dropped); ASCII text skips the costly Unicode pass. */
function fold(text: string): string {
  return NON_ASCII.test(text) ? text.normalize("NFKD").replace(/\p{M}/gu, "") : text;
}

/** British → American spellings, on a lower-case word: anaemia, oedema, tumour, fibre, sulphate. */
function spelling(w: string): string {
  if (w.length < 4) return w;
  let s = w.replace(/ae/g, "e").replace(/oe/g, "e").replace(/sulph/g, "sulf");
  s = s.replace(/(?<=[a-z]{2})our(?=$|al|ed|ing|ite|able|s$)/, "or");
  return s.replace(/(?<=[a-z]{2}[tb])re(?=s?$)/, "er"); // fibre(s) → fiber(s), before the plural rule
}

/** Plural → singular, conservatively and identically on both sides (the same word always gives the same token). */
export function singular(w: string): string {
  if (w.length < 4 || !/^[a-z]+$/.test(w)) return w;
  if (w.length >= 7 && w.endsWith("oses")) return `${w.slice(0, -2)}is`; // stenoses → stenosis
  if (w.length >= 5 && w.endsWith("ies")) return `${w.slice(0, -3)}y`; // bodies → body
  if (/(?:ss|x|sh|tch|nch|rch|uch)es$/.test(w)) return w.slice(0, -2); // abscesses → abscess
  if (w.endsWith("s") && !/(?:ss|us|is)$/.test(w)) return w.slice(0, -1); // stones → stone; virus, arteritis kept
  return w;
}

/** A word and the text between it and the previous word (what follows a word is the next word's `before`). */
interface RawWord {
  text: string;
  before: string;
}

function rawWords(text: string): RawWord[] {
  const out: RawWord[] = [];
  let last = 0;
  for (const m of text.matchAll(WORD)) {
    out.push({ text: m[0], before: text.slice(last, m.index) });
    last = m.index + m[0].length;
  }
  return out;
}

/**
 * "C. difficile", "E. coli": a single letter, a full stop and a lower-case word is an abbreviated genus, not the
 * end of a sentence.
 */
function isAbbrevDot(prev: string, sep: string, next: string): boolean {
  return prev.length === 1 && /^\.\s*$/.test(sep) && /^[a-z]/.test(next);
}

/** Is this "a"/"A" the letter (Hepatitis A, Vitamin A) rather than the article? */
function isLetterA(w: RawWord, i: number, words: readonly RawWord[], sentenceStart: boolean): boolean {
  if (words.length === 1) return true;
  const next = words[i + 1];
  if (w.text === "A") {
    if (next !== undefined && isAbbrevDot(w.text, next.before, next.text)) return true; // "A. fumigatus"
    return !sentenceStart;
  }
  // Lower-case "a" is a letter only where an article cannot stand: closing its clause, after a word.
  const closesClause = next === undefined || CLAUSE_BREAK.test(next.before);
  return closesClause && !sentenceStart && !CLAUSE_BREAK.test(w.before);
}

/** Lexical canonical tokens, before the synonym table. */
function scan(text: string): Token[] {
  const words = rawWords(fold(text));
  const toks: Token[] = [];
  let clause = 0;
  let part = 0;
  let sent = 0;
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    const brk = i > 0 && !isAbbrevDot(words[i - 1]!.text, w.before, w.text);
    const sentenceBreak = brk && SENTENCE_BREAK.test(w.before);
    if (brk) {
      if (sentenceBreak) sent++;
      if (CLAUSE_BREAK.test(w.before)) clause++;
      if (PART_BREAK.test(w.before)) part++;
    }
    const sentenceStart = i === 0 || sentenceBreak;
    const lower = w.text.toLowerCase();
    if (lower === "the" || lower === "an") continue;
    if (lower === "a" && !isLetterA(w, i, words, sentenceStart)) continue;
    for (const p of wordForms(lower)) toks.push({ t: p, clause, part, sent });
  }
  return contextual(toks);
}

/**
 * A memo of a pure function of a string, emptied when it reaches `limit` entries (bounded: a long run's vocabulary,
 * not its text). Callers share the returned values and never mutate them.
 */
function memo<T>(limit: number, f: (key: string) => T): (key: string) => T {
  const cache = new Map<string, T>();
  const store = (key: string): T => {
    const value = f(key);
    // Stryker disable next-line ConditionalExpression,EqualityOperator: when the cache is emptied changes memory, never a result (f is pure)
    if (cache.size >= limit) cache.clear();
    cache.set(key, value);
    return value;
  };
  // (T is never undefined or null here: token arrays.)
  return (key) => cache.get(key) ?? store(key);
}

/** Per-word canonical forms (memoised: words repeat across texts, and this is most of the matcher's time). */
const wordForms = memo(50_000, (lower): readonly string[] => {
  const s = lower.replace(/['’‘`]s$/, "").replace(APOSTROPHE, "");
  const split = /^(type|stage|grade|class|trisomy|factor|phase)(\d+)$/.exec(s);
  return (split ? [split[1]!, split[2]!] : [s]).map((p) => {
    const q = singular(spelling(p));
    const ord = /^(\d+)(?:st|nd|rd|th)$/.exec(q);
    return ord ? ord[1]! : q;
  });
});

/** Rewrites that look at neighbours: non-fusion, counts (type II, second degree). */
function contextual(toks: Token[]): Token[] {
  const out: Token[] = [];
  for (let i = 0; i < toks.length; i++) {
    const tok = toks[i]!;
    const next = toks[i + 1];
    const prev = out[out.length - 1];
    if (tok.t === "non" && next !== undefined && next.clause === tok.clause) {
      out.push({ ...next, t: `non${next.t}` });
      i++;
      continue;
    }
    if (prev !== undefined && prev.clause === tok.clause && COUNT_WORDS.has(prev.t)) {
      const roman = /^([ivx]+)([a-d]?)$/.exec(tok.t);
      if (roman && ROMAN[roman[1]!] !== undefined) {
        out.push({ ...tok, t: `${ROMAN[roman[1]!]}${roman[2]}` });
        continue;
      }
    }
    if (ORDINAL_WORDS[tok.t] !== undefined && next?.t === "degree") {
      out.push({ ...tok, t: ORDINAL_WORDS[tok.t]! });
      continue;
    }
    out.push(tok);
  }
  return out;
}

// ── synonym / abbreviation table ──────────────────────────────────────────────────────────────────────────────

export interface SynonymGroup {
  canonical: string;
  variants: string[];
}

interface SynonymTable {
  /** First token → variants starting with it (as token lists), longest first, each with its canonical tokens. */
  byFirst: Map<string, Array<{ from: string[]; to: string[] }>>;
}

const lexical = (s: string): string[] => scan(s).map((t) => t.t);

export function buildSynonyms(groups: readonly SynonymGroup[]): SynonymTable {
  const byFirst = new Map<string, Array<{ from: string[]; to: string[] }>>();
  for (const g of groups) {
    const to = lexical(g.canonical);
    for (const v of [g.canonical, ...g.variants]) {
      const from = lexical(v);
      if (from.length === 0) continue;
      const list = byFirst.get(from[0]!) ?? [];
      list.push({ from, to });
      byFirst.set(from[0]!, list);
    }
  }
  for (const list of byFirst.values()) list.sort((a, b) => b.from.length - a.from.length);
  return { byFirst };
}

export function loadSynonymGroups(): SynonymGroup[] {
  const raw = JSON.parse(readFileSync(new URL("./synonyms.json", import.meta.url), "utf8")) as { groups: SynonymGroup[] };
  return raw.groups;
}

// Built on first use, not at import: importing the matcher stays cheap, and mutation testing sees the table
// building run inside the tests (at import time every mutant it reaches would be "static": all tests, each run).
let synonyms: SynonymTable | undefined;
const defaultSynonyms = (): SynonymTable => (synonyms ??= buildSynonyms(loadSynonymGroups()));

/** Longest-match rewrite of table variants to their canonical form, never across a clause break. */
function canonical(toks: Token[], table: SynonymTable = defaultSynonyms()): Token[] {
  const out: Token[] = [];
  let i = 0;
  outer: while (i < toks.length) {
    const tok = toks[i]!;
    for (const { from, to } of table.byFirst.get(tok.t) ?? []) {
      if (i + from.length > toks.length) continue;
      let ok = true;
      for (let k = 0; k < from.length; k++) {
        const x = toks[i + k]!;
        if (x.t !== from[k] || x.clause !== tok.clause) {
          ok = false;
          break;
        }
      }
      if (!ok) continue;
      for (const t of to) out.push({ ...tok, t });
      i += from.length;
      continue outer;
    }
    out.push(tok);
    i++;
  }
  return out;
}

/** Canonical tokens of a text (lexical normalisation, then the synonym table). Memoised for short texts (answers and
 * differential names recur across cases); the returned array is shared, so callers never mutate it. */
const analyseShort = memo(20_000, (text): readonly Token[] => canonical(scan(text)));
export function analyse(text: string): readonly Token[] {
  // Stryker disable next-line ConditionalExpression,EqualityOperator: which texts are memoised changes memory, never a result
  return text.length > 200 ? canonical(scan(text)) : analyseShort(text);
}

/** The canonical form as one string (tokens joined by single spaces). */
export function normalise(text: string): string {
  return analyse(text)
    .map((t) => t.t)
    .join(" ");
}

/** Whole canonical tokens of the text. */
export function tokens(text: string): string[] {
  return analyse(text).map((t) => t.t);
}

/** Tokens that must all be present in a candidate for a match. */
export function contentTokens(text: string): string[] {
  return tokens(text).filter((t) => !FUNCTION_WORDS.has(t));
}

// ── negation ───────────────────────────────────────────────────────────────────────────────────────────────────

const PRE_CUES: readonly string[][] = [
  ["not"], ["no"], ["without"], ["never"], ["neither"], ["nor"], ["deny"], ["denied"],
  ["ruled", "out"], ["negative", "for"], ["absence", "of"], ["free", "of"], ["unlikely"], ["less", "likely"],
  ["inconsistent", "with"], ["argue", "against"], ["evidence", "against"], ["rather", "than"], ["instead", "of"],
  ["excluded"],
];
const POST_CUES: readonly string[][] = [
  ["unlikely"], ["less", "likely"], ["not", "likely"], ["ruled", "out"], ["excluded"], ["absent"], ["improbable"],
  ["doubtful"], ["not", "supported"], ["not", "favored"], ["not", "present"], ["not", "seen"], ["not", "found"],
  ["not", "suspected"], ["less", "probable"], ["not", "consistent"],
];
/** Words that may stand between a term and its post-cue without carrying meaning: "X (is very unlikely)". */
const COPULA = new Set(["is", "are", "was", "were", "be", "been", "being", "seems", "appears", "very", "highly", "much", "now", "also", "considered", "felt", "thought"].map(singular));
/** Words that end a negation's scope: "no fever but pneumonia is likely". */
// (Lists are written as words and passed through `singular`, as text tokens are: "whereas" is the token "wherea".)
const SCOPE_END = new Set(["but", "however", "although", "though", "whereas", "yet", "except", "while"].map(singular));

function cueAt(toks: readonly Token[], i: number, cue: readonly string[]): boolean {
  if (i + cue.length > toks.length) return false;
  for (let k = 0; k < cue.length; k++) {
    const x = toks[i + k]!;
    if (x.t !== cue[k] || x.sent !== toks[i]!.sent) return false;
  }
  return true;
}

/** Per token: is it negated? Cues made only of words of `answerWords` are part of the answer's name, not cues. */
export function negated(toks: readonly Token[], answerWords: ReadonlySet<string> = new Set()): boolean[] {
  const neg = toks.map(() => false);
  const own = (cue: readonly string[]) => cue.every((w) => answerWords.has(w));
  for (const i of toks.keys()) {
    for (const cue of PRE_CUES) {
      if (own(cue) || !cueAt(toks, i, cue)) continue;
      for (let j = i; j < toks.length && toks[j]!.sent === toks[i]!.sent && !SCOPE_END.has(toks[j]!.t); j++) neg[j] = true;
    }
    for (const cue of POST_CUES) {
      if (own(cue) || !cueAt(toks, i, cue)) continue;
      for (let j = i + cue.length - 1; j >= i; j--) neg[j] = true;
      // Back to the start of the cue's part (brackets included); a cue that opens its part ("X, ruled out",
      // "X, which is unlikely") reaches one part back. (The copula walk may pass the part's start: the part before
      // then differs from the cue's either way.)
      let first = i;
      while (first > 0 && COPULA.has(toks[first - 1]!.t)) first--;
      const opens = first === 0 || toks[first - 1]!.part !== toks[i]!.part;
      const stopPart = opens ? toks[i]!.part - 1 : toks[i]!.part;
      for (let j = i - 1; j >= 0; j--) {
        const x = toks[j]!;
        if (x.sent !== toks[i]!.sent || x.part < stopPart || SCOPE_END.has(x.t)) break;
        neg[j] = true;
      }
    }
  }
  return neg;
}

// ── matching ───────────────────────────────────────────────────────────────────────────────────────────────────

/** Subordinate connectives: what follows them is a complication or cause, not the diagnosis itself. */
const CONNECTIVES: readonly string[][] = [
  ["secondary", "to"], ["due", "to"], ["caused", "by"], ["associated", "with"], ["complicated", "by"], ["with"],
  ["following"], ["after"], ["in", "setting", "of"], ["induced", "by"], ["leading", "to"], ["resulting", "in"],
  ["causing"], ["presenting", "as"], ["mimicking"],
];
const ALTERNATIVE = new Set(["or", "vs", "versus"]);

const words = (toks: readonly Token[]): string[] => toks.map((t) => t.t);

/** The tokens before the first connective. */
function head(ws: readonly string[]): string[] {
  for (const i of ws.keys()) {
    for (const c of CONNECTIVES) {
      if (c.every((w, k) => ws[i + k] === w)) return ws.slice(0, i);
    }
  }
  return [...ws];
}

function alternatives(ws: readonly string[]): string[][] {
  const out: string[][] = [];
  let start = 0;
  ws.forEach((w, i) => {
    if (!ALTERNATIVE.has(w)) return;
    out.push(ws.slice(start, i));
    start = i + 1;
  });
  out.push(ws.slice(start));
  return out;
}

const content = (ws: readonly string[]): string[] => ws.filter((w) => !FUNCTION_WORDS.has(w));
const allIn = (need: readonly string[], have: readonly string[]): boolean => {
  const set = new Set(have);
  return need.every((w) => set.has(w));
};

export function matches(answer: string, candidate: string): boolean {
  const a = words(analyse(answer));
  if (a.length === 0) return false;
  const ctoks = analyse(candidate);
  if (a.join(" ") === words(ctoks).join(" ")) return true;
  const need = content(a);
  if (need.length === 0) return false;
  const answerWords = new Set(a);
  const neg = negated(ctoks, answerWords);
  const live = ctoks.filter((_, i) => !neg[i]).map((t) => t.t);
  const needHead = content(head(a));
  const alts = a.some((w) => ALTERNATIVE.has(w)) ? [live] : alternatives(live);
  return alts.some((alt) => allIn(need, alt) && allIn(needHead, head(alt)));
}

/**
 * True iff the answer's canonical tokens occur as a contiguous run inside one clause of the text (anywhere, when the
 * answer itself spans clauses), none of them negated.
 */
export function phraseIn(answer: string, text: string): boolean {
  return phraseMatcher(answer)(text);
}

/** `phraseIn` with the answer analysed once, for checking many texts against one answer. */
export function phraseMatcher(answer: string): (text: string) => boolean {
  const atoks = analyse(answer);
  const a = words(atoks);
  if (content(a).length === 0) return () => false;
  const answerWords = new Set(a);
  // An answer that spans clauses ("Principal cells; aldosterone") only needs to be contiguous.
  const oneClause = atoks.every((t) => t.clause === atoks[0]!.clause);
  return (text) => {
    const t = analyse(text);
    let neg: boolean[] | null = null;
    for (let i = 0; i + a.length <= t.length; i++) {
      if (t[i]!.t !== a[0]) continue;
      let ok = true;
      for (let k = 1; k < a.length && ok; k++) {
        const x = t[i + k]!;
        ok = x.t === a[k] && (!oneClause || x.clause === t[i]!.clause);
      }
      if (!ok) continue;
      neg ??= negated(t, answerWords);
      let live = true;
      for (let k = 0; k < a.length; k++) if (neg[i + k]) live = false;
      if (live) return true;
    }
    return false;
  };
}
