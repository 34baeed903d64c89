/**
 * The playbook's top-level `outputs:`: schema, model, reference checks, and the lenient reading
 * and evaluation `bootstrap status` uses.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluateOutputs, flattenOutputs, readOutputsLeniently, type OutputsContext } from '../../runner/playbook/outputs.js';
import { brief, find, loadText } from './helpers.js';

const BASE = `name: outs
vars:
  cluster.name: { default: dev }
  only.in.outputs: { default: x }
  token: { secret: true, env: OUTS_TOKEN, required: false }
tasks:
  a:
    run: echo "url=https://example.test/\${{ vars.cluster.name }}" >> "$BOOTSTRAP_OUTPUT"
    outputs: [url, created]
  b:
    needs: a
    run: "true"
`;

describe('top-level outputs: load and check', () => {
  it('builds nested outputs reading vars and any task (no needs required), and counts the vars as used', async () => {
    const { playbook, diagnostics } = await loadText(`${BASE}outputs:
  cluster:
    name: \${{ vars.cluster.name }}
    url: \${{ tasks.a.outputs.url }}
    created: \${{ tasks.a.outputs.created == 'true' }}
    label: cluster \${{ vars.cluster.name }} (\${{ tasks.b.status }})
  fixed: [1, two, { three: "\${{ vars.only.in.outputs }}" }]
  plain: 42
`);
    expect(brief(diagnostics)).toEqual(['5:3 warning: var `token` is declared but never used']);
    const out = playbook!.outputs!;
    expect(out.kind).toBe('object');
    expect(out.kind === 'object' && out.entries.map(([k]) => k)).toEqual(['cluster', 'fixed', 'plain']);
    const cluster = out.kind === 'object' ? out.entries[0]![1] : undefined;
    expect(cluster?.kind === 'object' && cluster.entries.map(([k, v]) => [k, v.kind])).toEqual([
      ['name', 'template'],
      ['url', 'template'],
      ['created', 'template'],
      ['label', 'template'],
    ]);
  });

  it('reports unknown vars, tasks and task outputs in outputs, at their position', async () => {
    const { playbook, diagnostics } = await loadText(`${BASE}outputs:
  a: \${{ vars.nope }}
  b: \${{ tasks.zzz.outputs.url }}
  c:
    deep: \${{ tasks.a.outputs.missing }}
`);
    expect(playbook).toBeUndefined();
    expect(find(diagnostics, 'unknown var `nope`')).toMatchObject({ line: 14, col: 10, severity: 'error' });
    expect(find(diagnostics, 'unknown task `zzz`')).toMatchObject({ line: 15, severity: 'error' });
    const missing = find(diagnostics, 'task `a` has no output `missing`');
    expect(missing).toMatchObject({ line: 17, col: 15, severity: 'error' });
    expect(missing.message).toContain('`outputs.c.deep`');
  });

  it('reports a syntax error in an output template', async () => {
    const { playbook, diagnostics } = await loadText(`${BASE}outputs:\n  a: \${{ vars.cluster.name == }}\n`);
    expect(playbook).toBeUndefined();
    expect(diagnostics.some((d) => d.severity === 'error' && d.line === 14)).toBe(true);
  });

  it('rejects outputs that are not a mapping, and bad output names', async () => {
    const list = await loadText(`${BASE}outputs: [a, b]\n`);
    expect(list.playbook).toBeUndefined();
    expect(list.diagnostics.some((d) => d.severity === 'error' && d.line === 13 && /`outputs`: expected a mapping/.test(d.message))).toBe(true);
    const name = await loadText(`${BASE}outputs:\n  "bad name": 1\n`);
    expect(name.playbook).toBeUndefined();
    expect(name.diagnostics.some((d) => d.severity === 'error' && d.line === 14 && /invalid name `bad name`/.test(d.message))).toBe(true);
  });

  it('a var used nowhere but outputs is not reported as unused; one used nowhere is', async () => {
    const without = await loadText(BASE);
    expect(brief(without.diagnostics)).toEqual([
      '4:3 warning: var `only.in.outputs` is declared but never used',
      '5:3 warning: var `token` is declared but never used',
    ]);
    expect(without.playbook?.outputs).toBeUndefined();
  });
});

const ctx: OutputsContext = {
  vars: { cluster: { name: 'dev', count: 3 } },
  env: {},
  tasks: { a: { outputs: { url: 'https://x/dev', created: true, list: ['p', 'q'] }, status: 'succeeded' }, b: { outputs: {}, status: 'skipped' } },
  playbook: { dir: '/p', name: 'outs', file: '/p/outs.yaml' },
  run: { id: 'r1' },
};

describe('top-level outputs: lenient evaluation (status)', () => {
  it('keeps the type of a whole-string expression and joins text templates', () => {
    expect(
      evaluateOutputs(
        {
          created: '${{ tasks.a.outputs.created }}',
          count: '${{ vars.cluster.count }}',
          list: '${{ tasks.a.outputs.list }}',
          label: '${{ vars.cluster.name }} at ${{ tasks.a.outputs.url }}',
          literal: 7,
          nested: [{ s: '${{ tasks.b.status }}' }, 'text'],
        },
        ctx,
      ),
    ).toEqual({ created: true, count: 3, list: ['p', 'q'], label: 'dev at https://x/dev', literal: 7, nested: [{ s: 'skipped' }, 'text'] });
  });

  it('gives null for what is not known, does not parse or fails to evaluate', () => {
    expect(
      evaluateOutputs(
        {
          missingOutput: '${{ tasks.b.outputs.url }}',
          missingTask: '${{ tasks.gone.outputs.url }}',
          textWithMissing: 'https://github.com/${{ vars.nope }}',
          broken: '${{ vars.cluster.name == }}',
          badCall: "${{ fromJSON('{') }}",
          nullLiteral: null,
        },
        ctx,
      ),
    ).toEqual({ missingOutput: null, missingTask: null, textWithMissing: null, broken: null, badCall: null, nullLiteral: null });
  });

  it('reads outputs from a file whose tasks no longer validate, and nothing from a missing or non-YAML file', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'outs-'));
    const file = path.join(dir, 'pb.yaml');
    writeFileSync(file, 'name: x\ntasks:\n  a: { uses: no-such-kind, bogus: 1 }\noutputs:\n  name: ${{ vars.cluster.name }}\n');
    expect(readOutputsLeniently(file)).toEqual({ name: '${{ vars.cluster.name }}' });
    expect(readOutputsLeniently(path.join(dir, 'gone.yaml'))).toBeUndefined();
    writeFileSync(file, 'name: [unclosed\n');
    expect(readOutputsLeniently(file)).toBeUndefined();
    writeFileSync(file, 'name: x\ntasks: {}\n');
    expect(readOutputsLeniently(file)).toBeUndefined();
  });

  it('flattens nested outputs into key paths for the human summary', () => {
    expect(flattenOutputs({ cluster: { name: 'dev', created: true, nodes: null }, tags: ['a'] })).toEqual([
      ['cluster.name', 'dev'],
      ['cluster.created', 'true'],
      ['cluster.nodes', 'null'],
      ['tags', '["a"]'],
    ]);
  });
});
