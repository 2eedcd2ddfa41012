// The exact command that continues an interrupted or failed run: the original flags plus --resume DIR.
export function resumeCommand(argv: readonly string[], dir: string): string {
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--resume") {
      i++;
      continue;
    }
    if (argv[i]!.startsWith("--resume=")) continue;
    rest.push(argv[i]!);
  }
  const quote = (s: string) => (/^[\w./:=@%+,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);
  return ["npx", "run-validation", ...rest.map(quote), "--resume", quote(dir)].join(" ");
}
