/** Exit codes by family (SPEC.md): input, task, lock, interrupt. */
export const EXIT = {
  OK: 0,
  /** A task or an undo failed. */
  FAILED: 1,
  /** Bad input: playbook, vars, flags, or a state that needs a decision (an unfinished run). */
  BAD_INPUT: 2,
  /** The state dir is locked by another run or undo. */
  LOCKED: 3,
  /** Interrupted by SIGINT/SIGTERM. */
  INTERRUPTED: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An error the user can act on: a message, an optional hint, and the exit code. Never a stack trace. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode = EXIT.BAD_INPUT,
    readonly hint?: string,
    /** Already printed (e.g. diagnostics): print nothing more. */
    readonly printed = false,
  ) {
    super(message);
    this.name = 'CliError';
  }
}
