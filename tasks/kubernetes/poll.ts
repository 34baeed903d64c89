/**
 * The polling loop behind every wait: observe, report progress, sleep with the task's clock
 * (1 s growing to 2 s) honouring its signal, and fail at the deadline with the last observed state.
 */
import { TaskError, type TaskContext } from '../kind.js';
import { formatDuration } from './duration.js';
import { abortError, KubeError } from './errors.js';

/** One observation. */
export interface Observation<T> {
  done: boolean;
  /** Short state for the progress line ("0/1 ready"). */
  progress: string;
  /** Full state for the timeout message (pod phases, waiting reasons, condition messages). */
  detail?: string;
  value?: T;
}

export interface PollOptions<T> {
  /** What is awaited ("Deployment pallet/registry Available"). */
  label: string;
  timeoutMs: number;
  observe: () => Promise<Observation<T>>;
  hint?: string;
}

const FIRST_INTERVAL_MS = 1000;
const MAX_INTERVAL_MS = 2000;

/** Poll until `observe` says done; returns its last value. */
export async function pollUntil<T>(ctx: TaskContext, o: PollOptions<T>): Promise<T | undefined> {
  const start = ctx.clock.now();
  let interval = FIRST_INTERVAL_MS;
  let last: Observation<T> | undefined;
  let lastError: KubeError | undefined;
  for (;;) {
    if (ctx.signal.aborted) throw abortError(`waiting for ${o.label}`);
    try {
      last = await o.observe();
      lastError = undefined;
      if (last.done) return last.value;
    } catch (e) {
      // a blip (connection reset, 5xx) does not end a wait; anything else does
      if (!(e instanceof KubeError) || !e.transient) throw e;
      lastError = e;
    }
    const elapsed = ctx.clock.now() - start;
    const state = lastError ? lastError.message : last?.progress ?? 'no answer yet';
    if (elapsed >= o.timeoutMs) {
      const detail = lastError ? lastError.message : last?.detail || last?.progress || 'nothing observed';
      throw new TaskError(`timed out after ${formatDuration(o.timeoutMs)} waiting for ${o.label}: ${detail}`, o.hint);
    }
    ctx.progress(`waiting for ${o.label}: ${state}... ${formatDuration(elapsed)}`);
    try {
      await ctx.clock.sleep(Math.min(interval, o.timeoutMs - elapsed), ctx.signal);
    } catch (e) {
      if (ctx.signal.aborted) throw abortError(`waiting for ${o.label}`);
      throw e;
    }
    interval = Math.min(MAX_INTERVAL_MS, interval * 1.5);
  }
}
