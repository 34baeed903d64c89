import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquireLock, LockedError, LOCK_FILE } from '../../runner/lock.js';
import { tempDir } from '../support/engine.js';
import os from 'node:os';

/** The pid of a process that has exited (so it is certainly dead). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(r.stdout.toString());
}

describe('lock', () => {
  it('a second acquirer is refused and told who holds it', () => {
    const dir = tempDir();
    const lock = acquireLock(dir, 'bootstrap run a.yaml');
    try {
      expect(() => acquireLock(dir, 'bootstrap undo')).toThrow(LockedError);
      try {
        acquireLock(dir, 'bootstrap undo');
      } catch (e) {
        expect((e as LockedError).message).toContain(`pid ${process.pid}`);
        expect((e as LockedError).message).toContain('bootstrap run a.yaml');
      }
    } finally {
      lock.release();
    }
    acquireLock(dir, 'again').release();
  });

  it('takes over the lock of a dead holder', () => {
    const dir = tempDir();
    const dead = { pid: deadPid(), host: os.hostname(), command: 'bootstrap run x', started: new Date().toISOString() };
    fs.writeFileSync(path.join(dir, LOCK_FILE), JSON.stringify(dead));
    const lock = acquireLock(dir, 'mine');
    expect(lock.tookOver?.pid).toBe(dead.pid);
    expect(JSON.parse(fs.readFileSync(path.join(dir, LOCK_FILE), 'utf8')).pid).toBe(process.pid);
    lock.release();
    expect(fs.existsSync(path.join(dir, LOCK_FILE))).toBe(false);
  });

  it('a lock from another host is reported with the way out', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, LOCK_FILE), JSON.stringify({ pid: 1, host: 'elsewhere.example', command: 'bootstrap run', started: 'then' }));
    try {
      acquireLock(dir, 'mine');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(LockedError);
      expect((e as LockedError).otherHost).toBe(true);
      expect((e as LockedError).hint).toContain(path.join(dir, LOCK_FILE));
    }
  });

  it('two processes racing for a stale lock: exactly one wins', async () => {
    for (let round = 0; round < 5; round++) {
      const dir = tempDir();
      fs.writeFileSync(path.join(dir, LOCK_FILE), JSON.stringify({ pid: deadPid(), host: os.hostname(), command: 'old', started: 'then' }));
      const script = `
        import { acquireLock } from ${JSON.stringify(path.resolve('dist/runner/lock.js'))};
        try { const l = acquireLock(${JSON.stringify(dir)}, 'racer'); process.stdout.write('won'); setTimeout(() => l.release(), 500); }
        catch (e) { process.stdout.write(e.name); }`;
      const racers = Array.from({ length: 4 }, () => spawn(process.execPath, ['--input-type=module', '-e', script]));
      const results = await Promise.all(
        racers.map((c) => new Promise<string>((r) => { let out = ''; c.stdout.on('data', (d) => (out += d)); c.on('close', () => r(out)); })),
      );
      expect(results.filter((r) => r === 'won')).toHaveLength(1);
      expect(results.filter((r) => r === 'LockedError')).toHaveLength(3);
    }
  });
});
