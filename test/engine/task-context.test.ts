/**
 * The task context's environment is built when a kind first reads it (or execs something): a
 * kind that does neither never pays for a copy of the whole environment.
 */
import { describe, expect, it } from 'vitest';
import { createTaskContext } from '../../tasks/context.js';
import type { ProcessOptions } from '../../runner/process.js';

describe('createTaskContext env', () => {
  it('is built once, on first use, from the function given', async () => {
    let built = 0;
    const seen: ProcessOptions[] = [];
    const ctx = createTaskContext({
      taskId: 't',
      env: () => {
        built++;
        return { HOME: '/home/x', ONLY: 'here' };
      },
      spawn: async (opts) => {
        seen.push(opts);
        return { code: 0, signal: null, stdout: '', lastLines: [], timedOut: false, aborted: false, durationMs: 0 } as never;
      },
    });
    expect(built).toBe(0);
    expect(ctx.env.ONLY).toBe('here');
    expect(ctx.env.HOME).toBe('/home/x');
    expect(built).toBe(1);
    await ctx.exec('true', [], { env: { EXTRA: '1' } });
    expect(built).toBe(1);
    expect(seen[0]!.env).toEqual({ HOME: '/home/x', ONLY: 'here', EXTRA: '1' });
  });

  it('exec builds it when nothing read it before', async () => {
    let built = 0;
    const seen: ProcessOptions[] = [];
    const ctx = createTaskContext({
      taskId: 't',
      env: () => (built++, { A: 'a' }),
      spawn: async (opts) => (seen.push(opts), { code: 0, signal: null, stdout: '', lastLines: [], timedOut: false, aborted: false, durationMs: 0 } as never),
    });
    await ctx.exec('true', []);
    expect(built).toBe(1);
    expect(seen[0]!.env).toEqual({ A: 'a' });
  });

  it('an object is used as it is, and no env at all means the process environment', () => {
    const env = { X: '1' };
    expect(createTaskContext({ taskId: 't', env }).env).toBe(env);
    expect(createTaskContext({ taskId: 't' }).env.PATH).toBe(process.env.PATH);
  });
});
