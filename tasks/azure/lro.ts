/**
 * Waiting on Azure long-running operations: drives an SDK poller (or a GET loop) one poll at
 * a time so every poll reports progress and an abort (Ctrl-C, the task's timeout) stops the
 * wait at once. Stopping the wait does not stop the operation in Azure.
 */
import { formatMs } from '../../runner/process.js';
import type { TaskContext } from '../kind.js';

/** The part of `@azure/core-lro`'s SimplePollerLike this module uses. */
export interface PollerLike<T> {
  poll(options?: { abortSignal?: AbortSignal }): Promise<void>;
  isDone(): boolean;
  getResult(): T | undefined;
}

export interface WaitOptions {
  ctx: Pick<TaskContext, 'clock' | 'signal' | 'progress'>;
  intervalMs: number;
  /** Progress line for the elapsed time so far ("creating AKS cluster x ... 3m10s elapsed"). */
  describe: (elapsed: string) => Promise<string> | string;
}

/** "3m10s": the elapsed-time format of progress lines. */
export function elapsedSince(ctx: Pick<TaskContext, 'clock'>, startedAt: number): string {
  const ms = Math.max(0, ctx.clock.now() - startedAt);
  return ms < 1000 ? '0s' : formatMs(Math.floor(ms / 1000) * 1000);
}

/**
 * Polls `poller` every `intervalMs` until the operation is done, reporting progress after
 * every poll. Throws the poller's error when the operation fails, an AbortError on abort.
 */
export async function driveLro<T>(poller: PollerLike<T>, opts: WaitOptions): Promise<T | undefined> {
  const { ctx } = opts;
  const startedAt = ctx.clock.now();
  ctx.progress(await opts.describe(elapsedSince(ctx, startedAt)));
  while (!poller.isDone()) {
    await ctx.clock.sleep(opts.intervalMs, ctx.signal);
    await poller.poll({ abortSignal: ctx.signal });
    ctx.progress(await opts.describe(elapsedSince(ctx, startedAt)));
  }
  // A poller that ended failed throws its error from poll(); call it once more to surface it.
  await poller.poll({ abortSignal: ctx.signal });
  return poller.getResult();
}

/**
 * Calls `observe` every `intervalMs` until it returns a value other than undefined, reporting
 * progress before each wait. Throws an AbortError on abort.
 */
export async function waitFor<T>(
  observe: () => Promise<T | undefined>,
  opts: WaitOptions,
): Promise<T> {
  const { ctx } = opts;
  const startedAt = ctx.clock.now();
  for (;;) {
    const value = await observe();
    if (value !== undefined) return value;
    ctx.progress(await opts.describe(elapsedSince(ctx, startedAt)));
    await ctx.clock.sleep(opts.intervalMs, ctx.signal);
  }
}
