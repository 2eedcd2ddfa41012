// The commitment rules (src/scoring/grading/rules.ts), phrasing by phrasing: every wording each rule accepts gives
// the letter, for every letter; every wording that discounts a statement (hypothetical, conditional, qualified,
// negated, set aside) leaves the real answer standing, for every letter pair. Through grade(), so what is asserted
// is the verdict a user sees.
import { describe, expect, it } from "vitest";
import { grade } from "../src/scoring/grading/grade.js";
import { answerLines, jsonFields, loneLetterLines } from "../src/scoring/grading/rules.js";
import { indexOptions } from "../src/scoring/grading/options.js";

const OPTS = { A: "Aortic dissection", B: "Acute pericarditis", C: "Pulmonary embolism", D: "Tension pneumothorax" };
const LS = ["A", "B", "C", "D"] as const;
const next = (l: string): (typeof LS)[number] => LS[(LS.indexOf(l as (typeof LS)[number]) + 1) % 4]!;
const verdict = (text: string): string => {
  const g = grade({ text, options: OPTS, finishReason: "stop" });
  return g.letter === null ? `none/${g.reason}` : `${g.letter}/${g.method}/${g.rule}`;
};
const reasoning = "The sudden hypoxia after a long flight, with clear lungs, narrows the differential.";

describe("first-person commitments", () => {
  const forms = [
    "I would go with", "I'd go with", "I will choose", "I'll select", "I am going to pick", "I'm going to opt for",
    "I have to mark", "I must settle on", "I should lean towards", "I lean toward", "I choose", "I select", "I pick",
    "I am going with", "I'm leaning towards", "I'm sticking with", "I am leaning toward", "Let's go with",
    "We should choose", "You must select", "We would pick", "You should go with", "I would choose option",
    "I'd pick answer", "I will go with choice", "I'll mark letter", "I would select:",
  ];
  it.each(forms)("'%s X.'", (f) => {
    for (const l of LS) expect(verdict(`${reasoning} ${f} ${l}.`), `${f} ${l}`).toBe(`${l}/statement/first_person`);
  });
});

describe("answer and choice statements", () => {
  const answer = [
    "The answer is", "My answer is", "Our answer would be", "Your answer should be", "This answer must be",
    "The final answer is", "The correct answer will be", "The best answer is", "The right answer is", "The true answer is",
    "The single best answer is", "The most likely answer is", "The most appropriate answer is", "The most accurate answer is",
    "The most correct answer is", "The most probable answer is", "The most reasonable answer is", "The most plausible answer is",
    "The most consistent answer is", "The answer choice is", "The answer option is", "The answer letter is", "The response is",
    "The answer to this question is", "The answer for the case is", "The answer here is", "The answer then is",
    "The answer therefore is", "The answer thus is", "The answer overall is", "The answer in this case is",
    "The answer among the options is", "The answer among these choices is", "The answer has to be", "The answer remains",
    "The answer seems to be", "The answer appears to be", "The answer becomes", "The answer:", "The answer =", "The answer -",
    "The answer is therefore",
  ];
  it.each(answer)("'%s X.'", (f) => {
    for (const l of LS) expect(verdict(`${reasoning} ${f} ${l}.`), `${f} ${l}`).toBe(`${l}/statement/answer_statement`);
  });

  const choice = [
    "The best option is", "The correct choice is", "My final selection is", "The best pick is", "The right one is",
    "The most likely option is", "The single best choice is", "My choice is", "My pick is", "My selection is",
    "Our best option would be", "The most appropriate choice here is",
  ];
  it.each(choice)("'%s X.'", (f) => {
    for (const l of LS) expect(verdict(`${reasoning} ${f} ${l}.`), `${f} ${l}`).toBe(`${l}/statement/choice_statement`);
  });

  it.each(["Ans:", "Ans.", "ans =", "Ans -"])("abbreviated '%s X'", (f) => {
    for (const l of LS) expect(verdict(`${reasoning} ${f} ${l}`), `${f} ${l}`).toBe(`${l}/statement/abbreviated`);
  });

  it.each(["\\boxed{X}", "\\boxed {X}", "$\\boxed{X}$"])("boxed %s", (f) => {
    for (const l of LS) expect(verdict(`${reasoning} So we have ${f.replace("X", l)} here`), l).toBe(`${l}/statement/boxed`);
  });
});

describe("domain statements", () => {
  const forms = [
    "The most likely diagnosis is", "The most appropriate next step in management is", "The most probable cause is",
    "The most accurate test is", "The most effective treatment would be", "The most useful investigation is",
    "The most suitable drug is", "The most reasonable step is", "The best initial test is", "The correct management is",
    "The single best treatment is", "The next best step is", "The preferred treatment is", "The definitive management is",
    "Most likely cause:", "Most likely diagnosis:", "Final diagnosis:", "Working diagnosis:", "The best next step in management is",
  ];
  it.each(forms)("'%s X.'", (f) => {
    for (const l of LS) expect(verdict(`${reasoning} ${f} ${l}.`), `${f} ${l}`).toBe(`${l}/statement/domain_statement`);
  });
});

describe("reverse statements: the letter first", () => {
  const forms = [
    "Option X is correct", "Choice (X) is the best", "Answer X would be correct", "Letter X seems to be the best",
    "(X) appears to be correct", "[X] remains the best choice", "X looks correct", "X is the single best answer",
    "X is most likely", "X is clearly correct", "X is definitely correct", "X is certainly right",
    "X is indeed correct", "X is therefore preferred", "X is thus correct", "X is probably best",
    "X is the only correct option", "X is preferable", "X is favoured", "X is favored", "X is accurate",
    "X is the most probable", "X is the most reasonable choice", "X is my answer", "X is our choice", "X is the better one",
    "X is the most appropriate response", "X is the best selection", "X is the correct one here", "X would be the right option",
    "option (x) is correct", "X is appropriate", "X. is correct",
  ];
  it.each(forms)("'%s.'", (f) => {
    for (const l of LS) expect(verdict(`${reasoning} ${f.replace(/x/i, (m) => (m === "x" ? l.toLowerCase() : l))}.`), `${f} ${l}`).toBe(`${l}/statement/reverse_statement`);
  });

  const openers = ["", "So ", "Thus ", "Therefore ", "Hence ", "Overall ", "Then ", "Clearly ", "Ultimately ", "and ", "but "];
  it.each(openers.map((o) => [JSON.stringify(o), o] as const))("a bare capital after %s opens the statement", (_n, o) => {
    for (const l of LS) expect(verdict(`${reasoning} The rest is noise; ${o}${l} is correct.`), `${o}${l}`).toBe(`${l}/statement/reverse_statement`);
  });

  it("a bare capital inside a name is no statement ('Vitamin A is correct' is not A)", () => {
    expect(verdict("Hepatitis A is correct to consider but more data is needed.")).toBe("none/no_commitment");
  });

  it("'X or Y is correct' and 'X, Y is correct' are hedges; 'X or X' is X", () => {
    for (const l of LS) {
      const m = next(l);
      expect(verdict(`${reasoning} Either ${l} or ${m} is correct.`)).toBe("none/hedge");
      expect(verdict(`${reasoning} ${l}, ${m} is correct.`)).toBe("none/hedge");
      expect(verdict(`${reasoning} ${l}/${m} is correct.`)).toBe("none/hedge");
      expect(verdict(`${reasoning} Option ${l} or option ${m} is correct.`)).toBe("none/hedge");
      expect(verdict(`${reasoning} ${l} or ${l} is correct.`)).toBe(`${l}/statement/reverse_statement`);
    }
  });
});

describe("reverse statements by option text", () => {
  const forms = [
    "T is the most likely diagnosis", "T is correct", "T would be the best answer", "T remains the most likely cause",
    "T is the most appropriate explanation", "T is clearly correct", "T is definitely best",
    "T is probably correct", "T is the only consistent finding", "T is the preferred option",
    "T is the single best explanation here", "T is the most likely diagnosis for this patient",
    "T is the most likely diagnosis given the findings", "T is the best explanation because of the hypoxia",
    "T is the most likely diagnosis with the findings", "T is the most likely diagnosis in this patient",
  ];
  it.each(forms)("'%s.'", (f) => {
    for (const l of LS) {
      const t = OPTS[l];
      expect(verdict(`${reasoning} ${f.replace("T", t)}.`), `${f} ${l}`).toBe(`${l}/option_text/reverse_text`);
      expect(verdict(`${reasoning} Therefore, ${f.replace("T", t.toLowerCase())}.`), `${f} ${l}`).toBe(`${l}/option_text/reverse_text`);
    }
  });

  it("the subject must be the option's text and nothing more, and not a pronoun", () => {
    for (const l of LS) {
      expect(verdict(`${reasoning} It is the most likely diagnosis.`)).toBe("none/no_commitment");
      expect(verdict(`${reasoning} ${OPTS[l]} recurrence is the most likely diagnosis; more data needed.\nNothing else fits.`), l).toBe("none/no_commitment");
    }
  });
});

describe("statements that are discounted", () => {
  const hypothetical = [
    "One might think", "You may be tempted to say", "Some could consider that", "Some would argue that", "One might assume",
    "You may guess that", "We could suspect that", "You would expect that", "Some might say", "Some may choose to say",
    "Students could pick the view that", "Some would select the view that", "It is tempting to say", "You may feel tempted to say",
    "One could say", "Someone might say", "Some people may say", "Some students would say", "Some clinicians could say",
    "A common mistake is to say", "A classic error is to say", "A frequent pitfall is to say", "A tempting trap is to say",
    "A common distractor is that", "A common misconception is that", "At first", "Initially", "At first glance",
    "It seems like", "It seemed like", "If we only looked at the pain,", "If you just ignored the hypoxia,",
    "If one ignored the scan,", "Otherwise", "Not that",
  ];
  it.each(hypothetical)("'%s the answer is Y' after the answer leaves the answer", (h) => {
    for (const l of LS) expect(verdict(`The answer is ${l}. ${h} the answer is ${next(l)}.`), `${h} ${l}`).toBe(`${l}/statement/answer_statement`);
  });

  const conditionAfter = [
    "if the patient were hypotensive", "unless the troponin rises", "only if the scan is negative", "only when the pulses differ",
    "only in pregnancy", "were the pulses unequal", "had the patient been febrile", "had there been a rub", "in a patient with a rub",
    "in the setting of trauma", "for a patient with a rub", "for the case of a rub", "when the pulses differ", "in patients with a rub",
    "in children", "in adults", "in cases of trauma",
  ];
  it.each(conditionAfter)("'the answer would be Y %s' after the answer leaves the answer", (c) => {
    for (const l of LS) expect(verdict(`The answer is ${l}. The answer would be ${next(l)} ${c}.`), `${c} ${l}`).toBe(`${l}/statement/answer_statement`);
  });

  const conditionBefore = ["If the patient were hypotensive,", "Unless the troponin is normal,", "Whether or not she is stable,", "Were the pulses unequal,", "Had she been febrile,", "In a patient with a rub,", "In the case of trauma,"];
  it.each(conditionBefore)("'%s the answer would be Y' after the answer leaves the answer", (c) => {
    for (const l of LS) expect(verdict(`The answer is ${l}. ${c} the answer would be ${next(l)}.`), `${c} ${l}`).toBe(`${l}/statement/answer_statement`);
  });

  it("without a modal, a condition does not discount ('If anything, the answer is C')", () => {
    for (const l of LS) expect(verdict(`The answer is ${next(l)}. On review, if anything, the answer is ${l}.`)).toBe(`${l}/statement/answer_statement`);
  });

  const qualified = [
    "only if the pulses differ", "only when she is pregnant", "only in pregnancy", "unless she is pregnant", "if she is pregnant",
    "when she is pregnant", "to treat a rub", "in patients with a rub", "in children", "in adults", "in women", "in men",
    "in cases of trauma", "in the setting of trauma", "in a patient with a rub", "in pregnancy", "for patients with a rub",
    "for children", "for adults", "for women", "for men", "for cases of trauma", "for a patient with a rub", "for chronic pain",
    "for acute pain", "for treating a rub", "for the treatment of a rub", "for prevention", "for prophylaxis",
    "(with a rub) only if the pulses differ",
  ];
  it.each(qualified)("'Y is the best choice %s' after the answer leaves the answer", (q) => {
    for (const l of LS) expect(verdict(`The answer is ${l}.\n\n${next(l)} is the best choice ${q}.`), `${q} ${l}`).toBe(`${l}/statement/answer_statement`);
  });

  const negated = ["not", "never", "no", "incorrect", "wrong", "false", "worst", "least", "least likely", "isn't", "wasn't", "aren't"];
  it.each(negated)("'%s' before the cue discounts it", (w) => {
    for (const l of LS) expect(verdict(`The answer is ${l}. The ${w} answer is ${next(l)}.`), `${w} ${l}`).toBe(`${l}/statement/answer_statement`);
  });

  it.each(["Rather than", "Instead of", "As opposed to"])("'%s Y, the best choice is X' keeps X", (s) => {
    for (const l of LS) expect(verdict(`${s} choosing ${next(l)}, the best choice is ${l}.`), `${s} ${l}`).toBe(`${l}/statement/choice_statement`);
  });

  it.each(["but", "however", "yet", "whereas", "although", "though", "instead"])("a turn ('%s') ends what came before", (t) => {
    for (const l of LS) expect(verdict(`At first it seems to be ${next(l)}, ${t} the answer is ${l}.`), `${t} ${l}`).toBe(`${l}/statement/answer_statement`);
  });

  it("a question is no commitment; the cue's sentence ends at the next sentence end", () => {
    for (const l of LS) {
      expect(verdict(`Is the answer ${l}? More data is needed.`)).toBe("none/no_commitment");
      expect(verdict(`The answer is ${l}. Is there any doubt? None.`)).toBe(`${l}/statement/answer_statement`);
      expect(verdict(`The answer is ${l}.\nWhy? The scan.`)).toBe(`${l}/statement/answer_statement`);
    }
  });
});

describe("the finders' candidates", () => {
  const idx = indexOptions(OPTS);

  it("an Answer: line: ordered by its line's end, complete when a line follows or it ends in . ) ]", () => {
    for (const l of LS) {
      const t = `Reasoning.\nAnswer: ${l}\nMore.`;
      expect(answerLines(t, idx)).toEqual([
        { pos: t.indexOf("\nMore"), tier: 2, method: "format", rule: "answer_line", read: expect.objectContaining({ kind: "letter", letter: l }), matched: `Answer: ${l}`, complete: true },
      ]);
      const end = `Reasoning.\nAnswer: ${l}`;
      expect(answerLines(end, idx)[0]).toMatchObject({ pos: end.length, matched: `Answer: ${l}`, complete: false });
      for (const close of [".", ". ", ` (${OPTS[l]})`, ` [${OPTS[l]}]`]) expect(answerLines(`Answer: ${l}${close}`, idx)[0]!.complete, close).toBe(true);
      expect(answerLines(`Answer: ${l} -`, idx)[0]!.complete).toBe(false);
      expect(answerLines(`Answer: ${OPTS[l]}`, idx)[0]).toMatchObject({ method: "option_text", read: { letter: l, via: "text" } });
    }
    expect(answerLines("Answer: Dexamethasone\nAnswer: unclear", idx)).toEqual([]);
  });

  it("an Answer: line's span is at most 160 characters", () => {
    const t = `Answer: C ${"because of the hypoxia ".repeat(12)}`;
    expect(answerLines(t, idx)[0]!.matched).toBe(t.slice(0, 160).trim());
  });

  it.each([
    "Answer:", "Final answer:", "Correct answer -", "Best answer:", "Right answer:", "The answer:", "My final answer =", "Our answer:",
    "Answer choice:", "Answer letter:", "Answer option:", "ANSWER (letter):", "Answer (single best):", "Answer:-", "Respuesta:",
    "Réponse :", "Reponse:", "Resposta:", "Antwort:", "Risposta:", "答案:", "答え:", "정답:", "  Answer:",
  ])("answer marker '%s' at a line start", (mk) => {
    for (const l of LS) expect(verdict(`${reasoning}\n${mk} ${l}\n`), `${mk} ${l}`).toBe(`${l}/format/answer_line`);
  });

  it("an answer marker mid-line is a statement, not the final form", () => {
    for (const l of LS) expect(verdict(`${reasoning} So my answer: ${l}.`)).toBe(`${l}/statement/answer_statement`);
  });

  it.each([
    ['{"answer": "X"}', "format"], ['{"final_answer": "X"}', "format"], ['{"Final Answer": "X"}', "format"], ['{"answer_letter": "X"}', "format"],
    ['{"finalanswer": "X"}', "format"], ['{"final_answer_letter": "X"}', "format"], ["{'answer': 'X'}", "format"],
    ['{"correct_answer": "X"}', "statement"], ['{"selected_option": "X"}', "statement"], ['{"chosen_choice": "X"}', "statement"],
    ['{"best_answer": "X"}', "statement"], ['{"answer_choice": "X"}', "statement"], ['{"answer_option": "X"}', "statement"],
    ['{"correct answer": "X"}', "statement"], ['{"answer" : "X"}', "format"], ['{"answer":"X"}', "format"],
  ])("JSON %s", (tpl, method) => {
    for (const l of LS) {
      const t = `Here is my reply.\n${tpl.replace("X", l)}`;
      const c = jsonFields(t, idx);
      expect(c, tpl).toHaveLength(1);
      expect(c[0]).toMatchObject({ pos: t.indexOf("{") + 1, tier: 2, method, rule: "json_field", read: { letter: l }, complete: true });
      expect(c[0]!.matched).toBe(tpl.replace("X", l).slice(1, -1));
    }
  });

  it("JSON: option-list items, unclosed or multi-line values and mismatched quotes are no verdict; escapes are read", () => {
    for (const l of LS) {
      expect(jsonFields(`{"options": [{"option": "${l}", "text": "x"}, {"choice": "${l}"}]}`, idx)).toEqual([]);
      expect(jsonFields(`{"answer": "${l}`, idx)).toEqual([]);
      expect(jsonFields(`{"answer": "${l}\n"}`, idx)).toEqual([]);
      expect(jsonFields(`{"answer": '${l}"}`, idx)).toEqual([]);
      expect(jsonFields(`{"answer": "\\"${l}\\""}`, idx)[0]).toMatchObject({ read: { kind: "letter", letter: l } });
      expect(jsonFields(`{"answer": "Dexamethasone"}`, idx)).toEqual([]);
    }
  });

  it("lone letter lines: the last line, or the first of several, with its own text or none", () => {
    for (const l of LS) {
      const t = `${reasoning}\n\n${l}`;
      expect(loneLetterLines(t, idx)).toEqual([{ pos: t.length, tier: 2, method: "statement", rule: "lone_letter", read: { kind: "letter", letter: l, via: "letter", end: 1 }, matched: l, complete: false }]);
      const first = `${l}\n${reasoning}`;
      expect(loneLetterLines(first, idx)).toEqual([{ pos: 1, tier: 2, method: "statement", rule: "lone_letter", read: { kind: "letter", letter: l, via: "letter", end: 1 }, matched: l, complete: false }]);
      // A letter line in the middle is neither first nor last.
      expect(loneLetterLines(`${reasoning}\n${l}\n${reasoning}`, idx)).toEqual([]);
      for (const line of [`Option ${l}`, `Choice ${l}`, `(${l})`, `${l}.`, `${l}) ${OPTS[l]}`, `${l}. ${OPTS[l]}.`, `${l}: ${OPTS[l]}`, ` ${l} `]) {
        expect(loneLetterLines(`${reasoning}\n${line}`, idx).map((c) => c.read), line).toEqual([{ kind: "letter", letter: l, via: "letter", end: line.length }]);
      }
      expect(loneLetterLines(`${reasoning}\n${l}?`, idx)).toEqual([]);
      expect(loneLetterLines(`${reasoning}\n${l}) ${OPTS[next(l)]}`, idx)).toEqual([]);
      expect(loneLetterLines(`${reasoning}\n${l} is the one`, idx)).toEqual([]);
    }
  });

  it("lone letter lines: a walk-through (several labelled lines) is no verdict; with unknown texts a label line is the letter", () => {
    for (const l of LS) {
      const m = next(l);
      expect(loneLetterLines(`${l}. ${OPTS[l]}\n${m}. ${OPTS[m]}`, idx)).toEqual([]);
      // One labelled line and a bare letter line are no walk-through: first and last both count, the last decides.
      expect(loneLetterLines(`${m}. ${OPTS[m]}\n${l}`, idx).map((c) => c.read.kind === "letter" && c.read.letter)).toEqual([m, l]);
      expect(verdict(`${m}. ${OPTS[m]}\n${l}`)).toBe(`${l}/statement/lone_letter`);
      const unknown = indexOptions({ A: "", B: "", C: "", D: "" });
      expect(loneLetterLines(`${reasoning}\n${l}) Whatever it is`, unknown).map((c) => c.read)).toEqual([{ kind: "letter", letter: l, via: "letter", end: `${l}) Whatever it is`.length }]);
      // Own text unknown while others are known: the label's text cannot be checked, so it is not taken.
      const partial = indexOptions({ ...OPTS, [l]: "" });
      expect(loneLetterLines(`${reasoning}\n${l}) Whatever it is`, partial)).toEqual([]);
      expect(loneLetterLines(`${reasoning}\n${l}`, partial).map((c) => c.read.kind)).toEqual(["letter"]);
    }
  });
});

describe("sentence bounds and clause starts", () => {
  it.each([". ", "! ", "? ", "\n"])("a hypothetical in the previous sentence (ended by %j) does not discount", (end) => {
    for (const l of LS) expect(verdict(`One might think otherwise${end}The answer is ${l}.`), `${JSON.stringify(end)} ${l}`).toBe(`${l}/statement/answer_statement`);
  });

  it.each([": ", "; ", ", ", "! ", "? ", "\n"])("a bare capital after %j opens a reverse statement", (sep) => {
    for (const l of LS) expect(verdict(`All things weighed${sep}${l} is correct.`), `${JSON.stringify(sep)} ${l}`).toBe(`${l}/statement/reverse_statement`);
  });

  it("bracketed and lower-case hedges before a reverse statement", () => {
    for (const l of LS) {
      const m = next(l);
      expect(verdict(`${reasoning} (${l}) or (${m}) is correct.`)).toBe("none/hedge");
      expect(verdict(`${reasoning} ${l.toLowerCase()} or ${m} is correct.`)).toBe("none/hedge");
      expect(verdict(`${reasoning} ${l} and option ${m} is correct.`)).toBe("none/hedge");
    }
  });

  it.each([". ", ": ", "; ", "! ", "? ", ", so ", ", thus ", ", therefore ", ", hence ", ", "])(
    "an option's text after %j is the subject of a reverse statement",
    (sep) => {
      for (const l of LS) {
        expect(verdict(`The vitals are abnormal${sep}${OPTS[l].toLowerCase()} is the most likely diagnosis.`), `${JSON.stringify(sep)} ${l}`).toBe(`${l}/option_text/reverse_text`);
      }
    },
  );
});
