// TGI 3.3's error answers, one constructor per kind (router/src/server.rs `From<InferError>`,
// router/src/infer/mod.rs `InferError`, router/src/validation.rs `ValidationError`), plus the two
// axum JSON-extractor rejections (text/plain) and the Inference Endpoints proxy's own answers.

/** An HTTP answer the emulator sends instead of a completion. `body` is JSON, or text when a string. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(typeof body === "string" ? body : JSON.stringify(body));
  }
}

/** TGI's ErrorResponse body. */
export interface TgiErrorBody {
  error: string;
  error_type: string;
}

const tgi = (status: number, error: string, error_type: string): HttpError => new HttpError(status, { error, error_type } satisfies TgiErrorBody);

/** InferError::ValidationError → 422 "Input validation error: …". */
export const validationError = (msg: string): HttpError => tgi(422, `Input validation error: ${msg}`, "validation");

/**
 * InferError::TemplateError: minijinja's Display of the `raise_exception` error (kind SyntaxError,
 * template name `<string>`). Line 15 is where Gemma 3's chat_template calls raise_exception.
 */
export const templateError = (detail: string, line = 15): HttpError =>
  tgi(422, `Template error: syntax error: ${detail} (in <string>:${line})`, "template_error");

export const toolError = (msg: string): HttpError => tgi(422, `Tool error: ${msg}`, "tool_error");

/** InferError::Overloaded (the max_concurrent_requests semaphore). */
export const overloaded = (): HttpError => tgi(429, "Model is overloaded", "overloaded");

/** InferError::GenerationError: a shard failed; every request of its batch gets the same error. */
export const generationError = (msg: string): HttpError => tgi(424, `Request failed during generation: ${msg}`, "generation");

export const incompleteGeneration = (): HttpError => tgi(500, "Incomplete generation", "incomplete_generation");

/** GET /health while the backend is unhealthy (server.rs `health`). */
export const unhealthy = (): HttpError => tgi(503, "unhealthy", "healthcheck");

/** axum `Json<T>` rejection for a body that is not JSON (400, text/plain). */
export const jsonSyntaxError = (msg: string): HttpError => new HttpError(400, `Failed to parse the request body as JSON: ${msg}`);

/** axum `Json<T>` rejection for JSON that does not deserialize into the request type (422, text/plain). */
export const deserializeError = (msg: string): HttpError => new HttpError(422, `Failed to deserialize the JSON body into the target type: ${msg}`);

export const missingContentType = (): HttpError => new HttpError(415, "Expected request with `Content-Type: application/json`");

/**
 * A paused Inference Endpoint: the proxy answers every route with 400 (users report
 * "Bad Request: Invalid state", e.g. elastic/elasticsearch#112033).
 */
export const PAUSED_MESSAGE = "Bad Request: Invalid state";
export const paused = (): HttpError => new HttpError(400, { error: PAUSED_MESSAGE });

/**
 * How chat streaming reports an error: HTTP 200, then this event (InferError::into_openai_event —
 * http_status_code is always 422, whatever the error), then `data: [DONE]`.
 */
export function openaiErrorEvent(err: HttpError): { error: { message: string; http_status_code: number } } {
  const b = err.body as Partial<TgiErrorBody> | string;
  const message = typeof b === "string" ? b : (b.error ?? err.message);
  return { error: { message, http_status_code: 422 } };
}

/** /generate_stream's error event (the plain ErrorResponse). */
export function tgiErrorEvent(err: HttpError): TgiErrorBody {
  const b = err.body as Partial<TgiErrorBody> | string;
  if (typeof b === "string") return { error: b, error_type: "unknown" };
  return { error: b.error ?? err.message, error_type: b.error_type ?? "unknown" };
}
