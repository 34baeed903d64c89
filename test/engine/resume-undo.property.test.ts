import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ancestorsOf, dagArb } from '../support/dag.js';
import { engineRun, engineUndo, loadFromText, probePlaybook, ProbeControl, stateOf, tempDir } from '../support/engine.js';

describe('resume and undo (engine, property-based)', () => {
  it('resume never re-runs a journalled success, and runs everything else', async () => {
    await fc.assert(
      fc.asyncProperty(dagArb({ maxNodes: 12 }), fc.nat(), fc.integer({ min: 1, max: 4 }), async (dag, pick, concurrency) => {
        const probe = new ProbeControl();
        const kinds = new Map([['probe', probe.kind()]]);
        const dir = tempDir();
        const pb = await loadFromText(dir, probePlaybook(dag.ids, dag.needs), kinds);
        const failing = dag.ids[pick % dag.ids.length];
        probe.failRun.add(failing);
        const first = await engineRun(pb, dir, kinds, { concurrency });
        expect(first.outcome.status).toBe('failed');
        const succeededFirst = new Set([...probe.runs.keys()].filter((id) => id !== failing));

        probe.failRun.clear();
        const runsBefore = new Map(probe.runs);
        const second = await engineRun(pb, dir, kinds, { resume: true, concurrency });
        expect(second.outcome.status).toBe('succeeded');
        for (const id of dag.ids) {
          const ranAgain = (probe.runs.get(id) ?? 0) - (runsBefore.get(id) ?? 0);
          expect(ranAgain).toBe(succeededFirst.has(id) ? 0 : 1);
        }
        // Restored tasks are reported as such, and their outputs are available downstream.
        const restored = second.events.filter((e) => e.type === 'task-finished' && e.restored).map((e) => (e as { task: string }).task);
        expect(new Set(restored)).toEqual(succeededFirst);
      }),
      { numRuns: 40 },
    );
  });

  it('undo: reverse topological, each applied task undone exactly once, failures leave their needs in place, a second undo finishes the rest', async () => {
    await fc.assert(
      fc.asyncProperty(dagArb({ maxNodes: 12 }), fc.array(fc.nat(), { maxLength: 2 }), fc.boolean(), async (dag, failPicks, force) => {
        const probe = new ProbeControl();
        const kinds = new Map([['probe', probe.kind()]]);
        const dir = tempDir();
        const pb = await loadFromText(dir, probePlaybook(dag.ids, dag.needs), kinds);
        expect((await engineRun(pb, dir, kinds)).outcome.status).toBe('succeeded');
        const anc = ancestorsOf(dag);

        const failing = new Set(failPicks.map((p) => dag.ids[p % dag.ids.length]));
        for (const f of failing) probe.failUndo.add(f);
        const first = await engineUndo(dir, kinds, { force });

        // Order: X's undo started only after every task that (transitively) needs X finished undoing.
        const pos = new Map(probe.undoOrder.map((id, i) => [id, i]));
        for (const x of probe.undoOrder)
          for (const y of dag.ids) if (anc.get(y)!.has(x) && pos.has(y)) expect(pos.get(y)!).toBeLessThan(pos.get(x)!);
        // Left in place: the needs of a failed undo are not attempted unless --force.
        const blocked = new Set<string>();
        for (const f of failing) for (const a of anc.get(f)!) blocked.add(a);
        for (const id of dag.ids) {
          if (failing.has(id)) continue;
          if (!force && blocked.has(id)) expect(pos.has(id)).toBe(false);
          else expect(probe.undos.get(id)).toBe(1);
        }
        expect(first.outcome.status).toBe(failing.size ? 'failed' : 'succeeded');

        // A second undo (no failures now) undoes exactly what is left, never anything twice.
        probe.failUndo.clear();
        const second = await engineUndo(dir, kinds);
        expect(second.outcome.status).toBe('succeeded');
        for (const id of dag.ids) expect(probe.undos.get(id)).toBe(1);
        expect(stateOf(dir).applied.size).toBe(0);
        // A third undo has nothing to do.
        const third = await engineUndo(dir, kinds);
        expect(third.outcome.planned).toBe(0);
      }),
      { numRuns: 40 },
    );
  });
});
