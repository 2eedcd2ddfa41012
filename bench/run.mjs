#!/usr/bin/env node
// `npm run bench`: "the harness is never the bottleneck". Runs the built CLI (dist/) as a separate process
// against a separate emulator process and writes bench/results/latest.json and BENCHMARKS.md.
//
// Sections (BENCH_SECTIONS=efficiency,overhead,scale,reports,question,startup,auto,profile[,peer]; default all but
// peer; `npm run bench -- --peer` adds the promptfoo comparison), each figure the median of
// BENCH_REPS runs (default 3) with min and max. BENCH_REPS_10K / BENCH_REPS_10K_PF set the repeats of the
// 10,000-case runs without / with preflight (default 1 each, to fit the 10-minute budget: see BENCHMARKS.md).
// Temp data (synthetic dataset, run directories) goes to a temp dir that is removed at the end
// (BENCH_KEEP=1 keeps it).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CLI, REPO, agg, cpuPressure, journalFacts, load1, machineInfo, round, runDirIn, runNode, startEmulatorProcess, TIME_BIN } from "./lib/util.mjs";
import { idealMakespan, serialServiceMs, stepMaxTokens, unitsFromJournal } from "./lib/ideal.mjs";
import { writeSynthetic } from "./lib/synth.mjs";
import { renderMarkdown } from "./lib/markdown.mjs";
import { timeToFirstRequest } from "./lib/first-request.mjs";
import { ensurePromptfoo, peerEnv, writePeerConfig } from "./lib/peer.mjs";
import { summarizeProfile } from "./lib/profile.mjs";

const MEDQA = join(REPO, "../shared/datasets/medqa/us_4options_test.jsonl");
const REPS = Number(process.env.BENCH_REPS ?? 3);
const REPS_10K = Number(process.env.BENCH_REPS_10K ?? 1);
const REPS_10K_PF = Number(process.env.BENCH_REPS_10K_PF ?? 1);
const SECTIONS = new Set((process.env.BENCH_SECTIONS ?? "efficiency,overhead,scale,reports,question,startup,auto,profile").split(","));
if (process.argv.includes("--peer")) SECTIONS.add("peer");
const TMP = mkdtempSync(join(tmpdir(), "medqa-bench-"));
process.env.BENCH_TMP = TMP;
const T0 = performance.now();
const readJsonlFile = (f) => readFileSync(f, "utf8").split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l));
const log = (s) => process.stderr.write(`[bench ${((performance.now() - T0) / 1000).toFixed(0).padStart(4)}s] ${s}\n`);

let outSeq = 0;
const newOut = () => {
  const d = join(TMP, `run-${++outSeq}`);
  mkdirSync(d);
  return d;
};

/** One harness run; returns process metrics plus journal facts. Throws on a non-zero exit. */
async function harness(args, { data = MEDQA } = {}) {
  const out = newOut();
  const l0 = load1();
  const p0 = cpuPressure();
  const r = await runNode([CLI, "--data", data, "--seed", "42", "--out", out, ...args], { timeoutMs: 600_000 });
  if (r.code !== 0) throw new Error(`harness exited ${r.code}: ${args.join(" ")}\n${r.stderr.slice(-2000)}`);
  const dir = runDirIn(out);
  return { ...r, dir, facts: journalFacts(dir), load1: [l0, load1()], cpu_pressure: [p0, cpuPressure()] };
}

const results = {
  machine: machineInfo(),
  harness_commit: null,
  reps: REPS,
  time_bin: TIME_BIN,
  sections: {},
};
try {
  const { execFileSync } = await import("node:child_process");
  results.harness_commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: REPO }).toString().trim();
  results.harness_dirty = execFileSync("git", ["status", "--porcelain", "--", "src"], { cwd: REPO }).toString().trim() !== "";
} catch {}
results.load1_start = load1();
results.cpu_pressure_start = cpuPressure();

// ---------------------------------------------------------------- 1. efficiency (+ 5. the user's question)
const maxTok = await stepMaxTokens();

async function efficiencyRun(emu, { mode, c, n, scale, delayS = 0 }) {
  const args = ["--max-cases", String(n), "--mode", mode, "--concurrency", String(c), "--base-url", emu.url, "--time-scale", String(scale)];
  if (delayS > 0) args.push("--delay", String(delayS));
  const r = await harness(args);
  const { units, calls, splitCalls } = unitsFromJournal(r.facts.recs, r.facts.run, maxTok);
  const idealMs = await idealMakespan(units, { concurrency: c, delayMs: delayS * 1000 });
  const measuredMs = r.facts.spanMs * scale; // emulated ms
  const excessRealMs = (measuredMs - idealMs) / scale; // real ms of non-model time along the run
  return {
    ideal_emulated_s: idealMs / 1000,
    measured_emulated_s: measuredMs / 1000,
    measured_real_s: r.facts.spanMs / 1000,
    efficiency_at_scale: idealMs / measuredMs,
    excess_real_ms: excessRealMs,
    excess_real_ms_per_call: excessRealMs / calls,
    // The same run in real time (scale 1): model time unchanged, the real overhead no longer multiplied.
    efficiency_projected_scale1: idealMs / (idealMs + Math.max(0, excessRealMs)),
    projected_scale1_s: (idealMs + Math.max(0, excessRealMs)) / 1000,
    serial_service_s: serialServiceMs(units) / 1000,
    calls,
    split_calls: splitCalls,
    attempts: r.facts.attempts,
    errors: r.facts.errors,
    harness_cpu_s: r.cpuS,
    harness_cpu_ms_per_call_incl_startup: (r.cpuS * 1000) / calls,
    load1: r.load1,
    cpu_pressure: r.cpu_pressure,
  };
}

function summarize(runs, keys) {
  const o = {};
  for (const k of keys) o[k] = agg(runs.map((r) => r[k]));
  return o;
}
const EFF_KEYS = ["efficiency_at_scale", "efficiency_projected_scale1", "ideal_emulated_s", "measured_emulated_s", "measured_real_s", "projected_scale1_s", "excess_real_ms_per_call", "harness_cpu_s"];

if (SECTIONS.has("efficiency") || SECTIONS.has("question")) {
  const plan = [];
  if (SECTIONS.has("efficiency")) {
    // Scales: the shortest emulated call must last ≥ ~50 real ms so real overhead stays a small share of it.
    for (const [c, n] of [[1, 8], [8, 32], [32, 64]]) plan.push({ section: "efficiency", mode: "direct", c, n, scale: 10 });
    for (const [c, n] of [[1, 2], [8, 16], [32, 32]]) plan.push({ section: "efficiency", mode: "pipeline", c, n, scale: 50 });
  }
  if (SECTIONS.has("question")) {
    plan.push({ section: "question", key: "old", mode: "pipeline", c: 1, n: 50, scale: 200, delayS: 2 });
    plan.push({ section: "question", key: "c8", mode: "pipeline", c: 8, n: 50, scale: 200 });
  }
  const byScale = new Map();
  for (const p of plan) byScale.set(p.scale, [...(byScale.get(p.scale) ?? []), p]);
  for (const [scale, ps] of byScale) {
    log(`emulator --latency a100 --time-scale ${scale} (Gemma tokenizer, as the CLI)`);
    const emu = await startEmulatorProcess({ latency: "a100", timeScale: scale });
    try {
      // Warm-up: one unmeasured pass over the largest sample of each mode at this scale. Samples nest for one seed
      // and the emulator's answers are deterministic, so every measured prompt is then in the emulator's
      // prompt-token cache: the stock emulator BPE-encodes each new prompt in JS (≈ 5–30 ms of its CPU), which is
      // the emulator's cost, not the harness's.
      for (const mode of new Set(ps.map((p) => p.mode))) {
        const mine = ps.filter((p) => p.mode === mode);
        const n = Math.max(...mine.map((p) => p.n));
        const c = Math.max(...mine.map((p) => p.c));
        log(`warm-up ${mode} N=${n} C=${c} (unmeasured)`);
        await harness(["--max-cases", String(n), "--mode", mode, "--concurrency", String(c), "--base-url", emu.url, "--time-scale", String(scale)]);
      }
      for (const p of ps) {
        const runs = [];
        for (let i = 0; i < REPS; i++) {
          runs.push(await efficiencyRun(emu, p));
          const r = runs.at(-1);
          log(`${p.section} ${p.mode} C=${p.c} N=${p.n} x${scale}${p.delayS ? ` delay ${p.delayS}s` : ""}: ideal ${r.ideal_emulated_s.toFixed(1)} s, measured ${r.measured_emulated_s.toFixed(1)} s emulated → ${r.efficiency_at_scale.toFixed(3)} (scale-1 projection ${r.efficiency_projected_scale1.toFixed(4)}; excess ${r.excess_real_ms_per_call.toFixed(1)} real ms/call)`);
        }
        const entry = { mode: p.mode, concurrency: p.c, cases: p.n, time_scale: scale, delay_s: p.delayS ?? 0, preflight: true, ...summarize(runs, EFF_KEYS), calls: runs[0].calls, attempts: runs.map((r) => r.attempts), errors: runs.map((r) => r.errors), split_calls: runs[0].split_calls, serial_service_s: runs[0].serial_service_s, load1: runs.map((r) => r.load1), runs };
        const sec = (results.sections[p.section] ??= p.section === "efficiency" ? { configs: [] } : {});
        if (p.section === "efficiency") sec.configs.push(entry);
        else sec[p.key] = entry;
      }
    } finally {
      await emu.stop();
    }
  }
  const q = results.sections.question;
  if (q?.old && q?.c8) {
    const oldSerialDelay = 50 * 2; // the old serial loop slept 2 s after every case; the pacer overlaps it with the case
    q.speedup_measured_emulated = q.old.measured_emulated_s.median / q.c8.measured_emulated_s.median;
    q.speedup_projected_scale1 = q.old.projected_scale1_s.median / q.c8.projected_scale1_s.median;
    q.speedup_ideal = q.old.ideal_emulated_s.median / q.c8.ideal_emulated_s.median;
    q.old_serial_loop_estimate_s = q.old.ideal_emulated_s.median + oldSerialDelay;
    // What the service model allows at all: aggregate decode at batch 8 vs batch 1, and the cap.
    const { perSequenceTokPerS, A100_MEDGEMMA_27B: g } = await import("../dist/emulator/latency.js");
    q.model_limits = {
      tok_s_batch1: perSequenceTokPerS(1),
      tok_s_aggregate_batch8: 8 * perSequenceTokPerS(8),
      tok_s_aggregate_batch32: 32 * perSequenceTokPerS(32),
      aggregate_cap_tok_s: g.aggregateCapTokPerS,
      kv_budget_tokens: g.kvBudgetTokens,
      max_decode_speedup_c8: (8 * perSequenceTokPerS(8)) / perSequenceTokPerS(1),
      max_decode_speedup_any: g.aggregateCapTokPerS / perSequenceTokPerS(1),
    };
  }
}

// ---------------------------------------------------------------- 2. overhead (CPU per call, zero latency)
let runs1273 = { "no-preflight": [], preflight: [] };
if (SECTIONS.has("overhead") || SECTIONS.has("scale") || SECTIONS.has("reports")) {
  log("emulator --latency none (separate process, stock: byte bound + usage estimate, no tokenizer)");
  const emu = await startEmulatorProcess({ latency: "none" });
  try {
    await harness(["--max-cases", "2", "--mode", "both", "--base-url", emu.url, "--no-preflight"]); // warm the page cache
    if (SECTIONS.has("overhead")) {
      const sec = (results.sections.overhead = {});
      for (const pf of ["no-preflight", "preflight"]) {
        for (const mode of ["direct", "pipeline"]) {
          const [small, big] = mode === "direct" ? [4, 250] : [1, 30];
          const rows = [];
          for (let i = 0; i < REPS; i++) {
            const a = await harness(["--max-cases", String(small), "--mode", mode, "--concurrency", "8", "--base-url", emu.url, `--${pf}`]);
            const b = await harness(["--max-cases", String(big), "--mode", mode, "--concurrency", "8", "--base-url", emu.url, `--${pf}`]);
            const perCall = ((b.cpuS - a.cpuS) * 1000) / (b.facts.calls - a.facts.calls);
            rows.push({
              cpu_ms_per_call: perCall,
              user_ms_per_call: ((b.userS - a.userS) * 1000) / (b.facts.calls - a.facts.calls),
              sys_ms_per_call: ((b.sysS - a.sysS) * 1000) / (b.facts.calls - a.facts.calls),
              fixed_startup_cpu_s: a.cpuS - (perCall * a.facts.calls) / 1000,
              small_cpu_s: a.cpuS,
              big_cpu_s: b.cpuS,
              small_wall_s: a.wallMs / 1000,
              calls_small: a.facts.calls,
              calls_big: b.facts.calls,
              load1: [a.load1, b.load1],
            });
            log(`overhead ${mode} --${pf}: ${perCall.toFixed(2)} ms CPU/call (fixed ${rows.at(-1).fixed_startup_cpu_s.toFixed(2)} s)`);
          }
          sec[`${mode}/${pf}`] = { mode, preflight: pf === "preflight", cases_small: small, cases_big: big, ...summarize(rows, ["cpu_ms_per_call", "user_ms_per_call", "sys_ms_per_call", "fixed_startup_cpu_s", "small_wall_s"]), calls_small: rows[0].calls_small, calls_big: rows[0].calls_big, runs: rows };
        }
      }
    }

    // ------------------------------------------------------------ 3. scale (peak RSS)
    if (SECTIONS.has("scale") || SECTIONS.has("reports")) {
      const sec = (results.sections.scale = {});
      const synth = join(TMP, "synthetic-10000.jsonl");
      if (SECTIONS.has("scale")) await writeSynthetic(synth, 10_000);
      const sets = [["1273", MEDQA, REPS, REPS]];
      if (SECTIONS.has("scale")) sets.push(["10000", synth, REPS_10K, REPS_10K_PF]);
      for (const [label, data, repsNo, repsPf] of sets) {
        for (const pf of ["no-preflight", "preflight"]) {
          const rows = [];
          for (let i = 0; i < (pf === "preflight" ? repsPf : repsNo); i++) {
            const r = await harness(["--mode", "direct", "--concurrency", "32", "--base-url", emu.url, `--${pf}`], { data });
            rows.push({ peak_rss_mb: r.maxRssKb / 1024, cpu_s: r.cpuS, wall_s: r.wallMs / 1000, cases: r.facts.records, calls: r.facts.calls, errors: r.facts.errors, load1: r.load1 });
            if (label === "1273") runs1273[pf].push(r.dir);
            log(`scale ${label} --${pf}: peak RSS ${(r.maxRssKb / 1024).toFixed(0)} MB, ${r.cpuS.toFixed(1)} s CPU, ${(r.wallMs / 1000).toFixed(1)} s wall`);
          }
          sec[`${label}/${pf}`] = { cases: rows[0].cases, preflight: pf === "preflight", ...summarize(rows, ["peak_rss_mb", "cpu_s", "wall_s"]), errors: rows.map((r) => r.errors), runs: rows };
        }
      }
      const g = (k) => sec[k]?.peak_rss_mb?.median;
      if (g("10000/no-preflight") && g("1273/no-preflight")) {
        sec.growth_mb_1273_to_10000 = { "no-preflight": g("10000/no-preflight") - g("1273/no-preflight"), preflight: g("10000/preflight") - g("1273/preflight") };
        sec.growth_kb_per_case = { "no-preflight": ((g("10000/no-preflight") - g("1273/no-preflight")) * 1024) / (10000 - 1273), preflight: ((g("10000/preflight") - g("1273/preflight")) * 1024) / (10000 - 1273) };
      }
    }
  } finally {
    await emu.stop();
  }
}

// ---------------------------------------------------------------- 4. reports and start-up
if (SECTIONS.has("reports")) {
  const sec = (results.sections.reports = {});
  const A = runs1273["no-preflight"][0];
  const B = runs1273.preflight[0] ?? runs1273["no-preflight"][1];
  const time = async (label, args, reps) => {
    const rows = [];
    for (let i = 0; i < reps; i++) {
      const r = await runNode(args);
      if (r.code !== 0 && !(label === "diff" && r.code === 1)) throw new Error(`${label} exited ${r.code}: ${r.stderr.slice(-1000)}`);
      rows.push({ wall_s: r.wallMs / 1000, cpu_s: r.cpuS, peak_rss_mb: r.maxRssKb / 1024, load1: load1() });
    }
    sec[label] = { ...summarize(rows, ["wall_s", "cpu_s", "peak_rss_mb"]), runs: rows };
    log(`${label}: ${sec[label].wall_s.median.toFixed(3)} s wall (median of ${reps})`);
  };
  await time("help", [CLI, "--help"], Math.max(5, REPS));
  if (A) await time("report", [CLI, "report", A], REPS);
  if (A && B) await time("diff", [CLI, "diff", A, B], REPS);
  sec.run_cases = 1273;
}

// ---------------------------------------------------------------- 6. start-up: launch → first model request
if (SECTIONS.has("startup")) {
  const sec = (results.sections.startup = {});
  for (const [key, args] of [
    ["direct_all_1273", ["--mode", "direct"]],
    ["pipeline_50", ["--max-cases", "50"]],
  ]) {
    const rows = [];
    for (let i = 0; i < Math.max(5, REPS); i++) {
      const r = await timeToFirstRequest(MEDQA, args);
      rows.push({ ...r, load1: load1() });
    }
    sec[key] = { args, ...summarize(rows, ["first_request_ms"]), runs: rows };
    log(`startup ${key}: launch → first request ${sec[key].first_request_ms.median.toFixed(0)} ms (median of ${rows.length})`);
  }
}

// ---------------------------------------------------------------- 7. --concurrency auto vs a fixed-concurrency sweep
/** Generated tokens per emulated second between the `lo` and `hi` quantiles of finish times (steady state). */
function steadyTokS(recs, scale, { fromMs = -Infinity, lo = 0.1, hi = 0.9 } = {}) {
  const done = recs
    .map((r) => ({ t: Date.parse(r.finished_at), tok: r.tokens?.completion ?? 0 }))
    .filter((d) => d.t >= fromMs)
    .sort((a, b) => a.t - b.t);
  if (done.length < 10) return NaN;
  const a = Math.floor(done.length * lo);
  const b = Math.min(done.length - 1, Math.ceil(done.length * hi));
  const tokens = done.slice(a + 1, b + 1).reduce((n, d) => n + d.tok, 0);
  const realMs = done[b].t - done[a].t;
  return realMs > 0 ? (tokens * 1000) / (realMs * scale) : NaN;
}

if (SECTIONS.has("auto")) {
  const scale = Number(process.env.BENCH_AUTO_SCALE ?? 20);
  const sec = (results.sections.auto = { time_scale: scale, sweep: [], auto: [] });
  log(`emulator --latency a100 --time-scale ${scale}: --concurrency auto vs a fixed sweep (direct)`);
  const emu = await startEmulatorProcess({ latency: "a100", timeScale: scale });
  const base = ["--mode", "direct", "--base-url", emu.url, "--time-scale", String(scale)];
  try {
    await harness(["--max-cases", "64", "--concurrency", "16", ...base]); // warm-up
    // The sweep covers the same range the controller may choose from (2 … --max-concurrency 64).
    for (const c of (process.env.BENCH_AUTO_LEVELS ?? "1,2,4,8,12,16,24,32,48,64").split(",").map(Number)) {
      const n = Math.min(640, Math.max(80, 12 * c));
      const r = await harness(["--max-cases", String(n), "--concurrency", String(c), ...base]);
      const tokS = steadyTokS(r.facts.recs, scale);
      sec.sweep.push({ concurrency: c, cases: n, tok_s: tokS, errors: r.facts.errors, load1: r.load1 });
      log(`auto sweep C=${c} N=${n}: ${tokS.toFixed(1)} generated tok/s (emulated)`);
    }
    const best = sec.sweep.reduce((a, b) => (b.tok_s > a.tok_s ? b : a));
    sec.best_fixed = { concurrency: best.concurrency, tok_s: best.tok_s };
    const autoN = Number(process.env.BENCH_AUTO_N ?? 1000);
    for (let i = 0; i < Math.max(2, REPS - 1); i++) {
      const r = await harness(["--max-cases", String(autoN), "--concurrency", "auto", ...base]);
      const events = readJsonlFile(join(r.dir, "events.jsonl"));
      const changes = events.filter((e) => e.type === "concurrency");
      const chosenEv = events.find((e) => e.type === "concurrency_chosen");
      const settle = changes.find((e) => e.reason === "settle");
      const settleMs = settle ? Date.parse(settle.t) : NaN;
      // After settling: skip the calls that started before it (one level's worth), then the steady 90 %.
      const tokS = settle ? steadyTokS(r.facts.recs, scale, { fromMs: settleMs, lo: 0.05, hi: 0.9 }) : NaN;
      const nearest = sec.sweep.reduce((a, b) => (Math.abs(b.concurrency - (chosenEv?.limit ?? 0)) < Math.abs(a.concurrency - (chosenEv?.limit ?? 0)) ? b : a));
      sec.auto.push({
        cases: autoN,
        chosen: chosenEv?.limit ?? null,
        final: chosenEv?.final ?? null,
        changes: changes.map((e) => ({ limit: e.limit, reason: e.reason, tok_s: e.tok_s })),
        settled_after_s: settle ? (settleMs - Date.parse(events[0].t)) / 1000 : null,
        steady_tok_s_after_settle: tokS,
        ratio_vs_best: tokS / best.tok_s,
        whole_run_tok_s: steadyTokS(r.facts.recs, scale, { lo: 0, hi: 1 }),
        sweep_at_nearest_level: { concurrency: nearest.concurrency, ratio_vs_best: nearest.tok_s / best.tok_s },
        load1: r.load1,
      });
      log(`auto run ${i + 1}: settled at ${chosenEv?.limit ?? "—"} after ${changes.length} change(s); steady ${tokS.toFixed(1)} tok/s = ${(tokS / best.tok_s).toFixed(3)} × best fixed (C=${best.concurrency}, ${best.tok_s.toFixed(1)})`);
    }
    sec.ratio = agg(sec.auto.map((a) => a.ratio_vs_best));
  } finally {
    await emu.stop();
  }
}

// ---------------------------------------------------------------- 8. CPU profile of a 1,273-case direct run
if (SECTIONS.has("profile")) {
  log("profile: --cpu-prof of a 1,273-case direct run (zero-latency emulator)");
  const emu = await startEmulatorProcess({ latency: "none" });
  try {
    const profDir = join(TMP, "prof");
    const out = newOut();
    const r = await runNode([CLI, "--data", MEDQA, "--mode", "direct", "--concurrency", "8", "--base-url", emu.url, "--out", out], { nodeArgs: ["--cpu-prof", `--cpu-prof-dir=${profDir}`], timeoutMs: 600_000 });
    if (r.code !== 0) throw new Error(`profiled run exited ${r.code}`);
    const { readdirSync } = await import("node:fs");
    const file = readdirSync(profDir).find((f) => f.endsWith(".cpuprofile"));
    results.sections.profile = { cases: 1273, ...summarizeProfile(join(profDir, file), 15) };
  } finally {
    await emu.stop();
  }
}

// ---------------------------------------------------------------- 9. the peer: promptfoo, same questions, same emulator
if (SECTIONS.has("peer")) {
  const peer = ensurePromptfoo(log);
  const sec = (results.sections.peer = { version: "0.121.20" });
  if (peer.skipped) {
    sec.skipped = peer.skipped;
    log(`peer skipped: ${peer.skipped}`);
  } else {
    log(`peer: promptfoo ${peer.version} vs the harness, direct, concurrency 4, alternating, same zero-latency emulator`);
    const emu = await startEmulatorProcess({ latency: "none" });
    try {
      const env = peerEnv(join(TMP, "promptfoo-state"));
      const peerReps = Number(process.env.BENCH_PEER_REPS ?? 5);
      const runPeer = async (cfg, n, tag) => {
        const out = join(TMP, `promptfoo-${tag}.json`);
        const r = await runNode([peer.entry, "eval", "-c", cfg, "-o", out, "--no-cache", "--max-concurrency", "4", "--no-progress-bar"], { env, timeoutMs: 900_000 });
        // promptfoo exits 100 when some assertions fail (wrong answers): that is a completed eval.
        if (r.code !== 0 && r.code !== 100) throw new Error(`promptfoo exited ${r.code}: ${r.stderr.slice(-1500)}`);
        const stats = JSON.parse(readFileSync(out, "utf8")).results.stats;
        if (stats.successes + stats.failures !== n || stats.errors > 0) throw new Error(`promptfoo: ${JSON.stringify(stats).slice(0, 300)}`);
        return r;
      };
      for (const n of (process.env.BENCH_PEER_N ?? "200,1000").split(",").map(Number)) {
        const cfg = join(TMP, `promptfoo-${n}.yaml`);
        await writePeerConfig(cfg, { data: MEDQA, n, url: emu.url });
        await runPeer(cfg, n, `${n}-warm`); // warm-up, unmeasured (page cache, the emulator's JIT)
        await harness(["--max-cases", String(n), "--mode", "direct", "--concurrency", "4", "--base-url", emu.url]);
        const rows = [];
        for (let i = 0; i < peerReps; i++) {
          const m = {};
          for (const who of i % 2 === 0 ? ["harness", "peer"] : ["peer", "harness"]) {
            if (who === "harness") m.h = await harness(["--max-cases", String(n), "--mode", "direct", "--concurrency", "4", "--base-url", emu.url]);
            else m.p = await runPeer(cfg, n, `${n}-${i}`);
          }
          if (m.h.facts.records !== n) throw new Error(`harness journaled ${m.h.facts.records} of ${n}`);
          rows.push({
            harness_cpu_s: m.h.cpuS,
            peer_cpu_s: m.p.cpuS,
            cpu_ratio: m.h.cpuS / m.p.cpuS,
            harness_rss_mb: m.h.maxRssKb / 1024,
            peer_rss_mb: m.p.maxRssKb / 1024,
            rss_ratio: m.h.maxRssKb / m.p.maxRssKb,
            harness_wall_s: m.h.wallMs / 1000,
            peer_wall_s: m.p.wallMs / 1000,
            load1: load1(),
          });
          const x = rows.at(-1);
          log(`peer N=${n} rep ${i + 1}: CPU ${x.harness_cpu_s.toFixed(2)} vs ${x.peer_cpu_s.toFixed(2)} s (ratio ${x.cpu_ratio.toFixed(3)}), RSS ${x.harness_rss_mb.toFixed(0)} vs ${x.peer_rss_mb.toFixed(0)} MB`);
        }
        sec[`n${n}`] = { n, ...summarize(rows, ["harness_cpu_s", "peer_cpu_s", "cpu_ratio", "harness_rss_mb", "peer_rss_mb", "rss_ratio", "harness_wall_s", "peer_wall_s"]), runs: rows };
      }
      const keys = Object.keys(sec).filter((k) => /^n\d+$/.test(k)).sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)));
      if (keys.length >= 2) {
        const [a, b] = [sec[keys[0]], sec[keys.at(-1)]];
        const calls = b.n - a.n;
        sec.marginal_ms_per_call = {
          harness: ((b.harness_cpu_s.median - a.harness_cpu_s.median) * 1000) / calls,
          peer: ((b.peer_cpu_s.median - a.peer_cpu_s.median) * 1000) / calls,
        };
      }
    } finally {
      await emu.stop();
    }
  }
}

results.load1_end = load1();
results.cpu_pressure_end = cpuPressure();
results.bench_wall_s = (performance.now() - T0) / 1000;
mkdirSync(join(REPO, "bench/results"), { recursive: true });
const json = JSON.stringify(results, (k, v) => (typeof v === "number" ? round(v, 4) : v), 2);
const only = process.env.BENCH_SECTIONS ? `partial-${[...SECTIONS].join("+")}.json` : "latest.json";
writeFileSync(join(REPO, "bench/results", only), json + "\n");
if (!process.env.BENCH_SECTIONS) writeFileSync(join(REPO, "BENCHMARKS.md"), renderMarkdown(JSON.parse(json)));
log(`wrote bench/results/${only}${process.env.BENCH_SECTIONS ? "" : " and BENCHMARKS.md"} in ${results.bench_wall_s.toFixed(0)} s`);
if (!process.env.BENCH_KEEP) rmSync(TMP, { recursive: true, force: true });
else log(`kept ${TMP}`);
