// Streaming timings: from chunk arrival times to TTFT / decode rate / inter-token gaps, and the merge of
// several calls (a step's call and its re-ask) into one step figure. Pure.
import { quantileSorted } from "../stats/quantiles.js";
import type { StreamStats } from "../types.js";

const round1 = (x: number): number => Math.round(x * 10) / 10;

function gapSummary(gaps: readonly number[]): StreamStats["itl_ms"] {
  const sorted = [...gaps].sort((a, b) => a - b);
  const q = (p: number): number | null => {
    const v = quantileSorted(sorted, p);
    return v === null ? null : round1(v);
  };
  return { n: sorted.length, p50: q(0.5), p95: q(0.95), max: sorted.length ? round1(sorted[sorted.length - 1]!) : null };
}

const rate = (tokens: number, ms: number): number | null => (tokens > 0 && ms > 0 ? round1((tokens * 1000) / ms) : null);

/**
 * One call's timings. `sentAt` is when the request went out; `chunkTimes` the arrival times of the chunks
 * that carried content (same clock); `completionTokens` the server's usage count when it sent one, else
 * the number of content chunks (engines stream one token per chunk).
 */
export function streamTimings(sentAt: number, chunkTimes: readonly number[], completionTokens: number | null): StreamStats & { gaps_ms: number[] } {
  const n = chunkTimes.length;
  const first = n > 0 ? chunkTimes[0]! : sentAt;
  const last = n > 0 ? chunkTimes[n - 1]! : sentAt;
  const gaps: number[] = [];
  for (let i = 1; i < n; i++) gaps.push(chunkTimes[i]! - chunkTimes[i - 1]!);
  const tokens = Math.max(0, (completionTokens ?? n) - 1);
  const decodeMs = last - first;
  return {
    ttft_ms: round1(first - sentAt),
    decode_tokens: n >= 2 ? tokens : 0,
    decode_ms: round1(decodeMs),
    decode_tok_s: n >= 2 ? rate(tokens, decodeMs) : null,
    itl_ms: gapSummary(gaps),
    chunks: n,
    gaps_ms: gaps,
  };
}

/** A step's figure from its calls in order: TTFT of the first, decode rate and gaps over all of them. */
export function mergeStreamStats(calls: ReadonlyArray<StreamStats & { gaps_ms: number[] }>): StreamStats | undefined {
  if (calls.length === 0) return undefined;
  const tokens = calls.reduce((s, c) => s + c.decode_tokens, 0);
  const ms = calls.reduce((s, c) => s + c.decode_ms, 0);
  const gaps = calls.flatMap((c) => c.gaps_ms);
  return {
    ttft_ms: calls[0]!.ttft_ms,
    decode_tokens: tokens,
    decode_ms: round1(ms),
    decode_tok_s: rate(tokens, ms),
    itl_ms: gapSummary(gaps),
    chunks: calls.reduce((s, c) => s + c.chunks, 0),
  };
}

/** The journal form: without the in-memory gap list. */
export function journalStream(s: (StreamStats & { gaps_ms?: number[] }) | undefined): StreamStats | undefined {
  if (!s) return undefined;
  const { gaps_ms: _gaps, ...rest } = s;
  return rest;
}
