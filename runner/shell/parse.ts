/** Parsing of shell fields: `${{ }}` splitting, then the bash tokeniser to tag contexts. */
import { parseTemplate } from '../expr/template.js';
import type { SourcePos } from '../playbook/model.js';
import { MSG } from './messages.js';
import { scanShell } from './scanner.js';
import type { ShellContext, ShellTemplate } from './template.js';

/** A problem in a shell field, at an offset into its source. */
export interface ShellError {
  offset: number;
  length: number;
  message: string;
}

/**
 * Parse a shell field (`run`, `undo`, `unless`, `preconditions[].run`): split out the
 * `${{ }}` interpolations and tag each with the quoting context it sits in. Every problem is
 * reported (expression errors, interpolations where no quoting can make a value inert, NUL
 * characters); offsets are into `source`, an interpolation's error covers its whole `${{ }}`.
 * A part with an error still gets a context (`bare`), so callers must check `errors` first.
 */
export function parseShellTemplate(
  source: string,
  pos: SourcePos,
): { template: ShellTemplate; errors: ShellError[] } {
  const { template, errors: exprErrors } = parseTemplate(source, pos);
  const errors: ShellError[] = exprErrors.map((e) => ({ offset: e.offset, length: e.length, message: e.message }));
  for (let i = source.indexOf('\0'); i >= 0; i = source.indexOf('\0', i + 1)) {
    errors.push({ offset: i, length: 1, message: MSG.nul });
  }
  const text = template.parts.map((p) => ('text' in p ? p.text.replaceAll('\0', ' ') : '\0')).join('');
  const results = scanShell(text);
  let k = 0;
  const parts: ShellTemplate['parts'] = template.parts.map((p) => {
    if ('text' in p) return { text: p.text };
    const r = results[k++]!;
    let context: ShellContext = 'bare';
    if ('error' in r) errors.push({ offset: p.offset - 3, length: p.source.length + 5, message: r.error });
    else context = r.context;
    return { expr: p.expr, source: p.source, offset: p.offset, context };
  });
  errors.sort((a, b) => a.offset - b.offset);
  return { template: { source, pos, parts }, errors };
}
