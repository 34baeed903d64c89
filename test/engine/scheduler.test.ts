import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Graph } from '../../runner/graph.js';
import { schedule, type TaskOutcome } from '../../runner/scheduler.js';
import { dagArb } from '../support/dag.js';

describe('scheduler', () => {
  it('property: needs first, at most N running, nothing starts after a failure, all run when none fails', async () => {
    await fc.assert(
      fc.asyncProperty(
        dagArb({ maxNodes: 25 }),
        fc.integer({ min: 1, max: 6 }),
        fc.func(fc.constantFrom<TaskOutcome>('succeeded', 'succeeded', 'succeeded', 'skipped', 'failed')),
        fc.scheduler(),
        async (dag, concurrency, outcomeOf, s) => {
          const graph = new Graph(dag.ids.map((id) => ({ id, needs: dag.needs.get(id)! })));
          const ended = new Map<string, TaskOutcome>();
          const started: string[] = [];
          let running = 0;
          let maxRunning = 0;
          let failedAt = -1; // number of starts when the first failure ended
          const p = schedule({
            graph,
            concurrency,
            run: async (id) => {
              // No task starts before its needs ended as succeeded or skipped.
              for (const n of dag.needs.get(id)!) expect(['succeeded', 'skipped']).toContain(ended.get(n));
              // Nothing starts after a failure ended.
              expect(failedAt).toBe(-1);
              started.push(id);
              running++;
              maxRunning = Math.max(maxRunning, running);
              const outcome = await s.schedule(Promise.resolve(outcomeOf(id)), id);
              running--;
              ended.set(id, outcome);
              if (outcome === 'failed' && failedAt < 0) failedAt = started.length;
              return outcome;
            },
          });
          await s.waitFor(p);
          const result = await p;
          expect(maxRunning).toBeLessThanOrEqual(concurrency);
          expect(new Set(started).size).toBe(started.length);
          expect(result.notStarted.length + result.outcomes.size).toBe(dag.ids.length);
          const anyFailed = [...ended.values()].includes('failed');
          if (!anyFailed) {
            expect(result.notStarted).toEqual([]);
            expect(result.stopped).toBeUndefined();
          } else expect(result.stopped).toBe('failure');
        },
      ),
      { numRuns: 200 },
    );
  });

  it('keeps the slot of a failed task: independent work is not started, running work finishes', async () => {
    // a fails while b runs; c (independent, queued) must never start; b finishes.
    const graph = new Graph([
      { id: 'a', needs: [] },
      { id: 'b', needs: [] },
      { id: 'c', needs: [] },
    ]);
    const release: Record<string, (o: TaskOutcome) => void> = {};
    const starts: string[] = [];
    const p = schedule({
      graph,
      concurrency: 2,
      weight: (id) => (id === 'c' ? 1 : 5),
      run: (id) =>
        new Promise<TaskOutcome>((r) => {
          starts.push(id);
          release[id] = r;
        }),
    });
    await new Promise((r) => setImmediate(r));
    expect(starts.sort()).toEqual(['a', 'b']);
    release.a('failed');
    await new Promise((r) => setImmediate(r));
    expect(starts).not.toContain('c');
    release.b('succeeded');
    const res = await p;
    expect(res.outcomes.get('b')).toBe('succeeded');
    expect(res.notStarted).toEqual(['c']);
  });

  it('an abort signal stops new starts', async () => {
    const graph = new Graph([
      { id: 'a', needs: [] },
      { id: 'b', needs: ['a'] },
    ]);
    const ac = new AbortController();
    const res = await schedule({
      graph,
      concurrency: 4,
      signal: ac.signal,
      run: async (id) => {
        if (id === 'a') ac.abort();
        return 'succeeded';
      },
    });
    expect(res.stopped).toBe('interrupt');
    expect(res.notStarted).toEqual(['b']);
  });

  it('starts the critical path first', async () => {
    // long chain x1->x2->x3 and three independent singles; with concurrency 1 the chain head goes first.
    const graph = new Graph([
      { id: 's1', needs: [] },
      { id: 's2', needs: [] },
      { id: 'x1', needs: [] },
      { id: 'x2', needs: ['x1'] },
      { id: 'x3', needs: ['x2'] },
    ]);
    const order: string[] = [];
    await schedule({ graph, concurrency: 1, run: async (id) => (order.push(id), 'succeeded') });
    expect(order[0]).toBe('x1');
  });

  it('a task function that throws counts as failed', async () => {
    const graph = new Graph([
      { id: 'a', needs: [] },
      { id: 'b', needs: ['a'] },
    ]);
    const res = await schedule({ graph, concurrency: 1, run: async () => { throw new Error('boom'); } });
    expect(res.outcomes.get('a')).toBe('failed');
    expect(res.notStarted).toEqual(['b']);
  });

  it('property: onReady is called once, before any task starts, whatever the graph and outcomes', async () => {
    await fc.assert(
      fc.asyncProperty(
        dagArb({ maxNodes: 20 }),
        fc.integer({ min: 1, max: 4 }),
        fc.func(fc.constantFrom<TaskOutcome>('succeeded', 'skipped', 'failed')),
        async (dag, concurrency, outcomeOf) => {
          const graph = new Graph(dag.ids.map((id) => ({ id, needs: dag.needs.get(id)! })));
          const calls: string[] = [];
          await schedule({
            graph,
            concurrency,
            onReady: () => calls.push('ready'),
            run: async (id) => (calls.push(id), outcomeOf(id)),
          });
          if (dag.ids.length === 0) expect(calls).toEqual([]);
          else {
            expect(calls[0]).toBe('ready');
            expect(calls.filter((c) => c === 'ready')).toHaveLength(1);
            expect(calls.length).toBeGreaterThan(1);
          }
        },
      ),
    );
  });
});
