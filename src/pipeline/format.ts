// Renders case data and step outputs into the text that templates receive. Compact on purpose: every
// pipeline step's input is paid for on each of the 7 calls of each case.
import { truncate } from "../datasets/errors.js";
import { LETTERS, type Case, type Letter } from "../types.js";
import type { DrugReview } from "./steps/drugs/schema.js";
import type { GuidelineOutput } from "./steps/guidelines/schema.js";
import type { Profile } from "./steps/parse/schema.js";
import type { Reasoning } from "./steps/reason/schema.js";
import type { Report } from "./steps/synthesize/schema.js";
import type { Conflicts } from "./steps/conflicts/schema.js";

/** The case's option letters in order (A..D for MedQA). */
export function caseLetters(c: Pick<Case, "options">): Letter[] {
  return LETTERS.filter((l) => c.options[l] !== undefined);
}

/**
 * The question as a prompt shows it: the case's context first when it has one (PubMedQA's abstract), then the
 * question. Identical to the question for every dataset without a context (MedQA prompts are unchanged).
 */
export function caseQuestion(c: Pick<Case, "question" | "context">): string {
  const q = c.question.trim();
  return c.context ? `Context:\n${c.context.trim()}\n\nQuestion: ${q}` : q;
}

/** One `A. text` line per option. */
export function formatOptions(c: Pick<Case, "options">): string {
  return caseLetters(c)
    .map((l) => `${l}. ${c.options[l]}`)
    .join("\n");
}

/** What a template sees in place of an upstream output that does not exist. */
export function unavailable(why: "skipped" | "failed"): string {
  return `(not available: step ${why})`;
}

// Degraded cases: when parse or reason fails, the pipeline goes on with a stand-in built from what it has (the
// vignette as written; no differential). Stand-ins are marked so that templates say "not extracted" rather than
// "none recorded", and the report knows the step failed from the case's `failed_steps`.
const standIns = new WeakSet<object>();

/** The parse step's stand-in: the whole vignette as the complaint, nothing extracted. */
export function standInProfile(vignette: string): Profile {
  const p: Profile = {
    age: null,
    sex: null,
    chief_complaint: vignette,
    hpi: "",
    past_history: [],
    medications: [],
    allergies: [],
    labs: [],
    vitals: {},
    exam: [],
    social_history: null,
    family_history: null,
  };
  standIns.add(p);
  return p;
}

/** The reason step's stand-in: no differential, no work-up. */
export function standInReasoning(): Reasoning {
  const r: Reasoning = { differential: [], workup: [], reasoning_chain: [] };
  standIns.add(r);
  return r;
}

export const isStandIn = (x: object): boolean => standIns.has(x);

const NOT_EXTRACTED = "(not extracted: the parse step failed; see the case text)";

/** Upstream outputs go in as single-line JSON: fewer tokens than pretty-printed, equally readable to the model. */
export function compactJson(value: unknown): string {
  return JSON.stringify(value);
}

export function profileSummary(p: Profile): string {
  const age = p.age === null ? null : typeof p.age === "number" ? `${p.age}-year-old` : p.age;
  const who = [age, p.sex].filter((s): s is string => s !== null && s !== "").join(" ") || "patient of unstated age and sex";
  const parts = [`${who}; chief complaint: ${p.chief_complaint}`];
  if (p.past_history.length > 0) parts.push(`history: ${p.past_history.join(", ")}`);
  return parts.join("; ");
}

export function formatMedications(p: Profile): string {
  if (isStandIn(p)) return NOT_EXTRACTED;
  if (p.medications.length === 0) return "none recorded";
  return p.medications.map((m) => (m.dose ? `${m.name} ${m.dose}` : m.name)).join("; ");
}

export function formatAllergies(p: Profile): string {
  if (isStandIn(p)) return NOT_EXTRACTED;
  return p.allergies.length === 0 ? "none recorded" : p.allergies.join("; ");
}

export function topDiagnoses(r: Reasoning, n = 3): string {
  if (r.differential.length === 0) return unavailable("failed");
  return r.differential
    .slice(0, n)
    .map((d) => d.diagnosis)
    .join("; ");
}

const LIST_MAX = 5;
const REASON_MAX_CHARS = 240;

function section(title: string, items: readonly string[]): string[] {
  if (items.length === 0) return [];
  return [`${title}:`, ...items.slice(0, LIST_MAX).map((i) => `- ${truncate(i, REASON_MAX_CHARS)}`)];
}

export interface ReportParts {
  profile: Profile;
  reasoning: Reasoning;
  drugs?: DrugReview;
  guidelines?: GuidelineOutput;
  conflicts?: Conflicts;
  report?: Report;
}

/**
 * The report as the answer step reads it: plain text, capped lists. Without a synthesized report (that step
 * failed) it is assembled from the upstream outputs that exist, so the answer step still has context.
 */
export function condenseReport(parts: ReportParts): string {
  const { report } = parts;
  const summary = report?.patient_summary || profileSummary(parts.profile);
  const differential = (report?.differential ?? parts.reasoning.differential).slice(0, LIST_MAX);
  const lines = [`Summary: ${summary}`, "Differential (most likely first):"];
  differential.forEach((d, i) => {
    const likelihood = d.likelihood ? ` (${d.likelihood})` : "";
    const why = d.reasoning ? ` — ${truncate(d.reasoning, REASON_MAX_CHARS)}` : "";
    lines.push(`${i + 1}. ${d.diagnosis}${likelihood}${why}`);
  });
  if (report) {
    lines.push(
      ...section("Drug warnings", report.drug_warnings),
      ...section("Guideline recommendations", report.guideline_recommendations),
      ...section("Conflicts", report.conflicts),
      ...section("Next steps", report.next_steps),
      ...section("Caveats", report.caveats),
    );
  } else {
    lines.push(
      ...section("Drug warnings", [
        ...(parts.drugs?.warnings ?? []),
        ...(parts.drugs?.interactions ?? []).map((x) => `${x.drug_a} + ${x.drug_b} (${x.severity}): ${x.description}`),
      ]),
      ...section(
        "Guideline recommendations",
        (parts.guidelines?.recommendations ?? []).map((r) => `${r.recommendation} [${r.source || r.title}]`),
      ),
      ...section(
        "Conflicts",
        (parts.conflicts?.conflicts ?? []).map((x) => `${x.type}: ${x.patient_fact} → ${x.resolution}`),
      ),
      ...section("Next steps", parts.reasoning.workup),
    );
  }
  return lines.join("\n");
}
