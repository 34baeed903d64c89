import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cycleText, findCycles } from '../../runner/playbook/cycles.js';
import { parseDuration } from '../../runner/playbook/duration.js';
import { canonicalJson } from '../../runner/playbook/hash.js';
import { didYouMean, editDistance, nearest } from '../../runner/playbook/suggest.js';
import { coerceText } from '../../runner/playbook/coerce.js';

describe('did you mean', () => {
  it('finds the nearest name within a typo distance', () => {
    expect(editDistance('nedds', 'needs')).toBe(1);
    expect(editDistance('bsae', 'base')).toBe(1); // a swap is one edit
    expect(nearest('nedds', ['needs', 'run', 'uses'])).toBe('needs');
    expect(nearest('retrydelay', ['retries', 'retry-delay'])).toBe('retry-delay');
    expect(nearest('Needs', ['needs'])).toBe('needs');
    expect(nearest('completely', ['needs', 'run'])).toBeUndefined();
    expect(didYouMean('hlem', ['helm', 'prereqs'])).toBe('; did you mean `helm`?');
    expect(didYouMean('zzz', ['helm'])).toBe('');
  });
});

describe('findCycles', () => {
  it('reports each cycle once, from the first declared node', () => {
    const g = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a', 'd']],
      ['d', ['c']],
      ['e', ['e', 'x']],
    ]);
    const cycles = findCycles(g).map(cycleText);
    expect(cycles).toEqual(['a -> b -> c -> a', 'c -> d -> c']);
  });
  it('finds nothing in a DAG', () => {
    expect(findCycles(new Map([['a', ['b']], ['b', []], ['c', ['a', 'b']]]))).toEqual([]);
  });
});

describe('parseDuration', () => {
  it.each([
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h30m', 5_400_000],
    ['500ms', 500],
    ['1.5s', 1500],
    [90, 90_000],
    [0.25, 250],
  ])('%s', (input, ms) => expect(parseDuration(input)).toBe(ms));
  it.each(['5', '5 m', 'm', '1d', '', -1, '1h 30m'])('rejects %s', (input) => expect(parseDuration(input)).toBeUndefined());
});

describe('coerceText', () => {
  it('parses numbers strictly', () => {
    expect(coerceText('42', 'integer')).toEqual({ ok: true, value: 42 });
    expect(coerceText('-7', 'integer')).toEqual({ ok: true, value: -7 });
    for (const bad of ['4.2', '42abc', '', '0x10', '1e3']) expect(coerceText(bad, 'integer').ok, bad).toBe(false);
    expect(coerceText('1e3', 'number')).toEqual({ ok: true, value: 1000 });
    expect(coerceText('.5', 'number')).toEqual({ ok: true, value: 0.5 });
    expect(coerceText('5px', 'number').ok).toBe(false);
  });
  it('accepts the usual boolean words', () => {
    for (const t of ['true', 'YES', '1', 'on']) expect(coerceText(t, 'boolean')).toEqual({ ok: true, value: true });
    for (const f of ['false', 'no', '0', 'Off']) expect(coerceText(f, 'boolean')).toEqual({ ok: true, value: false });
    expect(coerceText('maybe', 'boolean').ok).toBe(false);
  });
  it('reads lists and objects as JSON', () => {
    expect(coerceText('["a",1]', 'array')).toEqual({ ok: true, value: ['a', 1] });
    expect(coerceText('{"a":1}', 'object')).toEqual({ ok: true, value: { a: 1 } });
    expect(coerceText('{"a":1}', 'array').ok).toBe(false);
    expect(coerceText('a,b', 'array').ok).toBe(false);
    expect(coerceText(' keep spaces ', 'string')).toEqual({ ok: true, value: ' keep spaces ' });
  });
});

describe('canonicalJson', () => {
  it('sorts keys at every level', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: undefined } })).toBe('{"a":{"d":[1,{"y":2,"z":1}]},"b":1}');
  });

  it('gives what the first version gave, for any value (journalled hashes stay the same)', () => {
    // The first implementation, kept as the oracle: a task hash that changed would re-run tasks on resume.
    const reference = (v: unknown): string => {
      if (v === null || typeof v !== 'object') return JSON.stringify(v ?? null);
      if (Array.isArray(v)) return `[${v.map((x) => (x === undefined ? 'null' : reference(x))).join(',')}]`;
      const entries = Object.entries(v as Record<string, unknown>)
        .filter(([, x]) => x !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${reference(x)}`).join(',')}}`;
    };
    const key = fc.oneof(fc.string({ maxLength: 4 }), fc.string({ unit: 'binary', maxLength: 3 }), fc.constantFrom('a', 'B', 'é', '\u{1F600}', '10', '9', '__proto__'));
    const value = fc.letrec((tie) => ({
      v: fc.oneof(
        { depthSize: 'small' },
        fc.constantFrom(null, undefined, true, false, 0, -0, 1.5, NaN, 'x', ''),
        fc.string({ maxLength: 5 }),
        fc.array(tie('v'), { maxLength: 4 }),
        fc.dictionary(key, tie('v'), { maxKeys: 5 }),
      ),
    })).v;
    fc.assert(
      fc.property(value, (v) => {
        expect(canonicalJson(v)).toBe(reference(v));
      }),
      { numRuns: 2000 },
    );
  });
});
