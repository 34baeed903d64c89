/** The `noop` task kind: no process, outputs echoed, and a whole run of them journalled. */
import { describe, expect, it } from 'vitest';
import { liveCount } from '../../runner/process.js';
import { createTaskContext } from '../../tasks/context.js';
import { kinds } from '../../tasks/index.js';
import { noopKind } from '../../tasks/noop.js';
import { engineRun, loadFromText, stateOf, tempDir } from '../support/engine.js';

describe('noop kind', () => {
  it('is registered, echoes `outputs` and starts no process', async () => {
    expect(kinds.get('noop')).toBe(noopKind);
    const ctx = createTaskContext({
      taskId: 't',
      spawn: () => {
        throw new Error('noop must not start a process');
      },
    });
    expect(await noopKind.run({ outputs: { url: 'http://x', n: 3 } }, ctx)).toEqual({ outputs: { url: 'http://x', n: 3 } });
    expect(await noopKind.run({}, ctx)).toEqual({});
    expect(noopKind.undo).toBeUndefined();
  });

  it('a playbook of noop tasks runs in dependency order and journals every task', async () => {
    const dir = tempDir('bootstrap-noop-');
    const yaml = [
      'name: noops',
      'tasks:',
      '  a: { uses: noop, with: { outputs: { v: 1 } } }',
      '  b: { uses: noop, with: {}, needs: [a] }',
      '  c: { uses: noop, with: {}, needs: [a] }',
      '  d: { uses: noop, with: {}, needs: [b, c] }',
      '',
    ].join('\n');
    const playbook = await loadFromText(dir, yaml, kinds);
    const before = liveCount();
    const { outcome, events } = await engineRun(playbook, dir, kinds, { concurrency: 2 });
    expect(outcome.status).toBe('succeeded');
    expect(liveCount()).toBe(before);
    const finished = events.filter((e) => e.type === 'task-finished').map((e) => (e as { task: string }).task);
    expect(finished.indexOf('a')).toBeLessThan(finished.indexOf('b'));
    expect(finished.indexOf('a')).toBeLessThan(finished.indexOf('c'));
    expect(finished.indexOf('d')).toBe(3);
    const run = stateOf(dir).runs.at(-1)!;
    expect([...run.tasks.keys()].sort()).toEqual(['a', 'b', 'c', 'd']);
    expect(run.tasks.get('a')).toMatchObject({ status: 'succeeded', outputs: { v: 1 } });
  });
});
