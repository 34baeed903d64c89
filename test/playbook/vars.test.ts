import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { Playbook, VarDef } from '../../runner/playbook/model.js';
import {
  checkGivenVars,
  loadVarsFile,
  nestVars,
  parseVarArgs,
  resolveVars,
  type PromptFn,
  type VarsInput,
} from '../../runner/playbook/vars.js';
import { brief, find, fixture, load } from './helpers.js';

let pb: Playbook;
beforeAll(async () => {
  const r = await load(fixture('vars.yaml'));
  expect(brief(r.diagnostics)).toEqual([]);
  pb = r.playbook!;
});

const FILE = fixture('vars.yaml');
const input = (over: Partial<VarsInput> = {}): VarsInput => ({ cli: {}, env: {}, interactive: false, ...over });
const answers = (map: Record<string, string | undefined>): PromptFn & { calls: string[] } => {
  const calls: string[] = [];
  const fn = (async (v: VarDef) => {
    calls.push(v.name);
    return map[v.name];
  }) as PromptFn & { calls: string[] };
  fn.calls = calls;
  return fn;
};

function tmpFile(name: string, text: string): string {
  const f = path.join(mkdtempSync(path.join(tmpdir(), 'vars-')), name);
  writeFileSync(f, text);
  return f;
}

describe('resolveVars: sources, highest first', () => {
  it('--var beats --vars-file beats env beats prompt beats default', async () => {
    const prompt = answers({ 'cluster.name': 'from-prompt', region: 'westus2' });
    const all = {
      cli: { 'cluster.name': 'from-cli' },
      file: { cluster: { name: 'from-file' } },
      env: { DEMO_CLUSTER: 'from-env' },
      prompt,
      interactive: true,
    };
    const steps: Array<[Partial<VarsInput>, string, string]> = [
      [all, 'from-cli', 'cli'],
      [{ ...all, cli: {} }, 'from-file', 'file'],
      [{ ...all, cli: {}, file: {} }, 'from-env', 'env'],
      [{ ...all, cli: {}, file: {}, env: {} }, 'from-prompt', 'prompt'],
    ];
    for (const [over, value, source] of steps) {
      const r = await resolveVars(pb, input(over));
      expect(brief(r.diagnostics), source).toEqual([]);
      expect(r.values['cluster.name'], source).toBe(value);
      expect(r.sources['cluster.name'], source).toBe(source);
      // A template default is evaluated over the winning value.
      expect(r.values['cluster.rg'], source).toBe(`${value}-rg`);
      expect(r.sources['cluster.rg']).toBe('default');
    }
  });

  it('asks for a var with a default only when it has a prompt; an empty answer keeps the default', async () => {
    const ask = answers({ 'cluster.name': 'c1' });
    const r = await resolveVars(pb, input({ interactive: true, prompt: ask }));
    expect(ask.calls).toEqual(['cluster.name', 'region']);
    expect(r.values.region).toBe('eastus');
    expect(r.sources.region).toBe('default');
    const r2 = await resolveVars(pb, input({ interactive: true, prompt: answers({ 'cluster.name': 'c1', region: 'westus2' }) }));
    expect([r2.values.region, r2.sources.region]).toEqual(['westus2', 'prompt']);
  });

  it('gives the prompt the resolved default and asks again after a refused answer', async () => {
    const seen: Array<[string, unknown, string | undefined]> = [];
    const replies = ['Not Valid!', 'good-name'];
    const prompt: PromptFn = async (v, info) => {
      seen.push([v.name, info?.default, info?.error]);
      return v.name === 'cluster.name' ? replies.shift() : undefined;
    };
    const r = await resolveVars(pb, input({ interactive: true, prompt }));
    expect(r.values['cluster.name']).toBe('good-name');
    expect(seen).toEqual([
      ['cluster.name', undefined, undefined],
      ['cluster.name', undefined, 'expected a value matching ^[a-z0-9][a-z0-9-]*$'],
      ['region', 'eastus', undefined],
    ]);
  });

  it('does not prompt when not interactive, and then reports the missing var with every way to set it', async () => {
    const prompt = answers({ 'cluster.name': 'x' });
    const r = await resolveVars(pb, input({ prompt }));
    expect(prompt.calls).toEqual([]);
    expect(r.diagnostics).toEqual([
      {
        file: FILE,
        line: 3,
        col: 3,
        endLine: 3,
        endCol: 15,
        severity: 'error',
        message:
          'missing value for var `cluster.name` (kind cluster name). Set it with --var cluster.name=..., in a --vars-file, with the environment variable DEMO_CLUSTER, or run interactively on a terminal',
      },
    ]);
    expect(r.sources['cluster.name']).toBe('unset');
    expect('cluster.name' in r.values).toBe(false);
    // validate does not require values
    const v = await resolveVars(pb, input({ requireValues: false }));
    expect(brief(v.diagnostics)).toEqual([]);
  });

  it('leaves optional vars unset and names the secret vars', async () => {
    const r = await resolveVars(pb, input({ cli: { 'cluster.name': 'a' } }));
    expect(r.sources.existing_context).toBe('unset');
    expect(r.sources.token).toBe('unset');
    expect([...r.secrets]).toEqual(['token']);
    expect(r.values).toEqual({
      'cluster.name': 'a',
      'cluster.rg': 'a-rg',
      'cluster.nodes': 3,
      'cluster.create': true,
      tags: [],
      region: 'eastus',
    });
  });
});

describe('resolveVars: conversion and validation', () => {
  it('converts text by type', async () => {
    const r = await resolveVars(
      pb,
      input({ cli: { 'cluster.name': 'a', 'cluster.nodes': '7', 'cluster.create': 'no', tags: '["x","y"]' }, env: { DEMO_TOKEN: 'ghp_secret' } }),
    );
    expect(brief(r.diagnostics)).toEqual(['16:11 existing_context is required when cluster.create is false']);
    expect(r.values).toMatchObject({ 'cluster.nodes': 7, 'cluster.create': false, tags: ['x', 'y'], token: 'ghp_secret' });
    expect(r.sources.token).toBe('env');
  });

  it('reports bad values naming the var, the source and what was expected', async () => {
    const r = await resolveVars(
      pb,
      input({
        cli: { 'cluster.name': 'Bad_Name', 'cluster.nodes': 'abc', tags: '[1]' },
        env: { DEMO_TOKEN: 'not-a-token-123' },
        file: { cluster: { create: 'perhaps' }, region: 'mars' },
      }),
    );
    expect(brief(r.diagnostics)).toEqual([
      '3:3 invalid value for var `cluster.name` from --var: expected a value matching ^[a-z0-9][a-z0-9-]*$, got "Bad_Name"',
      '9:3 invalid value for var `cluster.nodes` from --var: expected an integer, got "abc"',
      '10:3 invalid value for var `cluster.create` from --vars-file: expected a boolean: true/false, yes/no, on/off or 1/0, got "perhaps"',
      '12:3 invalid value for var `tags` from --var: expected a string at 0, got "[1]"',
      // a secret's value is never shown
      '13:3 invalid value for var `token` from the environment variable DEMO_TOKEN: expected a value matching ^gh',
      '14:3 invalid value for var `region` from --vars-file: expected one of "eastus", "westus2", got "mars"',
    ]);
    expect(r.diagnostics.some((d) => d.message.includes('not-a-token'))).toBe(false);
    const big = await resolveVars(pb, input({ cli: { 'cluster.name': 'a', 'cluster.nodes': '500' } }));
    expect(brief(big.diagnostics)).toEqual(['9:3 invalid value for var `cluster.nodes` from --var: expected a number <= 100, got "500"']);
  });

  it('reports unknown names in --var and in the vars file with did-you-mean', async () => {
    const r = await resolveVars(pb, input({ cli: { 'cluster.nmae': 'x', 'cluster.name': 'a' }, file: { clustr: { name: 'y' }, region: 'eastus' } }));
    expect(r.diagnostics.map((d) => `${d.file} ${d.message}`)).toEqual([
      '<command line> --var cluster.nmae: unknown var `cluster.nmae`; did you mean `cluster.name`?',
      '--vars-file unknown var `clustr` in the vars file; did you mean `cluster`?',
    ]);
    expect(checkGivenVars(pb, { regoin: 'x', 'cluster.nodes': 'x' }).map((d) => d.message)).toEqual([
      '--var regoin: unknown var `regoin`; did you mean `region`?',
      'invalid value for var `cluster.nodes` from --var: expected an integer, got "x"',
    ]);
    expect(checkGivenVars(pb, { 'cluster.nodes': '12' })).toEqual([]);
  });
});

describe('resolveVars: assert rules', () => {
  it('reports each false rule with its message and position', async () => {
    const r = await resolveVars(pb, input({ cli: { 'cluster.name': 'a', 'cluster.create': 'false', 'cluster.nodes': '60', region: 'westus2' } }));
    expect(brief(r.diagnostics)).toEqual([
      '16:11 existing_context is required when cluster.create is false',
      '18:11 big clusters only in eastus',
    ]);
    const ok = await resolveVars(pb, input({ cli: { 'cluster.name': 'a', 'cluster.create': 'false', existing_context: 'kind-a' } }));
    expect(brief(ok.diagnostics)).toEqual([]);
  });

  it('skips rules that read a var without a usable value', async () => {
    const r = await resolveVars(pb, input({ cli: { 'cluster.name': 'a', 'cluster.create': 'maybe' } }));
    expect(r.diagnostics).toHaveLength(1);
    expect(r.diagnostics[0]!.message).toMatch(/invalid value for var `cluster.create`/);
  });
});

describe('vars files and --var arguments', () => {
  it('reads a YAML vars file, flattening nested mappings to dotted names, with positions', async () => {
    const f = tmpFile('v.yaml', 'cluster:\n  name: from-file\n  nodes: "5"\n  nmae: typo\ntoken: ghp_x\n');
    const { values, diagnostics } = await loadVarsFile(f);
    expect(diagnostics).toEqual([]);
    expect(values).toEqual({ cluster: { name: 'from-file', nodes: '5', nmae: 'typo' }, token: 'ghp_x' });
    const r = await resolveVars(pb, input({ file: values }));
    expect(r.values).toMatchObject({ 'cluster.name': 'from-file', 'cluster.nodes': 5, token: 'ghp_x' });
    expect(r.diagnostics).toEqual([
      { file: f, line: 4, col: 3, severity: 'error', message: 'unknown var `cluster.nmae` in the vars file; did you mean `cluster.name`?' },
    ]);
  });

  it('reads JSON and dotted keys; reports bad files as diagnostics', async () => {
    const j = await loadVarsFile(tmpFile('v.json', '{"cluster.name": "j", "cluster": {"nodes": 4}}'));
    const r = await resolveVars(pb, input({ file: j.values }));
    expect(r.values).toMatchObject({ 'cluster.name': 'j', 'cluster.nodes': 4 });
    expect(brief((await loadVarsFile(tmpFile('bad.yaml', 'a: [1\nb: 2\n'))).diagnostics)).toEqual([
      '2:1 YAML syntax error: flow sequence in block collection must be sufficiently indented and end with a ]',
    ]);
    expect(brief((await loadVarsFile(tmpFile('list.yaml', '- a\n'))).diagnostics)).toEqual(['1:1 a vars file must be a mapping from var name to value']);
    expect(brief((await loadVarsFile('/nonexistent/v.yaml')).diagnostics)).toEqual(['0:0 cannot read the vars file: no such file']);
  });

  it('parses --var arguments on the first =', () => {
    expect(parseVarArgs(['a=b=c', 'x.y=', 'n=1'])).toEqual({ values: { a: 'b=c', 'x.y': '', n: '1' }, diagnostics: [] });
    const bad = parseVarArgs(['novalue', '=x']);
    expect(bad.diagnostics.map((d) => d.message)).toEqual(['--var novalue: expected name=value', '--var =x: the var name is missing']);
  });

  it('nests dotted names for expressions', () => {
    expect(nestVars({ 'cluster.name': 'a', 'cluster.nodes': 3, top: true, 'x.y.z': [1] })).toEqual({
      cluster: { name: 'a', nodes: 3 },
      top: true,
      x: { y: { z: [1] } },
    });
    const evil = nestVars({ '__proto__.polluted': 1 });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(evil)).toEqual(['__proto__']);
  });
});

describe('resolveVars: prompt is never called without a terminal', () => {
  it('uses env over prompt even when interactive', async () => {
    const prompt = vi.fn(async (_v: VarDef) => 'westus2');
    const r = await resolveVars(pb, input({ env: { DEMO_CLUSTER: 'e' }, interactive: true, prompt }));
    expect(prompt.mock.calls.map((c) => (c[0] as VarDef).name)).toEqual(['region']);
    expect(r.values['cluster.name']).toBe('e');
    expect(r.values.region).toBe('westus2');
  });

  it('gives up after three refused answers', async () => {
    const prompt = vi.fn(async (v: VarDef) => (v.name === 'region' ? 'mars' : undefined));
    const r = await resolveVars(pb, input({ cli: { 'cluster.name': 'a' }, interactive: true, prompt }));
    expect(prompt).toHaveBeenCalledTimes(3);
    expect(brief(r.diagnostics)).toEqual(['14:3 invalid value for var `region` entered at the prompt: expected one of "eastus", "westus2", got "mars"']);
  });
});
