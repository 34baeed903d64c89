/**
 * Maps an offset inside a YAML scalar's value to an offset in the source text, so a problem
 * inside an expression can point at the exact column. Exact for plain and quoted scalars on one
 * line and for literal block scalars (`|`); best effort (greedy alignment) for the rest.
 */
import type { Scalar } from 'yaml';

/** Source offset of character `off` of the scalar's string value. */
export function scalarSourceOffset(text: string, node: Scalar, off: number): number {
  const range = node.range;
  if (!range) return 0;
  const [start, end] = range;
  const raw = text.slice(start, end);
  const value = typeof node.value === 'string' ? node.value : String(node.value);
  off = Math.max(0, Math.min(off, value.length));
  const oneLine = !raw.includes('\n');
  switch (node.type) {
    case 'PLAIN':
      if (oneLine) return start + off;
      return greedy(text, start, end, value, off);
    case 'QUOTE_SINGLE':
      if (oneLine) return singleQuoted(text, start + 1, off);
      return greedy(text, start + 1, end, value, off);
    case 'QUOTE_DOUBLE':
      if (oneLine) return doubleQuoted(text, start + 1, value, off);
      return greedy(text, start + 1, end, value, off);
    case 'BLOCK_LITERAL':
      return literal(text, start, end, value, off);
    default: {
      const nl = text.indexOf('\n', start);
      return greedy(text, nl < 0 || nl >= end ? start : nl + 1, end, value, off);
    }
  }
}

function singleQuoted(text: string, s: number, off: number): number {
  for (let i = 0; i < off; i++) s += text[s] === "'" ? 2 : 1;
  return s;
}

function doubleQuoted(text: string, s: number, value: string, off: number): number {
  let i = 0;
  while (i < off) {
    if (text[s] === '\\') {
      const c = text[s + 1];
      const len = c === 'x' ? 4 : c === 'u' ? 6 : c === 'U' ? 10 : 2;
      // A \U escape may produce two UTF-16 units.
      const produced = c === 'U' && value.codePointAt(i)! > 0xffff ? 2 : 1;
      s += len;
      i += produced;
    } else {
      s++;
      i++;
    }
  }
  return s;
}

function literal(text: string, start: number, end: number, value: string, off: number): number {
  const headerEnd = text.indexOf('\n', start);
  if (headerEnd < 0 || headerEnd >= end) return start;
  const header = text.slice(start, headerEnd);
  const explicit = /^[|>][+-]?([1-9])|^[|>]([1-9])/.exec(header);
  const contentStart = headerEnd + 1;
  // Indentation: the explicit indicator is relative to the parent; auto-detect otherwise.
  let indent = 0;
  const body = text.slice(contentStart, end);
  const firstNonBlank = body.split('\n').find((l) => l.replace(/\r$/, '').trim() !== '');
  if (firstNonBlank !== undefined) indent = firstNonBlank.length - firstNonBlank.trimStart().length;
  if (explicit) {
    const lineStart = text.lastIndexOf('\n', start) + 1;
    const parentIndent = /^ */.exec(text.slice(lineStart, start))![0].length;
    indent = Math.min(indent, parentIndent + Number(explicit[1] ?? explicit[2]));
  }
  const before = value.slice(0, off);
  const lineIdx = before.split('\n').length - 1;
  const col = off - (before.lastIndexOf('\n') + 1);
  let s = contentStart;
  for (let k = 0; k < lineIdx; k++) {
    const nl = text.indexOf('\n', s);
    if (nl < 0) return s;
    s = nl + 1;
  }
  const nl = text.indexOf('\n', s);
  const lineLen = (nl < 0 ? text.length : nl) - s;
  return s + Math.min(indent, lineLen) + col;
}

/** Walks value and source together, skipping source characters that folding or escaping removed. */
function greedy(text: string, s: number, end: number, value: string, off: number): number {
  const find = (ch: string) => {
    for (let k = s; k < Math.min(end, s + 12); k++) if (text[k] === ch) return k;
    return -1;
  };
  for (let i = 0; i < off; i++) {
    const k = find(value[i]!);
    if (k >= 0) s = k + 1;
    else if (!/\s/.test(value[i]!)) s++;
  }
  const k = off < value.length ? find(value[off]!) : -1;
  return k >= 0 ? k : s;
}
