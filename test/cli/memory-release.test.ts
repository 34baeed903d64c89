/**
 * A run of a large playbook gives back the garbage of loading and of the scheduler's set-up
 * (runner/memory.ts): both collections are logged at debug level in run.log, and the run is
 * the same as without them. A small playbook's heap never reaches the threshold: no collection.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { journalOf, runCli, tempProject } from '../support/cli.js';

function chainOfNoops(n: number): string {
  let s = `name: big\ntasks:\n`;
  for (let i = 0; i < n; i++) s += `  t${i}:\n${i ? `    needs: [t${i - 1}${i > 1 ? `, t${i - 2}` : ''}]\n` : ''}    uses: noop\n    with: {}\n`;
  return s;
}

describe('memory of a large run', () => {
  it('is collected after loading and after the schedule is set up, and only for a large playbook', async () => {
    const dir = tempProject({ 'big.yaml': chainOfNoops(10_000), 'small.yaml': chainOfNoops(20) });
    const lines = (state: string) => fs.readFileSync(path.join(dir, state, 'run.log'), 'utf8').split('\n').filter((l) => l.includes('memory:'));

    const big = await runCli(['run', 'big.yaml', '--state-dir', 'big-state', '--non-interactive'], { cwd: dir });
    expect(big.code, big.stdout + big.stderr).toBe(0);
    const logged = lines('big-state');
    expect(logged).toHaveLength(2);
    expect(logged[0]).toMatch(/DEBUG memory: collected garbage after loading the playbook: heap [\d.]+ MiB -> [\d.]+ MiB in \d+ ms/);
    expect(logged[1]).toMatch(/DEBUG memory: collected garbage after setting up the schedule: heap [\d.]+ MiB -> [\d.]+ MiB in \d+ ms/);
    for (const l of logged) {
      const [, before, after] = /heap ([\d.]+) MiB -> ([\d.]+) MiB/.exec(l)!;
      expect(Number(after)).toBeLessThan(Number(before));
    }

    // Turned off, the same run journals the same tasks with the same outcomes.
    const off = await runCli(['run', 'big.yaml', '--state-dir', 'off-state', '--non-interactive'], { cwd: dir, env: { BOOTSTRAP_GC: 'off' } });
    expect(off.code, off.stdout + off.stderr).toBe(0);
    expect(lines('off-state')).toEqual([]);
    const ends = (state: string) => journalOf(path.join(dir, state)).filter((r) => r.type === 'task-end').map((r) => `${r.task} ${r.status}`).sort();
    expect(ends('off-state')).toEqual(ends('big-state'));
    expect(ends('big-state')).toHaveLength(10_000);

    const small = await runCli(['run', 'small.yaml', '--state-dir', 'small-state', '--non-interactive'], { cwd: dir });
    expect(small.code, small.stdout + small.stderr).toBe(0);
    expect(lines('small-state')).toEqual([]);
  });
});
