// TGI's JSON-grammar validation (router/src/validation.rs, `Validation::validate`, grammar branch):
// 1. the schema must be valid JSON Schema (jsonschema::draft202012::meta::validate) → "grammar is not valid: …";
// 2. the top level must have `properties` → "grammar is not valid: Grammar must have a 'properties' field";
// 3. outlines-core's json_schema::to_regex must compile it → "cannot compile regex from schema: …".
// Step 3 mirrors outlines-core (rev pinned by TGI 3.3's router/Cargo.toml; src/json_schema/mod.rs and
// parsing.rs): the first keyword present among properties, allOf, anyOf, oneOf, prefixItems, enum,
// const, $ref, type decides how a node is read, so e.g. `"type": ["string", "null"]` fails with
// "'type' must be a string". This walk reproduces its errors; it does not build the regex.
import { validationError, type HttpError } from "./errors.js";

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === "object" && x !== null && !Array.isArray(x);

const KEYWORDS = ["properties", "allOf", "anyOf", "oneOf", "prefixItems", "enum", "const", "$ref", "type"] as const;
const JSON_TYPES = new Set(["string", "number", "integer", "array", "object", "boolean", "null"]);
const FORMATS = new Set(["date-time", "date", "time", "uuid"]);
const MAX_DEPTH = 64;

/** outlines-core's error for a schema node, or null when it compiles. */
export function outlinesError(node: unknown, root: unknown = node, depth = 0): string | null {
  if (depth > MAX_DEPTH) return "recursion limit exceeded while resolving the schema";
  if (!isObj(node)) return "Invalid JSON Schema: expected an object";
  if (Object.keys(node).length === 0) return null; // any JSON value
  const keyword = KEYWORDS.find((k) => k in node);
  const sub = (n: unknown): string | null => outlinesError(n, root, depth + 1);
  const all = (xs: unknown[]): string | null => {
    for (const x of xs) {
      const e = sub(x);
      if (e) return e;
    }
    return null;
  };
  switch (keyword) {
    case undefined:
      return (
        `Unsupported JSON Schema structure ${JSON.stringify(node)} \nMake sure it is valid to the JSON Schema specification ` +
        "and check if it's supported by Outlines.\nIf it should be supported, please open an issue."
      );
    case "properties":
      if (!isObj(node.properties)) return "'properties' not found or not an object";
      return all(Object.values(node.properties));
    case "allOf":
    case "anyOf":
    case "oneOf":
    case "prefixItems": {
      const xs = node[keyword];
      return Array.isArray(xs) ? all(xs) : `'${keyword}' must be an array`;
    }
    case "enum": {
      if (!Array.isArray(node.enum)) return "'enum' must be an array";
      const bad = node.enum.find((v) => typeof v === "object" && v !== null);
      return bad === undefined ? null : `Unsupported data type in enum: ${JSON.stringify(bad)}`;
    }
    case "const":
      return typeof node.const === "object" && node.const !== null ? `Unsupported data type in const: ${JSON.stringify(node.const)}` : null;
    case "$ref":
      return refError(node.$ref, root, sub);
    case "type":
      return typeError(node, sub);
  }
}

function refError(ref: unknown, root: unknown, sub: (n: unknown) => string | null): string | null {
  if (typeof ref !== "string") return "'$ref' must be a string";
  const parts = ref.split("#");
  let fragment: string;
  if (parts.length === 1 || (parts.length === 2 && parts[0] === "")) fragment = parts.at(-1)!;
  else if (parts.length === 2) {
    const id = isObj(root) ? root.$id : undefined;
    if (typeof id !== "string" || parts[0] !== id) return `External references are not supported: ${ref}`;
    fragment = parts[1]!;
  } else return `Invalid reference format: ${ref}`;
  let cur: unknown = root;
  for (const part of fragment.split("/").filter(Boolean)) {
    if (!isObj(cur) || !(part in cur)) return `Invalid reference path: ${part}`;
    cur = cur[part];
  }
  return sub(cur);
}

const u64 = (v: unknown): number | undefined => (typeof v === "number" && Number.isInteger(v) && v >= 0 ? v : undefined);

/** helpers::validate_quantifiers: bounds shifted by `offset`, then max < min is an error. */
function quantifierError(min: unknown, max: unknown, offset: number): string | null {
  const lo = u64(min);
  const hi = u64(max);
  if (lo === undefined || hi === undefined) return null;
  // NonZeroU64::new(0) is None, and None < Some(_) in Rust's Option ordering.
  const a = Math.max(0, lo - offset);
  const b = Math.max(0, hi - offset);
  if (b === 0 && a !== 0) return "max bound must be greater than or equal to min bound";
  return b !== 0 && a !== 0 && b < a ? "max bound must be greater than or equal to min bound" : null;
}

function typeError(node: Obj, sub: (n: unknown) => string | null): string | null {
  const t = node.type;
  if (typeof t !== "string") return "'type' must be a string";
  switch (t) {
    case "string": {
      if ("maxLength" in node || "minLength" in node) {
        const [lo, hi] = [node.minLength, node.maxLength];
        if (typeof lo === "number" && typeof hi === "number" && lo > hi) return "maxLength must be greater than or equal to minLength";
        return null;
      }
      if (typeof node.pattern === "string") return null;
      if (typeof node.format === "string" && !FORMATS.has(node.format)) return `Format ${node.format} is not supported by Outlines`;
      return null;
    }
    case "number":
      return (
        quantifierError(node.minDigitsInteger, node.maxDigitsInteger, 1) ??
        quantifierError(node.minDigitsFraction, node.maxDigitsFraction, 0) ??
        quantifierError(node.minDigitsExponent, node.maxDigitsExponent, 0)
      );
    case "integer":
      return quantifierError(node.minDigits, node.maxDigits, 1);
    case "array": {
      const max = u64(node.maxItems);
      if (max !== undefined && max < 1) return null; // always the empty array
      return "items" in node ? sub(node.items) : null;
    }
    case "object": {
      const max = u64(node.maxProperties);
      if (max !== undefined && max < 1) return null;
      const ap = node.additionalProperties;
      return ap === undefined || ap === true ? null : sub(ap);
    }
    case "boolean":
    case "null":
      return null;
    default:
      return `Unsupported type: ${t}`;
  }
}

/**
 * The parts of the draft 2020-12 meta-schema a grammar is most likely to break, with the jsonschema
 * crate's wording. Not the whole meta-schema: anything else it would reject passes here.
 */
export function metaSchemaError(node: unknown, depth = 0): string | null {
  if (depth > MAX_DEPTH || typeof node === "boolean") return null;
  if (!isObj(node)) return `${JSON.stringify(node)} is not of type "object", "boolean"`;
  const t = node.type;
  if (t !== undefined) {
    const ok = typeof t === "string" ? JSON_TYPES.has(t) : Array.isArray(t) && t.length > 0 && t.every((x) => typeof x === "string" && JSON_TYPES.has(x)) && new Set(t).size === t.length;
    if (!ok) return `${JSON.stringify(t)} is not valid under any of the schemas listed in the 'anyOf' keyword`;
  }
  for (const k of ["properties", "$defs", "definitions"] as const) {
    if (node[k] !== undefined && !isObj(node[k])) return `${JSON.stringify(node[k])} is not of type "object"`;
  }
  if (node.required !== undefined && !(Array.isArray(node.required) && node.required.every((x) => typeof x === "string"))) {
    return Array.isArray(node.required) ? `${JSON.stringify(node.required.find((x) => typeof x !== "string"))} is not of type "string"` : `${JSON.stringify(node.required)} is not of type "array"`;
  }
  for (const k of ["allOf", "anyOf", "oneOf"] as const) {
    const v = node[k];
    if (v === undefined) continue;
    if (!Array.isArray(v)) return `${JSON.stringify(v)} is not of type "array"`;
    if (v.length === 0) return `[] has less than 1 item`;
  }
  for (const k of ["minItems", "maxItems", "minLength", "maxLength", "minProperties", "maxProperties"] as const) {
    const v = node[k];
    if (v !== undefined && !(typeof v === "number" && Number.isInteger(v))) return `${JSON.stringify(v)} is not of type "integer"`;
    if (typeof v === "number" && v < 0) return `${v} is less than the minimum of 0`;
  }
  const children: unknown[] = [];
  for (const k of ["properties", "$defs", "definitions"] as const) if (isObj(node[k])) children.push(...Object.values(node[k] as Obj));
  for (const k of ["allOf", "anyOf", "oneOf", "prefixItems"] as const) if (Array.isArray(node[k])) children.push(...(node[k] as unknown[]));
  for (const k of ["items", "additionalProperties", "not"] as const) if (node[k] !== undefined) children.push(node[k]);
  for (const c of children) {
    const e = metaSchemaError(c, depth + 1);
    if (e) return e;
  }
  return null;
}

/** A JSON grammar (`{type: "json", value}` or json_schema's `schema`) as TGI validates it; throws its 422. */
export function checkJsonGrammar(schema: unknown): void {
  const e = jsonGrammarError(schema);
  if (e) throw e;
}

export function jsonGrammarError(schema: unknown): HttpError | null {
  const meta = metaSchemaError(schema);
  if (meta) return validationError(`grammar is not valid: ${meta}`);
  if (!isObj(schema) || !("properties" in schema)) return validationError("grammar is not valid: Grammar must have a 'properties' field");
  const e = outlinesError(schema);
  return e ? validationError(`cannot compile regex from schema: ${e}`) : null;
}
