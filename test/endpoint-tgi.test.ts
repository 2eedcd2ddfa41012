// Client-side TGI behaviour: paused-endpoint classification and /info reads.
import { describe, expect, test } from "vitest";
import { readEndpointInfo } from "../src/endpoint/client.js";
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
