// How the emulated model words a free-text answer. "plain" is the harness's own format (rationale + `Answer: X`);
// "varied" rotates, by request hash, through the ways instruction-tuned models actually reply — markdown with a
// bold answer, the answer first and the other options argued after it, the option's text with no letter, `\boxed{}`,
// a MedGemma thought block, a lone letter line, a JSON object — plus replies a careful grader scores as no answer
// (a hedge, a refusal). It exercises the whole grader end to end; `intended` says what a careful grader reads.
import type { Letter } from "../types.js";
import { fnv1a } from "./hash.js";

export const RESPONSE_STYLES = ["plain", "varied"] as const;
export type ResponseStyle = (typeof RESPONSE_STYLES)[number];

export interface StyleInput {
  letter: Letter;
  /** The case's options as the prompt showed them (letter → text). */
  options: ReadonlyArray<{ letter: Letter; text: string }>;
  /** The rationale lines the plain style would give (key features, fit). */
  rationale: readonly string[];
  key: string;
}

export interface Styled {
  name: string;
  text: string;
  /** The letter a careful grader takes from `text`; null for a reply that commits to none (hedge, refusal). */
  intended: Letter | null;
  /** Why none, when intended is null. */
  noneReason?: "hedge" | "refusal";
}

type Variant = (x: Letter, o: StyleInput) => Omit<Styled, "name"> | null;

const textOf = (o: StyleInput, l: Letter): string => o.options.find((x) => x.letter === l)?.text ?? "";
const others = (o: StyleInput, x: Letter): Letter[] => o.options.map((p) => p.letter).filter((l) => l !== x);

/** Each variant is a template over any letter: no variant treats one letter differently from another. */
const VARIANTS: ReadonlyArray<readonly [string, Variant]> = [
  ["plain", (x, o) => ({ text: [...o.rationale, `Answer: ${x}`].join("\n"), intended: x })],
  [
    "markdown_bold",
    (x, o) => ({
      text: `**Analysis:**\n\n${o.rationale.map((r) => `*   ${r}`).join("\n")}\n\n**Answer: ${x}) ${textOf(o, x)}**`,
      intended: x,
    }),
  ],
  [
    "answer_then_others",
    (x, o) => ({
      text:
        `The correct answer is **${x}. ${textOf(o, x)}**.\n\n${o.rationale.join(" ")}\n\n**Why the other options are incorrect:**\n` +
        others(o, x).map((l) => `*   **${l}. ${textOf(o, l)}:** less consistent with the findings.`).join("\n"),
      intended: x,
    }),
  ],
  [
    "option_text_only",
    (x, o) => {
      const t = textOf(o, x);
      // Only when the text names one option unambiguously (no other option's text starts with it or it with them).
      const clash = o.options.some((p) => p.letter !== x && (p.text.toLowerCase().startsWith(t.toLowerCase()) || t.toLowerCase().startsWith(p.text.toLowerCase())));
      if (t === "" || clash) return null;
      return { text: `${o.rationale.join(" ")}\n\nThe most likely answer is ${t}.`, intended: x };
    },
  ],
  ["boxed", (x, o) => ({ text: `${o.rationale.join("\n")}\n\nTherefore, the final answer is $\\boxed{${x}}$.`, intended: x })],
  [
    "thought_block",
    (x, o) => {
      const y = others(o, x)[0]!;
      return { text: `<unused94>thought\nCould it be ${y}? ${o.rationale[0] ?? ""} No — ${x} fits better.<unused95>${o.rationale.join(" ")}\n\nAnswer: ${x}`, intended: x };
    },
  ],
  ["lone_letter", (x, o) => ({ text: `${o.rationale.join("\n")}\n\n${x}`, intended: x })],
  ["json_object", (x, o) => ({ text: `\`\`\`json\n{"answer": "${x}", "reason": ${JSON.stringify(o.rationale.join(" "))}}\n\`\`\``, intended: x })],
  ["hedge", (x, o) => ({ text: `${o.rationale.join(" ")}\n\nThe answer is either ${x} or ${others(o, x)[0]!}; the vignette does not settle which.`, intended: null, noneReason: "hedge" })],
  ["refusal", () => ({ text: "I cannot provide a diagnosis for a specific patient. Please consult a qualified physician.", intended: null, noneReason: "refusal" })],
];

export const VARIED_STYLE_NAMES = VARIANTS.map(([n]) => n);

/** The free-text reply in `style`; varied picks its variant by the request key (not by the letter). */
export function styledAnswer(style: ResponseStyle, o: StyleInput): Styled {
  const order = style === "plain" ? [0] : rotation(fnv1a(o.key + "\u0002style") % VARIANTS.length);
  for (const i of order) {
    const [name, f] = VARIANTS[i]!;
    const r = f(o.letter, o);
    if (r !== null) return { name, ...r };
  }
  throw new Error("unreachable: the plain variant always applies");
}

/** Variant i first, then plain (which always applies) as the fallback. */
const rotation = (i: number): number[] => (i === 0 ? [0] : [i, 0]);
