/** Human-readable rendering of shell templates for logs and dry runs (never executed). */
import { commentPlaceholder } from './render.js';
import type { ShellTemplate } from './template.js';

const PLAIN = /^[A-Za-z0-9_./:=@%+,-]+$/;

/**
 * Quote a string as one bash word: as is when it only has `[A-Za-z0-9_./:=@%+,-]`, `''` when
 * empty, otherwise ANSI-C quoting `$'...'` (backslash, quote and control characters escaped).
 */
export function quoteBashWord(s: string): string {
  if (s === '') return "''";
  if (PLAIN.test(s)) return s;
  let out = "$'";
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '\\' || ch === "'") out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}'`;
}

/**
 * The script with each value inlined, quoted for its context (bare: {@link quoteBashWord};
 * inside "..." or an unquoted here-document: backslash-escaped), secrets as `***`. For
 * display only: the real run passes values through the environment (see `renderShell`).
 */
export function displayShell(t: ShellTemplate, values: string[], secret: boolean[]): string {
  let out = '';
  let n = 0;
  for (const p of t.parts) {
    if ('text' in p) {
      out += p.text;
      continue;
    }
    const i = n++;
    const v = values[i] ?? '';
    if (p.context === 'comment') out += commentPlaceholder(p.source);
    else if (secret[i]) out += '***';
    else if (p.context === 'bare') out += quoteBashWord(v);
    else if (p.context === 'dquote') out += v.replace(/[\\"$`]/g, '\\$&');
    else out += v.replace(/[\\$`]/g, '\\$&');
  }
  return out;
}
