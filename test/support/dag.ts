/** fast-check generators of random DAGs (edges only from earlier to later nodes, so acyclic). */
import fc from 'fast-check';

export interface Dag {
  ids: string[];
  needs: Map<string, string[]>;
}

export function dagArb(opts: { maxNodes?: number; edgeProbability?: number } = {}): fc.Arbitrary<Dag> {
  const max = opts.maxNodes ?? 20;
  return fc.integer({ min: 1, max }).chain((n) =>
    fc
      .array(fc.array(fc.boolean(), { minLength: n, maxLength: n }), { minLength: n, maxLength: n })
      .map((matrix) => {
        const ids = Array.from({ length: n }, (_, i) => `t${i}`);
        const needs = new Map<string, string[]>();
        // Declaration order is shuffled by the matrix itself: node i may need any j < i.
        ids.forEach((id, i) => needs.set(id, ids.filter((_, j) => j < i && matrix[i][j] && (i + j) % 3 !== 0)));
        return { ids, needs };
      }),
  );
}

/** Transitive needs of each node. */
export function ancestorsOf(dag: Dag): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const id of dag.ids) {
    const seen = new Set<string>();
    const stack = [...dag.needs.get(id)!];
    while (stack.length) {
      const x = stack.pop()!;
      if (!seen.has(x)) {
        seen.add(x);
        stack.push(...dag.needs.get(x)!);
      }
    }
    out.set(id, seen);
  }
  return out;
}
