/**
 * Giving back memory at the two moments a big run makes most of its garbage.
 *
 * V8 lets the old generation grow to a few times its live size before it collects it. A run of
 * a large playbook makes two big batches of short-lived data that still outlive the young
 * generation: the parse tree of the playbook (gone once the model is built) and the copies the
 * scheduler (p-graph) makes while it sets up. With 10,000 tasks the live heap is ~18 MB after
 * loading and ~36 MB while running, but without a collection at those two moments the heap
 * holds ~90 MB at the end of the run, and the process's peak memory follows it
 * (bench/README.md). A full collection there costs ~15-30 ms at that size.
 *
 * It is done only when the heap holds enough to matter: a playbook of a few hundred tasks never
 * gets there, and pays nothing. `BOOTSTRAP_GC=off` turns it off (to compare).
 */
import { createRequire } from 'node:module';
import vm from 'node:vm';

// node:v8 costs ~2 ms to load: only a collection needs it (the heap's size comes from
// process.memoryUsage, which every run can afford).
const requireHere = createRequire(import.meta.url);

/** Below this much heap in use, a collection is not worth its pause. */
export const GC_MIN_HEAP_BYTES = 32 * 1024 * 1024;

let collector: (() => void) | undefined;

/**
 * V8's full collection. Node exposes it only with --expose-gc; setting the flag for a moment
 * makes a new context get a `gc` function (the main context is untouched), and setting it back
 * keeps V8's flags, and so the code cache bootstrap writes, as they were. This is how Jest's
 * leak detector (jest-leak-detector) gets its `gc` too. Unlike a GC-tuning flag (which would
 * change the collector's heuristics while it runs, see bench/README.md), the flag exists in
 * every Node and only adds a function to the new context.
 */
function fullGc(): () => void {
  if (!collector) {
    const exposed = (globalThis as { gc?: () => void }).gc;
    if (exposed) collector = exposed;
    else {
      const v8 = requireHere('node:v8') as typeof import('node:v8');
      v8.setFlagsFromString('--expose-gc');
      try {
        collector = vm.runInNewContext('gc') as () => void;
      } finally {
        v8.setFlagsFromString('--no-expose-gc');
      }
    }
  }
  return collector;
}

/** What one call did: the heap in use before and after, or why it did nothing. */
export type GcResult = { collected: true; beforeBytes: number; afterBytes: number; ms: number } | { collected: false; reason: 'small' | 'off'; beforeBytes: number };

/**
 * Collect the garbage now if the heap holds at least `minBytes` (a full, stop-the-world
 * collection). Never throws: memory is an optimisation, not a reason to fail a run.
 */
export function releaseGarbage(env: Record<string, string | undefined> = process.env, minBytes = GC_MIN_HEAP_BYTES): GcResult {
  const beforeBytes = process.memoryUsage().heapUsed;
  if (env.BOOTSTRAP_GC === 'off') return { collected: false, reason: 'off', beforeBytes };
  if (beforeBytes < minBytes) return { collected: false, reason: 'small', beforeBytes };
  const t = performance.now();
  try {
    fullGc()();
  } catch {
    return { collected: false, reason: 'off', beforeBytes };
  }
  return { collected: true, beforeBytes, afterBytes: process.memoryUsage().heapUsed, ms: performance.now() - t };
}
