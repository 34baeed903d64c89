/**
 * `bootstrap graph`: text tree, Mermaid and dot, the critical path marked, by unit weights
 * before any run and by the last run's durations after one; and the critical path a run reports
 * for a known DAG of sleeps.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempProject } from '../support/cli.js';
import { bs, events, EXAMPLES } from './helpers.js';

// By count, start -> b1 -> b2 -> b3 -> end is longest; by time, start -> slow -> end is.
const DAG = `name: dag
tasks:
  start: { run: "true" }
  b1: { needs: [start], run: "true" }
  b2: { needs: [b1], run: "true" }
  b3: { needs: [b2], run: "true" }
  slow: { needs: [start], run: sleep 0.8 }
  end: { needs: [b3, slow], run: "true" }
`;

/** Parse Mermaid `graph TD` output into nodes (label by key) and edges. */
function parseMermaid(text: string) {
  const lines = text.trim().split('\n');
  const nodes = new Map<string, string>();
  const edges: Array<[string, string]> = [];
  let critical: string[] = [];
  let links: number[] = [];
  for (const l of lines.slice(1)) {
    let m: RegExpMatchArray | null;
    if ((m = l.match(/^ {2}(t\d+)\["([^"]*)"\]$/))) nodes.set(m[1], m[2].replace(/ \(.*\)$/, ''));
    else if ((m = l.match(/^ {2}(t\d+) --> (t\d+)$/))) edges.push([m[1], m[2]]);
    else if ((m = l.match(/^ {2}class ([\w,]+) critical$/))) critical = m[1].split(',');
    else if ((m = l.match(/^ {2}linkStyle ([\d,]+) /))) links = m[1].split(',').map(Number);
    else if (!/^ {2}classDef critical /.test(l)) throw new Error(`unexpected Mermaid line: ${l}`);
  }
  return { header: lines[0], nodes, edges: edges.map(([a, b]) => `${nodes.get(a)}>${nodes.get(b)}`), critical: critical.map((k) => nodes.get(k)), criticalEdges: links.map((i) => edges[i]).map(([a, b]) => `${nodes.get(a)}>${nodes.get(b)}`) };
}

describe('bootstrap graph', () => {
  it('prints text, mermaid and dot with the critical path by unit weights, then by the last run', async () => {
    const dir = tempProject({ 'dag.yaml': DAG });
    const text = await bs(['graph', 'dag.yaml'], dir);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('Critical path ★: start → b1 → b2 → b3 → end');
    expect(text.stdout).toContain('unit weights');
    expect(text.stdout).toMatch(/^start \(run\) ★$/m);
    expect(text.stdout).toMatch(/^├─ b1 \(run\) ★$/m);
    expect(text.stdout).toMatch(/^└─ slow \(run\)$/m);
    expect(text.stdout).toMatch(/end ↑ \(see above\)/);

    const mermaid = parseMermaid((await bs(['graph', 'dag.yaml', '--format', 'mermaid'], dir)).stdout);
    expect(mermaid.header).toBe('graph TD');
    expect([...mermaid.nodes.values()].sort()).toEqual(['b1', 'b2', 'b3', 'end', 'slow', 'start']);
    expect(mermaid.edges.sort()).toEqual(['b1>b2', 'b2>b3', 'b3>end', 'slow>end', 'start>b1', 'start>slow']);
    expect(mermaid.critical).toEqual(['start', 'b1', 'b2', 'b3', 'end']);
    expect(mermaid.criticalEdges).toEqual(['start>b1', 'b1>b2', 'b2>b3', 'b3>end']);

    const dot = (await bs(['graph', 'dag.yaml', '--format', 'dot'], dir)).stdout;
    expect(dot).toMatch(/^digraph "dag" \{/);
    expect(dot.trim().endsWith('}')).toBe(true);
    const dotEdges = [...dot.matchAll(/^ {2}"([\w-]+)" -> "([\w-]+)"( \[[^\]]*class="critical"\])?;$/gm)];
    expect(dotEdges).toHaveLength(6);
    expect(dotEdges.filter((m) => m[3]).map((m) => `${m[1]}>${m[2]}`)).toEqual(['start>b1', 'b1>b2', 'b2>b3', 'b3>end']);

    // After a run, the durations decide: the slow branch is the critical path.
    const run = await bs(['run', 'dag.yaml', '--json'], dir);
    expect(run.code).toBe(0);
    const fin = events(run.stdout).find((e) => e.type === 'run-finished')!;
    expect(fin.criticalPath).toEqual(['start', 'slow', 'end']);
    const after = await bs(['graph', 'dag.yaml'], dir);
    expect(after.stdout).toContain('Critical path ★: start → slow → end');
    expect(after.stdout).toContain("by the last run's durations");
    expect(after.stdout).toMatch(/slow \d+(ms|\.\ds) \(run\) ★/);
    const m2 = parseMermaid((await bs(['graph', 'dag.yaml', '--format', 'mermaid'], dir)).stdout);
    expect(m2.critical).toEqual(['start', 'slow', 'end']);
    expect(m2.criticalEdges).toEqual(['start>slow', 'slow>end']);
  });

  it('rejects an unknown format as bad input', async () => {
    const dir = tempProject({ 'dag.yaml': DAG });
    const r = await bs(['graph', 'dag.yaml', '--format', 'svg'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/text, mermaid, dot/);
  });

  it('the parallel example runs its slow branch on the critical path', async () => {
    const dir = tempProject();
    const r = await bs(['run', path.join(EXAMPLES, 'parallel.yaml'), '--var', 'short=0.05', '--var', 'long=0.8'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Critical path: setup → fetch-b → package');
    expect(r.stdout).toMatch(/fetch-b\s+succeeded\s+\S+ ★ critical path/);
    expect(r.stdout).toMatch(/fetch-a\s+succeeded\s+\S+\n/);
    expect(r.stdout).toMatch(/Succeeded in \S+ · sum of task times \S+ \(parallelism saved \S+\)/);
  });
});
