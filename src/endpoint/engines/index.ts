// Engine registry and detection: which engine serves the endpoint, read from the routes each one exposes
// (TGI /info, vLLM /version + max_model_len on /v1/models, SGLang /get_model_info), and what that means
// for limits and the model id to send. `--engine X` skips the guess but still reads X's routes.
import { openai } from "./openai.js";
import { sglang } from "./sglang.js";
import { tgi } from "./tgi.js";
import { ENGINE_NAMES, type EngineDetection, type EngineFacts, type EngineName, type EngineProfile, type RootGet, type TokenLimits } from "./types.js";
import { vllm } from "./vllm.js";

export * from "./types.js";

export const ENGINES: Readonly<Record<EngineName, EngineProfile>> = Object.freeze({ tgi, vllm, sglang, openai });

export function engineProfile(name: EngineName): EngineProfile {
  return ENGINES[name];
}

export function isEngineName(x: unknown): x is EngineName {
  return typeof x === "string" && (ENGINE_NAMES as readonly string[]).includes(x);
}

/**
 * Auto-detection order: SGLang's /get_model_info and TGI's /info are unique to them; vLLM's /version is
 * checked with its max_model_len (an OpenAI-compatible proxy may have a /version of its own).
 */
const AUTO_ORDER: readonly EngineProfile[] = [sglang, tgi, vllm];

/** The brief's endpoint (TGI, 12,288 input / 16,384 total): assumed only when the endpoint was cold at start. */
export const TGI_ENDPOINT_DEFAULT_LIMITS: Readonly<TokenLimits> = Object.freeze({ maxInputTokens: 12288, maxTotalTokens: 16384 });

export interface DetectOptions {
  /** The endpoint root (baseUrl without /v1). */
  root: string;
  apiKey: string;
  engine: EngineName | "auto";
  fetch: typeof fetch;
  timeoutMs?: number;
}

export interface Detected {
  profile: EngineProfile;
  facts: EngineFacts;
  /** Some route answered 503 (scale-to-zero): nothing could be read. */
  cold: boolean;
  /** The server is this harness's emulator (header x-medqa-emulator, or TGI /info "emulator": true). */
  emulator: boolean;
}

/** Header the emulator sets on every answer, whatever engine it plays: its figures are never a model's. */
export const EMULATOR_HEADER = "x-medqa-emulator";

/** A memoised GET of root routes: every profile may ask for /v1/models, the server sees it once. */
function rootGetter(o: DetectOptions, saw: (what: "cold" | "emulator") => void): RootGet {
  const cache = new Map<string, Promise<unknown>>();
  const headers: Record<string, string> = o.apiKey ? { authorization: `Bearer ${o.apiKey}` } : {};
  const timeoutMs = o.timeoutMs ?? 10_000;
  return (path) => {
    let p = cache.get(path);
    if (!p) {
      p = (async () => {
        try {
          const res = await o.fetch(`${o.root}${path}`, { headers, signal: AbortSignal.timeout(timeoutMs) });
          if (res.status === 503) saw("cold");
          if (res.headers.get(EMULATOR_HEADER)) saw("emulator");
          if (!res.ok) {
            await res.body?.cancel();
            return null;
          }
          const json = JSON.parse(await res.text()) as unknown;
          if (json && typeof json === "object" && (json as { emulator?: unknown }).emulator === true) saw("emulator");
          return json;
        } catch {
          return null;
        }
      })();
      cache.set(path, p);
    }
    return p;
  };
}

export async function detectEngine(o: DetectOptions): Promise<Detected> {
  let cold = false;
  let emulator = false;
  const get = rootGetter(o, (what) => {
    if (what === "cold") cold = true;
    else emulator = true;
  });
  if (o.engine !== "auto") {
    const profile = ENGINES[o.engine];
    const facts = (await profile.detect(get, true))!;
    return { profile, facts, cold, emulator };
  }
  // All probes at once (they are independent GETs); the first profile in AUTO_ORDER that recognises wins.
  const found = await Promise.all(AUTO_ORDER.map((p) => p.detect(get, false)));
  const i = found.findIndex((f) => f !== null);
  if (i >= 0) return { profile: AUTO_ORDER[i]!, facts: found[i]!, cold, emulator };
  if (cold) {
    // Scale-to-zero answers 503 on every route: nothing to detect yet. Assume the brief's endpoint.
    return {
      profile: tgi,
      facts: { version: null, limits: { ...TGI_ENDPOINT_DEFAULT_LIMITS }, servedModels: [], evidence: "endpoint cold at start (503)", info: null },
      cold,
      emulator,
    };
  }
  return { profile: openai, facts: (await openai.detect(get, false))!, cold, emulator };
}

export interface LimitFlags {
  maxInputTokens?: number | undefined;
  maxTotalTokens?: number | undefined;
}

/** Limits to preflight against: flags win, then the engine's published ones; none → unknown (no preflight). */
export function resolveLimits(facts: EngineFacts, flags: LimitFlags): { limits: TokenLimits | null; source: EngineDetection["limits_source"] } {
  const fromEngine = facts.limits;
  if (flags.maxInputTokens !== undefined || flags.maxTotalTokens !== undefined) {
    const total = flags.maxTotalTokens ?? fromEngine?.maxTotalTokens ?? flags.maxInputTokens! + 1;
    const input = flags.maxInputTokens ?? fromEngine?.maxInputTokens ?? total - 1;
    return { limits: { maxInputTokens: input, maxTotalTokens: total }, source: "flags" };
  }
  if (fromEngine) return { limits: fromEngine, source: "engine" };
  return { limits: null, source: "unknown" };
}

/**
 * The model id to send: the configured one, unless the engine only answers for the ids it serves and the
 * configured id is the implicit default ("tgi") — then the first served id, with a note.
 */
export function resolveModelId(profile: EngineProfile, facts: EngineFacts, configured: string, explicit: boolean): { model: string; note: string | null } {
  if (!profile.requiresServedModelId || explicit || facts.servedModels.length === 0 || facts.servedModels.includes(configured)) {
    return { model: configured, note: null };
  }
  const model = facts.servedModels[0]!;
  return { model, note: `${profile.label} serves only the ids on /v1/models: sending model "${model}" instead of the default "${configured}"` };
}

/** The run.json record of how the engine was settled. */
export function detectionRecord(
  d: Detected,
  requested: EngineName | "auto",
  limits: ReturnType<typeof resolveLimits>,
  extraNotes: string[] = [],
): EngineDetection {
  const notes = [...extraNotes];
  if (d.cold && requested === "auto") notes.push("the endpoint was cold (503) when detection ran: assumed TGI with the endpoint's documented limits");
  if (limits.limits === null) {
    notes.push(`${d.profile.label} publishes no token limits: limits are unknown, so requests are not preflighted (set --max-input-tokens/--max-total-tokens to enable it)`);
  }
  if (!d.profile.answers429) notes.push(`${d.profile.label} queues requests instead of answering 429: --concurrency is not lowered automatically; see the queue depth in the report`);
  return {
    engine: d.profile.name,
    version: d.facts.version,
    detected_by: requested === "auto" ? `auto: ${d.facts.evidence}` : `--engine ${requested} (${d.facts.evidence})`,
    limits: limits.limits ? { max_input_tokens: limits.limits.maxInputTokens, max_total_tokens: limits.limits.maxTotalTokens } : null,
    limits_source: limits.source,
    served_models: d.facts.servedModels,
    notes,
  };
}
