// Documented exit codes (README "Exit codes"). CI tells a regression from a broken setup by them.
export const EXIT = {
  /** Completed (and, for diff, no significant regression). */
  OK: 0,
  /** diff --fail-on-regression: a significant accuracy drop or latency regression. */
  REGRESSION: 1,
  /** Usage, configuration or data error (bad flag, malformed record, resume with another config). */
  USAGE: 2,
  /** Endpoint unavailable: cold-start timeout, 401/403 (token lacks gated-model access). */
  ENDPOINT: 3,
  /** Completed, but the share of errored cases exceeds --max-error-rate. */
  ERROR_RATE: 4,
  /** Interrupted by SIGINT/SIGTERM; resume with the printed command. */
  INTERRUPTED: 130,
} as const;

/** An error the user can fix by changing flags, files or configuration: exit 2 with this message. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** The endpoint cannot be used at all: exit 3 with this message. */
export class EndpointUnavailableError extends Error {
  override name = "EndpointUnavailableError";
}
