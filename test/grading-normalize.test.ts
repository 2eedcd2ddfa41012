// Step 1 of grading, on its own: normalizeResponse (one canonical text for the rules) and foldText (the form option
// texts are compared in). Each row is a model-reply-like input and its canonical form, written out by hand.
import { describe, expect, it } from "vitest";
import { grade } from "../src/scoring/grading/grade.js";
import { foldText, normalizeResponse } from "../src/scoring/grading/normalize.js";

const LETTERS = ["A", "B", "C", "D", "E"] as const;

describe("normalizeResponse: invisible characters", () => {
  // Every invisible format character the grader drops, at both ends of each range.
  const invisible: Array<[string, string]> = [
    ["ZWSP", "\u200B"],
    ["ZWNJ", "\u200C"],
    ["ZWJ", "\u200D"],
    ["LRM", "\u200E"],
    ["RLM", "\u200F"],
    ["LRE", "\u202A"],
    ["RLO", "\u202E"],
    ["word joiner", "\u2060"],
    ["invisible plus", "\u2064"],
    ["BOM", "\uFEFF"],
    ["soft hyphen", "\u00AD"],
    ["Mongolian vowel separator", "\u180E"],
  ];
  it.each(invisible)("%s inside the cue and beside the letter is dropped, for every letter", (_name, c) => {
    for (const l of LETTERS) expect(normalizeResponse(`${c}Ans${c}wer:${c} ${l}${c}${c}`)).toBe(`Answer: ${l}`);
  });
});

describe("normalizeResponse: reasoning blocks", () => {
  it.each([
    ["<think>B or C?</think>The answer is C", "The answer is C"],
    ["<thinking>weighing A</thinking>\nAnswer: D", "\nAnswer: D"],
    // The last closed block decides where the answer begins.
    ["<think>A</think>draft: A<think>no, B</think>Answer: B", "Answer: B"],
    // MedGemma: <unused94> opens a thought, <unused95> closes it.
    ["<unused94>thought: likely C<unused95>Final answer: C", "Final answer: C"],
    // A block that never closes is kept whole (the rules still see its text).
    ["<think>still weighing A and B", "<think>still weighing A and B"],
    // Nothing after the last close: the markers become line breaks and the text stays.
    ["Answer: B</think>  ", "Answer: B\n "],
    ["<think>A?</think>Answer: A</think>\n", "<think>A?\nAnswer: A\n\n"],
  ])("%j → %j", (raw, want) => {
    expect(normalizeResponse(raw)).toBe(want);
  });
});

describe("normalizeResponse: chat-template control tokens become line breaks", () => {
  it.each([
    ["<|start_header_id|>assistant<|end_header_id|>\n\nAnswer: C", "\n\n\nAnswer: C"],
    ["<|start_header_id|><|end_header_id|>Answer: C", "\nAnswer: C"],
    ["Answer: C<|eot_id|>", "Answer: C\n"],
    ["Answer: C<|im_end|>", "Answer: C\n"],
    ["<start_of_turn>model\nAnswer: C<end_of_turn>", "\n\nAnswer: C\n"],
    ["<start_of_turn>user", "\n"],
    ["<start_of_turn>Answer: C", "\nAnswer: C"],
    ["<s>Answer: C</s>", "\nAnswer: C\n"],
    ["Answer: C<eos><pad><pad>", "Answer: C\n\n\n"],
    ["<bos>Answer: C<unk>", "\nAnswer: C\n"],
    ["Answer: C<eot><im_start>", "Answer: C\n\n"],
    ["<unused0>Answer: C<unused12><unused123>", "\nAnswer: C\n\n"],
    ["Answer: C<unused1234>", "Answer: C<unused1234>"],
    ["[INST] Which? [/INST] Answer: C", "\n Which? \n Answer: C"],
    // Not control tokens: left alone.
    ["Answer: C <stop>", "Answer: C <stop>"],
  ])("%j → %j", (raw, want) => {
    expect(normalizeResponse(raw)).toBe(want);
  });
});

describe("normalizeResponse: line ends, dashes, quotes, brackets, full-width forms", () => {
  it.each([
    ["Reasoning.\r\nAnswer: C\r\n", "Reasoning.\nAnswer: C\n"],
    ["Reasoning.\rAnswer: C", "Reasoning.\nAnswer: C"],
    ["D\u2010dimer and D\u2011dimer", "D-dimer and D-dimer"],
    ["A\u2014Aortic dissection", "A - Aortic dissection"],
    ["B \u2013 Acute pericarditis", "B - Acute pericarditis"],
    ["C\t\u2015\tPulmonary embolism", "C - Pulmonary embolism"],
    ["D\u2012Tension", "D - Tension"],
    ["pH \u2212 7.1", "pH - 7.1"],
    ["It\u2019s \u2018C\u2019, not \u201AB\u201B or `A`", "It's 'C', not 'B' or 'A'"],
    ["x\u2032", "x'"],
    ["\u201CAnswer\u201D: \u201EC\u201F", '"Answer": "C"'],
    ["\u3010C\u3011 \u3016D\u3017 \u3014A\u3015", "[C] [D] [A]"],
    ["\uFF21\uFF4E\uFF53\uFF57\uFF45\uFF52\uFF1A\uFF08\uFF23\uFF09", "Answer:(C)"],
  ])("%j → %j", (raw, want) => {
    expect(normalizeResponse(raw)).toBe(want);
  });
});

describe("normalizeResponse: markup is removed", () => {
  it.each([
    ["<b>Answer: C</b>", "Answer: C"],
    ['<span class="answer">Answer:</span> <strong>C</strong>', "Answer: C"],
    ["<EM>Answer</EM>: <i>C</i><u></u><mark>!</mark><p>x</p><code>C</code>", "Answer: C!xC"],
    ["Reasoning<br>Answer: C<br/>Done<br />End", "Reasoning\nAnswer: C\nDone\nEnd"],
    // Tags the grader does not know are kept.
    ["<div>Answer: C</div>", "<div>Answer: C</div>"],
    ["<bold>C</bold>", "<bold>C</bold>"],
    ["\\textbf{Answer: C}", "Answer: C"],
    ["\\text {Pulmonary embolism}", "Pulmonary embolism"],
    ["\\mathrm{D}-dimer and \\textit{B} and \\mathbf{A} and \\textsf{C} and \\textrm{D}", "D-dimer and B and A and C and D"],
    ["\\textbf{}", ""],
    ["Answer:\\(C\\)", "Answer: C "],
    ["Answer:\\[C\\]", "Answer: C "],
    ["Answer:$$C$$", "Answer: C "],
    ["**Answer:** **C**", "Answer: C"],
    ["~~B~~ C", "B C"],
    ["Answer: __C__", "Answer: C"],
    ["Answer: _C_.", "Answer: C."],
    ["__Answer__: C", "Answer: C"],
    ["use a beta_blocker", "use a beta_blocker"],
    ["# Answer\n## C", "Answer\nC"],
    ["  ###   Answer: C", "Answer: C"],
    ["####### C", "# C"],
    ["> Answer: C\n>> quoted", "Answer: C\nquoted"],
    ["Troponin > 0.04 ng/mL", "Troponin > 0.04 ng/mL"],
    ["Answer# C", "Answer# C"],
    ["- A\n  + B\n\u2022 C\n\u25AA\tD\n\u25CF  E", "A\nB\nC\nD\nE"],
    ["-C is not a bullet", "-C is not a bullet"],
    ["Answer:   C\t\t(final)", "Answer: C (final)"],
    ["Answer:\u00A0\u00A0C", "Answer: C"],
  ])("%j → %j", (raw, want) => {
    expect(normalizeResponse(raw)).toBe(want);
  });
});

describe("underscore emphasis around a letter grades like asterisk emphasis (was unparseable: `__C__` kept a `_`)", () => {
  const OPTS = { A: "Aortic dissection", B: "Acute pericarditis", C: "Pulmonary embolism", D: "Tension pneumothorax", E: "Myocardial infarction" };
  const forms = [
    (l: string) => `Answer: __${l}__`,
    (l: string) => `Answer: ___${l}___`,
    (l: string) => `__Answer: ${l}__`,
    (l: string) => `The findings fit.\n\nThe answer is __${l}__.`,
  ];
  it.each(forms.map((f, i) => [i, f] as const))("form %i: same verdict as the ** form, for every letter", (_i, f) => {
    for (const l of LETTERS) {
      const stars = grade({ text: f(l).replaceAll("_", "*"), options: OPTS });
      const unders = grade({ text: f(l), options: OPTS });
      expect(stars.letter, f(l)).toBe(l);
      expect({ letter: unders.letter, method: unders.method }, f(l)).toEqual({ letter: l, method: stars.method });
    }
  });
});

describe("foldText", () => {
  it.each([
    ["Pulmonary embolism", "pulmonary embolism"],
    ["  Aortic dissection. ", "aortic dissection"],
    ["D-dimer", "d dimer"],
    ["Anti-Xa / heparin,  IV", "anti xa heparin iv"],
    ["Crohn's disease", "crohns disease"],
    ["Crohn\u2019s disease", "crohns disease"],
    ["The liver", "liver"],
    ["An NSAID", "nsaid"],
    ["A beta blocker", "a beta blocker"],
    ["Mean arterial pressure", "mean arterial pressure"],
    ["Clear the airway", "clear the airway"],
    ["Then the", "then the"],
    ["the", "the"],
    ["Théâtre", "theatre"],
    ["Ménière disease", "meniere disease"],
    ["Ü", "u"],
    ["ÉÈ", "ee"],
    ["", ""],
  ])("%j → %j", (raw, want) => {
    expect(foldText(raw)).toBe(want);
  });

  it("accents never matter: an accented text folds like its unaccented twin", () => {
    const pairs: Array<[string, string]> = [
      ["àáâãäå", "aaaaaa"],
      ["çèéêë", "ceeee"],
      ["ìíîïñòóôõö", "iiiinooooo"],
      ["ùúûüý", "uuuuy"],
    ];
    for (const [acc, plain] of pairs) {
      expect(foldText(acc)).toBe(plain);
      expect(foldText(acc.toUpperCase())).toBe(plain);
      expect(foldText(`Syndrome de ${acc}`)).toBe(`syndrome de ${plain}`);
    }
  });
});
