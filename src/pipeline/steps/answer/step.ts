import type { Case } from "../../../types.js";
import { caseLetters, formatOptions } from "../../format.js";
import { runModelStep, type StepContext, type StepResult } from "../../model-step.js";
import { answerSchema, type AnswerOutput } from "./schema.js";

export const ANSWER_MAX_TOKENS = 512;

/** The only step that sees the full question (stem included) and the options. */
export function runAnswer(c: Case, report: string, ctx: StepContext): Promise<StepResult<AnswerOutput>> {
  const vars = { report, question: c.question.trim(), options: formatOptions(c) };
  return runModelStep({ id: "answer", vars, schema: answerSchema(caseLetters(c)), maxTokens: ANSWER_MAX_TOKENS }, ctx);
}
