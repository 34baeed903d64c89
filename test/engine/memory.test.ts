/**
 * releaseGarbage: a full collection at the moments a big run has made most of its garbage, only
 * when the heap holds enough to be worth it, and without leaving `gc` exposed or V8's flags
 * changed (the code cache bootstrap writes depends on them).
 */
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { GC_MIN_HEAP_BYTES, releaseGarbage } from '../../runner/memory.js';

describe('releaseGarbage', () => {
  it('collects garbage when the heap holds at least the minimum', () => {
    // ~40 MB of garbage that has outlived the young generation: only a full collection frees it.
    let junk: unknown[] | undefined = Array.from({ length: 400 }, () => Array.from({ length: 10_000 }, (_, i) => ({ i })));
    for (let k = 0; k < 5; k++) Array.from({ length: 100_000 }, (_, i) => [i]);
    junk = undefined;
    void junk;
    const r = releaseGarbage({}, 0);
    expect(r.collected).toBe(true);
    if (!r.collected) return;
    expect(r.beforeBytes - r.afterBytes).toBeGreaterThan(20 * 1024 * 1024);
    expect(r.ms).toBeGreaterThanOrEqual(0);
  });

  it('does nothing below the minimum, or with BOOTSTRAP_GC=off', () => {
    expect(releaseGarbage({}, Number.MAX_SAFE_INTEGER)).toMatchObject({ collected: false, reason: 'small' });
    expect(releaseGarbage({ BOOTSTRAP_GC: 'off' }, 0)).toMatchObject({ collected: false, reason: 'off' });
    expect(GC_MIN_HEAP_BYTES).toBe(32 * 1024 * 1024);
  });

  it('leaves no gc function behind, in this context or a new one', () => {
    releaseGarbage({}, 0);
    expect((globalThis as { gc?: unknown }).gc).toBeUndefined();
    expect(vm.runInNewContext('typeof gc')).toBe('undefined');
  });
});
