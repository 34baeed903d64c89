import { describe, expect, it } from 'vitest';
import { evaluate, ExprError, parseExpression, stringify, truthy } from '../../runner/expr/index.js';

const ctx = {
  vars: {
    s: 'abc',
    S: 'ABC',
    empty: '',
    zero: 0,
    one: 1,
    n5: '5',
    t: true,
    f: false,
    nil: null,
    list: ['a', 'b', 3],
    obj: { k: 'v', 'a-b': 1, nested: { deep: [10, 20] } },
  },
  env: { HOME: '/home/x' },
  tasks: { 'make-cluster': { outputs: { id: 'c-1' }, status: 'succeeded' } },
  playbook: { dir: '/pb' },
  run: { id: 'r1' },
};

const ev = (src: string, c: Record<string, unknown> = ctx) => evaluate(parseExpression(src), c);

describe('evaluate: access', () => {
  it.each([
    ['vars.s', 'abc'],
    ["vars['s']", 'abc'],
    ['vars.list[1]', 'b'],
    ["vars.list['1']", 'b'],
    ['vars.list[5]', undefined],
    ['vars.list[-1]', undefined],
    ['vars.list[0.5]', undefined],
    ["vars.obj['a-b']", 1],
    ['vars.obj.a-b', 1],
    ['vars.obj.nested.deep[1]', 20],
    ['tasks.make-cluster.outputs.id', 'c-1'],
    ['tasks.make-cluster.status', 'succeeded'],
    ['playbook.dir', '/pb'],
    ['run.id', 'r1'],
    ['env.HOME', '/home/x'],
    ['vars.missing', undefined],
    ['vars.missing.deeper.still', undefined],
    ['vars.s.length', undefined],
    ['vars.list.length', undefined],
    ['vars.s[0]', undefined],
    ['vars.nil.x', undefined],
    ['vars[vars.s]', undefined],
  ])('%s', (src, want) => {
    expect(ev(src)).toEqual(want);
  });

  it('never reads prototypes or inherited members', () => {
    for (const src of [
      'vars.constructor',
      "vars['constructor']",
      "vars['__proto__']",
      'vars.__proto__',
      'vars.toString',
      "vars.obj['hasOwnProperty']",
      "vars.list['constructor']",
      "vars.list['map']",
      'vars.s.constructor',
      'vars.obj.constructor.prototype',
      "tasks['__proto__']['polluted']",
    ]) {
      expect(ev(src), src).toBeUndefined();
    }
  });

  it('reads only own enumerable data properties and never calls getters', () => {
    let called = false;
    const o: Record<string, unknown> = { plain: 1 };
    Object.defineProperty(o, 'hidden', { value: 2, enumerable: false });
    Object.defineProperty(o, 'getter', {
      enumerable: true,
      get() {
        called = true;
        return 3;
      },
    });
    const c = { vars: o };
    expect(ev('vars.plain', c)).toBe(1);
    expect(ev('vars.hidden', c)).toBeUndefined();
    expect(ev('vars.getter', c)).toBeUndefined();
    expect(called).toBe(false);
  });

  it('does not descend into non-plain objects (class instances, maps, dates)', () => {
    class K {
      x = 1;
    }
    const c = { vars: { k: new K(), m: new Map([['x', 1]]), d: new Date(0) } };
    expect(ev('vars.k.x', c)).toBeUndefined();
    expect(ev('vars.m.x', c)).toBeUndefined();
    expect(ev('vars.d.getTime', c)).toBeUndefined();
  });

  it('reads objects with a null prototype', () => {
    const o = Object.create(null) as Record<string, unknown>;
    o.x = 7;
    expect(ev('vars.x', { vars: o })).toBe(7);
  });

  it('gives undefined for a context that is not provided', () => {
    expect(ev('run.id', { vars: {} })).toBeUndefined();
  });
});

describe('evaluate: operators', () => {
  it.each([
    // && and || return operands
    ["vars.s && 'x'", 'x'],
    ["vars.empty && 'x'", ''],
    ["vars.zero || 'fallback'", 'fallback'],
    ["vars.s || 'fallback'", 'abc'],
    ['vars.nil || vars.f', false],
    ['vars.missing && 1', undefined],
    // !
    ['!vars.empty', true],
    ['!vars.zero', true],
    ['!vars.nil', true],
    ['!vars.missing', true],
    ['!vars.s', false],
    ['!vars.list', false],
    ["!'false'", false],
    ["!'0'", false],
    // unary minus
    ['-vars.one', -1],
    ['-vars.n5', -5],
    ['-(-2)', 2],
    // ==
    ["vars.s == 'abc'", true],
    ["vars.s == 'ABC'", false],
    ['vars.one == 1', true],
    ["vars.n5 == 5", true],
    ["5 == ' 5 '", true],
    ["vars.one == 'one'", false],
    ["1 == ''", false],
    ['vars.nil == vars.missing', true],
    ['vars.nil == null', true],
    ['vars.nil == 0', false],
    ["vars.nil == ''", false],
    ['vars.t == 1', false],
    ['vars.t == true', true],
    ["vars.t == 'true'", false],
    ['vars.list == vars.list', true],
    ["vars.s != 'abc'", false],
    ['vars.one != 2', true],
    // ordering
    ['1 < 2', true],
    ['2 <= 2', true],
    ['3 > 2', true],
    ['2 >= 3', false],
    ["'a' < 'b'", true],
    ["'B' < 'a'", true],
    ["'10' < '9'", true],
    ["vars.n5 > 4", true],
    ["'10' > 9", true],
    ["'x' < 1", false],
    ["'x' > 1", false],
    ['vars.nil < 1', false],
    ['vars.t > 0', false],
    ['vars.list < 1', false],
  ])('%s', (src, want) => {
    expect(ev(src)).toEqual(want);
  });

  it('evaluates the right operand of && / || only when needed', () => {
    // fromJSON('bad') would throw if evaluated
    expect(ev("vars.f && fromJSON('{bad')")).toBe(false);
    expect(ev("vars.t || fromJSON('{bad')")).toBe(true);
    expect(() => ev("vars.t && fromJSON('{bad')")).toThrow(ExprError);
  });
});

describe('truthy and stringify', () => {
  it('truthy', () => {
    for (const v of [false, 0, -0, NaN, '', null, undefined]) expect(truthy(v), String(v)).toBe(false);
    for (const v of [true, 1, -1, 'a', '0', 'false', ' ', [], {}]) expect(truthy(v), JSON.stringify(v)).toBe(true);
  });

  it('stringify', () => {
    expect(stringify(null)).toBe('');
    expect(stringify(undefined)).toBe('');
    expect(stringify('x y')).toBe('x y');
    expect(stringify(1.5)).toBe('1.5');
    expect(stringify(false)).toBe('false');
    expect(stringify([1, 'a', null])).toBe('[1,"a",null]');
    expect(stringify({ a: { b: 1 } })).toBe('{"a":{"b":1}}');
  });

  it('stringify of a cycle is an ExprError', () => {
    const a: unknown[] = [];
    a.push(a);
    expect(() => stringify(a)).toThrow(ExprError);
  });
});
