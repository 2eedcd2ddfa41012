// Command-line face of the emulator: yargs option definitions, argv → EmulatorOptions, and a runner that
// serves until SIGINT/SIGTERM (`run-validation emulator`).
import type { Options } from "yargs";
import { parseFaultSpec } from "./faults.js";
import { DEFAULT_EMULATOR_OPTIONS as D, EMULATED_ENGINES, FAULT_KINDS, type EmulatedEngine, type EmulatorOptions, type LatencyProfile } from "./options.js";
import { startEmulator, type EmulatorHandle } from "./server.js";

// TGI-shaped defaults come from DEFAULT_EMULATOR_OPTIONS; port and latency differ on purpose (a served
// emulator listens on 8080 and is timed like the real GPU; the embedded one is ephemeral and instant).
export const emulatorYargsOptions = {
  engine: { type: "string", choices: EMULATED_ENGINES, default: D.engine, describe: "Serving engine to play: its routes, validation, answer and error shapes" },
  port: { type: "number", default: 8080, describe: "Port on 127.0.0.1 (0 = ephemeral)" },
  "time-scale": { type: "number", default: D.timeScale, describe: "Emulated seconds per real second" },
  latency: { type: "string", choices: ["none", "a100"], default: "a100", describe: "Latency model: none, or MedGemma 27B bf16 on 1× A100 80 GB" },
  "max-concurrent": { type: "number", default: D.maxConcurrentRequests, describe: "TGI --max-concurrent-requests (beyond → 429)" },
  "max-input-tokens": { type: "number", default: D.maxInputTokens, describe: "TGI --max-input-tokens" },
  "max-total-tokens": { type: "number", default: D.maxTotalTokens, describe: "TGI --max-total-tokens" },
  "idle-timeout": { type: "number", default: D.idleTimeoutS, describe: "Scale to zero after this many idle emulated seconds (0 = never)" },
  "cold-start": { type: "number", default: D.coldStartS, describe: "Emulated seconds a replica takes to start from zero" },
  "start-cold": { type: "boolean", default: D.startCold, describe: "Start scaled to zero" },
  "fault-rate": { type: "number", default: D.faultRate, describe: `Share of requests failing with ${D.faultKinds.join("/")}` },
  faults: { type: "string", describe: `Per-kind fault shares, e.g. "500:0.02,reset:0.01" (kinds: ${FAULT_KINDS.join(", ")})` },
  "fault-seed": { type: "string", default: "0", describe: "Seed of the deterministic fault sequence" },
  "invalid-json-rate": { type: "number", default: D.invalidJsonRate, describe: "Share of JSON answers broken on purpose" },
  style: { choices: ["plain", "varied"], default: D.responseStyle, describe: "Wording of free-text answers: plain (`Answer: X`) or varied (real models' styles, hedges, refusals)" },
  "overload-rate": { type: "number", default: D.overloadRate, describe: "Share of requests answered 429" },
  "require-token": { type: "string", describe: "Require Authorization: Bearer <token> (401 otherwise)" },
  paused: { type: "boolean", default: D.paused, describe: 'Act as a paused Inference Endpoint: every route answers 400 "Bad Request: Invalid state"' },
  "pause-after": { type: "number", default: D.pauseAfterRequests, describe: "Pause after this many generation requests (0 = never)" },
} as const satisfies Record<string, Options>;

function share(name: string, v: unknown): number {
  const n = Number(v ?? 0);
  if (!Number.isFinite(n) || n < 0 || n > 1) throw new Error(`--${name} must be a number in 0..1, got ${String(v)}`);
  return n;
}

function nonNegative(name: string, v: unknown): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a non-negative number, got ${String(v)}`);
  return n;
}

/** Maps parsed argv (kebab-case keys, as declared above) to emulator options. Throws on bad values. */
export function emulatorOptionsFromArgv(argv: Record<string, unknown>): Partial<EmulatorOptions> {
  const o: Partial<EmulatorOptions> = {};
  if (argv.engine !== undefined) {
    if (!(EMULATED_ENGINES as readonly unknown[]).includes(argv.engine)) throw new Error(`--engine must be one of ${EMULATED_ENGINES.join(", ")}, got ${String(argv.engine)}`);
    o.engine = argv.engine as EmulatedEngine;
  }
  if (argv.port !== undefined) o.port = nonNegative("port", argv.port);
  if (argv["time-scale"] !== undefined) {
    o.timeScale = nonNegative("time-scale", argv["time-scale"]);
    if (o.timeScale === 0) throw new Error("--time-scale must be > 0");
  }
  if (argv.latency !== undefined) {
    if (argv.latency !== "none" && argv.latency !== "a100") throw new Error(`--latency must be none or a100, got ${String(argv.latency)}`);
    o.latency = argv.latency as LatencyProfile;
  }
  if (argv["max-concurrent"] !== undefined) o.maxConcurrentRequests = nonNegative("max-concurrent", argv["max-concurrent"]);
  if (argv["max-input-tokens"] !== undefined) o.maxInputTokens = nonNegative("max-input-tokens", argv["max-input-tokens"]);
  if (argv["max-total-tokens"] !== undefined) o.maxTotalTokens = nonNegative("max-total-tokens", argv["max-total-tokens"]);
  if (argv["idle-timeout"] !== undefined) o.idleTimeoutS = nonNegative("idle-timeout", argv["idle-timeout"]);
  if (argv["cold-start"] !== undefined) o.coldStartS = nonNegative("cold-start", argv["cold-start"]);
  if (argv["start-cold"] !== undefined) o.startCold = Boolean(argv["start-cold"]);
  if (argv["fault-rate"] !== undefined) o.faultRate = share("fault-rate", argv["fault-rate"]);
  if (typeof argv.faults === "string" && argv.faults.trim() !== "") o.faults = parseFaultSpec(argv.faults, FAULT_KINDS);
  if (argv["fault-seed"] !== undefined) o.faultSeed = String(argv["fault-seed"]);
  if (argv["invalid-json-rate"] !== undefined) o.invalidJsonRate = share("invalid-json-rate", argv["invalid-json-rate"]);
  if (argv.style === "plain" || argv.style === "varied") o.responseStyle = argv.style;
  if (argv["overload-rate"] !== undefined) o.overloadRate = share("overload-rate", argv["overload-rate"]);
  if (typeof argv["require-token"] === "string" && argv["require-token"] !== "") o.requireToken = argv["require-token"];
  if (argv.paused !== undefined) o.paused = Boolean(argv.paused);
  if (argv["pause-after"] !== undefined) o.pauseAfterRequests = nonNegative("pause-after", argv["pause-after"]);
  return o;
}

/** Starts the emulator, prints its URL and serves until SIGINT/SIGTERM. */
export async function runEmulatorServer(argv: Record<string, unknown>): Promise<void> {
  const handle: EmulatorHandle = await startEmulator({
    ...emulatorOptionsFromArgv(argv),
    log: (line) => process.stderr.write(line + "\n"),
  });
  const label = { tgi: "TGI", vllm: "vLLM", sglang: "SGLang" }[handle.engine];
  process.stdout.write(`${label} emulator listening on ${handle.url}\n`);
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve();
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  await handle.close();
}
