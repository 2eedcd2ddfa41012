// Lenient, schema-driven coercion of parsed model JSON before zod validation. Models say "Moderate" for an enum
// value "moderate", "0.8" for a number, or return one object where a list is expected; these are fixed here so
// that only real content errors reach a re-ask. Walks zod 4's public definition objects (`schema._zod.def`).
import type { z } from "zod";

export type CoercionKind =
  | "case" // enum/literal matched case- or punctuation-insensitively (trivial)
  | "synonym" // enum matched via the synonym table
  | "letter" // "B. Ketotifen" / "(b)" → "B" for a letter enum
  | "number" // "0.8" → 0.8
  | "boolean" // "true"/"yes" → true
  | "string" // 5 → "5"
  | "wrap_array" // obj → [obj]
  | "unwrap_array" // [obj] → obj
  | "drop_null" // null for an optional, non-nullable field → field omitted
  | "rename_key"; // "Answer" → "answer"

export interface Coercion {
  /** Dotted path of the coerced value, e.g. `differential[0].likelihood`. */
  path: string;
  kind: CoercionKind;
}

export interface CoerceResult {
  value: unknown;
  changes: Coercion[];
}

/** Only case/punctuation differences are trivial; anything else means the output needed repair. */
export function isNonTrivial(changes: readonly Coercion[]): boolean {
  return changes.some((c) => c.kind !== "case");
}

/**
 * Input word → enum values to try, in order. The enum decides which applies: "mild" becomes "minor" only for an
 * enum that has "minor" and no "mild".
 */
const SYNONYMS: Record<string, readonly string[]> = {
  mild: ["mild", "minor", "low"],
  minor: ["minor", "mild", "low"],
  slight: ["minor", "mild", "low"],
  minimal: ["minimal", "minor", "mild", "low"],
  low: ["low", "minor", "mild", "unlikely"],
  moderate: ["moderate", "medium", "intermediate", "possible"],
  medium: ["medium", "moderate", "intermediate", "possible"],
  intermediate: ["intermediate", "moderate", "medium", "possible"],
  significant: ["significant", "moderate", "major"],
  severe: ["severe", "major", "high", "serious"],
  major: ["major", "severe", "high", "serious"],
  serious: ["serious", "severe", "major", "high"],
  high: ["high", "severe", "major", "likely"],
  critical: ["critical", "contraindicated", "severe", "major", "high"],
  contraindicated: ["contraindicated", "critical", "severe", "major"],
  likely: ["likely", "probable", "high"],
  probable: ["probable", "likely", "high"],
  verylikely: ["very_likely", "very likely", "likely", "high"],
  mostlikely: ["most_likely", "most likely", "likely", "high"],
  possible: ["possible", "moderate", "medium"],
  unlikely: ["unlikely", "improbable", "low"],
  improbable: ["improbable", "unlikely", "low"],
  yes: ["yes", "true", "present"],
  no: ["no", "false", "absent", "none"],
  none: ["none", "no"],
};

const BOOLEAN_WORDS: Record<string, boolean> = { true: true, false: false, yes: true, no: false };

/** Coerce `value` toward `schema`; never throws, returns the value unchanged where it cannot help. */
export function coerceToSchema(value: unknown, schema: z.ZodType): CoerceResult {
  const changes: Coercion[] = [];
  const coerced = walk(value, schema as unknown as z.core.$ZodTypes, "", changes);
  return { value: coerced, changes };
}

function walk(value: unknown, schema: z.core.$ZodTypes, path: string, changes: Coercion[]): unknown {
  const note = (kind: CoercionKind): void => {
    changes.push({ path: path || "(root)", kind });
  };
  const def = schema._zod.def;
  switch (def.type) {
    case "optional":
    case "nullable":
    case "default":
    case "prefault":
    case "catch":
    case "readonly":
    case "nonoptional":
      if (value === undefined || (value === null && def.type !== "optional")) return value;
      return walk(value, def.innerType as z.core.$ZodTypes, path, changes);
    case "pipe":
      return walk(value, def.in as z.core.$ZodTypes, path, changes);
    case "lazy":
      return walk(value, def.getter() as z.core.$ZodTypes, path, changes);
    case "object":
      return walkObject(value, def.shape as Record<string, z.core.$ZodTypes>, path, changes, note);
    case "array": {
      if (value === undefined || value === null) return value;
      let items: unknown[];
      if (Array.isArray(value)) items = value;
      else {
        items = [value];
        note("wrap_array");
      }
      return items.map((item, k) => walk(item, def.element as z.core.$ZodTypes, `${path}[${k}]`, changes));
    }
    case "record": {
      if (!isPlainObject(value)) return value;
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) {
        out[k] = walk(v, def.valueType as z.core.$ZodTypes, join(path, k), changes);
      }
      return out;
    }
    case "enum":
      return matchChoice(value, Object.values(def.entries), note);
    case "literal":
      return matchChoice(value, def.values, note);
    case "string":
      if (typeof value === "number" || typeof value === "boolean") {
        note("string");
        return String(value);
      }
      return value;
    case "number":
      if (typeof value === "string") {
        const t = value.trim();
        if (/^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/.test(t)) {
          note("number");
          return Number(t);
        }
      }
      return value;
    case "boolean":
      if (typeof value === "string") {
        const b = BOOLEAN_WORDS[value.trim().toLowerCase()];
        if (b !== undefined) {
          note("boolean");
          return b;
        }
      }
      return value;
    case "union": {
      // Leave a value some option already accepts; else take the first option that accepts its coercion.
      const options = def.options as readonly z.core.$ZodTypes[];
      if (options.some((o) => safeParses(o, value))) return value;
      for (const o of options) {
        const attempt: Coercion[] = [];
        const v = walk(value, o, path, attempt);
        if (safeParses(o, v)) {
          changes.push(...attempt);
          return v;
        }
      }
      return value;
    }
    default:
      return value;
  }
}

function walkObject(
  value: unknown,
  shape: Record<string, z.core.$ZodTypes>,
  path: string,
  changes: Coercion[],
  note: (kind: CoercionKind) => void,
): unknown {
  // A one-element list where an object is expected: the model wrapped its answer.
  if (Array.isArray(value) && value.length === 1 && isPlainObject(value[0])) {
    note("unwrap_array");
    value = value[0];
  }
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = { ...value };
  const byLooseName = new Map<string, string>();
  for (const k of Object.keys(value)) byLooseName.set(looseKey(k), k);

  for (const [key, child] of Object.entries(shape)) {
    let present = key in out;
    if (!present) {
      // "Answer" or "final-answer" for "answer"/"final_answer".
      const actual = byLooseName.get(looseKey(key));
      if (actual !== undefined && !(actual in shape)) {
        out[key] = out[actual];
        delete out[actual];
        changes.push({ path: join(path, key), kind: "rename_key" });
        present = true;
      }
    }
    if (!present) continue;
    if (out[key] === null && acceptsUndefinedNotNull(child)) {
      delete out[key];
      changes.push({ path: join(path, key), kind: "drop_null" });
      continue;
    }
    out[key] = walk(out[key], child, join(path, key), changes);
  }
  return out;
}

/** Match a string (or number) against enum/literal values: exact, loose (case, spaces, punctuation), synonym. */
function matchChoice(
  value: unknown,
  choices: readonly unknown[],
  note: (kind: CoercionKind) => void,
): unknown {
  if (choices.includes(value)) return value;
  if (typeof value !== "string" && typeof value !== "number") return value;
  const text = String(value);
  const stringChoices = choices.filter((c): c is string => typeof c === "string");
  const byLoose = new Map<string, string>();
  for (const c of stringChoices) byLoose.set(loose(c), c);

  const direct = byLoose.get(loose(text));
  if (direct !== undefined) {
    note("case");
    return direct;
  }
  // Number choices given as strings ("2" for 2).
  const asNumber = choices.find((c) => typeof c === "number" && String(c) === text.trim());
  if (asNumber !== undefined) {
    note("number");
    return asNumber;
  }
  for (const candidate of SYNONYMS[loose(text)] ?? []) {
    const hit = byLoose.get(loose(candidate));
    if (hit !== undefined) {
      note("synonym");
      return hit;
    }
  }
  // A letter enum (A–E) given with its option text: "B. Ketotifen", "(b) ...".
  if (stringChoices.length > 0 && stringChoices.every((c) => /^[A-Z]$/.test(c))) {
    const m = /^\s*[(\[]?\s*([A-Za-z])\s*(?:[)\].:\-–—]|$)/.exec(text);
    const letter = m?.[1]?.toUpperCase();
    if (letter !== undefined && stringChoices.includes(letter)) {
      note("letter");
      return letter;
    }
  }
  return value;
}

function acceptsUndefinedNotNull(schema: z.core.$ZodTypes): boolean {
  return safeParses(schema, undefined) && !safeParses(schema, null);
}

function safeParses(schema: z.core.$ZodTypes, value: unknown): boolean {
  return (schema as unknown as z.ZodType).safeParse(value).success;
}

/** Lower case, no spaces, underscores, hyphens or punctuation: "Very likely" ≈ "very_likely". */
function loose(s: string): string {
  return s.toLowerCase().replace(/[\s_\-.,;:!'"()[\]*]+/g, "");
}

function looseKey(s: string): string {
  return s.toLowerCase().replace(/[\s_\-]+/g, "");
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}
