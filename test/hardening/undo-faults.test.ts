/**
 * Undo under fault: an undo that hangs (the task's `timeout` applies to its undo), one that
 * fails once then works (undo steps are retried twice with back-off), a task with no undo step
 * (reported as left in place), and `--force` (a failing undo of a dependent: without --force
 * what it needs stays; with --force it is undone anyway). After each, a later `undo` finishes
 * the job and nothing is undone twice.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { journalOf, runCli, tempProject } from '../support/cli.js';
import { groupAlive, until } from './support.js';

const lines = (dir: string, f: string) => (fs.existsSync(path.join(dir, f)) ? fs.readFileSync(path.join(dir, f), 'utf8').split('\n').filter(Boolean) : []);
const undoneRecords = (stateDir: string, task: string) => journalOf(stateDir).filter((r) => r.type === 'task-undo-end' && r.task === task && r.status === 'undone');

async function applied(playbook: string): Promise<{ dir: string; stateDir: string }> {
  const dir = tempProject({ 'pb.yaml': playbook });
  const r = await runCli(['run', 'pb.yaml'], { cwd: dir });
  expect(r.code, r.stdout + r.stderr).toBe(0);
  const name = /^name: (\S+)/m.exec(playbook)![1]!;
  return { dir, stateDir: path.join(dir, '.bootstrap', name) };
}

describe('undo under fault', () => {
  it("an undo that hangs is stopped by the task's timeout (each retry too), its processes killed; a later undo finishes", async () => {
    const { dir, stateDir } = await applied(`
name: hang
tasks:
  base:
    run: echo base
    undo: echo base >> undone
  stuck:
    needs: [base]
    run: echo stuck
    timeout: 1s
    undo: |
      echo "$$" >> undo.pids
      if [ ! -e fixed ]; then sleep 600; fi
      echo stuck >> undone
`);
    const r = await runCli(['undo', 'pb.yaml'], { cwd: dir, timeoutMs: 40_000 });
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout + r.stderr).toMatch(/stuck.*timed out after 1(\.0)?s/);
    expect(r.stdout + r.stderr).toMatch(/base.*left in place|left in place.*base/s);
    // Three attempts (1 + 2 retries), each stopped, none left running.
    const pids = lines(dir, 'undo.pids').map(Number);
    expect(pids).toHaveLength(3);
    // Killed (SIGTERM, SIGKILL after the grace period): the groups are gone, not left to run for 600s.
    for (const pid of pids) await until(() => !groupAlive(pid), `undo process group ${pid} to be gone`, 15_000);
    expect(lines(dir, 'undone')).toEqual([]);
    const status = JSON.parse((await runCli(['status', 'pb.yaml', '--json'], { cwd: dir })).stdout);
    expect(status.applied.map((a: { task: string }) => a.task)).toEqual(['stuck', 'base']);
    expect(status.applied[0].lastUndoError).toMatch(/timed out/);

    fs.writeFileSync(path.join(dir, 'fixed'), '');
    const again = await runCli(['undo', 'pb.yaml'], { cwd: dir });
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(lines(dir, 'undone')).toEqual(['stuck', 'base']);
    for (const t of ['stuck', 'base']) expect(undoneRecords(stateDir, t)).toHaveLength(1);
  }, 60_000);

  it('an undo that fails once then works is retried and counts as undone', async () => {
    const { dir, stateDir } = await applied(`
name: flaky
tasks:
  a:
    run: echo a
    undo: |
      if [ ! -e tried ]; then touch tried; echo "transient failure" >&2; exit 1; fi
      echo a >> undone
`);
    const r = await runCli(['undo', 'pb.yaml'], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout + r.stderr).toMatch(/undo failed \(command failed: exit code 1\); retrying/);
    expect(lines(dir, 'undone')).toEqual(['a']);
    const j = journalOf(stateDir);
    expect(j.filter((x) => x.type === 'task-undo-start')).toHaveLength(1);
    expect(undoneRecords(stateDir, 'a')).toHaveLength(1);
    expect((await runCli(['undo', 'pb.yaml'], { cwd: dir })).stdout).toMatch(/nothing to undo/);
  });

  it('a task with no undo step is reported as left in place, once; `undo: false` is silent', async () => {
    const { dir, stateDir } = await applied(`
name: missing
tasks:
  a:
    run: echo a
    undo: echo a >> undone
  made:
    needs: [a]
    run: echo "creates something"
  off:
    needs: [a]
    run: echo "nothing to undo"
    undo: false
  top:
    needs: [made, off]
    run: echo top
    undo: echo top >> undone
`);
    const r = await runCli(['undo', 'pb.yaml'], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/made.*left in place/);
    expect(r.stdout).toMatch(/1 left in place/);
    expect(r.stdout).not.toMatch(/off.*left in place/);
    expect(lines(dir, 'undone')).toEqual(['top', 'a']);
    const leftRecords = journalOf(stateDir).filter((x) => x.type === 'task-undo-end' && x.status === 'left-in-place');
    expect(leftRecords.map((x) => x.task)).toEqual(['made']);
    // Reported once: a second undo has nothing left to say.
    expect((await runCli(['undo', 'pb.yaml'], { cwd: dir })).stdout).toMatch(/nothing to undo/);
  });

  it('--force: a failing undo of a dependent keeps what it needs, unless --force; a later undo never repeats one', async () => {
    const { dir, stateDir } = await applied(`
name: force
tasks:
  base:
    run: echo base
    undo: echo base >> undone
  side:
    run: echo side
    undo: echo side >> undone
  dep:
    needs: [base]
    run: echo dep
    undo: |
      if [ ! -e fixed ]; then echo "cannot delete dep" >&2; exit 1; fi
      echo dep >> undone
`);
    const plain = await runCli(['undo', 'pb.yaml'], { cwd: dir, timeoutMs: 30_000 });
    expect(plain.code, plain.stdout + plain.stderr).toBe(1);
    expect(plain.stdout + plain.stderr).toMatch(/base.*left in place.*dep/s);
    expect(lines(dir, 'undone')).toEqual(['side']);
    let status = JSON.parse((await runCli(['status', 'pb.yaml', '--json'], { cwd: dir })).stdout);
    expect(status.applied.map((a: { task: string }) => a.task).sort()).toEqual(['base', 'dep']);

    const forced = await runCli(['undo', 'pb.yaml', '--force'], { cwd: dir, timeoutMs: 30_000 });
    expect(forced.code, forced.stdout + forced.stderr).toBe(1);
    expect(lines(dir, 'undone')).toEqual(['side', 'base']);
    status = JSON.parse((await runCli(['status', 'pb.yaml', '--json'], { cwd: dir })).stdout);
    expect(status.applied.map((a: { task: string }) => a.task)).toEqual(['dep']);

    fs.writeFileSync(path.join(dir, 'fixed'), '');
    const last = await runCli(['undo', 'pb.yaml'], { cwd: dir });
    expect(last.code, last.stdout + last.stderr).toBe(0);
    expect(lines(dir, 'undone')).toEqual(['side', 'base', 'dep']);
    for (const t of ['base', 'side', 'dep']) expect(undoneRecords(stateDir, t), t).toHaveLength(1);
  }, 60_000);
});

