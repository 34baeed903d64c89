/**
 * Kill the runner with SIGKILL right after the k-th journal write, for every k, then --resume
 * and undo: succeeded tasks ran exactly once after their last journalled start, every task that
 * ever started is undone exactly once, and the journal replays.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { groupAlive } from '../../runner/process.js';
import { journalOf, runCli, tempProject } from '../support/cli.js';
import { MIXED } from './fixtures.js';

/** Processes whose environment says they are commands of run `runId`. */
function commandsOfRun(runId: string): number[] {
  const mark = `BOOTSTRAP_RUN_ID=${runId}\0`;
  return fs.readdirSync('/proc').flatMap((d) => {
    if (!/^\d+$/.test(d)) return [];
    try {
      return fs.readFileSync(`/proc/${d}/environ`, 'latin1').includes(mark) ? [Number(d)] : [];
    } catch {
      return []; // gone, or not ours to read
    }
  });
}

const count = (dir: string, task: string, what: 'run' | 'undo') => {
  const f = path.join(dir, 'marks', task);
  return fs.existsSync(f) ? fs.readFileSync(f, 'utf8').split('\n').filter((l) => l === what).length : 0;
};

describe('crash at every journal write', () => {
  it('records how many journal writes a clean run makes', async () => {
    const dir = tempProject({ 'pb.yaml': MIXED });
    const r = await runCli(['run', 'pb.yaml'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(journalOf(path.join(dir, '.bootstrap/mixed')).length).toBeGreaterThan(10);
  });

  // A clean run of MIXED writes ~15 records; cover every prefix of it.
  for (let k = 1; k <= 16; k++) {
    it(`SIGKILL after write ${k}, then --resume, then undo`, async () => {
      const dir = tempProject({ 'pb.yaml': MIXED });
      const stateDir = path.join(dir, '.bootstrap/mixed');
      const first = await runCli(['run', 'pb.yaml'], { cwd: dir, env: { BOOTSTRAP_TEST_CRASH_AFTER_WRITE: String(k) } });
      const crashed = first.signal === 'SIGKILL';
      const before = journalOf(stateDir);
      if (crashed) expect(before.length).toBe(k);

      // A killed runner's children live on in their own process groups: let them end (resume
      // would kill them) so the counts below are stable. A command may have started just before
      // the kill, ahead of its task-spawn record: find those by the run id in their environment.
      for (const r of before.filter((x) => x.type === 'task-spawn')) {
        for (let i = 0; i < 250 && groupAlive(r.pid); i++) await new Promise((res) => setTimeout(res, 20));
      }
      const runId = before.find((x) => x.type === 'run-start')?.run as string | undefined;
      for (let i = 0; runId && i < 250 && commandsOfRun(runId).length; i++) await new Promise((res) => setTimeout(res, 20));
      // Runs counted per task before resuming, and whether the journal says it succeeded.
      const succeeded = new Set(before.filter((r) => r.type === 'task-end' && r.status === 'succeeded').map((r) => r.task));
      const runsBefore = Object.fromEntries(['a', 'b', 'c', 'd'].map((t) => [t, count(dir, t, 'run')]));

      const resume = await runCli(['run', 'pb.yaml', crashed ? '--resume' : '--fresh'], { cwd: dir });
      expect(resume.code, resume.stdout + resume.stderr).toBe(0);
      for (const t of ['a', 'b', 'c', 'd']) {
        const ranAgain = count(dir, t, 'run') - runsBefore[t];
        // A journalled success is never re-run; anything else runs exactly once more.
        if (crashed) expect(ranAgain, `task ${t}`).toBe(succeeded.has(t) ? 0 : 1);
      }
      // b saw a's output, restored or fresh.
      expect(fs.readFileSync(path.join(dir, 'marks/b.out'), 'utf8')).toMatch(/^got A-\d+/);

      const undo = await runCli(['undo', 'pb.yaml'], { cwd: dir });
      expect(undo.code, undo.stdout + undo.stderr).toBe(0);
      // Every task that ever started is undone exactly once (d has no state left either way).
      const everStarted = new Set(journalOf(stateDir).filter((r) => r.type === 'task-start').map((r) => r.task));
      for (const t of everStarted) expect(count(dir, t, 'undo'), `undo of ${t}`).toBe(1);
      const again = await runCli(['undo', 'pb.yaml'], { cwd: dir });
      expect(again.stdout).toMatch(/nothing to undo/);
      for (const t of everStarted) expect(count(dir, t, 'undo')).toBe(1);
      // The journal replays: status reads it without complaint.
      const status = await runCli(['status', 'pb.yaml', '--json'], { cwd: dir });
      expect(JSON.parse(status.stdout).applied).toEqual([]);
    });
  }
});
