import { describe, expect, it } from 'vitest';
import { evaluate, ExprError, parseExpression } from '../../runner/expr/index.js';

const ctx = {
  vars: {
    list: ['Alpha', 'beta', 3, null],
    obj: { a: [1, 2], b: 'x' },
    json: '{"k":[1,"two",{"z":null}]}',
    nil: null,
    empty: '',
    zero: 0,
    f: false,
  },
};
const ev = (src: string) => evaluate(parseExpression(src), ctx);

function runtimeError(src: string): ExprError {
  try {
    ev(src);
  } catch (e) {
    expect(e).toBeInstanceOf(ExprError);
    return e as ExprError;
  }
  throw new Error(`expected ${src} to throw`);
}

describe('functions', () => {
  it.each([
    ["contains('Hello World', 'WORLD')", true],
    ["contains('Hello', 'xyz')", false],
    ["contains('abc', '')", true],
    ["contains(vars.list, 'beta')", true],
    ["contains(vars.list, 'Beta')", false],
    ["contains(vars.list, '3')", true],
    ['contains(vars.list, 3)', true],
    ['contains(vars.list, null)', true],
    ["contains(vars.list, 'alp')", false],
    ["contains(123, '2')", true],
    ["startsWith('Hello', 'hE')", true],
    ["startsWith('Hello', 'lo')", false],
    ["endsWith('Hello', 'LO')", true],
    ["endsWith('Hello', 'He')", false],
    ["format('{0}-{1}', 'a', 2)", 'a-2'],
    ["format('{1}{0}{1}', 'a', 'b')", 'bab'],
    ["format('{{0}} is {0}', 'x')", '{0} is x'],
    ["format('}}{{')", '}{'],
    ["format('{0}', vars.obj)", '{"a":[1,2],"b":"x"}'],
    ["format('[{0}]', vars.nil)", '[]'],
    ['toJSON(vars.obj)', '{"a":[1,2],"b":"x"}'],
    ['toJSON(vars.missing)', 'null'],
    ["toJSON('a\"b')", '"a\\"b"'],
    ['fromJSON(vars.json).k[1]', 'two'],
    ['fromJSON(vars.json).k[2].z', null],
    ["fromJSON('42')", 42],
    ["fromJSON('true')", true],
    ["join(vars.list)", 'Alpha,beta,3,'],
    ["join(vars.list, ' | ')", 'Alpha | beta | 3 | '],
    ["join('single', '-')", 'single'],
    ["join(vars.obj.a, '')", '12'],
    ["default(vars.nil, 'd')", 'd'],
    ["default(vars.missing, 'd')", 'd'],
    ["default(vars.empty, 'd')", 'd'],
    ["default(vars.zero, 'd')", 0],
    ["default(vars.f, 'd')", false],
    ["default('x', 'd')", 'x'],
  ])('%s', (src, want) => {
    expect(ev(src)).toEqual(want);
  });

  it('fromJSON never yields inherited properties even for a __proto__ key', () => {
    expect(ev(`fromJSON('{"__proto__":{"x":1}}').x`)).toBeUndefined();
    expect(ev(`fromJSON('{"__proto__":{"x":1}}')['__proto__']`)).toBeUndefined();
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it.each([
    ["fromJSON('{bad')", /fromJSON: invalid JSON/],
    ["format('{0} {1}', 'a')", /\{1\} refers to an argument that was not given/],
    ["format('{x}')", /invalid format string/],
    ["format('a}b')", /unmatched \}/],
  ])('runtime error %s is an ExprError at the call', (src, message) => {
    const e = runtimeError(`vars.zero || ${src}`);
    expect(e.message).toMatch(message);
    expect(e.offset).toBe('vars.zero || '.length);
    expect(e.length).toBe(src.length);
  });
});
