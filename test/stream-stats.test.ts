import { describe, expect, it } from "vitest";
import { journalStream, mergeStreamStats, streamTimings } from "../src/endpoint/stream-stats.js";

describe("streamTimings", () => {
  it("TTFT is sent → first content chunk; decode rate is tokens after the first over first → last", () => {
    const s = streamTimings(1000, [1300, 1350, 1400, 1500], 4);
    expect(s.ttft_ms).toBe(300);
    expect(s.decode_tokens).toBe(3);
    expect(s.decode_ms).toBe(200);
    expect(s.decode_tok_s).toBe(15);
    expect(s.gaps_ms).toEqual([50, 50, 100]);
    expect(s.itl_ms).toEqual({ n: 3, p50: 50, p95: 95, max: 100 });
    expect(s.chunks).toBe(4);
  });
  it("uses the server's completion count when chunks carry several tokens", () => {
    expect(streamTimings(0, [100, 200], 11).decode_tok_s).toBe(100);
  });
  it("falls back to the chunk count without usage", () => {
    expect(streamTimings(0, [100, 200, 300], null).decode_tokens).toBe(2);
  });
  it("one chunk (or none): no decode rate, no gaps", () => {
    expect(streamTimings(0, [100], 1)).toMatchObject({ ttft_ms: 100, decode_tok_s: null, decode_tokens: 0, itl_ms: { n: 0, p50: null, p95: null, max: null } });
    expect(streamTimings(0, [], 0)).toMatchObject({ chunks: 0, decode_tok_s: null });
  });
});

describe("mergeStreamStats", () => {
  it("a step's first TTFT, decode rate over all calls, gaps pooled", () => {
    const a = streamTimings(0, [200, 300], 2); // 1 token in 100 ms
    const b = streamTimings(1000, [1050, 1100, 1150, 1200], 4); // 3 tokens in 150 ms
    const m = mergeStreamStats([a, b])!;
    expect(m.ttft_ms).toBe(200);
    expect(m.decode_tokens).toBe(4);
    expect(m.decode_ms).toBe(250);
    expect(m.decode_tok_s).toBe(16);
    expect(m.itl_ms.n).toBe(4);
    expect(m.itl_ms.max).toBe(100);
    expect(m.chunks).toBe(6);
  });
  it("no streamed calls → undefined; the journal form drops the gap list", () => {
    expect(mergeStreamStats([])).toBeUndefined();
    const j = journalStream(streamTimings(0, [10, 20], 2))!;
    expect("gaps_ms" in j).toBe(false);
    expect(j.ttft_ms).toBe(10);
  });
});
