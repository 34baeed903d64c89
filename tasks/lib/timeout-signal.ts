/**
 * An AbortSignal that fires when a parent signal fires (interrupt, task timeout) or after a
 * per-request timeout, and tells the two apart afterwards.
 */

/** A combined signal; call `dispose()` when the request is over to clear the timer. */
export interface TimeoutSignal {
  signal: AbortSignal;
  /** True when the per-request timeout (not the parent) fired. */
  timedOut(): boolean;
  dispose(): void;
}

/** Combines `parent` with a timeout of `ms` milliseconds (real time). */
export function timeoutSignal(parent: AbortSignal, ms: number): TimeoutSignal {
  const ac = new AbortController();
  let fired = false;
  const onParent = () => ac.abort(parent.reason);
  if (parent.aborted) ac.abort(parent.reason);
  else parent.addEventListener('abort', onParent, { once: true });
  const timer = setTimeout(() => {
    fired = true;
    const e = new Error(`timed out after ${ms}ms`);
    e.name = 'TimeoutError';
    ac.abort(e);
  }, ms);
  timer.unref?.();
  return {
    signal: ac.signal,
    timedOut: () => fired && !parent.aborted,
    dispose: () => {
      clearTimeout(timer);
      parent.removeEventListener('abort', onParent);
    },
  };
}
