/**
 * What a run prints must never take it down: a reader that goes away (`| head`), and high
 * concurrency, which once made Node print a MaxListenersExceededWarning.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readJournal } from '../../runner/journal.js';
import { runCli, spawnCli, tempProject } from '../support/cli.js';

const many = (n: number, run: string) => ['name: many', 'tasks:', ...Array.from({ length: n }, (_, i) => [`  t${i}:`, `    run: ${JSON.stringify(run)}`]).flat()].join('\n') + '\n';

describe('output robustness', () => {
  it('--concurrency above 10 prints no Node warning', async () => {
    const dir = tempProject({ 'pb.yaml': many(24, 'sleep 0.2') });
    const r = await runCli(['run', 'pb.yaml', '--concurrency', '16'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout + r.stderr).not.toMatch(/Warning|memory leak/);
  });

  it('a reader that goes away (| head) stops the printing, not the run', async () => {
    const dir = tempProject({ 'pb.yaml': many(30, 'for i in 1 2 3 4 5; do echo "line $i of a chatty task"; done; sleep 0.05') });
    const child = spawnCli(['run', 'pb.yaml', '--verbose', '--concurrency', '2'], { cwd: dir });
    // Close our end of its stdout after the first output, as `head -1` does.
    await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
    child.stdout!.destroy();
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    expect(code, child.output.stderr).toBe(0);
    expect(child.output.stderr).not.toMatch(/EPIPE|\n\s+at /);
    const { records } = readJournal(path.join(dir, '.bootstrap', 'many'));
    expect(records.filter((r) => r.type === 'task-end' && r.status === 'succeeded')).toHaveLength(30);
    expect(records.at(-1)).toMatchObject({ type: 'run-end', status: 'succeeded' });
  });
});
