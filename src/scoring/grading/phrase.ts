// Reading what an answer position says: the text right after a cue ("Answer:", "the answer is", `\boxed{`, a
// JSON answer field). A phrase names a letter ("C", "(c)", "Option C", "C) Lisinopril"), an option by its text
// ("Lisinopril", "D-dimer"), several letters (a hedge), or nothing.
import { optionAtStart, type OptionIndex } from "./options.js";

export type PhraseRead =
  | {
      kind: "letter";
      /** Upper case, A–H (out-of-range letters are judged by the caller). */
      letter: string;
      /** How the letter was identified: as a letter, or from an option's text. */
      via: "letter" | "text";
      /** Characters of the phrase consumed up to the end of the letter or label. */
      end: number;
    }
  | { kind: "hedge"; letters: string[]; end: number };

/** Words allowed between a cue and its letter: "the answer is therefore B", "the answer is option C". */
const FILLER =
  /^(?:(?:the\s+)?(?:final\s+|correct\s+|best\s+|right\s+)?(?:answer|option|choice)\s+(?:is|would\s+be)\b|either|both|between|option|choice|letter|answer|therefore|thus|hence|so|then|clearly|definitely|certainly|probably|likely|most\s+likely|indeed|actually|really|simply|in\s+fact|the\s+(?:letter|option|choice)|number|no\.)(?![A-Za-z])[\s:,"'.-]*/i;

/** Words that may follow a letter used as a label ("B because …", "C over D"): function words, never nouns. */
const CONNECTORS = new Set(
  "because since as which given due based for is are was were being over rather here then that this it in with from at on considering but so while whereas not seems seem appears appear fits remains would should will could may might can best correctly also too both".split(
    " ",
  ),
);

/** A connector between two letters: ",", "/", "or", "and", "and/or", "vs", "nor", "(or possibly …". */
const HEDGE_SEP =
  /^[\s]*(?:\(\s*)?(?:,\s*(?:(?:or|and)\b)?|\/|&|\band\/or\b|\bor\b|\band\b|\bnor\b|\bvs\b\.?|\bversus\b)\s*(?:(?:possibly|maybe|perhaps|also|even|potentially|option|choice)\s+)*/i;

/** After a second letter, a verb starts a new clause ("C, and A is wrong"): that letter is not offered. */
const PREDICATE = /^\s+(?:is|are|was|were|would|could|can|may|might|has|have|does|do|seems|appears|remains)\b/i;
/** A clause that sets its letters aside ("A and B are wrong", "B is not indicated"). */
const NEGATIVE_PREDICATE =
  /^\s+(?:is|are|was|were|seems?|appears?)\s+(?:(?:both|all|also|clearly|definitely)\s+)?(?:not\b|wrong|incorrect|unlikely|less\s+likely|excluded|ruled\s+out|inappropriate|contraindicated|distractors?\b)/i;
/** …unless the clause puts both letters together ("A and C are both correct") or calls it right too. */
const JOINT_PREDICATE = /^\s+(?:(?:are|were)\b|(?:is|would\s+be|could\s+be|may\s+be|might\s+be|seems)\s+(?:also|equally)\b)/i;

/**
 * Later in the sentence, another letter called right too: "Answer: B (D is also acceptable)", "B; D would equally
 * be reasonable", "C, and A is correct as well". Not when conditioned ("D is also reasonable if she is pregnant"),
 * and the letter must open a clause or bracket (not end a name: "B, since vitamin A is also …").
 */
const ALSO_VERDICT = String.raw`(?:correct|right|acceptable|reasonable|valid|defensible|possible|plausible|appropriate|good|likely|option|answer|choice)`;
const ALSO_RIGHT = new RegExp(
  String.raw`(?:^\s*|[(;,\/-]\s*|\s(?:and|but|though|although|while|whereas)\s+|\s(?=option\s|choice\s|[(\[]))(?:option\s+|choice\s+)?[(\[]?([A-H])[)\]]?\s+(?:(?:is|would|could|may|might|seems|can)\s+(?:(?:also|equally)\s+(?:be\s+)?(?:(?:a|an|the|very|quite)\s+)?${ALSO_VERDICT}|(?:be\s+)?(?:(?:a|an)\s+)?${ALSO_VERDICT}(?:\s+(?:answer|option|choice))?\s+(?:too|as\s+well))|(?:also|equally)\s+(?:works|fits|applies))\b` +
    String.raw`(?![^.;)\n]{0,60}\b(?:if|unless|when|only|in\s+(?:patients|children|pregnan|a\s+patient|the\s+setting)))`,
);

const LETTER_RE = /^(?:([(\[])[ \t]*)?([A-Za-z])(?:[ \t]*([)\]]))?/;

interface Token {
  letter: string;
  end: number;
  /** The token is followed by "?" ("Answer: B?"): offered for confirmation, not chosen. */
  queried: boolean;
}

/** Max characters of a phrase looked at (keeps every rule linear in the response). */
export const PHRASE_WINDOW = 300;

/**
 * What the phrase at the start of `s` commits to, or null. `s` may start with spaces and up to two line breaks
 * ("The answer is:\n\nC").
 */
export function readPhrase(s: string, idx: OptionIndex, opts: { loose?: boolean } = {}): PhraseRead | null {
  let at = /^[ \t]*(?:\n[ \t]*){0,2}/.exec(s)![0].length;
  let rest = s.slice(at, at + PHRASE_WINDOW);
  const nl = rest.indexOf("\n");
  if (nl >= 0) rest = rest.slice(0, nl);
  const lead = /^[\s"':,.=-]*/.exec(rest)![0].length;
  rest = rest.slice(lead);
  at += lead;
  for (let k = 0; k < 4; k++) {
    const f = FILLER.exec(rest);
    if (!f) break;
    rest = rest.slice(f[0].length);
    at += f[0].length;
  }
  if (/^not\b/i.test(rest)) return null;

  // An option named by its text wins over a reading of its first letter ("C. difficile toxin", "D-dimer").
  const byText = optionAtStart(rest, idx);
  if (byText !== null) {
    const label = /^[^\n]{0,160}?\(([A-Ha-h])\)/.exec(rest);
    const other = label?.[1]!.toUpperCase();
    if (other !== undefined && other !== byText) return { kind: "hedge", letters: [byText, other], end: at + label![0].length };
    return { kind: "letter", letter: byText, via: other === byText ? "letter" : "text", end: at + rest.length };
  }

  const tok = readLetterToken(rest);
  if (tok === null) {
    // "a beta blocker", "an NSAID", "the first option": an article, then maybe an option's text.
    const art = /^(?:an?|the)\s+(?=[a-z0-9])/i.exec(rest);
    const named = art === null ? null : optionAtStart(rest.slice(art[0].length), idx);
    if (named !== null) return { kind: "letter", letter: named, via: "text", end: at + rest.length };
    // On an answer line, a sentence that labels exactly one letter: "Answer: The findings fit (C) embolism."
    if (opts.loose) {
      const labels = new Set([...rest.matchAll(/\(([A-Ha-h])\)/g)].map((x) => x[1]!.toUpperCase()));
      if (labels.size === 1) return { kind: "letter", letter: [...labels][0]!, via: "letter", end: at + rest.length };
    }
    return null;
  }
  if (tok.queried) return { kind: "hedge", letters: [tok.letter], end: at + tok.end };
  const letters = [tok.letter];
  let after = rest.slice(tok.end);
  let end = tok.end;
  // Where the letters after a ", and"/";" begin: "D, and A and B are wrong" sets A and B aside, keeping D.
  let clauseStart: number | undefined;
  for (let k = 0; k < 4; k++) {
    const h = HEDGE_SEP.exec(after);
    if (!h) break;
    const tail = after.slice(h[0].length);
    // "D, C. difficile toxin assay": what follows the comma is an option's text, not a second letter.
    if (optionAtStart(tail, idx) !== null) break;
    const next = readLetterToken(tail);
    if (next === null) break;
    if (/^\s*,\s*and\b/i.test(h[0])) clauseStart = letters.length;
    const pred = tail.slice(next.end);
    if (NEGATIVE_PREDICATE.test(pred)) {
      if (clauseStart !== undefined) letters.length = clauseStart;
      break;
    }
    if (PREDICATE.test(pred) && !JOINT_PREDICATE.test(pred)) break;
    if (!letters.includes(next.letter)) letters.push(next.letter);
    end += h[0].length + next.end;
    after = after.slice(h[0].length + next.end);
  }
  if (letters.length > 1) return { kind: "hedge", letters, end: at + end };
  // "A (Ceftriaxone) and C (Ampicillin)", "A) Ceftriaxone or C) Ampicillin": a label's own text, then another letter.
  const second = secondLabel(after, tok.letter, idx);
  if (second !== null) return { kind: "hedge", letters: [tok.letter, second.letter], end: at + end + second.end };
  // Within the sentence: a second sentence ("C. However, D is also reasonable") is a second thought.
  const also = ALSO_RIGHT.exec(after.split(/[.!?](?=\s)/)[0]!);
  if (also !== null && also[1] !== tok.letter) return { kind: "hedge", letters: [tok.letter, also[1]!], end: at + end + also.index + also[0].length };
  // "C: Verapamil" where Verapamil is option B and not C: the label and the text disagree.
  const labelText = /^\s*[.:)\]-]?\s*(\S.*)$/.exec(after)?.[1];
  if (labelText !== undefined) {
    const named = optionAtStart(labelText, idx);
    const own = idx.folded.find((o) => o.letter === tok.letter);
    // The letter's own text (or one that begins with it: "C: Anemia of chronic disease" for "Anemia") is a
    // restatement; that also covers the text naming the letter itself.
    if (named !== null && own !== undefined && optionAtStart(labelText, { ...idx, folded: [own] }) === null) {
      return { kind: "hedge", letters: [tok.letter, named], end: at + end };
    }
  }
  return { kind: "letter", letter: tok.letter, via: "letter", end: at + end };
}

/** After a letter: its own option text (bare, or in brackets), a hedge separator, then a different letter. */
function secondLabel(after: string, letter: string, idx: OptionIndex): { letter: string; end: number } | null {
  const own = idx.folded.find((o) => o.letter === letter);
  const label = /^\s*(?:\(([^()\n]{1,80})\)|[.:)\]-]?\s*([^\n]*?))(?=\s*(?:,|\/|&|\bor\b|\band\b|\bvs\b|\bversus\b))/i.exec(after);
  if (label === null || own === undefined) return null;
  const text = (label[1] ?? label[2]!).trim();
  if (optionAtStart(text, { ...idx, folded: [own] }) === null) return null; // (an empty text names nothing)
  const rest = after.slice(label[0].length);
  // The label's lookahead saw a separator that HEDGE_SEP reads.
  const h = HEDGE_SEP.exec(rest)!;
  const next = readLetterToken(rest.slice(h[0].length));
  if (next === null || next.letter === letter || PREDICATE.test(rest.slice(h[0].length + next.end))) return null;
  return { letter: next.letter, end: label[0].length + h[0].length + next.end };
}

/**
 * A standalone option letter at the start of `s`: "B", "(b)", "[C]", "D.", "d)", "B because …", "C - Ketotifen",
 * "A Aortic dissection". Not "Dexamethasone", "D-dimer", "e.g.", "A 45-year-old", or the article in "a beta blocker".
 */
export function readLetterToken(s: string): Token | null {
  const m = LETTER_RE.exec(s);
  if (!m) return null;
  const letter = m[2]!.toUpperCase();
  if (letter > "H") return null;
  const rest = s.slice(m[0].length);
  const ok = (): Token => ({ letter, end: m[0].length, queried: /^[)\]}"']*\s*\?/.test(rest) });
  if (/^[A-Za-z0-9]/.test(rest)) return null; // part of a word
  if (m[1] && m[3]) return ok(); // a bracketed label, also "(C)-Diltiazem"
  if (m[1] && !m[3]) return rest.trim() === "" ? ok() : null; // "(A 45-year-old …": an aside, not a label
  if (/^\.[a-z]/.test(rest) || (/[a-z]/.test(m[2]!) && /^\.[ \t][a-z]\./.test(rest))) return null; // e.g., i.e., a.m., a. m.
  if (/^[.:,;!?)\]}"'=/&]/.test(rest) || /^[ \t]*(?:\n|$)/.test(rest)) return ok();
  if (/^[ \t]+[-:(=[/&?]/.test(rest)) return ok();
  const word = /^[ \t]+(\S+)/.exec(rest)?.[1] ?? "";
  const bare = word.replace(/[^A-Za-z]+$/, "");
  if (CONNECTORS.has(bare.toLowerCase())) return ok();
  if (/^(?:or|and|nor|vs|versus|and\/or)$/i.test(bare)) return ok();
  // A capitalised word after the letter is an option text or a heading ("A Aortic dissection"); a lower-case word
  // or a number makes it a word of the sentence ("a beta blocker", "A 45-year-old", "B cells"). Anything else
  // joined to the letter ("D-dimer", "B-12", "A+") is not a label.
  if (/^[A-Z]/.test(word)) return ok();
  return null;
}
