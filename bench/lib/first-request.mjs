// Launch → first model request: a minimal OpenAI-compatible stub on 127.0.0.1 records when the first
// POST /v1/chat/completions arrives; the CLI is spawned right after the clock starts. The stub answers every
// request at once ("Answer: A") so the run finishes quickly; only the first arrival time matters.
// Usage (also imported by bench/run.mjs): node bench/lib/first-request.mjs DATA_FILE [extra CLI args…]
import { spawn } from "node:child_process";
import { createServer } from "node:http";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CLI, REPO } from "./util.mjs";

const COMPLETION = JSON.stringify({
  object: "chat.completion",
  id: "",
  created: 0,
  model: "tgi",
  choices: [{ index: 0, message: { role: "assistant", content: "Answer: A" }, finish_reason: "stop" }],
  usage: { prompt_tokens: 100, completion_tokens: 3, total_tokens: 103 },
});

/** user+sys CPU ms a process has used so far (/proc/PID/stat), or null where /proc is unavailable. */
function procCpuMs(pid) {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100; // clock ticks (USER_HZ = 100)
  } catch {
    return null;
  }
}

/**
 * Resolves { first_request_ms, first_request_cpu_ms, exit_ms, code }: wall ms from just before spawn to the first
 * chat request (and to exit), and the CPU the process had used by then — the load-independent part of the figure.
 */
export async function timeToFirstRequest(data, extra = []) {
  let first = null;
  let firstCpuMs = null;
  let t0 = 0;
  let child;
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      if (req.url === "/info") return res.end(JSON.stringify({ model_id: "stub", max_input_tokens: 12288, max_total_tokens: 16384 }));
      if (req.method === "POST" && req.url === "/v1/chat/completions") {
        if (first === null) {
          first = performance.now() - t0;
          firstCpuMs = procCpuMs(child.pid);
        }
        res.writeHead(200, { "content-type": "application/json" });
        return res.end(COMPLETION);
      }
      res.end("");
    });
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${server.address().port}/v1`;
  const out = mkdtempSync(join(tmpdir(), "rv-first-"));
  t0 = performance.now();
  child = spawn(process.execPath, [CLI, "--data", data, "--base-url", url, "--out", out, ...extra], { cwd: REPO, stdio: ["ignore", "ignore", "pipe"] });
  let err = "";
  child.stderr.on("data", (d) => (err = (err + d).slice(-4000)));
  const code = await new Promise((r) => child.on("close", r));
  const exit = performance.now() - t0;
  server.close();
  server.closeAllConnections();
  rmSync(out, { recursive: true, force: true });
  if (code !== 0) throw new Error(`run-validation exited ${code}: ${err}`);
  return { first_request_ms: first, first_request_cpu_ms: firstCpuMs, exit_ms: exit, code };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [data, ...extra] = process.argv.slice(2);
  console.log(await timeToFirstRequest(data, extra));
}
