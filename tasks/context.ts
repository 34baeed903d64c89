/**
 * Builds a {@link TaskContext} from its parts. The engine builds one per task attempt; tests
 * build one with fakes (a local HTTP server's fetch, a fake clock, collected logs).
 */
import { runProcess, type ProcessOptions } from '../runner/process.js';
import type { Clock, ExecOptions, TaskContext } from './kind.js';

/** The real clock: Date.now and an abortable sleep. */
export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(abortError(signal));
      const t = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        clearTimeout(t);
        reject(abortError(signal!));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

function abortError(signal: AbortSignal): Error {
  const e = new Error(typeof signal.reason === 'string' ? signal.reason : 'aborted');
  e.name = 'AbortError';
  return e;
}

export interface ContextParts {
  taskId: string;
  runId?: string;
  playbookDir?: string;
  stateDir?: string;
  /** The task's environment, or a function that builds it when a kind first reads it. */
  env?: Record<string, string | undefined> | (() => Record<string, string | undefined>);
  signal?: AbortSignal;
  clock?: Clock;
  fetch?: typeof fetch;
  /** Receives streamed output lines of exec'd programs. */
  onOutput?: (stream: 'stdout' | 'stderr', line: string) => void;
  onLog?: (level: 'error' | 'warn' | 'info' | 'debug', message: string) => void;
  onProgress?: (message: string) => void;
  remember?: (note: Record<string, unknown>) => Promise<void>;
  remembered?: Record<string, unknown>;
  secret?: (value: string) => void;
  /** Replaces the real process runner (tests). */
  spawn?: (opts: ProcessOptions) => ReturnType<typeof runProcess>;
}

export function createTaskContext(parts: ContextParts): TaskContext {
  // Built when first read: a kind that spawns nothing and reads no variable never pays for a
  // copy of the whole environment (~40 variables, for each of 10,000 no-op tasks).
  let env = typeof parts.env === 'function' ? undefined : parts.env;
  const envOf = () => (env ??= typeof parts.env === 'function' ? parts.env() : { ...process.env });
  const signal = parts.signal ?? new AbortController().signal;
  const spawn = parts.spawn ?? runProcess;
  return {
    taskId: parts.taskId,
    runId: parts.runId ?? 'test',
    playbookDir: parts.playbookDir ?? process.cwd(),
    stateDir: parts.stateDir ?? process.cwd(),
    get env() {
      return envOf();
    },
    signal,
    clock: parts.clock ?? realClock,
    fetch: parts.fetch ?? globalThis.fetch,
    exec(file: string, args: readonly string[], opts: ExecOptions = {}) {
      return spawn({
        file,
        args,
        cwd: opts.cwd,
        env: { ...envOf(), ...opts.env },
        input: opts.input,
        timeoutMs: opts.timeoutMs,
        signal,
        captureStdout: opts.captureStdout ?? true,
        onLine: opts.quiet ? undefined : parts.onOutput,
      });
    },
    spawn: (opts) => spawn({ signal, onLine: parts.onOutput, ...opts }),
    log: (level, message) => parts.onLog?.(level, message),
    progress: (message) => parts.onProgress?.(message),
    remember: parts.remember ?? (async () => {}),
    remembered: parts.remembered ?? {},
    secret: (value) => parts.secret?.(value),
  };
}
