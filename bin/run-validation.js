#!/usr/bin/env node
// Thin launcher: the compiled CLI lives in dist/ (built by `npm ci` via the prepare script).
// main() maps every error to a documented exit code; reaching this catch is a bug (exit 70, see README).
import("../dist/cli.js").then((m) => m.main(process.argv.slice(2))).catch((err) => {
  console.error(`internal error: ${process.env.DEBUG ? (err?.stack ?? String(err)) : (err?.message ?? String(err))}`);
  process.exit(70);
});
