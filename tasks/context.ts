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
  return new PartsContext(parts);
}

/**
 * A context over its parts. Methods on the prototype, not closures per context: the engine
 * makes one per task attempt (10,000 no-op tasks made ~15 MB of closures).
 */
class PartsContext implements TaskContext {
  readonly taskId: string;
  readonly runId: string;
  readonly playbookDir: string;
  readonly stateDir: string;
  readonly signal: AbortSignal;
  readonly clock: Clock;
  readonly fetch: typeof fetch;
  readonly remembered: Record<string, unknown>;
  /**
   * Built when first read: a kind that spawns nothing and reads no variable never pays for a
   * copy of the whole environment (~40 variables, for each of 10,000 no-op tasks).
   */
  private envValue: Record<string, string | undefined> | undefined;

  constructor(private readonly parts: ContextParts) {
    this.taskId = parts.taskId;
    this.runId = parts.runId ?? 'test';
    this.playbookDir = parts.playbookDir ?? process.cwd();
    this.stateDir = parts.stateDir ?? process.cwd();
    this.signal = parts.signal ?? new AbortController().signal;
    this.clock = parts.clock ?? realClock;
    this.fetch = parts.fetch ?? globalThis.fetch;
    this.remembered = parts.remembered ?? {};
    this.envValue = typeof parts.env === 'function' ? undefined : parts.env;
  }

  get env(): Record<string, string | undefined> {
    const env = this.parts.env;
    return (this.envValue ??= typeof env === 'function' ? env() : { ...process.env });
  }

  exec(file: string, args: readonly string[], opts: ExecOptions = {}): ReturnType<typeof runProcess> {
    return (this.parts.spawn ?? runProcess)({
      file,
      args,
      cwd: opts.cwd,
      env: { ...this.env, ...opts.env },
      input: opts.input,
      timeoutMs: opts.timeoutMs,
      signal: this.signal,
      captureStdout: opts.captureStdout ?? true,
      onLine: opts.quiet ? undefined : this.parts.onOutput,
    });
  }

  spawn(opts: ProcessOptions): ReturnType<typeof runProcess> {
    return (this.parts.spawn ?? runProcess)({ signal: this.signal, onLine: this.parts.onOutput, ...opts });
  }

  log(level: 'error' | 'warn' | 'info' | 'debug', message: string): void {
    this.parts.onLog?.(level, message);
  }

  progress(message: string): void {
    this.parts.onProgress?.(message);
  }

  remember(note: Record<string, unknown>): Promise<void> {
    return this.parts.remember ? this.parts.remember(note) : Promise.resolve();
  }

  secret(value: string): void {
    this.parts.secret?.(value);
  }
}
