/** Print an expression AST back to source text (canonical form, fully parenthesised binaries). */
import type { Expr } from './ast.js';
import { isIdentPart, isIdentStart } from './lexer.js';

function isIdent(s: string): boolean {
  return s.length > 0 && isIdentStart(s[0]!) && [...s].every(isIdentPart);
}

/** A single-quoted string literal (`'` doubled). */
export function quoteString(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

/**
 * Source text that parses back to the same tree (offsets aside). Negative number literals
 * print as unary minus applied to the magnitude, which parses as a `unary` node, and a
 * member whose property is not an identifier prints as an index (`a['x y']`).
 */
export function printExpr(e: Expr): string {
  switch (e.type) {
    case 'literal':
      if (typeof e.value === 'string') return quoteString(e.value);
      if (typeof e.value === 'number') return Object.is(e.value, -0) || e.value < 0 ? `-${-e.value}` : String(e.value);
      return String(e.value);
    case 'ident':
      return e.name;
    case 'member':
      return isIdent(e.property) ? `${printOperand(e.object)}.${e.property}` : `${printOperand(e.object)}[${quoteString(e.property)}]`;
    case 'index':
      return `${printOperand(e.object)}[${printExpr(e.index)}]`;
    case 'unary':
      return `${e.op}${printOperand(e.arg)}`;
    case 'binary':
      return `(${printExpr(e.left)} ${e.op} ${printExpr(e.right)})`;
    case 'call':
      return `${e.callee}(${e.args.map(printExpr).join(', ')})`;
  }
}

function printOperand(e: Expr): string {
  const s = printExpr(e);
  return e.type === 'unary' || (e.type === 'literal' && typeof e.value === 'number') ? `(${s})` : s;
}
