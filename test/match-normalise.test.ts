// Edges of the matcher's lexical rules (src/scoring/match.ts) on real diagnosis phrasings: where a rule must stop
// (end of a word, whole words only, the right neighbour), each case with the reason it must hold. Complements
// test/match-rules.test.ts (one test per rule) and the labelled pairs in test/fixtures/match/pairs.json.
import { describe, expect, it } from "vitest";
import { contentTokens, matches, normalise, phraseIn, tokens } from "../src/scoring/match.js";

describe("spelling and plural rules act on the end of a word only", () => {
  it.each([
    ["Risk assessment", "risk assessment", "-sses/-xes plurals lose -es only at the end: assessment is no plural"],
    ["Possessive behaviour", "possessive behavior", "the same, inside a word"],
    ["Pain during intercourse", "pain during intercourse", "-our- → -or- needs -our at the end or before al/ed/ing/ite/able/s at the end"],
    ["Lower extremity swelling", "lower extremity swelling", "-tre → -ter only at the end of a word (extremity keeps its letters)"],
    ["O'Sullivan glucose challenge test", "osullivan glucose challenge test", "a possessive 's is dropped only at the end of a word"],
  ])("%j → %j (%s)", (text, want) => {
    expect(normalise(text)).toBe(want);
  });

  it.each([
    ["Muscle fibres", "muscle fiber"],
    ["Two litres of saline", "two liter of saline"],
    ["Poison control centres", "poison control center"],
    ["Tumours", "tumor"],
  ])("a British plural folds like its singular: %j → %j", (text, want) => {
    expect(normalise(text)).toBe(want);
  });

  it("British plural -tres/-bres match American singular and plural (was a bug: fibres stayed fibre)", () => {
    expect(matches("Muscle fiber necrosis", "Necrosis of muscle fibres")).toBe(true);
    expect(matches("Type 1 muscle fibers", "Type I muscle fibres")).toBe(true);
    expect(phraseIn("Muscle fibers", "Biopsy shows atrophic muscle fibres.")).toBe(true);
  });
});

describe("accents fold in every text", () => {
  it("a text with no ASCII letter at all is folded too (a reply in Greek)", () => {
    expect(matches("Σαρκοείδωση", "σαρκοειδωση")).toBe(true);
    expect(normalise("Σαρκοείδωση")).toBe("σαρκοειδωση");
  });
});

describe("counting words glued to a number", () => {
  it("Trisomy21 / Trisomy13 split into the counting word and the whole number", () => {
    expect(matches("Down syndrome", "Trisomy21")).toBe(true);
    expect(matches("Patau syndrome", "Trisomy13")).toBe(true);
    expect(matches("Patau syndrome", "Trisomy18")).toBe(false);
  });
  it.each([
    ["HCV genotype1", "hcv genotype1", "genotype1 is not 'type 1': the counting word must start the word"],
    ["type2diabetes", "type2diabetes", "a run-together word is never cut to 'type 2'"],
  ])("%j → %j (%s)", (text, want) => {
    expect(normalise(text)).toBe(want);
  });
});

describe("numerals and ordinals: whole words only", () => {
  it("a word after a counting word is a Roman numeral only if all of it is one", () => {
    // "nerve injury": injury starts with i; "stage HIV": hiv ends with iv. Neither is a numeral.
    expect(matches("Ulnar nerve injury", "Injury to the ulnar nerve at the elbow")).toBe(true);
    expect(matches("HIV infection", "Late-stage HIV infection")).toBe(true);
    expect(normalise("Cranial nerve involvement")).toBe("cranial nerve involvement");
    expect(matches("Cranial nerve VI palsy", "Cranial nerve 6 palsy")).toBe(true);
  });
  it("an ordinal suffix makes a number only when it ends the word (2/3rds is a fraction)", () => {
    expect(normalise("Stenosis of 2/3rds of the lumen")).toBe("stenosis of 2 3rds of lumen");
    expect(normalise("3rd degree burn")).toBe("3 degree burn");
  });
  it("only first…fourth before 'degree' become digits; other words before 'degree' stay", () => {
    expect(normalise("High-degree AV block")).toBe("high degree av block");
    expect(matches("Third-degree AV block", "3rd degree AV block")).toBe(true);
  });
  it("an ordinal word closing the text is a plain word", () => {
    expect(phraseIn("Iron deficiency anemia", "Treat the iron deficiency anemia first")).toBe(true);
    expect(matches("Iron deficiency anemia", "Iron deficiency anemia, treat first")).toBe(true);
    expect(normalise("Rule out ectopic pregnancy first")).toBe("rule out ectopic pregnancy first");
  });
});

describe("tokens and content tokens", () => {
  it.each([
    ["Iron-deficiency anaemias", ["iron", "deficiency", "anemia"], ["iron", "deficiency", "anemia"]],
    ["Tetralogy of Fallot", ["tetralogy", "of", "fallot"], ["tetralogy", "fallot"]],
    ["Pneumonia due to aspiration", ["pneumonia", "due", "to", "aspiration"], ["pneumonia", "aspiration"]],
    ["Heart attack in a diabetic", ["myocardial", "infarction", "in", "diabetic"], ["myocardial", "infarction", "diabetic"]],
  ])("%j", (text, all, content) => {
    expect(tokens(text)).toEqual(all);
    expect(contentTokens(text)).toEqual(content);
  });
});
