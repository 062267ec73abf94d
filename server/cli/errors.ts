/**
 * Exit codes are part of the CLI's contract (scripts and CI jobs branch on them); docs/cli.md
 * lists the same table.
 */
export const EXIT = {
  OK: 0,
  /** The operation ran and failed: a release failed or rolled back, a wait timed out, a conflict. */
  FAILURE: 1,
  /** The input was wrong: usage, a bad flag or file, an unknown name, a config the server rejected. */
  USAGE: 2,
  /** The server could not be reached, or refused the token (missing, invalid, revoked). */
  UNREACHABLE: 3,
  /** The token is valid but may not do this: its role, or its application scope (FORBIDDEN). */
  FORBIDDEN: 4,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/**
 * An expected failure the user can act on. The top level prints `message` as one line and `hint`
 * below it, then exits with `exitCode`: never a stack trace.
 */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode = EXIT.FAILURE,
    readonly hint?: string,
    /** Extra lines printed between the message and the hint (e.g. one per user error). */
    readonly details: string[] = [],
  ) {
    super(message);
  }
}

export function usageError(message: string, hint?: string): CliError {
  return new CliError(message, EXIT.USAGE, hint);
}
