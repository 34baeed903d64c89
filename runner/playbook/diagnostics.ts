/**
 * Diagnostics: problems found in a playbook, a vars file or the values given to it, each with
 * the place it points at. The front end reports every problem at once as a list of these; it
 * never throws for a problem in the user's input.
 */

/** One problem, compiler style. Positions are 1-based; `line: 0` means "no position" (the file as a whole). */
export interface Diagnostic {
  /** The file as the user named it (or `<command line>` for `--var`). */
  file: string;
  line: number;
  col: number;
  /** End of the span, exclusive column on `endLine`. */
  endLine?: number;
  endCol?: number;
  severity: 'error' | 'warning';
  message: string;
  /** What was expected at that place, e.g. "a list of task ids". */
  expected?: string;
  /** How to fix it. */
  hint?: string;
  /** The source line holds a secret: print the position, never the line. */
  sensitive?: boolean;
}

/** The pseudo file used for problems in `--var` arguments. */
export const COMMAND_LINE = '<command line>';

/** An error carrying diagnostics, for APIs that return a value (e.g. {@link loadVarsFile}). */
export class DiagnosticError extends Error {
  constructor(readonly diagnostics: Diagnostic[]) {
    super(diagnostics.map((d) => d.message).join('; ') || 'invalid input');
    this.name = 'DiagnosticError';
  }
}

/** True when any diagnostic is an error. */
export function hasErrors(diags: readonly Diagnostic[]): boolean {
  return diags.some((d) => d.severity === 'error');
}

/** Sorts by file, line, column (stable), the order a reader expects. */
export function sortDiagnostics(diags: Diagnostic[]): Diagnostic[] {
  return diags
    .map((d, i) => ({ d, i }))
    .sort((a, b) =>
      a.d.file === b.d.file
        ? a.d.line - b.d.line || a.d.col - b.d.col || a.i - b.i
        : a.d.file < b.d.file
          ? -1
          : 1,
    )
    .map((x) => x.d);
}

/** Removes exact duplicates (same place and message). */
export function dedupeDiagnostics(diags: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return diags.filter((d) => {
    const k = `${d.file}\0${d.line}\0${d.col}\0${d.severity}\0${d.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** Converts an unexpected exception into a diagnostic (no stack trace reaches the user). */
export function internalDiagnostic(file: string, err: unknown, what: string): Diagnostic {
  const msg = err instanceof Error ? err.message : String(err);
  return {
    file,
    line: 0,
    col: 0,
    severity: 'error',
    message: `internal error while ${what}: ${msg}`,
    hint: 'this is a bug in bootstrap; please report it with the playbook that triggers it',
  };
}
