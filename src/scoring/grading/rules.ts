// Step 2 of grading: find every commitment in the normalised response. Each rule is a small finder that returns
// candidates (where, what, how sure); grade.ts chooses among them. Tiers: 2 = the final form (an `Answer:` line,
// a JSON answer field, a lone letter line, a statement that takes back an earlier answer), 1 = a statement in
// prose, 0 = a sole option mention. The text is normalised (normalize.ts): a run of spaces or tabs is one space,
// so `\s` between two words of a cue is exact (`\s+` is never needed).
import { foldText } from "./normalize.js";
import { optionAtStart, type OptionIndex } from "./options.js";
import { readLetterToken, readPhrase, type PhraseRead } from "./phrase.js";
import type { GradeMethod } from "./types.js";

export interface Candidate {
  /** Offset in the normalised text where the commitment ends (its order among the others: the last one decides). */
  pos: number;
  tier: 0 | 1 | 2;
  /** The method if this candidate decides (`option_text` when the letter came from an option's text). */
  method: Exclude<GradeMethod, "none">;
  rule: string;
  read: PhraseRead;
  /** The text span that carries the commitment. */
  matched: string;
  /** A format commitment that ends before the text does (so a cut at max_tokens cannot have changed it). */
  complete: boolean;
}

const methodOf = (read: PhraseRead, base: "format" | "statement"): Candidate["method"] =>
  read.kind === "letter" && read.via === "text" ? "option_text" : base;

const snippet = (text: string, from: number, to: number): string => text.slice(from, Math.min(to, from + 160)).trim();

// ── tier 2: the final form ───────────────────────────────────────────────────────────────────────────────────

/**
 * "Answer: C", "Final answer: C", "Correct answer - C", "Answer → C", "Selected: C", "ANSWER (letter): C", localised
 * markers, at a line start; or a heading that is only the label ("**Final Answer**"), read on the next line.
 */
const ANSWER_LINE =
  /^[ \t]*(?:(?:the|my|our)[ \t]+)?(?:(?:final|correct|best|right|revised|updated|corrected|amended)[ \t]+)?(?:answer|selected|chosen|choice|pick|key|respuesta|r[ée]ponse|resposta|antwort|risposta|ответ|答案|答え|정답)(?:[ \t]+(?:choice|letter|option))?[ \t]*(?:\([^)\n]{0,30}\))?[ \t]*(?:[:=→⇒]|:-|->|-(?=[ \t\n])|(?=[ \t]*\n))/gim;

export function answerLines(text: string, idx: OptionIndex): Candidate[] {
  const out: Candidate[] = [];
  for (const m of text.matchAll(ANSWER_LINE)) {
    const start = m.index + m[0].length;
    const read = readPhrase(text.slice(start), idx, { loose: true });
    if (read === null) continue;
    const phraseEnd = start + read.end;
    const lineEnd = text.indexOf("\n", phraseEnd);
    out.push({
      // Ordered by the end of its line, so a label on that line ("Answer: (C) …") is this commitment, not another.
      pos: lineEnd < 0 ? text.length : lineEnd,
      tier: 2,
      method: methodOf(read, "format"),
      rule: "answer_line",
      read,
      matched: snippet(text, m.index, lineEnd < 0 ? text.length : lineEnd),
      complete: lineEnd >= 0 || /[.)\]]\s*$/.test(text.slice(phraseEnd)),
    });
  }
  return out;
}

/** `"answer": "C"` in JSON (or a Python-style dict); the value must be closed, so a cut inside it never counts. */
const JSON_FIELD =
  /(["'])((?:final[_ ]?|correct[_ ]?|selected[_ ]?|chosen[_ ]?|best[_ ]?)?(?:answer|option|choice)(?:[_ ]?(?:letter|choice|option))?)\1\s*:\s*(["'])((?:(?!\3)[^\\\n]|\\.){0,300})\3/gi;

/** Keys that are the answer step's own field: a commitment in the requested form. */
const FORMAT_KEYS = /^(?:final[_ ]?)?answer(?:[_ ]?letter)?$/i;

/** `"answer": ["C"]`: an array of strings as the value; one item is that answer, several a hedge. */
const JSON_ARRAY_FIELD =
  /(["'])((?:final[_ ]?|correct[_ ]?|selected[_ ]?|chosen[_ ]?|best[_ ]?)?answer(?:[_ ]?(?:letter|choice|option)s?)?s?)\1\s*:\s*\[((?:\s*(["'])[^"'\\\n]{0,80}\4\s*,?){1,8})\s*\]/gi;

export function jsonFields(text: string, idx: OptionIndex): Candidate[] {
  const out: Candidate[] = [];
  for (const m of text.matchAll(JSON_ARRAY_FIELD)) {
    const reads = [...m[3]!.matchAll(/(["'])([^"'\\\n]{0,80})\1/g)].map((x) => readPhrase(x[2]!, idx));
    if (reads.length === 0 || reads.some((r) => r === null || r.kind !== "letter")) continue;
    const letters = [...new Set(reads.map((r) => (r as Extract<PhraseRead, { kind: "letter" }>).letter))];
    const read: PhraseRead = letters.length === 1 ? reads[0]! : { kind: "hedge", letters, end: m[0].length };
    out.push({ pos: m.index, tier: 2, method: methodOf(read, FORMAT_KEYS.test(m[2]!) ? "format" : "statement"), rule: "json_field", read, matched: m[0], complete: true });
  }
  for (const m of text.matchAll(JSON_FIELD)) {
    const key = m[2]!;
    if (/^(?:option|choice)$/i.test(key)) continue; // an option list's item field, not a verdict
    const read = readPhrase(m[4]!.replace(/\\(.)/g, "$1"), idx);
    if (read === null) continue;
    out.push({
      pos: m.index,
      tier: 2,
      method: methodOf(read, FORMAT_KEYS.test(key) ? "format" : "statement"),
      rule: "json_field",
      read,
      matched: m[0],
      complete: true,
    });
  }
  return out;
}

/** A lone letter line may start with "Option"/"Choice"; its label may be followed by that option's own text. */
const LONE_PREFIX = /^[ \t]*(?:(?:option|choice)[ \t]+)?/i;
const LABEL_START = /^[ \t]*[(\[]?([A-H])[)\].:]/;

/** "C", "(C)", "C.", "Option C", "C) Lisinopril" as the last line (or the first, of several); see LONE_PREFIX. */
export function loneLetterLines(text: string, idx: OptionIndex): Candidate[] {
  const lines: Array<{ at: number; line: string }> = [];
  let at = 0;
  for (const line of text.split("\n")) {
    if (/[A-Za-z0-9]/.test(line)) lines.push({ at, line });
    at += line.length + 1;
  }
  // Lines that open with an option's label: exactly the label ("B. Vancomycin"), or the label and more ("B.
  // Vancomycin: no"). With option texts unknown, any line opening with a label ("B.", "(C)") is both.
  const known = idx.folded.length > 0;
  const exact = letterSet(lines, (line) => (known ? optionLabelOf(line, idx, true) : LABEL_START.exec(line)?.[1]));
  const loose = letterSet(lines, (line) => (known ? optionLabelOf(line, idx, false) : LABEL_START.exec(line)?.[1]));
  const picks = lines.length > 1 ? [lines[0]!, lines[lines.length - 1]!] : lines;
  const out: Candidate[] = [];
  for (const [i, l] of picks.entries()) {
    const lab = letterLine(l.line);
    if (lab === null || lab.queried) continue;
    if (lab.label !== "") {
      // The model is walking through the options: a last line that ends a list of labelled lines, or a first line
      // followed by other options restated as labels, is not an answer. ("C. Lisinopril" first, then "B.
      // Vancomycin is not needed", is the answer first and a discussion after it.)
      const others = [...(i === picks.length - 1 && lines.length > 1 ? loose : exact)].filter((x) => x !== lab.letter);
      if (others.length > 0) continue;
      // With text, the line must be that option's own label and nothing more ("C) Lisinopril", "C. Lisinopril is
      // correct"), else it is prose about the option ("B. Vancomycin is not needed…").
      const own = idx.folded.find((o) => o.letter === lab.letter);
      if (own === undefined ? idx.folded.length > 0 : !isOwnLabel(lab.label, own.text)) continue;
    }
    const read: PhraseRead = { kind: "letter", letter: lab.letter, via: "letter", end: l.line.length };
    out.push({ pos: l.at + l.line.length, tier: 2, method: "statement", rule: "lone_letter", read, matched: l.line.trim(), complete: false });
  }
  return out;
}

/** A line that opens with a letter token: its letter and what follows the label ("" for a bare letter). */
function letterLine(line: string): { letter: string; label: string; queried: boolean } | null {
  const body = line.slice(LONE_PREFIX.exec(line)![0].length);
  const tok = readLetterToken(body);
  if (tok === null) return null;
  const label = body.slice(tok.end).replace(/^[ \t]*[.:)\]-]?[ \t]*/, "").replace(/[ \t.]+$/, "");
  return { letter: tok.letter, label, queried: tok.queried };
}

/** The letter of a line that is an option's label: a letter token and that option's own text (and nothing more). */
function optionLabelOf(line: string, idx: OptionIndex, only: boolean): string | undefined {
  const l = letterLine(line);
  const own = l === null ? undefined : idx.folded.find((o) => o.letter === l.letter);
  if (own === undefined) return undefined;
  const f = foldText(l!.label);
  return (only ? f === own.text : (f + " ").startsWith(own.text + " ")) ? own.letter : undefined;
}

function letterSet(lines: ReadonlyArray<{ line: string }>, of: (line: string) => string | undefined): Set<string> {
  const out = new Set<string>();
  for (const { line } of lines) {
    const l = of(line);
    if (l !== undefined) out.add(l);
  }
  return out;
}

/** After an option's own text, only a verdict in its favour may follow ("is correct", "- the best answer"). */
const OWN_LABEL_TAIL = /^(?:(?:is|would\sbe)\s)?(?:(?:the|my)\s)?(?:(?:most\s)?(?:correct|right|best|likely|appropriate)(?:\s(?:answer|option|choice|one))?|answer|final\sanswer)$/;

function isOwnLabel(label: string, ownText: string): boolean {
  const f = foldText(label);
  if (f === ownText) return true;
  if (!f.startsWith(ownText + " ")) return false;
  return OWN_LABEL_TAIL.test(f.slice(ownText.length + 1));
}

// ── tier 1: statements in prose ───────────────────────────────────────────────────────────────────────────────

const QUAL = String.raw`(?:final|correct|best|right|true|single\sbest|most\s(?:likely|appropriate|accurate|correct|probable|reasonable|plausible|consistent))`;
const VERB = String.raw`(?:(?:is|would\sbe|should\sbe|must\sbe|will\sbe|could\sbe|might\sbe|may\sbe|has\sto\sbe|remains|seems\sto\sbe|appears\sto\sbe|becomes)\b\s*:?|[:=]|-(?=\s))`;
const TAIL = String.raw`(?:\s(?:to|for)\s(?:this|the)\s(?:question|case|vignette|patient))?(?:,?\s(?:here|then|therefore|thus|overall|in\sthis\scase|among\s(?:the|these)\s(?:options|choices)))?\s*,?\s*` + VERB;

/** Cue → phrase: "the (final|correct|…) answer is", "my answer:", "the best choice here is", "Ans:", `\boxed{`. */
/** `conditional`: a condition in the sentence discounts the cue even without a modal ("If she were pregnant, choose C"). */
const CUES: ReadonlyArray<{ rule: string; re: RegExp; conditional?: true }> = [
  { rule: "answer_statement", re: new RegExp(String.raw`\b(?:(?:my|the|our|your|this)\s)?(?:${QUAL}\s)?(?:answer|response)(?:\s(?:choice|option|letter))?` + TAIL, "gi") },
  { rule: "choice_statement", re: new RegExp(String.raw`\b(?:(?:my|the|our)\s)?(?:${QUAL}\s(?:option|choice|selection|pick|one)|my\s(?:choice|pick|selection))` + TAIL, "gi") },
  {
    rule: "first_person",
    re: /\b(?:i(?:\swould|\s*'d|\swill|\s*'ll|\sam\sgoing\sto|\s*'m\sgoing\sto|\shave\sto|\smust|\sshould)?\s(?:go\swith|choose|select|pick|opt\sfor|mark|settle\son|lean\stowards?)|i(?:\sam|\s*'m)\s(?:going|leaning|sticking)\s(?:with|towards?)|let\s*'s\sgo\swith|(?:we|you)\s(?:should|must|would)\s(?:choose|select|pick|go\swith))(?![A-Za-z])(?:\s(?:answer|option|choice|letter))?\s*:?/gi,
  },
  { rule: "abbreviated", re: /\bans\s*[:.=-]/gi },
  {
    // A conclusion that is only a letter: "So C.", "On balance, C.", "Therefore (B).", "It is D." — the letter must
    // end its sentence (see CONCLUSION_END), so "So A 45-year-old…" or "It is a beta blocker" never match.
    rule: "conclusion",
    re: /(?:^|[.!;:\n]\s*|,\s*(?:but|and)\s|\b(?:but|and)\s)(?:(?:so|thus|hence|therefore|overall|ultimately|finally|on\sbalance|in\s(?:conclusion|summary|short)|all\s(?:in\sall|things\sconsidered))\s*,?\s*(?:(?:it(?:'s|\sis|\smust\sbe)|that(?:'s|\sis)|the\spick\sis|we\sget)\s)?|(?:it(?:'s|\sis|\smust\sbe)|that(?:'s|\sis))\s)(?:option\s|choice\s)?(?=[(\[]?[A-H][)\]]?\s*(?:[.!]|$))/gim,
  },
  {
    // The same shape with an opinion or a choice as the lead-in: "I think C.", "That leaves B.", "Pick D.",
    // "Rather than A, choose C.", "✓ B" — the letter again must end its sentence.
    rule: "short_conclusion",
    re: /(?<=^|[.!;:\n]\s*|,\s*|\b(?:but|and)\s)(?:i(?:\s(?:think|believe|would\ssay|guess)|'d\ssay)(?:\s(?:it(?:'s|\sis)|that(?:'s|\sis)))?|(?:that|this|which)\sleaves(?:\s(?:us\swith|only))?|(?:pick|choose|select|go\swith)|[\u2713\u2714\u2705])\s*(?:option\s|choice\s)?(?=[(\[]?[A-H][)\]]?\s*(?:[.!]|$))/gim,
    conditional: true,
  },
  {
    // Other languages' "the (correct) answer is": HEAD-QA is Spanish; models answer in the question's language.
    rule: "answer_statement",
    re: /(?<!\p{L})(?:(?:la\s)?respuesta(?:\scorrecta)?\ses(?:\sla)?|(?:a\s)?resposta(?:\scorreta)?\s[eé](?:\sa)?|(?:la\s)?r[eé]ponse(?:\scorrecte)?\sest(?:\sla)?|(?:die\s)?(?:richtige\s)?antwort\sist|(?:la\s)?risposta(?:\scorretta)?\s[eè](?:\sla)?|правильный\sответ|ответ)\s*:?(?=\s)/giu,
  },
  { rule: "boxed", re: /\\boxed\s*\{/g },
  {
    rule: "domain_statement",
    re: /\b(?:the\s)?(?:(?:most\s(?:likely|appropriate|probable|accurate|effective|useful|suitable|reasonable)|best|correct|single\sbest|next\sbest|preferred|definitive)(?:\s[a-z][a-z/-]*){0,8}?(?:\s(?:is|would\sbe)\b\s*:?|\s*:)|(?:most\slikely\s|final\s|working\s)diagnosis\s*:)/gi,
  },
];

/** "Option C is correct", "(B) is the best answer", "D is the correct answer", "B is more likely". */
const REVERSE =
  /(?:\b(?:option|choice|answer|letter)\s*[(\[]?([A-Ha-h])[)\]]?|[(\[]([A-Ha-h])[)\]]|\b([A-H]))(?![A-Za-z0-9])[.:]?\s(?:is|would\sbe|seems\sto\sbe|appears\sto\sbe|remains|looks)\s(?:to\sbe\s)?(?:(?:clearly|definitely|certainly|indeed|therefore|thus|probably|likely|still)\s)*(?:(?:the|my|our)\s)?(?:(?:single|most|more|best|only|clearly|definitely|certainly|indeed|therefore|thus|probably)\s)*(?:correct|right|best|better|closest|likely|appropriate|accurate|probable|reasonable|answer|choice|option|preferred|preferable|favou?red)\b(?:\s(?:answer|option|choice|one|response|selection|here))?/gi;

/**
 * Reverse form by text: "Pulmonary embolism is the most likely diagnosis", "Vitamin A is the correct supplement".
 * The subject (from its clause start to the verb) must name exactly one option by its text.
 */
const REVERSE_TEXT =
  /\s(?:is|would\sbe|remains)\s(?:(?:the\s)?(?:(?:single|most|best|only|clearly|definitely|probably)\s)*(?:correct|right|best|closest|likely|appropriate|preferred|consistent)\b(?:\s(?:answer|option|choice|one|diagnosis|cause|explanation|treatment|therapy|management|test|step|next\sstep|supplement|drug|agent|mechanism|finding))?|(?:the|my|our)\s(?:final\s)?(?:answer|choice|pick)\b)(?=\s*(?:[.,;:!)\n]|$|here\b|for\sthis\b|in\sthis\b|because\b|given\b|with\s(?:the|these|this|her|his|all)\b))/gi;

/** The cue speaks of what might be, not what is: then a condition in its sentence makes it hypothetical. */
const MODAL = /\b(?:would|could|might|may)\b/i;
/** Before the cue, in its sentence: the statement is someone's mistaken thought, an aside, or a hypothetical. */
const HYPOTHETICAL_BEFORE =
  /\b(?:(?:might|may|could|would)\s(?:think|be\stempted|consider|argue|assume|guess|suspect|expect|say|choose|pick|select|go\swith)|tempt(?:ing|ed)?|one\s(?:might|could|may|would)|some(?:one|\speople|\sstudents|\sclinicians)?\s(?:might|may|could|would)|(?:common|classic|frequent|tempting)\s(?:mistake|error|pitfall|trap|distractor|misconception)|why\snot|at\sfirst|initially|first\sglance|seem(?:s|ed)?\slike|if\s(?:we|you|one)\s(?:only|just|ignored?)|otherwise|not\s(?:that|because))\b/i;
const CONDITION_BEFORE = /\b(?:if|unless|whether|were|had|in\s(?:a|the)\s(?:patient|case|setting|scenario)\s(?:with|of|where))\b/i;
const CONDITION_AFTER = /^[^.!?\n]{0,120}?\b(?:if|unless|only\s(?:if|when|in)|were|had\s(?:the|this|she|he|there)|in\s(?:a|the)\s(?:patient|case|setting|scenario)|for\s(?:a|the)\s(?:patient|case)\s(?:with|of|where)|when\s(?:the|a)|in\s(?:patients|children|adults|cases))\b/i;
/** Right after the letter: the statement is qualified ("A is the best choice only if…", "B is correct for…"). */
const QUALIFIED_AFTER =
  /^[\s,]*(?:\(?[^()\n]{0,40}\)\s*)?(?:only\s(?:if|when|in)|unless|if|when\b|to\s(?!this\b)|in\s(?:patients|children|adults|women|men|cases|the\ssetting|a\spatient|pregnan)|for\s(?:patients|children|adults|women|men|cases|a\spatient|chronic|acute|treating|the\streatment|prevention|prophylaxis))/i;
/** Just before the cue: a negated or wrong answer ("not the answer", "the incorrect answer is", "least likely"). */
const NEGATED_BEFORE = /\b(?:not|never|no|incorrect|wrong|false|worst|least(?:\slikely)?|isn't|wasn't|aren't)\s(?:[A-Za-z]+\s){0,1}$/i;

/** The sentence around [start, end): the part before start and after end, each within its sentence. */
function sentenceParts(text: string, start: number, end: number): { before: string; after: string; question: boolean } {
  const back = text.slice(Math.max(0, start - 200), start);
  const cut = Math.max(back.lastIndexOf("\n"), ...[". ", "! ", "? "].map((t) => back.lastIndexOf(t)));
  let before = cut >= 0 ? back.slice(cut + 1) : back;
  // "At first it seems A, but on review the answer is D": the clause after "but" is not under "at first".
  const turn = [...before.matchAll(/\b(?:but|however|yet|whereas|although|though|instead)\b/gi)].pop();
  if (turn !== undefined) before = before.slice(turn.index + turn[0].length);
  const fwd = text.slice(end, end + 200);
  const stop = /[.!?](?=\s|$)|\n/.exec(fwd);
  const after = stop ? fwd.slice(0, stop.index) : fwd;
  return { before, after, question: stop?.[0] === "?" };
}

/**
 * Just before a statement: the model takes back what it said ("Answer: A. Actually, no — the answer is D.",
 * "Wait, on reflection, D is correct"). Such a statement outranks an earlier `Answer:` line (tier 2).
 */
const REVISION =
  /\b(?:wait|actually|on\s(?:second\sthought|reflection|further\sreflection|reconsideration)|upon\s(?:further\s)?(?:review|reflection)|correction|scratch\sthat|i\s(?:was\swrong|made\s(?:a|an)\s(?:mistake|error)|misread|misspoke|take\s(?:that|it)\sback|(?:change|revise)\smy\sanswer)|let\sme\s(?:reconsider|correct\s(?:that|myself))|changing\smy\sanswer)\b/i;
const REVISION_WINDOW = 48;

/** The marker is in the statement's own sentence, or is the whole of a short sentence just before ("Wait. …"). */
function revises(text: string, at: number): boolean {
  const parts = text.slice(Math.max(0, at - REVISION_WINDOW), at).split(/[.!?](?=\s)|\n/);
  const own = parts[parts.length - 1]!;
  if (REVISION.test(own)) return true;
  const prev = parts[parts.length - 2];
  return own.trim() === "" && prev !== undefined && prev.trim().split(/\s/).length <= 3 && REVISION.test(prev);
}

/** A revision is ordered by the end of its line, like the `Answer:` line it may take back on that same line. */
const lineEndFrom = (text: string, at: number): number => {
  const nl = text.indexOf("\n", at);
  return nl < 0 ? text.length : nl;
};

/** Sets aside what follows it, up to the next comma ("Rather than D, the best choice is C" keeps C). */
const SET_ASIDE = /\b(?:rather\sthan|instead\sof|as\sopposed\sto)\b[^,;]*$/i;

function discounted(text: string, cueStart: number, cueText: string, phraseEnd: number, conditional = false): boolean {
  const { before, after, question } = sentenceParts(text, cueStart, phraseEnd);
  if (question) return true;
  if (HYPOTHETICAL_BEFORE.test(before) || SET_ASIDE.test(before) || NEGATED_BEFORE.test(before.slice(-30))) return true;
  if (QUALIFIED_AFTER.test(after)) return true;
  if ((conditional || MODAL.test(cueText)) && (CONDITION_BEFORE.test(before) || CONDITION_AFTER.test(after))) return true;
  return false;
}

export function statements(text: string, idx: OptionIndex): Candidate[] {
  const out: Candidate[] = [];
  const seen = new Set<number>();
  for (const { rule, re, conditional } of CUES) {
    for (const m of text.matchAll(re)) {
      const start = m.index + m[0].length;
      const read = readPhrase(text.slice(start), idx);
      if (read === null || seen.has(start)) continue;
      seen.add(start);
      // A question ("Is the answer B?") is no commitment, except that "The answer is B?" offers B as a guess.
      const queried = read.kind === "hedge" && read.letters.length === 1;
      if (!queried && discounted(text, m.index, m[0], start + read.end, conditional)) continue;
      const rev = revises(text, m.index);
      out.push({ pos: rev ? lineEndFrom(text, start + read.end) : start + read.end, tier: rev ? 2 : 1, method: methodOf(read, "statement"), rule: rev ? "revision" : rule, read, matched: snippet(text, m.index, start + read.end), complete: false });
    }
  }
  for (const m of text.matchAll(REVERSE)) {
    const raw = m[1] ?? m[2] ?? m[3];
    if (raw === undefined) continue;
    const back = text.slice(Math.max(0, m.index - 40), m.index);
    const letter = raw.toUpperCase();
    // "A or C is correct": the hedge comes before the letter.
    const hedge = /(?:^|[^A-Za-z])[(\[]?([A-Ha-h])[)\]]?\s*(?:,|\/|\bor\b|\band\b)\s*(?:option\s|choice\s)?$/i.exec(back);
    // A bare capital must open a sentence or clause ("C is correct."), not end a name ("Vitamin A is …").
    if (m[3] !== undefined && hedge === null && !/(?:^|[.:;,!?\n]|\b(?:so|thus|therefore|hence|overall|then|clearly|ultimately|answer|choice|option|and|but))\s*$/i.test(back)) continue;
    if (discounted(text, m.index, m[0], m.index + m[0].length)) continue;
    const read: PhraseRead =
      hedge !== null && hedge[1]!.toUpperCase() !== letter
        ? { kind: "hedge", letters: [hedge[1]!.toUpperCase(), letter], end: m[0].length }
        : { kind: "letter", letter, via: "letter", end: m[0].length };
    const rev = revises(text, m.index);
    out.push({ pos: rev ? lineEndFrom(text, m.index + m[0].length) : m.index + m[0].length, tier: rev ? 2 : 1, method: "statement", rule: rev ? "revision" : "reverse_statement", read, matched: snippet(text, m.index, m.index + m[0].length), complete: false });
  }
  for (const m of text.matchAll(REVERSE_TEXT)) {
    const back = text.slice(Math.max(0, m.index - 120), m.index);
    const clause = /(?:^|[.:;!?\n]\s|,\s*(?:so|thus|therefore|hence)?\s*|\b(?:so|thus|therefore|hence|overall)\s)([^.:;!?\n,]*)$/i.exec(back);
    // "So pulmonary embolism is …": a leading connective is not part of the subject.
    const subject = (clause?.[1]?.trim() ?? "").replace(/^(?:so|thus|therefore|hence|overall)\s*,?\s/i, "");
    if (subject === "" || /^(?:it|this|that|which|what|there|he|she|they)$/i.test(subject)) continue;
    const letter = optionAtStart(subject, idx);
    if (letter === null || !isWholeOption(subject, letter, idx)) continue;
    const end = m.index + m[0].length;
    if (discounted(text, m.index - subject.length, m[0], end)) continue;
    const read: PhraseRead = { kind: "letter", letter, via: "text", end: m[0].length };
    const rev = revises(text, m.index - subject.length);
    out.push({ pos: rev ? lineEndFrom(text, end) : end, tier: rev ? 2 : 1, method: "option_text", rule: rev ? "revision" : "reverse_text", read, matched: snippet(text, m.index - subject.length, end), complete: false });
  }
  return out;
}

/** The subject is the option's text or a unique prefix of it, and nothing more ("Vitamin A", not "Vitamin A deficiency"). */
function isWholeOption(subject: string, letter: string, idx: OptionIndex): boolean {
  const own = idx.folded.find((o) => o.letter === letter);
  if (own === undefined) return false;
  const f = foldText(subject);
  return own.text === f || own.text.startsWith(f + " ");
}
