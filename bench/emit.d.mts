/** Types of bench/emit.mjs (for test/bench). */
import type { BenchGraph, BenchNode } from './graphs.mjs';
export function commandOf(node: BenchNode): string;
export function toPlaybook(graph: BenchGraph, o?: { kind?: 'shell' | 'noop' }): string;
export function toMakefile(graph: BenchGraph): string;
export function toNinja(graph: BenchGraph): string;
export function toAnsible(graph: BenchGraph): string;
export function toBashSequential(graph: BenchGraph): string;
