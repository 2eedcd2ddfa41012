// #15 item 6: a server that omits `usage` — tokens are the harness's estimate, labelled as such, never 0 / $0.
import { createServer } from "node:http";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { MEDQA, onlyRunDir, readJson, readJsonl, runCli, tempDir } from "./helpers/cli.js";
import type { CaseRecord } from "../src/types.js";
import type { Summary } from "../src/report/summary-schema.js";

describe("an OpenAI-compatible server that sends no usage", () => {
  it("records estimated (non-zero) tokens flagged tokens_estimated, and the report says they are estimates", async () => {
    const server = createServer((req, res) => {
      req.resume();
      req.on("end", () => {
        if (req.method !== "POST") {
          res.writeHead(404).end("{}");
          return;
        }
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ id: "x", object: "chat.completion", created: 0, model: "m", choices: [{ index: 0, message: { role: "assistant", content: "The findings fit best with the second option.\n\nAnswer: B" }, finish_reason: "stop" }] }));
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/v1`;
      const out = tempDir("rv-nousage-");
      const res = await runCli(["--medqa", "--data", MEDQA, "--max-cases", "5", "--seed", "1", "--mode", "direct", "--base-url", url, "--api-key", "k", "--price-per-mtok-in", "1", "--price-per-mtok-out", "2", "--out", out]);
      expect(res.code, res.stderr).toBe(0);
      const dir = onlyRunDir(out);
      const recs = readJsonl<CaseRecord>(join(dir, "cases.jsonl"));
      expect(recs).toHaveLength(5);
      for (const r of recs) {
        expect(r.tokens_estimated).toBe(true);
        expect(r.tokens.prompt).toBeGreaterThan(50);
        expect(r.tokens.completion).toBeGreaterThan(5);
      }
      const s = readJson<Summary>(join(dir, "summary.json"));
      expect(s.arms[0]!.tokens.estimated_records).toBe(5);
      expect(s.arms[0]!.cost.tokens_usd!).toBeGreaterThan(0);
      expect(readFileSync(join(dir, "summary.md"), "utf8")).toMatch(/direct: 5 of 5 record\(s\) got no `usage` from the server; .*\*\*estimates\*\*/);
    } finally {
      server.close();
    }
  }, 60_000);
});
