// Deserializing a request body the way TGI's axum `Json<ChatRequest>` / `Json<GenerateRequest>`
// extractor does (serde_json + serde_path_to_error): the first field that does not fit, in the
// order the body lists them, is rejected with "<path>: <serde message> at line L column C".
// Unknown fields are ignored (the request types do not deny them). Types: router/src/lib.rs.
import { deserializeError, jsonSyntaxError, type HttpError } from "./errors.js";

/** Span of every value in the body, by serde_path_to_error path ("seed", "response_format.type", "messages[0]"). */
export type Spans = Map<string, { start: number; end: number }>;

/** Records the span of each value up to `maxDepth` levels deep (the body is known to be valid JSON). */
export function valueSpans(raw: string, maxDepth = 3): Spans {
  const spans: Spans = new Map();
  let i = 0;
  const ws = (): void => {
    while (i < raw.length && " \t\n\r".includes(raw[i]!)) i++;
  };
  const str = (): string => {
    const s = i;
    i++;
    while (raw[i] !== '"') i += raw[i] === "\\" ? 2 : 1;
    i++;
    return JSON.parse(raw.slice(s, i)) as string;
  };
  const value = (path: string, depth: number): void => {
    ws();
    const start = i;
    const c = raw[i];
    if (c === "{" || c === "[") {
      i++;
      let n = 0;
      for (;;) {
        ws();
        if (raw[i] === "}" || raw[i] === "]") break;
        let sub = `${path}[${n++}]`;
        if (c === "{") {
          const key = str();
          sub = path === "" ? key : `${path}.${key}`;
          ws();
          i++; // ':'
        }
        value(sub, depth + 1);
        ws();
        if (raw[i] === ",") i++;
      }
      i++;
    } else if (c === '"') {
      str();
    } else {
      while (i < raw.length && !",}] \t\n\r".includes(raw[i]!)) i++;
    }
    if (depth <= maxDepth) spans.set(path, { start, end: i });
  };
  value("", 0);
  return spans;
}

/** serde_json's " at line L column C" for a position (columns count bytes consumed on that line). */
export function position(raw: string, offset: number): string {
  const before = raw.slice(0, offset);
  const nl = before.lastIndexOf("\n");
  const line = before.split("\n").length;
  return ` at line ${line} column ${Buffer.byteLength(before.slice(nl + 1))}`;
}

/** serde's description of an unexpected JSON value ("string \"x\"", "floating point `1.5`", "map", …). */
export function unexpected(v: unknown): string {
  if (v === null) return "null";
  if (typeof v === "boolean") return `boolean \`${v}\``;
  if (typeof v === "string") return `string ${JSON.stringify(v)}`;
  if (typeof v === "number") return Number.isInteger(v) ? `integer \`${v}\`` : `floating point \`${v}\``;
  return Array.isArray(v) ? "sequence" : "map";
}

/** A rule for one field: returns a serde error message (without position) or null when the value fits. */
export type FieldRule = (v: unknown) => string | null;

const invalidType = (v: unknown, expected: string): string => `invalid type: ${unexpected(v)}, expected ${expected}`;

export const rules = {
  string: (v: unknown) => (typeof v === "string" ? null : invalidType(v, "a string")),
  bool: (v: unknown) => (typeof v === "boolean" ? null : invalidType(v, "a boolean")),
  f32: (v: unknown) => (typeof v === "number" ? null : invalidType(v, "f32")),
  uint: (bits: 32 | 64) => (v: unknown) => {
    const name = `u${bits}`;
    if (typeof v !== "number" || !Number.isInteger(v)) return invalidType(v, name);
    if (v < 0 || v > (bits === 32 ? 0xffff_ffff : Number.MAX_SAFE_INTEGER * 2049)) return `invalid value: integer \`${v}\`, expected ${name}`;
    return null;
  },
  /** Vec<T>: serde reports the first bad element. */
  seq: (item: FieldRule) => (v: unknown) => {
    if (!Array.isArray(v)) return invalidType(v, "a sequence");
    for (const x of v) {
      const e = item(x);
      if (e) return e;
    }
    return null;
  },
  optional: (r: FieldRule) => (v: unknown) => (v === null ? null : r(v)),
};

export interface FieldSpec {
  rule: FieldRule;
  /** serde aliases (e.g. max_completion_tokens for max_tokens). */
  aliases?: readonly string[];
  required?: boolean;
}

/** Checks a JSON object against field specs in body order; throws TGI's 422 text on the first misfit. */
export function checkFields(obj: Record<string, unknown>, fields: Record<string, FieldSpec>, raw: string, spans: Spans, path: string): void {
  const seen = new Set<string>();
  const nameOf = new Map<string, string>();
  for (const [name, spec] of Object.entries(fields)) {
    nameOf.set(name, name);
    for (const a of spec.aliases ?? []) nameOf.set(a, name);
  }
  const at = (p: string): string => position(raw, spans.get(p)?.end ?? raw.length);
  const prefix = path === "" ? "" : `${path}: `;
  for (const [key, v] of Object.entries(obj)) {
    const name = nameOf.get(key);
    if (!name) continue;
    const p = path === "" ? key : `${path}.${key}`;
    if (seen.has(name)) throw deserializeError(`${prefix}duplicate field \`${name}\`${at(p)}`);
    seen.add(name);
    const e = fields[name]!.rule(v);
    if (e) throw deserializeError(`${p}: ${e}${at(p)}`);
  }
  for (const [name, spec] of Object.entries(fields)) {
    if (spec.required && !seen.has(name)) throw deserializeError(`${path === "" ? "" : `${path}: `}missing field \`${name}\`${at(path)}`);
  }
}

/** JSON.parse with axum's 400 for a body that is not JSON. */
export function parseJsonBody(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch (e) {
    throw jsonSyntaxError((e as Error).message);
  }
}

export function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

export type { HttpError };
