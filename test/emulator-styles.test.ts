// The emulator's "varied" response style, end to end through the harness's grading: over real MedQA prompts, every
// reply the emulator words the way real models do is graded to the letter it intended (or to no answer for its
// hedges and refusals), and every variant does so for every letter of every case — no letter, no style favoured.
import { describe, expect, it } from "vitest";
import { loadDataset } from "../src/datasets/load.js";
import { composeAnswer } from "../src/emulator/answer.js";
import { styledAnswer, VARIED_STYLE_NAMES } from "../src/emulator/styles.js";
import type { ChatResult, ModelClient } from "../src/endpoint/types.js";
import { loadPromptSet } from "../src/pipeline/prompts.js";
import { runDirect } from "../src/pipeline/run.js";
import type { PipelineOptions } from "../src/pipeline/types.js";
import { grade } from "../src/scoring/grading/grade.js";
import { LETTERS, type Letter } from "../src/types.js";
import { MEDQA, onlyRunDir, readJson, runCli, tempDir } from "./helpers/cli.js";

const N = 300;

describe("--style varied through the direct arm's grading (real MedQA prompts)", async () => {
  const cases = (await loadDataset(MEDQA)).cases.slice(0, N);
  const opts: PipelineOptions = { jsonMode: "prompt", drugs: true, guidelines: true, guidelinesCorpus: null, prompts: loadPromptSet(null), raw: false, maxTokens: 2048 };

  it("every reply is graded to the letter the emulator intended, or to none for its hedges and refusals", async () => {
    const seen = new Map<string, { n: number; agreed: number }>();
    for (const c of cases) {
      let intended: Letter | null | undefined;
      let style = "";
      const client: ModelClient = {
        chat: async (req): Promise<ChatResult> => {
          const a = composeAnswer({ messages: req.messages }, { invalidJsonRate: 0, style: "varied" });
          intended = a.intended;
          style = a.style ?? "?";
          return { text: a.text, latency_ms: 1, cold_ms: 0, tokens: { prompt: 1, completion: 1 }, finish_reason: "stop", attempts: 1 };
        },
      };
      const r = await runDirect(c, client, opts);
      const s = seen.get(style) ?? { n: 0, agreed: 0 };
      s.n++;
      if (r.answer === intended) s.agreed++;
      seen.set(style, s);
      expect(r.answer, `${c.id} (${style})`).toBe(intended);
      if (intended === null) expect(r.outcome).toBe("unparseable");
    }
    // The rotation reaches every variant on 300 cases (by request hash, so the mix is fixed for this data).
    expect([...seen.keys()].sort()).toEqual([...VARIED_STYLE_NAMES].sort());
    for (const [name, s] of seen) expect(s.n, name).toBeGreaterThanOrEqual(5);
  });

  it("each variant, applied to every letter of every case, gives that letter (or none, for every letter alike)", () => {
    for (const c of cases.slice(0, 120)) {
      const options = LETTERS.filter((l) => c.options[l] !== undefined).map((letter) => ({ letter, text: c.options[letter]! }));
      for (const name of VARIED_STYLE_NAMES) {
        const verdicts = new Set<string>();
        for (const { letter } of options) {
          // Force the variant by trying keys until the rotation lands on it (the rotation is by key, not by letter).
          const styled = forced(name, { letter, options, rationale: ["Key features: fever, rash.", "These fit best."], key: c.id });
          if (styled === null) continue; // the variant does not apply to this option (option text shared by two)
          const g = grade({ text: styled.text, options: c.options, finishReason: "stop" });
          expect(g.letter, `${c.id} ${name} ${letter}: ${styled.text}`).toBe(styled.intended);
          expect(g.reason, `${c.id} ${name} ${letter}`).toBe(styled.noneReason ?? null);
          verdicts.add(styled.intended === null ? `none/${g.reason}` : "letter");
        }
        expect(verdicts.size, `${c.id} ${name}`).toBeLessThanOrEqual(1);
      }
    }
  });
});

function forced(name: string, o: Parameters<typeof styledAnswer>[1]): ReturnType<typeof styledAnswer> | null {
  for (let k = 0; k < 400; k++) {
    const s = styledAnswer("varied", { ...o, key: `${o.key}#${k}` });
    if (s.name === name) return s;
  }
  return null;
}

describe("run-validation --emulator-style varied", () => {
  it("a 40-case direct run: exit 0, no error, every grading method and both no-answer reasons in the summary", async () => {
    const out = tempDir("styles-");
    const r = await runCli(["--medqa", "--data", MEDQA, "--max-cases", "40", "--seed", "7", "--mode", "direct", "--emulator-style", "varied", "--out", out, "--time-scale", "1000"]);
    expect(r.code, r.stderr).toBe(0);
    const summary = readJson<{ arms: Array<{ outcomes: Record<string, number>; grading?: { methods: Record<string, number>; none_reasons: Record<string, number> } }> }>(
      `${onlyRunDir(out)}/summary.json`,
    );
    const arm = summary.arms[0]!;
    expect(arm.outcomes.error).toBe(0);
    expect((arm.outcomes.correct ?? 0) + (arm.outcomes.wrong ?? 0) + (arm.outcomes.unparseable ?? 0)).toBe(40);
    const methods = arm.grading!.methods;
    for (const m of ["format", "statement", "option_text"]) expect(methods[m] ?? 0, m).toBeGreaterThan(0);
    expect(arm.grading!.none_reasons.hedge ?? 0).toBeGreaterThan(0);
    expect(arm.grading!.none_reasons.refusal ?? 0).toBeGreaterThan(0);
  }, 120_000);
});
