// Once per run, where the engine offers a counting route (TGI /chat_tokenize): does the server render a real
// request as the preflight does, and does the preflight's byte bound hold for it? The preflight sends a request
// uncounted when the bound proves it fits (tokenizer/bound.ts), so a server whose tokenizer or template differs
// (another model behind the URL) could make that proof wrong; better to stop before paying for the run.
import { renderGemmaChat } from "../tokenizer/gemma.js";
import { chatTokenBound } from "../tokenizer/bound.js";
import type { ChatMessage } from "./types.js";
import type { EngineProfile } from "./engines/types.js";

export interface TokenizeCheck {
  route: string;
  /** Prompt tokens the server counted for the probe request. */
  server_tokens: number | null;
  /** The preflight's upper bound for the same request. */
  bound: number;
  /** `match`: the server's templated text equals the preflight's rendering; `unknown`: the route gives none. */
  rendering: "match" | "differs" | "unknown";
  /** Why the check could not run (route missing, error status, unexpected shape); null when it ran. */
  skipped: string | null;
  /** What is wrong, when the preflight cannot be trusted for this endpoint; null when all is well. */
  problem: string | null;
}

export interface TokenizeCheckOptions {
  root: string;
  apiKey: string;
  model: string;
  profile: Pick<EngineProfile, "tokenize">;
  messages: readonly ChatMessage[];
  fetch: typeof fetch;
  timeoutMs?: number;
}

/** Null when the engine has no counting route. */
export async function checkTokenize(o: TokenizeCheckOptions): Promise<TokenizeCheck | null> {
  const route = o.profile.tokenize;
  if (!route) return null;
  const bound = chatTokenBound(o.messages);
  const base = { route: route.path, server_tokens: null, bound, rendering: "unknown" as const };
  let json: unknown;
  try {
    const res = await o.fetch(`${o.root}${route.path}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(o.apiKey ? { authorization: `Bearer ${o.apiKey}` } : {}) },
      body: JSON.stringify(route.body(o.model, o.messages.map((m) => ({ role: m.role, content: m.content })))),
      signal: AbortSignal.timeout(o.timeoutMs ?? 30_000),
    });
    if (!res.ok) return { ...base, skipped: `${route.path} answered ${res.status}`, problem: null };
    json = await res.json();
  } catch (err) {
    return { ...base, skipped: `${route.path}: ${err instanceof Error ? err.message : String(err)}`, problem: null };
  }
  const count = route.count(json);
  if (count === null) return { ...base, skipped: `${route.path}: unexpected answer shape`, problem: null };
  const templated = typeof json === "object" && json !== null ? (json as Record<string, unknown>).templated_text : undefined;
  let rendering: TokenizeCheck["rendering"] = "unknown";
  let problem: string | null = null;
  if (typeof templated === "string") {
    const ours = renderGemmaChat(o.messages, true);
    rendering = templated === ours ? "match" : "differs";
    if (rendering === "differs") {
      let at = 0;
      while (at < ours.length && ours[at] === templated[at]) at++;
      problem = `the server renders the chat differently from the preflight's Gemma 3 template (first difference at character ${at}: server ${JSON.stringify(templated.slice(at, at + 24))}, preflight ${JSON.stringify(ours.slice(at, at + 24))})`;
    }
  }
  if (problem === null && count > bound) {
    problem = `the server counts ${count} prompt tokens where the preflight's bound allows at most ${bound}: its tokenizer is not the Gemma 3 one the preflight assumes`;
  }
  return { route: route.path, server_tokens: count, bound, rendering, skipped: null, problem };
}
