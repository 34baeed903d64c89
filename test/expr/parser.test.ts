import { describe, expect, it } from 'vitest';
import { ExprError, parseExpression } from '../../runner/expr/index.js';
import { sexpr } from './helpers.js';

const p = (s: string) => sexpr(parseExpression(s));

function errorOf(src: string): ExprError {
  try {
    parseExpression(src);
  } catch (e) {
    expect(e).toBeInstanceOf(ExprError);
    return e as ExprError;
  }
  throw new Error(`expected ${JSON.stringify(src)} to fail`);
}

describe('parseExpression: literals', () => {
  it.each([
    ['42', '42'],
    ['3.5', '3.5'],
    ['.5', '0.5'],
    ['1e3', '1000'],
    ['2E-2', '0.02'],
    ['0x1F', '31'],
    ['true', 'true'],
    ['false', 'false'],
    ['null', 'null'],
    ["'it''s'", '"it\'s"'],
    ["''", '""'],
    ['"a\\"b\\n\\t\\\\"', JSON.stringify('a"b\n\t\\')],
    ['"\\u00e9\\u{1F600}"', JSON.stringify('é😀')],
    ["'a\\nb'", JSON.stringify('a\\nb')],
  ])('%s', (src, want) => {
    expect(p(src)).toBe(want);
  });
});

describe('parseExpression: precedence and structure', () => {
  it.each([
    ['a || b && c', 'vars.a || vars.b && vars.c', '(|| vars.a (&& vars.b vars.c))'],
    ['&& above ||, left assoc', 'vars.a && vars.b || vars.c', '(|| (&& vars.a vars.b) vars.c)'],
    ['== above &&', 'vars.a == 1 && vars.b != 2', '(&& (== vars.a 1) (!= vars.b 2))'],
    ['comparison above ==', 'vars.a < 1 == vars.b >= 2', '(== (< vars.a 1) (>= vars.b 2))'],
    ['! binds tighter than comparison', '!vars.a == false', '(== (! vars.a) false)'],
    ['parentheses', '!(vars.a == false)', '(! (== vars.a false))'],
    ['unary minus', '-1 < -vars.n', '(< (- 1) (- vars.n))'],
    ['double negation', '!!vars.x', '(! (! vars.x))'],
    ['left associative ==', '1 == 1 == true', '(== (== 1 1) true)'],
    ['member and index chains', "vars.a['b'][0].c", 'vars.a["b"][0].c'],
    ['dynamic index', 'vars.m[vars.k]', 'vars.m[vars.k]'],
    ['calls', "format('{0}', vars.x, 1)", '(format "{0}" vars.x 1)'],
    ['case-insensitive function names', "TOJSON(vars.x)", '(toJSON vars.x)'],
    ['call without args (bad arity checked separately)', "contains(vars.a, 'x')", '(contains vars.a "x")'],
  ])('%s', (_name, src, want) => {
    expect(p(src)).toBe(want);
  });

  it('accepts hyphenated identifiers like GitHub Actions', () => {
    expect(p('tasks.make-cluster.outputs.id')).toBe('tasks.make-cluster.outputs.id');
    expect(p('vars.a-b-')).toBe('vars.a-b-');
  });

  it('keeps keywords usable as property names', () => {
    expect(p('vars.true.null.vars')).toBe('vars.true.null.vars');
  });

  it('records offsets of every node', () => {
    const e = parseExpression('  vars.a == (1)');
    expect(e).toMatchObject({ type: 'binary', start: 2, end: 15 });
    if (e.type !== 'binary') throw new Error('not binary');
    expect(e.left).toMatchObject({ type: 'member', start: 2, end: 8 });
    expect(e.left.type === 'member' && e.left.object).toMatchObject({ type: 'ident', start: 2, end: 6 });
    expect(e.right).toMatchObject({ type: 'literal', value: 1, start: 12, end: 15 });
  });

  it('accepts all contexts', () => {
    for (const c of ['vars', 'env', 'tasks', 'playbook', 'run']) expect(p(c)).toBe(c);
  });
});

describe('parseExpression: errors with offsets', () => {
  it.each([
    ['unknown top-level name', 'vars.a && secrets.x', 10, 7, /unknown name "secrets"/],
    ['unknown function', '1 == foo(1)', 5, 3, /unknown function "foo"/],
    ['bad arity', "contains('a')", 0, 13, /contains\(\) takes 2 arguments, got 1/],
    ['too many args', 'toJSON(1, 2)', 0, 12, /toJSON\(\) takes 1 argument, got 2/],
    ['empty', '   ', 0, 3, /empty expression/],
    ['single =', 'vars.a = 1', 7, 1, /did you mean '=='/],
    ['single &', 'vars.a & 1', 7, 1, /'&&'/],
    ['unterminated single-quoted string', "vars.a == 'abc", 10, 4, /unterminated string/],
    ['unterminated double-quoted string', 'vars.a == "abc', 10, 4, /unterminated string/],
    ['bad escape', '"a\\qb"', 2, 2, /unknown escape \\q/],
    ['trailing garbage', 'vars.a vars.b', 7, 4, /unexpected "vars"/],
    ['missing operand', 'vars.a ==', 9, 1, /unexpected end/],
    ['unclosed paren', '(vars.a', 7, 1, /expected "\)"/],
    ['unclosed index', 'vars.a[1', 8, 1, /expected "\]"/],
    ['dot without name', 'vars.', 5, 1, /property name/],
    ['dot with number', 'vars.1', 4, 2, /expected an operator|invalid number|unexpected/],
    ['bad number', '12abc', 0, 5, /invalid number "12abc"/],
    ['unexpected character', 'vars.a + 1', 7, 1, /unexpected character "\+"/],
    ['bare function name', 'contains', 0, 8, /unknown name "contains".*call contains/],
    ['binary minus does not exist', 'vars.a -1', 7, 1, /unexpected "-"/],
  ])('%s', (_name, src, offset, length, message) => {
    const e = errorOf(src);
    expect(e.message).toMatch(message);
    expect(e.offset).toBe(offset);
    expect(e.length).toBe(length);
  });

  it('rejects nesting that would otherwise overflow the stack', () => {
    const deep = '('.repeat(5000) + '1' + ')'.repeat(5000);
    expect(errorOf(deep).message).toMatch(/nested too deeply/);
    expect(errorOf('!'.repeat(5000) + 'true').message).toMatch(/nested too deeply/);
  });

  it('accepts moderate nesting', () => {
    expect(p('('.repeat(50) + '1' + ')'.repeat(50))).toBe('1');
  });
});
