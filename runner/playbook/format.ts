/**
 * The diagnostic printer: `file:line:col: error: message`, the source line, a marker under
 * the span, then `expected:` and `hint:` lines, and a count at the end. No terminal library:
 * ANSI codes are used only when `color` is asked for.
 */
import path from 'node:path';
import type { Diagnostic } from './diagnostics.js';

/** Where the printer finds the text of a file (to show the offending line). */
export type SourceLookup = ReadonlyMap<string, string> | ((file: string) => string | undefined);

export interface FormatOptions {
  color: boolean;
  /** When given, files under this directory are shown relative to it. */
  cwd?: string;
}

const ANSI = {
  bold: '\x1b[1m',
  red: '\x1b[31m',
  yellow: '\x1b[33m',
  cyan: '\x1b[36m',
  green: '\x1b[32m',
  dim: '\x1b[2m',
  reset: '\x1b[0m',
};

/** Splits text into lines the way positions count them (`\n`, with `\r` and a BOM removed). */
export function sourceLines(text: string): string[] {
  return text.replace(/^\uFEFF/, '').split('\n').map((l) => l.replace(/\r$/, ''));
}

/** Formats diagnostics like a compiler. Returns '' when there are none. */
export function formatDiagnostics(diags: readonly Diagnostic[], sources: SourceLookup, opts: FormatOptions): string {
  const paint = (code: string, s: string) => (opts.color ? `${code}${s}${ANSI.reset}` : s);
  const lookup = typeof sources === 'function' ? sources : (f: string) => sources.get(f);
  const cache = new Map<string, string[] | undefined>();
  const linesOf = (file: string) => {
    if (!cache.has(file)) {
      let text: string | undefined;
      try {
        text = lookup(file);
      } catch {
        text = undefined;
      }
      cache.set(file, text === undefined ? undefined : sourceLines(text));
    }
    return cache.get(file);
  };

  const out: string[] = [];
  for (const d of diags) {
    const shown = displayFile(d.file, opts.cwd);
    const where = d.line > 0 ? `${shown}:${d.line}:${d.col}` : shown;
    const sev = d.severity === 'error' ? paint(ANSI.bold + ANSI.red, 'error') : paint(ANSI.bold + ANSI.yellow, 'warning');
    out.push(`${paint(ANSI.bold, where + ':')} ${sev}: ${paint(ANSI.bold, d.message)}`);
    const lines = d.line > 0 && !d.sensitive ? linesOf(d.file) : undefined;
    const src = lines?.[d.line - 1];
    if (src !== undefined) {
      const num = String(d.line);
      const gutter = ' '.repeat(num.length);
      const start = Math.min(Math.max(d.col - 1, 0), src.length);
      let end: number;
      if (d.endLine !== undefined && d.endLine > d.line) end = src.length;
      else if (d.endCol !== undefined) end = Math.min(Math.max(d.endCol - 1, start + 1), Math.max(src.length, start + 1));
      else end = start + 1;
      // Keep tabs in the marker's indentation so the marker lines up under the text.
      const pad = src.slice(0, start).replace(/[^\t]/g, ' ');
      const marker = '^' + '~'.repeat(Math.max(0, end - start - 1));
      out.push(` ${paint(ANSI.dim, `${num} |`)} ${src}`);
      out.push(` ${paint(ANSI.dim, `${gutter} |`)} ${pad}${paint(ANSI.bold + ANSI.green, marker)}`);
    }
    if (d.expected) out.push(`  ${paint(ANSI.cyan, 'expected:')} ${d.expected}`);
    if (d.hint) out.push(`  ${paint(ANSI.cyan, 'hint:')} ${d.hint}`);
  }
  const errors = diags.filter((d) => d.severity === 'error').length;
  const warnings = diags.length - errors;
  if (diags.length > 0) {
    const parts: string[] = [];
    if (errors) parts.push(`${errors} error${errors === 1 ? '' : 's'}`);
    if (warnings) parts.push(`${warnings} warning${warnings === 1 ? '' : 's'}`);
    out.push('');
    out.push(paint(ANSI.bold, parts.join(' and ')));
  }
  return diags.length ? out.join('\n') + '\n' : '';
}

function displayFile(file: string, cwd: string | undefined): string {
  if (!cwd || !path.isAbsolute(file)) return file;
  const rel = path.relative(cwd, file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}
