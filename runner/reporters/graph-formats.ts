/**
 * The task graph as text for `bootstrap graph`: a tree for the terminal, Mermaid (`graph TD`)
 * and Graphviz dot, each with the critical path marked.
 */
import { formatMs } from '../process.js';
import type { Graph } from '../graph.js';
import type { Style } from './style.js';

export interface GraphView {
  name: string;
  graph: Graph;
  /** The critical path, first to last. */
  critical: readonly string[];
  /** Known durations (ms) of tasks, from the last run. */
  durations: ReadonlyMap<string, number>;
  /** A short note per task (its kind, or `run`). */
  notes?: ReadonlyMap<string, string>;
}

const CRIT = '#e0602d';

function criticalEdges(critical: readonly string[]): Set<string> {
  return new Set(critical.slice(1).map((id, i) => `${critical[i]}\u0000${id}`));
}

/** A tree from the tasks without needs, following dependents; a task met again is referenced. */
export function renderTree(v: GraphView, s: Style): string {
  const onPath = new Set(v.critical);
  const printed = new Set<string>();
  const lines: string[] = [];
  const label = (id: string) => {
    const d = v.durations.get(id);
    const note = v.notes?.get(id);
    return `${onPath.has(id) ? s.cyan(id) : id}${d !== undefined ? s.dim(` ${formatMs(d)}`) : ''}${note ? s.dim(` (${note})`) : ''}${onPath.has(id) ? s.cyan(' ★') : ''}`;
  };
  const walk = (id: string, prefix: string, last: boolean, root: boolean) => {
    const branch = root ? '' : last ? '└─ ' : '├─ ';
    if (printed.has(id)) {
      lines.push(`${prefix}${branch}${onPath.has(id) ? s.cyan(id) : id}${s.dim(' ↑ (see above)')}`);
      return;
    }
    printed.add(id);
    lines.push(`${prefix}${branch}${label(id)}`);
    const kids = v.graph.dependents(id);
    const next = root ? prefix : prefix + (last ? '   ' : '│  ');
    kids.forEach((k, i) => walk(k, next, i === kids.length - 1, false));
  };
  const roots = v.graph.ids.filter((id) => v.graph.needs(id).length === 0);
  for (const r of roots) walk(r, '', true, true);
  return lines.join('\n') + '\n';
}

/** Mermaid flowchart (`graph TD`); node ids are `t0, t1...` so no task id can clash with a keyword. */
export function renderMermaid(v: GraphView): string {
  const key = new Map(v.graph.ids.map((id, i) => [id, `t${i}`] as const));
  const lines = ['graph TD'];
  for (const id of v.graph.ids) {
    const d = v.durations.get(id);
    lines.push(`  ${key.get(id)}["${id}${d !== undefined ? ` (${formatMs(d)})` : ''}"]`);
  }
  const crit = criticalEdges(v.critical);
  const critLinks: number[] = [];
  v.graph.edges().forEach(([from, to], i) => {
    lines.push(`  ${key.get(from)} --> ${key.get(to)}`);
    if (crit.has(`${from}\u0000${to}`)) critLinks.push(i);
  });
  if (v.critical.length) {
    lines.push(`  classDef critical stroke:${CRIT},stroke-width:3px`);
    lines.push(`  class ${v.critical.map((id) => key.get(id)).join(',')} critical`);
    if (critLinks.length) lines.push(`  linkStyle ${critLinks.join(',')} stroke:${CRIT},stroke-width:3px`);
  }
  return lines.join('\n') + '\n';
}

const dotString = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/** Graphviz dot, left to right; the critical path's nodes and edges drawn thick in orange. */
export function renderDot(v: GraphView): string {
  const onPath = new Set(v.critical);
  const crit = criticalEdges(v.critical);
  const lines = [`digraph ${dotString(v.name)} {`, '  rankdir=LR;', '  node [shape=box, style=rounded, fontname="Helvetica"];', '  edge [color="#8a94a6"];'];
  for (const id of v.graph.ids) {
    const d = v.durations.get(id);
    // `\n` inside a dot string is a line break in the label.
    const attrs = [`label=${d !== undefined ? dotString(id).slice(0, -1) + `\\n${formatMs(d)}"` : dotString(id)}`];
    if (onPath.has(id)) attrs.push(`color="${CRIT}"`, 'penwidth=2.5', 'class="critical"');
    lines.push(`  ${dotString(id)} [${attrs.join(', ')}];`);
  }
  for (const [from, to] of v.graph.edges()) {
    const c = crit.has(`${from}\u0000${to}`);
    lines.push(`  ${dotString(from)} -> ${dotString(to)}${c ? ` [color="${CRIT}", penwidth=2.5, class="critical"]` : ''};`);
  }
  lines.push('}');
  return lines.join('\n') + '\n';
}
