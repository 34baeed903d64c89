/**
 * Lexer of the `${{ }}` expression language: turns expression text into tokens with
 * 0-based offsets. Never throws anything but {@link ExprError}.
 */
import { ExprError } from './ast.js';

export type TokenKind = 'number' | 'string' | 'ident' | 'punct' | 'eof';

export interface Token {
  kind: TokenKind;
  /** Punctuation text, identifier name, or the decoded string literal. */
  text: string;
  /** Value of a number literal. */
  num?: number;
  start: number;
  end: number;
}

const PUNCT2 = ['==', '!=', '<=', '>=', '&&', '||'];
const PUNCT1 = '.[](),!-<>';

/** True for characters that may start an identifier: ASCII letters and `_`. */
export function isIdentStart(c: string): boolean {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_';
}

/** True for characters that may continue an identifier: letters, digits, `_` and `-`. */
export function isIdentPart(c: string): boolean {
  return isIdentStart(c) || (c >= '0' && c <= '9') || c === '-';
}

function isDigit(c: string): boolean {
  return c >= '0' && c <= '9';
}

const SIMPLE_ESCAPES: Record<string, string> = {
  n: '\n',
  t: '\t',
  r: '\r',
  b: '\b',
  f: '\f',
  v: '\v',
  '0': '\0',
  '\\': '\\',
  '"': '"',
  "'": "'",
  '/': '/',
};

/** Split expression text into tokens; the last token is always `eof`. */
export function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    const start = i;
    if (isDigit(c) || (c === '.' && isDigit(src[i + 1] ?? ''))) {
      i = lexNumber(src, i, tokens);
      continue;
    }
    if (isIdentStart(c)) {
      while (i < src.length && isIdentPart(src[i]!)) i++;
      tokens.push({ kind: 'ident', text: src.slice(start, i), start, end: i });
      continue;
    }
    if (c === "'") {
      let text = '';
      i++;
      for (;;) {
        if (i >= src.length) throw new ExprError("unterminated string: missing closing '", start, i - start);
        if (src[i] === "'") {
          if (src[i + 1] === "'") {
            text += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        text += src[i];
        i++;
      }
      tokens.push({ kind: 'string', text, start, end: i });
      continue;
    }
    if (c === '"') {
      i = lexDoubleQuoted(src, i, tokens);
      continue;
    }
    const two = src.slice(i, i + 2);
    if (PUNCT2.includes(two)) {
      tokens.push({ kind: 'punct', text: two, start, end: i + 2 });
      i += 2;
      continue;
    }
    if (PUNCT1.includes(c)) {
      tokens.push({ kind: 'punct', text: c, start, end: i + 1 });
      i++;
      continue;
    }
    if (c === '=' || c === '&' || c === '|') {
      throw new ExprError(`unexpected '${c}': did you mean '${c}${c}'?`, start, 1);
    }
    const cp = src.codePointAt(i)!;
    throw new ExprError(`unexpected character ${JSON.stringify(String.fromCodePoint(cp))}`, start, cp > 0xffff ? 2 : 1);
  }
  tokens.push({ kind: 'eof', text: '', start: src.length, end: src.length });
  return tokens;
}

function lexNumber(src: string, i: number, tokens: Token[]): number {
  const start = i;
  if (src[i] === '0' && (src[i + 1] === 'x' || src[i + 1] === 'X')) {
    i += 2;
    while (i < src.length && /[0-9a-fA-F]/.test(src[i]!)) i++;
    if (i === start + 2) throw new ExprError('invalid hexadecimal number', start, i - start);
  } else {
    while (i < src.length && isDigit(src[i]!)) i++;
    if (src[i] === '.') {
      i++;
      while (i < src.length && isDigit(src[i]!)) i++;
    }
    if (src[i] === 'e' || src[i] === 'E') {
      let j = i + 1;
      if (src[j] === '+' || src[j] === '-') j++;
      if (!isDigit(src[j] ?? '')) throw new ExprError('invalid number: exponent has no digits', start, j - start);
      while (j < src.length && isDigit(src[j]!)) j++;
      i = j;
    }
  }
  if (i < src.length && (isIdentPart(src[i]!) || src[i] === '.')) {
    let j = i;
    while (j < src.length && (isIdentPart(src[j]!) || src[j] === '.')) j++;
    throw new ExprError(`invalid number ${JSON.stringify(src.slice(start, j))}`, start, j - start);
  }
  const text = src.slice(start, i);
  tokens.push({ kind: 'number', text, num: Number(text), start, end: i });
  return i;
}

function lexDoubleQuoted(src: string, i: number, tokens: Token[]): number {
  const start = i;
  let text = '';
  i++;
  for (;;) {
    if (i >= src.length) throw new ExprError('unterminated string: missing closing "', start, i - start);
    const c = src[i]!;
    if (c === '"') {
      i++;
      break;
    }
    if (c !== '\\') {
      text += c;
      i++;
      continue;
    }
    const e = src[i + 1];
    if (e === undefined) throw new ExprError('unterminated string: missing closing "', start, i + 1 - start);
    const simple = SIMPLE_ESCAPES[e];
    if (simple !== undefined) {
      text += simple;
      i += 2;
      continue;
    }
    if (e === 'u') {
      let m = /^\{([0-9a-fA-F]{1,6})\}/.exec(src.slice(i + 2));
      let cp: number | undefined;
      let len = 0;
      if (m) {
        cp = parseInt(m[1]!, 16);
        len = m[0].length;
      } else {
        m = /^[0-9a-fA-F]{4}/.exec(src.slice(i + 2));
        if (m) {
          cp = parseInt(m[0], 16);
          len = 4;
        }
      }
      if (cp === undefined || cp > 0x10ffff) {
        throw new ExprError('invalid unicode escape: use \\uXXXX or \\u{X...}', i, 2 + len);
      }
      text += String.fromCodePoint(cp);
      i += 2 + len;
      continue;
    }
    throw new ExprError(`unknown escape \\${e} in a double-quoted string`, i, 2);
  }
  tokens.push({ kind: 'string', text, start, end: i });
  return i;
}
