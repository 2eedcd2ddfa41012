// JSON Schemas for TGI's JSON grammar (`--json-mode grammar`). TGI compiles grammars with outlines-core,
// which reads a node by the first keyword it finds among properties, allOf, anyOf, oneOf, prefixItems,
// enum, const, $ref, type — and rejects `"type": [..]` ("'type' must be a string", a 422 on every
// call). zod 4's toJSONSchema writes nullable and primitive unions as type arrays, so this rewrites
// each such node into an equivalent `anyOf` of single-type branches, each branch taking the keywords
// that apply to its type. Nodes where a higher-priority keyword decides (enum, properties, …) are left
// as they are: outlines never reads their `type`.
type Node = Record<string, unknown>;
const isNode = (x: unknown): x is Node => typeof x === "object" && x !== null && !Array.isArray(x);

const DECIDES_BEFORE_TYPE = ["properties", "allOf", "anyOf", "oneOf", "prefixItems", "enum", "const", "$ref"];

/** Keywords that belong to one JSON type (moved into that type's branch). */
const TYPE_KEYWORDS: Record<string, readonly string[]> = {
  object: ["properties", "required", "additionalProperties", "minProperties", "maxProperties", "patternProperties", "propertyNames"],
  array: ["items", "prefixItems", "minItems", "maxItems", "uniqueItems", "contains"],
  string: ["minLength", "maxLength", "pattern", "format"],
  number: ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"],
  integer: ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"],
};
const ALL_TYPE_KEYWORDS = new Set(Object.values(TYPE_KEYWORDS).flat());

/** A deep copy of `schema` that outlines-core compiles the same way JSON Schema validates it. */
export function grammarSafe(schema: Node): Node {
  return rewrite(schema) as Node;
}

function rewrite(x: unknown): unknown {
  if (Array.isArray(x)) return x.map(rewrite);
  if (!isNode(x)) return x;
  const out: Node = {};
  for (const [k, v] of Object.entries(x)) {
    // Maps of name → schema: rewrite the schemas, keep the names.
    if ((k === "properties" || k === "$defs" || k === "definitions" || k === "patternProperties") && isNode(v)) {
      out[k] = Object.fromEntries(Object.entries(v).map(([name, s]) => [name, rewrite(s)]));
    } else out[k] = rewrite(v);
  }
  const t = out.type;
  if (!Array.isArray(t) || DECIDES_BEFORE_TYPE.some((k) => k in out)) return out;
  const types = t.filter((y): y is string => typeof y === "string");
  if (types.length === 1) return { ...out, type: types[0] };
  const outer: Node = {};
  for (const [k, v] of Object.entries(out)) if (k !== "type" && !ALL_TYPE_KEYWORDS.has(k)) outer[k] = v;
  outer.anyOf = types.map((ty) => {
    const branch: Node = { type: ty };
    for (const k of TYPE_KEYWORDS[ty] ?? []) if (k in out) branch[k] = out[k];
    return branch;
  });
  return outer;
}

/** Every place a schema could break the grammar rules: `type` arrays, and (at the top) no `properties`. */
export function grammarViolations(schema: unknown): string[] {
  const found: string[] = [];
  if (!isNode(schema) || !isNode(schema.properties)) found.push("$: no top-level properties");
  const walk = (x: unknown, path: string): void => {
    if (Array.isArray(x)) return x.forEach((y, i) => walk(y, `${path}[${i}]`));
    if (!isNode(x)) return;
    if (Array.isArray(x.type)) found.push(`${path}: type is an array (${JSON.stringify(x.type)})`);
    for (const [k, v] of Object.entries(x)) walk(v, `${path}.${k}`);
  };
  walk(schema, "$");
  return found;
}
