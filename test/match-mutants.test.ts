// Negation, head and alternative edges of the matcher (src/scoring/match.ts) on differential-entry and prose
// phrasings, each pair with the reason for its verdict. Found by mutation testing: each case is one a plausible
// mistake in those rules would grade differently.
import { describe, expect, it } from "vitest";
import { matches, phraseIn } from "../src/scoring/match.js";

describe("negation cues at the edges of a text or a sentence", () => {
  it.each([
    "Sarcoidosis, tuberculin skin test negative", // "negative" without "for" closing the text: no cue
    "Sarcoidosis; the patient is otherwise symptom free", // "free" without "of"
    "Sarcoidosis, with a cough that is getting less", // "less" without "likely"/"probable"
    "Sarcoidosis; lymphoma cannot be ruled", // "ruled" without "out"
    "Sarcoidosis (biopsy-proven or not", // "not" closing the text, no post-cue word after it
  ])("the first word of a two-word cue closing the text is no cue: %j", (candidate) => {
    expect(matches("Sarcoidosis", candidate)).toBe(true);
  });

  it("a two-word cue split by a sentence break is no cue", () => {
    // "less. Likely": not "less likely"; sarcoidosis stays live.
    expect(matches("Sarcoidosis", "Sarcoidosis fits more or less. Likely to remit with steroids")).toBe(true);
    expect(matches("Sarcoidosis", "Sarcoidosis fits less. Likely to remit with steroids")).toBe(true);
    expect(matches("Sarcoidosis", "Sarcoidosis less likely; fits the biopsy")).toBe(false); // the cue in one sentence: negated
  });

  it("a post-cue's own words are negated with the term (they do not count toward the answer)", () => {
    // "probable" belongs to "tuberculosis less probable", not to sarcoidosis.
    expect(matches("Probable sarcoidosis", "Sarcoidosis; tuberculosis less probable")).toBe(false);
    expect(matches("Probable sarcoidosis", "Probable sarcoidosis; tuberculosis less probable")).toBe(true);
    expect(matches("Tuberculosis", "Sarcoidosis; tuberculosis less probable")).toBe(false);
  });

  it("a phrase followed by a negated word is still mentioned", () => {
    expect(phraseIn("Iron deficiency anemia", "Iron deficiency anemia, not thalassemia trait.")).toBe(true);
    expect(phraseIn("Thalassemia trait", "Iron deficiency anemia, not thalassemia trait.")).toBe(false);
    expect(phraseIn("Beta thalassemia", "Microcytosis: beta thalassemia, not iron deficiency")).toBe(true);
  });
});

describe("heads: 'associated with' and 'with'", () => {
  it("the answer's head stops at 'associated with', not at the 'with' after it", () => {
    // Answer head: nephrotic syndrome. Candidate head (before 'with'): nephrotic syndrome. Everything else is present.
    expect(matches("Nephrotic syndrome associated with hepatitis B", "Nephrotic syndrome with hepatitis B-associated membranous nephropathy")).toBe(true);
    expect(matches("Arthritis associated with inflammatory bowel disease", "Arthritis with IBD-associated sacroiliitis")).toBe(true);
  });
  it("what follows 'associated with' in the candidate is not its head", () => {
    expect(matches("Hepatitis B", "Nephrotic syndrome associated with hepatitis B")).toBe(false);
    expect(matches("Inflammatory bowel disease", "Arthritis associated with inflammatory bowel disease")).toBe(false);
  });
});

describe("equal canonical texts", () => {
  it("two function-word texts that normalise equal match (nothing else could decide them)", () => {
    expect(matches("Due to", "due to")).toBe(true);
    expect(matches("In and out", "in and out")).toBe(true);
    expect(matches("Due to", "Due to sepsis")).toBe(false); // no content token to look for
  });
});

describe("alternatives", () => {
  it("each alternative is judged on its own words and its own head", () => {
    expect(matches("Mitral stenosis", "Mitral regurgitation or aortic stenosis")).toBe(false);
    expect(matches("Aortic stenosis", "Mitral regurgitation or aortic stenosis")).toBe(true);
    expect(matches("Mitral regurgitation", "Mitral regurgitation or aortic stenosis")).toBe(true);
    expect(matches("Aortic stenosis", "Mitral regurgitation vs aortic stenosis versus HOCM")).toBe(true);
    expect(matches("Aortic regurgitation", "Mitral regurgitation vs aortic stenosis versus HOCM")).toBe(false);
  });
});
