/**
 * Shared by the fake executables (docker, kind, helm, kubectl): where their state lives
 * ($FAKE_STATE_DIR), the call log, failure injection ($FAKE_FAIL) and small helpers.
 * Plain ESM JavaScript: the fakes run as programs, without a build step.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** The state dir of the fakes, or exit 2 when unset (they are for tests only). */
export function stateDir() {
  const dir = process.env.FAKE_STATE_DIR;
  if (!dir) {
    process.stderr.write('fake tool: FAKE_STATE_DIR is not set (this is a test fake, see test/fakes/bin/README.md)\n');
    process.exit(2);
  }
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** Appends `{ tool, argv, cwd, ts }` to $FAKE_STATE_DIR/calls.jsonl (tests read it). */
export function recordCall(tool, argv) {
  const line = JSON.stringify({ tool, argv, cwd: process.cwd(), pid: process.pid, ts: Date.now() });
  fs.appendFileSync(path.join(stateDir(), 'calls.jsonl'), line + '\n');
}

/** True when failure point `name` is listed in $FAKE_FAIL (comma-separated). */
export function shouldFail(name) {
  return (process.env.FAKE_FAIL ?? '')
    .split(',')
    .map((s) => s.trim())
    .includes(name);
}

/** True when the Docker daemon is simulated as down ($FAKE_DOCKER_DOWN=1). */
export function dockerDown() {
  return process.env.FAKE_DOCKER_DOWN === '1';
}

/** The message of the real docker CLI when the daemon does not answer. */
export const DOCKER_DOWN_MESSAGE = 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?';

/** Full path of an executable on PATH, or undefined. */
export function which(name) {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const p = path.join(dir, name);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      if (fs.statSync(p).isFile()) return p;
    } catch {
      // not here
    }
  }
  return undefined;
}

export function readJson(file, fallback = undefined) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return fallback;
  }
}

/** Writes JSON atomically (temp file + rename): readers never see half a file. */
export function writeJson(file, value) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, JSON.stringify(value, null, 2));
  fs.renameSync(tmp, file);
}

/** Prints to stderr and exits with `code`. */
export function die(message, code = 1) {
  process.stderr.write(message.endsWith('\n') ? message : message + '\n');
  process.exit(code);
}

/** True when process `pid` exists and is not a zombie waiting for its (slow) reaper. */
export function alive(pid) {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
  } catch (e) {
    return e.code === 'EPERM';
  }
  try {
    // "<pid> (<comm>) <state> ...": a zombie has exited already.
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true; // no /proc (macOS): trust kill(0)
  }
}

/** SIGTERM, wait up to `graceMs` for the process to go, then SIGKILL. Synchronous. */
export function stopProcess(pid, graceMs = 5000) {
  if (!alive(pid)) return;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  const deadline = Date.now() + graceMs;
  while (alive(pid) && Date.now() < deadline) sleepSync(20);
  if (alive(pid)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
}

/** Blocks the thread for `ms` (the fakes are short-lived CLIs). */
export function sleepSync(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Go duration ("5m", "90s", "1m30s", "500ms") to milliseconds; undefined when invalid. */
export function parseGoDuration(text) {
  const units = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/y;
  let total = 0;
  let pos = 0;
  if (!text) return undefined;
  while (pos < text.length) {
    re.lastIndex = pos;
    const m = re.exec(text);
    if (!m) return undefined;
    total += Number(m[1]) * units[m[2]];
    pos = re.lastIndex;
  }
  return total;
}

/** Runs a program synchronously, inheriting nothing; returns { status, stdout, stderr }. */
export function runSync(file, args, opts = {}) {
  const r = spawnSync(file, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...opts });
  if (r.error) return { status: 127, stdout: '', stderr: `${file}: ${r.error.message}\n` };
  return { status: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}
