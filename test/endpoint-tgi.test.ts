// Client-side TGI behaviour: paused-endpoint classification and /info reads.
import { describe, expect, test } from "vitest";
import { readEndpointInfo, serverTiming } from "../src/endpoint/client.js";
import { sumServerTiming } from "../src/pipeline/model-step.js";
import { classifyHttpError, isPausedAnswer } from "../src/endpoint/errors.js";

describe("paused endpoint", () => {
  test.each([
    [400, { error: "Bad Request: Invalid state" }, true],
    [400, "Bad Request: Invalid state", true],
    [400, { error: "Failed to deserialize the JSON body" }, false],
    [422, { error: "Invalid state" }, false],
  ])("isPausedAnswer(%d, %j) = %s", (status, body, paused) => {
    expect(isPausedAnswer(status, body)).toBe(paused);
    expect(classifyHttpError(status, body)).toBe(paused ? "paused" : "validation");
  });

  test("readEndpointInfo reports a paused proxy, a cold one, and an answer", async () => {
    const answer = (status: number, body: unknown) => (async () => new Response(JSON.stringify(body), { status })) as unknown as typeof fetch;
    expect(await readEndpointInfo("http://x/v1", "", answer(400, { error: "Bad Request: Invalid state" }))).toEqual({ info: null, status: 400, paused: true });
    expect(await readEndpointInfo("http://x/v1", "", answer(503, { error: "starting" }))).toEqual({ info: null, status: 503, paused: false });
    expect(await readEndpointInfo("http://x/v1", "", answer(200, { max_input_tokens: 1 }))).toEqual({ info: { max_input_tokens: 1 }, status: 200, paused: false });
    const broken = (async () => {
      throw new Error("ECONNREFUSED");
    }) as unknown as typeof fetch;
    expect(await readEndpointInfo("http://x/v1", "", broken)).toEqual({ info: null, paused: false });
  });
});

describe("TGI timing headers", () => {
  test("serverTiming reads x-validation/queue/inference/time-per-token (ms); both queue and inference are needed", () => {
    const h = (o: Record<string, string>) => new Headers(o);
    expect(serverTiming(h({ "x-queue-time": "12", "x-inference-time": "3400", "x-time-per-token": "35", "x-validation-time": "1" }))).toEqual({
      validation_ms: 1,
      queue_ms: 12,
      inference_ms: 3400,
      time_per_token_ms: 35,
    });
    expect(serverTiming(h({ "x-queue-time": "12" }))).toBeUndefined();
    expect(serverTiming(h({ "x-queue-time": "x", "x-inference-time": "1" }))).toBeUndefined();
    expect(serverTiming(h({ "x-queue-time": "0", "x-inference-time": "5" }))).toEqual({ validation_ms: 0, queue_ms: 0, inference_ms: 5, time_per_token_ms: 0 });
  });

  test("a step sums its calls' timings and averages time per token", () => {
    const a = { validation_ms: 1, queue_ms: 10, inference_ms: 100, time_per_token_ms: 30 };
    const b = { validation_ms: 2, queue_ms: 20, inference_ms: 300, time_per_token_ms: 40 };
    expect(sumServerTiming([a, b])).toEqual({ validation_ms: 3, queue_ms: 30, inference_ms: 400, time_per_token_ms: 35 });
    expect(sumServerTiming([])).toBeUndefined();
  });
});
