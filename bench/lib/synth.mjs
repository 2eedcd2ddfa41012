// Synthetic MedQA-format JSONL (question, options A–D, answer, answer_idx, meta_info, metamap_phrases) made of
// random fake vignettes from a small invented vocabulary — no MedQA text. Seeded, so every bench run
// generates the same file. Vignette lengths follow MedQA's rough shape (≈ 400–1,400 characters).
import { createWriteStream } from "node:fs";

function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const AGES = ["23", "34", "45", "52", "61", "67", "72", "8", "15", "29"];
const WHO = ["man", "woman", "boy", "girl"];
const COMPLAINTS = ["fatigue", "cough", "fever", "chest discomfort", "headache", "abdominal pain", "joint swelling", "rash", "dizziness", "weight loss", "night sweats", "dyspnea", "palpitations", "back pain", "vomiting"];
const DURATIONS = ["2 days", "1 week", "3 weeks", "2 months", "6 hours", "4 days", "1 year"];
const HISTORY = ["hypertension", "type 2 diabetes mellitus", "asthma", "hypothyroidism", "chronic kidney disease", "migraine", "depression", "hyperlipidemia", "osteoarthritis", "atrial fibrillation"];
const DRUGS = ["lisinopril", "metformin", "albuterol", "levothyroxine", "sertraline", "atorvastatin", "warfarin", "omeprazole", "ibuprofen", "amlodipine"];
const FINDINGS = ["a tender right upper quadrant", "bilateral crackles at the lung bases", "a grade 2/6 systolic murmur", "pallor of the conjunctivae", "an erythematous macular rash over the trunk", "decreased breath sounds on the left", "hepatomegaly", "pedal edema", "a non-tender thyroid nodule", "hyperreflexia"];
const LABS = ["Hemoglobin", "Leukocyte count", "Platelet count", "Serum sodium", "Serum potassium", "Creatinine", "Glucose", "AST", "ALT", "TSH"];
const FILLER = ["He reports no recent travel.", "She does not smoke.", "There is no family history of similar symptoms.", "He drinks alcohol occasionally.", "She works as a teacher.", "Vital signs are otherwise within normal limits.", "The remainder of the examination shows no abnormalities.", "He has been taking an over-the-counter supplement.", "Her symptoms worsen in the evening.", "He was recently started on a new medication."];
const ASK = ["Which of the following is the most likely diagnosis?", "Which of the following is the most appropriate next step in management?", "Which of the following is the most likely underlying mechanism?", "Which of the following is the most appropriate pharmacotherapy?"];
const ANSWERS = ["Acute pyelonephritis", "Iron deficiency anemia", "Pulmonary embolism", "Graves disease", "Start intravenous fluids", "Obtain a chest CT scan", "Inhibition of cyclooxygenase", "Reassurance and follow-up", "Community-acquired pneumonia", "Nephrotic syndrome", "Administer oral corticosteroids", "Reduced renal clearance", "Hepatitis A infection", "Perform lumbar puncture", "Vitamin B12 deficiency", "Begin anticoagulation"];

export function syntheticRecord(r) {
  const pick = (a) => a[Math.floor(r() * a.length)];
  const parts = [
    `A ${pick(AGES)}-year-old ${pick(WHO)} comes to the physician because of ${pick(COMPLAINTS)} and ${pick(COMPLAINTS)} for ${pick(DURATIONS)}.`,
    `Past medical history includes ${pick(HISTORY)} and ${pick(HISTORY)}; current medications are ${pick(DRUGS)} and ${pick(DRUGS)}.`,
  ];
  const extra = 2 + Math.floor(r() * 8);
  for (let i = 0; i < extra; i++) parts.push(pick(FILLER));
  parts.push(`Temperature is ${(36.5 + r() * 3).toFixed(1)}°C, pulse is ${60 + Math.floor(r() * 60)}/min, and blood pressure is ${100 + Math.floor(r() * 60)}/${60 + Math.floor(r() * 30)} mm Hg.`);
  parts.push(`Examination shows ${pick(FINDINGS)} and ${pick(FINDINGS)}.`);
  if (r() < 0.6) parts.push(`Laboratory studies show: ${LABS.slice(0, 3 + Math.floor(r() * 7)).map((l) => `${l} ${(r() * 100).toFixed(1)}`).join(", ")}.`);
  parts.push(pick(ASK));
  const opts = new Set();
  while (opts.size < 4) opts.add(pick(ANSWERS));
  const letters = ["A", "B", "C", "D"];
  const options = Object.fromEntries([...opts].map((o, i) => [letters[i], o]));
  const idx = letters[Math.floor(r() * 4)];
  return {
    question: parts.join(" "),
    answer: options[idx],
    options,
    meta_info: r() < 0.5 ? "step1" : "step2&3",
    answer_idx: idx,
    metamap_phrases: parts.slice(0, 3).flatMap((p) => p.split(/[,;.]/).map((s) => s.trim()).filter(Boolean)),
  };
}

/** Writes `n` synthetic records to `file`; resolves when flushed. */
export function writeSynthetic(file, n, seed = 20240601) {
  const r = rng(seed);
  const out = createWriteStream(file);
  for (let i = 0; i < n; i++) out.write(JSON.stringify(syntheticRecord(r)) + "\n");
  return new Promise((res, rej) => {
    out.on("error", rej);
    out.end(res);
  });
}
