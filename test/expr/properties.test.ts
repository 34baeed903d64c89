import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Expr } from '../../runner/expr/ast.js';
import {
  CONTEXTS,
  evaluate,
  ExprError,
  FUNCTION_NAMES,
  lookupFunction,
  parseExpression,
  parseTemplate,
  printExpr,
  quoteString,
} from '../../runner/expr/index.js';
import { strip } from './helpers.js';

const NUM_RUNS = 500;

/** Fragments that make random strings reach deep into the lexer and parser. */
const fragment = fc.oneof(
  fc.constantFrom(
    'vars', 'env', 'tasks', 'playbook', 'run', '.', '[', ']', '(', ')', ',', '!', '-', '==', '!=', '<', '<=',
    '>', '>=', '&&', '||', "'", '"', '\\', 'true', 'null', '0x', '1e', '.5', ' ', 'a-b', '__proto__',
    ...FUNCTION_NAMES,
  ),
  fc.string({ maxLength: 3 }),
  fc.string({ unit: 'binary', maxLength: 3 }),
);

describe('expression properties', () => {
  it('parseExpression throws nothing but ExprError, with offsets inside the text', () => {
    const input = fc.oneof(
      fc.string(),
      fc.string({ unit: 'binary' }),
      fc.array(fragment, { maxLength: 25 }).map((a) => a.join('')),
    );
    fc.assert(
      fc.property(input, (src) => {
        try {
          parseExpression(src);
        } catch (e) {
          if (!(e instanceof ExprError)) throw e;
          expect(e.offset).toBeGreaterThanOrEqual(0);
          expect(e.offset).toBeLessThanOrEqual(src.length);
          expect(e.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: NUM_RUNS * 4 },
    );
  });

  it('parseTemplate throws nothing and keeps error offsets inside the string', () => {
    const input = fc.array(fc.oneof(fragment, fc.constantFrom('${{', '}}', '$${{', '$')), { maxLength: 25 });
    fc.assert(
      fc.property(input, (a) => {
        const src = a.join('');
        const { errors } = parseTemplate(src, { file: 'f', line: 1, col: 1 });
        for (const e of errors) {
          expect(e).toBeInstanceOf(ExprError);
          expect(e.offset).toBeGreaterThanOrEqual(0);
          expect(e.offset).toBeLessThanOrEqual(src.length);
        }
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('parse(print(ast)) is structurally equal to ast', () => {
    const z = { start: 0, end: 0 };
    const ident = fc
      .tuple(fc.constantFrom(...'abcxyzAB_'.split('')), fc.stringMatching(/^[A-Za-z0-9_-]{0,6}$/))
      .map(([a, b]) => a + b);
    const literal: fc.Arbitrary<Expr> = fc
      .oneof(
        fc.string({ unit: 'binary', maxLength: 8 }),
        fc.double({ min: 0, max: 1e30, noNaN: true, noDefaultInfinity: true }),
        fc.nat(),
        fc.boolean(),
        fc.constant(null),
      )
      .map((value) => ({ type: 'literal', value, ...z }) as Expr);
    const ctxIdent: fc.Arbitrary<Expr> = fc.constantFrom(...CONTEXTS).map((name) => ({ type: 'ident', name, ...z }));
    const { expr } = fc.letrec<{ expr: Expr }>((tie) => ({
      expr: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        literal,
        ctxIdent,
        fc.record({ type: fc.constant('member'), object: tie('expr'), property: ident, ...constZ() }) as fc.Arbitrary<Expr>,
        fc.record({ type: fc.constant('index'), object: tie('expr'), index: tie('expr'), ...constZ() }) as fc.Arbitrary<Expr>,
        fc.record({ type: fc.constant('unary'), op: fc.constantFrom('!', '-'), arg: tie('expr'), ...constZ() }) as fc.Arbitrary<Expr>,
        fc.record({
          type: fc.constant('binary'),
          op: fc.constantFrom('==', '!=', '<', '<=', '>', '>=', '&&', '||'),
          left: tie('expr'),
          right: tie('expr'),
          ...constZ(),
        }) as fc.Arbitrary<Expr>,
        fc
          .tuple(fc.constantFrom(...FUNCTION_NAMES), fc.array(tie('expr'), { maxLength: 3 }))
          .filter(([name, args]) => {
            const d = lookupFunction(name)!;
            return args.length >= d.minArgs && args.length <= d.maxArgs;
          })
          .map(([callee, args]) => ({ type: 'call', callee, args, ...z }) as Expr),
      ),
    }));
    fc.assert(
      fc.property(expr, (ast) => {
        const text = printExpr(ast);
        expect(strip(parseExpression(text))).toEqual(strip(ast));
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('vars[k] yields only own properties, for any string k', () => {
    const own = { a: 1, 'a-b': 2, '': 3, 'with space': 4 };
    const keys = fc.oneof(
      fc.string(),
      fc.string({ unit: 'binary' }),
      fc.constantFrom(
        ...Object.getOwnPropertyNames(Object.prototype),
        ...Object.getOwnPropertyNames(Array.prototype),
        ...Object.getOwnPropertyNames(String.prototype),
        ...Object.getOwnPropertyNames(Function.prototype),
        ...Object.keys(own),
        'prototype',
        'globalThis',
        'process',
      ),
    );
    const ctx = { vars: own, env: ['x', 'y'], tasks: { t: { outputs: own } }, run: 'str' };
    fc.assert(
      fc.property(keys, fc.constantFrom('vars', 'env', 'tasks.t.outputs', 'run', 'vars.a'), (k, base) => {
        const obj = base === 'vars' || base === 'tasks.t.outputs' ? own : base === 'env' ? ctx.env : undefined;
        const got = evaluate(parseExpression(`${base}[${quoteString(k)}]`), ctx);
        const want = obj !== undefined && Object.keys(obj).includes(k) && !['__proto__', 'constructor', 'prototype'].includes(k)
          ? (obj as Record<string, unknown>)[k]
          : undefined;
        expect(got).toBe(want);
      }),
      { numRuns: NUM_RUNS * 2 },
    );
    expect(evaluate(parseExpression("vars['constructor']"), ctx)).toBeUndefined();
    expect(evaluate(parseExpression("env['length']"), ctx)).toBeUndefined();
  });
});

function constZ() {
  return { start: fc.constant(0), end: fc.constant(0) };
}
