/** Static analysis: which context paths an expression reads. */
import type { Expr } from './ast.js';

/** A static access chain such as `['tasks', 'build', 'outputs', 'id']`, with its offsets. */
export interface Reference {
  path: string[];
  start: number;
  end: number;
}

function chainOf(e: Expr): Reference | undefined {
  switch (e.type) {
    case 'ident':
      return { path: [e.name], start: e.start, end: e.end };
    case 'member': {
      const c = chainOf(e.object);
      return c && { path: [...c.path, e.property], start: c.start, end: e.end };
    }
    case 'index': {
      if (e.index.type !== 'literal') return undefined;
      const v = e.index.value;
      if (typeof v !== 'string' && typeof v !== 'number') return undefined;
      const c = chainOf(e.object);
      return c && { path: [...c.path, String(v)], start: c.start, end: e.end };
    }
    default:
      return undefined;
  }
}

/**
 * Every maximal static access chain that starts at a context name, in source order:
 * `vars.cluster.name` gives `['vars','cluster','name']`, `vars.m['a-b'][0]` gives
 * `['vars','m','a-b','0']`. A dynamic index ends the chain (`vars.m[vars.k].x` gives
 * `['vars','m']` and `['vars','k']`).
 */
export function references(expr: Expr): Reference[] {
  const out: Reference[] = [];
  const visit = (e: Expr): void => {
    const c = chainOf(e);
    if (c) {
      out.push(c);
      return;
    }
    switch (e.type) {
      case 'member':
        visit(e.object);
        break;
      case 'index':
        visit(e.object);
        visit(e.index);
        break;
      case 'unary':
        visit(e.arg);
        break;
      case 'binary':
        visit(e.left);
        visit(e.right);
        break;
      case 'call':
        e.args.forEach(visit);
        break;
      default:
        break;
    }
  };
  visit(expr);
  return out;
}
