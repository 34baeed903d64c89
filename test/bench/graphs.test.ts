/**
 * The benchmark is fair only if every tool gets the same graph. Each rendering (bootstrap
 * playbook, Makefile, build.ninja, Ansible play, sequential bash script) is parsed back here,
 * independently of the emitters, and compared with the source graph: same nodes, same edges,
 * same command per node. No timing is asserted anywhere.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { toAnsible, toBashSequential, toMakefile, toNinja, toPlaybook } from '../../bench/emit.mjs';
import { assertTopological, criticalPath, edgeList, layeredDag, shapeGraph, sleepDag, totalWork, type BenchGraph } from '../../bench/graphs.mjs';
import { loadPlaybookText } from '../../runner/playbook/load.js';
import { kinds } from '../../tasks/index.js';

interface Parsed {
  nodes: string[];
  edges: string[];
  commands: Map<string, string>;
  /** Execution order, for tools that run a list (ansible, bash). */
  order?: string[];
}

const sortedEdges = (needs: Map<string, string[]>) => [...needs].flatMap(([id, ns]) => ns.map((n) => `${n}->${id}`)).sort();
const cmdOf = (n: { sleep?: number }) => (n.sleep === undefined ? 'true' : `sleep ${n.sleep}`);

function fromPlaybook(text: string): Parsed {
  const doc = parse(text) as { tasks: Record<string, { needs?: string[] | string; run?: string; uses?: string }> };
  const needs = new Map<string, string[]>();
  const commands = new Map<string, string>();
  for (const [id, t] of Object.entries(doc.tasks)) {
    needs.set(id, t.needs === undefined ? [] : Array.isArray(t.needs) ? t.needs : [t.needs]);
    commands.set(id, t.run ?? `uses:${t.uses}`);
  }
  return { nodes: [...needs.keys()], edges: sortedEdges(needs), commands };
}

function fromMakefile(text: string): Parsed {
  const needs = new Map<string, string[]>();
  const commands = new Map<string, string>();
  let current: string | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('\t')) {
      commands.set(current!, line.replace(/^\t@/, ''));
      continue;
    }
    const m = /^([^.\s:][^:\s]*):\s*(.*)$/.exec(line);
    if (!m || m[1] === 'all') continue;
    current = m[1];
    needs.set(current, m[2].split(/\s+/).filter(Boolean));
  }
  return { nodes: [...needs.keys()], edges: sortedEdges(needs), commands };
}

function fromNinja(text: string): Parsed {
  const needs = new Map<string, string[]>();
  const commands = new Map<string, string>();
  let current: string | undefined;
  for (const line of text.split('\n')) {
    const b = /^build (\S+): (\S+)(?: \| (.*))?$/.exec(line);
    if (b) {
      current = b[2] === 'run' ? b[1] : undefined;
      if (current) needs.set(current, (b[3] ?? '').split(/\s+/).filter(Boolean));
      continue;
    }
    const c = /^ {2}cmd = (.*)$/.exec(line);
    if (c && current) commands.set(current, c[1]);
  }
  return { nodes: [...needs.keys()], edges: sortedEdges(needs), commands };
}

function fromAnsible(text: string): Parsed {
  const [play] = parse(text) as Array<{ connection: string; tasks: Array<{ name: string; command: string; vars: { needs: string[] } }> }>;
  expect(play.connection).toBe('local');
  const needs = new Map(play.tasks.map((t) => [t.name, t.vars.needs]));
  return { nodes: [...needs.keys()], edges: sortedEdges(needs), commands: new Map(play.tasks.map((t) => [t.name, t.command])), order: play.tasks.map((t) => t.name) };
}

function fromBash(text: string): Parsed {
  const needs = new Map<string, string[]>();
  const commands = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^(.*?) {2}# (\S+)(?: needs (\S+))?$/.exec(line);
    if (!m) continue;
    needs.set(m[2], m[3] ? m[3].split(',') : []);
    commands.set(m[2], m[1]);
  }
  return { nodes: [...needs.keys()], edges: sortedEdges(needs), commands, order: [...needs.keys()] };
}

function expectSameGraph(graph: BenchGraph, p: Parsed, { commands = true } = {}): void {
  expect(p.nodes.slice().sort()).toEqual(graph.nodes.map((n) => n.id).sort());
  expect(p.edges).toEqual(edgeList(graph));
  if (commands) for (const n of graph.nodes) expect(p.commands.get(n.id)).toBe(cmdOf(n));
  if (p.order) {
    // A list-running tool must get a topological order: every need before its dependent.
    const at = new Map(p.order.map((id, i) => [id, i]));
    for (const n of graph.nodes) for (const d of n.needs) expect(at.get(d)!).toBeLessThan(at.get(n.id)!);
  }
}

const graphs: BenchGraph[] = [
  layeredDag({ name: 'trivial-300', n: 300, seed: 300 }),
  layeredDag({ name: 'trivial-3000', n: 3000, seed: 3000 }),
  sleepDag(),
  shapeGraph('kind-registry', 10),
  shapeGraph('aks-kalypso', 100),
];

describe('benchmark graphs', () => {
  it('are deterministic for a seed, differ across seeds, and are topologically ordered', () => {
    expect(layeredDag({ name: 'x', n: 500, seed: 9 })).toEqual(layeredDag({ name: 'x', n: 500, seed: 9 }));
    expect(edgeList(layeredDag({ name: 'x', n: 500, seed: 9 }))).not.toEqual(edgeList(layeredDag({ name: 'x', n: 500, seed: 10 })));
    expect(sleepDag()).toEqual(sleepDag());
    for (const g of graphs) {
      expect(() => assertTopological(g)).not.toThrow();
      expect(new Set(g.nodes.map((n) => n.id)).size).toBe(g.nodes.length);
    }
  });

  it('layered DAGs have edges and more than one layer of parallel work', () => {
    const g = layeredDag({ name: 'x', n: 300, seed: 300 });
    expect(edgeList(g).length).toBeGreaterThan(300);
    const roots = g.nodes.filter((n) => n.needs.length === 0);
    expect(roots.length).toBeGreaterThan(1);
    expect(roots.length).toBeLessThan(300);
  });

  it('the critical path is the heaviest chain and sums are sums', () => {
    const g: BenchGraph = {
      name: 'hand',
      nodes: [
        { id: 'a', needs: [], sleep: 1 },
        { id: 'b', needs: [], sleep: 3 },
        { id: 'c', needs: ['a'], sleep: 1 },
        { id: 'd', needs: ['b', 'c'], sleep: 0.5 },
      ],
    };
    expect(criticalPath(g)).toBe(3.5);
    expect(totalWork(g)).toBe(5.5);
    const s = shapeGraph('aks-kalypso', 100);
    // prereqs -> aks -> flux -> kalypso -> verify, the repos run alongside aks.
    expect(criticalPath(s)).toBeCloseTo(0.03 + 4.8 + 0.6 + 0.3 + 0.1, 6);
  });

  for (const graph of graphs) {
    it(`${graph.name}: every tool gets the same nodes, edges and commands`, () => {
      expectSameGraph(graph, fromPlaybook(toPlaybook(graph)));
      expectSameGraph(graph, fromMakefile(toMakefile(graph)));
      expectSameGraph(graph, fromNinja(toNinja(graph)));
      expectSameGraph(graph, fromAnsible(toAnsible(graph)));
      expectSameGraph(graph, fromBash(toBashSequential(graph)));
      const noop = fromPlaybook(toPlaybook(graph, { kind: 'noop' }));
      expectSameGraph(graph, noop, { commands: false });
      expect(new Set(noop.commands.values())).toEqual(new Set(['uses:noop']));
    });
  }

  it('bootstrap itself reads the generated playbooks as the same graph (shell and noop)', () => {
    for (const graph of [graphs[0], graphs[2], graphs[4]]) {
      for (const kind of ['shell', 'noop'] as const) {
        const { playbook, diagnostics } = loadPlaybookText(`/bench/${graph.name}.yaml`, toPlaybook(graph, { kind }), { kinds });
        expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
        const needs = new Map([...playbook!.tasks.values()].map((t) => [t.id, [...t.needs]]));
        expect(sortedEdges(needs)).toEqual(edgeList(graph));
        for (const n of graph.nodes) {
          const action = playbook!.tasks.get(n.id)!.action;
          if (kind === 'noop') expect(action).toMatchObject({ kind: 'uses', uses: 'noop' });
          else expect(action.kind === 'shell' && action.script.source).toBe(cmdOf(n));
        }
      }
    }
  });

  it('make and ninja accept the generated files (dry run) and plan every task', () => {
    const graph = layeredDag({ name: 'small', n: 40, seed: 4 });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-graphs-'));
    try {
      fs.writeFileSync(path.join(dir, 'Makefile'), toMakefile(graph));
      fs.writeFileSync(path.join(dir, 'build.ninja'), toNinja(graph));
      const make = spawnSync('make', ['-n', '-f', 'Makefile', 'all'], { cwd: dir, encoding: 'utf8' });
      if (!make.error) {
        expect(make.status).toBe(0);
        expect(make.stdout.trim().split('\n')).toHaveLength(graph.nodes.length);
      }
      const ninja = spawnSync('ninja', ['-n'], { cwd: dir, encoding: 'utf8' });
      if (!ninja.error) {
        expect(ninja.status).toBe(0);
        expect(ninja.stdout).toContain(`[${graph.nodes.length}/${graph.nodes.length}]`);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
