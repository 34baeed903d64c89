/**
 * The task graph as an inline SVG, left to right: each task in the column after its deepest
 * dependency, rows ordered to limit crossings, the critical path drawn thick. No dependencies,
 * no external assets: plain elements a browser renders from the page itself.
 */
import { Graph, topoOrder } from '../graph.js';

export interface SvgNode {
  id: string;
  /** CSS class for the node's status (`succeeded`, `failed`, ...). */
  status?: string;
  /** A second, smaller line under the id (a duration). */
  sub?: string;
}

export interface LayoutNode {
  id: string;
  layer: number;
  x: number;
  y: number;
  w: number;
  h: number;
}

const NODE_H = 36;
const ROW_GAP = 14;
const COL_GAP = 56;
const CHAR_W = 7.4;
const PAD = 10;

/** Column of each task: 0 for tasks without needs, else one more than its deepest need. */
export function layers(graph: Graph): Map<string, number> {
  const out = new Map<string, number>();
  for (const id of topoOrder(graph)) out.set(id, Math.max(-1, ...graph.needs(id).map((n) => out.get(n)!)) + 1);
  return out;
}

/** Place the nodes: columns by layer, rows by the mean row of their needs (one barycentre pass). */
export function layout(graph: Graph, width: (id: string) => number): { nodes: Map<string, LayoutNode>; width: number; height: number } {
  const layer = layers(graph);
  const columns: string[][] = [];
  for (const id of graph.ids) (columns[layer.get(id)!] ??= []).push(id);
  const row = new Map<string, number>();
  columns.forEach((col, c) => {
    if (c > 0) {
      const key = (id: string) => {
        const ns = graph.needs(id);
        return ns.reduce((s, n) => s + row.get(n)!, 0) / Math.max(1, ns.length);
      };
      col.sort((a, b) => key(a) - key(b));
    }
    col.forEach((id, i) => row.set(id, i));
  });
  const nodes = new Map<string, LayoutNode>();
  let x = PAD;
  const maxRows = Math.max(1, ...columns.map((c) => c.length));
  const height = PAD * 2 + maxRows * NODE_H + (maxRows - 1) * ROW_GAP;
  for (const col of columns) {
    const w = Math.max(...col.map(width));
    // Centre short columns vertically so fan-ins read as such.
    const offset = ((maxRows - col.length) * (NODE_H + ROW_GAP)) / 2;
    col.forEach((id, i) => nodes.set(id, { id, layer: layer.get(id)!, x, y: PAD + offset + i * (NODE_H + ROW_GAP), w, h: NODE_H }));
    x += w + COL_GAP;
  }
  return { nodes, width: Math.max(x - COL_GAP + PAD, 40), height };
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Render the graph; edges between consecutive tasks of `critical` are marked `critical`. */
export function renderGraphSvg(graph: Graph, nodes: ReadonlyMap<string, SvgNode>, critical: readonly string[]): string {
  if (graph.ids.length === 0) return '<p class="muted">No tasks.</p>';
  const label = (id: string) => Math.max(id.length, (nodes.get(id)?.sub ?? '').length * 0.85);
  const { nodes: pos, width, height } = layout(graph, (id) => Math.max(70, Math.round(label(id) * CHAR_W) + 24));
  const onPath = new Set(critical);
  const criticalEdges = new Set(critical.slice(1).map((id, i) => `${critical[i]}\u0000${id}`));
  const parts: string[] = [];
  parts.push(`<svg class="graph" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="task graph">`);
  parts.push('<defs><marker id="arrow" viewBox="0 0 8 8" refX="8" refY="4" markerUnits="userSpaceOnUse" markerWidth="9" markerHeight="9" orient="auto"><path d="M0,0 L8,4 L0,8 z" class="arrowhead"/></marker>');
  parts.push('<marker id="arrow-critical" viewBox="0 0 8 8" refX="8" refY="4" markerUnits="userSpaceOnUse" markerWidth="11" markerHeight="11" orient="auto"><path d="M0,0 L8,4 L0,8 z" class="arrowhead critical"/></marker></defs>');
  for (const [from, to] of graph.edges()) {
    const a = pos.get(from)!;
    const b = pos.get(to)!;
    const x1 = a.x + a.w;
    const y1 = a.y + a.h / 2;
    const x2 = b.x - 2;
    const y2 = b.y + b.h / 2;
    const mid = (x1 + x2) / 2;
    const crit = criticalEdges.has(`${from}\u0000${to}`);
    parts.push(
      `<path class="edge${crit ? ' critical' : ''}" data-from="${esc(from)}" data-to="${esc(to)}" d="M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2},${y2}" marker-end="url(#${crit ? 'arrow-critical' : 'arrow'})"/>`,
    );
  }
  for (const id of graph.ids) {
    const p = pos.get(id)!;
    const n = nodes.get(id);
    const cls = `node ${n?.status ? 'st-' + n.status.replace(/[^a-z-]/g, '-') : 'st-none'}${onPath.has(id) ? ' critical' : ''}`;
    parts.push(`<g class="${cls}" data-task="${esc(id)}"><title>${esc(id)}${n?.status ? ` — ${esc(n.status)}` : ''}${onPath.has(id) ? ' (critical path)' : ''}</title>`);
    parts.push(`<rect x="${p.x}" y="${p.y}" width="${p.w}" height="${p.h}" rx="6"/>`);
    if (n?.sub) {
      parts.push(`<text x="${p.x + p.w / 2}" y="${p.y + 15}" text-anchor="middle">${esc(id)}</text>`);
      parts.push(`<text class="sub" x="${p.x + p.w / 2}" y="${p.y + 29}" text-anchor="middle">${esc(n.sub)}</text>`);
    } else parts.push(`<text x="${p.x + p.w / 2}" y="${p.y + 22}" text-anchor="middle">${esc(id)}</text>`);
    parts.push('</g>');
  }
  parts.push('</svg>');
  return parts.join('\n');
}
