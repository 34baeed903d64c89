import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { actualCriticalPath, findCycle, findCycles, Graph, longestRemaining, plannedCriticalPath, reverseTopoOrder, topoOrder } from '../../runner/graph.js';
import { ancestorsOf, dagArb } from '../support/dag.js';

const graphOf = (needs: Record<string, string[]>) => new Graph(Object.entries(needs).map(([id, n]) => ({ id, needs: n })));

describe('graph', () => {
  it('finds a cycle and prints it in dependency direction', () => {
    const nodes = [
      { id: 'a', needs: ['b'] },
      { id: 'b', needs: ['c'] },
      { id: 'c', needs: ['a'] },
      { id: 'd', needs: [] },
    ];
    expect(findCycle(nodes)).toEqual(['a', 'b', 'c', 'a']);
    expect(findCycle([{ id: 'x', needs: ['x'] }])).toEqual(['x', 'x']);
    expect(findCycle([{ id: 'x', needs: [] }])).toBeNull();
  });

  it('reports each distinct cycle once', () => {
    const nodes = [
      { id: 'a', needs: ['b'] },
      { id: 'b', needs: ['a'] },
      { id: 'c', needs: ['d'] },
      { id: 'd', needs: ['c', 'a'] },
    ];
    const cycles = findCycles(nodes).map((c) => c.join(' -> '));
    expect(cycles).toEqual(['a -> b -> a', 'c -> d -> c']);
  });

  it('does not overflow on a 20,000-deep chain', () => {
    const nodes = Array.from({ length: 20_000 }, (_, i) => ({ id: `n${i}`, needs: i ? [`n${i - 1}`] : [] }));
    expect(findCycle(nodes)).toBeNull();
    expect(topoOrder(new Graph(nodes))[19_999]).toBe('n19999');
  });

  it('orders topologically, stable by declaration order', () => {
    const g = graphOf({ c: [], a: ['c'], b: ['c'], d: ['a', 'b'] });
    expect(topoOrder(g)).toEqual(['c', 'a', 'b', 'd']);
    expect(reverseTopoOrder(g)).toEqual(['d', 'b', 'a', 'c']);
  });

  it('property: topological order puts every need first; reverse order every dependent first', () => {
    fc.assert(
      fc.property(dagArb({ maxNodes: 30 }), (dag) => {
        const g = new Graph(dag.ids.map((id) => ({ id, needs: dag.needs.get(id)! })));
        const pos = new Map(topoOrder(g).map((id, i) => [id, i]));
        const rpos = new Map(reverseTopoOrder(g).map((id, i) => [id, i]));
        for (const id of dag.ids)
          for (const n of dag.needs.get(id)!) {
            expect(pos.get(n)!).toBeLessThan(pos.get(id)!);
            expect(rpos.get(id)!).toBeLessThan(rpos.get(n)!);
          }
        expect(findCycle(dag.ids.map((id) => ({ id, needs: dag.needs.get(id)! })))).toBeNull();
        const anc = ancestorsOf(dag);
        for (const id of dag.ids) expect(g.ancestors(id)).toEqual(anc.get(id));
      }),
    );
  });

  it('property: needs and dependents, with repeated needs dropped, in declaration order; inputs untouched', () => {
    fc.assert(
      fc.property(
        dagArb({ maxNodes: 30 }).chain((dag) =>
          // Repeat some needs (up to 40 of them, past the short-list path) in place.
          fc.tuple(fc.constant(dag), fc.array(fc.nat(), { minLength: dag.ids.length, maxLength: dag.ids.length })),
        ),
        ([dag, reps]) => {
          const input = dag.ids.map((id, i) => {
            const n = dag.needs.get(id)!;
            const extra = n.length ? Array.from({ length: reps[i]! % 41 }, (_, k) => n[k % n.length]!) : [];
            return { id, needs: [...n, ...extra].sort() };
          });
          const copies = input.map((x) => [...x.needs]);
          const g = new Graph(input);
          input.forEach((x, i) => expect(x.needs).toEqual(copies[i]));
          for (const [i, id] of dag.ids.entries()) {
            expect(g.needs(id)).toEqual([...new Set(input[i]!.needs)]);
            expect(g.dependents(id)).toEqual(dag.ids.filter((d) => dag.needs.get(d)!.includes(id)));
          }
          expect(g.needs('no such task')).toEqual([]);
          expect(g.dependents('no such task')).toEqual([]);
        },
      ),
    );
  });

  it('rejects a duplicate id and an unknown need', () => {
    expect(() => graphOf({ a: [], b: ['a', 'zz'] })).toThrow('task b needs unknown task zz');
    expect(() => new Graph([{ id: 'a', needs: [] }, { id: 'a', needs: [] }])).toThrow('duplicate task id a');
  });

  it('longest remaining path and planned critical path', () => {
    const g = graphOf({ a: [], b: ['a'], c: ['a'], d: ['b', 'c'] });
    const w: Record<string, number> = { a: 1, b: 5, c: 2, d: 1 };
    const rem = longestRemaining(g, (id) => w[id]);
    expect(rem.get('a')).toBe(7);
    expect(rem.get('c')).toBe(3);
    expect(plannedCriticalPath(g, (id) => w[id])).toEqual({ path: ['a', 'b', 'd'], total: 7 });
  });

  it('actual critical path follows the dependency that ended last', () => {
    const g = graphOf({ a: [], b: ['a'], c: ['a'], d: ['b', 'c'], e: [] });
    const t = new Map([
      ['a', { start: 0, end: 10 }],
      ['b', { start: 10, end: 15 }],
      ['c', { start: 10, end: 40 }],
      ['d', { start: 40, end: 50 }],
      ['e', { start: 0, end: 45 }],
    ]);
    expect(actualCriticalPath(g, t)).toEqual(['a', 'c', 'd']);
  });
});
