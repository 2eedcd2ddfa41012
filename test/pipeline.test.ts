import { describe, expect, it } from "vitest";
import { EndpointError, JSON_SCHEMA_MARKER } from "../src/endpoint/types.js";
import { jsonSchemaOf } from "../src/pipeline/model-step.js";
import { defaultPipelineFile } from "../src/pipeline/default.js";
import { runPipeline } from "../src/pipeline/run.js";
import { answerSchema } from "../src/pipeline/steps/answer/schema.js";
import type { Guideline, PipelineOptions } from "../src/pipeline/types.js";
import { STEP_IDS, type ErrorClass, type StepId } from "../src/types.js";
import { CASE, FakeClient, OUTPUTS, STEM, options, type Reply } from "./pipeline-fake.js";

const ALL_MODEL_STEPS = ["parse", "reason", "drugs", "guidelines", "conflicts", "synthesize", "answer"];

describe("runPipeline: order and request shape", () => {
  it("runs parse → reason → (drugs ∥ guidelines) → conflicts → synthesize → answer", async () => {
    const client = new FakeClient();
    const res = await runPipeline(CASE, client, options());
    expect(res.outcome).toBe("correct");
    expect(res.answer).toBe("B");
    expect(client.stepsCalled()).toEqual(ALL_MODEL_STEPS);
    // Both concurrent steps start before either ends; conflicts starts after both ended.
    const ev = client.events;
    const at = (e: string) => ev.indexOf(e);
    expect(at("start:guidelines")).toBeLessThan(at("end:drugs"));
    expect(at("start:drugs")).toBeLessThan(at("end:guidelines"));
    expect(at("start:conflicts")).toBeGreaterThan(Math.max(at("end:drugs"), at("end:guidelines")));
    expect(ev.at(-1)).toBe("end:answer");
    expect(ev.at(-2)).toBe("start:answer");
  });

  it("default.yaml: the built-in step ids in order, each level after its dependencies, drugs ∥ guidelines", () => {
    const def = defaultPipelineFile();
    expect(def.steps.map((s) => s.name)).toEqual([...STEP_IDS]);
    expect(def.levels).toEqual([["parse"], ["reason"], ["drugs", "guidelines"], ["conflicts"], ["synthesize"], ["answer"]]);
    const levelOf = (id: string) => def.levels.findIndex((l) => l.includes(id));
    for (const s of def.steps) for (const dep of s.deps) expect(levelOf(dep)).toBeLessThan(levelOf(s.name));
    expect(def.answer).toBe("answer");
    expect(def.differential).toBe("synthesize");
  });

  it("sends one system + one user message, tagged, with the stem only in the answer step", async () => {
    const client = new FakeClient();
    await runPipeline(CASE, client, options());
    for (const req of client.requests) {
      expect(req.messages.map((m) => m.role)).toEqual(["system", "user"]);
      expect(req.tag?.case_id).toBe(CASE.id);
      expect(req.messages[0]?.content).toBe(client.requests[0]?.messages[0]?.content);
    }
    const user = (step: string) => client.requestsFor(step)[0]?.messages[1]?.content ?? "";
    expect(user("parse")).toContain("lisinopril 10 mg daily");
    expect(user("parse")).not.toContain(STEM);
    expect(user("answer")).toContain(STEM);
    expect(user("answer")).toContain("A. Reassurance\nB. Urine culture and oral antibiotics\nC. Renal ultrasound\nD. Cystoscopy");
    expect(user("reason")).toContain('"chief_complaint":"fever and dysuria"');
    expect(user("drugs")).toContain("Current medications: lisinopril 10 mg daily");
    expect(user("synthesize")).toContain("avoid trimethoprim-sulfamethoxazole");
    expect(user("answer")).toContain("1. Acute pyelonephritis (high)");
  });

  it.each([
    [4096, { parse: 1024, reason: 1536, drugs: 1024, synthesize: 2048, answer: 512 }],
    [800, { parse: 800, reason: 800, drugs: 800, synthesize: 800, answer: 512 }],
  ])("clamps per-step max_tokens to opts.maxTokens=%i", async (maxTokens, expected) => {
    const client = new FakeClient();
    await runPipeline(CASE, client, options({ maxTokens }));
    for (const [step, n] of Object.entries(expected)) expect(client.requestsFor(step)[0]?.max_tokens).toBe(n);
  });

  it("prompt mode appends the marker and a fenced JSON Schema, with no response_format", async () => {
    const client = new FakeClient();
    await runPipeline(CASE, client, options({ jsonMode: "prompt" }));
    for (const req of client.requests) {
      const user = req.messages[1]?.content ?? "";
      const m = new RegExp(`\\n\\n${escape(JSON_SCHEMA_MARKER)}\\n\`\`\`json\\n(.*)\\n\`\`\`$`, "s").exec(user);
      expect(m, req.tag?.step).not.toBeNull();
      const schema = JSON.parse(m?.[1] ?? "null") as { type: string; properties: object };
      expect(schema.type).toBe("object");
      expect(req.response_format).toBeUndefined();
    }
    const answerSchema = JSON.parse(/```json\n(.*)\n```$/s.exec(client.requestsFor("answer")[0]?.messages[1]?.content ?? "")?.[1] ?? "{}");
    expect(answerSchema.properties.answer.enum).toEqual(["A", "B", "C", "D"]);
  });

  it("grammar mode sends response_format {type: json, value: schema} and a one-line JSON instruction", async () => {
    const client = new FakeClient();
    await runPipeline(CASE, client, options({ jsonMode: "grammar" }));
    for (const req of client.requests) {
      const user = req.messages[1]?.content ?? "";
      expect(user).not.toContain(JSON_SCHEMA_MARKER);
      expect(user.endsWith("Respond with one JSON object only.")).toBe(true);
      expect(req.response_format?.type).toBe("json");
      expect(req.response_format?.value).toHaveProperty("properties");
      expect(req.response_format?.value).not.toHaveProperty("$schema");
      expect(JSON.stringify(req.response_format?.value)).not.toContain('"default"');
    }
    expect(client.requestsFor("reason")[0]?.response_format?.value).toMatchObject({
      properties: { differential: { minItems: 5 } },
    });
  });
});

describe("answerSchema", () => {
  it("is built once per letter set, so its JSON Schema is derived once, not on every answer call", () => {
    const abcd = answerSchema(["A", "B", "C", "D"]);
    expect(answerSchema(["A", "B", "C", "D"])).toBe(abcd);
    expect(jsonSchemaOf(answerSchema(["A", "B", "C", "D"]))).toBe(jsonSchemaOf(abcd));
    const abcde = answerSchema(["A", "B", "C", "D", "E"]);
    expect(abcde).not.toBe(abcd);
    expect(abcde.safeParse({ answer: "E" }).success).toBe(true);
    expect(abcd.safeParse({ answer: "E" }).success).toBe(false);
  });
});

describe("runPipeline: records and totals", () => {
  it("records every step id and sums the case totals over steps", async () => {
    const client = new FakeClient();
    const res = await runPipeline(CASE, client, options());
    expect(Object.keys(res.steps ?? {}).sort()).toEqual([...STEP_IDS].sort());
    for (const id of STEP_IDS) {
      const s = res.steps?.[id];
      expect(s).toMatchObject({ status: "ok", parse: "ok", calls: 1, attempts: 1, latency_ms: 100, cold_ms: 5, finish_reason: "stop" });
      expect(s?.raw).toContain("```json");
    }
    expect(res).toMatchObject({ calls: 7, attempts: 7, latency_ms: 700, cold_ms: 35, tokens: { prompt: 350, completion: 140 } });
    expect(res.steps?.synthesize?.output).toMatchObject({ differential: [{ diagnosis: "Acute pyelonephritis" }] });
    expect(res.steps?.parse?.output).toMatchObject({ exam: [], vitals: { temperature: "38.9 C" } });
  });

  it("omits raw text with raw: false", async () => {
    const res = await runPipeline(CASE, new FakeClient(), options({ raw: false }));
    for (const id of STEP_IDS) expect(res.steps?.[id]).not.toHaveProperty("raw");
  });

  it("scores a wrong letter as wrong", async () => {
    const client = new FakeClient({ answer: ['{"answer": "C", "justification": "x"}'] });
    expect(await runPipeline(CASE, client, options())).toMatchObject({ outcome: "wrong", answer: "C" });
  });
});

describe("runPipeline: skip flags", () => {
  it.each<[Partial<PipelineOptions>, string[], string[]]>([
    [{ drugs: false }, ["parse", "reason", "guidelines", "conflicts", "synthesize", "answer"], ["drugs"]],
    [{ guidelines: false }, ["parse", "reason", "drugs", "synthesize", "answer"], ["guidelines", "conflicts"]],
    [{ drugs: false, guidelines: false }, ["parse", "reason", "synthesize", "answer"], ["drugs", "guidelines", "conflicts"]],
  ])("%o", async (flags, called, skipped) => {
    const client = new FakeClient();
    const res = await runPipeline(CASE, client, options(flags));
    expect(client.stepsCalled()).toEqual(called);
    expect(res.outcome).toBe("correct");
    for (const id of skipped) expect(res.steps?.[id as StepId]).toMatchObject({ status: "skipped", calls: 0, parse: "n/a" });
    expect(res.calls).toBe(called.length);
    if (flags.drugs === false) expect(client.requestsFor("synthesize")[0]?.messages[1]?.content).toContain("(not available: step skipped)");
  });

  it("retrieves guidelines from a corpus with BM25 instead of calling the model", async () => {
    const corpus: Guideline[] = [
      { id: "g1", specialty: "cardiology", title: "Heart failure", source: "ACC", text: "Use ACE inhibitors." },
      { id: "g2", specialty: "infectious disease", title: "Acute pyelonephritis in women", source: "IDSA", url: "https://example.org/p", text: "Obtain urine culture before antibiotics." },
    ];
    const client = new FakeClient();
    const res = await runPipeline(CASE, client, options({ guidelinesCorpus: corpus }));
    expect(client.stepsCalled()).toEqual(["parse", "reason", "drugs", "conflicts", "synthesize", "answer"]);
    expect(res.steps?.guidelines).toMatchObject({ status: "ok", calls: 0, attempts: 0, parse: "n/a", latency_ms: 0 });
    expect(res.steps?.guidelines?.output).toMatchObject({
      query: "Acute pyelonephritis",
      recommendations: [{ title: "Acute pyelonephritis in women", source: "IDSA (https://example.org/p)" }],
      retrieved: [{ id: "g2" }],
    });
    expect(client.requestsFor("conflicts")[0]?.messages[1]?.content).toContain("Obtain urine culture before antibiotics.");
  });
});

const GARBAGE = "I am not sure what you want.";

describe("runPipeline: failure propagation", () => {
  it.each<[string, Partial<Record<string, Reply[]>>, object, Record<string, string>]>([
    ["parse endpoint error degrades the case: the rest runs on the vignette", { parse: ["server_error"] },
      { outcome: "correct", calls: 7, failed_steps: ["parse"] }, { parse: "failed", reason: "ok", synthesize: "ok", answer: "ok" }],
    ["parse unparseable twice degrades the case", { parse: [GARBAGE, GARBAGE] }, { outcome: "correct", calls: 8, failed_steps: ["parse"] },
      { parse: "failed", reason: "ok", answer: "ok" }],
    ["reason failure degrades the case: no differential downstream", { reason: ["timeout"] }, { outcome: "correct", calls: 7, failed_steps: ["reason"] },
      { reason: "failed", drugs: "ok", synthesize: "ok", answer: "ok" }],
    ["every intermediate step fails: the answer step still decides", { parse: ["server_error"], reason: ["timeout"], drugs: ["overloaded"], guidelines: ["connection"], synthesize: ["server_error"] },
      { outcome: "correct", answer: "B", failed_steps: ["parse", "reason", "drugs", "guidelines", "synthesize"] }, { conflicts: "skipped", answer: "ok" }],
    ["drugs failure is recorded, synthesis goes on", { drugs: ["overloaded"] }, { outcome: "correct", calls: 7, failed_steps: ["drugs"] },
      { drugs: "failed", conflicts: "ok", synthesize: "ok" }],
    ["guidelines failure skips conflicts, synthesis goes on", { guidelines: [GARBAGE, GARBAGE] }, { outcome: "correct", calls: 7, failed_steps: ["guidelines"] },
      { guidelines: "failed", conflicts: "skipped", synthesize: "ok" }],
    ["conflicts failure is recorded, synthesis goes on", { conflicts: ["generation_error"] }, { outcome: "correct", calls: 7, failed_steps: ["conflicts"] },
      { conflicts: "failed", synthesize: "ok", answer: "ok" }],
    ["synthesize failure: the answer step still runs", { synthesize: ["input_too_long"] }, { outcome: "correct", calls: 7, failed_steps: ["synthesize"] },
      { synthesize: "failed", answer: "ok" }],
    ["answer endpoint error → error", { answer: ["connection"] }, { outcome: "error", error_class: "connection", answer: null },
      { answer: "failed" }],
    ["answer without a valid letter twice → unparseable", { answer: [GARBAGE, '{"answer": "E"}'] }, { outcome: "unparseable", answer: null, calls: 8 },
      { answer: "failed" }],
  ])("%s", async (_name, script, expected, statuses) => {
    const client = new FakeClient(script);
    const res = await runPipeline(CASE, client, options());
    expect(res).toMatchObject(expected);
    for (const [id, status] of Object.entries(statuses)) expect(res.steps?.[id as StepId]?.status, id).toBe(status);
    expect(Object.keys(res.steps ?? {})).toHaveLength(7);
    if (res.outcome === "error") expect(res.error).toMatch(/^answer: /);
    if (!("failed_steps" in expected)) expect(res.failed_steps).toBeUndefined();
  });

  it("feeds a failed drugs step to later steps as unavailable", async () => {
    const client = new FakeClient({ drugs: ["overloaded"] });
    await runPipeline(CASE, client, options());
    expect(client.requestsFor("conflicts")[0]?.messages[1]?.content).toContain("Medication review (JSON):\n(not available: step failed)");
  });

  it("builds the answer step's report from upstream outputs when synthesize failed", async () => {
    const client = new FakeClient({ synthesize: ["server_error"] });
    await runPipeline(CASE, client, options());
    const user = client.requestsFor("answer")[0]?.messages[1]?.content ?? "";
    expect(user).toContain("5. Pelvic inflammatory disease (low)");
    expect(user).toContain("avoid trimethoprim-sulfamethoxazole: sulfa allergy");
  });

  it("records the failing step's error class, cost and message", async () => {
    const res = await runPipeline(CASE, new FakeClient({ drugs: ["overloaded"] }), options());
    expect(res.steps?.drugs).toMatchObject({ status: "failed", error_class: "overloaded", calls: 1, attempts: 3, parse: "n/a" });
    expect(res.steps?.drugs?.error).toContain("overloaded");
  });

  it.each<[ErrorClass, string]>([
    ["auth", "parse"],
    ["cold_start_timeout", "drugs"],
    ["cancelled", "guidelines"],
    ["auth", "answer"],
  ])("re-throws %s (at %s) instead of recording it", async (cls, step) => {
    const promise = runPipeline(CASE, new FakeClient({ [step]: [cls] }), options());
    await expect(promise).rejects.toBeInstanceOf(EndpointError);
    await expect(promise).rejects.toMatchObject({ errorClass: cls });
  });

  it("re-throws cancelled when the signal is already aborted", async () => {
    const ac = new AbortController();
    ac.abort();
    const client = new FakeClient();
    await expect(runPipeline(CASE, client, options(), ac.signal)).rejects.toMatchObject({ errorClass: "cancelled" });
    expect(client.requests).toHaveLength(0);
  });
});

describe("runPipeline: re-ask", () => {
  it("re-asks once with the bad output and the validation error, then records parse 'reasked'", async () => {
    const bad = '{"differential": [{"likelihood": "high"}]}';
    const client = new FakeClient({ reason: [bad] });
    const res = await runPipeline(CASE, client, options());
    const [first, second] = client.requestsFor("reason");
    expect(second?.messages.slice(0, 2)).toEqual(first?.messages);
    expect(second?.messages[2]).toEqual({ role: "assistant", content: bad });
    expect(second?.messages[3]?.role).toBe("user");
    expect(second?.messages[3]?.content).toMatch(/differential/);
    expect(second?.messages[3]?.content).toMatch(/corrected JSON object only/);
    expect(second?.tag).toEqual({ case_id: CASE.id, step: "reason" });
    expect(res.steps?.reason).toMatchObject({ status: "ok", parse: "reasked", calls: 2, attempts: 2, latency_ms: 200, prompt_tokens: 100 });
    expect(res.outcome).toBe("correct");
  });

  it("asks for ≥ 5 diagnoses but accepts a shorter (e.g. truncated) differential without a re-ask", async () => {
    const three = { ...OUTPUTS.reason, differential: OUTPUTS.reason.differential.slice(0, 3) };
    const client = new FakeClient({ reason: [JSON.stringify(three)] });
    const res = await runPipeline(CASE, client, options());
    expect(client.requestsFor("reason")).toHaveLength(1);
    expect(res.steps?.reason).toMatchObject({ status: "ok", parse: "ok" });
    expect(client.requestsFor("reason")[0]?.messages[1]?.content).toContain('"minItems":5');
  });

  it("keeps the response_format on the re-ask in grammar mode", async () => {
    const client = new FakeClient({ parse: [GARBAGE] });
    await runPipeline(CASE, client, options({ jsonMode: "grammar" }));
    const reqs = client.requestsFor("parse");
    expect(reqs).toHaveLength(2);
    expect(reqs[1]?.response_format).toEqual(reqs[0]?.response_format);
  });

  it("records 'failed' with the error of a failed re-ask call", async () => {
    const res = await runPipeline(CASE, new FakeClient({ drugs: [GARBAGE, "timeout"] }), options());
    expect(res.steps?.drugs).toMatchObject({ status: "failed", parse: "failed", error_class: "timeout", calls: 2 });
    expect(res.outcome).toBe("correct");
  });

  it("accepts a repaired (truncated) JSON reply without a re-ask", async () => {
    const full = JSON.stringify(OUTPUTS.answer);
    const client = new FakeClient({ answer: [{ text: full.slice(0, full.indexOf(',"justification"')) + ',"justification": "febrile', finish_reason: "length" }] });
    const res = await runPipeline(CASE, client, options());
    expect(client.requestsFor("answer")).toHaveLength(1);
    // The answer field closed before the cut: a complete `format` commitment (the grader's truncation rule).
    expect(res.steps?.answer).toMatchObject({ status: "ok", parse: "ok", finish_reason: "length" });
    expect(res.answer).toBe("B");
    expect(res.grade).toMatchObject({ method: "format", rule: "json_field" });
  });
});

describe("runPipeline: degraded cases and the answer step's grading", () => {
  it("a failed parse step hands the vignette as written to reason, and 'not extracted' to drugs", async () => {
    const client = new FakeClient({ parse: ["server_error"] });
    await runPipeline(CASE, client, options());
    const reasonPrompt = client.requestsFor("reason")[0]?.messages[1]?.content ?? "";
    expect(reasonPrompt).toContain("burning on urination. She takes lisinopril 10 mg daily");
    expect(reasonPrompt).not.toContain(STEM);
    expect(client.requestsFor("drugs")[0]?.messages[1]?.content).toContain("not extracted: the parse step failed");
  });

  it("a failed reason step leaves the differential out downstream", async () => {
    const client = new FakeClient({ reason: ["server_error"] });
    await runPipeline(CASE, client, options());
    expect(client.requestsFor("drugs")[0]?.messages[1]?.content).toContain("(not available: step failed)");
    expect(client.requestsFor("synthesize")[0]?.messages[1]?.content).toContain("(not available: step failed)");
  });

  it.each<[string, string, object]>([
    ["prose statement", "The answer is B.", { outcome: "correct", answer: "B", grade: { method: "statement" } }],
    ["option text in the JSON field", '{"answer": "Urine culture and oral antibiotics"}', { outcome: "correct", answer: "B", grade: { method: "option_text" } }],
    ["letter-prefixed text is not its first letter", '{"answer": "Cystoscopy"}', { outcome: "wrong", answer: "D", grade: { method: "option_text" } }],
    ["JSON field with label and text", '{"answer": "C. Renal ultrasound", "justification": "x"}', { outcome: "wrong", answer: "C", grade: { method: "format" } }],
  ])("answer step graded like the direct arm: %s", async (_n, reply, expected) => {
    const res = await runPipeline(CASE, new FakeClient({ answer: [reply] }), options());
    expect(res).toMatchObject(expected);
    expect(res.steps?.answer?.calls).toBe(1);
  });

  it("a hedge is re-asked once; a second hedge is unparseable with the none reason", async () => {
    const client = new FakeClient({ answer: ['{"answer": "B or C"}', "Answer: A or B"] });
    const res = await runPipeline(CASE, client, options());
    expect(res).toMatchObject({ outcome: "unparseable", answer: null, grade: { method: "none", reason: "hedge" } });
    expect(client.requestsFor("answer")[1]?.messages.at(-1)?.content).toContain("names more than one option");
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
