/** Cycle finding for dependency graphs (task `needs`, var defaults). */

/**
 * Every elementary cycle a depth-first search meets, each reported once, as the list of nodes
 * in edge order starting from the node that comes first in `order` (the closing edge back to
 * the first node is implied). Self-loops are ignored (callers report them separately).
 * Edges to nodes not in the graph are ignored.
 */
export function findCycles(edges: ReadonlyMap<string, readonly string[]>): string[][] {
  const order = [...edges.keys()];
  const rank = new Map(order.map((n, i) => [n, i]));
  const state = new Map<string, 'active' | 'done'>();
  const stack: string[] = [];
  const found = new Map<string, string[]>();

  const visit = (n: string) => {
    state.set(n, 'active');
    stack.push(n);
    for (const m of edges.get(n) ?? []) {
      if (m === n || !edges.has(m)) continue;
      const s = state.get(m);
      if (s === 'active') {
        const cycle = stack.slice(stack.indexOf(m));
        // Rotate so the earliest declared node comes first: the same cycle gets the same text.
        let min = 0;
        for (let i = 1; i < cycle.length; i++) if (rank.get(cycle[i]!)! < rank.get(cycle[min]!)!) min = i;
        const rotated = [...cycle.slice(min), ...cycle.slice(0, min)];
        const key = rotated.join('\0');
        if (!found.has(key)) found.set(key, rotated);
      } else if (s === undefined) visit(m);
    }
    stack.pop();
    state.set(n, 'done');
  };
  for (const n of order) if (!state.has(n)) visit(n);
  return [...found.values()];
}

/** `a -> b -> c -> a` */
export function cycleText(cycle: readonly string[]): string {
  return [...cycle, cycle[0]].join(' -> ');
}
