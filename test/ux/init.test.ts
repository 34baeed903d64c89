/** `bootstrap init`: a scaffold that validates, plans, runs and undoes; never overwrites. */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempProject } from '../support/cli.js';
import { bs, REPO } from './helpers.js';

describe('bootstrap init', () => {
  it('scaffolds a playbook that validates, runs and undoes, and prints what to do next', async () => {
    const dir = tempProject();
    const init = await bs(['init', 'demo'], dir);
    expect(init.code, init.stderr).toBe(0);
    for (const cmd of ['validate', 'plan', 'run', 'undo']) expect(init.stdout).toContain(`bootstrap ${cmd} demo.yaml`);
    const text = fs.readFileSync(path.join(dir, 'demo.yaml'), 'utf8');
    // The schema line points at the installed schema, relative to the file.
    const ref = text.match(/^# yaml-language-server: \$schema=(\S+)$/m)![1];
    expect(path.resolve(dir, ref)).toBe(path.join(REPO, 'schemas', 'playbook.schema.json'));
    expect(text).toMatch(/^name: demo$/m);
    expect(text).toMatch(/needs: \[make-dir\]/);
    expect(text).toMatch(/unless:/);
    expect(text).toMatch(/undo:/);

    expect((await bs(['validate', 'demo.yaml'], dir)).code).toBe(0);
    expect((await bs(['plan', 'demo.yaml'], dir)).code).toBe(10);
    const run = await bs(['run', 'demo.yaml'], dir);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'demo-work', 'greeting.txt'), 'utf8')).toBe('hello from demo\n');
    // Idempotent: the second plan has nothing to do.
    expect((await bs(['plan', 'demo.yaml'], dir)).code).toBe(0);
    const undo = await bs(['undo', 'demo.yaml'], dir);
    expect(undo.code, undo.stdout + undo.stderr).toBe(0);
    expect(fs.existsSync(path.join(dir, 'demo-work'))).toBe(false);
  });

  it('refuses to overwrite a file and rejects a bad name (exit 2)', async () => {
    const dir = tempProject({ 'taken.yaml': 'mine\n' });
    const again = await bs(['init', 'taken'], dir);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('taken.yaml already exists');
    expect(fs.readFileSync(path.join(dir, 'taken.yaml'), 'utf8')).toBe('mine\n');
    const bad = await bs(['init', 'Bad Name'], dir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('invalid playbook name');
    // Without a name: playbook.yaml.
    expect((await bs(['init'], dir)).code).toBe(0);
    expect(fs.existsSync(path.join(dir, 'playbook.yaml'))).toBe(true);
  });
});
