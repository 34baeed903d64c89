/** Process-level behaviour of the real CLI: signals, locks, a torn journal, hostile values, refusals. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { groupAlive } from '../../runner/process.js';
import { journalOf, runCli, spawnCli, tempProject, waitForOutput } from '../support/cli.js';
import { MIXED, SLEEPER } from './fixtures.js';

const exited = (child: ReturnType<typeof spawnCli>) => new Promise<number | null>((r) => (child.exitCode !== null ? r(child.exitCode) : child.on('close', (c) => r(c))));

describe('the CLI as a process', () => {
  it('Ctrl-C: running process groups are killed, the journal records it, exit 130; then --resume and undo work', async () => {
    const dir = tempProject({ 'pb.yaml': SLEEPER });
    const child = spawnCli(['run', 'pb.yaml'], { cwd: dir });
    await waitForOutput(child, (t) => /pid \d+ ready/.test(t) || /long: started/.test(t));
    await waitForOutput(child, () => journalOf(path.join(dir, '.bootstrap/sleeper')).some((r) => r.type === 'task-spawn' && r.task === 'long'));
    const spawnRec = journalOf(path.join(dir, '.bootstrap/sleeper')).find((r) => r.type === 'task-spawn' && r.task === 'long')!;
    child.kill('SIGINT');
    expect(await exited(child)).toBe(130);
    // The task's whole process group (bash and its background sleep) is gone.
    const ps = spawnSync('ps', ['-o', 'pid=,ppid=,stat=,cmd=', '-g', String(spawnRec.pid)]).stdout.toString();
    expect(groupAlive(spawnRec.pid), ps).toBe(false);
    const j = journalOf(path.join(dir, '.bootstrap/sleeper'));
    expect(j.find((r) => r.type === 'task-end' && r.task === 'long')).toMatchObject({ status: 'failed', reason: 'interrupted' });
    expect(j.at(-1)).toMatchObject({ type: 'run-end', status: 'interrupted' });
    expect(j.some((r) => r.type === 'task-start' && r.task === 'after')).toBe(false);

    // A plain run is refused with the three choices.
    const refused = await runCli(['run', 'pb.yaml'], { cwd: dir });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('bootstrap run pb.yaml --resume');
    expect(refused.stderr).toContain('bootstrap undo pb.yaml');
    expect(refused.stderr).toContain('--fresh');

    // Undo reverses the started-but-interrupted task and the succeeded one, dependents first.
    const undo = await runCli(['undo', 'pb.yaml'], { cwd: dir });
    expect(undo.code, undo.stderr).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'undo.log'), 'utf8')).toBe('undo-long\nundo-quick\n');
  });

  it('a second Ctrl-C forces the exit and still leaves a readable journal', async () => {
    const slowStop = SLEEPER.replace('sleep 30 &\n      wait', "trap '' TERM; echo trapped; sleep 30 &\n      wait");
    const dir = tempProject({ 'pb.yaml': slowStop });
    const child = spawnCli(['run', 'pb.yaml', '--verbose'], { cwd: dir });
    await waitForOutput(child, (t) => t.includes('[long] trapped'));
    child.kill('SIGINT');
    await waitForOutput(child, (t) => t.includes('press Ctrl-C again'));
    child.kill('SIGINT');
    expect(await exited(child)).toBe(130);
    expect(child.output.stderr, child.output.stdout + '\n---\n' + child.output.stderr).toContain('forced exit');
    const status = await runCli(['status', 'pb.yaml', '--json'], { cwd: dir });
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout).status).toBe('interrupted');
  });

  it('SIGTERM behaves like Ctrl-C', async () => {
    const dir = tempProject({ 'pb.yaml': SLEEPER.replace('sleep 30 &', 'if [ -f resumed ]; then exit 0; fi; sleep 30 &') });
    const child = spawnCli(['run', 'pb.yaml'], { cwd: dir });
    await waitForOutput(child, () => journalOf(path.join(dir, '.bootstrap/sleeper')).some((r) => r.type === 'task-spawn' && r.task === 'long'));
    child.kill('SIGTERM');
    expect(await exited(child)).toBe(130);
    fs.writeFileSync(path.join(dir, 'resumed'), '');
    const resume = await runCli(['run', 'pb.yaml', '--resume'], { cwd: dir });
    expect(resume.code).toBe(0);
    expect(resume.stdout).toMatch(/long: succeeded/);
    expect(resume.stdout).toMatch(/quick: succeeded \(restored from the journal\)/);
  });

  it('two concurrent runs: the second exits 3 naming the holder', async () => {
    const dir = tempProject({ 'pb.yaml': SLEEPER });
    const first = spawnCli(['run', 'pb.yaml'], { cwd: dir });
    await waitForOutput(first, (t) => t.includes('long: started'));
    const second = await runCli(['run', 'pb.yaml'], { cwd: dir });
    expect(second.code).toBe(3);
    expect(second.stderr).toContain(`pid ${first.pid}`);
    expect(second.stderr).toContain('bootstrap run pb.yaml');
    const undo = await runCli(['undo', 'pb.yaml'], { cwd: dir });
    expect(undo.code).toBe(3);
    first.kill('SIGINT');
    await exited(first);
  });

  it('a lock left by a killed process is taken over', async () => {
    const dir = tempProject({ 'pb.yaml': MIXED });
    const stateDir = path.join(dir, '.bootstrap/mixed');
    fs.mkdirSync(stateDir, { recursive: true });
    const dead = Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout);
    fs.writeFileSync(path.join(stateDir, 'lock'), JSON.stringify({ pid: dead, host: os.hostname(), command: 'bootstrap run pb.yaml', started: new Date().toISOString() }));
    const r = await runCli(['run', 'pb.yaml'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`took over the lock of pid ${dead}`);
    expect(fs.existsSync(path.join(stateDir, 'lock'))).toBe(false);
  });

  it('a torn last journal line is skipped with a warning; resume and status still work', async () => {
    const dir = tempProject({ 'pb.yaml': MIXED.replace('echo run >> "\${{ vars.marks }}/d"', 'exit 3') });
    const stateDir = path.join(dir, '.bootstrap/mixed');
    expect((await runCli(['run', 'pb.yaml'], { cwd: dir })).code).toBe(1);
    fs.appendFileSync(path.join(stateDir, 'journal.jsonl'), '{"type":"task-start","run":"x","ta');
    const status = await runCli(['status', 'pb.yaml'], { cwd: dir });
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/torn last record/);
    fs.writeFileSync(path.join(dir, 'pb.yaml'), MIXED);
    const resume = await runCli(['run', 'pb.yaml', '--resume'], { cwd: dir });
    expect(resume.code, resume.stdout + resume.stderr).toBe(0);
    expect(resume.stdout).toMatch(/torn last record/);
    expect(resume.stdout).toMatch(/a: succeeded \(restored/);
  });

  it('hostile var values arrive verbatim as one word and run nothing', async () => {
    const pb = `
name: hostile
vars:
  v: {}
tasks:
  echo:
    run: |
      printf '%s' ${'${{ vars.v }}'} > bare.out
      printf '%s' "<${'${{ vars.v }}'}>" > dq.out
      set -- ${'${{ vars.v }}'}
      echo $# > count.out
`;
    const values = ['$(touch PWNED)', '`touch PWNED`', `a'b"c`, 'x; touch PWNED', 'line1\nline2', '-rf --no-preserve-root', '*', '${HOME}', '"; touch PWNED; echo "'];
    for (const v of values) {
      const dir = tempProject({ 'pb.yaml': pb });
      const r = await runCli(['run', 'pb.yaml', '--var', `v=${v}`], { cwd: dir });
      expect(r.code, r.stderr).toBe(0);
      expect(fs.readFileSync(path.join(dir, 'bare.out'), 'utf8')).toBe(v);
      expect(fs.readFileSync(path.join(dir, 'dq.out'), 'utf8')).toBe(`<${v}>`);
      expect(fs.readFileSync(path.join(dir, 'count.out'), 'utf8').trim()).toBe('1');
      expect(fs.existsSync(path.join(dir, 'PWNED'))).toBe(false);
    }
  });

  it('bad input exits 2 with file:line:col; a missing var names every way to set it', async () => {
    const dir = tempProject({
      'bad.yaml': 'name: bad\ntasks:\n  a:\n    run: echo\n    nedds: [b]\n',
      'needs.yaml': 'name: needs\nvars:\n  cluster_name: { description: kind cluster name, env: CLUSTER }\ntasks:\n  a:\n    run: echo ${{ vars.cluster_name }}\n',
    });
    const bad = await runCli(['validate', 'bad.yaml'], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/bad\.yaml:5:5/);
    expect(bad.stderr).toMatch(/did you mean `needs`/);
    expect(bad.stderr).not.toMatch(/\n\s+at /); // no stack trace
    const missing = await runCli(['run', 'needs.yaml', '--non-interactive'], { cwd: dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('cluster_name');
    expect(missing.stderr).toContain('--var cluster_name=');
    expect(missing.stderr).toContain('CLUSTER');
    const usage = await runCli(['run'], { cwd: dir });
    expect(usage.code).toBe(2);
    const ok = await runCli(['run', 'needs.yaml'], { cwd: dir, env: { CLUSTER: 'from-env' } });
    expect(ok.code).toBe(0);
  });

  it('--rollback undoes a failed run at once, and only this run', async () => {
    const dir = tempProject({ 'pb.yaml': MIXED.replace('echo run >> "\${{ vars.marks }}/d"', 'echo run >> "\${{ vars.marks }}/d"; exit 1') });
    const r = await runCli(['run', 'pb.yaml', '--rollback'], { cwd: dir });
    expect(r.code).toBe(1);
    for (const t of ['a', 'b', 'c', 'd']) expect(fs.readFileSync(path.join(dir, 'marks', t), 'utf8')).toMatch(/undo\n$/);
    const status = await runCli(['status', 'pb.yaml', '--json'], { cwd: dir });
    expect(JSON.parse(status.stdout).status).toBe('rolled_back');
  });
});
