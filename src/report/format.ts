// Shared by the Markdown, console, HTML, CSV and JUnit outputs: number formatting (one look everywhere), the stable
// case order, and the cached per-case labels (strata, diagnostic hit).
import { scoreDiagnostic, type DiagnosticHit } from "../scoring/diagnostic.js";
import type { QuestionType } from "../scoring/question-type.js";
import { caseStrata, type UsmleStep } from "../scoring/strata.js";
import type { Arm, CaseRecord, RunJson } from "../types.js";
import type { ProportionJson } from "./summary-schema.js";

export const DASH = "—";

export function pct(p: number | null | undefined, digits = 1): string {
  return p === null || p === undefined ? DASH : `${(p * 100).toFixed(digits)}%`;
}

/** "24.1–49.8%": the 95% Wilson interval of a proportion (DASH when n = 0). */
export function ci(x: ProportionJson): string {
  return x.lo === null || x.hi === null ? DASH : `${(x.lo * 100).toFixed(1)}–${(x.hi * 100).toFixed(1)}%`;
}

export const kn = (x: ProportionJson): string => `${x.k}/${x.n}`;

export function fmtMs(v: number | null | undefined): string {
  if (v === null || v === undefined) return DASH;
  if (Math.abs(v) < 1000) return `${Math.round(v)} ms`;
  if (Math.abs(v) < 600_000) return `${(v / 1000).toFixed(2)} s`;
  return `${(v / 60_000).toFixed(1)} min`;
}

export function fmtNum(v: number | null | undefined, digits = 0): string {
  if (v === null || v === undefined) return DASH;
  return v.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function usd(v: number | null | undefined): string {
  if (v === null || v === undefined) return DASH;
  // Cents for dollar amounts; three significant digits below a dollar (per-case costs are fractions of a cent).
  return Math.abs(v) >= 1 || v === 0 ? `$${v.toFixed(2)}` : `$${v.toPrecision(3)}`;
}

const ARM_ORDER: Record<Arm, number> = { direct: 0, pipeline: 1 };

/** Cases in a stable order: arm, then sampling order, then id (so outputs do not depend on journal order). */
export function orderedCases(cases: readonly CaseRecord[], sampledIds: readonly string[]): CaseRecord[] {
  const rank = new Map(sampledIds.map((id, i) => [id, i]));
  return [...cases].sort(
    (a, b) =>
      ARM_ORDER[a.arm] - ARM_ORDER[b.arm] ||
      (rank.get(a.case_id) ?? Infinity) - (rank.get(b.case_id) ?? Infinity) ||
      (a.case_id < b.case_id ? -1 : a.case_id > b.case_id ? 1 : 0),
  );
}

export interface CaseDerived {
  question_type: QuestionType;
  usmle_step: UsmleStep;
  /** Diagnostic scoring of the synthesized report; null for the direct arm. */
  dx: DiagnosticHit | null;
}

// Every output needs the same per-case scoring; compute it once per record (records are immutable here).
const derivedCache = new WeakMap<CaseRecord, CaseDerived & { dxStep: string | null }>();

/**
 * The step whose `differential` the diagnostic metrics score: the built-in pipeline's synthesize step; for a
 * `--pipeline FILE` run, the step its file declares with `differential: true` (run.json pipeline.differential), or
 * none — then there is no diagnostic section at all (never a column of 0% misses for a pipeline without one).
 */
export function differentialStep(run: Pick<RunJson, "pipeline">): string | null {
  return run.pipeline ? (run.pipeline.differential ?? null) : "synthesize";
}

/** scoring/diagnostic scores a record's `synthesize` step: a declared step of another name is scored in its place. */
function dxOf(r: CaseRecord, step: string): DiagnosticHit {
  return scoreDiagnostic(step === "synthesize" ? r : { ...r, steps: { synthesize: r.steps?.[step] } as CaseRecord["steps"] });
}

/**
 * Per-case strata labels and diagnostic hit, exactly as the summary counts them. `dxStep`: see differentialStep
 * (null → no diagnostic hit for any case).
 */
export function caseLabels(r: CaseRecord, dxStep: string | null = "synthesize"): CaseDerived {
  let d = derivedCache.get(r);
  if (d === undefined || d.dxStep !== dxStep) {
    d = { ...caseStrata(r), dx: r.arm === "pipeline" && dxStep !== null ? dxOf(r, dxStep) : null, dxStep };
    derivedCache.set(r, d);
  }
  return d;
}

/** The USMLE-step breakdown means something for MedQA and MedQA-style files, not for the other registry benchmarks. */
export function showUsmleStep(s: { run: { dataset: { registry?: string | undefined } } }): boolean {
  return s.run.dataset.registry === undefined || s.run.dataset.registry === "medqa";
}
