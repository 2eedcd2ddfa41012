// Secrets are redacted BY VALUE wherever text leaves the process: the console (stdout/stderr), every file a
// run writes (journal lines, run.json, reports, events) and error messages. Whatever carried the key — a flag,
// its camelCase alias, `--api-key=…`, the environment, `.env`, or URL userinfo — its value is registered
// here once and never printed. Text is scrubbed at the last moment, so no code path can forget it.

const MASK = "***";
/** Secrets shorter than this are masked only as whole words (masking every "T" would garble the output). */
const SUBSTRING_MIN = 4;

const secrets = new Set<string>();

/** The forms a secret takes in output: raw, JSON-escaped, URL-encoded. */
function forms(s: string): string[] {
  const out = new Set([s, JSON.stringify(s).slice(1, -1), encodeURIComponent(s)]);
  return [...out].filter((f) => f.length > 0);
}

export function addSecret(value: string | null | undefined): void {
  const v = value?.trim();
  if (!v) return;
  for (const f of forms(v)) secrets.add(f);
}

/** Registers the credentials in a URL: the password, and the username when it is the only credential. */
export function addUrlSecrets(url: string | null | undefined): void {
  if (!url) return;
  let u: URL;
  try {
    u = new URL(url.trim());
  } catch {
    return;
  }
  const user = u.username;
  const pass = u.password;
  for (const raw of pass ? [pass, `${user}:${pass}`] : user ? [user] : []) {
    addSecret(raw);
    try {
      addSecret(decodeURIComponent(raw));
    } catch {
      /* not percent-encoded */
    }
  }
  for (const [k, v] of u.searchParams) if (/token|key|secret|password/i.test(k)) addSecret(v);
}

/** Every secret-bearing value of the environment (and `.env`), registered whether or not it is used. */
export function addEnvSecrets(env: NodeJS.ProcessEnv): void {
  for (const k of ["MEDGEMMA_API_KEY", "HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "OPENAI_API_KEY"]) addSecret(env[k]);
  addUrlSecrets(env.MEDGEMMA_BASE_URL);
}

/** Secrets on the raw command line, before any parsing (a parse error must not echo them either). */
export function addArgvSecrets(argv: readonly string[]): void {
  const keyFlags = ["api-key", "apiKey", "api_key", "require-token", "requireToken"];
  const urlFlags = ["base-url", "baseUrl"];
  for (let i = 0; i < argv.length; i++) {
    const t = argv[i]!;
    for (const f of [...keyFlags, ...urlFlags]) {
      const v = t === `--${f}` ? argv[i + 1] : t.startsWith(`--${f}=`) ? t.slice(f.length + 3) : undefined;
      if (v === undefined) continue;
      if (keyFlags.includes(f)) addSecret(v);
      else addUrlSecrets(v);
    }
  }
}

export function clearSecrets(): void {
  secrets.clear();
}

export function hasSecrets(): boolean {
  return secrets.size > 0;
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** `text` with every registered secret masked; longest first so a secret inside another is not half-masked. */
export function redactSecrets(text: string): string {
  if (secrets.size === 0 || text.length === 0) return text;
  let out = text;
  for (const s of [...secrets].sort((a, b) => b.length - a.length)) {
    if (s.length >= SUBSTRING_MIN) {
      if (out.includes(s)) out = out.split(s).join(MASK);
    } else {
      out = out.replace(new RegExp(`(?<![\\w-])${escapeRe(s)}(?![\\w-])`, "g"), MASK);
    }
  }
  return out;
}

/** True when `token` equals or contains a registered secret (the resume hint drops such argv tokens). */
export function containsSecret(token: string): boolean {
  return redactSecrets(token) !== token;
}

let installed = false;

/** Scrubs everything written to process.stdout / process.stderr (console.* included). Idempotent. */
export function installOutputRedaction(): void {
  if (installed) return;
  installed = true;
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      if (secrets.size > 0) {
        if (typeof chunk === "string") chunk = redactSecrets(chunk);
        else if (chunk instanceof Uint8Array) chunk = redactSecrets(Buffer.from(chunk).toString("utf8"));
      }
      return write(chunk, ...rest);
    }) as typeof stream.write;
  }
}
