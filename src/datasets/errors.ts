// A data problem tied to a place in a file, so the user can open the file at the right line.
import type { DataIssue } from "../types.js";

/** Longest rendering of an offending value kept in a message: enough to recognise it, short enough for a terminal. */
export const GOT_MAX_CHARS = 80;

/** Renders a value for the `got` part of a message: JSON for non-strings, truncated with an ellipsis. */
export function describeValue(value: unknown): string {
  let text: string;
  if (value === undefined) text = "nothing (missing)";
  else if (typeof value === "string") text = JSON.stringify(value);
  else {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      text = String(value);
    }
  }
  return truncate(text, GOT_MAX_CHARS);
}

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** The value at a (zod issue) path, for the `got` part of a message; undefined when the path leaves the value. */
export function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let cur = value;
  for (const key of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}

/**
 * `<file>:<line>: field "<field>": expected <expected>, got <got>`; line 0 means "the file as a whole".
 * Parquet has no lines: its records are named `<file>:row <n>` (1-based).
 */
export function formatIssue(issue: DataIssue): string {
  const where = issue.line > 0 ? (issue.unit === "row" ? `${issue.file}:row ${issue.line}` : `${issue.file}:${issue.line}`) : issue.file;
  const got = issue.got === undefined ? "" : `, got ${truncate(issue.got, GOT_MAX_CHARS)}`;
  return `${where}: field "${issue.field}": expected ${issue.expected}${got}`;
}

export class DataError extends Error {
  readonly issue: DataIssue;

  /** `message` overrides the formatted issue when a sentence reads better (e.g. a missing file). */
  constructor(issue: DataIssue, message?: string) {
    super(message ?? formatIssue(issue));
    this.name = "DataError";
    this.issue = issue;
  }
}
