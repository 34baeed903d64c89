/** `bootstrap plan`: states per task, read-only evaluation, the journal, and the exit codes. */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startFakeApiServer } from '../fakes/kube-apiserver/index.js';
import { tempProject } from '../support/cli.js';
import { bs } from './helpers.js';

type Plan = { exitCode: number; resumeOf?: string; tasks: Array<{ id: string; state: string; detail?: string }> };
const states = (p: Plan) => Object.fromEntries(p.tasks.map((t) => [t.id, t.state]));

describe('bootstrap plan', () => {
  it('shows will run / satisfied / skipped / blocked / decided at run time, without running anything', async () => {
    const dir = tempProject({
      'mixed.yaml': `name: mixed
vars:
  fast: { type: boolean, default: true }
tasks:
  present:
    unless: test -d \${{ playbook.dir }}
    run: touch canary-present
  fresh:
    run: |
      touch canary-fresh
      echo "id=42" >> "$BOOTSTRAP_OUTPUT"
    outputs: { id: {} }
  off:
    when: \${{ !vars.fast }}
    run: touch canary-off
  gated:
    preconditions:
      - run: test -f no-such-file
        msg: the license file is missing
    run: touch canary-gated
  behind-gate:
    needs: [gated]
    run: touch canary-behind
  reads-output:
    needs: [fresh]
    unless: test -f "out-\${{ tasks.fresh.outputs.id }}"
    run: touch canary-reads
`,
    });
    const json = await bs(['plan', 'mixed.yaml', '--json'], dir);
    const plan = JSON.parse(json.stdout) as Plan;
    expect(states(plan)).toEqual({
      present: 'satisfied',
      fresh: 'will-run',
      off: 'skipped',
      gated: 'blocked',
      'behind-gate': 'blocked',
      'reads-output': 'run-time',
    });
    expect(plan.tasks.find((t) => t.id === 'gated')!.detail).toContain('the license file is missing');
    expect(plan.tasks.find((t) => t.id === 'behind-gate')!.detail).toContain('needs gated');
    expect(plan.tasks.find((t) => t.id === 'reads-output')!.detail).toContain('tasks.fresh');
    // Blocked wins: a run would fail.
    expect(json.code).toBe(1);
    expect(plan.exitCode).toBe(1);

    const text = await bs(['plan', 'mixed.yaml'], dir);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/= present\s+already satisfied/);
    expect(text.stdout).toMatch(/\+ fresh\s+will run/);
    expect(text.stdout).toMatch(/- off\s+skipped/);
    expect(text.stdout).toMatch(/! gated\s+blocked\s+the license file is missing/);
    expect(text.stdout).toMatch(/\? reads-output\s+decided at run time/);
    expect(text.stdout).toContain('Plan: 1 to run, 1 decided at run time, 1 already satisfied, 1 skipped, 2 blocked.');

    // Read-only: no task ran, no state dir was made.
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('canary'))).toEqual([]);
    expect(fs.existsSync(path.join(dir, '.bootstrap'))).toBe(false);

    // The same playbook with the gate open and the flag off: only changes pending (10).
    fs.writeFileSync(path.join(dir, 'no-such-file'), '');
    const pending = await bs(['plan', 'mixed.yaml', '--var', 'fast=false'], dir);
    expect(pending.code, pending.stdout + pending.stderr).toBe(10);
    expect(pending.stdout).toMatch(/\+ off\s+will run/);
    expect(pending.stdout).toContain('To apply it: bootstrap run mixed.yaml');
  });

  it('exits 0 when nothing would run, and 2 on bad input', async () => {
    const dir = tempProject({
      'idle.yaml': `name: idle\ntasks:\n  a:\n    unless: "true"\n    run: touch canary\n  b:\n    needs: [a]\n    when: \${{ false }}\n    run: touch canary\n`,
      'typed.yaml': `name: typed\nvars:\n  n: { type: integer }\ntasks:\n  a:\n    run: echo \${{ vars.n }}\n`,
    });
    const idle = await bs(['plan', 'idle.yaml'], dir);
    expect(idle.code).toBe(0);
    expect(idle.stdout).toContain('Nothing to do.');
    expect((await bs(['plan', 'missing.yaml'], dir)).code).toBe(2);
    const bad = await bs(['plan', 'typed.yaml', '--var', 'n=abc', '--non-interactive'], dir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('n');
    expect(fs.existsSync(path.join(dir, 'canary'))).toBe(false);
  });

  it('shows tasks journalled as succeeded in the unfinished run as done (resume would skip)', async () => {
    const dir = tempProject({
      'half.yaml': `name: half
tasks:
  first:
    run: |
      echo "made=yes" >> "$BOOTSTRAP_OUTPUT"
    outputs: { made: {} }
  second:
    needs: [first]
    unless: test "\${{ tasks.first.outputs.made }}" = no
    run: test -f ok
`,
    });
    const run = await bs(['run', 'half.yaml'], dir);
    expect(run.code).toBe(1);
    const plan = await bs(['plan', 'half.yaml', '--json'], dir);
    const p = JSON.parse(plan.stdout) as Plan;
    // first's outputs come back from the journal, so second's unless can be decided now.
    expect(states(p)).toEqual({ first: 'done', second: 'will-run' });
    expect(p.resumeOf).toMatch(/^\d{8}T\d{6}-[0-9a-f]{4}$/);
    expect(plan.code).toBe(10);
    const text = await bs(['plan', 'half.yaml'], dir);
    expect(text.stdout).toMatch(/✓ first\s+done \(resume would skip\)/);
    expect(text.stdout).toContain('To apply it: bootstrap run half.yaml --resume');

    // A changed definition is not skipped by a resume, so it will run.
    fs.writeFileSync(path.join(dir, 'half.yaml'), fs.readFileSync(path.join(dir, 'half.yaml'), 'utf8').replace('made=yes', 'made=yes2'));
    const changed = JSON.parse((await bs(['plan', 'half.yaml', '--json'], dir)).stdout) as Plan;
    expect(states(changed).first).toBe('will-run');
  });

  it('asks kinds that can observe their state (kubernetes, against a fake API server), read-only', async () => {
    const api = await startFakeApiServer({ tls: false, token: 'plan-token' });
    try {
      api.state.seed({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'present' } });
      const dir = tempProject({
        'kube.yaml': `name: kube
tasks:
  ns-present:
    uses: kubernetes
    with: { kubeconfig: kubeconfig.yaml, namespace: present }
  ns-missing:
    uses: kubernetes
    with: { kubeconfig: kubeconfig.yaml, namespace: missing }
`,
        'kubeconfig.yaml': api.kubeconfig('fake'),
      });
      const r = await bs(['plan', 'kube.yaml', '--json'], dir);
      const p = JSON.parse(r.stdout) as Plan;
      expect(states(p)).toEqual({ 'ns-present': 'satisfied', 'ns-missing': 'will-run' });
      expect(r.code).toBe(10);
      const methods = new Set(api.state.requests.map((q) => q.method));
      expect(api.state.requests.length).toBeGreaterThan(0);
      expect([...methods]).toEqual(['GET']);
    } finally {
      await api.stop();
    }
  });
});
