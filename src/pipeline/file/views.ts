// Views: the built-in renderings a step input can apply to earlier steps' structured outputs instead of their
// JSON (`{ as: top_diagnoses, view: top_diagnoses, from: reason }`). Each view names its roles and the built-in
// schema a role's step must use (the view reads that shape), so a wrong wiring is a load-time error, not a crash.
// A role whose step failed or was skipped arrives as undefined and the view uses the degrade stand-in (the
// vignette as the complaint, no differential), as the built-in pipeline always has.
import type { DrugReview } from "../steps/drugs/schema.js";
import type { GuidelineOutput } from "../steps/guidelines/schema.js";
import type { Profile } from "../steps/parse/schema.js";
import type { Reasoning } from "../steps/reason/schema.js";
import type { Report } from "../steps/synthesize/schema.js";
import type { Conflicts } from "../steps/conflicts/schema.js";
import { condenseReport, formatAllergies, formatMedications, profileSummary, standInProfile, standInReasoning, topDiagnoses } from "../format.js";

interface Role {
  /** The built-in schema the role's step must use. */
  schema: string;
  required: boolean;
}

export interface ViewDef {
  roles: Readonly<Record<string, Role>>;
  render: (values: Readonly<Record<string, unknown>>, vignette: string) => string;
}

const req = (schema: string): Role => ({ schema, required: true });
const opt = (schema: string): Role => ({ schema, required: false });

const profileOf = (v: Readonly<Record<string, unknown>>, vignette: string): Profile => (v.profile as Profile | undefined) ?? standInProfile(vignette);
const reasoningOf = (v: Readonly<Record<string, unknown>>): Reasoning => (v.reasoning as Reasoning | undefined) ?? standInReasoning();

export const VIEWS = {
  /** "34-year-old female; chief complaint: …; history: …" */
  profile_summary: { roles: { profile: req("parse") }, render: (v, vig) => profileSummary(profileOf(v, vig)) },
  /** Current medications with doses, "none recorded", or "(not extracted …)" for a stand-in profile. */
  medications: { roles: { profile: req("parse") }, render: (v, vig) => formatMedications(profileOf(v, vig)) },
  allergies: { roles: { profile: req("parse") }, render: (v, vig) => formatAllergies(profileOf(v, vig)) },
  /** The first three diagnoses of the differential, "; "-joined; "(not available: step failed)" without one. */
  top_diagnoses: { roles: { reasoning: req("reason") }, render: (v) => topDiagnoses(reasoningOf(v)) },
  /** The leading diagnosis, else the chief complaint: the guideline retrieval query. */
  diagnosis_query: {
    roles: { reasoning: req("reason"), profile: req("parse") },
    render: (v, vig) => reasoningOf(v).differential[0]?.diagnosis ?? profileOf(v, vig).chief_complaint,
  },
  /** The CDS report as plain text with capped lists; assembled from the upstream outputs when the report is missing. */
  cds_report: {
    roles: { profile: req("parse"), reasoning: req("reason"), drugs: opt("drugs"), guidelines: opt("guidelines"), conflicts: opt("conflicts"), report: opt("synthesize") },
    render: (v, vig) =>
      condenseReport({
        profile: profileOf(v, vig),
        reasoning: reasoningOf(v),
        ...(v.drugs ? { drugs: v.drugs as DrugReview } : {}),
        ...(v.guidelines ? { guidelines: v.guidelines as GuidelineOutput } : {}),
        ...(v.conflicts ? { conflicts: v.conflicts as Conflicts } : {}),
        ...(v.report ? { report: v.report as Report } : {}),
      }),
  },
} satisfies Record<string, ViewDef>;

export type ViewName = keyof typeof VIEWS;
export const VIEW_NAMES = Object.keys(VIEWS) as [ViewName, ...ViewName[]];

/** Stand-ins a step can declare (`stand_in: profile`): what later steps read when it fails. */
export const STAND_INS = {
  /** The parse schema's profile with the case's vignette as the chief complaint, nothing extracted. */
  profile: { schema: "parse", make: (vignette: string): unknown => standInProfile(vignette) },
} as const;
export type StandInName = keyof typeof STAND_INS;
