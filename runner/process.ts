/**
 * The one module that runs commands (spawned directly, or forked by the spawn helper of
 * spawn-server.ts).
 *
 * Every child gets its own process group (`detached: true` makes it a session and group
 * leader), so a timeout, an abort or Ctrl-C kills the whole tree it started with one
 * `kill(-pgid)`. A kill requested before the call means the spawn never happens; one requested
 * while the spawn helper is still starting the command is carried out as soon as it has.
 */
import { spawn } from 'node:child_process';
import type { EventEmitter } from 'node:events';
import fs from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { spawnViaHelper } from './spawn-server.js';

/** What runProcess uses of a child: a ChildProcess, or a command started by the spawn helper. */
type ChildLike = EventEmitter & {
  pid?: number;
  stdout: (EventEmitter & { destroy(): unknown }) | null;
  stderr: (EventEmitter & { destroy(): unknown }) | null;
  stdin: NodeJS.WritableStream | null;
};

export interface ProcessOptions {
  /** Executable, looked up on PATH. */
  file: string;
  args: readonly string[];
  cwd?: string;
  /** The complete environment of the child (not merged with process.env here). */
  env?: NodeJS.ProcessEnv;
  /** Text written to the child's stdin, which is then closed. Default: stdin is /dev/null. */
  input?: string;
  /** Kill the process group after this many milliseconds. */
  timeoutMs?: number;
  /** After SIGTERM, wait this long before SIGKILL. Default 5000. */
  killGraceMs?: number;
  /** Aborting kills the process group (SIGTERM, then SIGKILL after the grace period). */
  signal?: AbortSignal;
  /** Called for every complete output line (without the newline). */
  onLine?: (stream: 'stdout' | 'stderr', line: string) => void;
  /** Called once the child exists, with its pid (= its process group id). */
  onSpawn?: (pid: number) => void;
  /** How many of the last output lines to keep in the result. Default 50. */
  keepLines?: number;
  /** Keep the whole stdout in the result (for commands whose output is parsed). Default false. */
  captureStdout?: boolean;
}

export interface ProcessResult {
  /** Exit code, or null when killed by a signal. */
  code: number | null;
  signal: NodeJS.Signals | null;
  /** True when the process could not be started at all (ENOENT, EACCES...). */
  spawnError?: string;
  timedOut: boolean;
  /** True when killed because the abort signal fired (or it was never spawned for that reason). */
  aborted: boolean;
  pid?: number;
  durationMs: number;
  /** The last `keepLines` lines of stdout and stderr, interleaved in arrival order. */
  lastLines: string[];
  /** Whole stdout when `captureStdout` was set. */
  stdout: string;
  /** Whole stderr, capped at 64 KiB. */
  stderr: string;
}

/** True when the process exited with code 0. */
export function succeeded(r: ProcessResult): boolean {
  return r.code === 0 && !r.timedOut && !r.aborted && !r.spawnError;
}

/** One-line description of how a process ended, for error messages. */
export function describeExit(r: ProcessResult, timeoutMs?: number): string {
  if (r.spawnError) return r.spawnError;
  if (r.timedOut) return `timed out after ${formatMs(timeoutMs ?? 0)}`;
  if (r.aborted) return 'interrupted';
  if (r.signal) return `killed by ${r.signal}`;
  return `exit code ${r.code}`;
}

export function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)}s`;
  const m = Math.floor(ms / 60_000);
  const s = Math.round((ms % 60_000) / 1000);
  return s ? `${m}m${s}s` : `${m}m`;
}

const STDERR_CAP = 64 * 1024;

/** Process groups of children that are running now, for the force-exit path. */
const live = new Set<number>();

/** Send a signal to a whole process group; ignores groups that are already gone. */
export function killGroup(pgid: number, sig: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, sig);
    return true;
  } catch {
    return false;
  }
}

/**
 * True when a process group still has a live member. Zombies do not count: a killed orphan
 * waits for its reaper (init, which in some containers never reaps) but runs nothing.
 */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  if (process.platform !== 'linux') return true;
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return true;
  }
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // fields[0] = state, fields[2] = process group
      if (Number(fields[2]) === pgid && fields[0] !== 'Z') return true;
    } catch {
      /* the process went away while we looked */
    }
  }
  return false;
}

/** SIGKILL every running child's group, synchronously. For a forced exit (second Ctrl-C). */
export function killAllNow(): void {
  for (const pgid of live) killGroup(pgid, 'SIGKILL');
  live.clear();
}

/**
 * Runs `work` with the event loop held open. A run or an undo must end by its own logic, never
 * because every handle in flight happened to be unref'd (a library's socket or timer, the idle
 * spawn helper): Node would then exit with code 13 mid-run and leave the journal unfinished.
 */
export async function holdingLoop<T>(work: () => Promise<T>): Promise<T> {
  const hold = setInterval(() => {}, 2 ** 30);
  try {
    return await work();
  } finally {
    clearInterval(hold);
  }
}

/** Number of children currently running (for tests and diagnostics). */
export function liveCount(): number {
  return live.size;
}

/**
 * Run a process to completion. Never rejects: failures to start are reported in
 * `spawnError`, kills in `timedOut` / `aborted` / `signal`.
 */
export function runProcess(opts: ProcessOptions): Promise<ProcessResult> {
  const started = Date.now();
  const keep = opts.keepLines ?? 50;
  const lastLines: string[] = [];
  const base = (): ProcessResult => ({
    code: null,
    signal: null,
    timedOut: false,
    aborted: false,
    durationMs: Date.now() - started,
    lastLines,
    stdout: '',
    stderr: '',
  });
  if (opts.signal?.aborted) return Promise.resolve({ ...base(), aborted: true });

  return new Promise((resolve) => {
    let child: ChildLike;
    try {
      // Through the spawn helper (runner/spawn-server.ts) when it is available: much cheaper
      // than forking node. Commands that read stdin are spawned directly.
      child =
        (opts.input === undefined ? spawnViaHelper(opts.file, opts.args, opts.cwd, opts.env ?? process.env) : undefined) ??
        spawn(opts.file, opts.args as string[], {
          cwd: opts.cwd,
          env: opts.env ?? process.env,
          detached: true,
          stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
        });
    } catch (e) {
      resolve({ ...base(), spawnError: `cannot start ${opts.file}: ${(e as Error).message}` });
      return;
    }
    /** The child's pid (= its process group): known at once, or when the helper reports it. */
    let pid: number | undefined;
    /** A kill was asked for before the pid was known: done as soon as it is. */
    let killPending = false;
    let timedOut = false;
    let aborted = false;
    let stdout = '';
    let stderr = '';
    let killTimer: NodeJS.Timeout | undefined;
    let timeoutTimer: NodeJS.Timeout | undefined;
    let drainTimer: NodeJS.Timeout | undefined;
    let settled = false;

    const terminate = () => {
      if (pid === undefined) {
        killPending = true;
        return;
      }
      if (killTimer) return;
      const group = pid;
      killGroup(group, 'SIGTERM');
      killTimer = setTimeout(() => killGroup(group, 'SIGKILL'), opts.killGraceMs ?? 5000);
      killTimer.unref();
    };
    const onAbort = () => {
      aborted = true;
      terminate();
    };

    const onStarted = (p: number) => {
      if (settled) return;
      pid = p;
      live.add(p);
      opts.onSpawn?.(p);
      if (killPending) terminate();
    };
    if (opts.timeoutMs && opts.timeoutMs > 0) {
      timeoutTimer = setTimeout(() => {
        timedOut = true;
        terminate();
      }, opts.timeoutMs);
    }
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    if (child.pid !== undefined) onStarted(child.pid);
    else child.once('spawn', () => child.pid !== undefined && onStarted(child.pid));

    const pushLine = (stream: 'stdout' | 'stderr', line: string) => {
      if (line.endsWith('\r')) line = line.slice(0, -1);
      lastLines.push(line);
      if (lastLines.length > keep) lastLines.shift();
      opts.onLine?.(stream, line);
    };
    const attach = (stream: 'stdout' | 'stderr') => {
      const decoder = new StringDecoder('utf8');
      let pending = '';
      const src = stream === 'stdout' ? child.stdout : child.stderr;
      src?.on('data', (chunk: Buffer) => {
        const text = decoder.write(chunk);
        if (stream === 'stdout' && opts.captureStdout) stdout += text;
        if (stream === 'stderr' && stderr.length < STDERR_CAP) stderr += text.slice(0, STDERR_CAP - stderr.length);
        pending += text;
        let nl;
        while ((nl = pending.indexOf('\n')) >= 0) {
          pushLine(stream, pending.slice(0, nl));
          pending = pending.slice(nl + 1);
        }
      });
      return () => {
        pending += decoder.end();
        if (pending) pushLine(stream, pending);
        pending = '';
      };
    };
    const flushOut = attach('stdout');
    const flushErr = attach('stderr');

    if (opts.input !== undefined && child.stdin) {
      child.stdin.on('error', () => {});
      child.stdin.end(opts.input);
    }

    const finish = (code: number | null, signal: NodeJS.Signals | null, spawnError?: string) => {
      if (settled) return;
      settled = true;
      if (timeoutTimer) clearTimeout(timeoutTimer);
      if (killTimer) clearTimeout(killTimer);
      if (drainTimer) clearTimeout(drainTimer);
      opts.signal?.removeEventListener('abort', onAbort);
      // When we killed it, kill what is left of its group too: a child forked while the
      // SIGTERM was being delivered escapes it and would outlive the task.
      if (pid !== undefined && killTimer) killGroup(pid, 'SIGKILL');
      if (pid !== undefined) live.delete(pid);
      flushOut();
      flushErr();
      resolve({
        code,
        signal,
        spawnError,
        timedOut,
        aborted: aborted && !timedOut,
        pid,
        durationMs: Date.now() - started,
        lastLines,
        stdout,
        stderr,
      });
    };

    child.on('error', (e: NodeJS.ErrnoException) => {
      const msg = e.code === 'ENOENT' ? `command not found: ${opts.file}` : `cannot start ${opts.file}: ${e.message}`;
      finish(null, null, msg);
    });
    // 'exit' fires when the child is reaped; background grandchildren may still hold the
    // pipes open, so give the streams a moment to drain and then stop reading.
    child.on('close', (code, signal) => finish(code, signal));
    child.on('exit', (code, signal) => {
      if (settled) return;
      drainTimer = setTimeout(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
        finish(code, signal);
      }, 200);
      drainTimer.unref();
    });
  });
}
