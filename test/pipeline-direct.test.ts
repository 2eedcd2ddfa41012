import { describe, expect, it } from "vitest";
import { EndpointError } from "../src/endpoint/types.js";
import { runDirect } from "../src/pipeline/run.js";
import type { ErrorClass } from "../src/types.js";
import { CASE, FakeClient, options, type Reply } from "./pipeline-fake.js";

describe("runDirect", () => {
  it.each<[string, Reply, object]>([
    ["correct letter", "Febrile UTI.\nAnswer: B", { outcome: "correct", answer: "B", calls: 1, attempts: 1, latency_ms: 100, finish_reason: "stop" }],
    ["cut by max_tokens", { text: "Febrile UTI, so the answer", finish_reason: "length" }, { outcome: "unparseable", finish_reason: "length" }],
    ["wrong letter", "Answer: D", { outcome: "wrong", answer: "D" }],
    ["no answer line", "It could be several things.", { outcome: "unparseable", answer: null }],
    ["endpoint error", "server_error", { outcome: "error", answer: null, error_class: "server_error", attempts: 3 }],
  ])("%s", async (_name, reply, expected) => {
    const res = await runDirect(CASE, new FakeClient({ direct: [reply] }), options());
    expect(res).toMatchObject(expected);
    expect(res.steps).toBeUndefined();
    if (res.outcome === "unparseable") expect(res.error).toMatch(/no answer letter/);
  });

  it("sends the question and `A. text` option lines in one user message, tagged, with max_tokens = opts.maxTokens", async () => {
    const client = new FakeClient();
    const res = await runDirect(CASE, client, options({ maxTokens: 700 }));
    const [req] = client.requests;
    expect(req?.messages).toHaveLength(1);
    expect(req?.messages[0]?.role).toBe("user");
    const content = req?.messages[0]?.content ?? "";
    expect(content).toContain(CASE.question);
    expect(content).toContain("A. Reassurance\nB. Urine culture and oral antibiotics\nC. Renal ultrasound\nD. Cystoscopy");
    expect(content).toContain("Answer: <letter>");
    expect(req?.tag).toEqual({ case_id: CASE.id, step: "direct" });
    expect(req?.max_tokens).toBe(700);
    expect(req?.response_format).toBeUndefined();
    expect(res.raw).toContain("Answer: B");
  });

  it("omits raw with raw: false", async () => {
    expect(await runDirect(CASE, new FakeClient(), options({ raw: false }))).not.toHaveProperty("raw");
  });

  it("records a client that throws a non-EndpointError as an 'unknown' error at no cost", async () => {
    const client = { chat: () => Promise.reject(new TypeError("broken client")) };
    expect(await runDirect(CASE, client, options())).toEqual({
      outcome: "error",
      answer: null,
      latency_ms: 0,
      cold_ms: 0,
      tokens: { prompt: 0, completion: 0 },
      calls: 1,
      attempts: 0,
      error_class: "unknown",
      error: "broken client",
    });
  });

  it.each<ErrorClass>(["auth", "cold_start_timeout", "cancelled"])("re-throws %s", async (cls) => {
    const p = runDirect(CASE, new FakeClient({ direct: [cls] }), options());
    await expect(p).rejects.toBeInstanceOf(EndpointError);
    await expect(p).rejects.toMatchObject({ errorClass: cls });
  });
});
