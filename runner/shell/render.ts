/**
 * Rendering of shell templates for execution: values never enter the script text. Each
 * interpolation becomes a reference to a shell variable `__bs_<i>`, quoted for its context,
 * and the value travels in the environment variable `__BOOTSTRAP_V<i>`, which a one-line
 * preamble copies into the (unexported) shell variable and unsets. So no value can end its
 * word or start a command, values stay out of argv (`ps`), and child processes do not
 * inherit them. Names starting with `__bs_` and `__BOOTSTRAP_V` are reserved in scripts,
 * and the caller's environment must not define `__bs_*` (it would stay exported).
 */
import type { ShellContext, ShellTemplate } from './template.js';

/** Text that replaces an interpolation in a comment: the expression, reduced to inert characters. */
export function commentPlaceholder(source: string): string {
  return `{{ ${source.trim().replace(/[^A-Za-z0-9_.\- ]+/g, '_')} }}`;
}

/** The reference to the variable of interpolation `n` for its context. */
function reference(n: number, context: ShellContext): string {
  return context === 'bare' ? `"\${__bs_${n}}"` : `\${__bs_${n}}`;
}

/**
 * Render a shell template with its values (`values[i]` is the stringified value of the i-th
 * interpolation). Returns the script and the environment variables that carry the values
 * (to add to the child's environment). The preamble is on the script's first line, so
 * bash's line numbers match the source. Throws when a value contains NUL (bash cannot hold it).
 */
export function renderShell(t: ShellTemplate, values: string[]): { script: string; env: Record<string, string> } {
  let preamble = '';
  let body = '';
  const env: Record<string, string> = {};
  let n = 0;
  for (const p of t.parts) {
    if ('text' in p) {
      body += p.text;
      continue;
    }
    const i = n++;
    if (p.context === 'comment') {
      body += commentPlaceholder(p.source);
      continue;
    }
    const v = values[i] ?? '';
    if (v.includes('\0')) throw new Error(`the value of \${{ ${p.source.trim()} }} contains a NUL character, which bash cannot hold`);
    env[`__BOOTSTRAP_V${i}`] = v;
    preamble += `__bs_${i}=\${__BOOTSTRAP_V${i}-};unset __BOOTSTRAP_V${i};`;
    body += reference(i, p.context);
  }
  return { script: preamble + body, env };
}

/** Arguments for spawning `bash` on a script: no rc files, `set -euo pipefail`. */
export function bashArgs(script: string): string[] {
  return ['--noprofile', '--norc', '-e', '-u', '-o', 'pipefail', '-c', script];
}
