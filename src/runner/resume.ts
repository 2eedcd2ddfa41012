// The exact command that continues an interrupted or failed run: the original flags plus --resume DIR.

/** Flags (with their value) left out: the old --resume, and the API key, which must never be echoed. */
const DROPPED = ["--resume", "--api-key"];

export function resumeCommand(argv: readonly string[], dir: string): string {
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (DROPPED.includes(arg)) {
      i++; // skip its value too
      continue;
    }
    if (DROPPED.some((f) => arg.startsWith(`${f}=`))) continue;
    rest.push(arg);
  }
  const quote = (s: string) => (/^[\w./:=@%+,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);
  return ["npx", "run-validation", ...rest.map(quote), "--resume", quote(dir)].join(" ");
}
