import { describe, expect, it } from "vitest";
import { scoreDiagnostic, stringLeaves } from "../src/scoring/diagnostic.js";
import { readFileSync } from "node:fs";
import { buildSynonyms, contentTokens, tokens, loadSynonymGroups, matches, normalise, phraseIn, singular } from "../src/scoring/match.js";
import { QUESTION_TYPES, questionType, type QuestionType } from "../src/scoring/question-type.js";
import { usmleStep } from "../src/scoring/strata.js";
import type { CaseRecord, StepRecord } from "../src/types.js";
import { scale } from "./helpers/mutation.js";
import { MEDQA_TEST } from "./helpers/shared.js";

describe("normalise", () => {
  it.each([
    ["Guillain-Barré  Syndrome.", "guillain barre syndrome"],
    ["The Crohn's disease", "crohn disease"],
    ["An abdominal aortic aneurysm", "abdominal aortic aneurysm"],
    ["A ruptured spleen", "ruptured spleen"],
    ["Hepatitis A", "hepatitis a"],
    ["Vitamin A deficiency", "vitamin a deficiency"],
    ["a", "a"],
    ["Type-II (hypersensitivity)", "type 2 hypersensitivity"],
    ["Non-Hodgkin lymphomas", "nonhodgkin lymphoma"],
    ["Oedema of the oesophagus", "edema of esophagus"],
    ["A 2.5 cm mass. Next", "2.5 cm mass next"],
    ["Factor Xa inhibitors", "factor 10a inhibitor"],
    ["IV fluids", "iv fluid"],
    ["3rd cranial nerve palsy", "3 cranial nerve palsy"],
    ["Tumour", "tumor"],
    ["  ", ""],
  ])("%j → %j", (input, want) => {
    expect(normalise(input)).toBe(want);
  });
});

describe("singular", () => {
  it.each([
    ["stones", "stone"], ["bodies", "body"], ["abscesses", "abscess"], ["stenoses", "stenosis"], ["virus", "virus"],
    ["arteritis", "arteritis"], ["mass", "mass"], ["branches", "branch"], ["headaches", "headache"], ["gas", "gas"],
    ["b12s", "b12s"], ["diseases", "disease"], ["boxes", "box"],
  ])("%s → %s", (w, want) => {
    expect(singular(w)).toBe(want);
  });
});

interface PairRow { answer: string; candidate: string; kind: "match" | "mention"; verdict: boolean; why: string }
const PAIRS = (JSON.parse(readFileSync(new URL("./fixtures/match/pairs.json", import.meta.url), "utf8")) as { rows: PairRow[] }).rows;

describe("labelled matcher table (test/fixtures/match/pairs.json)", () => {
  it("has at least 80 labelled rows, each with a reason, covering both kinds and both verdicts", () => {
    expect(PAIRS.length).toBeGreaterThanOrEqual(80);
    for (const r of PAIRS) expect(r.why.length).toBeGreaterThan(3);
    for (const kind of ["match", "mention"]) for (const v of [true, false]) expect(PAIRS.some((r) => r.kind === kind && r.verdict === v)).toBe(true);
  });
  it.each(PAIRS.map((r) => [r.kind, r.answer, r.candidate, r.verdict, r.why] as const))("%s(%j, %j) → %s (%s)", (kind, answer, candidate, verdict) => {
    expect(kind === "match" ? matches(answer, candidate) : phraseIn(answer, candidate)).toBe(verdict);
  });
});

describe("synonym table (src/scoring/synonyms.json)", () => {
  const groups = loadSynonymGroups();
  it("has at least 40 groups, including the abbreviations named in the issue", () => {
    expect(groups.length).toBeGreaterThanOrEqual(40);
    const all = new Set(groups.flatMap((g) => g.variants.map((v) => v.toLowerCase())));
    for (const abbr of ["mi", "sle", "ards", "dvt", "pe", "copd", "chf", "b12", "cobalamin"]) expect(all.has(abbr)).toBe(true);
  });
  it("maps every variant onto its canonical form, in both directions", () => {
    for (const g of groups) {
      for (const v of g.variants) {
        expect(normalise(v), v).toBe(normalise(g.canonical));
        expect(matches(g.canonical, v), `${g.canonical} ← ${v}`).toBe(true);
        expect(matches(v, g.canonical), `${v} ← ${g.canonical}`).toBe(true);
      }
    }
  });
  it("has no variant claimed by two groups (an ambiguous abbreviation belongs in neither)", () => {
    const seen = new Map<string, string>();
    for (const g of groups) {
      for (const v of [g.canonical, ...g.variants]) {
        const key = normalise(v);
        const other = seen.get(key);
        if (other !== undefined) expect(other, `${v} in two groups`).toBe(g.canonical);
        seen.set(key, g.canonical);
      }
    }
  });
  it("lists no variant that is a common English word (it would match prose)", () => {
    const english = ["all", "aids", "hit", "ms", "ra", "pad", "gist", "tips", "cap", "ten", "men", "it", "us"];
    for (const g of groups) for (const v of g.variants) expect(english).not.toContain(v.toLowerCase());
  });
  it("a custom table rewrites longest variants first", () => {
    const t = buildSynonyms([{ canonical: "x y", variants: ["q", "q r"] }]);
    expect(t.byFirst.get("q")!.map((e) => e.from.join(" "))).toEqual(["q r", "q"]);
  });
});

describe("one-letter tokens: the same template gives the same verdict for every letter", () => {
  const letters = ["A", "B", "C", "D", "E"];
  it.each(letters)("Hepatitis %s / Vitamin %s", (l) => {
    for (const other of letters) {
      const same = other === l;
      expect(matches(`Hepatitis ${l}`, `Acute hepatitis ${other} infection`)).toBe(same);
      expect(matches(`Vitamin ${l} deficiency`, `Vitamin ${other} deficiency`)).toBe(same);
      expect(phraseIn(`Hepatitis ${l}`, `Serology is positive for hepatitis ${other}.`)).toBe(same);
      expect(phraseIn(`Hepatitis ${l}`, `Likely hepatitis ${other.toLowerCase()}.`)).toBe(same);
      expect(phraseIn(`Vitamin ${l} deficiency`, `Findings suggest vitamin ${other} deficiency.`)).toBe(same);
    }
    // Never the article: "hepatitis, a common …" / "hepatitis a common …" mention no letter.
    expect(phraseIn(`Hepatitis ${l}`, "Viral hepatitis, a common cause of jaundice.")).toBe(false);
  });
});

describe("matcher properties over the real MedQA option texts", () => {
  const options = medqaOptions();
  const every = scale(7, 49); // ~730 texts: broad, and fast (~105 per mutant in a mutation run)
  const sample = options.filter((_, i) => i % every === 0);
  // Option texts that are one phrase (no sentence punctuation of their own), for embedding in a frame.
  // (MedQA quirk: a few options carry a stray newline and quote, e.g. `stroke\n"`.)
  const phrases = sample.filter((o) => !/[.;:!?]\s|[.;:!?]$|\n/.test(o));

  it("an option always matches itself and is always a phrase of itself", () => {
    for (const o of sample) {
      if (contentTokens(o).length === 0) continue;
      expect(matches(o, o), o).toBe(true);
      expect(phraseIn(o, o), o).toBe(true);
    }
  });
  it("a negated option never matches and is never mentioned, whatever the cue", () => {
    const frames = [(x: string) => `Not consistent with ${x}`, (x: string) => `No evidence of ${x}`, (x: string) => `${x} is unlikely`, (x: string) => `${x}, ruled out`, (x: string) => `Ruled out ${x}.`];
    for (const o of phrases) {
      if (contentTokens(o).length === 0 || /\b(not?|without|unlikely|ruled|absence|negative|excluded|free)\b/i.test(o)) continue;
      for (const f of frames) {
        expect(matches(o, f(o)), f(o)).toBe(false);
        expect(phraseIn(o, `The findings: ${f(o)}.`), f(o)).toBe(false);
      }
    }
  });
  it("an option embedded in a longer sentence is mentioned, and matched as a differential entry with a complication", () => {
    for (const o of phrases) {
      if (contentTokens(o).length === 0) continue;
      expect(phraseIn(o, `Overall, the picture fits ${o} best.`), o).toBe(true);
      expect(matches(o, `${o} with complications`), o).toBe(true);
    }
  });
  it("a non- prefixed single-word option never matches the option", () => {
    for (const o of sample.filter((x) => /^[A-Za-z]{4,}$/.test(x) && !/^non/i.test(x))) {
      expect(matches(o, `Non-${o.toLowerCase()}`), o).toBe(false);
      expect(matches(o, `non ${o.toLowerCase()}`), o).toBe(false);
    }
  });
  it("an option never matches a candidate made of a strict subset of its content tokens", () => {
    for (const o of sample) {
      const c = [...new Set(contentTokens(o))];
      if (c.length < 2) continue;
      const cand = contentTokens(o).filter((t) => t !== c[0]).join(" ");
      if (tokens(cand).includes(c[0]!)) continue;
      expect(matches(o, cand), `${o} vs ${cand}`).toBe(false);
    }
  });
});

function medqaOptions(): string[] {
  const text = readFileSync(MEDQA_TEST, "utf8");
  const out: string[] = [];
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    const o = JSON.parse(line) as { options: Record<string, string> };
    out.push(...Object.values(o.options).map((x) => x.trim()));
  }
  return out;
}

function step(output: unknown, status: StepRecord["status"] = "ok"): StepRecord {
  return { status, latency_ms: 1, cold_ms: 0, prompt_tokens: 1, completion_tokens: 1, finish_reason: "stop", calls: 1, attempts: 1, parse: "ok", output };
}
function rec(correct_text: string, steps: CaseRecord["steps"]): CaseRecord {
  return {
    v: 1, case_id: "c", content_hash: "h", arm: "pipeline", outcome: "correct", answer: "A", correct_answer: "A",
    correct_text, stem: "Which of the following is the most likely diagnosis?", latency_ms: 1, wall_ms: 1, cold_ms: 0,
    tokens: { prompt: 1, completion: 1 }, calls: 1, attempts: 1, steps, started_at: "", finished_at: "",
  };
}
const dx = (...names: string[]) => names.map((diagnosis) => ({ diagnosis, likelihood: "high" }));

describe("scoreDiagnostic", () => {
  it.each([
    ["top-1", rec("Sarcoidosis", { synthesize: step({ differential: dx("Sarcoidosis", "Lymphoma") }) }), [true, true, true, true]],
    ["top-3 only", rec("Sarcoidosis", { synthesize: step({ differential: dx("Lymphoma", "TB", "Sarcoidosis") }) }), [true, false, true, true]],
    ["4th of differential → mentioned", rec("Sarcoidosis", { synthesize: step({ differential: dx("A1", "B2", "C3", "Sarcoidosis") }) }), [true, false, false, true]],
    [
      "only in prose: mentioned, never top-1",
      rec("Iron deficiency anemia", {
        synthesize: step({ differential: dx("Anemia of chronic disease"), next_steps: ["Rule out iron deficiency anemia"] }),
      }),
      [true, false, false, true],
    ],
    [
      "answer not fully in candidate",
      rec("Iron deficiency anemia", { synthesize: step({ differential: dx("Anemia"), patient_summary: "anemia" }) }),
      [true, false, false, false],
    ],
    ["reason step's differential is ignored", rec("Sarcoidosis", { reason: step({ differential: dx("Sarcoidosis") }) }), [false, false, false, false]],
    ["failed synthesize = no report", rec("Sarcoidosis", { synthesize: step({ differential: dx("Sarcoidosis") }, "failed") }), [false, false, false, false]],
    ["no steps at all", rec("Sarcoidosis", undefined), [false, false, false, false]],
    ["malformed entry keeps its rank", rec("Sarcoidosis", { synthesize: step({ differential: [{}, "Sarcoidosis"] }) }), [true, false, true, true]],
  ] as const)("%s", (_name, r, [has, t1, t3, m]) => {
    expect(scoreDiagnostic(r)).toEqual({ has_report: has, top1: t1, top3: t3, mentioned: m });
  });

  it("collects nested string leaves in order", () => {
    expect(stringLeaves({ a: "x", b: [{ c: "y" }, 3, "z"], d: null })).toEqual(["x", "y", "z"]);
  });
});

describe("questionType", () => {
  const table: Record<Exclude<QuestionType, "other">, string[]> & { other: string[] } = {
    diagnosis: [
      "Which of the following is the most likely diagnosis?",
      "Which of the following is the most likely cause of this patient's symptoms?",
      "Which of the following is the most likely causal organism?",
      "Which of the following is the most appropriate next step in diagnosis?",
      "What is the most likely cause of this patient's low serum sodium?",
    ],
    treatment: [
      "Which of the following is the most appropriate next step in management?",
      "Which of the following is the most appropriate pharmacotherapy?",
      "Which of the following is the best treatment for this patient?",
      "Which of the following would have prevented this patient's condition?",
    ],
    mechanism: [
      "Which of the following is the most likely mechanism of this patient's hypotension?",
      "This patient's findings are most likely due to which of the following?",
      "Which of the following best explains these findings?",
      "Which of the following enzymes is most likely deficient in this patient?",
    ],
    pharmacology: [
      "Which of the following is the mechanism of action of the drug prescribed?",
      "This patient is at greatest risk for which of the following adverse effects?",
      "The drug most likely acts by inhibiting which of the following?",
      "Which of the following receptors is targeted by this medication?",
    ],
    lab_finding: [
      "Which of the following laboratory findings is most likely in this patient?",
      "A biopsy of the lesion is most likely to show which of the following?",
      "Which of the following sets of serum values would be expected?",
      "Further evaluation is most likely to reveal which of the following?",
    ],
    anatomy: [
      "Which of the following nerves is most likely injured?",
      "Which of the following structures is most likely compressed?",
      "Which of the following arteries supplies the affected area?",
      "The affected tissue is derived from which of the following embryologic structures?",
    ],
    epidemiology: [
      "What is the sensitivity of this test?",
      "Which of the following best describes the study design?",
      "Which of the following is the number needed to treat?",
      "The results of this trial are most likely affected by which type of bias?",
    ],
    ethics: [
      "Which of the following is the most appropriate response by the physician?",
      "Which of the following is the most appropriate action regarding informed consent?",
      "What should the physician tell the patient's daughter?",
      "Which of the following best respects the patient's autonomy?",
    ],
    other: ["Which of the following is true?", "Which of the following is most likely?", "What happens next?"],
  };
  const rows = Object.entries(table).flatMap(([type, stems]) => stems.map((s) => [type, s] as const));
  it.each(rows)("%s ← %j", (type, stem) => {
    expect(questionType(stem)).toBe(type);
  });
  it("covers every type with at least 3 stems", () => {
    for (const t of QUESTION_TYPES) expect(table[t].length).toBeGreaterThanOrEqual(3);
  });
});

describe("usmleStep", () => {
  it.each([
    ["step1", "step1"],
    ["Step1", "step1"],
    ["Step 1", "step1"],
    ["step2&3", "step2&3"],
    ["stfep2&3", "step2&3"],
    ["step 2&3", "step2&3"],
    ["step2", "step2&3"],
    ["Step 3", "step2&3"],
    ["", "unknown"],
    ["step4", "unknown"],
    ["step12", "unknown"],
    [undefined, "unknown"],
  ] as const)("%j → %s", (meta, want) => {
    expect(usmleStep(meta)).toBe(want);
  });
});
