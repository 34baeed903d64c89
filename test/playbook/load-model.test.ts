import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { brief, fixture, FIXTURES, load, loadText } from './helpers.js';

describe('loadPlaybook: a valid playbook into the model', () => {
  it('builds every field with positions', async () => {
    const { playbook, diagnostics } = await load(fixture('valid.yaml'));
    // The only diagnostic: a var that is declared but never used (a warning, not an error).
    expect(brief(diagnostics)).toEqual(['10:3 warning: var `cluster.rg` is declared but never used']);
    expect(playbook).toBeDefined();
    const pb = playbook!;
    expect(pb.name).toBe('demo-env');
    expect(pb.description).toBe('A playbook that uses every field');
    expect(pb.confirm).toBe(true);
    expect(pb.file).toBe(fixture('valid.yaml'));
    expect(pb.dir).toBe(FIXTURES);
    expect(pb.hash).toMatch(/^[0-9a-f]{64}$/);
    expect([...pb.tasks.keys()]).toEqual(['tools', 'cluster', 'registry', 'check']);
    expect([...pb.vars.keys()]).toEqual(['cluster.name', 'cluster.rg', 'port', 'token', 'create']);

    const name = pb.vars.get('cluster.name')!;
    expect(name.pos).toEqual({ file: fixture('valid.yaml'), line: 6, col: 3 });
    expect(name.schema).toEqual({ type: 'string', pattern: '^[a-z0-9][a-z0-9-]*[a-z0-9]$' });
    expect(name.default).toBe('pallet-dev');
    expect(name.required).toBe(true);
    expect(name.description).toBe('kind cluster name');
    const rg = pb.vars.get('cluster.rg')!;
    expect(rg.defaultTemplate?.parts.map((p) => ('text' in p ? p.text : p.source.trim()))).toEqual(['vars.cluster.name', '-rg']);
    expect(rg.defaultTemplate?.pos).toMatchObject({ line: 11, col: 14 });
    expect(pb.vars.get('port')!.schema).toMatchObject({ type: 'integer', minimum: 1, maximum: 65535 });
    expect(pb.vars.get('token')).toMatchObject({ secret: true, env: 'DEMO_TOKEN', required: false });
    expect(pb.vars.get('create')!.schema.type).toBe('boolean');

    expect(pb.asserts).toHaveLength(1);
    expect(pb.asserts[0]!.msg).toBe('a token is needed when create is false');
    expect(pb.asserts[0]!.that.single?.type).toBe('binary');
    expect(pb.asserts[0]!.pos).toMatchObject({ line: 16, col: 11 });

    const tools = pb.tasks.get('tools')!;
    expect(tools.description).toBe('check the tools');
    expect(tools.action).toMatchObject({ kind: 'uses', uses: 'prereqs' });
    expect(tools.action.kind === 'uses' && tools.action.with).toEqual({
      kind: 'literal',
      value: { tools: [{ name: 'kind' }, { name: 'helm', min: '3.0.0' }] },
    });
    expect(tools.retries).toBe(0);
    expect(tools.retryDelayMs).toBe(1000);
    expect(tools.timeoutMs).toBeUndefined();
    expect(tools.outputs).toEqual({});

    const cluster = pb.tasks.get('cluster')!;
    expect(cluster.pos).toMatchObject({ line: 23, col: 3 });
    expect(cluster.needs).toEqual(['tools']);
    expect(cluster.needsPos).toEqual([{ file: fixture('valid.yaml'), line: 24, col: 12 }]);
    expect(cluster.when?.source).toBe('vars.create');
    expect(cluster.when?.single).toMatchObject({ type: 'member', property: 'create' });
    expect(cluster.when?.pos).toMatchObject({ line: 25, col: 11 });
    expect(cluster.preconditions.map((c) => [c.kind, c.msg, c.pos.line, c.pos.col])).toEqual([
      ['run', 'the Docker daemon is not running', 27, 14],
      ['that', 'port must be unprivileged', 29, 15],
    ]);
    expect(cluster.unless?.kind).toBe('run');
    expect(cluster.action.kind).toBe('shell');
    if (cluster.action.kind === 'shell') {
      const script = cluster.action.script;
      expect(script.pos).toMatchObject({ line: 33, col: 7 });
      expect(script.parts.filter((p) => 'expr' in p).map((p) => ('context' in p ? p.context : ''))).toEqual([
        'bare',
        'dquote',
        'dquote',
      ]);
    }
    expect(cluster.undo && cluster.undo.source).toBe('kind delete cluster --name ${{ vars.cluster.name }}');
    expect(Object.keys(cluster.env)).toEqual(['TOKEN', 'PORT']);
    expect(cluster.env.TOKEN!.single).toBeDefined();
    expect(cluster.env.PORT!.source).toBe('5000');
    expect(cluster.cwd?.source).toBe('${{ playbook.dir }}');
    expect(cluster.timeoutMs).toBe(90 * 60_000);
    expect(cluster.retries).toBe(2);
    expect(cluster.retryDelayMs).toBe(500);
    expect(cluster.outputs).toEqual({ context: { description: 'kubectl context', secret: false }, password: { secret: true } });

    const registry = pb.tasks.get('registry')!;
    expect(registry.undo).toBe(false);
    expect(registry.timeoutMs).toBe(90_000);
    expect(registry.outputs).toEqual({
      revision: { description: 'release revision', secret: false },
      token: { description: 'a token', secret: true },
    });
    expect(registry.action.kind).toBe('uses');
    if (registry.action.kind === 'uses') {
      expect(registry.action.pos).toMatchObject({ line: 48, col: 11 });
      const w = registry.action.with;
      expect(w.kind).toBe('object');
      if (w.kind === 'object') {
        expect(w.entries.map(([k, v]) => [k, v.kind])).toEqual([
          ['release', 'literal'],
          ['chart', 'literal'],
          ['namespace', 'template'],
          ['wait', 'template'],
        ]);
        const ns = w.entries[2]![1];
        expect(ns.kind === 'template' && ns.template.pos).toMatchObject({ line: 52, col: 18 });
      }
    }

    const check = pb.tasks.get('check')!;
    expect(check.unless?.kind).toBe('that');
    expect(check.outputs).toEqual({ status: { secret: false } });
  });

  it('hashes each task as written: a change to one task changes only its hash', async () => {
    const text = readFileSync(fixture('valid.yaml'), 'utf8').replace(/\$schema=\.\.\/\.\.\/\.\.\//, '$schema=');
    const a = await loadText(text);
    const b = await loadText(text.replace('retries: 2', 'retries: 3'));
    const c = await loadText(text.replace('needs: tools', 'needs: [tools]'));
    const hash = (r: typeof a, id: string) => r.playbook!.tasks.get(id)!.hash;
    expect(hash(a, 'cluster')).not.toBe(hash(b, 'cluster'));
    expect(hash(a, 'tools')).toBe(hash(b, 'tools'));
    expect(hash(a, 'registry')).toBe(hash(b, 'registry'));
    // `needs: x` and `needs: [x]` are the same definition.
    expect(hash(a, 'cluster')).toBe(hash(c, 'cluster'));
    expect(a.playbook!.hash).not.toBe(b.playbook!.hash);
    expect(path.isAbsolute(a.playbook!.file)).toBe(true);
  });

  it('accepts a bare or wrapped expression in when/that, and booleans', async () => {
    const { playbook, diagnostics } = await loadText(
      [
        'name: exprs',
        'vars:',
        '  on: { type: boolean, default: true }',
        'tasks:',
        '  a:',
        '    when: ${{ vars.on }}',
        '    run: "true"',
        '  b:',
        '    when: false',
        '    unless: true',
        '    run: "true"',
        '    preconditions: [ { that: "!vars.on", msg: off } ]',
      ].join('\n'),
    );
    expect(brief(diagnostics)).toEqual([]);
    const a = playbook!.tasks.get('a')!;
    const b = playbook!.tasks.get('b')!;
    expect(a.when?.single).toMatchObject({ type: 'member', property: 'on' });
    expect(b.when?.single).toMatchObject({ type: 'literal', value: false });
    expect(b.unless).toMatchObject({ kind: 'that', expr: { single: { type: 'literal', value: true } } });
    expect(b.preconditions[0]).toMatchObject({ kind: 'that', msg: 'off', expr: { single: { type: 'unary', op: '!' } } });
  });
});
