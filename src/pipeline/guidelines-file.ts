// Loads and validates a `--guidelines FILE` corpus: a JSON array of {id, specialty, title, source, url?, text}.
import { readFile } from "node:fs/promises";
import { DataError, describeValue } from "../datasets/errors.js";
import type { Guideline } from "./types.js";

const REQUIRED = ["id", "specialty", "title", "source", "text"] as const;

export async function loadGuidelines(path: string): Promise<Guideline[]> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    throw new DataError(
      { file: path, line: 0, field: "(file)", expected: "a readable JSON file" },
      `${path}: cannot read the guidelines file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
    );
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new DataError(
      { file: path, line: 0, field: "(file)", expected: "valid JSON" },
      `${path}: not valid JSON (${(err as Error).message})`,
    );
  }
  return validateGuidelines(data, path);
}

/** Checks every entry; the error names the file, the entry's index and the field, e.g. `g.json: field "[3].title": …`. */
export function validateGuidelines(data: unknown, file: string): Guideline[] {
  const fail = (field: string, expected: string, got?: unknown): never => {
    throw new DataError({ file, line: 0, field, expected, got: describeValue(got) });
  };
  if (!Array.isArray(data)) fail("(root)", "a JSON array of guideline objects", data);
  const list = data as unknown[];
  if (list.length === 0) fail("(root)", "at least one guideline", data);
  const seen = new Map<string, number>();
  return list.map((entry, i) => {
    if (typeof entry !== "object" || entry === null || Array.isArray(entry)) fail(`[${i}]`, "an object", entry);
    const e = entry as Record<string, unknown>;
    for (const key of REQUIRED) {
      const v = e[key];
      if (typeof v !== "string" || v.trim() === "") fail(`[${i}].${key}`, "a non-empty string", v);
    }
    if (e.url !== undefined && typeof e.url !== "string") fail(`[${i}].url`, "a string when present", e.url);
    const id = e.id as string;
    const first = seen.get(id);
    if (first !== undefined) fail(`[${i}].id`, `a unique id (also used by [${first}])`, id);
    seen.set(id, i);
    const g: Guideline = {
      id,
      specialty: e.specialty as string,
      title: e.title as string,
      source: e.source as string,
      text: e.text as string,
    };
    if (typeof e.url === "string") g.url = e.url;
    return g;
  });
}
