// Rule-by-rule tests of the matcher (src/scoring/match.ts): every negation cue, scope end, copula, connective,
// alternative word, counting word, numeral, spelling and plural rule is exercised on its own, so a change to any
// one of them fails a test (the labelled table in test/scoring.test.ts checks the rules together).
import { describe, expect, it } from "vitest";
import { analyse, buildSynonyms, matches, negated, normalise, phraseIn, singular } from "../src/scoring/match.js";

describe("negation cues", () => {
  const pre = ["not", "no", "without", "never", "neither", "nor", "denies", "denied", "ruled out", "negative for", "absence of", "free of", "unlikely", "less likely", "inconsistent with", "argues against", "evidence against", "rather than", "instead of", "excluded"];
  it.each(pre)("pre-cue %j negates what follows", (cue) => {
    expect(matches("Sarcoidosis", `${cue} sarcoidosis`)).toBe(false);
    expect(phraseIn("Sarcoidosis", `Findings: ${cue} sarcoidosis.`)).toBe(false);
    expect(matches("Sarcoidosis", `sarcoidosis; ${cue} lymphoma`)).toBe(true); // the cue's own sentence only
  });
  const post = ["unlikely", "less likely", "not likely", "ruled out", "excluded", "absent", "improbable", "doubtful", "not supported", "not favored", "not present", "not seen", "not found", "not suspected", "less probable", "not consistent"];
  it.each(post)("post-cue %j negates what precedes", (cue) => {
    expect(matches("Sarcoidosis", `Sarcoidosis ${cue}`)).toBe(false);
    expect(matches("Sarcoidosis", `Sarcoidosis, ${cue}`)).toBe(false);
    expect(phraseIn("Sarcoidosis", `Sarcoidosis ${cue}.`)).toBe(false);
    expect(matches("Sarcoidosis", `Sarcoidosis. Lymphoma ${cue}`)).toBe(true); // not across a sentence
    expect(matches("Sarcoidosis", `Sarcoidosis, lymphoma, tuberculosis ${cue}`)).toBe(true); // not two parts back
  });
  it.each(["but", "however", "although", "though", "whereas", "yet", "except", "while"])("%j ends a negation's scope both ways", (w) => {
    expect(matches("Sarcoidosis", `No fever ${w} sarcoidosis`)).toBe(true);
    expect(matches("Sarcoidosis", `Sarcoidosis ${w} lymphoma unlikely`)).toBe(true);
  });
  it.each(["is", "are", "was", "were", "be", "been", "being", "seems", "appears", "very", "highly", "much", "now", "also", "considered", "felt", "thought"])(
    "copula %j between a comma and a post-cue still reaches back one part",
    (w) => {
      expect(matches("Sarcoidosis", `Sarcoidosis, ${w} unlikely`)).toBe(false);
    },
  );
  it("a post-cue inside a part does not reach the part before", () => {
    expect(matches("Sarcoidosis", "Sarcoidosis, lymphoma unlikely")).toBe(true);
    expect(matches("Lymphoma", "Sarcoidosis, lymphoma unlikely")).toBe(false);
  });
  it("brackets do not cut a post-cue's reach", () => {
    expect(matches("Sarcoidosis", "Sarcoidosis (sarcoid) is unlikely")).toBe(false);
  });
  it("a cue made of the answer's own words is part of its name", () => {
    expect(matches("Absence of the vas deferens", "Bilateral absence of the vas deferens")).toBe(true);
    expect(matches("Vas deferens anomaly", "Absence of vas deferens anomaly")).toBe(false);
    expect(matches("No treatment needed", "No treatment needed")).toBe(true);
    const toks = analyse("no evidence of disease");
    expect(negated(toks)).toEqual([true, true, true, true]);
    expect(negated(toks, new Set(["no"]))).toEqual([false, false, false, false]);
    expect(negated(analyse("disease ruled out"))).toEqual([true, true, true]);
  });
});

describe("connectives: the head is what comes before them", () => {
  const conns = ["secondary to", "due to", "caused by", "associated with", "complicated by", "with", "following", "after", "in the setting of", "induced by", "leading to", "resulting in", "causing", "presenting as", "mimicking"];
  it.each(conns)("%j", (c) => {
    expect(matches("Contrast nephropathy", `Acute tubular necrosis ${c} contrast nephropathy`)).toBe(false);
    expect(matches("Acute tubular necrosis", `Acute tubular necrosis ${c} contrast nephropathy`)).toBe(true);
  });
  it("the answer's own connective: its head must be the candidate's head", () => {
    expect(matches("Pneumonia with effusion", "Lobar pneumonia with parapneumonic effusion")).toBe(true);
    expect(matches("Pneumonia with effusion", "Effusion with pneumonia")).toBe(false);
  });
  it.each(["or", "vs", "versus"])("%j splits alternatives", (alt) => {
    expect(matches("Mitral regurgitation", `Aortic regurgitation ${alt} mitral stenosis`)).toBe(false);
    expect(matches("Mitral stenosis", `Aortic regurgitation ${alt} mitral stenosis`)).toBe(true);
  });
  it("an answer that itself names alternatives is matched against the whole candidate", () => {
    expect(matches("Hemolytic uremic syndrome or thrombotic thrombocytopenic purpura", "Thrombotic thrombocytopenic purpura or hemolytic uremic syndrome")).toBe(true);
  });
  it("equal canonical texts match even without content tokens", () => {
    expect(matches("and", "And")).toBe(true);
    expect(matches("and", "and or")).toBe(false);
    expect(phraseIn("of the", "of the")).toBe(false);
  });
});

describe("numbers", () => {
  const counting = ["type", "stage", "grade", "class", "factor", "phase", "nerve", "cn", "mobitz", "collagen", "complex", "zone", "level", "schedule", "men", "degree"];
  it.each(counting)("Roman numerals after %j become digits", (w) => {
    expect(normalise(`${w} II`)).toBe(`${w} 2`);
  });
  it("Roman numerals elsewhere stay letters (IV fluids, vitamin C)", () => {
    expect(normalise("IV fluids")).toBe("iv fluid");
    expect(normalise("vitamin C")).toBe("vitamin c");
    expect(normalise("type, II")).toBe("type ii"); // not across a comma
  });
  it.each([["i", "1"], ["ii", "2"], ["iii", "3"], ["iv", "4"], ["v", "5"], ["vi", "6"], ["vii", "7"], ["viii", "8"], ["ix", "9"], ["x", "10"], ["xi", "11"], ["xii", "12"], ["iia", "2a"], ["xa", "10a"], ["ib", "1b"]])("type %s → type %s", (r, d) => {
    expect(normalise(`type ${r}`)).toBe(`type ${d}`);
  });
  it("xiii and iiii are not numerals", () => {
    expect(normalise("type xiii")).toBe("type xiii");
    expect(normalise("type iiii")).toBe("type iiii");
  });
  it.each(["type", "stage", "grade", "class", "trisomy", "factor", "phase"])("%s2 splits into a word and a number", (w) => {
    expect(normalise(`${w}2`)).toBe(`${w} 2`);
  });
  it.each([["1st", "1"], ["2nd", "2"], ["3rd", "3"], ["4th", "4"], ["21st", "21"]])("ordinal %s → %s", (o, d) => {
    expect(normalise(o)).toBe(d);
  });
  it.each([["first", "1"], ["second", "2"], ["third", "3"], ["fourth", "4"]])("%s degree → %s degree", (w, d) => {
    expect(normalise(`${w} degree`)).toBe(`${d} degree`);
    expect(normalise(`${w} line`)).toBe(`${w} line`);
  });
  it("decimals stay whole and do not end a clause", () => {
    expect(analyse("2.5 cm").map((t) => [t.t, t.clause])).toEqual([["2.5", 0], ["cm", 0]]);
    expect(normalise("1,000 cells")).toBe("1,000 cell");
  });
});

describe("spelling and plurals", () => {
  it.each([
    ["anaemia", "anemia"], ["oedema", "edema"], ["sulphate", "sulfate"], ["tumour", "tumor"], ["behavioural", "behavioral"],
    ["favoured", "favored"], ["colouring", "coloring"], ["favourite", "favorite"], ["favourable", "favorable"], ["tumours", "tumor"],
    ["fibre", "fiber"], ["litre", "liter"], ["four", "four"], ["hour", "hour"], ["toe", "toe"], ["centre", "center"], ["genre", "genre"],
    ["flourish", "flourish"],
  ])("%s → %s", (w, want) => {
    expect(normalise(w)).toBe(want);
  });
  it.each([
    ["gas", "gas"], ["bus", "bus"], ["ties", "tie"], ["flies", "fly"], ["doses", "dose"], ["hoses", "hose"], ["stenoses", "stenosis"],
    ["bushes", "bush"], ["patches", "patch"], ["branches", "branch"], ["arches", "arch"], ["pouches", "pouch"], ["boxes", "box"],
    ["masses", "mass"], ["status", "status"], ["axis", "axis"], ["kidneys", "kidney"], ["b12s", "b12s"], ["cells", "cell"], ["mass", "mass"],
  ])("singular(%s) = %s", (w, want) => {
    expect(singular(w)).toBe(want);
  });
});

describe("articles and letters", () => {
  it.each([
    ["A", "a"],
    ["A ruptured spleen", "ruptured spleen"],
    ["Ruptured spleen. A second finding", "ruptured spleen second finding"],
    ["Hepatitis A", "hepatitis a"],
    ["A. fumigatus infection", "a fumigatus infection"],
    ["hepatitis a", "hepatitis a"],
    ["a hepatitis", "hepatitis"],
    ["hepatitis (a)", "hepatitis"],
    ["virus a, b", "virus a b"],
    ["an ulcer the stomach", "ulcer stomach"],
  ])("%j → %j", (text, want) => {
    expect(normalise(text)).toBe(want);
  });
  it("an abbreviated genus does not end the sentence; a capital after the dot does", () => {
    expect(analyse("C. difficile").map((t) => t.sent)).toEqual([0, 0]);
    expect(analyse("Type C. Difficult case").map((t) => t.sent)).toEqual([0, 0, 1, 1]);
  });
  it("non fuses only within a clause", () => {
    expect(normalise("non-Hodgkin")).toBe("nonhodgkin");
    expect(normalise("non, Hodgkin")).toBe("non hodgkin");
    expect(normalise("non")).toBe("non");
  });
});

describe("synonym table mechanics", () => {
  it("a variant never spans a clause break", () => {
    expect(normalise("heart attack")).toBe("myocardial infarction");
    expect(normalise("heart, attack")).toBe("heart attack");
  });
  it("a variant that normalises to nothing is ignored", () => {
    const t = buildSynonyms([{ canonical: "x", variants: ["the", "y"] }]);
    expect([...t.byFirst.keys()].sort()).toEqual(["x", "y"]);
  });
  it("a variant longer than the rest of the text is skipped", () => {
    expect(normalise("deep vein")).toBe("deep vein");
  });
});

describe("phrases", () => {
  it("an answer spanning clauses only needs to be contiguous", () => {
    expect(phraseIn("Principal cells; aldosterone", "Affects principal cells, aldosterone acts there")).toBe(true);
    expect(phraseIn("Principal cells", "principal. cells")).toBe(false);
  });
  it("a repeated first word is searched past", () => {
    expect(phraseIn("Iron deficiency anemia", "Iron overload is unlikely; iron deficiency anemia is likely")).toBe(true);
    expect(phraseIn("Iron deficiency anemia", "Iron deficiency")).toBe(false);
  });
  it("one negated token of the phrase is enough to reject it", () => {
    expect(phraseIn("Deficiency anemia", "deficiency anemia excluded")).toBe(false);
  });
});

describe("function words are not content", () => {
  it.each(["of", "and", "or", "in", "with", "to", "for", "by", "on", "at", "from", "due", "its", "is", "as"])("%j", (w) => {
    expect(matches(`Alpha ${w} beta`, "alpha beta gamma")).toBe(true);
  });
});

describe("separators: clause, part (comma level) and sentence", () => {
  // [separator, clause break, part break, sentence break]
  const table: Array<[string, boolean, boolean, boolean]> = [
    [" ", false, false, false], ["-", false, false, false], ["/", false, false, false],
    [". ", true, true, true], ["; ", true, true, true], [": ", true, true, true], ["! ", true, true, true], ["? ", true, true, true], ["\n", true, true, true],
    [", ", true, true, false], [" (", true, false, false], [") ", true, false, false], [" [", true, false, false], ["] ", true, false, false],
    [" {", true, false, false], ["} ", true, false, false], [' "', true, false, false], [" “", true, false, false], ["” ", true, false, false],
    [" - ", true, true, false], [" -- ", true, true, false], [" – ", true, true, false], ["—", true, true, false], ["–", true, true, false],
  ];
  it.each(table)("%j", (sep, clause, part, sent) => {
    const [a, b] = analyse(`alpha${sep}beta`);
    expect(a!.t).toBe("alpha");
    expect(b!.t).toBe("beta");
    expect([b!.clause - a!.clause, b!.part - a!.part, b!.sent - a!.sent]).toEqual([Number(clause), Number(part), Number(sent)]);
  });
  it("an abbreviated genus with no space, and a two-letter word before a dot", () => {
    expect(analyse("C.difficile").map((t) => t.sent)).toEqual([0, 0]);
    expect(analyse("Dr. smith").map((t) => t.sent)).toEqual([0, 1]);
    expect(analyse("C. . difficile").map((t) => t.sent)).toEqual([0, 1]);
  });
  it("a multi-word cue split by a sentence break is no cue", () => {
    expect(matches("Sarcoidosis", "Ruled. Out sarcoidosis")).toBe(true);
  });
});

describe("apostrophes", () => {
  it.each([["Crohn’s disease", "crohn disease"], ["Crohn‘s disease", "crohn disease"], ["Crohn`s disease", "crohn disease"], ["O'Brien syndrome", "obrien syndrome"], ["patients’ records", "patient record"]])(
    "%j → %j",
    (text, want) => {
      expect(normalise(text)).toBe(want);
    },
  );
});

describe("length thresholds of the spelling and plural rules", () => {
  it.each([["shoe", "she"], ["aes", "aes"], ["cats", "cat"], ["mitoses", "mitosis"], ["hoses", "hose"], ["dies", "die"]])("%s → %s", (w, want) => {
    expect(normalise(w)).toBe(want);
  });
});
