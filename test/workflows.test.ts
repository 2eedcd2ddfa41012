// The CI workflows are code too: they must parse, and every `run-validation` they call must be a real
// subcommand with real flags (a typo there only shows up at 03:17 UTC otherwise).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const ROOT = join(import.meta.dirname, "..");
const SUBCOMMANDS = ["run", "fetch", "emulator", "report", "diff", "merge", "trend"] as const;
const cliSource = readFileSync(join(ROOT, "src", "cli.ts"), "utf8");

interface Step {
  name?: string;
  run?: string;
  uses?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Workflow {
  name: string;
  on: Record<string, unknown>;
  env?: Record<string, string>;
  jobs: Record<string, { steps: Step[]; env?: Record<string, string>; needs?: string; strategy?: { matrix: Record<string, unknown> } }>;
}

function load(file: string): Workflow {
  return parse(readFileSync(join(ROOT, ".github", "workflows", file), "utf8")) as Workflow;
}

const allSteps = (w: Workflow): Step[] => Object.values(w.jobs).flatMap((j) => j.steps);
const scripts = (w: Workflow): string[] => allSteps(w).flatMap((s) => (s.run ? [s.run.replace(/\\\n/g, " ")] : []));

interface Invocation {
  subcommand: string;
  flags: string[];
  text: string;
}

/** Every `run-validation …` call in a script; a first argument that is a flag (or none) means the default run. */
function invocations(script: string): Invocation[] {
  const out: Invocation[] = [];
  for (const line of script.split("\n")) {
    for (const m of line.matchAll(/run-validation((?:\s+[^\s;|&)]+)*)/g)) {
      const args = m[1]!.trim().split(/\s+/).filter(Boolean);
      const first = args[0];
      const subcommand = first === undefined || first.startsWith("-") ? "run" : first;
      out.push({ subcommand, flags: args.filter((a) => a.startsWith("--")).map((a) => a.slice(2).split("=")[0]!), text: m[0] });
    }
  }
  return out;
}

/** Flags the CLI declares (`.option("name"`), plus yargs' automatic `--no-<boolean>` negations. */
const declaredFlags = new Set([...cliSource.matchAll(/\.option\("([a-z0-9-]+)"/g)].map((m) => m[1]!));
const flagExists = (f: string): boolean => declaredFlags.has(f) || (f.startsWith("no-") && declaredFlags.has(f.slice(3)));
/** Subcommands the CLI declares (`.command("name …"`), the default `$0` being `run`. */
const declaredCommands = new Set([...cliSource.matchAll(/\.command\(\s*"([^"\s]+)/g)].map((m) => (m[1] === "$0" ? "run" : m[1]!)));

describe.each(["nightly-validation.yml", "pr.yml"])("%s", (file) => {
  const wf = load(file);
  const calls = scripts(wf).flatMap(invocations);

  it("parses as a workflow with jobs and steps", () => {
    expect(typeof wf.name).toBe("string");
    expect(Object.keys(wf.jobs).length).toBeGreaterThan(0);
    for (const step of allSteps(wf)) expect(step.run !== undefined || step.uses !== undefined).toBe(true);
  });

  it("invokes only the CLI's subcommands, with declared flags", () => {
    expect(calls.length).toBeGreaterThan(0);
    for (const c of calls) {
      expect(SUBCOMMANDS, c.text).toContain(c.subcommand);
      expect(declaredCommands.has(c.subcommand), `${c.subcommand} is declared in src/cli.ts`).toBe(true);
      for (const f of c.flags) expect(flagExists(f), `--${f} in "${c.text}"`).toBe(true);
    }
  });

  it("uses Node 20 and npm ci", () => {
    const setup = allSteps(wf).filter((s) => s.uses?.startsWith("actions/setup-node"));
    expect(setup.length).toBeGreaterThan(0);
    for (const s of setup) expect(String(s.with?.["node-version"])).toBe("20");
    expect(allSteps(wf).some((s) => s.run === "npm ci")).toBe(true);
  });
});

describe("nightly-validation.yml", () => {
  const wf = load("nightly-validation.yml");
  const calls = scripts(wf).flatMap(invocations);
  const text = readFileSync(join(ROOT, ".github", "workflows", "nightly-validation.yml"), "utf8");

  it("runs on a schedule and on demand, with the endpoint from secrets", () => {
    expect(wf.on).toHaveProperty("schedule");
    expect(wf.on).toHaveProperty("workflow_dispatch");
    expect(wf.jobs.run!.env).toEqual({
      MEDGEMMA_BASE_URL: "${{ secrets.MEDGEMMA_BASE_URL }}",
      MEDGEMMA_API_KEY: "${{ secrets.MEDGEMMA_API_KEY }}",
      MEDGEMMA_MODEL_ID: "${{ secrets.MEDGEMMA_MODEL_ID }}",
    });
  });

  it("runs 50 MedQA cases with seed 42 in 4 shards, then merges them", () => {
    expect(wf.jobs.run!.strategy!.matrix.shard).toEqual([1, 2, 3, 4]);
    const run = calls.find((c) => c.subcommand === "run")!;
    expect(run.flags).toEqual(expect.arrayContaining(["medqa", "max-cases", "seed", "shard", "out"]));
    expect(wf.env).toMatchObject({ SEED: "42" });
    expect(text).toContain("inputs.max_cases || '50'");
    expect(calls.map((c) => c.subcommand)).toEqual(expect.arrayContaining(["merge", "report", "diff"]));
    expect(wf.jobs.compare!.needs).toBe("run");
  });

  it("gates on the diff and publishes its Markdown to the step summary", () => {
    const diff = calls.find((c) => c.subcommand === "diff")!;
    expect(diff.flags).toEqual(expect.arrayContaining(["fail-on-regression", "markdown"]));
    expect(diff.text).toContain("reports/baselines/");
    expect(scripts(wf).some((s) => /cat diff\.md >> "\$GITHUB_STEP_SUMMARY"/.test(s))).toBe(true);
  });

  it("uploads the run directories as artifacts", () => {
    const uploads = allSteps(wf).filter((s) => s.uses?.startsWith("actions/upload-artifact"));
    expect(uploads.map((u) => u.with?.name)).toEqual(expect.arrayContaining(["shard-${{ matrix.shard }}", "nightly-run"]));
  });
});

describe("pr.yml", () => {
  const wf = load("pr.yml");
  const calls = scripts(wf).flatMap(invocations);

  it("tests, fetches MedQA and smoke-runs 10 cases on the emulator with --data", () => {
    expect(allSteps(wf).some((s) => s.run === "npm test")).toBe(true);
    expect(calls.find((c) => c.subcommand === "fetch")!.text).toMatch(/fetch medqa/);
    const run = calls.find((c) => c.subcommand === "run")!;
    expect(run.flags).toEqual(expect.arrayContaining(["data", "max-cases"]));
    expect(run.text).toMatch(/--max-cases 10/);
    // The smoke job must not see endpoint secrets: it has to use the embedded emulator.
    expect(JSON.stringify(wf.jobs.smoke)).not.toMatch(/secrets\./);
  });
});

describe("invocations parser", () => {
  // [script, expected subcommands]
  const table: Array<[string, string[]]> = [
    ["npx run-validation --medqa --max-cases 5", ["run"]],
    ["X=$(npx run-validation fetch medqa)", ["fetch"]],
    ['npx run-validation diff a b --fail-on-regression && npx run-validation merge x --out "$RUN"', ["diff", "merge"]],
    ["npx run-validation", ["run"]],
  ];
  it.each(table)("%s", (script, subs) => {
    expect(invocations(script).map((c) => c.subcommand)).toEqual(subs);
  });
});
