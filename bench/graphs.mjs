/**
 * Benchmark task graphs: seeded random layered DAGs, a DAG of sleeps, and the shapes of the two
 * shipped playbooks. A graph is `{ name, nodes: [{ id, needs, sleep? }] }`, nodes in a
 * topological order (every need is declared earlier); `sleep` is seconds (absent: `true`).
 * Everything here is deterministic: same arguments, same graph.
 */

/** mulberry32: a small, fast, seeded PRNG returning floats in [0, 1). */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A random layered DAG of `n` nodes: about sqrt(n) layers; every node outside the first layer
 * needs 1..maxNeeds nodes, mostly from the layer just above (so the layers really are layers),
 * sometimes from any earlier layer.
 */
export function layeredDag({ name, n, seed, layers = Math.max(1, Math.round(Math.sqrt(n))), maxNeeds = 3 }) {
  const rand = rng(seed);
  const pick = (arr) => arr[Math.floor(rand() * arr.length)];
  const layerOf = [];
  const perLayer = Math.ceil(n / layers);
  for (let i = 0; i < n; i++) layerOf.push(Math.min(layers - 1, Math.floor(i / perLayer)));
  const byLayer = Array.from({ length: layers }, () => []);
  const nodes = [];
  for (let i = 0; i < n; i++) {
    const id = `t${i}`;
    const L = layerOf[i];
    const needs = new Set();
    if (L > 0) {
      const k = 1 + Math.floor(rand() * maxNeeds);
      for (let j = 0; j < k; j++) {
        const from = rand() < 0.8 ? L - 1 : Math.floor(rand() * L);
        needs.add(pick(byLayer[from]));
      }
    }
    byLayer[L].push(id);
    nodes.push({ id, needs: [...needs].sort(byIndex) });
  }
  return { name, nodes };
}

const byIndex = (a, b) => Number(a.slice(1)) - Number(b.slice(1));

/** A layered DAG whose tasks sleep 0.1..0.5 s (steps of 0.1), to measure makespan. */
export function sleepDag({ name = 'sleep-dag', n = 40, seed = 7, layers = 8, maxNeeds = 2 } = {}) {
  const g = layeredDag({ name, n, seed, layers, maxNeeds });
  const rand = rng(seed ^ 0x5eed);
  for (const node of g.nodes) node.sleep = (1 + Math.floor(rand() * 5)) / 10;
  return g;
}

/**
 * The shipped playbooks' shapes: task ids, needs, and typical real durations in seconds.
 * kind-registry (seed 000): tools and port checks, the kind cluster (~30 s), namespace, the
 * registry chart (~10 s), waiting for the pod, health check, an OCI push/pull check.
 * aks-kalypso (seed 004): prereqs, AKS (~8 min) with the two GitHub repos created alongside it,
 * Flux, the Kalypso chart, verify.
 */
export const SHAPES = {
  'kind-registry': [
    { id: 'tools', needs: [], sleep: 1 },
    { id: 'port', needs: [], sleep: 0.2 },
    { id: 'cluster', needs: ['tools', 'port'], sleep: 30 },
    { id: 'namespace', needs: ['cluster'], sleep: 1 },
    { id: 'helm', needs: ['namespace'], sleep: 10 },
    { id: 'wait', needs: ['helm'], sleep: 10 },
    { id: 'health', needs: ['wait'], sleep: 1 },
    { id: 'oci', needs: ['health'], sleep: 2 },
  ],
  'aks-kalypso': [
    { id: 'prereqs', needs: [], sleep: 3 },
    { id: 'aks', needs: ['prereqs'], sleep: 480 },
    { id: 'control-plane-repo', needs: ['prereqs'], sleep: 20 },
    { id: 'gitops-repo', needs: ['prereqs'], sleep: 20 },
    { id: 'flux', needs: ['aks', 'control-plane-repo', 'gitops-repo'], sleep: 60 },
    { id: 'kalypso', needs: ['flux'], sleep: 30 },
    { id: 'verify', needs: ['kalypso'], sleep: 10 },
  ],
};

/** A shipped playbook's shape with its durations divided by `scale` (rounded to 1 ms). */
export function shapeGraph(name, scale) {
  const shape = SHAPES[name];
  if (!shape) throw new Error(`unknown shape ${name}`);
  return {
    name: `${name}-shape`,
    nodes: shape.map((n) => ({ id: n.id, needs: [...n.needs], sleep: Math.round((n.sleep / scale) * 1000) / 1000 })),
  };
}

/** Edges as sorted `need->id` strings (for comparing graphs). */
export function edgeList(graph) {
  const out = [];
  for (const n of graph.nodes) for (const d of n.needs) out.push(`${d}->${n.id}`);
  return out.sort();
}

/** The weight of the heaviest dependency chain (seconds): the physical limit of any scheduler. */
export function criticalPath(graph) {
  const finish = new Map();
  let best = 0;
  for (const n of graph.nodes) {
    const start = Math.max(0, ...n.needs.map((d) => finish.get(d)));
    const end = start + (n.sleep ?? 0);
    finish.set(n.id, end);
    best = Math.max(best, end);
  }
  return best;
}

/** Sum of all durations (seconds): what running the steps one after another takes. */
export function totalWork(graph) {
  return graph.nodes.reduce((s, n) => s + (n.sleep ?? 0), 0);
}

/** Checks that nodes are in topological order with known needs; throws otherwise. */
export function assertTopological(graph) {
  const seen = new Set();
  for (const n of graph.nodes) {
    for (const d of n.needs) if (!seen.has(d)) throw new Error(`${n.id} needs ${d}, which is not declared before it`);
    if (seen.has(n.id)) throw new Error(`duplicate node ${n.id}`);
    seen.add(n.id);
  }
}
