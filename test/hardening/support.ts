/**
 * Helpers for the hardening tests: a small process pool, waiting for orphaned task processes,
 * mounting tmpfs state dirs (read-only, tiny), driving the CLI in a pseudo-terminal with tmux,
 * and grepping every file of a state dir.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BIN, REPO } from '../support/cli.js';

export { BIN, REPO };
export const HERE = path.dirname(fileURLToPath(import.meta.url));
/** Preload that SIGKILLs any bootstrap command right after its k-th journal record (see crash-hook.mjs). */
export const CRASH_HOOK = path.join(HERE, 'crash-hook.mjs');

/** Runs `fn` over `items` with at most `n` at a time; results in input order. */
export async function pool<T, R>(items: readonly T[], n: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
  return out;
}

/** Pids of processes whose environment contains `entry` (e.g. `BOOTSTRAP_RUN_ID=...`). */
export function pidsWithEnv(entry: string): number[] {
  const pids: number[] = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (fs.readFileSync(`/proc/${d}/environ`, 'latin1').split('\0').includes(entry)) pids.push(Number(d));
    } catch {
      /* gone, or not ours */
    }
  }
  return pids;
}

/**
 * Waits until no process carries `entry` in its environment: a SIGKILLed runner's children
 * live on in their own process groups, and the counts a test makes must not race them.
 */
export async function waitForNoProcessWithEnv(entry: string, timeoutMs = 15_000): Promise<void> {
  const start = Date.now();
  while (pidsWithEnv(entry).length) {
    if (Date.now() - start > timeoutMs) throw new Error(`processes with ${entry} still running after ${timeoutMs}ms: ${pidsWithEnv(entry).join(', ')}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Polls `predicate` until it holds (for files and journals written by a child process). */
export async function until(predicate: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A stack frame as Node prints them ("    at fn (file:1:2)"). */
export const STACK_FRAME = /^\s+at .+(:\d+:\d+\)?|\(native\)|<anonymous>\)?)$/m;

/** Every file under `dir` (recursively), as absolute paths. */
export function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...filesUnder(p));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

/** Files under `dir` whose bytes contain `needle` (as UTF-8). */
export function filesContaining(dir: string, needle: string): string[] {
  const n = Buffer.from(needle, 'utf8');
  return filesUnder(dir).filter((f) => fs.readFileSync(f).includes(n));
}

/** True when the process group `pgid` still has members. */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------
// tmpfs mounts (the tests run as root in CI, where chmod does not stop root)

/**
 * Mounts a tmpfs of `size` (e.g. "64k") on `dir`. Throws a clear error when mounting is not
 * permitted: these tests must not pass by skipping silently.
 */
export function mountTmpfs(dir: string, size: string): void {
  fs.mkdirSync(dir, { recursive: true });
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0755`, 'tmpfs', dir], { encoding: 'utf8' });
  if (r.status !== 0) {
    throw new Error(
      `cannot mount a tmpfs on ${dir} (${(r.stderr || r.error?.message || '').trim()}): the state-dir fault tests need root with mount ` +
        'permission (CAP_SYS_ADMIN), e.g. a privileged CI container; chmod cannot make a directory read-only for root',
    );
  }
}

export function remount(dir: string, mode: 'ro' | 'rw'): void {
  execFileSync('mount', ['-o', `remount,${mode}`, dir]);
}

export function unmount(dir: string): void {
  spawnSync('umount', ['-l', dir]);
}

// ---------------------------------------------------------------------------------------------
// A pseudo-terminal through tmux

export class Tmux {
  private readonly socket = `bs-hardening-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;

  /**
   * Starts `command` (a shell command line) in a detached 160x50 session. The outer `CI` is
   * dropped: bootstrap never prompts when CI is set, and these tests are about a user's terminal.
   */
  constructor(command: string, cwd: string, env: Record<string, string> = {}) {
    const r = spawnSync('tmux', ['-L', this.socket, '-f', '/dev/null', 'new-session', '-d', '-x', '160', '-y', '50', '-c', cwd, `env -u CI ${command}`], {
      encoding: 'utf8',
      env: { ...process.env, ...env, TERM: 'xterm-256color' },
    });
    if (r.status !== 0) throw new Error(`tmux cannot start (${(r.stderr || r.error?.message || '').trim()}): install tmux to run the terminal tests`);
  }

  /** The visible screen plus scrollback. */
  screen(): string {
    const r = spawnSync('tmux', ['-L', this.socket, 'capture-pane', '-p', '-S', '-2000'], { encoding: 'utf8' });
    return r.stdout ?? '';
  }

  /** Types keys (tmux key names: "Enter", "C-c", or literal text with literal=true). */
  send(keys: string, literal = false): void {
    execFileSync('tmux', ['-L', this.socket, 'send-keys', ...(literal ? ['-l'] : []), keys]);
  }

  async waitFor(pattern: RegExp, timeoutMs = 20_000): Promise<void> {
    await until(() => pattern.test(this.screen()), `${pattern} on the terminal; screen:\n${this.screen()}`, timeoutMs);
  }

  kill(): void {
    spawnSync('tmux', ['-L', this.socket, 'kill-server']);
    fs.rmSync(path.join(process.env.TMUX_TMPDIR ?? '/tmp', `tmux-${process.getuid?.() ?? 0}`, this.socket), { force: true });
  }
}

/**
 * Pid of the node process running bootstrap with exactly these arguments in `cwd` (not the
 * shell around it). Other test files run `bootstrap run pb.yaml ...` at the same time: the whole
 * command line and the working directory must match, or a signal would hit their process.
 */
export function bootstrapPid(argsText: string, cwd: string): number | undefined {
  const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const r = spawnSync('pgrep', ['-f', `^${esc(process.execPath)} ${esc(BIN)} ${esc(argsText)}$`], { encoding: 'utf8' });
  const want = fs.realpathSync(cwd);
  for (const line of (r.stdout ?? '').trim().split('\n')) {
    const pid = Number(line);
    if (!Number.isInteger(pid) || pid <= 0) continue;
    try {
      if (fs.readlinkSync(`/proc/${pid}/cwd`) === want) return pid;
    } catch {
      /* gone meanwhile */
    }
  }
  return undefined;
}
