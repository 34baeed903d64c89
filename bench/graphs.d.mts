/** Types of bench/graphs.mjs (for test/bench). */
export interface BenchNode {
  id: string;
  needs: string[];
  /** Seconds to sleep; absent: the task runs `true`. */
  sleep?: number;
}
export interface BenchGraph {
  name: string;
  nodes: BenchNode[];
}
export function rng(seed: number): () => number;
export function layeredDag(o: { name: string; n: number; seed: number; layers?: number; maxNeeds?: number }): BenchGraph;
export function sleepDag(o?: { name?: string; n?: number; seed?: number; layers?: number; maxNeeds?: number }): BenchGraph;
export const SHAPES: Record<'kind-registry' | 'aks-kalypso', BenchNode[]>;
export function shapeGraph(name: 'kind-registry' | 'aks-kalypso', scale: number): BenchGraph;
export function edgeList(graph: BenchGraph): string[];
export function criticalPath(graph: BenchGraph): number;
export function totalWork(graph: BenchGraph): number;
export function assertTopological(graph: BenchGraph): void;
