// Question type from the stem (the question's final sentence), by ordered regular-expression rules: the first
// rule that matches wins. Order encodes precedence where stems combine cues: "the mechanism of action of the most
// appropriate drug" is pharmacology (before treatment and mechanism); "next step in diagnosis" is diagnosis
// (before the "next step" → treatment rule); statistics and ethics cues are the most specific, so they go first.
// "Most likely cause/organism" reads as etiology (diagnosis) and outranks the lab and anatomy cues it often
// shares a sentence with ("the most likely cause of this patient's low serum sodium").

export const QUESTION_TYPES = [
  "diagnosis",
  "treatment",
  "mechanism",
  "pharmacology",
  "lab_finding",
  "anatomy",
  "epidemiology",
  "ethics",
  "other",
] as const;
export type QuestionType = (typeof QUESTION_TYPES)[number];

const RULES: ReadonlyArray<readonly [QuestionType, RegExp]> = [
  [
    "epidemiology",
    /\b((?<!insulin )sensitivity|specificity|predictive value|likelihood ratio|odds ratio|relative risk|risk ratio|attributable risk|absolute risk|number needed to (?:treat|harm)|incidence|prevalence|study design|type of (?:study|bias)|\w+ bias|confound\w*|p[- ]value|confidence interval|statistical(?:ly)? \w+|null hypothesis|type (?:i|ii|1|2) error|power of (?:the|this) study|hazard ratio|case[- ]control|cohort study|cross[- ]sectional|randomi[sz]ed)\b/,
  ],
  [
    "ethics",
    /\b(informed consent|consent|confidential\w*|ethic\w*|autonomy|surrogate|advance directive|power of attorney|disclos\w*|(?:most appropriate|best|correct) (?:\w+ ){0,2}(?:response|reply|statement)|(?:most )?appropriate (?:response|reply|statement|action) (?:by|from|of) the (?:physician|doctor|resident|student)|(?:action|step) for the (?:resident|physician|student)|what should the (?:physician|doctor|resident) (?:say|tell|do)|(?:physician|doctor|resident) (?:should|say|tell)|refus\w* (?:treatment|care|transfusion))\b/,
  ],
  [
    "pharmacology",
    /\b(mechanisms? of action|adverse (?:effect|event|reaction)s?|side effects?|toxicit\w*|pharmacokinetic\w*|pharmacodynamic\w*|half[- ]life|drug interaction|(?:drug|medication|agent|therapy|pharmacotherapy)s? (?:\w+ ){0,4}(?:act|acts|works?|inhibits?|blocks?|binds?|targets?|effect)|(?:this|the) (?:drug|medication|agent)(?:'s)? (?:\w+ ){0,3}(?:mechanism|effect)|(?:drug|medication) (?:is )?most likely (?:responsible|to have caused|caused)|receptors?|targeted by (?:this|the) (?:drug|medication|agent))\b/,
  ],
  [
    "diagnosis",
    /\b(next (?:best )?step in (?:the )?(?:diagnosis|evaluation|diagnostic|workup|work-up)|(?:most appropriate|best) (?:initial |next |confirmatory )?(?:diagnostic )?(?:test|study|investigation)|confirm the diagnosis)\b/,
  ],
  [
    "treatment",
    /\b(treat\w*|management|manage|therapy|pharmacotherapy|next (?:best )?step|most appropriate (?:initial |next )?(?:intervention|action|course|measure)|should be (?:administered|prescribed|given|started|initiated|added)|prevent\w*|prophylaxis|recommend\w*|(?:drug|medication)s? (?:is|would be) (?:the )?most (?:appropriate|effective|beneficial)|would have prevented|intervention)\b/,
  ],
  ["diagnosis", /\b(diagnos\w*)\b/],
  [
    "mechanism",
    /\b(mechanism|pathophysiolog\w*|pathogenesis|(?:most likely )?(?:due to|caused by|explains?|explanation|responsible for)|underlying (?:process|defect|abnormality)|mediated by|deficien\w* of which|(?:gene|enzyme|protein|cell type|cytokine)s? (?:\w+ )?(?:is|are) (?:most likely )?(?:affected|involved|defective|deficient|mutated|responsible))\b/,
  ],
  [
    "diagnosis",
    /\b(etiolog\w*|most likely (?:cause|etiology|causal|causative|underlying (?:cause|condition)|condition|disease|disorder|pathogen|organism)|causal (?:organism|agent)|causative (?:organism|agent)|(?:is|has) most likely (?:infected|affected)|this patient(?:'s)? (?:condition|disease) is)\b/,
  ],
  [
    "lab_finding",
    /\b(laborator\w*|lab(?:s)? |serum|plasma|urinalysis|urine|blood (?:smear|test|gas|count)|arterial blood gas|csf|cerebrospinal fluid|biopsy|histolog\w*|microscop\w*|(?:most likely|expected) to (?:show|reveal|demonstrate|be found|be seen|be elevated|be decreased|be increased)|most likely (?:\w+ )?(?:finding|findings)|(?:additional|other) (?:\w+ )?(?:findings?|features?)|(?:likely|expected) (?:to be )?(?:seen|present|found)|(?:findings?|values?|levels?|concentrations?) (?:is|are|would be) (?:most likely|expected)|ecg|ekg|electrocardiogram|x-ray|imaging|(?:will|would) (?:most likely )?(?:show|reveal|demonstrate))\b/,
  ],
  [
    "anatomy",
    /\b(nerve|artery|arteries|vein|muscle|ligament|tendon|structures?|anatom\w*|embryolog\w*|derived from|originat\w*|lesion (?:is )?(?:most likely )?located|site of (?:the )?(?:lesion|injury|obstruction)|(?:injured|damaged|compressed|transected)|foramen|dermatome|vessel|lobe|brodmann)\b/,
  ],
];

/** The type of a question, from its stem (case-insensitive). Unmatched stems are `other`. */
export function questionType(stem: string): QuestionType {
  // Typographic apostrophes read as straight ones, so "the drug’s mechanism" meets the "drug's" cue.
  const s = stem.toLowerCase().replace(/\s+/g, " ").replace(/[‘’]/g, "'");
  for (const [type, re] of RULES) if (re.test(s)) return type;
  return "other";
}
