/**
 * Runs a command several times and reports its median wall time, peak memory and CPU time.
 *
 * Wall time is measured here (monotonic clock, spawn to exit). Peak memory and CPU come from
 * GNU time (`/usr/bin/time -f`): %M is the largest resident set size of the command or of any
 * descendant it waited for (the biggest single process, not a sum), %U + %S the CPU time of the
 * whole tree. Without GNU time, memory and CPU are reported as unknown.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const GNU_TIME = '/usr/bin/time';

/** True when GNU time is installed (peak memory and CPU are then measured). */
export function haveGnuTime() {
  try {
    fs.accessSync(GNU_TIME, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The median of a list of numbers (mean of the two middle ones for an even count). */
export function median(xs) {
  const v = xs.filter((x) => typeof x === 'number' && !Number.isNaN(x)).sort((a, b) => a - b);
  if (!v.length) return undefined;
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

/**
 * Run `cmd args` once. Resolves with `{ wallMs, peakKiB, cpuMs, stdout, code, stderr }`; rejects
 * when the exit code is not in `okCodes` (default [0]), with the end of its stderr.
 */
export function runOnce({ cmd, args = [], cwd, env, stdoutFile, timeoutMs = 30 * 60_000, okCodes = [0] }) {
  const useTime = haveGnuTime();
  const timeFile = path.join(os.tmpdir(), `bench-time-${process.pid}-${Math.random().toString(36).slice(2)}`);
  const file = useTime ? GNU_TIME : cmd;
  const argv = useTime ? ['-f', '%M %U %S', '-o', timeFile, cmd, ...args] : args;
  const out = stdoutFile ? fs.openSync(stdoutFile, 'w') : 'ignore';
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(file, argv, { cwd, env: env ?? process.env, stdio: ['ignore', out, 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr = (stderr + d).slice(-4000);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
      clearTimeout(timer);
      if (typeof out === 'number') fs.closeSync(out);
      let peakKiB;
      let cpuMs;
      if (useTime) {
        try {
          const line = fs.readFileSync(timeFile, 'utf8').trim().split('\n').pop() ?? '';
          const [m, u, s] = line.split(/\s+/).map(Number);
          peakKiB = m;
          cpuMs = (u + s) * 1000;
          fs.rmSync(timeFile, { force: true });
        } catch {
          /* leave unknown */
        }
      }
      if (!okCodes.includes(code)) {
        reject(new Error(`${cmd} ${args.join(' ')} failed (${signal ?? `exit ${code}`}) in ${cwd}:\n${stderr}`));
        return;
      }
      resolve({ wallMs, peakKiB, cpuMs, stdout: stdoutFile, code, stderr });
    });
  });
}

/**
 * Measure several tools on the same workload, interleaving their runs (tool A run 1, tool B
 * run 1, ..., tool A run 2, ...) so that noise from other processes spreads over all of them.
 * Each tool: `{ key, label, cmd, args, cwd, env, runs, before?(i), after?(result) }`. A warm-up
 * run (not counted) comes first unless `warmup: false`.
 * Resolves with a Map key -> `{ label, runs, wallMs, peakKiB, cpuMs, samples, extra }` (medians).
 */
export async function measureTools(tools, { warmup = true, log = () => {} } = {}) {
  const samples = new Map(tools.map((t) => [t.key, []]));
  const maxRuns = Math.max(...tools.map((t) => t.runs));
  if (warmup) {
    for (const t of tools) {
      if (t.warmup === false) continue;
      await t.before?.(-1);
      await runOnce(t);
    }
  }
  for (let i = 0; i < maxRuns; i++) {
    for (const t of tools) {
      if (i >= t.runs) continue;
      await t.before?.(i);
      const r = await runOnce(t);
      r.extra = t.after ? await t.after(r) : undefined;
      samples.get(t.key).push(r);
      log(`  ${t.label}: run ${i + 1}/${t.runs} ${r.wallMs.toFixed(0)} ms`);
    }
  }
  const out = new Map();
  for (const t of tools) {
    const s = samples.get(t.key);
    out.set(t.key, {
      label: t.label,
      runs: s.length,
      wallMs: median(s.map((r) => r.wallMs)),
      peakKiB: median(s.map((r) => r.peakKiB)),
      cpuMs: median(s.map((r) => r.cpuMs)),
      extra: s[0]?.extra === undefined ? undefined : median(s.map((r) => r.extra)),
      samples: s.map((r) => r.wallMs),
    });
  }
  return out;
}
