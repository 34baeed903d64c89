/**
 * The `$BOOTSTRAP_OUTPUT` file of a shell task: created by the command's first append, read and
 * removed when the command ends; files left by an earlier run that crashed are never read as
 * this run's outputs.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { engineRun, loadFromText, tempDir } from '../support/engine.js';

const PLAYBOOK = `name: outs
tasks:
  writes:
    run: |
      test ! -e "$BOOTSTRAP_OUTPUT" || { echo "exists before the command appends"; exit 9; }
      echo "url=http://x" >> "$BOOTSTRAP_OUTPUT"
      echo "n=2" >> "$BOOTSTRAP_OUTPUT"
    outputs: [url, n]
  quiet:
    run: "true"
  after:
    needs: [writes, quiet]
    run: test "\${{ tasks.writes.outputs.url }}" = http://x
`;

describe('$BOOTSTRAP_OUTPUT', () => {
  it('is created by the first append, read when the command ends, then removed; a stale file of a crashed run is not read', async () => {
    const dir = tempDir();
    const state = path.join(dir, 'state');
    fs.mkdirSync(path.join(state, 'outputs'), { recursive: true });
    // What a run killed between a command's append and bootstrap's read leaves behind.
    fs.writeFileSync(path.join(state, 'outputs', 'quiet.env'), 'stale=1\n');
    fs.writeFileSync(path.join(state, 'outputs', 'writes.env'), 'url=http://stale\n');
    const playbook = await loadFromText(dir, PLAYBOOK, new Map());
    const { outcome, events } = await engineRun(playbook, state, new Map());
    expect(outcome.status).toBe('succeeded');
    const ends = new Map(events.flatMap((e) => (e.type === 'task-finished' ? [[e.task, e]] : [])));
    expect(ends.get('writes')?.outputs).toEqual({ url: 'http://x', n: '2' });
    expect(ends.get('quiet')?.outputs).toEqual({});
    expect(fs.readdirSync(path.join(state, 'outputs'))).toEqual([]);
    expect(fs.statSync(path.join(state, 'outputs')).mode & 0o777).toBe(0o700);
  });
});
