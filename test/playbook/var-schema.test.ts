/**
 * The fast path for simple var fragments (runner/playbook/var-schema.ts) must give ajv's answer:
 * the same verdict, the same errors (keyword, params, message) in the same order, for any
 * fragment it accepts and any value. ajv itself is the oracle here.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileLenient07, type ErrorObject } from '../../runner/playbook/ajv.js';
import { describeVarErrors, simpleValidator, varValidator } from '../../runner/playbook/var-schema.js';

const TYPES = ['string', 'integer', 'number', 'boolean', 'array', 'object', 'null'] as const;
const num = fc.oneof(fc.integer({ min: -5, max: 5 }), fc.double({ min: -5, max: 5, noNaN: true }), fc.constantFrom(0, -0, 1e300));
const len = fc.nat({ max: 4 });
const pattern = fc.constantFrom('^a', 'b$', '^[a-z0-9-]{1,63}$', '\\d', '^\\p{L}+$', '.', 'x|y', '^$');
const value = fc.oneof(
  fc.string({ maxLength: 6 }),
  fc.string({ unit: 'binary', maxLength: 4 }),
  fc.constantFrom('a', 'ab', 'b', 'abc', '1', 'é', '\u{1F600}\u{1F600}', '\uD800', ''),
  num,
  fc.constantFrom(NaN, Infinity, -Infinity, 1.5, 3, null, true, false),
  // Without keys named like Object.prototype's methods: ajv's deep equality (fast-deep-equal)
  // calls a.valueOf() / a.toString() and throws on {"valueOf": null}, so the oracle has no answer.
  fc.jsonValue({ maxDepth: 2 }).filter((v) => !shadowsProtoMethod(v)),
);

function shadowsProtoMethod(v: unknown): boolean {
  if (Array.isArray(v)) return v.some(shadowsProtoMethod);
  if (v === null || typeof v !== 'object') return false;
  return Object.entries(v).some(([k, x]) => k === 'valueOf' || k === 'toString' || shadowsProtoMethod(x));
}

/** Fragments of the shape vars have: a type plus any of the simple keywords, in any key order. */
const fragment = fc
  .record(
    {
      type: fc.constantFrom(...TYPES),
      enum: fc.array(value, { minLength: 1, maxLength: 4 }),
      minimum: num,
      maximum: num,
      exclusiveMinimum: num,
      exclusiveMaximum: num,
      minLength: len,
      maxLength: len,
      pattern,
    },
    { requiredKeys: ['type'] },
  )
  .chain((s) => fc.shuffledSubarray(Object.keys(s), { minLength: Object.keys(s).length }).map((keys) => Object.fromEntries(keys.map((k) => [k, (s as any)[k]]))));

const shape = (errors: readonly ErrorObject[] | null | undefined) => (errors ?? []).map((e) => ({ keyword: e.keyword, params: e.params, message: e.message, instancePath: e.instancePath }));

describe('simple var fragments without ajv', () => {
  it('agree with ajv on every fragment and value (verdict, errors, order)', () => {
    fc.assert(
      fc.property(fragment, fc.array(value, { minLength: 1, maxLength: 5 }), (schema, values) => {
        const fast = simpleValidator(schema);
        expect(fast).toBeDefined();
        const ajv = compileLenient07(schema);
        for (const v of values) {
          const ok = ajv(v);
          expect(fast!(v), JSON.stringify({ schema, v })).toBe(ok);
          expect(shape(fast!.errors), JSON.stringify({ schema, v })).toEqual(shape(ajv.errors));
        }
      }),
      { numRuns: Number(process.env.VAR_FUZZ_RUNS ?? 1500) },
    );
  });

  it('a value ajv cannot check fails with the reason, it does not throw', () => {
    // ajv's deep equality calls a.valueOf(): an object with a `valueOf` key makes it throw.
    const v = varValidator({ schema: { type: 'object', enum: [{}], minProperties: 1 } });
    expect(v({ valueOf: null })).toBe(false);
    expect(describeVarErrors(v.errors ?? [])).toMatch(/^a value the schema can check \(checking this one failed: .*valueOf/);
    expect(v({ a: 1 })).toBe(false);
    expect(describeVarErrors(v.errors ?? [])).toContain('one of {}');
  });

  it('leave everything else to ajv', () => {
    for (const schema of [
      { type: 'string', format: 'email' },
      { type: 'array', items: { type: 'string' } },
      { type: 'number', multipleOf: 2 },
      { type: ['string', 'null'] },
      { type: 'string', pattern: '(' }, // ajv's compile error names the problem
      { type: 'string', minLength: 'two' },
      { type: 'string', enum: 'a' },
    ]) {
      expect(simpleValidator(schema as Record<string, unknown>), JSON.stringify(schema)).toBeUndefined();
    }
    expect(() => varValidator({ schema: { type: 'string', pattern: '(' } })).toThrow(/regular expression/i);
    const email = varValidator({ schema: { type: 'string', format: 'email' } });
    expect(email('a@b.example')).toBe(true);
    expect(email('nope')).toBe(false);
  });
});
