/**
 * bench/floor.mjs, the floor rows of the trivial benchmarks: it must run the same graph as the
 * other tools (every task once, after its needs, never more than `--concurrency` at once) and,
 * with `--journal`, write each task-start before the task's command and each task-end after it.
 * The journal tells us the order; no timing is asserted.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { layeredDag } from '../../bench/graphs.mjs';
import { prepare } from '../../bench/tools.mjs';
import { readJournal } from '../../runner/journal.js';
import { tempDir } from '../support/engine.js';

const FLOOR = path.resolve(__dirname, '../../bench/floor.mjs');

function floor(dir: string, args: string[]) {
  return spawnSync(process.execPath, [FLOOR, 'graph.json', ...args], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
}

describe('bench/floor.mjs', () => {
  it('runs every task of the graph once, after its needs, at most --concurrency at once, journalling each', () => {
    const graph = layeredDag({ name: 'floor', n: 60, seed: 60 });
    const dir = prepare(tempDir('bootstrap-floor-'), graph);
    // prepare() writes the graph the floor reads, the same one the playbook and Makefile get.
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'graph.json'), 'utf8'))).toEqual({ nodes: graph.nodes });

    const state = path.join(dir, 'state');
    const r = floor(dir, ['--concurrency', '3', '--journal', state]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);

    const { records } = readJournal(state);
    const started = new Set<string>();
    const ended = new Set<string>();
    let inFlight = 0;
    let most = 0;
    const needs = new Map(graph.nodes.map((n) => [n.id, n.needs]));
    for (const rec of records) {
      if (rec.type === 'task-start') {
        expect(started.has(rec.task)).toBe(false);
        for (const d of needs.get(rec.task)!) expect(ended.has(d)).toBe(true);
        started.add(rec.task);
        most = Math.max(most, ++inFlight);
      } else if (rec.type === 'task-end') {
        expect(started.has(rec.task)).toBe(true);
        expect(rec.status).toBe('succeeded');
        ended.add(rec.task);
        inFlight--;
      }
    }
    expect(ended.size).toBe(graph.nodes.length);
    expect(most).toBeLessThanOrEqual(3);
    // A layered DAG of 60 tasks has layers wider than 3: the limit was reached, not just obeyed.
    expect(most).toBe(3);
  });

  it('runs without a journal, and fails loudly on a bad command line', () => {
    const dir = prepare(tempDir('bootstrap-floor-'), layeredDag({ name: 'floor', n: 10, seed: 10 }));
    const ok = floor(dir, ['--concurrency', '2']);
    expect(ok.status).toBe(0);
    expect(fs.existsSync(path.join(dir, 'state'))).toBe(false);
    const bad = floor(dir, ['--concurrency', '0']);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/usage: node bench\/floor\.mjs/);
  });
});
