// A standalone emulator process for the zero-latency benchmarks: the same startEmulator() the CLI's
// `run-validation emulator` uses, but with an O(1) prompt-token counter (chars/4) instead of the Gemma
// tokenizer. The emulator otherwise BPE-encodes every request (tens of ms of CPU each on this machine),
// which would make the emulator, not the harness, the bottleneck of a zero-latency run. The harness process
// is unaffected (it does its own counting when --preflight is on).
// Usage: node bench/lib/emulator-proc.mjs LATENCY TIME_SCALE   → prints "listening on URL".
import { startEmulator } from "../../dist/emulator/server.js";

const [latency = "none", timeScale = "1"] = process.argv.slice(2);
const approx = (messages) => messages.reduce((n, m) => n + Math.ceil(m.content.length / 4) + 4, 2);
const h = await startEmulator({ port: 0, latency, timeScale: Number(timeScale), countTokens: approx });
process.stdout.write(`TGI emulator listening on ${h.url}\n`);
const stop = async () => {
  await h.close();
  process.exit(0);
};
process.once("SIGTERM", stop);
process.once("SIGINT", stop);
