/**
 * Every example runs to success through the CLI; the resume example goes fail -> --resume ->
 * success using the exact command the failure printed; the undo example is undone in order.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempProject } from '../support/cli.js';
import { bs, events, EXAMPLES } from './helpers.js';

const ex = (name: string) => path.join(EXAMPLES, name);

describe('examples/', () => {
  it('has a README and at least three playbooks, each with the commands to try', () => {
    const files = fs.readdirSync(EXAMPLES).filter((f) => f.endsWith('.yaml'));
    expect(files.length).toBeGreaterThanOrEqual(3);
    const readme = fs.readFileSync(path.join(EXAMPLES, 'README.md'), 'utf8');
    for (const f of files) {
      const text = fs.readFileSync(ex(f), 'utf8');
      expect(text.startsWith('# yaml-language-server: $schema=../schemas/playbook.schema.json')).toBe(true);
      expect(text).toMatch(/^#\s+bootstrap run examples\//m);
      expect(readme).toContain(f);
    }
  });

  it('parallel.yaml runs to success', async () => {
    const dir = tempProject();
    const r = await bs(['run', ex('parallel.yaml'), '--var', 'short=0.02', '--var', 'long=0.1'], dir);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Succeeded in/);
  });

  it('outputs.yaml passes values between tasks and masks the secret one', async () => {
    const dir = tempProject();
    const r = await bs(['run', ex('outputs.yaml'), '--json'], dir);
    expect(r.code, r.stderr).toBe(0);
    const ev = events(r.stdout);
    const fin = (id: string) => ev.find((e) => e.type === 'task-finished' && e.task === id)!;
    expect(fin('version').outputs).toMatchObject({ version: '1.4.2' });
    expect(fin('tag').outputs).toEqual({ tag: 'v1.4.2-stable' });
    // The secret output is neither in the events nor in the output lines.
    expect(fin('token').outputs).toEqual({});
    const lines = ev.filter((e) => e.type === 'task-output' && e.task === 'announce').map((e) => e.line);
    expect(lines[0]).toMatch(/^announcing v1\.4\.2-stable \(\d+\)$/);
    expect(lines[1]).toBe('using token ***');

    const beta = await bs(['run', ex('outputs.yaml'), '--var', 'channel=beta', '--json'], dir);
    expect(beta.code).toBe(0);
    expect(events(beta.stdout).find((e) => e.type === 'task-finished' && e.task === 'announce')).toMatchObject({ status: 'skipped', reason: 'condition' });
  });

  it('resume.yaml fails, then the printed --resume command finishes it without re-running prepare', async () => {
    const dir = tempProject();
    const marker = path.join(dir, 'marker.ok');
    const work = path.join(dir, 'work');
    const vars = ['--var', `fail_until=${marker}`, '--var', `workdir=${work}`];
    const first = await bs(['run', ex('resume.yaml'), ...vars], dir);
    expect(first.code).toBe(1);
    expect(first.stdout).toContain('✗ flaky failed: command failed: exit code 1');
    expect(first.stdout).toContain(`│ create it, then resume:  touch ${marker}`);
    const resumeLine = first.stdout.split('\n').find((l) => l.startsWith('To resume where it stopped: '))!;
    const resumeCmd = resumeLine.replace('To resume where it stopped: ', '');
    expect(resumeCmd).toBe(`bootstrap run ${ex('resume.yaml')} --resume`);

    // A plain run is refused while the run is unfinished.
    const refused = await bs(['run', ex('resume.yaml'), ...vars], dir);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--resume');

    fs.writeFileSync(marker, '');
    const prepared = fs.readFileSync(path.join(work, 'prepared.txt'), 'utf8');
    const resumed = await bs([...resumeCmd.split(' ').slice(1), '--json'], dir);
    expect(resumed.code, resumed.stderr).toBe(0);
    const ev = events(resumed.stdout);
    expect(ev.find((e) => e.type === 'task-finished' && e.task === 'prepare')).toMatchObject({ status: 'succeeded', restored: true });
    expect(ev.find((e) => e.type === 'run-finished')).toMatchObject({ status: 'succeeded' });
    // prepare did not run again (its file is the one the first run wrote).
    expect(fs.readFileSync(path.join(work, 'prepared.txt'), 'utf8')).toBe(prepared);

    const undo = await bs(['undo', ex('resume.yaml')], dir);
    expect(undo.code, undo.stdout + undo.stderr).toBe(0);
    expect(fs.existsSync(work)).toBe(false);
  });

  it('undo.yaml creates files and undoes them dependents first; a stray file keeps the root in place', async () => {
    const dir = tempProject();
    const root = path.join(dir, 'root');
    const run = await bs(['run', ex('undo.yaml'), '--var', `root=${root}`], dir);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(fs.readFileSync(path.join(root, 'current.conf'), 'utf8')).toContain('port=8080');
    expect(fs.readFileSync(path.join(root, 'data', 'numbers.txt'), 'utf8').split('\n')[99]).toBe('100');

    fs.writeFileSync(path.join(root, 'stray'), '');
    const blocked = await bs(['undo', ex('undo.yaml'), '--json'], dir);
    expect(blocked.code).toBe(1);
    const ev = events(blocked.stdout);
    const order = ev.filter((e) => e.type === 'task-undo-finished').map((e) => `${e.task}:${e.status}`);
    expect(order[0]).toBe('link:undone');
    expect(order.slice(1, 3).sort()).toEqual(['config:undone', 'data:undone']);
    expect(order[3]).toBe('root-dir:undo-failed');
    expect(fs.existsSync(root)).toBe(true);

    fs.rmSync(path.join(root, 'stray'));
    const retry = await bs(['undo', ex('undo.yaml')], dir);
    expect(retry.code, retry.stdout + retry.stderr).toBe(0);
    expect(fs.existsSync(root)).toBe(false);
  });
});
