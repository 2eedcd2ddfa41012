// Renders the top-level `run-validation --help` at build time for the two widths it is nearly always shown at
// (a terminal of ≥ 120 columns, and a pipe: 100), so `--help` prints a file instead of loading yargs. Other widths
// fall back to yargs at run time. Runs after tsc (npm run build); the text comes from the real parser.
import { mkdirSync, writeFileSync } from "node:fs";

const { renderHelp } = await import("../dist/cli.js");
mkdirSync("dist/help", { recursive: true });
for (const width of [100, 120]) writeFileSync(`dist/help/${width}.txt`, (await renderHelp(width)) + "\n");
