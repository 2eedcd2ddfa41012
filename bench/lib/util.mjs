// Shared helpers for bench/run.mjs: statistics, child processes (with /usr/bin/time -v or /proc polling),
// the standalone emulator process, journal reading and machine facts. No network beyond 127.0.0.1.
import { spawn } from "node:child_process";
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { request } from "node:http";

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const CLI = join(REPO, "bin/run-validation.js");
export const TIME_BIN = existsSync("/usr/bin/time") ? "/usr/bin/time" : null;

// ---- statistics ----

export function median(xs) {
  const s = [...xs].filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** { median, min, max, n, runs } of a list of numbers. */
export function agg(xs) {
  const ok = xs.filter((x) => Number.isFinite(x));
  return { median: median(ok), min: Math.min(...ok), max: Math.max(...ok), n: ok.length, runs: xs };
}

export const round = (x, d = 3) => (Number.isFinite(x) ? Math.round(x * 10 ** d) / 10 ** d : x);

// ---- machine ----

export function machineInfo() {
  const c = cpus();
  let model = c[0]?.model ?? "unknown";
  try {
    const m = /model name\s*:\s*(.+)/.exec(readFileSync("/proc/cpuinfo", "utf8"));
    if (m) model = m[1].trim();
  } catch {}
  return {
    cpu_model: model,
    cores: c.length,
    mem_gb: round(totalmem() / 2 ** 30, 1),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    date: new Date().toISOString(),
  };
}

export const load1 = () => round(loadavg()[0], 2);

/** PSI "some" avg10 of /proc/pressure/cpu: % of the last 10 s in which a runnable task waited for a CPU. */
export function cpuPressure() {
  try {
    return Number(/some avg10=([\d.]+)/.exec(readFileSync("/proc/pressure/cpu", "utf8"))?.[1]);
  } catch {
    return null;
  }
}

// ---- child processes ----

/**
 * Runs `node args…` in the repo, measuring the child's own user+sys CPU and peak RSS: through
 * `/usr/bin/time -v` when present, else by polling /proc/PID/{stat,status} (last sample before exit).
 * Resolves { code, wallMs, userS, sysS, cpuS, maxRssKb, stdout, stderr }.
 */
export function runNode(args, { timeoutMs = 300_000, env, nodeArgs = [] } = {}) {
  return new Promise((resolveP, reject) => {
    const timeFile = TIME_BIN ? join(process.env.BENCH_TMP ?? "/tmp", `time-${process.pid}-${Math.random().toString(36).slice(2)}.txt`) : null;
    const cmd = TIME_BIN ? TIME_BIN : process.execPath;
    const argv = TIME_BIN ? ["-v", "-o", timeFile, process.execPath, ...nodeArgs, ...args] : [...nodeArgs, ...args];
    const t0 = performance.now();
    const child = spawn(cmd, argv, { cwd: REPO, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d).length > 1e6 && (stdout = stdout.slice(-5e5)));
    child.stderr.on("data", (d) => (stderr += d).length > 1e6 && (stderr = stderr.slice(-5e5)));
    let polled = { userS: NaN, sysS: NaN, maxRssKb: NaN };
    const poll = TIME_BIN
      ? null
      : setInterval(() => {
          try {
            const st = readFileSync(`/proc/${child.pid}/stat`, "utf8").split(") ")[1].split(" ");
            const hz = 100;
            polled.userS = Number(st[11]) / hz;
            polled.sysS = Number(st[12]) / hz;
            const hwm = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"));
            if (hwm) polled.maxRssKb = Number(hwm[1]);
          } catch {}
        }, 20);
    const killer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", reject);
    child.on("close", (code) => {
      const wallMs = performance.now() - t0;
      clearTimeout(killer);
      if (poll) clearInterval(poll);
      let m = polled;
      if (timeFile) {
        try {
          const t = readFileSync(timeFile, "utf8");
          const num = (re) => Number(re.exec(t)?.[1]);
          m = {
            userS: num(/User time \(seconds\):\s*([\d.]+)/),
            sysS: num(/System time \(seconds\):\s*([\d.]+)/),
            maxRssKb: num(/Maximum resident set size \(kbytes\):\s*(\d+)/),
          };
          const ec = /Exit status:\s*(\d+)/.exec(t);
          if (ec) code = Number(ec[1]);
        } catch {}
      }
      resolveP({ code, wallMs, ...m, cpuS: m.userS + m.sysS, stdout, stderr });
    });
  });
}

/** Starts `run-validation emulator` as its own process on an ephemeral port; resolves { url, origin, pid, stop() }. */
export async function startEmulatorProcess({ latency = "none", timeScale = 1, extra = [], fastCounter = false } = {}) {
  const args = fastCounter
    ? [join(REPO, "bench/lib/emulator-proc.mjs"), latency, String(timeScale)]
    : [CLI, "emulator", "--port", "0", "--latency", latency, "--time-scale", String(timeScale), ...extra];
  const child = spawn(process.execPath, args, {
    cwd: REPO,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let err = "";
  child.stderr.on("data", (d) => (err = (err + d).slice(-4000)));
  const url = await new Promise((res, rej) => {
    let out = "";
    const to = setTimeout(() => rej(new Error(`emulator did not start: ${err}`)), 60_000);
    child.stdout.on("data", (d) => {
      out += d;
      const m = /listening on (http:\/\/\S+\/v1)/.exec(out);
      if (m) {
        clearTimeout(to);
        res(m[1]);
      }
    });
    child.on("exit", (code) => rej(new Error(`emulator exited ${code}: ${err}`)));
  });
  const origin = url.replace(/\/v1$/, "");
  const stop = () =>
    new Promise((res) => {
      if (child.exitCode !== null) return res();
      child.once("exit", () => res());
      child.kill("SIGTERM");
      setTimeout(() => child.kill("SIGKILL"), 3000).unref();
    });
  // One request end to end: the emulator loads its Gemma tokenizer lazily; do not time that.
  await httpJson(origin, "/v1/chat/completions", { model: "tgi", messages: [{ role: "user", content: "warm up" }], max_tokens: 1 });
  return { url, origin, pid: child.pid, stop, process: child };
}

export function httpJson(origin, path, body) {
  return new Promise((res, rej) => {
    const u = new URL(path, origin);
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = request(
      u,
      { method: data ? "POST" : "GET", headers: data ? { "content-type": "application/json", "content-length": Buffer.byteLength(data) } : {} },
      (r) => {
        let s = "";
        r.on("data", (d) => (s += d));
        r.on("end", () => res({ status: r.statusCode, headers: r.headers, body: s }));
      },
    );
    req.on("error", rej);
    req.setTimeout(120_000, () => req.destroy(new Error("timeout")));
    if (data) req.write(data);
    req.end();
  });
}

// ---- run directories ----

/** The single run directory the harness created under `outDir`. */
export function runDirIn(outDir) {
  const dirs = readdirSync(outDir).filter((d) => statSync(join(outDir, d)).isDirectory());
  if (dirs.length !== 1) throw new Error(`expected one run dir in ${outDir}, found ${dirs.length}`);
  return join(outDir, dirs[0]);
}

export function readJsonl(file) {
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l));
}

/** Journal facts: records, model calls, span from first case start to last case finish (real ms). */
export function journalFacts(runDir) {
  const recs = readJsonl(join(runDir, "cases.jsonl"));
  const start = Math.min(...recs.map((r) => Date.parse(r.started_at)));
  const end = Math.max(...recs.map((r) => Date.parse(r.finished_at)));
  const calls = recs.reduce((n, r) => n + (r.calls ?? 0), 0);
  const attempts = recs.reduce((n, r) => n + (r.attempts ?? 0), 0);
  const errors = recs.filter((r) => r.outcome === "error").length;
  return { recs, records: recs.length, calls, attempts, errors, spanMs: end - start, run: JSON.parse(readFileSync(join(runDir, "run.json"), "utf8")) };
}
