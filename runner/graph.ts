/**
 * The task graph: build it, find a cycle with its path, order it (topological and reverse),
 * and compute critical paths (planned, from weights, and actual, from a run's timings).
 */

export interface GraphNode {
  id: string;
  needs: readonly string[];
}

/** The list without repeated ids (the same array when it has none, as it nearly always has). */
function unique(list: readonly string[]): readonly string[] {
  if (list.length > 16) return new Set(list).size === list.length ? list : [...new Set(list)];
  for (let i = 1; i < list.length; i++) if (list.lastIndexOf(list[i]!, i - 1) !== -1) return [...new Set(list)];
  return list;
}

const NONE: readonly string[] = Object.freeze([]);

/** An immutable DAG over task ids, in declaration order. */
export class Graph {
  /** Task ids in declaration order. */
  readonly ids: readonly string[];
  private readonly needsOf: Map<string, readonly string[]>;
  /** Only tasks that something needs have an entry. */
  private readonly dependentsOf: Map<string, string[]>;

  /** The nodes' `needs` arrays are kept as they are (not copied): they must not change. */
  constructor(nodes: Iterable<GraphNode>) {
    const ids: string[] = [];
    this.needsOf = new Map();
    this.dependentsOf = new Map();
    for (const n of nodes) {
      if (this.needsOf.has(n.id)) throw new Error(`duplicate task id ${n.id}`);
      ids.push(n.id);
      this.needsOf.set(n.id, unique(n.needs));
    }
    for (const id of ids) {
      for (const dep of this.needsOf.get(id)!) {
        if (!this.needsOf.has(dep)) throw new Error(`task ${id} needs unknown task ${dep}`);
        const list = this.dependentsOf.get(dep);
        if (list) list.push(id);
        else this.dependentsOf.set(dep, [id]);
      }
    }
    this.ids = ids;
  }

  has(id: string): boolean {
    return this.needsOf.has(id);
  }

  /** Direct dependencies of a task. */
  needs(id: string): readonly string[] {
    return this.needsOf.get(id) ?? NONE;
  }

  /** Tasks that directly need this one. */
  dependents(id: string): readonly string[] {
    return this.dependentsOf.get(id) ?? NONE;
  }

  /** Every task this one needs, transitively. */
  ancestors(id: string): Set<string> {
    return this.walk(id, (x) => this.needs(x));
  }

  /** Every task that needs this one, transitively. */
  descendants(id: string): Set<string> {
    return this.walk(id, (x) => this.dependents(x));
  }

  private walk(start: string, next: (id: string) => readonly string[]): Set<string> {
    const seen = new Set<string>();
    const stack = [...next(start)];
    while (stack.length) {
      const id = stack.pop()!;
      if (seen.has(id)) continue;
      seen.add(id);
      stack.push(...next(id));
    }
    return seen;
  }

  /** Dependency edges as [dependency, dependent] pairs. */
  edges(): Array<[string, string]> {
    const out: Array<[string, string]> = [];
    for (const id of this.ids) for (const d of this.needs(id)) out.push([d, id]);
    return out;
  }
}

/**
 * Find one cycle, as the path of ids that closes it (`['a','b','a']`), or null.
 * Unknown `needs` are ignored here (they are reported separately).
 */
export function findCycle(nodes: readonly GraphNode[]): string[] | null {
  return findCycles(nodes)[0] ?? null;
}

/** Every elementary cycle found by one DFS pass (each reported once), each closed (`a..a`). */
export function findCycles(nodes: readonly GraphNode[]): string[][] {
  const needs = new Map(nodes.map((n) => [n.id, n.needs] as const));
  const state = new Map<string, 1 | 2>(); // 1 = on stack, 2 = done
  const stack: string[] = [];
  const cycles: string[][] = [];
  const seenKeys = new Set<string>();
  // Iterative DFS so deep graphs cannot overflow the call stack.
  for (const root of needs.keys()) {
    if (state.has(root)) continue;
    const frames: Array<{ id: string; i: number }> = [{ id: root, i: 0 }];
    state.set(root, 1);
    stack.push(root);
    while (frames.length) {
      const top = frames[frames.length - 1];
      const deps = needs.get(top.id) ?? [];
      if (top.i < deps.length) {
        const dep = deps[top.i++];
        if (!needs.has(dep)) continue;
        const st = state.get(dep);
        if (st === 1) {
          const from = stack.indexOf(dep);
          // Report in dependency direction: a needs b needs c needs a => a -> b -> c -> a.
          const cycle = [...stack.slice(from), dep];
          const key = [...cycle.slice(0, -1)].sort().join('\u0000');
          if (!seenKeys.has(key)) {
            seenKeys.add(key);
            cycles.push(cycle);
          }
        } else if (st === undefined) {
          state.set(dep, 1);
          stack.push(dep);
          frames.push({ id: dep, i: 0 });
        }
      } else {
        state.set(top.id, 2);
        stack.pop();
        frames.pop();
      }
    }
  }
  return cycles;
}

/** Topological order (dependencies first), stable by declaration order. */
export function topoOrder(graph: Graph): string[] {
  const indeg = new Map<string, number>();
  for (const id of graph.ids) indeg.set(id, graph.needs(id).length);
  const index = new Map(graph.ids.map((id, i) => [id, i] as const));
  // A small binary heap keyed by declaration index keeps the order stable in O(n log n).
  const heap: string[] = [];
  const push = (id: string) => {
    heap.push(id);
    let i = heap.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (index.get(heap[p])! <= index.get(heap[i])!) break;
      [heap[p], heap[i]] = [heap[i], heap[p]];
      i = p;
    }
  };
  const pop = (): string => {
    const top = heap[0];
    const last = heap.pop()!;
    if (heap.length) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && index.get(heap[l])! < index.get(heap[m])!) m = l;
        if (r < heap.length && index.get(heap[r])! < index.get(heap[m])!) m = r;
        if (m === i) break;
        [heap[m], heap[i]] = [heap[i], heap[m]];
        i = m;
      }
    }
    return top;
  };
  for (const id of graph.ids) if (indeg.get(id) === 0) push(id);
  const out: string[] = [];
  while (heap.length) {
    const id = pop();
    out.push(id);
    for (const d of graph.dependents(id)) {
      const n = indeg.get(d)! - 1;
      indeg.set(d, n);
      if (n === 0) push(d);
    }
  }
  if (out.length !== graph.ids.length) throw new Error('graph has a cycle');
  return out;
}

/** Reverse topological order (dependents first): the order undo respects. */
export function reverseTopoOrder(graph: Graph): string[] {
  return topoOrder(graph).reverse();
}

/**
 * For each task, the weight of the heaviest path from it to a sink, itself included.
 * Used as scheduling priority so the critical path starts first.
 */
export function longestRemaining(graph: Graph, weight: (id: string) => number): Map<string, number> {
  const out = new Map<string, number>();
  for (const id of reverseTopoOrder(graph)) {
    let best = 0;
    for (const d of graph.dependents(id)) best = Math.max(best, out.get(d)!);
    out.set(id, weight(id) + best);
  }
  return out;
}

/** The heaviest path through the graph by weights (planned critical path), first to last. */
export function plannedCriticalPath(graph: Graph, weight: (id: string) => number): { path: string[]; total: number } {
  if (graph.ids.length === 0) return { path: [], total: 0 };
  const rem = longestRemaining(graph, weight);
  let cur = graph.ids.filter((id) => graph.needs(id).length === 0).reduce((a, b) => (rem.get(b)! > rem.get(a)! ? b : a));
  const path = [cur];
  for (;;) {
    const next = graph.dependents(cur);
    if (!next.length) break;
    cur = next.reduce((a, b) => (rem.get(b)! > rem.get(a)! ? b : a));
    path.push(cur);
  }
  return { path, total: rem.get(path[0])! };
}

/**
 * The chain that actually bounded a run: from the task that ended last, step back each time to
 * the dependency that ended last (the one its start waited for). Tasks without timings are ignored.
 */
export function actualCriticalPath(graph: Graph, timings: ReadonlyMap<string, { start: number; end: number }>): string[] {
  let cur: string | undefined;
  for (const [id, t] of timings) if (graph.has(id) && (!cur || t.end > timings.get(cur)!.end)) cur = id;
  const path: string[] = [];
  while (cur) {
    path.push(cur);
    let gate: string | undefined;
    for (const d of graph.needs(cur)) {
      const t = timings.get(d);
      if (t && (!gate || t.end > timings.get(gate)!.end)) gate = d;
    }
    cur = gate;
  }
  return path.reverse();
}
