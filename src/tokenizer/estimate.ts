// A cheap estimate of Gemma 3 token counts, for figures where no limit is at stake (the emulator's `usage` and
// its latency model). Never used to accept or refuse a request: limits go through tokenizer/bound.ts and, when
// the bound cannot decide, the exact tokenizer.
//
// Pieces: a special token is 1; a run of ASCII letters is 1 up to 10 letters, then +1 per 4 more (Gemma's 262k
// vocabulary holds most English and medical words whole); every digit is 1 (Gemma splits numbers into digits);
// a single space is 0 (it joins the next word as "▁"); any other whitespace run 0.7; a run of other characters
// 0.35 per character (JSON punctuation merges: `": "`, `},`). Fitted on every MedQA prompt the harness renders
// (direct and each pipeline step, both JSON modes): estimate ÷ exact count within 0.8–1.2 (test/tokenizer-bound.test.ts;
// 0.86–1.09, median 1.00 on the first 150 cases).
import type { ChatMessage } from "../endpoint/types.js";
import { renderGemmaChat } from "./gemma.js";

const PIECE = /<(?:bos|start_of_turn|end_of_turn)>|[A-Za-z]+|[0-9]|\s+|[^\sA-Za-z0-9]+/g;

export function estimateTokens(text: string): number {
  let n = 0;
  PIECE.lastIndex = 0;
  for (let m = PIECE.exec(text); m !== null; m = PIECE.exec(text)) {
    const s = m[0];
    const c = s.charCodeAt(0) | 0x20; // ASCII lower case
    if (c >= 97 && c <= 122) n += s.length <= 10 ? 1 : 1 + Math.ceil((s.length - 10) / 4);
    else if (s.length === 1 && s.charCodeAt(0) >= 48 && s.charCodeAt(0) <= 57) n += 1;
    else if (s.charCodeAt(0) === 60 && s.length > 4 && s.charCodeAt(s.length - 1) === 62 && s.indexOf(">") === s.length - 1) n += 1;
    else if (/^\s/.test(s)) n += s === " " ? 0 : 0.7;
    else n += Math.max(1, s.length * 0.35);
  }
  return Math.max(text.length > 0 ? 1 : 0, Math.round(n));
}

/** Estimated input tokens of a chat request, rendered with the Gemma 3 template. */
export function estimateChatTokens(messages: readonly ChatMessage[]): number {
  return estimateTokens(renderGemmaChat(messages, true));
}
