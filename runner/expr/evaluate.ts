/**
 * Evaluator of the expression language. It reads values only through
 * {@link getProperty} (own enumerable data properties) and calls only the fixed function
 * table: no JS global, prototype or method is ever reachable.
 */
import { ExprError, type Expr } from './ast.js';
import { FunctionError, lookupFunction } from './functions.js';
import { compare, getProperty, looseEquals, toNumber, truthy } from './values.js';

/**
 * Evaluate an expression against the contexts (`{ vars, env, tasks, playbook, run }`).
 * Missing names and properties give `undefined`. Throws {@link ExprError} only for genuine
 * runtime errors (bad JSON for `fromJSON`, a bad `format` string), at the call's offsets.
 */
export function evaluate(expr: Expr, ctx: Record<string, unknown>): unknown {
  switch (expr.type) {
    case 'literal':
      return expr.value;
    case 'ident':
      return getProperty(ctx, expr.name);
    case 'member':
      return getProperty(evaluate(expr.object, ctx), expr.property);
    case 'index': {
      const obj = evaluate(expr.object, ctx);
      return getProperty(obj, evaluate(expr.index, ctx));
    }
    case 'unary': {
      const v = evaluate(expr.arg, ctx);
      return expr.op === '!' ? !truthy(v) : -toNumber(v);
    }
    case 'binary': {
      const left = evaluate(expr.left, ctx);
      switch (expr.op) {
        case '&&':
          return truthy(left) ? evaluate(expr.right, ctx) : left;
        case '||':
          return truthy(left) ? left : evaluate(expr.right, ctx);
        case '==':
          return looseEquals(left, evaluate(expr.right, ctx));
        case '!=':
          return !looseEquals(left, evaluate(expr.right, ctx));
        default:
          return compare(expr.op, left, evaluate(expr.right, ctx));
      }
    }
    case 'call': {
      const fn = lookupFunction(expr.callee);
      if (!fn) throw new ExprError(`unknown function ${JSON.stringify(expr.callee)}`, expr.start, expr.end - expr.start);
      const args = expr.args.map((a) => evaluate(a, ctx));
      try {
        return fn.call(args);
      } catch (e) {
        if (e instanceof FunctionError || e instanceof ExprError) {
          throw new ExprError(e.message, expr.start, expr.end - expr.start);
        }
        throw e;
      }
    }
  }
}
