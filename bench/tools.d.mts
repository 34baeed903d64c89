/** Types of the part of bench/tools.mjs that test/bench uses. */
import type { BenchGraph } from './graphs.mjs';
/** Writes every tool's input for `graph` into `dir` (created); returns `dir`. */
export function prepare(dir: string, graph: BenchGraph, o?: { kind?: 'shell' | 'noop' }): string;
