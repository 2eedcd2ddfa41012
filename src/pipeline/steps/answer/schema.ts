// answer → the chosen option letter; the enum is the case's own letters, so a letter outside them fails validation.
import { z } from "zod";
import type { Letter } from "../../../types.js";

function buildAnswerSchema(letters: readonly Letter[]) {
  return z.object({
    answer: z.enum(letters as [Letter, ...Letter[]]),
    justification: z.string().default(""),
  });
}

type AnswerSchema = ReturnType<typeof buildAnswerSchema>;

/** One schema per letter set ("ABCD", …): the JSON Schema derived from it is cached per schema object. */
const byLetters = new Map<string, AnswerSchema>();

export function answerSchema(letters: readonly Letter[]): AnswerSchema {
  const key = letters.join("");
  let schema = byLetters.get(key);
  if (!schema) {
    schema = buildAnswerSchema(letters);
    byLetters.set(key, schema);
  }
  return schema;
}

export type AnswerOutput = { answer: Letter; justification: string };
