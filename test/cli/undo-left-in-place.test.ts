import { describe, expect, it } from 'vitest';
import { runCli, tempProject } from '../support/cli.js';

describe('undo of tasks without an undo step', () => {
  it('reports a succeeded one as left in place, once; a failed one has nothing to undo; undo: false is silent', async () => {
    const dir = tempProject({
      'pb.yaml': `name: lip
tasks:
  made:
    run: touch made.txt
  explicit:
    run: echo nothing to undo
    undo: false
  undone:
    run: touch u.txt
    undo: rm u.txt
  broke:
    needs: [made, explicit, undone]
    run: exit 1
`,
    });
    expect((await runCli(['run', 'pb.yaml'], { cwd: dir })).code).toBe(1);
    const status = JSON.parse((await runCli(['status', 'pb.yaml', '--json'], { cwd: dir })).stdout);
    expect(status.applied.map((a: { task: string }) => a.task).sort()).toEqual(['made', 'undone']);
    const undo = await runCli(['undo', 'pb.yaml'], { cwd: dir });
    expect(undo.code).toBe(0);
    expect(undo.stdout).toMatch(/made: left-in-place .*no undo step/);
    expect(undo.stdout).toMatch(/1 undone, 0 failed, 1 left in place/);
    expect(undo.stdout).not.toMatch(/broke|explicit/);
    expect((await runCli(['undo', 'pb.yaml'], { cwd: dir })).stdout).toMatch(/nothing to undo/);
  });
});

describe('env and playbook contexts from the CLI', () => {
  it('env.* is readable in var defaults, asserts and tasks; playbook.dir in var defaults', async () => {
    const dir = tempProject({
      'sub/pb.yaml': `name: envs
vars:
  who: { default: "\${{ env.WHO_AM_I }}" }
  where: { default: "\${{ playbook.dir }}/x" }
assert:
  - that: \${{ env.WHO_AM_I == 'tester' }}
    msg: WHO_AM_I must be tester
tasks:
  a:
    run: echo "who=\${{ vars.who }} where=\${{ vars.where }} home=\${{ env.WHO_AM_I }}" > out.txt
`,
    });
    const r = await runCli(['run', 'sub/pb.yaml'], { cwd: dir, env: { WHO_AM_I: 'tester' } });
    expect(r.code, r.stderr).toBe(0);
    const { readFileSync } = await import('node:fs');
    expect(readFileSync(`${dir}/sub/out.txt`, 'utf8').trim()).toBe(`who=tester where=${dir}/sub/x home=tester`);
    const bad = await runCli(['run', 'sub/pb.yaml', '--fresh'], { cwd: dir, env: { WHO_AM_I: 'other' } });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('WHO_AM_I must be tester');
  });
});

describe('an undo that reads its own outputs', () => {
  it('gets the values the task produced', async () => {
    const dir = tempProject({
      'pb.yaml': `name: own
tasks:
  make:
    run: echo "id=res-$RANDOM" >> "$BOOTSTRAP_OUTPUT"
    outputs: [id]
    undo: echo "deleting \${{ tasks.make.outputs.id }}" > undone.txt
`,
    });
    expect((await runCli(['run', 'pb.yaml'], { cwd: dir })).code).toBe(0);
    const st = JSON.parse((await runCli(['status', 'pb.yaml', '--json'], { cwd: dir })).stdout);
    const id = st.tasks.make.outputs.id;
    expect(id).toMatch(/^res-\d+$/);
    expect((await runCli(['undo', 'pb.yaml'], { cwd: dir })).code).toBe(0);
    const { readFileSync } = await import('node:fs');
    expect(readFileSync(`${dir}/undone.txt`, 'utf8')).toBe(`deleting ${id}\n`);
  });
});
