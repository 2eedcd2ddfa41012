// Small lexical helpers shared by the JSON extractor and the repairer.

/** Characters after which a quote opens a string (a key or a value position). */
const VALUE_START_PREV = new Set(["{", "[", ",", ":"]);

/** Whether the last non-space character before `i` puts `text[i]` at a key/value start. */
export function atValueStart(prevSignificant: string | undefined): boolean {
  return prevSignificant === undefined || VALUE_START_PREV.has(prevSignificant);
}

/**
 * Whether the `'` at `i` closes a single-quoted string. An apostrophe inside prose ("it's") is followed by a
 * letter; a closing quote is followed (after spaces) by `,` `:` `}` `]` or the end of the text.
 * Linear overall: the whitespace run after a quote is only scanned from that quote.
 */
export function closesSingleQuoted(text: string, i: number): boolean {
  let j = i + 1;
  while (j < text.length && isSpace(text.charCodeAt(j))) j++;
  if (j >= text.length) return true;
  const c = text[j];
  return c === "," || c === ":" || c === "}" || c === "]";
}

export function isSpace(code: number): boolean {
  return code === 32 || code === 9 || code === 10 || code === 13;
}

/** Index just past a `//` line comment (up to its newline) or a slash-star block comment at `i`; -1 when none starts there. */
export function skipComment(text: string, i: number): number {
  if (text[i] !== "/") return -1;
  const next = text[i + 1];
  if (next === "/") {
    const nl = text.indexOf("\n", i);
    return nl < 0 ? text.length : nl;
  }
  if (next === "*") {
    const end = text.indexOf("*/", i + 2);
    return end < 0 ? text.length : end + 2;
  }
  return -1;
}
