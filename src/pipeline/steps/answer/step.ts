import { grade, type Grade } from "../../../scoring/grading/grade.js";
import type { Case } from "../../../types.js";
import { caseLetters, caseQuestion, formatOptions } from "../../format.js";
import type { ParseStructuredResult } from "../../json/parse.js";
import { runModelStep, type StepContext, type StepResult } from "../../model-step.js";
import { answerSchema, type AnswerOutput } from "./schema.js";

export const ANSWER_MAX_TOKENS = 512;

export interface AnswerStepResult extends StepResult<AnswerOutput> {
  /** The grade of the step's last reply (also when it gave no letter); null when no reply arrived. */
  grade: Grade | null;
}

/**
 * The only step that sees the full question (stem included) and the options. The model is asked for the JSON of
 * `answerSchema`; its reply is read by the same grader as the direct arm's, so "D-dimer" is the option with that
 * text and prose like "The answer is C" still counts. A reply without a letter is re-asked once.
 */
export async function runAnswer(c: Case, report: string, ctx: StepContext): Promise<AnswerStepResult> {
  const vars = { report, question: caseQuestion(c), options: formatOptions(c) };
  let last: Grade | null = null;
  const parse = (text: string, finishReason: string | null): ParseStructuredResult<AnswerOutput> => {
    last = grade({ text, options: c.options, finishReason });
    if (last.letter === null) return { ok: false, error: noLetterMessage(last, caseLetters(c).join(", ")) };
    return { ok: true, value: { answer: last.letter, justification: justification(text) }, outcome: last.method === "format" ? "ok" : "repaired" };
  };
  const res = await runModelStep({ id: "answer", vars, schema: answerSchema(caseLetters(c)), maxTokens: ANSWER_MAX_TOKENS, parse }, ctx);
  return { ...res, grade: last };
}

/** The re-ask's explanation (quoted back to the model). */
function noLetterMessage(g: Grade, letters: string): string {
  const why: Record<string, string> = {
    empty: "the reply was empty",
    truncated: "the reply was cut off before the answer",
    hedge: "it names more than one option",
    out_of_range: "it names a letter that is not an option",
    refusal: "it declines to answer",
    no_commitment: "it does not choose an option",
  };
  return `${why[g.reason ?? "no_commitment"] ?? "it does not choose an option"}; "answer" must be exactly one of ${letters}.`;
}

/** The JSON justification when there is one (the grade does not depend on it). */
function justification(text: string): string {
  const m = /"justification"\s*:\s*"((?:[^"\\]|\\.){0,2000})"/.exec(text);
  if (!m) return "";
  try {
    return JSON.parse(`"${m[1]}"`) as string;
  } catch {
    return m[1]!;
  }
}
