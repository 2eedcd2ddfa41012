// Option texts as the grader compares them (src/scoring/grading/options.ts): which option a phrase names by its
// text (equal, begins with it, or a unique first-clause prefix of it), and the sole option a response mentions.
// Every case is checked with the option texts rotated over the letters: the verdict must follow the text.
import { describe, expect, it } from "vitest";
import { grade } from "../src/scoring/grading/grade.js";
import { indexOptions, optionAtStart, soleMentionedOption } from "../src/scoring/grading/options.js";
import { LETTERS, type Letter } from "../src/types.js";

type Options = Partial<Record<Letter, string>>;

/** Every rotation of `texts` over the letters A…, with the letter that then holds texts[want] (null stays null). */
function rotations(texts: readonly string[], want: number | null): Array<{ options: Options; letter: Letter | null }> {
  const letters = LETTERS.slice(0, texts.length);
  return letters.map((_, r) => {
    const options: Options = {};
    letters.forEach((l, i) => (options[l] = texts[(i + r) % texts.length]!));
    const letter = want === null ? null : letters.find((l) => options[l] === texts[want])!;
    return { options, letter };
  });
}

const at = (phrase: string, options: Options): Letter | null => optionAtStart(phrase, indexOptions(options));
const sole = (text: string, options: Options): Letter | null => soleMentionedOption(text, indexOptions(options))?.letter ?? null;

const CHEST = ["Aortic dissection", "Acute pericarditis", "Pulmonary embolism", "Tension pneumothorax"];
const LABS = ["Troponin I", "B-type natriuretic peptide", "D-dimer assay", "C-reactive protein"];
const STOOL = ["C. difficile toxin assay", "Stool ova and parasites", "Colonoscopy", "Abdominal CT"];
const DIABETES = ["Metformin", "Metformin and sitagliptin", "Insulin glargine", "Lifestyle modification"];
const VITAMINS = ["Vitamin B1", "Vitamin B6", "Folate", "Iron supplementation"];

describe("optionAtStart: a phrase that is, or begins with, an option's text", () => {
  it.each([
    ["the text itself", CHEST, "Pulmonary embolism", 2],
    ["any case and punctuation", CHEST, "PULMONARY EMBOLISM!", 2],
    ["the text and more words", CHEST, "Pulmonary embolism secondary to a deep vein thrombosis", 2],
    ["the text, then a reason", CHEST, "Tension pneumothorax, given the tracheal deviation", 3],
    ["a longer text that contains a shorter one", DIABETES, "Metformin and sitagliptin", 1],
    ["the shorter text, then words", DIABETES, "Metformin alone, given the HbA1c of 7.1%", 0],
    ["the shorter text", DIABETES, "Metformin", 0],
    ["a letter-prefixed text", LABS, "B-type natriuretic peptide", 1],
    ["the abbreviated text", STOOL, "C. difficile toxin assay", 0],
    // Not at a word boundary: "Vitamin B12" is not option "Vitamin B1".
    ["a text glued to more characters", VITAMINS, "Vitamin B12", null],
    ["a text glued to more words without a break", VITAMINS, "Vitamin B12 deficiency", null],
    ["a different text", CHEST, "Myocardial infarction", null],
    ["nothing", CHEST, "", null],
    ["only punctuation", CHEST, "—", null],
  ] as const)("%s", (_name, texts, phrase, want) => {
    for (const { options, letter } of rotations(texts, want)) expect(at(phrase, options), JSON.stringify(options)).toBe(letter);
  });

  it("two options with the same text (a data quirk) name no single option", () => {
    for (const { options } of rotations(["Observation", "Observation", "Surgery", "Radiation therapy"], null)) {
      expect(at("Observation", options)).toBeNull();
      expect(at("Observation and reassurance", options)).toBeNull();
      expect(at("Surgery", options)).not.toBeNull();
    }
  });
});

describe("optionAtStart: a first clause that begins exactly one option's text", () => {
  const breaks = [".", ";", "!", "?", ",", " (", "\n", " because", " since", " as", " which", " given", " due", " and", " or", " but"];
  it.each(breaks.map((b) => [JSON.stringify(b), b] as const))("the clause ends at %s", (_n, b) => {
    for (const { options, letter } of rotations(LABS, 2)) expect(at(`D-dimer${b} the pretest probability is low`, options)).toBe(letter);
  });

  it("without a clause break the whole phrase must begin the text", () => {
    for (const { options } of rotations(LABS, null)) {
      expect(at("D-dimer testing is next", options)).toBeNull();
      expect(at("D-dimer because of the low pretest probability", options)).not.toBeNull();
    }
  });

  it("a clause of four characters or more may stand for the option, a shorter one may not", () => {
    const texts = ["Iron supplementation", "ACE inhibitor therapy", "Observation", "Colonoscopy"];
    for (const { options, letter } of rotations(texts, 0)) {
      expect(at("Iron, since ferritin is low", options)).toBe(letter);
      expect(at("Iron", options)).toBe(letter);
      expect(at("ACE, since the proteinuria", options)).toBeNull();
      expect(at("Obs", options)).toBeNull();
    }
  });

  it("a clause that begins two options' texts names neither", () => {
    const texts = ["Iron supplementation", "Iron chelation", "Observation", "Colonoscopy"];
    for (const { options } of rotations(texts, null)) {
      expect(at("Iron, since ferritin is low", options)).toBeNull();
      expect(at("Observation", options)).not.toBeNull();
    }
  });

  it("a clause must end at a word of the text ('Colon' is not a clause of 'Colonoscopy')", () => {
    for (const { options } of rotations(STOOL, null)) {
      expect(at("Colon, because of the bleeding", options)).toBeNull();
      expect(at("Stool, because of the travel", options)).not.toBeNull();
    }
  });

  it("'C. difficile': a period after a lone letter is an abbreviation, not a clause end", () => {
    for (const { options, letter } of rotations(STOOL, 0)) {
      expect(at("C. difficile toxin", options)).toBe(letter);
      expect(at("C. difficile toxin, then colonoscopy if negative", options)).toBe(letter);
      expect(at("C. difficile toxin because of the clindamycin", options)).toBe(letter);
      expect(at("C. diff", options)).toBeNull();
    }
  });

  it("a period after a word is a sentence end", () => {
    const texts = ["Iron supplementation", "Blood transfusion", "Observation", "Colonoscopy"];
    for (const { options, letter } of rotations(texts, 0)) expect(at("Iron. It replenishes the stores", options)).toBe(letter);
  });

  it("through grade(): an answer line with the abbreviated text is the option, not the letter C", () => {
    for (const { options, letter } of rotations(STOOL, 0)) {
      expect(grade({ text: "Answer: C. difficile toxin", options, finishReason: "stop" })).toMatchObject({ letter, method: "option_text" });
    }
  });
});

describe("indexOptions", () => {
  it("keeps the case's letters in order and leaves out options with unknown (empty) text", () => {
    const idx = indexOptions({ A: "Aortic dissection", B: "", C: "Pulmonary embolism", D: "" });
    expect(idx.letters).toEqual(["A", "B", "C", "D"]);
    expect(idx.folded.map((o) => o.letter).sort()).toEqual(["A", "C"]);
    expect(indexOptions({ A: "x", B: "y", C: "z", D: "w", E: "v" }).letters).toEqual(["A", "B", "C", "D", "E"]);
  });

  it("with every text unknown, a final 'B) …' line is still the letter B; with texts known it must restate B's", () => {
    for (const l of ["A", "B", "C", "D"] as const) {
      const unknown = { A: "", B: "", C: "", D: "" };
      expect(grade({ text: `The findings are classic.\n\n${l}) Acute pericarditis`, options: unknown, finishReason: "stop" }), l).toMatchObject({ letter: l, method: "statement" });
      expect(grade({ text: `Answer: ${l}`, options: unknown, finishReason: "stop" }).letter).toBe(l);
      expect(grade({ text: "Answer: E", options: unknown, finishReason: "stop" })).toMatchObject({ letter: null, reason: "out_of_range" });
    }
  });

  it("the same options object graded twice gives the same verdicts", () => {
    const options = { A: "Aortic dissection", B: "Acute pericarditis", C: "Pulmonary embolism", D: "Tension pneumothorax" };
    const a = grade({ text: "The answer is pulmonary embolism.", options });
    expect(grade({ text: "The answer is pulmonary embolism.", options })).toEqual(a);
    expect(grade({ text: "Answer: acute pericarditis", options })).toMatchObject({ letter: "B", method: "option_text" });
  });
});

describe("soleMentionedOption: the one option a response commits to by text", () => {
  it.each([
    ["a bare text", CHEST, "Pulmonary embolism.", 2],
    ["a sentence ending in the text", CHEST, "The findings point to pulmonary embolism", 2],
    ["reasoning, then the text on the last line", CHEST, "Hypoxia with a clear chest film after a long flight.\n\nPulmonary embolism", 2],
    ["a last line of markup only is not the last line", CHEST, "Hypoxia after a long flight.\nPulmonary embolism\n---", 2],
    ["another option set aside with 'not'", CHEST, "Pulmonary embolism, not aortic dissection.", 2],
    ["another option set aside before", CHEST, "Rather than aortic dissection, this is pulmonary embolism.", 2],
    ["another option ruled out after", CHEST, "Aortic dissection is unlikely with equal pulses; pulmonary embolism fits.", 2],
    // "is not" negates the mention it follows, not one further back.
    ["a negation after the next mention", CHEST, "Pulmonary embolism; aortic dissection is not likely.", 2],
    ["the same option mentioned twice", CHEST, "Pulmonary embolism is classic here.\nPulmonary embolism.", 2],
    // The longer text claims its words: "anemia" inside "iron deficiency anemia" is no mention of "Anemia".
    ["a shorter text inside a longer one", ["Anemia", "Iron deficiency anemia", "Thalassemia minor", "Lead poisoning"], "The low ferritin confirms iron deficiency anemia.", 1],
    ["the longer of two nested texts", DIABETES, "Start metformin and sitagliptin", 1],
    ["the mention is not on the last line", CHEST, "Pulmonary embolism fits.\nFurther imaging is needed.", null],
    ["two options mentioned", CHEST, "Pulmonary embolism or aortic dissection.", null],
    ["two options, both in the last line", CHEST, "Aortic dissection and pulmonary embolism both fit", null],
    ["a glued word is no mention", VITAMINS, "Vitamin B12", null],
    ["no option mentioned", CHEST, "More information is needed.", null],
    ["no ASCII letter at all", CHEST, "答え", null],
  ] as const)("%s", (_name, texts, text, want) => {
    for (const { options, letter } of rotations(texts, want)) expect(sole(text, options), `${text} ${JSON.stringify(options)}`).toBe(letter);
  });

  it("returns the option's folded text with the letter", () => {
    for (const { options, letter } of rotations(CHEST, 2)) {
      expect(soleMentionedOption("Pulmonary Embolism.", indexOptions(options))).toEqual({ letter, text: "pulmonary embolism" });
    }
  });

  const before = ["not", "no", "nor", "neither", "unlikely", "exclude", "excludes", "excluded", "excluding", "rule out", "rules out", "ruled out", "against", "without", "than", "versus", "vs", "incorrect", "wrong", "instead of", "rather than", "less likely"];
  it.each(before)("'%s' before a mention sets it aside", (w) => {
    for (const { options, letter } of rotations(CHEST, 0)) {
      expect(sole(`${w} pulmonary embolism given the normal saturation; the answer is aortic dissection`, options), w).toBe(letter);
      // Only the negated option mentioned: no commitment.
      expect(sole(`Findings: ${w} pulmonary embolism`, options), w).toBeNull();
    }
  });

  it("a negation reaches across at most two words", () => {
    for (const { options, letter } of rotations(CHEST, 2)) {
      expect(sole("not a massive pulmonary embolism", options)).toBeNull();
      expect(sole("not at all a massive pulmonary embolism", options)).toBe(letter);
      // A negation 40+ characters back does not reach the mention.
      expect(sole("Not the right ventricle strain pattern either way, pulmonary embolism", options)).toBe(letter);
    }
  });

  const after = ["is not", "are not", "was unlikely", "would be less likely", "seems incorrect", "is wrong", "is excluded", "is ruled out"];
  it.each(after)("'%s' after a mention sets it aside", (w) => {
    for (const { options, letter } of rotations(CHEST, 2)) {
      expect(sole(`Aortic dissection ${w} given the equal pulses; the answer is pulmonary embolism`, options), w).toBe(letter);
      expect(sole(`Aortic dissection ${w} here`, options), w).toBeNull();
    }
  });

  it("an option both chosen and set aside is no commitment", () => {
    for (const { options } of rotations(CHEST, null)) {
      expect(sole("Pulmonary embolism would be less likely with a normal gradient, but here pulmonary embolism fits.", options)).toBeNull();
      expect(sole("Pulmonary embolism fits, though it is not pulmonary embolism without hypoxia.", options)).toBeNull();
    }
  });

  it("through grade(): a sole mention is option_text with rule option_mention and the folded text", () => {
    for (const { options, letter } of rotations(CHEST, 2)) {
      expect(grade({ text: "Pulmonary Embolism.", options, finishReason: "stop" })).toEqual({ letter, method: "option_text", reason: null, rule: "option_mention", matched: "pulmonary embolism" });
    }
  });
});
