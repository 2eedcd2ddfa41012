// answer → the chosen option letter; the enum is the case's own letters, so a letter outside them fails validation.
import { z } from "zod";
import type { Letter } from "../../../types.js";

export function answerSchema(letters: readonly Letter[]) {
  return z.object({
    answer: z.enum(letters as [Letter, ...Letter[]]),
    justification: z.string().default(""),
  });
}

export type AnswerOutput = { answer: Letter; justification: string };
