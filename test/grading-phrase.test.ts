// The phrase reader on its own: what the text right after a cue commits to (readPhrase), and when a letter at the
// start of a text is a standalone option letter (readLetterToken). Inputs are written with a "|" where the reading
// must end; every templated row is checked for every letter of a four- and a five-option case (the symmetry law).
import { describe, expect, it } from "vitest";
import { grade } from "../src/scoring/grading/grade.js";
import { indexOptions, type OptionIndex } from "../src/scoring/grading/options.js";
import { readLetterToken, readPhrase, type PhraseRead } from "../src/scoring/grading/phrase.js";

const CASES: Record<string, Record<string, string>> = {
  four: { A: "Aortic dissection", B: "Acute pericarditis", C: "Pulmonary embolism", D: "Tension pneumothorax" },
  five: { A: "Metoprolol", B: "Amiodarone", C: "Diltiazem", D: "Digoxin", E: "Adenosine" },
};

interface Vars {
  /** The letter under test, its option text, the next letter and its text, the letter after that. */
  L: string;
  T: string;
  M: string;
  U: string;
  N: string;
}

/** The phrase with its "|" end marker removed, and where the marker was. */
function unmark(marked: string): { text: string; end: number } {
  const end = marked.indexOf("|");
  return { text: marked.replace("|", ""), end };
}

type Want = null | { letter: string; via: "letter" | "text" } | { hedge: string[] };

function expected(w: Want, end: number): PhraseRead | null {
  if (w === null) return null;
  if ("hedge" in w) return { kind: "hedge", letters: w.hedge, end };
  return { kind: "letter", letter: w.letter, via: w.via, end };
}

/** Runs a template for every letter of every case. */
function eachLetter(f: (v: Vars, idx: OptionIndex, options: Record<string, string>) => void): void {
  for (const options of Object.values(CASES)) {
    const idx = indexOptions(options);
    const ls = Object.keys(options);
    ls.forEach((L, i) => {
      const M = ls[(i + 1) % ls.length]!;
      const N = ls[(i + 2) % ls.length]!;
      f({ L, T: options[L]!, M, U: options[M]!, N }, idx, options);
    });
  }
}

const letter = (l: string): Want => ({ letter: l, via: "letter" });
const byText = (l: string): Want => ({ letter: l, via: "text" });

type Row = readonly [string, (v: Vars) => string, (v: Vars) => Want, { loose?: boolean }?];

const ROWS: readonly Row[] = [
  // A bare letter, after spaces, quotes, or up to two line breaks.
  ["bare letter", (v) => `${v.L}|`, (v) => letter(v.L)],
  ["lower-case letter", (v) => `${v.L.toLowerCase()}|`, (v) => letter(v.L)],
  ["after spaces", (v) => `   ${v.L}|`, (v) => letter(v.L)],
  ["after a colon and a quote", (v) => `: "${v.L}|"`, (v) => letter(v.L)],
  ["after '='", (v) => ` = ${v.L}|.`, (v) => letter(v.L)],
  ["two line breaks", (v) => ` \n \n${v.L}|`, (v) => letter(v.L)],
  ["three line breaks: too far", (v) => `\n\n\n${v.L}`, () => null],
  ["only the first line is read", (v) => `${v.T}|\n${v.U}`, (v) => byText(v.L)],
  ["a letter on the next line after an empty one", (v) => `\n${v.L}|\n${v.M}`, (v) => letter(v.L)],
  // Fillers between the cue and the letter.
  ["the answer is", (v) => `the answer is ${v.L}|`, (v) => letter(v.L)],
  ["final answer is (no article)", (v) => `final answer is ${v.L}|`, (v) => letter(v.L)],
  ["the final answer is", (v) => `the final answer is ${v.L}|`, (v) => letter(v.L)],
  ["the correct answer would be", (v) => `the correct answer would be ${v.L}|`, (v) => letter(v.L)],
  ["the best option is", (v) => `The best option is: ${v.L}|`, (v) => letter(v.L)],
  ["the right choice is", (v) => `the right choice is ${v.L}|`, (v) => letter(v.L)],
  ["runs of spaces and tabs", (v) => `the  final\tanswer  would \t be  ${v.L}|`, (v) => letter(v.L)],
  ["runs of spaces (correct, best, right)", (v) => `the  correct  answer  is  therefore  ${v.L}|`, (v) => letter(v.L)],
  ["the final  answer", (v) => `the final  answer is ${v.L}|`, (v) => letter(v.L)],
  ["the best  option", (v) => `the best  option  is ${v.L}|`, (v) => letter(v.L)],
  ["the right  choice", (v) => `the right  choice is ${v.L}|`, (v) => letter(v.L)],
  ["most likely", (v) => `most likely ${v.L}|`, (v) => letter(v.L)],
  ["most  likely", (v) => `most  likely ${v.L}|`, (v) => letter(v.L)],
  ["in fact", (v) => `in fact, ${v.L}|`, (v) => letter(v.L)],
  ["in  fact", (v) => `in  fact ${v.L}|`, (v) => letter(v.L)],
  ["the letter", (v) => `the letter ${v.L}|`, (v) => letter(v.L)],
  ["the  option", (v) => `the  option ${v.L}|`, (v) => letter(v.L)],
  ["option: (a colon after the filler)", (v) => `option: ${v.L}|`, (v) => letter(v.L)],
  ["four fillers", (v) => `therefore clearly definitely probably ${v.L}|`, (v) => letter(v.L)],
  ["five fillers: past the limit", (v) => `the answer is therefore clearly definitely probably ${v.L}`, () => null],
  ["not X", (v) => `not ${v.L}`, () => null],
  ["not (X) on an answer line", (v) => `not (${v.L})`, () => null, { loose: true }],
  // An option named by its text.
  ["the option's text", (v) => `${v.T}|`, (v) => byText(v.L)],
  ["the option's text, then more", (v) => `${v.T} is the diagnosis|`, (v) => byText(v.L)],
  ["the text with its own label", (v) => `${v.T} (${v.L}) fits best|`, (v) => letter(v.L)],
  ["the text with another letter's label", (v) => `${v.T} (${v.M})| fits best`, (v) => ({ hedge: [v.L, v.M] })],
  [
    "a label more than 160 characters on is not the text's label",
    (v) => `${v.T}, given the sudden onset, the normal chest radiograph, the unremarkable troponin, the absence of a murmur and the normal D-dimer; some would still argue for option (${v.M})|`,
    (v) => byText(v.L),
  ],
  ["an article, then the text", (v) => `a ${v.T.toLowerCase()}|`, (v) => byText(v.L)],
  ["an article, spaces, then the text", (v) => `a  ${v.T.toLowerCase()}|`, (v) => byText(v.L)],
  // A sentence on an answer line that labels one letter.
  ["a sentence labelling one letter (answer line)", (v) => `The findings fit (${v.L}) best|`, (v) => letter(v.L), { loose: true }],
  ["the same label twice (answer line)", (v) => `The findings fit (${v.L}); (${v.L}) it is|`, (v) => letter(v.L), { loose: true }],
  ["a sentence labelling one letter (prose)", (v) => `The findings fit (${v.L}) best`, () => null],
  ["a sentence labelling two letters", (v) => `The findings fit (${v.L}) more than (${v.M})`, () => null, { loose: true }],
  // Queried letters and hedges.
  ["a queried letter", (v) => `${v.L}|?`, (v) => ({ hedge: [v.L] })],
  ["a queried label", (v) => `(${v.L})| ?`, (v) => ({ hedge: [v.L] })],
  ["X or Y", (v) => `${v.L} or ${v.M}|`, (v) => ({ hedge: [v.L, v.M] })],
  ["X or Y because …", (v) => `${v.L} or ${v.M}| because both fit`, (v) => ({ hedge: [v.L, v.M] })],
  ["X, or Y", (v) => `${v.L}, or ${v.M}|`, (v) => ({ hedge: [v.L, v.M] })],
  ["X,Y", (v) => `${v.L},${v.M}|`, (v) => ({ hedge: [v.L, v.M] })],
  ["X/Y", (v) => `${v.L}/${v.M}|`, (v) => ({ hedge: [v.L, v.M] })],
  ["X and/or Y (was no commitment)", (v) => `${v.L} and/or ${v.M}|`, (v) => ({ hedge: [v.L, v.M] })],
  ["X vs. Y", (v) => `${v.L} vs. ${v.M}|`, (v) => ({ hedge: [v.L, v.M] })],
  ["X (or possibly Y)", (v) => `${v.L} (or possibly ${v.M})|`, (v) => ({ hedge: [v.L, v.M] })],
  ["X ( or Y )", (v) => `${v.L} ( or ${v.M} )|`, (v) => ({ hedge: [v.L, v.M] })],
  ["X or maybe  Y", (v) => `${v.L} or maybe  ${v.M}|`, (v) => ({ hedge: [v.L, v.M] })],
  ["X, Y or Z", (v) => `${v.L}, ${v.M} or ${v.N}|.`, (v) => ({ hedge: [v.L, v.M, v.N] })],
  ["X or X is one letter", (v) => `${v.L} or ${v.L}|`, (v) => letter(v.L)],
  ["a second letter that starts a clause", (v) => `${v.L}|, and ${v.M} is wrong`, (v) => letter(v.L)],
  ["… after a run of spaces", (v) => `${v.L}|, and ${v.M}  was considered`, (v) => letter(v.L)],
  ["a verb later in the sentence", (v) => `${v.L} or ${v.M}|, depending on whether it is acute`, (v) => ({ hedge: [v.L, v.M] })],
  // Letters set aside by their clause are not offered; letters put together are.
  ["X or Y is wrong", (v) => `${v.L}| or ${v.M} is wrong`, (v) => letter(v.L)],
  ["X, and Y and Z are wrong", (v) => `${v.L}, and ${v.M}| and ${v.N} are wrong`, (v) => letter(v.L)],
  ["X,and Y and Z are wrong", (v) => `${v.L},and ${v.M}| and ${v.N} are wrong`, (v) => letter(v.L)],
  ["X, and Y and Z seem unlikely", (v) => `${v.L}, and ${v.M}| and ${v.N} seem unlikely`, (v) => letter(v.L)],
  ["X, and Y and Z appear incorrect", (v) => `${v.L}, and ${v.M}| and ${v.N} appear incorrect`, (v) => letter(v.L)],
  ["X, and Y and Z are distractors", (v) => `${v.L}, and ${v.M}| and ${v.N} are distractors`, (v) => letter(v.L)],
  ["X, and Y are both less likely (runs of spaces)", (v) => `${v.L}|, and ${v.M}  are  both  less  likely`, (v) => letter(v.L)],
  ["X, and Y were ruled out (runs of spaces)", (v) => `${v.L}|, and ${v.M}  were  ruled  out`, (v) => letter(v.L)],
  ["X, and Y is clearly not indicated", (v) => `${v.L}|, and ${v.M} is clearly not indicated`, (v) => letter(v.L)],
  ["X, and Y seems incorrect", (v) => `${v.L}|, and ${v.M} seems incorrect`, (v) => letter(v.L)],
  ["X, and Y appears contraindicated", (v) => `${v.L}|, and ${v.M} appears contraindicated`, (v) => letter(v.L)],
  ["X, and Y is excluded", (v) => `${v.L}|, and ${v.M} is excluded`, (v) => letter(v.L)],
  ["X, and Y was inappropriate", (v) => `${v.L}|, and ${v.M} was inappropriate`, (v) => letter(v.L)],
  ["X and Y are both correct", (v) => `${v.L} and ${v.M}| are both correct`, (v) => ({ hedge: [v.L, v.M] })],
  ["X or Y were equally likely", (v) => `${v.L} or ${v.M}|  were equally likely`, (v) => ({ hedge: [v.L, v.M] })],
  ["X or Y is also correct", (v) => `${v.L} or ${v.M}|  is  also correct`, (v) => ({ hedge: [v.L, v.M] })],
  ["X or Y would be equally good", (v) => `${v.L} or ${v.M}|  would  be  equally good`, (v) => ({ hedge: [v.L, v.M] })],
  ["X or Y could be equally right", (v) => `${v.L} or ${v.M}|  could  be equally right`, (v) => ({ hedge: [v.L, v.M] })],
  ["X or Y may be equally valid", (v) => `${v.L} or ${v.M}| may  be equally valid`, (v) => ({ hedge: [v.L, v.M] })],
  ["X or Y might be also fine", (v) => `${v.L} or ${v.M}| might  be also fine`, (v) => ({ hedge: [v.L, v.M] })],
  ["X or Y seems equally likely", (v) => `${v.L} or ${v.M}| seems  equally likely`, (v) => ({ hedge: [v.L, v.M] })],
  // A label with its own text, then another letter.
  ["X (text of X) and Y (text of Y)", (v) => `${v.L} (${v.T}) and ${v.M}| (${v.U})`, (v) => ({ hedge: [v.L, v.M] })],
  ["X (text of X, with a comma) or Y", (v) => `${v.L} (${v.T}, as first line) or ${v.M}| (${v.U})`, (v) => ({ hedge: [v.L, v.M] })],
  ["X) text of X or Y) text of Y", (v) => `${v.L}) ${v.T} or ${v.M})| ${v.U}`, (v) => ({ hedge: [v.L, v.M] })],
  ["X. text of X / Y", (v) => `${v.L}. ${v.T} / ${v.M}|`, (v) => ({ hedge: [v.L, v.M] })],
  ["X (text of X) or X (text of X)", (v) => `${v.L}| (${v.T}) or ${v.L} (${v.T})`, (v) => letter(v.L)],
  ["X (text of X) and Y is wrong", (v) => `${v.L}| (${v.T}) and ${v.M} is wrong`, (v) => letter(v.L)],
  ["X (text of Y) and Z", (v) => `${v.L}| (${v.U}) and ${v.N}`, (v) => ({ hedge: [v.L, v.M] })],
  ["X:text of X or Y", (v) => `${v.L}:${v.T} or ${v.M}|`, (v) => ({ hedge: [v.L, v.M] })],
  ["X: text of X, Y", (v) => `${v.L}: ${v.T}, ${v.M}|`, (v) => ({ hedge: [v.L, v.M] })],
  ["X (text of X) or another agent", (v) => `${v.L}| (${v.T}) or another agent`, (v) => letter(v.L)],
  ["X - or Y: no label text", (v) => `${v.L}| - or ${v.M}`, (v) => letter(v.L)],
  // Another letter called right too, within the sentence.
  ["X (Y is also acceptable)", (v) => `${v.L} (${v.M} is also acceptable|)`, (v) => ({ hedge: [v.L, v.M] })],
  ["X; Y would equally be reasonable", (v) => `${v.L}; ${v.M} would equally be reasonable|`, (v) => ({ hedge: [v.L, v.M] })],
  ["X, though Y is also possible", (v) => `${v.L}, though ${v.M} is also possible|`, (v) => ({ hedge: [v.L, v.M] })],
  ["X - Y is correct as well", (v) => `${v.L} - ${v.M} is correct as well|`, (v) => ({ hedge: [v.L, v.M] })],
  ["X and Y is correct too", (v) => `${v.L} and ${v.M} is correct too|`, (v) => ({ hedge: [v.L, v.M] })],
  ["X, and Y is correct as well", (v) => `${v.L}, and ${v.M} is correct as well|.`, (v) => ({ hedge: [v.L, v.M] })],
  ["X while option Y also fits", (v) => `${v.L} while option ${v.M} also fits|`, (v) => ({ hedge: [v.L, v.M] })],
  ["X (Y is also the right answer)", (v) => `${v.L} (${v.M} is also the right| answer)`, (v) => ({ hedge: [v.L, v.M] })],
  ["X (Y could be a good option too)", (v) => `${v.L} (${v.M} could be a good option too|)`, (v) => ({ hedge: [v.L, v.M] })],
  ["X (Y is also reasonable if …)", (v) => `${v.L}| (${v.M} is also reasonable if she is pregnant)`, (v) => letter(v.L)],
  ["X (Y is also acceptable in children)", (v) => `${v.L}| (${v.M} is also acceptable in children)`, (v) => letter(v.L)],
  ["X (Y is also acceptable only after imaging)", (v) => `${v.L}| (${v.M} is also acceptable only after imaging)`, (v) => letter(v.L)],
  ["X (Y is also appropriate in the setting of shock)", (v) => `${v.L}| (${v.M} is also appropriate in the setting of shock)`, (v) => letter(v.L)],
  ["X. However, Y is also reasonable.", (v) => `${v.L}|. However, ${v.M} is also reasonable.`, (v) => letter(v.L)],
  ["X (X is also acceptable)", (v) => `${v.L}| (${v.L} is also acceptable)`, (v) => letter(v.L)],
  // A label and a text that disagree.
  ["label: own text", (v) => `${v.L}|: ${v.T}`, (v) => letter(v.L)],
  ["label: another option's text", (v) => `${v.L}|: ${v.U}`, (v) => ({ hedge: [v.L, v.M] })],
  ["label:another option's text", (v) => `${v.L}|:${v.U}`, (v) => ({ hedge: [v.L, v.M] })],
  ["label another option's text", (v) => `${v.L}| ${v.U}`, (v) => ({ hedge: [v.L, v.M] })],
  ["label. the start of another option's text", (v) => `${v.L}|. ${v.U.split(" ")[0]}`, (v) => ({ hedge: [v.L, v.M] })],
  ["label: text naming no option", (v) => `${v.L}|: the classic presentation`, (v) => letter(v.L)],
];

describe("readPhrase: every row, every letter, four and five options", () => {
  it.each(ROWS.map((r) => [r[0], r] as const))("%s", (_name, [, render, want, opts]) => {
    eachLetter((v, idx) => {
      const { text, end } = unmark(render(v));
      const w = want(v);
      expect(readPhrase(text, idx, opts ?? {}), JSON.stringify(text)).toEqual(expected(w, w === null ? -1 : end));
    });
  });

  it("at most five letters are gathered into one hedge", () => {
    const idx = indexOptions(CASES.five!);
    const { text, end } = unmark("A, B, C, D, E|, F");
    expect(readPhrase(text, idx)).toEqual({ kind: "hedge", letters: ["A", "B", "C", "D", "E"], end });
  });

  it("a label letter beyond the case's options is kept for the caller to judge", () => {
    const idx = indexOptions(CASES.four!);
    for (const text of ["E: Pulmonary embolism", "F: Aortic dissection", "E (Pulmonary embolism) and B (Acute pericarditis)"]) {
      expect(readPhrase(text, idx)).toEqual({ kind: "letter", letter: text[0], via: "letter", end: 1 });
    }
  });

  it("without option texts, a label is read as the letter", () => {
    const idx = indexOptions({ A: "", B: "", C: "", D: "" });
    expect(readPhrase("C: Pulmonary embolism", idx)).toEqual({ kind: "letter", letter: "C", via: "letter", end: 1 });
  });
});

describe("verdicts through the clause rules, every ordered letter pair ('and/or' was no_commitment, 'may'/'might' gave the first letter, 'seem'/'appear' a hedge)", () => {
  it.each([
    "Answer: L and/or M",
    "The answer is L and/or M.",
    "Answer: (L) and/or (M)",
    // 'may'/'might' after the second letter were read as a sentence word: the verdict was L (was a hedge only with 'could').
    "Answer: L or M may be equally valid",
    "Answer: L or M might be equally good",
    "Answer: L or M could be equally valid",
  ])("%s", (form) => {
    for (const options of Object.values(CASES)) {
      const ls = Object.keys(options);
      for (const l of ls) for (const m of ls) {
        if (l === m) continue;
        const text = form.replace("L", l).replace("M", m);
        const g = grade({ text, options });
        expect({ letter: g.letter, reason: g.reason }, text).toEqual({ letter: null, reason: "hedge" });
      }
    }
  });

  // 'seem'/'appear' after the set-aside letters were read as sentence words: the verdict was a hedge, not L.
  it.each([
    "Answer: L, and M and N seem unlikely",
    "Answer: L, and M and N appear incorrect",
    "Answer: L, and M and N are unlikely",
  ])("%s", (form) => {
    for (const options of Object.values(CASES)) {
      const ls = Object.keys(options);
      for (const l of ls) for (const m of ls) {
        if (l === m) continue;
        const n = ls.find((x) => x !== l && x !== m)!;
        const text = form.replace("L", l).replace("M", m).replace("N", n);
        const g = grade({ text, options });
        expect({ letter: g.letter, method: g.method }, text).toEqual({ letter: l, method: "format" });
      }
    }
  });
});

describe("a bracketed label joined to its text by a hyphen is the letter (was no commitment)", () => {
  it("'The answer is (X)-<text of X>.' after other options are discussed, for every letter", () => {
    eachLetter((v, _idx, options) => {
      const text = `${v.U} and the option ${v.M} were considered.\nThe answer is (${v.L})-${v.T}.`;
      const g = grade({ text, options });
      expect({ letter: g.letter, method: g.method }, text).toEqual({ letter: v.L, method: "statement" });
    });
  });
});

describe("readLetterToken", () => {
  it.each([
    ["B", "B", 1],
    ["b", "B", 1],
    ["H", "H", 1],
    ["(C)", "C", 3],
    ["[D]", "D", 3],
    ["( B )", "B", 5],
    ["(B )", "B", 4],
    ["(C", "C", 2],
    ["(C ", "C", 2],
    ["(C)-Diltiazem", "C", 3],
    ["[B]-Amiodarone", "B", 3],
    ["(c) pulmonary embolism", "C", 3],
    ["D.", "D", 1],
    ["d)", "D", 2],
    ["c, i. e. the last option", "C", 1],
    ["c: e.g. the last option", "C", 1],
    ["B\nThe rest", "B", 1],
    ["B ", "B", 1],
    ["B  ", "B", 1],
    ["B \nMore", "B", 1],
    ["B because it fits", "B", 1],
    ["B because... the rest", "B", 1],
    ["B because, frankly, it fits", "B", 1],
    ["C over D", "C", 1],
    ["B or C", "B", 1],
    ["B  (Metoprolol)", "B", 1],
    ["B - Metoprolol", "B", 1],
    ["A Aortic dissection", "A", 1],
    ["B  Metoprolol", "B", 1],
  ] as const)("%j → %s ending at %i", (s, l, end) => {
    expect(readLetterToken(s)).toEqual({ letter: l, end, queried: false });
  });

  it.each([
    "I",
    "I think so",
    "Dexamethasone",
    "D-dimer",
    "B-12",
    "(a)symptomatic",
    "(A 45-year-old woman)",
    "(A Classic Presentation)",
    "(B-12 deficiency)",
    "e.g., a statin",
    "e.g. a statin",
    "e. g. a statin",
    "a.m.",
    "a. m. dosing",
    "C.diff",
    "B cells",
    "B cells (CD19+)",
    "B+ cells",
    "a beta blocker",
    "A 45-year-old man",
    "a brand new murmur",
    "a normal chest X-ray",
    "a pH of 7.2",
    "1) Beta blocker",
    "2. C",
    "",
  ])("%j is not a standalone letter", (s) => {
    expect(readLetterToken(s)).toBeNull();
  });

  it.each([
    ["B?", true],
    ["(B)?", true],
    ["B ?", true],
    ["B)?", true],
    ['B"?', true],
    ["B because what else?", false],
    ["B, since the question asks which?", false],
  ] as const)("%j queried: %s", (s, queried) => {
    expect(readLetterToken(s)).toEqual({ letter: "B", end: s.startsWith("B)") ? 2 : s.startsWith("(") ? 3 : 1, queried });
  });
});
