// ChatTemplate::apply (router/src/infer/chat_template.rs) for MedGemma's Gemma 3 template: render with
// add_generation_prompt, map the template's raise_exception to InferError::TemplateError (422
// template_error), and — when the last message is the assistant's — continue it: cut the rendering
// right after that message's content and trim the end.
import type { ChatMessage } from "../../endpoint/types.js";
import { renderGemmaChat } from "../../tokenizer/gemma.js";
import { templateError } from "./errors.js";

export function applyChatTemplate(messages: readonly ChatMessage[]): string {
  let text: string;
  try {
    text = renderGemmaChat(messages, true);
  } catch (e) {
    throw templateError(e instanceof Error ? e.message : String(e));
  }
  const last = messages.at(-1);
  if (last?.role === "assistant") {
    const i = text.lastIndexOf(last.content);
    if (i >= 0) text = text.slice(0, i + last.content.length).trimEnd();
  }
  return text;
}
