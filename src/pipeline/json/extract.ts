// Locate the JSON in a model response. Models wrap JSON in ```json fences, surround it with prose, or get cut
// off mid-object; this finds the most plausible JSON text and leaves fixing it to repair.ts.
import { atValueStart, closesSingleQuoted, isSpace, skipComment } from "./lex.js";

export type JsonSource = "fence" | "balanced" | "tail";

export interface ExtractedJson {
  text: string;
  /** fence: a ```json block; balanced: a balanced {…}/[…] in prose; tail: from the first `{` to the end (truncated). */
  source: JsonSource;
}

/** Fence info strings that announce JSON (an unlabelled fence counts when its body starts like JSON). */
const JSON_FENCE_INFO = /^(?:json5?|jsonc|javascript|js)?$/i;

/** Cap on JSON.parse attempts over disjoint prose candidates (keeps the work linear and bounded). */
const MAX_CANDIDATES = 32;

/** The JSON text in a model response, or null when there is no `{` or `[` at all. */
export function extractJson(text: string): string | null {
  return extractJsonDetailed(text)?.text ?? null;
}

export function extractJsonDetailed(text: string): ExtractedJson | null {
  const fenced = fencedJson(text);
  if (fenced !== null) return fenced;
  return proseJson(text);
}

/** The last complete ```json block; else an unclosed trailing one (the response was cut off inside it). */
function fencedJson(text: string): ExtractedJson | null {
  let lastComplete: string | null = null;
  let unclosed: string | null = null;
  let pos = 0;
  for (;;) {
    const open = text.indexOf("```", pos);
    if (open < 0) break;
    const eol = text.indexOf("\n", open + 3);
    // An opening fence needs its info string on the same line; "```{...}```" on one line is handled by prose scan.
    if (eol < 0) break;
    const info = text.slice(open + 3, eol).trim();
    const close = text.indexOf("```", eol + 1);
    const body = (close < 0 ? text.slice(eol + 1) : text.slice(eol + 1, close)).trim();
    const looksJson = body.startsWith("{") || body.startsWith("[");
    if (JSON_FENCE_INFO.test(info) && looksJson) {
      if (close < 0) unclosed = body;
      else lastComplete = body;
    }
    if (close < 0) break;
    pos = close + 3;
  }
  if (lastComplete !== null) return { text: lastComplete, source: "fence" };
  if (unclosed !== null) return { text: unclosed, source: "fence" };
  return null;
}

/**
 * The first balanced {…}/[…] that parses; else a truncated tail starting at a `{`/`[` that never closes;
 * else the first balanced candidate (sloppy JSON for repair). Candidates are disjoint, so this is linear.
 */
function proseJson(text: string): ExtractedJson | null {
  let firstBalanced: string | null = null;
  let pos = 0;
  for (let n = 0; n < MAX_CANDIDATES; n++) {
    const start = nextOpener(text, pos);
    if (start < 0) break;
    const end = scanBalanced(text, start);
    if (end === "unterminated") return { text: text.slice(start), source: "tail" };
    const candidate = text.slice(start, end + 1);
    if (parses(candidate)) return { text: candidate, source: "balanced" };
    firstBalanced ??= candidate;
    pos = end + 1;
  }
  if (firstBalanced !== null) return { text: firstBalanced, source: "balanced" };
  return null;
}

function nextOpener(text: string, from: number): number {
  const brace = text.indexOf("{", from);
  const bracket = text.indexOf("[", from);
  if (brace < 0) return bracket;
  if (bracket < 0) return brace;
  return Math.min(brace, bracket);
}

function parses(candidate: string): boolean {
  try {
    JSON.parse(candidate);
    return true;
  } catch {
    return false;
  }
}

/**
 * Index of the bracket closing the one at `start`, skipping strings (with escapes), unambiguous single-quoted
 * strings and comments.
 */
export function scanBalanced(text: string, start: number): number | "unterminated" {
  const stack: string[] = [];
  const open = { "}": 0, "]": 0 };
  let prev: string | undefined; // last significant character outside strings
  let i = start;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '"' || (c === "'" && atValueStart(prev))) {
      i = skipString(text, i, c);
      prev = '"';
      continue;
    }
    const afterComment = skipComment(text, i);
    if (afterComment >= 0) {
      i = afterComment;
      continue;
    }
    if (c === "{" || c === "[") {
      const closer = c === "{" ? "}" : "]";
      stack.push(closer);
      open[closer]++;
    }
    else if (c === "}" || c === "]") {
      // A closer for an outer container closes the inner ones the model forgot ({"a": [1}); a stray one is ignored.
      // Open counts per closer keep this O(1) amortised (no stack search per stray closer).
      if (open[c] > 0) {
        for (let top = stack.pop(); top !== c; top = stack.pop()) open[top as "}" | "]"]--;
        open[c]--;
      }
      if (stack.length === 0) return i;
    }
    if (!isSpace(text.charCodeAt(i))) prev = c;
    i++;
  }
  return "unterminated";
}

/** Index just past the string opened at `i` (or text.length when it never closes). */
function skipString(text: string, i: number, quote: string): number {
  let j = i + 1;
  while (j < text.length) {
    const c = text[j];
    if (c === "\\") j += 2;
    else if (c === quote && (quote === '"' || closesSingleQuoted(text, j))) return j + 1;
    else j++;
  }
  return text.length;
}
