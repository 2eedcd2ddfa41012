// `run-validation`: a thin shell over the modules. Parses flags, resolves configuration, calls one function,
// maps its outcome to an exit code. Everything heavy — yargs included — is imported lazily, and the top-level
// `--help` is served from text rendered at build time (scripts/help-cache.mjs), so it starts fast.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Argv } from "yargs";
import type { RunConfig } from "./types.js";
import { DIFF_NUMBER_RULES, EMULATOR_NUMBER_RULES, NON_EMPTY_STRINGS, REPORT_NUMBER_RULES, RUN_NUMBER_RULES, validateFlags, withFlagChecks } from "./config/flags.js";
import { DATASET_CHOICES, FORMAT_CHOICES } from "./datasets/registry/names.js";
import { loadEnv } from "./config/env.js";
import { addArgvSecrets, addEnvSecrets, installOutputRedaction } from "./config/redact.js";
import { classifyExit, EXIT } from "./runner/exit-codes.js";

const MODES = ["pipeline", "direct", "both"] as const;

/** Flags of the main job, grouped for --help. */
function runOptions(y: Argv) {
  return y
    .option("medqa", { type: "boolean", describe: "Use the MedQA US 4-option test set (shipped with the package, sha256-checked on every load; `fetch medqa` refreshes it); = --dataset medqa", group: "Dataset:" })
    .option("dataset", { choices: DATASET_CHOICES, describe: "Benchmark from the registry (`run-validation datasets` lists them); downloaded into datasets/cache when not cached, unless --data", group: "Dataset:" })
    .option("data", { type: "string", describe: "Dataset file (MedQA JSONL or CSV); with --dataset/--medqa, a local copy of that benchmark (MedQA: else $MEDQA_PATH)", group: "Dataset:" })
    .option("format", { choices: FORMAT_CHOICES, describe: "Format of --data (default: from the file name); implies its benchmark", group: "Dataset:" })
    .option("subjects", { type: "string", describe: "mmlu-medical: comma-separated subjects (default: all six)", group: "Dataset:" })
    .option("split", { type: "string", describe: "pubmedqa: `test` for the standard 500-question test split (default: all 1,000 of PQA-L)", group: "Dataset:" })
    .option("split-file", { type: "string", describe: "pubmedqa --split test: the test ids (default: test_ground_truth.json beside --data)", group: "Dataset:" })
    .option("skip-invalid", { type: "boolean", default: false, describe: "Skip malformed records (counted and reported) instead of stopping", group: "Dataset:" })
    .option("max-cases", { type: "number", describe: "Sample this many cases (default: all)", group: "Sampling:" })
    .option("seed", { type: "number", default: 42, describe: "Sampling seed (also sent as the generation seed)", group: "Sampling:" })
    .option("case-ids", { type: "string", describe: "File of case ids to run (one per line, or a JSON array)", group: "Sampling:" })
    .option("shard", { type: "string", describe: "Run shard K of N of the sample, e.g. 2/4 (merge with `run-validation merge`)", group: "Sampling:" })
    .option("epochs", { type: "number", default: 1, describe: "Run each sampled case K times per arm, each epoch with its own engine seed (use with --temperature > 0)", group: "Pipeline:" })
    .option("reducer", { type: "string", array: true, choices: ["majority", "mean", "any", "all"], describe: "How reports combine a case's epochs (several allowed; default: all four)", group: "Pipeline:" })
    .option("mode", { choices: MODES, default: "pipeline" as const, describe: "Arm(s): the CDS pipeline (6 steps + answer), the direct 0-shot prompt, or both on the same cases", group: "Pipeline:" })
    .option("json-mode", { choices: ["prompt", "grammar"] as const, default: "prompt" as const, describe: "Structured output: schema in the prompt, or TGI's JSON grammar", group: "Pipeline:" })
    .option("drugs", { type: "boolean", default: true, describe: "Run the drug-check step (--no-drugs skips it)", group: "Pipeline:" })
    .option("guidelines", { type: "boolean", default: true, describe: "Run guideline retrieval and conflict detection (--no-guidelines skips both)", group: "Pipeline:" })
    .option("guidelines-file", { type: "string", describe: "JSON array of {id, specialty, title, source, url?, text}: BM25 retrieval instead of a model step", group: "Pipeline:" })
    .option("prompts", { type: "string", describe: "Folder of prompt overrides (<step>.md, direct.md)", group: "Pipeline:" })
    .option("pipeline", { type: "string", describe: "Pipeline file (YAML or JSON, docs/pipeline-file.md): named steps, prompts, schemas, temperatures, inputs", group: "Pipeline:" })
    .option("raw", { type: "boolean", default: true, describe: "Keep raw model output in cases.jsonl (--no-raw omits it)", group: "Pipeline:" })
    .option("concurrency", {
      type: "string",
      default: "1",
      describe: "Cases in flight (adapts down on 429, never above this), or auto: start at 2 and raise while throughput grows without queueing (≤ --max-concurrency)",
      group: "Load:",
    })
    .option("max-concurrency", { type: "number", default: 64, describe: "Ceiling for --concurrency auto", group: "Load:" })
    .option("delay", { type: "number", default: 0, describe: "Minimum seconds between case starts across all workers", group: "Load:" })
    .option("request-timeout", { type: "number", default: 300, describe: "Per-request timeout, seconds (retried)", group: "Load:" })
    .option("max-retries", { type: "number", default: 6, describe: "Retries per model call (429, 5xx, timeouts, connection errors)", group: "Load:" })
    .option("case-retry-budget", { type: "number", default: 20, describe: "Retries per case over all its calls; past it the case is recorded as error and the run goes on", group: "Load:" })
    .option("case-timeout", { type: "number", default: 1800, describe: "Seconds one case (one arm: all its calls, retries and waits) may take; past it the case is error (case_timeout) and the run goes on", group: "Load:" })
    .option("cold-start-timeout", { type: "number", default: 1200, describe: "Seconds to wait for a scaled-to-zero endpoint to wake", group: "Load:" })
    .option("scale-up-timeout", { type: "number", describe: "Send X-Scale-Up-Timeout: S so the proxy holds requests instead of probing", group: "Load:" })
    .option("base-url", { type: "string", describe: "Endpoint base URL (…/v1); default $MEDGEMMA_BASE_URL; none → embedded emulator", group: "Endpoint:" })
    .option("api-key", { type: "string", describe: "API key; default $MEDGEMMA_API_KEY or $HF_TOKEN (prefer the environment)", group: "Endpoint:" })
    .option("model", { type: "string", describe: "Model id; default $MEDGEMMA_MODEL_ID or tgi", group: "Endpoint:" })
    .option("temperature", { type: "number", default: 0, describe: "Sampling temperature (0 = greedy; always sent)", group: "Endpoint:" })
    .option("max-tokens", { type: "number", default: 2048, describe: "Upper bound on completion tokens per call", group: "Endpoint:" })
    .option("engine", { choices: ["auto", "tgi", "vllm", "sglang", "openai"] as const, default: "auto" as const, describe: "Serving engine behind the URL (auto: detected from /info, /version, /get_model_info)", group: "Endpoint:" })
    .option("stream", { type: "boolean", default: false, describe: "Stream every call and record TTFT, decode tokens/s and inter-token gaps per step", group: "Endpoint:" })
    .option("preflight", { type: "boolean", default: true, describe: "Check token limits before sending: a UTF-8 byte bound, the Gemma 3 tokenizer only when the bound cannot prove them (--no-preflight)", group: "Endpoint:" })
    .option("max-input-tokens", { type: "number", describe: "Override the endpoint's /info max_input_tokens", group: "Endpoint:" })
    .option("max-total-tokens", { type: "number", describe: "Override the endpoint's /info max_total_tokens", group: "Endpoint:" })
    .option("emulator-latency", { choices: ["none", "a100"] as const, default: "none" as const, describe: "Embedded emulator's latency model", group: "Emulator (when no endpoint is set):" })
    .option("time-scale", { type: "number", default: 1, describe: "Tests/benchmarks: run the harness's waits (timeouts, backoff, cold-start probing, --delay) and the embedded emulator this many times faster", group: "Emulator (when no endpoint is set):" })
    .option("emulator-invalid-json-rate", { type: "number", default: 0, describe: "Share of JSON answers the emulator breaks", group: "Emulator (when no endpoint is set):" })
    .option("emulator-style", { choices: ["plain", "varied"] as const, default: "plain" as const, describe: "Wording of the emulator's free-text answers: plain (`Answer: X`) or varied (markdown, option text only, boxed, thought blocks, hedges, refusals…)", group: "Emulator (when no endpoint is set):" })
    .option("out", { type: "string", default: "reports", describe: "Parent folder of run directories", group: "Output:" })
    .option("resume", { type: "string", describe: "Continue RUN_DIR with the settings in its run.json: keep finished cases, re-run unfinished and errored ones (only endpoint, key, concurrency, timeouts and prices may change)", group: "Output:" })
    .option("max-error-rate", { type: "number", default: 0, describe: "Exit 4 when the share of errored cases exceeds this (0..1)", group: "Output:" })
    .option("cost-per-hour", { type: "number", default: 2.5, describe: "Endpoint price, USD per hour", group: "Output:" })
    .option("price-per-mtok-in", { type: "number", describe: "Optional USD per million input tokens", group: "Output:" })
    .option("price-per-mtok-out", { type: "number", describe: "Optional USD per million output tokens", group: "Output:" });
}

type RunArgs = Awaited<ReturnType<ReturnType<typeof runOptions>["parseAsync"]>>;

function installSignals(): { signal: AbortSignal; dispose(): void } {
  const ac = new AbortController();
  let count = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    count++;
    if (count === 1) {
      process.stderr.write(`\n${sig}: stopping — no new cases; in-flight cases are abandoned and re-run on resume…\n`);
      ac.abort();
    } else {
      process.exit(EXIT.INTERRUPTED);
    }
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return {
    signal: ac.signal,
    dispose: () => {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    },
  };
}

async function mainRun(given: RunArgs, argv: string[]): Promise<number> {
  const { endpointSettings } = await import("./config/env.js");
  const { addSecret, addUrlSecrets } = await import("./config/redact.js");
  const { resumeArgs, storableFlags } = await import("./runner/resume.js");
  const { resolveData } = await import("./datasets/registry/resolve.js");
  const { parseShard } = await import("./sampling/sample.js");
  const { runValidation } = await import("./runner/run.js");
  const { UsageError } = await import("./runner/exit-codes.js");
  const { PACKAGE_ROOT } = await import("./runner/prepare.js");

  const env = loadEnv();
  // Secrets by value, whichever flag, alias, variable or .env carried them: never printed or written.
  addEnvSecrets(env);
  addSecret(given["api-key"]);
  addUrlSecrets(given["base-url"]);
  // A bare `--resume DIR` takes the run's settings from its run.json; flags given must not change results.
  const a = given.resume ? await resumeArgs(given, argv, resolve(given.resume)) : given;
  // Numeric ranges and non-empty strings are checked at parse time (config/flags.ts).
  const data = await resolveData(
    { medqa: a.medqa, dataset: a.dataset, data: a.data, format: a.format, subjects: a.subjects, split: a.split, splitFile: a["split-file"] },
    { env, packageRoot: PACKAGE_ROOT, allowFetch: true, log: (s) => process.stderr.write(s + "\n") },
  );
  const endpoint = endpointSettings(env, { baseUrl: a["base-url"], apiKey: a["api-key"], model: a.model });
  const { signal, dispose } = installSignals();
  try {
    return await runValidation({
      config: {
        dataset: "",
        data_path: data.data_path,
        data_sha256: data.data_sha256,
        registry: data.registry,
        format: data.format,
        subjects: data.subjects,
        split: data.split,
        split_file: data.split_file,
        max_cases: a["max-cases"] ?? null,
        seed: a.seed,
        case_ids_file: a["case-ids"] ? resolve(a["case-ids"]) : null,
        shard: a.shard ? parseShard(a.shard) : null,
        mode: a.mode,
        concurrency: a.concurrency === "auto" ? a["max-concurrency"] : Number(a.concurrency),
        ...(a.concurrency === "auto" ? { concurrency_auto: true } : {}),
        delay_s: a.delay,
        model: endpoint.model,
        temperature: a.temperature,
        max_tokens: a["max-tokens"],
        ...(a.epochs > 1 ? { epochs: a.epochs } : {}),
        ...(a.reducer && a.reducer.length > 0 ? { reducers: [...new Set(a.reducer)] as NonNullable<RunConfig["reducers"]> } : {}),
        request_timeout_s: a["request-timeout"],
        max_retries: a["max-retries"],
        json_mode: a["json-mode"],
        drugs: a.drugs,
        guidelines: a.guidelines,
        guidelines_file: a["guidelines-file"] ? resolve(a["guidelines-file"]) : null,
        prompts_dir: a.prompts ? resolve(a.prompts) : null,
        ...(a.pipeline ? { pipeline_file: resolve(a.pipeline) } : {}),
        raw: a.raw,
      },
      outDir: resolve(a.out),
      resumeDir: a.resume ? resolve(a.resume) : null,
      endpoint,
      emulator: {
        latency: a["emulator-latency"],
        invalidJsonRate: a["emulator-invalid-json-rate"],
        responseStyle: a["emulator-style"],
        // --engine vllm|sglang with no endpoint: the embedded emulator plays that engine.
        ...(a.engine === "vllm" || a.engine === "sglang" ? { engine: a.engine } : {}),
      },
      coldStartTimeoutS: a["cold-start-timeout"],
      scaleUpTimeoutS: a["scale-up-timeout"] ?? null,
      maxErrorRate: a["max-error-rate"],
      caseRetryBudget: a["case-retry-budget"],
      caseTimeoutS: a["case-timeout"],
      cost: { per_hour: a["cost-per-hour"], per_mtok_in: a["price-per-mtok-in"] ?? null, per_mtok_out: a["price-per-mtok-out"] ?? null },
      preflight: a.preflight,
      limits: { maxInputTokens: a["max-input-tokens"], maxTotalTokens: a["max-total-tokens"] },
      engine: a.engine,
      stream: a.stream,
      modelExplicit: a.model !== undefined || Boolean((env.MEDGEMMA_MODEL_ID ?? "").trim()),
      skipInvalid: a["skip-invalid"],
      timeScale: a["time-scale"],
      argv,
      flags: storableFlags(a as Record<string, unknown>),
      out: process.stdout,
      err: process.stderr,
      signal,
    });
  } finally {
    dispose();
  }
}

/** Maps thrown errors to exit codes (runner/exit-codes.ts): one line, the stack trace only with DEBUG. */
function exitCodeFor(err: unknown): number {
  const { code, message } = classifyExit(err);
  process.stderr.write(`error: ${message}\n`);
  return code;
}

/** Help width as yargs would choose it here: the terminal's, at most 120; 100 when not a terminal. */
const helpWidth = (): number => Math.min(120, process.stdout.columns ?? 100);

/** The build-time rendering of the top-level help for this width, if there is one (see scripts/help-cache.mjs). */
function cachedHelp(width: number): string | null {
  try {
    return readFileSync(new URL(`./help/${width}.txt`, import.meta.url), "utf8");
  } catch {
    return null;
  }
}

/** The top-level help text exactly as `--help` prints it (scripts/help-cache.mjs renders it at build time). */
export async function renderHelp(width: number): Promise<string> {
  return (await buildParser([], width, () => undefined)).getHelp();
}

async function buildParser(argv: string[], width: number, setCode: (c: number) => void): Promise<Argv> {
  const { default: yargs } = await import("yargs");
  const withDiffChecks = (p: Record<string, unknown>): true => {
    validateFlags(p, DIFF_NUMBER_RULES, argv);
    return true;
  };
  return yargs(argv)
    .scriptName("run-validation")
    .usage("$0 [--medqa | --dataset NAME | --data PATH] [options]\n\nValidation benchmark runner for the MedGemma 27B CDS agent on MedQA.")
    .command(
      "$0",
      "Run the validation (default command)",
      (y) => withFlagChecks(runOptions(y), RUN_NUMBER_RULES, argv, NON_EMPTY_STRINGS),
      async (a) => {
        setCode(await mainRun(a as RunArgs, argv));
      },
    )
    .command(
      "fetch <dataset>",
      "Download a benchmark into datasets/cache and verify its sha256 (pinned, or recorded in datasets/registry.lock.json on first download)",
      (y) =>
        y
          .positional("dataset", { choices: DATASET_CHOICES, demandOption: true })
          .option("subjects", { type: "string", describe: "mmlu-medical: only these subjects (comma-separated)" }),
      async (a) => {
        const { fetchCommand } = await import("./datasets/registry/commands.js");
        const { PACKAGE_ROOT } = await import("./runner/prepare.js");
        await fetchCommand(a.dataset, { subjects: a.subjects, packageRoot: PACKAGE_ROOT, out: process.stdout, log: (s) => process.stderr.write(s + "\n") });
      },
    )
    .command(
      "datasets",
      "List the benchmarks: records, size, licence, formats, and whether each is cached",
      (y) => y.option("json", { type: "boolean", default: false, describe: "Print JSON instead of a table" }),
      async (a) => {
        const { datasetsCommand } = await import("./datasets/registry/commands.js");
        const { PACKAGE_ROOT } = await import("./runner/prepare.js");
        await datasetsCommand({ packageRoot: PACKAGE_ROOT, json: a.json, out: process.stdout });
      },
    )
    .command(
      "emulator",
      "Serve the TGI emulator on 127.0.0.1 (OpenAI-compatible API) until interrupted",
      async (y) => {
        const { emulatorYargsOptions } = await import("./emulator/cli.js");
        return withFlagChecks(y.options(emulatorYargsOptions), EMULATOR_NUMBER_RULES, argv);
      },
      async (a) => {
        const { runEmulatorServer } = await import("./emulator/cli.js");
        await runEmulatorServer(a);
      },
    )
    .command(
      "report <run_dir>",
      "Regenerate every report of a run from its journal (no endpoint needed)",
      (y) =>
        withFlagChecks(
          y
            .positional("run_dir", { type: "string", demandOption: true })
            .option("cost-per-hour", { type: "number", describe: "Override the run's hourly price" })
            .option("price-per-mtok-in", { type: "number" })
            .option("price-per-mtok-out", { type: "number" })
            .option("quiet", { type: "boolean", default: false }),
          REPORT_NUMBER_RULES,
          argv,
        ),
      async (a) => {
        const { reportCommand } = await import("./report/command.js");
        setCode(await reportCommand(resolve(a.run_dir), {
          ...(a["cost-per-hour"] !== undefined ? { costPerHour: a["cost-per-hour"] } : {}),
          ...(a["price-per-mtok-in"] !== undefined ? { pricePerMTokIn: a["price-per-mtok-in"] } : {}),
          ...(a["price-per-mtok-out"] !== undefined ? { pricePerMTokOut: a["price-per-mtok-out"] } : {}),
          quiet: a.quiet,
        }));
      },
    )
    .command(
      "diff <base> [cand]",
      "Compare two runs (or two arms of one run) with paired statistics; gate CI on significant regressions",
      (y) =>
        y
          .positional("base", { type: "string", demandOption: true, describe: "Baseline run directory (or a legacy result JSON / checkpoint JSONL)" })
          .positional("cand", { type: "string", describe: "Candidate run directory" })
          .option("arms", { type: "string", describe: "Compare two arms of one run, e.g. direct,pipeline" })
          .option("strict", { type: "boolean", default: false, describe: "Refuse when datasets or sampled ids differ" })
          .option("allow-dataset-mismatch", { type: "boolean", default: false, describe: "Compare runs of different datasets (e.g. medqa vs medmcqa) on the cases with identical content; refused otherwise" })
          .option("markdown", { type: "string", describe: "Write the diff as Markdown (for $GITHUB_STEP_SUMMARY)" })
          .option("json", { type: "string", describe: "Write the diff as JSON" })
          .option("fail-on-regression", { type: "boolean", default: false, describe: "Exit 1 on a significant accuracy drop" })
          .option("alpha", { type: "number", default: 0.05, describe: "Significance level for the McNemar test" })
          .option("min-drop", { type: "number", default: 2, describe: "Minimum accuracy drop, in points, to fail" })
          .option("max-latency-regression", { type: "number", describe: "Fail when p95 case latency rises more than this percent" })
          .option("max-error-rate-increase", { type: "number", describe: "Fail when the candidate's errored-case share exceeds the base's by more than this many points (off by default; errored pairs never count as regressions)" })
          .option("seed", { type: "number", default: 42, describe: "Bootstrap seed" })
          .option("reducer", { choices: ["majority", "any", "all"] as const, default: "majority" as const, describe: "--epochs runs: how a case's epochs become one verdict before pairing" })
          .check((p) => withDiffChecks(p)),
      async (a) => {
        const { diffCommand } = await import("./diff/command.js");
        setCode(await diffCommand(resolve(a.base), a.cand ? resolve(a.cand) : null, {
          ...(a.arms ? { arms: a.arms } : {}),
          strict: a.strict,
          allowDatasetMismatch: a["allow-dataset-mismatch"],
          ...(a.markdown ? { markdown: a.markdown } : {}),
          ...(a.json ? { json: a.json } : {}),
          failOnRegression: a["fail-on-regression"],
          alpha: a.alpha,
          minDrop: a["min-drop"],
          ...(a["max-latency-regression"] !== undefined ? { maxLatencyRegression: a["max-latency-regression"] } : {}),
          ...(a["max-error-rate-increase"] !== undefined ? { maxErrorRateIncrease: a["max-error-rate-increase"] } : {}),
          seed: a.seed,
          reducer: a.reducer,
        }));
      },
    )
    .command(
      "merge <run_dirs..>",
      "Join the shards of one configuration into one run directory",
      (y) =>
        y
          .positional("run_dirs", { type: "string", array: true, demandOption: true })
          .option("out", { type: "string", demandOption: true, describe: "Merged run directory to create" }),
      async (a) => {
        const { mergeCommand } = await import("./merge/command.js");
        setCode(await mergeCommand((a.run_dirs as string[]).map((d) => resolve(d)), { out: resolve(a.out) }));
      },
    )
    .command(
      "trend <runs..>",
      "Accuracy, latency and cost over a series of runs (run directories, or folders of them), marking significant changes",
      (y) =>
        y
          .positional("runs", { type: "string", array: true, demandOption: true, describe: "Run directories, or folders holding run directories" })
          .option("html", { type: "string", default: "trend.html", describe: "Self-contained HTML page to write" })
          .option("markdown", { type: "string", default: "trend.md", describe: "Markdown table to write (e.g. for $GITHUB_STEP_SUMMARY)" })
          .option("alpha", { type: "number", default: 0.05, describe: "Significance level of the paired McNemar test between consecutive runs" })
          .check((p) => withDiffChecks(p)),
      async (a) => {
        const { trendCommand } = await import("./trend/command.js");
        setCode(await trendCommand(a.runs as string[], { html: resolve(a.html), markdown: resolve(a.markdown), alpha: a.alpha }, (s) => process.stderr.write(s + "\n")));
      },
    )
    .strict()
    .help()
    .alias("h", "help")
    .version(false)
    .wrap(width)
    .fail((msg, err, y) => {
      if (err) throw err;
      y.showHelp((s: string) => process.stderr.write(s + "\n"));
      process.stderr.write(`\nerror: ${msg}\n`);
      process.exit(EXIT.USAGE);
    });
}

export async function main(argv: string[]): Promise<void> {
  let code: number = EXIT.OK;
  // Before anything can print: every secret on the command line, in the environment or .env is masked by value.
  installOutputRedaction();
  addArgvSecrets(argv);
  addEnvSecrets(loadEnv());
  const width = helpWidth();
  if (argv.length === 1 && (argv[0] === "--help" || argv[0] === "-h")) {
    const text = cachedHelp(width);
    if (text !== null) {
      process.stdout.write(text);
      return;
    }
  }
  const parser = await buildParser(argv, width, (c) => (code = c));
  try {
    await parser.parseAsync();
  } catch (err) {
    code = exitCodeFor(err);
  }
  process.exitCode = code;
}
