/**
 * runner/process.ts runs every command of a playbook, through a spawn helper
 * (runner/spawn-server.ts: Python or Perl) or directly (BOOTSTRAP_SPAWN=direct, or neither
 * interpreter). All three paths must keep the same promises: exit codes and signals, output lines, spawn errors, the command's own
 * process group (killed whole on timeout or abort), the exact environment and cwd.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { groupAlive, runProcess, type ProcessOptions } from '../../runner/process.js';
import { helperPid, resetSpawnHelper, stopSpawnHelper } from '../../runner/spawn-server.js';

const bash = (script: string, more: Partial<ProcessOptions> = {}) => runProcess({ file: 'bash', args: ['--noprofile', '--norc', '-c', script], ...more });
const until = async (p: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!p() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  return p();
};

// The Python helper is used on Linux only (macOS's /usr/bin/python3 may be an installer stub).
const HELPERS = process.platform === 'linux' ? (['python', 'perl'] as const) : (['perl'] as const);
// python-popen: the Python helper's fallback for a libc that cannot start a session in posix_spawn.
const RUNNERS = process.platform === 'linux' ? (['python', 'python-popen', 'perl', 'direct'] as const) : (['perl', 'direct'] as const);

describe.each(RUNNERS)('runProcess (spawning: %s)', (mode) => {
  const saved = process.env.BOOTSTRAP_SPAWN;
  beforeAll(() => {
    process.env.BOOTSTRAP_SPAWN = mode;
    resetSpawnHelper();
  });
  afterAll(() => {
    if (saved === undefined) delete process.env.BOOTSTRAP_SPAWN;
    else process.env.BOOTSTRAP_SPAWN = saved;
  });

  it('exit codes, stdout and stderr lines in order, a last line without newline', async () => {
    const lines: string[] = [];
    const r = await bash('echo one; echo two >&2; printf "three"; exit 7', { onLine: (s, l) => lines.push(`${s}:${l}`), captureStdout: true });
    expect(r.code).toBe(7);
    expect(r.signal).toBeNull();
    expect(r.stdout).toBe('one\nthree');
    expect(r.stderr).toBe('two\n');
    expect(lines.filter((l) => l.startsWith('stdout'))).toEqual(['stdout:one', 'stdout:three']);
    expect(lines).toContain('stderr:two');
  });

  it('a command killed by a signal reports the signal, not 128+n', async () => {
    const r = await bash('kill -TERM $$');
    expect(r.code).toBeNull();
    expect(r.signal).toBe('SIGTERM');
  });

  it('a missing command or cwd is a spawn error, and nothing runs', async () => {
    const missing = await runProcess({ file: 'no-such-command-bs', args: [] });
    expect(missing.spawnError).toBe('command not found: no-such-command-bs');
    const noCwd = await bash('echo ran', { cwd: path.join(os.tmpdir(), 'no-such-dir-bs', String(process.pid)) });
    expect(noCwd.spawnError).toBeDefined();
    expect(noCwd.code).toBeNull();
  });

  it('a command is looked up on its own PATH as execvp does: the first executable one; a relative entry is the cwd', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bs-path-'));
    for (const d of ['a', 'b', 'c', 'cwd/rel']) fs.mkdirSync(path.join(dir, d), { recursive: true });
    fs.writeFileSync(path.join(dir, 'a/tool'), '#!/bin/sh\necho a\n', { mode: 0o644 }); // not executable
    fs.mkdirSync(path.join(dir, 'b/tool')); // a directory
    fs.writeFileSync(path.join(dir, 'c/tool'), '#!/bin/sh\necho "c $0"\n', { mode: 0o755 });
    fs.writeFileSync(path.join(dir, 'cwd/rel/reltool'), '#!/bin/sh\necho rel\n', { mode: 0o755 });
    const PATH = ['a', 'b', 'c'].map((d) => path.join(dir, d)).join(':');
    const r = await runProcess({ file: 'tool', args: [], env: { PATH }, captureStdout: true });
    expect(r.stdout).toBe('c tool\n'.replace('tool', path.join(dir, 'c/tool')));
    // Only a file that cannot be executed: permission denied, not "not found".
    const denied = await runProcess({ file: 'tool', args: [], env: { PATH: path.join(dir, 'a') } });
    expect(denied.spawnError).toMatch(/EACCES/);
    const rel = await runProcess({ file: 'reltool', args: [], env: { PATH: `/nonexistent:rel` }, cwd: path.join(dir, 'cwd'), captureStdout: true });
    expect(rel.stdout).toBe('rel\n');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('exactly the environment given, in the cwd given, in its own process group, stdin empty', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bs-proc-'));
    let pid: number | undefined;
    const r = await bash('echo "cwd=$(pwd)"; echo "only=$ONLY home=${HOME-unset}"; echo "pgid=$(ps -o pgid= $$ | tr -d " ") pid=$$ ppid=$PPID"; cat; echo "stdin-done"', {
      cwd: dir,
      env: { PATH: process.env.PATH, ONLY: 'a b\nc' },
      captureStdout: true,
      onSpawn: (p) => (pid = p),
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`cwd=${fs.realpathSync(dir)}`);
    expect(r.stdout).toContain('only=a b\nc home=unset');
    expect(r.stdout).toContain(`pgid=${pid} pid=${pid}`);
    // Started by the helper asked for (its parent is that interpreter) or by this very process.
    const ppid = Number(/ppid=(\d+)/.exec(r.stdout)![1]);
    if (mode === 'direct') expect(ppid).toBe(process.pid);
    else expect(fs.readFileSync(`/proc/${ppid}/comm`, 'utf8')).toMatch(mode.startsWith('python') ? /^python/ : /^perl/);
    expect(r.stdout).toContain('stdin-done');
    expect(r.pid).toBe(pid);
  });

  it('no signal ignored or blocked (the interpreters ignore SIGPIPE; a command must not inherit that)', async () => {
    const r = await runProcess({ file: 'cat', args: ['/proc/self/status'], captureStdout: true });
    expect(r.code).toBe(0);
    // Except, with posix_spawn, glibc's own two (32 and 33, below SIGRTMIN: no program can use
    // them), which it leaves ignored, as in every command GNU make starts. (Exactly none with
    // Popen: so the python-popen runs show that the fallback is what ran.)
    const glibcOwn = mode === 'python' ? 0x180000000n : 0n;
    const ignored = BigInt(`0x${/^SigIgn:\s*([0-9a-f]+)$/m.exec(r.stdout)![1]}`) & ~glibcOwn;
    expect(ignored.toString(16)).toBe('0');
    expect(r.stdout).toMatch(/^SigBlk:\s*0+$/m);
    // So a writer to a closed pipe dies of SIGPIPE, as in a terminal, rather than failing with EPIPE.
    const p = await bash('yes | head -c 1 >/dev/null; echo "${PIPESTATUS[0]}"', { captureStdout: true });
    expect(p.stdout).toBe('141\n');
  });

  it('a command without a cwd runs in bootstrap\'s, even after one that had its own', async () => {
    const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'bs-cwd-')));
    expect((await runProcess({ file: 'pwd', args: ['-P'], cwd: dir, captureStdout: true })).stdout).toBe(`${dir}\n`);
    expect((await runProcess({ file: 'pwd', args: ['-P'], captureStdout: true })).stdout).toBe(`${fs.realpathSync(process.cwd())}\n`);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('each command gets exactly its own environment, one after another (the helpers send changes to a base)', async () => {
    const base: NodeJS.ProcessEnv = { PATH: process.env.PATH, A: '1', B: 'two words', C: 'é=✓', UNSET_LATER: 'x' };
    const many = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`MANY_${i}`, String(i)]));
    const envs: NodeJS.ProcessEnv[] = [
      base,
      { ...base, A: '2', NEW: 'n' }, // changed and added
      { ...base, UNSET_LATER: undefined }, // removed
      { PATH: process.env.PATH }, // almost everything removed
      { ...base, ...many }, // far from the base: becomes the new base
      { ...base, MANY_3: '3' },
      base,
    ];
    for (const env of envs) {
      const r = await runProcess({ file: 'env', args: ['-0'], env, captureStdout: true });
      expect(r.code).toBe(0);
      const got = Object.fromEntries(r.stdout.split('\0').filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
      const want = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined));
      expect(got, mode).toEqual(want);
    }
  });

  it('a timeout kills the whole process group, grandchildren included', async () => {
    let pid = 0;
    const r = await bash('sleep 300 & sleep 300; wait', { timeoutMs: 300, killGraceMs: 500, onSpawn: (p) => (pid = p) });
    expect(r.timedOut).toBe(true);
    expect(await until(() => !groupAlive(pid))).toBe(true);
  });

  it('an abort asked for before the command has started still kills it', async () => {
    const ac = new AbortController();
    let pid = 0;
    const p = bash('sleep 300', { signal: ac.signal, killGraceMs: 500, onSpawn: (x) => (pid = x) });
    ac.abort();
    const r = await p;
    expect(r.aborted).toBe(true);
    if (pid) expect(await until(() => !groupAlive(pid))).toBe(true);
  });

  it('a background grandchild holding the pipes does not hold the result', async () => {
    let pid = 0;
    const r = await bash('(sleep 300 &) ; echo started', { onSpawn: (p) => (pid = p) });
    expect(r.code).toBe(0);
    expect(r.lastLines).toContain('started');
    process.kill(-pid, 'SIGKILL');
  });

  it('many commands at once keep their outputs apart', async () => {
    const rs = await Promise.all(Array.from({ length: 40 }, (_, i) => bash(`for k in 1 2 3; do echo "job${i}-$k"; done; exit ${i % 5}`, { captureStdout: true })));
    rs.forEach((r, i) => {
      expect(r.code).toBe(i % 5);
      expect(r.stdout).toBe(`job${i}-1\njob${i}-2\njob${i}-3\n`);
    });
  });
});

describe.each(HELPERS)('at the end of a run (%s)', (mode) => {
  it('stopSpawnHelper lets the helper go and reaps it: it is gone when the promise resolves', async () => {
    process.env.BOOTSTRAP_SPAWN = mode;
    resetSpawnHelper();
    try {
      const r = await bash('echo hi', { captureStdout: true });
      expect(r.stdout).toBe('hi\n');
      const pid = helperPid()!;
      expect(pid).toBeGreaterThan(0);
      await stopSpawnHelper();
      expect(helperPid()).toBeUndefined();
      // Reaped by this process, so not even a zombie is left.
      expect(() => process.kill(pid, 0)).toThrow(/ESRCH/);
      // The next command starts a new helper.
      expect((await bash('echo again', { captureStdout: true })).stdout).toBe('again\n');
      expect(helperPid()).not.toBe(pid);
    } finally {
      delete process.env.BOOTSTRAP_SPAWN;
      resetSpawnHelper();
    }
  });
});

describe.each(HELPERS)('when the spawn helper dies (%s)', (mode) => {
  const saved = process.env.BOOTSTRAP_SPAWN;
  afterAll(() => {
    if (saved === undefined) delete process.env.BOOTSTRAP_SPAWN;
    else process.env.BOOTSTRAP_SPAWN = saved;
    resetSpawnHelper();
  });
  it('a command it had started is reported killed and its group is gone; one it had not is started directly; later ones go direct', async () => {
    process.env.BOOTSTRAP_SPAWN = mode;
    resetSpawnHelper();
    let runningPid = 0;
    const running = bash('sleep 300', { onSpawn: (p) => (runningPid = p) });
    expect(await until(() => runningPid > 0)).toBe(true);
    const helper = helperPid()!;
    expect(helper).toBeGreaterThan(0);
    // Freeze the helper so the next request stays unstarted, then kill it.
    process.kill(helper, 'SIGSTOP');
    const queued = bash('echo "ppid=$PPID"', { captureStdout: true });
    await new Promise((r) => setTimeout(r, 100));
    process.kill(helper, 'SIGKILL');
    const r1 = await running;
    expect(r1.signal).toBe('SIGKILL');
    expect(await until(() => !groupAlive(runningPid))).toBe(true);
    const r2 = await queued;
    expect(r2.code).toBe(0);
    expect(r2.stdout).toBe(`ppid=${process.pid}\n`);
    const r3 = await bash('echo "ppid=$PPID"', { captureStdout: true });
    expect(r3.stdout).toBe(`ppid=${process.pid}\n`);
  });
});

describe.each(HELPERS)('when bootstrap dies with a request in the pipe (%s)', (mode) => {
  // A request written just before bootstrap is killed (SIGKILL, OOM) is still in the helper's
  // pipe. The helper must not start it for a parent that is gone: nothing would watch it, the
  // journal would not know, and a `--resume` could run the same task alongside it.
  it('the helper starts nothing once its parent has died, and exits', async () => {
    const { spawn } = await import('node:child_process');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bs-orphan-'));
    const marker = path.join(dir, 'ran');
    const server = path.resolve(import.meta.dirname, '../../dist/runner/spawn-server.js');
    const script = path.join(dir, 'parent.mjs');
    fs.writeFileSync(
      script,
      `import { startSpawnHelper, helperPid, spawnViaHelper } from ${JSON.stringify(server)};
startSpawnHelper();
process.stdout.write(helperPid() + '\\n');
process.stdin.once('data', () => {
  spawnViaHelper('/bin/sh', ['-c', 'echo ran > "$0"', ${JSON.stringify(marker)}], undefined, process.env);
  process.kill(process.pid, 'SIGKILL');
});
`,
    );
    const parent = spawn(process.execPath, [script], { env: { ...process.env, BOOTSTRAP_SPAWN: mode }, stdio: ['pipe', 'pipe', 'inherit'] });
    const helper = await new Promise<number>((resolve) => parent.stdout.once('data', (d: Buffer) => resolve(Number(String(d).trim()))));
    expect(helper).toBeGreaterThan(0);
    const state = () => {
      try {
        const stat = fs.readFileSync(`/proc/${helper}/stat`, 'utf8');
        return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      } catch {
        return 'gone';
      }
    };
    // Up and waiting for requests (sleeping), then frozen so the request stays in its pipe.
    expect(await until(() => state() === 'S')).toBe(true);
    process.kill(helper, 'SIGSTOP');
    expect(await until(() => state() === 'T')).toBe(true);
    const died = new Promise((resolve) => parent.once('exit', (_code, signal) => resolve(signal)));
    parent.stdin.write('go\n');
    expect(await died).toBe('SIGKILL');
    process.kill(helper, 'SIGCONT');
    // It reads the request and its EOF, starts nothing and exits (a zombie until init reaps it).
    expect(await until(() => state() === 'gone' || state() === 'Z')).toBe(true);
    await new Promise((r) => setTimeout(r, 200));
    expect(fs.existsSync(marker)).toBe(false);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
