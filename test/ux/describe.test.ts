import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isoTime } from '../../runner/reporters/describe.js';

describe('isoTime', () => {
  it('is toISOString of the time asked, repeated or not, in any order', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 4_102_444_800_000 }), { maxLength: 30 }), fc.array(fc.nat(29)), (times, repeats) => {
        for (const ms of [...times, ...repeats.map((i) => times[i % Math.max(1, times.length)] ?? 0)]) expect(isoTime(ms)).toBe(new Date(ms).toISOString());
      }),
    );
  });
});
