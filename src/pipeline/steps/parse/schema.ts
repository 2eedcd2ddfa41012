// parse → the patient profile. Lenient: everything but the chief complaint may be missing.
import { z } from "zod";

const text = () => z.string().nullable().default(null);

export const ProfileSchema = z.object({
  age: z.union([z.number(), z.string()]).nullable().default(null).describe('years as a number, or text such as "3 weeks"'),
  sex: text(),
  chief_complaint: z.string(),
  hpi: z.string().default("").describe("history of present illness, concise"),
  past_history: z.array(z.string()).default([]),
  medications: z.array(z.object({ name: z.string(), dose: text() })).default([]),
  allergies: z.array(z.string()).default([]),
  labs: z
    .array(
      z.object({
        name: z.string(),
        value: z.union([z.string(), z.number()]),
        range: text(),
        abnormal: z.boolean().nullable().default(null),
      }),
    )
    .default([]),
  vitals: z
    .object({
      temperature: text(),
      heart_rate: text(),
      blood_pressure: text(),
      respiratory_rate: text(),
      oxygen_saturation: text(),
    })
    .partial()
    .default({}),
  exam: z.array(z.string()).default([]).describe("physical examination findings"),
  social_history: text(),
  family_history: text(),
});

export type Profile = z.infer<typeof ProfileSchema>;
