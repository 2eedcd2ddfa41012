// Documented exit codes (README "Exit codes"). CI tells a regression from a broken setup by them.
export const EXIT = {
  /** Completed (and, for diff, no significant regression). */
  OK: 0,
  /** diff --fail-on-regression: a significant accuracy drop or latency regression. Nothing else exits 1. */
  REGRESSION: 1,
  /** Usage, configuration, data or local file error (bad flag, malformed record, unreadable file, corrupt journal,
   *  resume with another config, run folder locked by another process, port in use). */
  USAGE: 2,
  /** Endpoint unavailable: cold-start timeout, 401/403 (token lacks gated-model access). */
  ENDPOINT: 3,
  /** Completed, but the share of errored cases exceeds --max-error-rate. */
  ERROR_RATE: 4,
  /** The journal (cases.jsonl) could not be written (disk full, read-only, …): the run stopped at once; what was
   *  journaled is kept and the printed resume command continues it. A local problem, never an endpoint one. */
  JOURNAL_WRITE: 5,
  /** An internal error (a bug): one line, the stack trace with DEBUG=1. */
  INTERNAL: 70,
  /** Interrupted by SIGINT/SIGTERM; resume with the printed command. */
  INTERRUPTED: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An error the user can fix by changing flags, files or configuration: exit 2 with this message. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** The endpoint cannot be used at all: exit 3 with this message. */
export class EndpointUnavailableError extends Error {
  override name = "EndpointUnavailableError";
}

/** Errors (by name, so this module imports nothing heavy) whose message is meant for the user: exit 2. */
const USER_ERRORS = new Set(["UsageError", "DataError", "FetchError", "MergeError", "DiffInputError", "LegacyFormatError", "JournalError", "LockError", "RangeError"]);

/** Local file-system and socket problems the user fixes (permissions, a missing file, a port in use): exit 2. */
const LOCAL_CODES = new Set([
  "EACCES", "EPERM", "ENOENT", "EISDIR", "ENOTDIR", "EEXIST", "EROFS", "ENOSPC", "EDQUOT", "EMFILE", "ENFILE",
  "ELOOP", "ENAMETOOLONG", "EADDRINUSE", "EADDRNOTAVAIL", "ERR_INVALID_URL",
]);

/** What to print and which code to return for an error that ended a command. Pure (tested for each code). */
export function classifyExit(err: unknown, debug: boolean = Boolean(process.env.DEBUG)): { code: ExitCode; message: string } {
  const e = err as { name?: unknown; code?: unknown; message?: unknown; stack?: unknown } | null;
  const message = err instanceof Error ? err.message : String(err);
  const oneLine = message.split("\n")[0]!.trim() || String(e?.name ?? "error");
  const withStack = (m: string) => (debug && typeof e?.stack === "string" ? `${m}\n${e.stack}` : m);
  if (err instanceof EndpointUnavailableError) return { code: EXIT.ENDPOINT, message: withStack(message) };
  if (e && typeof e === "object") {
    if (typeof e.name === "string" && USER_ERRORS.has(e.name)) return { code: EXIT.USAGE, message: withStack(message) };
    if (typeof e.code === "string" && LOCAL_CODES.has(e.code)) return { code: EXIT.USAGE, message: withStack(oneLine) };
  }
  return {
    code: EXIT.INTERNAL,
    message: debug ? withStack(`internal error: ${oneLine}`) : `internal error: ${oneLine} (a bug; run with DEBUG=1 for the stack trace)`,
  };
}
