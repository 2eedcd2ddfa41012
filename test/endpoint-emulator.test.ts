// Integration: the client against the project's TGI emulator (scaled time: 1000 emulated s per real s).
import { afterEach, describe, expect, it } from "vitest";
import { createEndpointClient, fetchEndpointInfo, type ClientEvent } from "../src/endpoint/client.js";
import { startEmulator } from "../src/emulator/server.js";

const SCALE = 1000;
const handles: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const h of handles.splice(0)) await h.close();
});

// Client waits run on the emulator's time scale, so a 10-minute cold start takes ~0.6 s.
const scaledSleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const t = setTimeout(resolve, ms / SCALE);
    signal?.addEventListener("abort", () => (clearTimeout(t), reject(signal.reason)), { once: true });
  });
const t0 = performance.now();
const scaledNow = () => (performance.now() - t0) * SCALE;

describe("client × emulator", () => {
  it("rides out a scale-to-zero cold start through the gate, all calls succeed", async () => {
    const emu = await startEmulator({ startCold: true, coldStartS: 600, timeScale: SCALE, countTokens: () => 100 });
    handles.push(emu);
    const events: ClientEvent[] = [];
    const client = createEndpointClient({
      baseUrl: emu.url,
      apiKey: "emulator",
      maxRetries: 0,
      sleep: scaledSleep,
      now: scaledNow,
      onEvent: (e) => events.push(e),
    });
    const req = { messages: [{ role: "user" as const, content: "Which is correct?\nA. x\nB. y\nC. z\nD. w" }], max_tokens: 50 };
    const results = await Promise.all(Array.from({ length: 6 }, () => client.chat(req)));
    client.close();
    for (const r of results) {
      expect(r.text.length).toBeGreaterThan(0);
      expect(r.cold_ms).toBeGreaterThan(0);
    }
    expect(events.filter((e) => e.type === "cold_start_begin")).toHaveLength(1);
    expect(events.find((e) => e.type === "cold_start_end")).toMatchObject({ ok: true });
    expect(await fetchEndpointInfo(emu.url, "emulator")).toMatchObject({ max_input_tokens: 12288, max_total_tokens: 16384 });
  });

  it("with X-Scale-Up-Timeout the proxy holds the request instead", async () => {
    const emu = await startEmulator({ startCold: true, coldStartS: 600, timeScale: SCALE, countTokens: () => 100 });
    handles.push(emu);
    const client = createEndpointClient({ baseUrl: emu.url, apiKey: "emulator", scaleUpTimeoutS: 900, maxRetries: 0, sleep: scaledSleep, now: scaledNow });
    const r = await client.chat({ messages: [{ role: "user", content: "Hi" }], max_tokens: 5 });
    expect(r.attempts).toBe(1);
    expect(r.text.length).toBeGreaterThan(0);
    // The ~600 emulated s hold is cold time (elapsed − x-total-time), not model latency.
    expect(r.cold_ms).toBeGreaterThan(500_000);
    expect(r.latency_ms).toBeLessThan(r.cold_ms);
  });
});
