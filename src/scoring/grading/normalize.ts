// Step 1 of grading: one canonical text, so that the rules can be few and simple (as simple-evals normalises
// markdown and full-width forms before one answer regex). Every step here is a pure string → string map.

/** Zero-width and invisible format characters (ZWSP, ZWNJ, ZWJ, LRM/RLM, word joiner, BOM, soft hyphen, …). */
const INVISIBLE = /[\u200B-\u200F\u202A-\u202E\u2060-\u2064\uFEFF\u00AD\u180E]/g;

/**
 * Chat-template control tokens that leak into text: Gemma (`<end_of_turn>`, `<start_of_turn>model`, `<eos>`),
 * Llama 3 (`<|eot_id|>`, `<|start_header_id|>assistant<|end_header_id|>`), ChatML (`<|im_end|>`), `</s>`, `[/INST]`.
 */
const CONTROL =
  /<\|start_header_id\|>[^<\n]{0,40}<\|end_header_id\|>|<\|[A-Za-z0-9_]{1,40}\|>|<start_of_turn>(?:model|user)?|<\/?(?:end_of_turn|eos|bos|pad|unk|s|eot|im_end|im_start)>|<unused\d{1,3}>|\[\/?INST\]/g;

/** Reasoning blocks whose end marks where the answer begins (`</think>`; MedGemma's `<unused95>` closes a thought). */
const THOUGHT_END = /<\/think(?:ing)?>|<unused95>/g;

/** Hyphen variants → "-"; dashes (figure, en, em, bar, minus) → " - ": a dash never joins a word ("A—Aortic …"). */
const HYPHENS = /[\u2010\u2011]/g;
const DASHES = /[ \t]*[\u2012-\u2015\u2212\uFE58\uFE63][ \t]*/g;

export function normalizeResponse(raw: string): string {
  let s = raw.normalize("NFKC").replace(INVISIBLE, "");
  s = afterThought(s);
  s = s.replace(CONTROL, "\n").replace(/\r\n?/g, "\n");
  s = s
    .replace(HYPHENS, "-")
    .replace(DASHES, " - ")
    .replace(/[\u2018\u2019\u201A\u201B\u2032`]/g, "'")
    .replace(/[\u201C\u201D\u201E\u201F\u2033]/g, '"')
    .replace(/[\u3010\u3016\u3014]/g, "[")
    .replace(/[\u3011\u3017\u3015]/g, "]");
  return stripMarkup(s);
}

/** The text after the last closed reasoning block; the whole text when no block closes (or nothing follows it). */
function afterThought(s: string): string {
  const last = [...s.matchAll(THOUGHT_END)].pop();
  if (last === undefined) return s;
  const tail = s.slice(last.index + last[0].length);
  return tail.trim() === "" ? s.replace(THOUGHT_END, "\n") : tail;
}

/** Markdown, HTML emphasis and LaTeX wrappers removed; `\boxed{…}` is kept (a rule reads it). */
function stripMarkup(s: string): string {
  return s
    .replace(/<\/?(?:b|strong|em|i|u|mark|p|span|code)\b[^>\n]{0,80}>/gi, "")
    .replace(/<br\s*\/?>/gi, "\n")
    .replace(/\\(?:text(?:bf|rm|it)?|mathrm|mathbf|textsf)\s*\{([^{}\n]{0,200})\}/g, "$1")
    .replace(/\\[()[\]]|\$/g, " ")
    .replace(/\*|~~/g, "")
    // `__C__` (bold) and `_C_`, not `beta_blocker`: an opening run after a non-word character, or the underscores
    // before one. "_" is not a word character here, or the second "_" of `C__` would open a run and stay.
    .replace(/(^|[^A-Za-z0-9_])_+|_(?=[^A-Za-z0-9]|$)/g, "$1")
    .replace(/^[ \t]*(?:#{1,6}|>+)[ \t]*/gm, "")
    .replace(/^[ \t]*[-+\u2022\u25AA\u25CF][ \t]+/gm, "")
    .replace(/[ \t\u00A0]+/g, " ");
}

/**
 * Option-text comparison form: accents dropped, lower case, punctuation → space, a leading "the"/"an" dropped.
 * A leading "a" is kept: it may be the letter A (the phrase reader decides, see phrase.ts).
 */
export function foldText(s: string): string {
  // Accent folding only when there is something to fold (it is the costliest step of grading).
  const ascii = !/[^\x00-\x7F]/.test(s);
  const t = (ascii ? s : s.normalize("NFKD").replace(/\p{M}/gu, ""))
    .toLowerCase()
    .replace(/['\u2019]/g, "")
    .replace(/[^a-z0-9]+/g, " ")
    .trim();
  return t.replace(/^(?:the|an) (?=\S)/, "");
}
