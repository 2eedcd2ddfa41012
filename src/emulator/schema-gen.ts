// Generates a JSON value that validates against a JSON Schema, for the subset zod 4's z.toJSONSchema
// emits: object (properties, required, additionalProperties false or a schema), array (items,
// prefixItems, minItems, maxItems), string (enum, const, minLength, maxLength), number/integer (minimum,
// maximum, exclusive bounds, multipleOf), boolean, null, type arrays, anyOf/oneOf/allOf (first branch),
// $ref to #/$defs or #/definitions. Output is deterministic: choices hash the path and a request key.
import type { Letter } from "../types.js";
import { fnv1a } from "./hash.js";

export type JsonSchema = Record<string, unknown>;

export interface GenContext {
  /** Per-request key mixed into every choice so different prompts get different (stable) values. */
  key: string;
  /** Words strings are built from (prompt words). */
  words: readonly string[];
  /** Letter to put in a property named `answer` whose schema is a letter enum. */
  answer?: Letter | null;
}

const MAX_DEPTH = 12;
const LETTER_RE = /^[A-E]$/;

export function generateFromSchema(schema: unknown, ctx: GenContext): unknown {
  const root = isObj(schema) ? schema : {};
  return gen(root, root, ctx, "$", 0, undefined);
}

function gen(s: JsonSchema, root: JsonSchema, ctx: GenContext, path: string, depth: number, prop: string | undefined): unknown {
  if (depth > MAX_DEPTH) return null;
  if (typeof s.$ref === "string") return gen(resolveRef(root, s.$ref), root, ctx, path, depth + 1, prop);
  if ("const" in s) return s.const;
  if (Array.isArray(s.enum) && s.enum.length > 0) return pickEnum(s.enum, ctx, path, prop);
  const branches = (s.anyOf ?? s.oneOf) as unknown;
  if (Array.isArray(branches) && branches.length > 0) {
    // Prefer a non-null branch: a nullable field filled with null exercises less of the harness.
    const b = branches.find((x) => isObj(x) && x.type !== "null") ?? branches[0];
    return gen({ ...without(s, "anyOf", "oneOf"), ...(isObj(b) ? b : {}) }, root, ctx, path, depth + 1, prop);
  }
  if (Array.isArray(s.allOf)) {
    const merged = Object.assign({}, without(s, "allOf"), ...s.allOf.filter(isObj)) as JsonSchema;
    return gen(merged, root, ctx, path, depth + 1, prop);
  }
  const type = pickType(s);
  switch (type) {
    case "object":
      return genObject(s, root, ctx, path, depth);
    case "array":
      return genArray(s, root, ctx, path, depth);
    case "string":
      return genString(s, ctx, path, prop);
    case "integer":
    case "number":
      return genNumber(s, ctx, path, type === "integer");
    case "boolean":
      return (fnv1a(ctx.key + path) & 1) === 0;
    case "null":
      return null;
    default:
      return genString(s, ctx, path, prop);
  }
}

function pickType(s: JsonSchema): string | undefined {
  if (typeof s.type === "string") return s.type;
  if (Array.isArray(s.type)) {
    const t = s.type.find((x) => x !== "null") ?? s.type[0];
    return typeof t === "string" ? t : undefined;
  }
  if (isObj(s.properties) || isObj(s.additionalProperties)) return "object";
  if ("items" in s || "prefixItems" in s) return "array";
  return undefined;
}

function pickEnum(values: unknown[], ctx: GenContext, path: string, prop: string | undefined): unknown {
  const letters = values.every((v) => typeof v === "string" && LETTER_RE.test(v));
  if (letters && prop === "answer" && ctx.answer && values.includes(ctx.answer)) return ctx.answer;
  return values[fnv1a(ctx.key + path) % values.length];
}

function genObject(s: JsonSchema, root: JsonSchema, ctx: GenContext, path: string, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const props = isObj(s.properties) ? s.properties : {};
  const required = new Set(Array.isArray(s.required) ? s.required.filter((x): x is string => typeof x === "string") : []);
  for (const [name, sub] of Object.entries(props)) {
    // Optional properties are included about half the time, stably per request.
    if (!required.has(name) && (fnv1a(ctx.key + path + "?" + name) & 1) === 1) continue;
    out[name] = gen(isObj(sub) ? sub : {}, root, ctx, `${path}.${name}`, depth + 1, name);
  }
  for (const name of required) {
    if (!(name in out)) out[name] = gen({}, root, ctx, `${path}.${name}`, depth + 1, name);
  }
  // Record-like object (no fixed properties, a schema for extra keys): one deterministic entry.
  if (Object.keys(props).length === 0 && isObj(s.additionalProperties)) {
    const k = pickWords(ctx, path + "#k", 1) || "key";
    out[k] = gen(s.additionalProperties, root, ctx, `${path}.${k}`, depth + 1, k);
  }
  return out;
}

function genArray(s: JsonSchema, root: JsonSchema, ctx: GenContext, path: string, depth: number): unknown[] {
  const prefix = Array.isArray(s.prefixItems) ? s.prefixItems : [];
  const min = num(s.minItems) ?? 0;
  const max = num(s.maxItems) ?? Math.max(min, prefix.length, 3);
  const want = 1 + (fnv1a(ctx.key + path + "#n") % 3); // 1–3 items when unconstrained
  const n = clamp(Math.max(want, prefix.length), min, max);
  const items = isObj(s.items) ? s.items : {};
  const out: unknown[] = [];
  for (let i = 0; i < n; i++) {
    const sub = prefix[i];
    out.push(gen(isObj(sub) ? sub : items, root, ctx, `${path}[${i}]`, depth + 1, undefined));
  }
  return out;
}

function genString(s: JsonSchema, ctx: GenContext, path: string, prop: string | undefined): string {
  const min = num(s.minLength) ?? 0;
  const max = num(s.maxLength) ?? Infinity;
  if (prop === "answer" && ctx.answer && max >= 1) return ctx.answer;
  let text = pickWords(ctx, path, 3 + (fnv1a(ctx.key + path + "#w") % 6));
  if (text.length === 0) text = "unspecified";
  while (text.length < min) text += " " + (pickWords(ctx, path + text.length, 2) || "detail");
  if (text.length > max) text = text.slice(0, max);
  return text;
}

function genNumber(s: JsonSchema, ctx: GenContext, path: string, integer: boolean): number {
  // zod emits ±MAX_SAFE_INTEGER for bare ints: treat huge bounds as unbounded for a readable value.
  const lo = bound(num(s.minimum), num(s.exclusiveMinimum));
  const hi = bound(num(s.maximum), num(s.exclusiveMaximum));
  const frac = (fnv1a(ctx.key + path) % 1000) / 1000;
  let v: number;
  if (lo !== undefined && hi !== undefined) v = lo.v + (hi.v - lo.v) * frac;
  else if (lo !== undefined) v = lo.v + 1 + frac * 10;
  else if (hi !== undefined) v = hi.v - 1 - frac * 10;
  else v = frac * 10;
  const step = num(s.multipleOf);
  if (step) v = Math.round(v / step) * step;
  if (integer) v = Math.round(v);
  // Pull back inside after rounding (exclusive bounds, tiny ranges).
  if (lo && (v < lo.v || (lo.excl && v <= lo.v))) v = integer ? Math.floor(lo.v) + 1 : lo.excl ? lo.v + (hi ? (hi.v - lo.v) / 2 : 1) : lo.v;
  if (hi && (v > hi.v || (hi.excl && v >= hi.v))) v = integer ? Math.ceil(hi.v) - 1 : hi.excl ? hi.v - (lo ? (hi.v - lo.v) / 2 : 1) : hi.v;
  return integer ? v : Math.round(v * 1000) / 1000;
}

function bound(incl: number | undefined, excl: number | undefined): { v: number; excl: boolean } | undefined {
  const big = 1e15;
  if (excl !== undefined && Math.abs(excl) < big) return { v: excl, excl: true };
  if (incl !== undefined && Math.abs(incl) < big) return { v: incl, excl: false };
  return undefined;
}

function pickWords(ctx: GenContext, path: string, n: number): string {
  const w = ctx.words;
  if (w.length === 0) return "";
  const start = fnv1a(ctx.key + path) % w.length;
  const out: string[] = [];
  for (let i = 0; i < n && i < w.length; i++) out.push(w[(start + i) % w.length] as string);
  return out.join(" ");
}

function resolveRef(root: JsonSchema, ref: string): JsonSchema {
  if (ref === "#") return root;
  const m = /^#\/(\$defs|definitions)\/(.+)$/.exec(ref);
  if (!m) return {};
  const defs = root[m[1] as string];
  const target = isObj(defs) ? defs[decodeURIComponent((m[2] as string).replace(/~1/g, "/").replace(/~0/g, "~"))] : undefined;
  return isObj(target) ? target : {};
}

function without(s: JsonSchema, ...keys: string[]): JsonSchema {
  const out: JsonSchema = { ...s };
  for (const k of keys) delete out[k];
  return out;
}

function isObj(x: unknown): x is JsonSchema {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

function num(x: unknown): number | undefined {
  return typeof x === "number" && Number.isFinite(x) ? x : undefined;
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(Math.max(v, lo), hi);
}
