// Validation of one multiple-choice record, shared by the JSONL and CSV readers. The shape is checked with
// zod (each schema carries the "expected ..." wording of our messages); options and the cross-field rules are
// checked by hand because their messages need the record's own letters.
import { hash } from "node:crypto";
import { z } from "zod";
import { LETTERS, type Letter } from "../types.js";
import { describeValue, valueAt } from "./errors.js";

/** A record that passed validation; the loader adds id, index, line and content_hash. */
export interface ValidRecord {
  question: string;
  options: Partial<Record<Letter, string>>;
  answer_idx: Letter;
  answer: string;
  meta_info?: string;
  context?: string;
  strata?: Record<string, string>;
}

/** What is wrong with a record; the loader adds file and line to make a DataIssue. */
export interface RecordProblem {
  field: string;
  expected: string;
  got?: string;
}

export type Validation = { ok: true; record: ValidRecord } | { ok: false; problem: RecordProblem };

const MIN_OPTIONS = 2;

// Messages are the `expected` half of "expected X, got Y". Unknown keys (e.g. MedQA's metamap_phrases) pass.
const RecordShape = z.object(
  {
    question: z
      .string({ error: "a string" })
      .refine((s) => s.trim().length > 0, { error: "a non-empty string" }),
    options: z.record(z.string(), z.unknown(), { error: "an object of option texts keyed by letter" }),
    answer_idx: z.string({ error: "an option letter (string)" }),
    answer: z.string({ error: "a string" }).nullish(),
    meta_info: z.string({ error: "a string" }).nullish(),
    // Set by the registry's readers, not by MedQA-style files (where an unknown key passes unread).
    context: z.string({ error: "a string" }).nullish(),
    strata: z.record(z.string(), z.string({ error: "a string" })).optional(),
  },
  { error: "a JSON object" },
);

function isLetter(key: string): key is Letter {
  return (LETTERS as readonly string[]).includes(key);
}

function fail(field: string, expected: string, got: unknown): Validation {
  return { ok: false, problem: { field, expected, got: describeValue(got) } };
}

function checkOptions(raw: Record<string, unknown>): { ok: true; options: Partial<Record<Letter, string>> } | Validation {
  const keys = Object.keys(raw);
  const badKey = keys.find((k) => !isLetter(k));
  if (badKey !== undefined) return fail("options", `letter keys ${LETTERS.join(", ")} only`, badKey);
  const options: Partial<Record<Letter, string>> = {};
  // Walk letters in order so the result is in letter order whatever the source's key order.
  for (const letter of LETTERS) {
    if (!(letter in raw)) continue;
    const text = raw[letter];
    if (typeof text !== "string" || text.trim().length === 0) {
      return fail(`options.${letter}`, "a non-empty string", text);
    }
    options[letter] = text;
  }
  const present = Object.keys(options);
  if (present.length < MIN_OPTIONS) return fail("options", `at least ${MIN_OPTIONS} options`, present.join(", ") || "none");
  const contiguous = LETTERS.slice(0, present.length);
  if (present.join() !== contiguous.join()) {
    return fail("options", `letters contiguous from A (${contiguous.join(", ")})`, present.join(", "));
  }
  return { ok: true, options };
}

/** Validates a raw record (a parsed JSON line, or a CSV row mapped to the same shape). */
export function validateRecord(raw: unknown): Validation {
  const parsed = RecordShape.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    if (issue === undefined) return fail("(record)", "a valid record", raw);
    const field = issue.path.length > 0 ? issue.path.map(String).join(".") : "(line)";
    return fail(field, issue.message, valueAt(raw, issue.path));
  }
  const rec = parsed.data;
  const checked = checkOptions(rec.options);
  if (!("options" in checked)) return checked;
  const { options } = checked;

  const letters = Object.keys(options) as Letter[];
  // Letters are accepted in either case ("b" names option B), surrounding blanks ignored.
  const idx = rec.answer_idx.trim().toUpperCase();
  if (!isLetter(idx) || options[idx] === undefined) {
    return fail("answer_idx", `one of ${letters.join(", ")}`, rec.answer_idx);
  }
  const keyText = options[idx];
  if (rec.answer != null && rec.answer.trim() !== keyText.trim()) {
    return fail("answer", `the text of option ${idx} ${describeValue(keyText)}`, rec.answer);
  }
  return {
    ok: true,
    record: {
      question: rec.question,
      options,
      answer_idx: idx,
      answer: keyText,
      ...(rec.meta_info != null ? { meta_info: rec.meta_info } : {}),
      ...(rec.context != null && rec.context.trim() !== "" ? { context: rec.context } : {}),
      ...(rec.strata !== undefined ? { strata: rec.strata } : {}),
    },
  };
}

/**
 * sha256 of `question\nA. text\nB. text…` (then `\ncontext:\n<context>` when the case has one, so two PubMedQA
 * questions worded alike over different abstracts differ): identifies a case by content, whatever its position or file.
 */
export function contentHash(question: string, options: Partial<Record<Letter, string>>, context?: string): string {
  const lines = LETTERS.filter((l) => options[l] !== undefined).map((l) => `${l}. ${options[l]}`);
  if (context !== undefined) lines.push("context:", context);
  // One-shot crypto.hash: ~3× cheaper than createHash().update().digest() per call, same digest.
  return hash("sha256", [question, ...lines].join("\n"), "hex");
}
