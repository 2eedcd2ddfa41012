// Splits a MedQA question into the vignette and its stem (the final question sentence), so the parse step
// sees only patient facts and the journal can classify questions by their stem.

/** Words whose trailing period does not end a sentence ("Dr. Lee", "approx. 5 cm", "at 8 p.m. she"). */
const ABBREVIATIONS = new Set([
  "dr", "mr", "mrs", "ms", "st", "vs", "approx", "e.g", "i.e", "a.m", "p.m", "etc", "no", "fig", "al", "inc", "jr", "sr",
]);

/** A sentence end: terminal punctuation (optionally closed by a quote or bracket) then whitespace, or a line break. */
const BOUNDARY = /[.?!]["'”’)\]]*[ \t]+|\s*\n\s*/g;

export interface StemSplit {
  vignette: string;
  stem: string;
}

interface Span {
  start: number;
  end: number;
}

/**
 * The stem is the last sentence, unless that sentence asks nothing (no "?", no closing ":") while an earlier
 * one does: some questions put a lab table or a study abstract after the question. A trailing parenthetical
 * ("(Round to the nearest whole number.)") stays with the sentence before it.
 */
export function splitStem(question: string): StemSplit {
  const text = question.trim();
  const spans = sentences(text);
  let pick = spans.length - 1;
  if (!asks(text, spans[pick])) {
    for (let i = spans.length - 2; i >= 0; i--) {
      if (asks(text, spans[i])) {
        pick = i;
        break;
      }
    }
  }
  const stemSpan = spans[pick];
  if (stemSpan === undefined) return { vignette: "", stem: text };
  const before = text.slice(0, stemSpan.start).trim();
  const after = text.slice(stemSpan.end).trim();
  return {
    vignette: [before, after].filter((s) => s.length > 0).join("\n"),
    stem: text.slice(stemSpan.start, stemSpan.end).trim(),
  };
}

function asks(text: string, span: Span | undefined): boolean {
  if (span === undefined) return false;
  const s = text.slice(span.start, span.end).trim();
  // A colon ends a question ("…most likely to reveal:") but also a heading ("Conclusion:").
  return s.includes("?") || (/:["']?$/.test(s) && s.split(/\s+/).length >= 4);
}

function sentences(text: string): Span[] {
  const spans: Span[] = [];
  let start = 0;
  for (const m of text.matchAll(BOUNDARY)) {
    const end = m.index + m[0].length;
    if (isAbbreviation(text, m.index, m[0])) continue;
    // Keep a parenthetical that closes the text with the sentence before it.
    if (/^\([^()]*\)["']?$/.test(text.slice(end).trim())) break;
    const punct = /^[.?!]["'”’)\]]*/.exec(m[0])?.[0] ?? "";
    spans.push({ start, end: m.index + punct.length });
    start = end;
  }
  if (start < text.length) spans.push({ start, end: text.length });
  return spans;
}

function isAbbreviation(text: string, index: number, match: string): boolean {
  if (!match.startsWith(".")) return false;
  const word = /([A-Za-z.]+)$/.exec(text.slice(Math.max(0, index - 12), index))?.[1];
  if (word === undefined) return false;
  // A lone capital before a period is an initial ("H. influenzae", "John F. Kennedy").
  return ABBREVIATIONS.has(word.toLowerCase().replace(/^\.+/, "")) || /^[A-Z]$/.test(word);
}
