// The main job: dataset → sample → endpoint (or the embedded emulator) → pipeline/direct arms → journal →
// reports. Returns an exit code (see exit-codes.ts); never calls process.exit itself.
import type { TokenizeCheck } from "../endpoint/tokenize-check.js";
import { AdaptiveLimiter } from "../endpoint/adaptive.js";
import { AutoConcurrency } from "../endpoint/auto-concurrency.js";
import { createEndpointClient, endpointRoot, PAUSED_HINT, readEndpointInfo } from "../endpoint/client.js";
import { detectEngine, detectionRecord, resolveLimits, resolveModelId, type EngineName } from "../endpoint/engines/index.js";
import { httpFetch } from "../endpoint/http-fetch.js";
import { MetricsSampler } from "../endpoint/metrics.js";
import type { ClientEvent } from "../endpoint/client.js";
import type { ModelClient, RetryBudget } from "../endpoint/types.js";
import { redactUrl, type EndpointSettings } from "../config/env.js";
import type { RunEventBody } from "../journal/events.js";
import { configComponents, hashComponents } from "../config/hash.js";
import { acquireRunLock, type RunLock } from "../journal/lock.js";
import { readRunJson } from "../journal/read.js";
import { failingAfter, RunJournalWriter } from "../journal/writer.js";
import { loadPromptSet, promptHashes } from "../pipeline/prompts.js";
import type { PipelineOptions } from "../pipeline/types.js";
import { createProgress, type Progress } from "../report/progress.js";
import type { Arm, CostSettings, EndpointInfo, RunConfig, RunJson } from "../types.js";
import { caseKey } from "../journal/read.js";
import { execute, type WorkUnit } from "./execute.js";
import { unitKey, workUnits } from "./epochs.js";
import { EXIT, UsageError } from "./exit-codes.js";
import { resumeCommand } from "./resume.js";
import {
  buildRunJson,
  checkResumable,
  createRunDir,
  endpointRecord,
  harnessInfo,
  loadAndSample,
  runDirName,
  writeRunJson,
} from "./prepare.js";

export interface RunRequest {
  config: RunConfig;
  outDir: string;
  resumeDir: string | null;
  endpoint: EndpointSettings;
  /** Options for the in-process emulator used when no endpoint is configured. */
  emulator: Record<string, unknown>;
  coldStartTimeoutS: number;
  scaleUpTimeoutS: number | null;
  maxErrorRate: number;
  /** Retries allowed per case and arm over all its calls; past it the case is recorded as `error`. */
  caseRetryBudget: number;
  /** Emulated seconds a case (one arm) may take in all; past it the case is `error` (case_timeout). */
  caseTimeoutS: number;
  cost: CostSettings;
  preflight: boolean;
  limits: { maxInputTokens?: number | undefined; maxTotalTokens?: number | undefined };
  /** --engine: auto-detect (default) or force one engine's profile. */
  engine?: EngineName | "auto";
  /** --stream: every call streamed, with TTFT / decode-rate timings in the journal. */
  stream?: boolean;
  /** The model id came from --model or MEDGEMMA_MODEL_ID (kept as is), not the "tgi" default. */
  modelExplicit?: boolean;
  skipInvalid: boolean;
  /**
   * Harness clock speed-up for tests and benchmarks: every harness-side wait (request timeout, retry backoff,
   * cold-start probing and timeout, --delay) is divided by it, matching an emulator run at the same time scale.
   */
  timeScale: number;
  /** The command line, to print an exact resume command. */
  argv: string[];
  /** The run flags' effective values (runner/resume.ts storableFlags), kept in run.json for a bare --resume. */
  flags?: Record<string, unknown>;
  out: NodeJS.WritableStream & { isTTY?: boolean };
  err: NodeJS.WritableStream;
  /** Interrupts (SIGINT/SIGTERM) abort this. */
  signal: AbortSignal;
}

const arms = (mode: RunConfig["mode"]): Arm[] => (mode === "both" ? ["direct", "pipeline"] : [mode]);

/**
 * Test hook: cases.jsonl writes fail with ENOSPC after N lines, to prove a full disk stops the run at once
 * (a real full disk cannot be arranged in a test).
 */
export const JOURNAL_FAULT_ENV = "RUN_VALIDATION_TEST_JOURNAL_ENOSPC_AFTER";

export async function runValidation(req: RunRequest): Promise<number> {
  const locks: RunLock[] = [];
  try {
    return await runLocked(req, (l) => locks.push(l));
  } finally {
    for (const l of locks) await l.release();
  }
}

async function runLocked(req: RunRequest, hold: (l: RunLock) => void): Promise<number> {
  const say = (s: string) => req.err.write(s + "\n");
  void harnessInfo(); // git rev-parse in the background while the dataset loads
  // 1. Data and sample: all before any endpoint traffic, so bad input costs nothing.
  const { dataset, cases } = await loadAndSample(req.config, req.skipInvalid);
  const config: RunConfig = { ...req.config, dataset: dataset.name };
  if (dataset.skipped.length > 0) say(`skipped ${dataset.skipped.length} invalid record(s) (--skip-invalid)`);
  for (const note of dataset.notes ?? []) say(`note: ${note}`);
  const prompts = loadPromptSet(config.prompts_dir);
  const guidelinesCorpus =
    config.guidelines && config.guidelines_file ? await (await import("../pipeline/guidelines-file.js")).loadGuidelines(config.guidelines_file) : null;
  // Modules only some runs need are loaded on demand (start-up time): the pipeline arm's steps and schemas.
  const { runDirect, directRequestText } = await import("../pipeline/direct/run.js");
  // --pipeline FILE: validated before anything else happens (exit 2 naming file:line:field), then interpreted.
  const pipelineFile =
    config.mode !== "direct" && config.pipeline_file ? await import("../pipeline/file/index.js").then((m) => m.loadPipelineRun(config.pipeline_file!)) : null;
  if (pipelineFile) {
    const overridden = Object.entries(prompts).flatMap(([id, p]) => (p.overridden ? [id] : []));
    const problem = (await import("../pipeline/file/index.js")).runFlagProblem(pipelineFile.def, config, overridden);
    if (problem) throw new UsageError(problem);
  }
  // Both through the one interpreter: the built-in pipeline is default.yaml (pipeline/default.ts).
  const runPipeline = config.mode === "direct" ? null : pipelineFile ? pipelineFile.run : (await import("../pipeline/run.js")).runPipeline;

  // 2. Resume: the stored run must match, and its journal must read cleanly — all before any endpoint traffic.
  const runIdName = runDirName(new Date(), dataset.name, config.seed, cases.length);
  const embedded = !req.endpoint.baseUrl;
  const draft = await buildRunJson({
    runId: runIdName,
    config,
    dataset,
    cases,
    endpoint: endpointRecord(embedded ? "emulator" : "remote", embedded ? "embedded-emulator" : redactUrl(req.endpoint.baseUrl!), req.endpoint.model, null),
    prompts: promptHashes(prompts),
    ...(pipelineFile ? { pipeline: pipelineFile.record } : {}),
    cost: req.cost,
  });
  const done = new Set<string>();
  let session = 1;
  let stored: RunJson | null = null;
  if (req.resumeDir) {
    // Exclusive before anything reads the journal: a second process on this folder would pay for the same cases.
    hold(await acquireRunLock(req.resumeDir, { say }));
    // The served model id is known only once the engine is detected (step 3): compare it there, the rest now.
    const storedModel = (await readRunJson(req.resumeDir).catch(() => null))?.endpoint?.model ?? draft.endpoint.model;
    const sameModel = { ...draft, endpoint: { ...draft.endpoint, model: storedModel } };
    stored = await checkResumable(req.resumeDir, { ...sameModel, config_hash: hashComponents(configComponents(sameModel)) });
    const journal = await (await import("../journal/read.js")).readJournal(req.resumeDir);
    for (const r of journal.cases) if (r.outcome !== "error") done.add(caseKey(r));
    session += journal.events.filter((e) => e.type === "run_start").length;
    say(`resuming ${req.resumeDir}: ${done.size} finished unit(s) kept${journal.tornCasesLine ? ", a torn last line dropped" : ""}`);
  }

  // 3. Endpoint: the configured one, or the embedded emulator.
  let emulator: { url: string; close(): Promise<void> } | null = null;
  let baseUrl = req.endpoint.baseUrl;
  let apiKey = req.endpoint.apiKey;
  if (!baseUrl) {
    const { startEmulator } = await import("../emulator/server.js");
    emulator = await startEmulator({ latency: "none", timeScale: req.timeScale, ...req.emulator });
    baseUrl = emulator.url;
    apiKey = "emulator";
    say(
      `NOTE: no endpoint configured (MEDGEMMA_BASE_URL): running on the embedded ${({ vllm: "vLLM", sglang: "SGLang" } as Record<string, string>)[String(req.emulator.engine)] ?? "TGI"} emulator.\n` +
        "      These are EMULATOR figures (a lexical baseline), not MedGemma's.",
    );
  }
  try {
    // No tokenizer warm-up: the preflight loads the Gemma tokenizer only for a request its byte bound cannot
    // clear (tokenizer/bound.ts) — an over-long prompt, which is rare and fails or is clamped anyway.
    // Which engine answers (TGI, vLLM, SGLang or a plain OpenAI-compatible server), its limits and served ids.
    const requestedEngine = req.engine ?? "auto";
    // A paused Inference Endpoint answers 400 "Bad Request: Invalid state" everywhere: nothing can succeed
    // until someone resumes it, so stop before creating a run.
    if ((await readEndpointInfo(baseUrl, apiKey ?? "", httpFetch)).paused) {
      say(`endpoint unavailable: ${redactUrl(baseUrl)} answered 400 "Bad Request: Invalid state" — ${PAUSED_HINT}`);
      return EXIT.ENDPOINT;
    }
    const detectOpts = { root: endpointRoot(baseUrl), apiKey: apiKey ?? "", engine: requestedEngine, fetch: httpFetch } as const;
    const detected = await detectEngine(detectOpts);
    const { profile } = detected;
    const info = detected.facts.info as EndpointInfo | null;
    const kind = emulator || detected.emulator ? "emulator" : "remote";
    if (!emulator && kind === "emulator") say(`NOTE: ${redactUrl(baseUrl)} is the ${profile.label} emulator: these are EMULATOR figures, not MedGemma's.`);
    const samplingProblem = profile.sampling.check({ temperature: req.config.temperature });
    if (samplingProblem) throw new UsageError(`--temperature ${req.config.temperature}: ${profile.label} rejects it (${samplingProblem})`);
    const resolvedLimits = resolveLimits(detected.facts, req.limits);
    // Mutable: the client reads it on every call; a re-read once the endpoint is warm updates it in place.
    const limits = resolvedLimits.limits ? { ...resolvedLimits.limits } : null;
    // Cold at start: the limits are the brief's defaults, not the endpoint's — say so, and read them once warm.
    const coldDefaults = detected.cold && !detected.facts.info && resolvedLimits.source === "engine";
    if (coldDefaults) say("NOTE: the endpoint is cold: using default token limits (12,288 / 16,384) until it is warm, then reading /info");
    const modelId = resolveModelId(profile, detected.facts, req.endpoint.model, req.modelExplicit ?? false);
    const engineInfo = detectionRecord(detected, requestedEngine, resolvedLimits, modelId.note ? [modelId.note] : []);
    say(`engine: ${profile.label}${engineInfo.version ? ` ${engineInfo.version}` : ""} (${engineInfo.detected_by})`);
    for (const note of engineInfo.notes) say(`NOTE: ${note}`);

    // The preflight's rendering and bound, checked once against the engine's own counting route (TGI
    // /chat_tokenize) on the first case's direct prompt: a mismatch stops the run before anything is paid for.
    let tokenizeCheck: TokenizeCheck | null = null;
    // (Not against the embedded emulator: that is the harness's own code, and its tokenizer would load in-process.)
    if (req.preflight && limits && !coldDefaults && !emulator && cases.length > 0) {
      const { checkTokenize } = await import("../endpoint/tokenize-check.js");
      const messages = [{ role: "user" as const, content: directRequestText(cases[0]!, prompts.direct.text) }];
      tokenizeCheck = await checkTokenize({ root: endpointRoot(baseUrl), apiKey: apiKey ?? "", model: modelId.model, profile, messages, fetch: httpFetch });
      if (tokenizeCheck?.problem) {
        throw new UsageError(`token preflight check against ${tokenizeCheck.route}: ${tokenizeCheck.problem}. Pass --no-preflight to run without the preflight (the server then refuses over-long requests itself).`);
      }
      if (tokenizeCheck?.skipped) say(`NOTE: token preflight not checked against the server (${tokenizeCheck.skipped})`);
    }

    // 4. Run directory: new, or the one being resumed.
    const endpoint: RunJson["endpoint"] = {
      ...endpointRecord(kind, emulator ? "embedded-emulator" : redactUrl(baseUrl), modelId.model, info),
      engine: engineInfo.engine,
      engine_version: engineInfo.version,
      detected_by: engineInfo.detected_by,
      limits: engineInfo.limits,
      limits_source: coldDefaults ? "default" : engineInfo.limits_source,
      info_read: info ? "start" : "never",
      stream: req.stream === true,
      notes: engineInfo.notes,
      ...(tokenizeCheck ? { tokenize_check: tokenizeCheck } : {}),
    };
    let run: RunJson = { ...draft, endpoint, ...(req.flags ? { flags: req.flags } : {}) };
    let dir: string;
    if (req.resumeDir && stored) {
      dir = req.resumeDir;
      if (stored.endpoint.model !== modelId.model) {
        throw new UsageError(
          `cannot resume ${dir}: the configuration differs from the stored run (model: stored ${JSON.stringify(stored.endpoint.model)}, now ${JSON.stringify(modelId.model)}). ` +
            `Resume with the original settings, or start a new run without --resume.`,
        );
      }
      if (stored.endpoint.kind !== kind) {
        throw new UsageError(
          `cannot resume ${dir}: it ran on ${stored.endpoint.kind === "emulator" ? "the emulator" : `a remote endpoint (${stored.endpoint.base_url})`}, ` +
            `this session would use ${kind === "emulator" ? "the emulator" : "a remote endpoint"} (field endpoint.kind); ` +
            (stored.endpoint.kind === "remote" ? "set MEDGEMMA_BASE_URL or pass --base-url" : "unset MEDGEMMA_BASE_URL / drop --base-url"),
        );
      }
      run = { ...stored, endpoint, cost: req.cost, ...(req.flags ? { flags: req.flags } : {}) };
    } else {
      dir = await createRunDir(req.outDir, runIdName);
      hold(await acquireRunLock(dir, { say }));
    }
    await writeRunJson(dir, run);
    say(`run directory: ${dir}`);

    // 4. Work.
    const units: WorkUnit[] = [];
    for (const u of workUnits(cases, arms(config.mode), config.seed, config.epochs ?? 1)) if (!done.has(unitKey(u))) units.push(u);
    const faultAfter = process.env[JOURNAL_FAULT_ENV];
    const writer = await RunJournalWriter.open(dir, faultAfter !== undefined ? { casesWrap: failingAfter(Number(faultAfter)) } : {});
    await writer.event({ type: "run_start", session, pending: units.length });

    const ts = req.timeScale > 0 ? req.timeScale : 1;
    const progress = createProgress({ total: units.length, stream: req.err, isTTY: Boolean((req.err as { isTTY?: boolean }).isTTY) });
    // Event lines are best-effort diagnostics: a failed write is reported, never fatal (the case journal is).
    const logEvent = (body: RunEventBody) => void writer.event(body).catch((err: Error) => say(`warning: events.jsonl: ${err.message}`));
    // --concurrency N: AIMD below N on 429s. --concurrency auto: probe for the throughput sweet spot (≤ N).
    const auto = config.concurrency_auto
      ? new AutoConcurrency({
          max: config.concurrency,
          cooldownMs: 5000 / ts,
          onChange: (c) => {
            progress.concurrency(c.limit);
            logEvent({ type: "concurrency", limit: c.limit, reason: c.reason, ...(c.tok_s !== undefined ? { tok_s: c.tok_s, latency_ms: c.latency_ms } : {}) });
          },
        })
      : null;
    const policy: LoadPolicy = auto ?? new AdaptiveLimiter(config.concurrency, { cooldownMs: 5000 / ts });
    const baseOnEvent = clientEventHandler({ policy, logsOwnChanges: auto !== null, progress, logEvent, say, coldStartTimeoutS: req.coldStartTimeoutS });
    // Cold at start (scale-to-zero answers 503 everywhere): detect again once the endpoint is warm, record
    // the real /info in run.json and use its limits from then on.
    let infoPending = detected.cold && !info;
    const rereadInfo = async (): Promise<void> => {
      const again = await detectEngine(detectOpts);
      if (again.cold || !again.facts.info) return;
      const r = resolveLimits(again.facts, req.limits);
      if (limits && r.limits) Object.assign(limits, r.limits);
      run = {
        ...run,
        endpoint: {
          ...run.endpoint,
          info: again.facts.info as EndpointInfo,
          info_read: "after_warm",
          engine_version: again.facts.version,
          detected_by: `${requestedEngine === "auto" ? "auto" : `--engine ${requestedEngine}`}: ${again.facts.evidence} (once warm)`,
          ...(r.limits ? { limits: { max_input_tokens: r.limits.maxInputTokens, max_total_tokens: r.limits.maxTotalTokens } } : {}),
          limits_source: r.source,
        },
      };
      await writeRunJson(dir, run);
      logEvent({ type: "info_reread", max_input_tokens: limits?.maxInputTokens ?? 0, max_total_tokens: limits?.maxTotalTokens ?? 0 });
      say(`endpoint warm: read /info${limits ? ` (max input ${limits.maxInputTokens}, max total ${limits.maxTotalTokens} tokens)` : ""}`);
    };
    const onEvent = (e: ClientEvent): void => {
      baseOnEvent(e);
      if (infoPending && ((e.type === "cold_start_end" && e.ok) || e.type === "success")) {
        infoPending = false;
        void rereadInfo().catch((err: Error) => say(`warning: re-reading /info: ${err.message}`));
      }
    };
    const client = createEndpointClient({
      baseUrl,
      apiKey: apiKey ?? "",
      model: modelId.model,
      temperature: config.temperature,
      maxTokens: config.max_tokens,
      seed: config.seed,
      requestTimeoutMs: (config.request_timeout_s * 1000) / ts,
      maxRetries: config.max_retries,
      retryBaseMs: 1000 / ts,
      retryMaxMs: 60_000 / ts,
      coldStartTimeoutMs: (req.coldStartTimeoutS * 1000) / ts,
      coldStartProbe: { firstDelayMs: 5000 / ts, maxDelayMs: 30_000 / ts },
      ...(req.scaleUpTimeoutS ? { scaleUpTimeoutS: req.scaleUpTimeoutS } : {}),
      limits,
      preflight: req.preflight && limits !== null,
      profile,
      stream: req.stream === true,
      fetch: httpFetch,
      onEvent,
    });
    const pipelineOpts: PipelineOptions = {
      jsonMode: config.json_mode,
      drugs: config.drugs,
      guidelines: config.guidelines,
      guidelinesCorpus,
      prompts,
      raw: config.raw,
      maxTokens: config.max_tokens,
    };

    // Saturation: the engine's queue / batch gauges every 5 emulated seconds, into events.jsonl.
    const metricsUnavailable = (reason: string): void => {
      logEvent({ type: "metrics_unavailable", reason });
      say(`NOTE: endpoint saturation not measured: ${reason}`);
    };
    const sampler = profile.metrics
      ? new MetricsSampler({
          root: endpointRoot(baseUrl),
          apiKey: apiKey ?? "",
          names: profile.metrics,
          intervalMs: 5000 / ts,
          fetch: httpFetch,
          onSample: (x) => logEvent({ type: "saturation", ...x }),
          onUnavailable: metricsUnavailable,
        })
      : null;
    if (sampler) sampler.start();
    else metricsUnavailable(`${profile.label} has no known Prometheus saturation series`);

    const caseTimeoutLabel = `${req.caseTimeoutS} s${ts !== 1 ? ` emulated, ×${ts}` : ""}`;
    let journalFailure: Error | null = null;
    const result = await execute({
      units,
      concurrency: config.concurrency,
      delayMs: (config.delay_s * 1000) / ts,
      currentLimit: () => policy.limit,
      signal: req.signal,
      caseTimeoutMs: (req.caseTimeoutS * 1000) / ts,
      caseTimeoutLabel,
      runArm: (c, arm, signal, epoch) => {
        // One retry budget per case and arm, shared by all its calls (see --case-retry-budget).
        const budget: RetryBudget = { remaining: req.caseRetryBudget };
        const seed = epoch ? { seed: epoch.seed } : {};
        const caseClient: ModelClient = { chat: (r, s) => client.chat({ ...r, budget, ...seed }, s) };
        return arm === "direct" || !runPipeline ? runDirect(c, caseClient, pipelineOpts, signal) : runPipeline(c, caseClient, pipelineOpts, signal);
      },
      onRecord: async (rec) => {
        try {
          await writer.appendCase(rec);
        } catch (err) {
          journalFailure ??= err as Error;
          throw err;
        }
        progress.caseDone(rec);
      },
    });
    progress.stop();
    await sampler?.stop();
    if (auto) {
      await writer.event({ type: "concurrency_chosen", limit: auto.chosen, final: auto.limit });
      say(
        auto.chosen !== null
          ? `--concurrency auto: settled at ${auto.chosen} (${auto.history.length} change(s) in events.jsonl)`
          : `--concurrency auto: still probing when the run ended (at ${auto.limit}); a longer run lets it settle`,
      );
    }
    client.close?.();
    const hint = resumeCommand(req.argv, dir);

    if (result.journalError) {
      // A local problem, reported as one: no run_end, no reports if the disk refuses them too.
      const why = (journalFailure ?? result.journalError).message;
      say(`error: cannot write the journal ${dir}/cases.jsonl: ${why}`);
      say(`stopped at once: no new cases started, ${result.finished} unit(s) journaled this session are kept, in-flight ones abandoned.`);
      await writer.event({ type: "run_end", session, status: "failed", reason: `journal write failed: ${why}` }).catch(() => undefined);
      await writer.close().catch(() => undefined);
      await (await import("../report/write.js")).writeReports(dir).then(
        () => say(`reports written to ${dir} (from what was journaled)`),
        (err: Error) => say(`reports not written: ${err.message}`),
      );
      say(`free space (or fix the folder's permissions), then resume with:\n  ${hint}`);
      return EXIT.JOURNAL_WRITE;
    }

    const interrupted = req.signal.aborted;
    const status = result.fatal ? "failed" : interrupted ? "interrupted" : "completed";
    await writer.event({
      type: "run_end",
      session,
      status,
      ...(result.fatal ? { reason: result.fatal.message } : {}),
    });
    await writer.close();

    // 5. Reports, from the journal alone (the same code path as `run-validation report`).
    const [{ writeReports }, { renderSummaryTables }] = await Promise.all([import("../report/write.js"), import("../report/console.js")]);
    const { summary } = await writeReports(dir);
    req.out.write(renderSummaryTables(summary) + "\n");
    say(`reports written to ${dir}`);

    if (result.fatal) {
      say(`endpoint unavailable: ${result.fatal.message}`);
      say(`${result.unfinished} unit(s) not run; after fixing it, resume with:\n  ${hint}`);
      return EXIT.ENDPOINT;
    }
    if (interrupted) {
      say(`interrupted: ${result.unfinished} unit(s) not finished. Resume with:\n  ${hint}`);
      return EXIT.INTERRUPTED;
    }
    const errored = summary.arms.reduce((n, a) => n + a.outcomes.error, 0);
    const recorded = summary.arms.reduce((n, a) => n + a.outcomes.correct + a.outcomes.wrong + a.outcomes.unparseable + a.outcomes.error, 0);
    const rate = recorded ? errored / recorded : 0;
    if (rate > req.maxErrorRate) {
      say(
        `${errored} of ${recorded} unit(s) errored (${(rate * 100).toFixed(1)}% > --max-error-rate ${req.maxErrorRate * 100}%). ` +
          `Re-run the errored ones with:\n  ${hint}`,
      );
      return EXIT.ERROR_RATE;
    }
    return EXIT.OK;
  } finally {
    await emulator?.close();
  }
}

/** What the work loop's concurrency follows: AdaptiveLimiter (fixed ceiling, AIMD on 429) or AutoConcurrency. */
interface LoadPolicy {
  readonly limit: number;
  onOverload(): void;
  onSuccess(completionTokens: number, latencyMs: number): void;
}

interface EventDeps {
  policy: LoadPolicy;
  /** AutoConcurrency logs its own changes (with reason and figures); the 429 limiter's are logged here. */
  logsOwnChanges: boolean;
  progress: Progress;
  logEvent: (body: RunEventBody) => void;
  say: (s: string) => void;
  coldStartTimeoutS: number;
}

/** Client events → adaptive concurrency, the progress line, the console and events.jsonl. */
function clientEventHandler({ policy, logsOwnChanges, progress, logEvent, say, coldStartTimeoutS }: EventDeps): (e: ClientEvent) => void {
  let lastLimit = policy.limit;
  return (e) => {
    switch (e.type) {
      case "overloaded":
        policy.onOverload();
        break;
      case "success":
        policy.onSuccess(e.tokens?.completion ?? 0, e.latencyMs);
        break;
      case "retry":
        progress.retry();
        logEvent({ type: "retry", error_class: e.errorClass, wait_ms: e.waitMs, ...(e.status ? { status: e.status } : {}) });
        break;
      case "cold_start_begin":
        say(`endpoint is cold (scaled to zero?): all workers paused while one prober waits for a replica (up to ${coldStartTimeoutS} s)`);
        progress.coldState("cold");
        logEvent({ type: "cold_start_begin" });
        break;
      case "cold_start_end":
        say(e.ok ? `endpoint ready after ${(e.ms / 1000).toFixed(1)} s cold; resuming` : `endpoint did not become ready after ${(e.ms / 1000).toFixed(1)} s`);
        progress.coldState("warm");
        logEvent({ type: "cold_start_end", ms: e.ms, ok: e.ok });
        break;
    }
    if (policy.limit !== lastLimit && !logsOwnChanges) {
      lastLimit = policy.limit;
      progress.concurrency(lastLimit);
      logEvent({ type: "concurrency", limit: lastLimit });
    }
  };
}
