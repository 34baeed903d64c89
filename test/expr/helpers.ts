import type { Expr } from '../../runner/expr/ast.js';

/** The tree without offsets, for structural comparisons. */
export function strip(e: Expr): unknown {
  switch (e.type) {
    case 'literal':
      return { type: e.type, value: e.value };
    case 'ident':
      return { type: e.type, name: e.name };
    case 'member':
      return { type: e.type, object: strip(e.object), property: e.property };
    case 'index':
      return { type: e.type, object: strip(e.object), index: strip(e.index) };
    case 'unary':
      return { type: e.type, op: e.op, arg: strip(e.arg) };
    case 'binary':
      return { type: e.type, op: e.op, left: strip(e.left), right: strip(e.right) };
    case 'call':
      return { type: e.type, callee: e.callee, args: e.args.map(strip) };
  }
}

/** Compact Lisp-like rendering of a tree, for readable precedence assertions. */
export function sexpr(e: Expr): string {
  switch (e.type) {
    case 'literal':
      return JSON.stringify(e.value);
    case 'ident':
      return e.name;
    case 'member':
      return `${sexpr(e.object)}.${e.property}`;
    case 'index':
      return `${sexpr(e.object)}[${sexpr(e.index)}]`;
    case 'unary':
      return `(${e.op} ${sexpr(e.arg)})`;
    case 'binary':
      return `(${e.op} ${sexpr(e.left)} ${sexpr(e.right)})`;
    case 'call':
      return `(${e.callee} ${e.args.map(sexpr).join(' ')})`;
  }
}
