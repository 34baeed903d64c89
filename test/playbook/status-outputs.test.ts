/**
 * `bootstrap status` shows the playbook's top-level outputs, evaluated from the journal (the
 * latest run's task outputs and journalled vars), through the real CLI. Needs `npm run build`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempProject } from '../support/cli.js';

const SECRET = 's3cr3t-value-for-status';

const PLAYBOOK = `name: outs
vars:
  cluster.name: { default: dev }
  token: { secret: true, env: OUTS_TOKEN, required: false }
tasks:
  make:
    run: |
      echo "url=https://example.test/\${{ vars.cluster.name }}" >> "$BOOTSTRAP_OUTPUT"
      echo "created=true" >> "$BOOTSTRAP_OUTPUT"
    outputs: [url, created]
  never:
    when: false
    run: echo "url=x" >> "$BOOTSTRAP_OUTPUT"
    outputs: [url]
  tok:
    env:
      T: \${{ vars.token }}
    run: test -n "$T"
outputs:
  cluster:
    name: \${{ vars.cluster.name }}
    url: \${{ tasks.make.outputs.url }}
    created: \${{ tasks.make.outputs.created == 'true' }}
  skipped: \${{ tasks.never.outputs.url }}
  never_status: \${{ tasks.never.status }}
  token: \${{ vars.token }}
`;

async function status(dir: string, ...extra: string[]) {
  const r = await runCli(['status', ...extra], { cwd: dir });
  expect(r.code, r.stderr).toBe(0);
  return r;
}

describe('bootstrap status: top-level outputs', () => {
  it('evaluates outputs from the latest run; keeps working when the playbook no longer validates; omits them when it is gone', async () => {
    const dir = tempProject({ 'pb.yaml': PLAYBOOK });
    const run = await runCli(['run', 'pb.yaml', '--non-interactive', '--var', 'cluster.name=prod'], { cwd: dir, env: { OUTS_TOKEN: SECRET } });
    expect(run.code, run.stderr).toBe(0);

    const doc = JSON.parse((await status(dir, 'pb.yaml', '--json')).stdout);
    expect(doc.status).toBe('completed');
    expect(doc.outputs).toEqual({
      cluster: { name: 'prod', url: 'https://example.test/prod', created: true },
      skipped: null,
      never_status: 'skipped',
      token: null, // secrets are never journalled, so status cannot (and must not) show them
    });

    const human = (await status(dir, 'pb.yaml')).stdout;
    expect(human).toMatch(/Outputs:\n {2}cluster\.name +prod\n {2}cluster\.url +https:\/\/example\.test\/prod\n {2}cluster\.created +true\n {2}skipped +null/);
    for (const text of [JSON.stringify(doc), human, fs.readFileSync(path.join(dir, '.bootstrap/outs/journal.jsonl'), 'utf8')]) expect(text).not.toContain(SECRET);

    // The file changes into something invalid: status reads its outputs leniently.
    fs.writeFileSync(path.join(dir, 'pb.yaml'), `name: outs\ntasks:\n  x: { uses: no-such-kind }\noutputs:\n  renamed: \${{ vars.cluster.name }}-x\n`);
    expect(JSON.parse((await status(dir, '--json')).stdout).outputs).toEqual({ renamed: 'prod-x' });

    fs.rmSync(path.join(dir, 'pb.yaml'));
    const gone = JSON.parse((await status(dir, '--json')).stdout);
    expect(gone.status).toBe('completed');
    expect('outputs' in gone).toBe(false);
    expect((await status(dir)).stdout).not.toContain('Outputs:');
  });

  it('a playbook without outputs has none in the document', async () => {
    const dir = tempProject({ 'pb.yaml': 'name: plain\ntasks:\n  a: { run: "true" }\n' });
    expect((await runCli(['run', 'pb.yaml', '--non-interactive'], { cwd: dir })).code).toBe(0);
    expect('outputs' in JSON.parse((await status(dir, '--json')).stdout)).toBe(false);
  });
});
