import { groupAlive } from '../../runner/process.js';
/**
 * SIGKILL at every journal write, of a run and of an undo, then recovery.
 *
 * Run: for a mixed playbook (parallel branches, an output, a retry that fails once then passes,
 * a task that fails until fixed), a clean first run is measured (N journal records), then for
 * EVERY k in 1..N the runner is killed right after its k-th record is durable
 * (BOOTSTRAP_TEST_CRASH_AFTER_WRITE, the product's hook), the failing task is fixed, and
 * `--resume` then `undo` must recover:
 *  - the journal replays after the crash (`status --json`, no warning but a torn line);
 *  - no journalled success is run again; every succeeded task ran exactly once after its last
 *    journalled start; nothing ran without a journalled start;
 *  - every task that ever started is undone exactly once, dependents first; a second undo
 *    finds nothing to do.
 *
 * Undo: the same for EVERY k of a complete undo. The undo command does not read the product's
 * hook (see the report), so crash-hook.mjs, a test-only preload, kills the process at exactly
 * the same point (after the k-th record is durable).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { journalOf, runCli, spawnCli, tempProject } from '../support/cli.js';
import { statusCommand } from '../../runner/commands/status.js';
import { CRASH_MIX, CRASH_NEEDS, CRASH_TASKS } from './fixtures.js';
import { CRASH_HOOK, pool, until, waitForNoProcessWithEnv } from './support.js';

type Rec = Record<string, any>;
const STATE = '.bootstrap/crashmix';
const PARALLEL = 4;
const PROCESS_EVERY = 4;

const lines = (dir: string, file: string) => {
  const p = path.join(dir, 'marks', file);
  return fs.existsSync(p) ? fs.readFileSync(p, 'utf8').split('\n').filter(Boolean) : [];
};

/** Warnings a command printed that are not about a torn last line. */
const unexpectedWarnings = (text: string) => text.split('\n').filter((l) => /warn/i.test(l) && !/torn last record/.test(l));

/**
 * `bootstrap status --json`: as a process for every `PROCESS_EVERY`-th crash point, else
 * in-process through the command's own function (same code, without a Node start-up).
 */
async function statusJson(dir: string, k: number): Promise<Rec> {
  if (k % PROCESS_EVERY === 1) {
    const r = await runCli(['status', 'crash.yaml', '--json'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(unexpectedWarnings(r.stderr)).toEqual([]);
    return JSON.parse(r.stdout);
  }
  let out = '';
  let err = '';
  const io = { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) }, stdin: process.stdin, env: {}, cwd: dir };
  expect(await statusCommand(io, 'crash.yaml', { json: true })).toBe(0);
  const doc = JSON.parse(out);
  expect(unexpectedWarnings(err + (doc.warnings ?? []).join('\n'))).toEqual([]);
  return doc;
}

/** Journal-level and side-effect checks of a completed undo (or several) of CRASH_MIX. */
function checkUndoneExactlyOnce(dir: string, j: Rec[]) {
  const ever = new Set(j.filter((r) => r.type === 'task-start').map((r) => r.task as string));
  const undoneAt = new Map<string, number>();
  j.forEach((r, i) => {
    if (r.type !== 'task-undo-end' || r.status !== 'undone') return;
    expect(undoneAt.has(r.task), `${r.task} journalled as undone twice`).toBe(false);
    undoneAt.set(r.task, i);
  });
  for (const t of ever) {
    expect(undoneAt.has(t), `${t} started but was never undone`).toBe(true);
    // Once journalled as undone, a task's undo never starts again.
    expect(j.slice(undoneAt.get(t)! + 1).some((r) => r.type === 'task-undo-start' && r.task === t), `${t} undone again`).toBe(false);
    // Its effect happened exactly once; every attempt was journalled before it ran.
    const marks = lines(dir, `${t}.undo`);
    expect(marks.filter((l) => l === 'undone'), `undo effect of ${t}`).toHaveLength(1);
    for (const a of marks.filter((l) => l.startsWith('attempt '))) {
      const undoId = a.slice('attempt '.length);
      expect(j.some((r) => r.type === 'task-undo-start' && r.undo === undoId && r.task === t), `${t}: undo attempt ${undoId} without a journalled start`).toBe(true);
    }
    // Dependents were undone first.
    for (const [dep, needs] of Object.entries(CRASH_NEEDS)) {
      if (needs.includes(t) && ever.has(dep)) expect(undoneAt.get(dep)!, `${dep} (needs ${t}) undone before ${t}`).toBeLessThan(undoneAt.get(t)!);
    }
  }
  for (const t of CRASH_TASKS) if (!ever.has(t)) expect(lines(dir, `${t}.undo`), `${t} never started, never undone`).toEqual([]);
}

describe('SIGKILL after every journal write of a run, then --resume, then undo', () => {
  it('recovers from a crash at each of the N writes of a complete run', async () => {
    // Count the writes of a complete first run (it fails at d, as every crashed run would).
    const probe = tempProject({ 'crash.yaml': CRASH_MIX });
    const clean = await runCli(['run', 'crash.yaml'], { cwd: probe });
    expect(clean.code, clean.stdout + clean.stderr).toBe(1);
    const N = journalOf(path.join(probe, STATE)).length;
    expect(N).toBeGreaterThanOrEqual(15);

    const ks = Array.from({ length: N }, (_, i) => i + 1);
    const results = await pool(ks, PARALLEL, async (k) => {
      const dir = tempProject({ 'crash.yaml': CRASH_MIX });
      const stateDir = path.join(dir, STATE);
      const first = await runCli(['run', 'crash.yaml'], { cwd: dir, env: { BOOTSTRAP_TEST_CRASH_AFTER_WRITE: String(k) } });
      expect(first.signal, `k=${k}: ${first.stdout}${first.stderr}`).toBe('SIGKILL');
      const before = journalOf(stateDir);
      expect(before, `k=${k}`).toHaveLength(k);
      const crashedRun = before[0]!.run as string;
      await waitForNoProcessWithEnv(`BOOTSTRAP_RUN_ID=${crashedRun}`);

      // The journal replays as it is.
      const st = await statusJson(dir, k);
      expect(['interrupted', 'failed'], `k=${k}`).toContain(st.status);

      const succeededBefore = new Set(before.filter((r) => r.type === 'task-end' && r.status === 'succeeded').map((r) => r.task));
      fs.writeFileSync(path.join(dir, 'fixed'), '');
      const resume = await runCli(['run', 'crash.yaml', '--resume'], { cwd: dir });
      expect(resume.code, `k=${k}: ${resume.stdout}${resume.stderr}`).toBe(0);
      expect(unexpectedWarnings(resume.stdout + resume.stderr), `k=${k}`).toEqual([]);

      const j = journalOf(stateDir);
      const resumeRun = j.find((r, i) => i >= k && r.type === 'run-start')!;
      expect(resumeRun.resumeOf, `k=${k}`).toBe(crashedRun);
      for (const t of CRASH_TASKS) {
        const starts = j.filter((r) => r.type === 'task-start' && r.task === t);
        const endNow = j.find((r) => r.type === 'task-end' && r.run === resumeRun.run && r.task === t);
        expect(endNow?.status, `k=${k} ${t}`).toBe('succeeded');
        if (succeededBefore.has(t)) {
          // A journalled success is restored, never run again.
          expect(endNow?.restored, `k=${k} ${t} restored`).toBe(true);
          expect(starts.some((r) => r.run === resumeRun.run), `k=${k} ${t} re-run`).toBe(false);
        }
        // The work of the last journalled start was done exactly once.
        const last = starts.at(-1)!;
        expect(lines(dir, t).filter((l) => l === `done ${last.run}`), `k=${k} ${t} done after its last start`).toHaveLength(1);
        // Nothing ran without a durable start record for its run.
        for (const l of lines(dir, t)) {
          const run = l.split(' ')[1];
          expect(starts.some((r) => r.run === run), `k=${k} ${t}: "${l}" without a journalled start`).toBe(true);
        }
      }
      // b saw a's output from the run in which a last succeeded (restored or fresh).
      const aRun = [...j].reverse().find((r) => r.type === 'task-start' && r.task === 'a')!.run;
      expect(fs.readFileSync(path.join(dir, 'marks/b.out'), 'utf8').trim(), `k=${k}`).toBe(`got A-${aRun}`);

      const undo = await runCli(['undo', 'crash.yaml'], { cwd: dir });
      expect(undo.code, `k=${k}: ${undo.stdout}${undo.stderr}`).toBe(0);
      checkUndoneExactlyOnce(dir, journalOf(stateDir));
      expect((await statusJson(dir, k)).applied, `k=${k}: nothing left to undo`).toEqual([]);
      if (k % PROCESS_EVERY === 1) {
        const again = await runCli(['undo', 'crash.yaml'], { cwd: dir });
        expect(again.code).toBe(0);
        expect(again.stdout, `k=${k}`).toMatch(/nothing to undo/);
      }
      return k;
    });
    expect(results).toEqual(ks);
  }, 170_000);
});

describe('SIGKILL after every journal write of an undo, then undo again', () => {
  const hookEnv = (k: number) => ({ NODE_OPTIONS: `--import=${CRASH_HOOK}`, BS_HARDENING_CRASH_AFTER_RECORD: String(k) });

  async function appliedProject(): Promise<{ dir: string; stateDir: string; runRecords: number }> {
    const dir = tempProject({ 'crash.yaml': CRASH_MIX, fixed: '' });
    const r = await runCli(['run', 'crash.yaml'], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const stateDir = path.join(dir, STATE);
    return { dir, stateDir, runRecords: journalOf(stateDir).length };
  }

  it('the test hook kills an undo exactly after the k-th record', async () => {
    const { dir, stateDir, runRecords } = await appliedProject();
    const r = await runCli(['undo', 'crash.yaml'], { cwd: dir, env: hookEnv(2) });
    expect(r.signal).toBe('SIGKILL');
    expect(journalOf(stateDir)).toHaveLength(runRecords + 2);
  });

  it('recovers from a crash at each of the M writes of a complete undo', async () => {
    const probe = await appliedProject();
    const full = await runCli(['undo', 'crash.yaml'], { cwd: probe.dir });
    expect(full.code).toBe(0);
    const M = journalOf(probe.stateDir).length - probe.runRecords;
    expect(M).toBeGreaterThanOrEqual(2 * CRASH_TASKS.length + 2);

    const ks = Array.from({ length: M }, (_, i) => i + 1);
    await pool(ks, PARALLEL, async (k) => {
      const { dir, stateDir, runRecords } = await appliedProject();
      const crashed = await runCli(['undo', 'crash.yaml'], { cwd: dir, env: hookEnv(k) });
      expect(crashed.signal, `k=${k}: ${crashed.stdout}${crashed.stderr}`).toBe('SIGKILL');
      const j0 = journalOf(stateDir);
      expect(j0, `k=${k}`).toHaveLength(runRecords + k);
      await waitForNoProcessWithEnv(`BOOTSTRAP_UNDO_ID=${j0[runRecords]!.undo}`);
      await statusJson(dir, k);

      const again = await runCli(['undo', 'crash.yaml'], { cwd: dir });
      expect(again.code, `k=${k}: ${again.stdout}${again.stderr}`).toBe(0);
      checkUndoneExactlyOnce(dir, journalOf(stateDir));
      const st = await statusJson(dir, k + 1);
      expect(st.applied, `k=${k}`).toEqual([]);
    });
  }, 120_000);

  // Regression (found by the hardening suite, fixed): undo does not journal the pid of an undo step, so after an undo is killed
  // (SIGKILL, OOM, a closed laptop) its step keeps running, and the next `undo` starts the same
  // step again while the first copy is still at work. Runs have this covered (task-spawn +
  // killOrphans); undos do not. Expected to fail until undo journals its steps' process groups
  // and kills the leftovers (checking BOOTSTRAP_UNDO_ID) before it starts.
  it('a killed undo leaves no step running alongside the next undo', async () => {
    // e's undo step takes 3 s unless `fast` exists.
    const slow = CRASH_MIX.replace('undo: &undo |\n      mkdir -p marks gone', 'undo: &undo |\n      mkdir -p marks gone\n      touch "marks/$BOOTSTRAP_TASK.started"\n      if [ ! -e fast ]; then sleep 3; fi');
    expect(slow).not.toBe(CRASH_MIX);
    const dir = tempProject({ 'crash.yaml': slow, fixed: '' });
    expect((await runCli(['run', 'crash.yaml'], { cwd: dir })).code).toBe(0);
    const child = spawnCli(['undo', 'crash.yaml'], { cwd: dir });
    const stateDir = path.join(dir, STATE);
    const spawnOf = () => journalOf(stateDir).find((r) => r.type === 'task-undo-spawn' && r.task === 'e');
    await until(() => fs.existsSync(path.join(dir, 'marks/e.started')) && spawnOf() !== undefined, 'the undo of e to start');
    const first = spawnOf()!;
    child.kill('SIGKILL');
    await new Promise((r) => child.on('close', r));
    expect(groupAlive(first.pid), 'the killed undo left its step running (as it should, until the next undo)').toBe(true);
    fs.writeFileSync(path.join(dir, 'fast'), '');
    const again = await runCli(['undo', 'crash.yaml'], { cwd: dir });
    expect(again.code, again.stdout + again.stderr).toBe(0);
    // The retry stopped the orphan before undoing e again (it would otherwise sleep on for 3 s).
    expect(groupAlive(first.pid), 'the killed undo step ran alongside its retry').toBe(false);
    expect(lines(dir, 'e.undo').filter((l) => l === 'undone')).toHaveLength(1);
  }, 30_000);
});
