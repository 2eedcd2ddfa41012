// #10 acceptance: an endpoint that answers every request in prose (never JSON) — a chatty model — still gives a
// completed run: exit 0, no case `error` (that is infrastructure only); pipeline cases degrade and are graded
// from the answer step's prose, `unparseable` when it names no single letter.
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MEDQA, onlyRunDir, readJson, readJsonl, runCli, tempDir } from "./helpers/cli.js";
import type { CaseRecord } from "../src/types.js";

/** A plain OpenAI-compatible server (no engine routes) whose model always answers in prose, letter or not. */
function proseServer(): Promise<{ url: string; server: Server; calls: () => number }> {
  let calls = 0;
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      if (req.method === "POST" && req.url === "/v1/chat/completions") {
        calls++;
        const prompt = JSON.stringify(JSON.parse(body).messages);
        // Every third reply names no letter at all; the rest commit in prose, after discussing another option.
        const n = prompt.length % 3;
        const text =
          n === 0
            ? "This is a nuanced presentation and several of the options deserve consideration; I would want more history before deciding."
            : `Let me think about this carefully. Option A is tempting but does not fit the timeline. Considering everything, I believe the best choice is ${"ABCD"[prompt.length % 4]}.`;
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ id: "x", object: "chat.completion", created: 0, model: "prose", choices: [{ index: 0, message: { role: "assistant", content: text }, finish_reason: "stop" }], usage: { prompt_tokens: 100, completion_tokens: 30, total_tokens: 130 } }));
        return;
      }
      res.writeHead(404, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: "not found" }));
    });
  });
  return new Promise((r) => server.listen(0, "127.0.0.1", () => {
    const a = server.address() as { port: number };
    r({ url: `http://127.0.0.1:${a.port}/v1`, server, calls: () => calls });
  }));
}

describe("an endpoint that answers every request in prose", () => {
  let srv: Awaited<ReturnType<typeof proseServer>>;
  beforeAll(async () => {
    srv = await proseServer();
  });
  afterAll(() => srv.server.close());

  it("--mode both, 20 cases: exit 0, no case is error, pipeline cases degrade and are graded from prose", async () => {
    const out = tempDir("rv-prose-");
    const res = await runCli(["--medqa", "--data", MEDQA, "--max-cases", "20", "--seed", "3", "--mode", "both", "--base-url", srv.url, "--api-key", "k", "--time-scale", "1000", "--out", out]);
    expect(res.code, res.stderr).toBe(0);
    const dir = onlyRunDir(out);
    const recs = readJsonl<CaseRecord & { failed_steps?: string[]; grade?: { method: string; reason: string | null } }>(join(dir, "cases.jsonl"));
    expect(recs).toHaveLength(40);
    expect(recs.filter((r) => r.outcome === "error")).toEqual([]);
    const pipe = recs.filter((r) => r.arm === "pipeline");
    // Every intermediate step asked for JSON and got prose: each case degraded, and still has a verdict.
    for (const r of pipe) expect(r.failed_steps?.length ?? 0).toBeGreaterThan(0);
    // A reply naming no letter is unparseable (the direct arm has no re-ask, so some are); prose commitments are read.
    const direct = recs.filter((r) => r.arm === "direct");
    expect(direct.some((r) => r.outcome === "unparseable" && r.grade?.reason === "no_commitment")).toBe(true);
    for (const arm of ["direct", "pipeline"]) {
      const rs = recs.filter((r) => r.arm === arm);
      expect(rs.some((r) => r.outcome === "correct" || r.outcome === "wrong"), arm).toBe(true);
      for (const r of rs) expect(r.grade?.method, `${arm} ${r.case_id}`).toMatch(/^(?:statement|none)$/);
    }
    const runJson = readJson<{ endpoint: { engine: string } }>(join(dir, "run.json"));
    expect(runJson.endpoint.engine).toBe("openai");
    expect(srv.calls()).toBeGreaterThan(40);
  }, 120_000);
});
