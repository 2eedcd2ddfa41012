// Lexical baseline: the emulator's stand-in for the model's clinical judgement. It never sees an answer
// key; it picks the option whose content words overlap the question most, so accuracy on real MedQA is
// a little above chance and the harness's scoring paths get exercised with a realistic mix of outcomes.
import type { Letter } from "../types.js";

export interface McqParse {
  /** Text before the options block (instructions included; they barely affect overlap). */
  question: string;
  options: { letter: Letter; text: string }[];
}

const OPTION_LINE = /^\s*\(?([A-E])[.):]\s+(\S.*)$/;
const ORDER = "ABCDE";

/**
 * Finds the LAST block of consecutive option lines lettered A, B, C… in order (at least two) and the
 * question text before it. Returns null when the text has no such block.
 */
export function parseMcq(text: string): McqParse | null {
  const lines = text.split("\n");
  let best: { start: number; options: McqParse["options"] } | null = null;
  let i = 0;
  while (i < lines.length) {
    const m = OPTION_LINE.exec(lines[i] ?? "");
    if (!m || m[1] !== "A") {
      i++;
      continue;
    }
    const start = i;
    const options: McqParse["options"] = [];
    while (i < lines.length) {
      const mm = OPTION_LINE.exec(lines[i] ?? "");
      if (!mm || mm[1] !== ORDER[options.length]) break;
      options.push({ letter: mm[1] as Letter, text: (mm[2] ?? "").trim() });
      i++;
    }
    if (options.length >= 2) best = { start, options };
    if (i === start) i++;
  }
  if (!best) return null;
  return { question: lines.slice(0, best.start).join("\n"), options: best.options };
}

// Small English + clinical-boilerplate stop list: these words say nothing about which option fits.
const STOP = new Set(
  (
    "the and for with that this from was were are has have had his her she him they them their there which who whom " +
    "what when where why how not but all any can could would should may might will shall does did done been being " +
    "into onto over under than then also most more less least very such only other some each both per its it's " +
    "patient patients year years old man woman boy girl male female presents presented following next best likely " +
    "diagnosis treatment management step appropriate option options answer question shows show showed finding findings " +
    "history examination physician department emergency because after before during about within without"
  ).split(" "),
);

/** Lower-cased content words: alphanumeric runs of length ≥ 3 not in the stop list. */
export function contentWords(text: string): string[] {
  const out: string[] = [];
  for (const w of text.toLowerCase().split(/[^a-z0-9]+/)) {
    if (w.length >= 3 && !STOP.has(w)) out.push(w);
  }
  return out;
}

/** Character trigrams of the lower-cased alphanumeric text (words joined by single spaces). */
export function trigrams(text: string): Set<string> {
  const t = text.toLowerCase().replace(/[^a-z0-9]+/g, " ");
  const out = new Set<string>();
  for (let i = 0; i + 3 <= t.length; i++) out.add(t.slice(i, i + 3));
  return out;
}

/** Weight of the trigram score: small, so it mostly separates options whose word scores are equal. */
const TRIGRAM_WEIGHT = 0.01;

/**
 * Scores each option: Σ over its distinct content words found in the question of log(1 + n/df), where
 * df is how many options contain the word (words shared by every option discriminate less), plus a
 * small share of the option's trigrams found in the question. Without that second term most MedQA
 * options (short drug or test names) score 0 and ties would send ~80 % of answers to A; with it the
 * letters come out roughly balanced. Remaining ties go to the earliest letter. Null when no options.
 */
export function lexicalAnswer(mcq: McqParse): { letter: Letter; scores: number[] } | null {
  if (mcq.options.length === 0) return null;
  const q = new Set(contentWords(mcq.question));
  const optWords = mcq.options.map((o) => new Set(contentWords(o.text)));
  const df = new Map<string, number>();
  for (const ws of optWords) for (const w of ws) df.set(w, (df.get(w) ?? 0) + 1);
  const n = mcq.options.length;
  const qTri = trigrams(mcq.question);
  const scores = optWords.map((ws, i) => {
    let s = 0;
    for (const w of ws) if (q.has(w)) s += Math.log(1 + n / (df.get(w) ?? 1));
    const tri = trigrams(mcq.options[i]?.text ?? "");
    let hits = 0;
    for (const g of tri) if (qTri.has(g)) hits++;
    return s + (tri.size > 0 ? (TRIGRAM_WEIGHT * hits) / tri.size : 0);
  });
  let bestI = 0;
  for (let i = 1; i < scores.length; i++) if ((scores[i] ?? 0) > (scores[bestI] ?? 0)) bestI = i;
  const best = mcq.options[bestI];
  return best ? { letter: best.letter, scores } : null;
}
