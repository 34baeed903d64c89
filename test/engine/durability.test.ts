/**
 * The journal's durability protocol, observed on a real run (test/support/durability-trace.mjs
 * records writes, fdatasyncs and spawns in order):
 * - a task's task-start record is on disk (an fdatasync called after it was written has
 *   completed) before its command is spawned;
 * - every dependency's task-end record is on disk before a dependent's command is spawned;
 * - the run-end record is on disk when the process exits;
 * - a pure kind (noop) costs no fdatasync of its own.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempProject } from '../support/cli.js';

const PRELOAD = path.resolve(import.meta.dirname, '../support/durability-trace.mjs');

type Ev = { ev: 'write'; type: string; task?: string } | { ev: 'sync-call' | 'sync-done'; id: number } | { ev: 'spawn'; file: string; script?: string; via?: 'helper' };

async function traced(files: Record<string, string>, args: string[], spawn: 'helper' | 'direct'): Promise<{ trace: Ev[]; dir: string }> {
  return tracedIn(tempProject(files), args, spawn);
}

/** Runs `bootstrap <args>` in `dir` with the trace preload. */
async function tracedIn(dir: string, args: string[], spawn: 'helper' | 'direct'): Promise<{ trace: Ev[]; dir: string }> {
  const file = path.join(dir, 'trace.jsonl');
  const env = { NODE_OPTIONS: `--import ${PRELOAD}`, BS_DURABILITY_TRACE: file, BOOTSTRAP_SPAWN: spawn === 'direct' ? 'direct' : undefined };
  const r = await runCli(args, { cwd: dir, env });
  expect(r.code, r.stdout + r.stderr).toBe(0);
  const trace = fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Ev);
  return { trace, dir };
}

/** Index of the first completed fdatasync whose call came after index `after`. */
function durableBy(trace: Ev[], after: number): number {
  const calls = new Map<number, number>();
  for (let i = 0; i < trace.length; i++) {
    const e = trace[i]!;
    if (e.ev === 'sync-call') calls.set(e.id, i);
    if (e.ev === 'sync-done' && calls.get(e.id)! > after) return i;
  }
  return Infinity;
}

const indexOf = (trace: Ev[], pred: (e: Ev) => boolean) => trace.findIndex(pred);

describe.each(['helper', 'direct'] as const)('journal durability (spawning: %s)', (spawn) => {
  it('start records before spawns, dependencies\u2019 end records before dependents spawn, run-end at exit', async () => {
    const needs: Record<string, string[]> = { a: [], b: ['a'], c: ['a'], d: ['b', 'c'] };
    const pb = ['name: durable', 'tasks:', ...Object.entries(needs).flatMap(([id, n]) => [`  ${id}:`, `    needs: [${n.join(', ')}]`, `    run: ": task-${id}"`])].join('\n') + '\n';
    const { trace } = await traced({ 'pb.yaml': pb }, ['run', 'pb.yaml', '--concurrency', '4'], spawn);
    expect(trace.some((e) => e.ev === 'spawn' && (e.via === 'helper') === (spawn === 'helper'))).toBe(true);
    for (const [id, deps] of Object.entries(needs)) {
      const spawned = indexOf(trace, (e) => e.ev === 'spawn' && !!e.script?.includes(`: task-${id}`));
      expect(spawned, `task ${id} spawned`).toBeGreaterThan(-1);
      const start = indexOf(trace, (e) => e.ev === 'write' && e.type === 'task-start' && e.task === id);
      expect(start).toBeGreaterThan(-1);
      expect(durableBy(trace, start), `task-start of ${id} durable before its spawn`).toBeLessThan(spawned);
      for (const dep of deps) {
        const end = indexOf(trace, (e) => e.ev === 'write' && e.type === 'task-end' && e.task === dep);
        expect(end, `task-end of ${dep}`).toBeGreaterThan(-1);
        expect(durableBy(trace, end), `task-end of ${dep} durable before ${id} spawns`).toBeLessThan(spawned);
      }
    }
    // The run-start record is not synced on its own, but before any command runs.
    const runStart = indexOf(trace, (e) => e.ev === 'write' && e.type === 'run-start');
    const firstSpawn = indexOf(trace, (e) => e.ev === 'spawn' && !!e.script?.includes(': task-'));
    expect(durableBy(trace, runStart), 'run-start durable before the first spawn').toBeLessThan(firstSpawn);
    const runEnd = indexOf(trace, (e) => e.ev === 'write' && e.type === 'run-end');
    expect(durableBy(trace, runEnd)).toBeLessThan(Infinity);
    // One fdatasync per task at most, plus the run-end's and the close's (group commit may share them).
    expect(trace.filter((e) => e.ev === 'sync-call').length).toBeLessThanOrEqual(Object.keys(needs).length + 2);
  });

  it('undo: the start record of each undo step is durable before its command, and so are undo-start and undo-end', async () => {
    const pb = 'name: u\ntasks:\n  a:\n    run: ": do-a"\n    undo: ": undo-a"\n  b:\n    needs: [a]\n    run: ": do-b"\n    undo: ": undo-b"\n';
    const dir = tempProject({ 'pb.yaml': pb });
    const ran = await runCli(['run', 'pb.yaml'], { cwd: dir });
    expect(ran.code, ran.stdout + ran.stderr).toBe(0);
    const { trace } = await tracedIn(dir, ['undo', 'pb.yaml'], spawn);
    const firstSpawn = indexOf(trace, (e) => e.ev === 'spawn' && !!e.script?.includes(': undo-'));
    expect(firstSpawn).toBeGreaterThan(-1);
    const undoStart = indexOf(trace, (e) => e.ev === 'write' && e.type === 'undo-start');
    expect(durableBy(trace, undoStart), 'undo-start durable before the first undo command').toBeLessThan(firstSpawn);
    for (const id of ['a', 'b']) {
      const spawned = indexOf(trace, (e) => e.ev === 'spawn' && !!e.script?.includes(`: undo-${id}`));
      const start = indexOf(trace, (e) => e.ev === 'write' && e.type === 'task-undo-start' && e.task === id);
      expect(start, `task-undo-start of ${id}`).toBeGreaterThan(-1);
      expect(durableBy(trace, start), `task-undo-start of ${id} durable before its command`).toBeLessThan(spawned);
    }
    // b needs a: b is undone first, and its end is durable before a's undo runs.
    const bEnd = indexOf(trace, (e) => e.ev === 'write' && e.type === 'task-undo-end' && e.task === 'b');
    expect(durableBy(trace, bEnd)).toBeLessThan(indexOf(trace, (e) => e.ev === 'spawn' && !!e.script?.includes(': undo-a')));
    const undoEnd = indexOf(trace, (e) => e.ev === 'write' && e.type === 'undo-end');
    expect(durableBy(trace, undoEnd)).toBeLessThan(Infinity);
  });

  it('noop tasks wait for no fdatasync of their own; the run-end one covers them', async () => {
    const ids = Array.from({ length: 30 }, (_, i) => `n${i}`);
    const pb = ['name: pure', 'tasks:', ...ids.flatMap((id, i) => [`  ${id}:`, `    uses: noop`, ...(i ? [`    needs: [n${i - 1}]`] : [])])].join('\n') + '\n';
    const { trace } = await traced({ 'pb.yaml': pb }, ['run', 'pb.yaml'], spawn);
    expect(trace.filter((e) => e.ev === 'write' && e.type === 'task-end')).toHaveLength(30);
    const runEnd = indexOf(trace, (e) => e.ev === 'write' && e.type === 'run-end');
    expect(durableBy(trace, runEnd)).toBeLessThan(Infinity);
    expect(trace.filter((e) => e.ev === 'sync-call').length).toBeLessThanOrEqual(4);
  });
});
