/**
 * The persistence.size pattern of charts/pallet-registry/values.schema.json, checked against
 * exact (BigInt) arithmetic: it must never accept a quantity below 100Mi, and must accept
 * every plain integer/decimal quantity of at least 100Mi in the usual units.
 * (The real helm binaries check the same pattern on boundary values in pallet-registry.test.ts.)
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chartDir } from './helm-run.js';

const MIN_BYTES = 100n * 1024n * 1024n;
const MULT: Record<string, bigint> = {
  '': 1n,
  k: 10n ** 3n,
  Ki: 2n ** 10n,
  M: 10n ** 6n,
  Mi: 2n ** 20n,
  G: 10n ** 9n,
  Gi: 2n ** 30n,
  T: 10n ** 12n,
  Ti: 2n ** 40n,
  P: 10n ** 15n,
  Pi: 2n ** 50n,
  E: 10n ** 18n,
  Ei: 2n ** 60n,
};
const SUFFIXES = Object.keys(MULT);
/** Units in which the pattern must accept every quantity of at least 100Mi. */
const COMPLETE_UNITS = new Set(['', 'k', 'Ki', 'M', 'Mi', 'G', 'Gi']);

/** Exact comparison of `<int>[.<frac>]<suffix>` with 100Mi. */
function atLeast100Mi(int: bigint, frac: string, suffix: string): boolean {
  const scale = 10n ** BigInt(frac.length);
  const mantissa = int * scale + (frac === '' ? 0n : BigInt(frac));
  return mantissa * MULT[suffix]! >= MIN_BYTES * scale;
}

const schema = JSON.parse(readFileSync(path.join(chartDir, 'values.schema.json'), 'utf8')) as {
  properties: { persistence: { properties: { size: { pattern: string } } } };
};
const sizePattern = new RegExp(schema.properties.persistence.properties.size.pattern);

/** Quantities clustered around the 100Mi threshold of their unit, plus arbitrary ones. */
const digits = fc.array(fc.constantFrom(...'0123456789'), { minLength: 1, maxLength: 12 }).map((d) => d.join(''));
const fraction = fc.oneof(fc.constant(''), digits);
const anyInt = fc.bigInt({ min: 0n, max: 10n ** 12n });
const quantity = fc.oneof(
  ...SUFFIXES.map((suffix) => {
    const threshold = MIN_BYTES / MULT[suffix]!; // integer part of 100Mi in this unit
    const near = fc.bigInt({ min: threshold > 3n ? threshold - 3n : 0n, max: threshold + 3n });
    return fc.record({ int: fc.oneof(near, anyInt), frac: fraction, suffix: fc.constant(suffix) });
  }),
);

describe('persistence.size schema pattern', () => {
  it('never accepts a quantity below 100Mi, and accepts all at or above it in common units', () => {
    fc.assert(
      fc.property(quantity, ({ int, frac, suffix }) => {
        const text = `${int}${frac === '' ? '' : `.${frac}`}${suffix}`;
        const ok = atLeast100Mi(int, frac, suffix);
        const matched = sizePattern.test(text);
        if (matched) expect(ok, `${text} matched but is below 100Mi`).toBe(true);
        if (ok && (COMPLETE_UNITS.has(suffix) || int >= 1n)) {
          expect(matched, `${text} is at least 100Mi but was rejected`).toBe(true);
        }
      }),
      { numRuns: 20_000 },
    );
  });

  it('rejects what is not a plain quantity', () => {
    for (const bad of ['', 'abc', '1Gb', '1gi', '-1Gi', '+1Gi', '1e9', '0100Mi', ' 1Gi', '1Gi ', '1.Gi', '1 Gi']) {
      expect(sizePattern.test(bad), JSON.stringify(bad)).toBe(false);
    }
  });
});
