/**
 * One run or undo at a time per state dir.
 *
 * The lock is a file created with O_EXCL holding who holds it (pid, host, command, start).
 * A lock whose holder is dead on this host is taken over; racing takeovers are serialised by a
 * second O_EXCL file, so exactly one contender wins. A lock from another host cannot be checked
 * and is reported with the way out.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const LOCK_FILE = 'lock';

export interface LockHolder {
  pid: number;
  host: string;
  command: string;
  /** ISO-8601 start time. */
  started: string;
  /** Process start time from /proc (Linux), to tell a reused pid from the holder. */
  procStart?: string;
}

export class LockedError extends Error {
  constructor(
    readonly holder: LockHolder | undefined,
    readonly lockPath: string,
    readonly otherHost: boolean,
  ) {
    super(
      holder
        ? `the state dir is locked by ${otherHost ? `a process on host ${holder.host}` : `pid ${holder.pid}`} (${holder.command}), started ${holder.started}`
        : `the state dir is locked (${lockPath})`,
    );
    this.name = 'LockedError';
  }

  /** What the user can do about it. */
  get hint(): string {
    if (this.otherHost)
      return `if no bootstrap is running on ${this.holder?.host}, remove ${this.lockPath} and try again`;
    return `wait for it to finish, or stop it (kill ${this.holder?.pid}); a lock left by a dead process is taken over automatically`;
  }
}

/** Start time of a process as recorded by the kernel (Linux), or undefined elsewhere. */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22 (starttime) comes after the command name, which may contain spaces and ')'.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return rest[19];
  } catch {
    return undefined;
  }
}

/** State letter of a process from /proc (Linux): `Z` is a zombie (dead, not yet reaped). */
function processState(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
  } catch {
    return undefined;
  }
}

/** True when the holder process is still alive (same host only). */
export function holderAlive(h: LockHolder): boolean {
  try {
    process.kill(h.pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (processState(h.pid) === 'Z') return false;
  if (h.procStart) {
    const now = processStartTime(h.pid);
    if (now !== undefined && now !== h.procStart) return false; // pid reused by another process
  }
  return true;
}

function readHolder(file: string): LockHolder | undefined {
  try {
    const h = JSON.parse(fs.readFileSync(file, 'utf8')) as LockHolder;
    return typeof h.pid === 'number' ? h : undefined;
  } catch {
    return undefined;
  }
}

export interface Lock {
  readonly path: string;
  readonly holder: LockHolder;
  /** True when a dead holder's lock was taken over. */
  readonly tookOver?: LockHolder;
  release(): void;
}

/**
 * Take the lock of `dir` or throw {@link LockedError}. The command is what the holder ran
 * (shown to whoever is refused).
 */
export function acquireLock(dir: string, command: string): Lock {
  const file = path.join(dir, LOCK_FILE);
  const me: LockHolder = {
    pid: process.pid,
    host: os.hostname(),
    command,
    started: new Date().toISOString(),
    procStart: processStartTime(process.pid),
  };
  const body = JSON.stringify(me, null, 2) + '\n';
  let tookOver: LockHolder | undefined;

  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const fd = fs.openSync(file, 'wx', 0o644);
      fs.writeSync(fd, body);
      fs.fsyncSync(fd);
      fs.closeSync(fd);
      return makeLock(file, me, tookOver);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const holder = readHolder(file);
    if (!holder) {
      // Written but not yet filled by a contender, or garbage: give a contender a moment.
      const age = Date.now() - (fs.statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age < 2000) {
        sleepSync(50);
        continue;
      }
    } else if (holder.host !== me.host) {
      throw new LockedError(holder, file, true);
    } else if (holderAlive(holder)) {
      throw new LockedError(holder, file, false);
    }
    // The holder is dead: take over, serialised by an exclusive takeover marker.
    if (takeOver(file, holder)) tookOver = holder;
  }
  throw new LockedError(readHolder(file), file, false);
}

function takeOver(file: string, dead: LockHolder | undefined): boolean {
  const marker = `${file}.takeover`;
  let fd: number;
  try {
    fd = fs.openSync(marker, 'wx');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    // Someone else is taking over; if their marker is stale (they died), clear it.
    const age = Date.now() - (fs.statSync(marker, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
    if (age > 5000) fs.rmSync(marker, { force: true });
    sleepSync(20);
    return false;
  }
  try {
    // Re-check under the marker: the lock must still be the dead holder's.
    const now = readHolder(file);
    if (JSON.stringify(now) === JSON.stringify(dead)) fs.rmSync(file, { force: true });
    return true;
  } finally {
    fs.closeSync(fd);
    fs.rmSync(marker, { force: true });
  }
}

function makeLock(file: string, holder: LockHolder, tookOver?: LockHolder): Lock {
  let released = false;
  return {
    path: file,
    holder,
    tookOver,
    release() {
      if (released) return;
      released = true;
      const now = readHolder(file);
      if (now && now.pid === holder.pid && now.host === holder.host) fs.rmSync(file, { force: true });
    },
  };
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
