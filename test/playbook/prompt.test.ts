import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { VarDef } from '../../runner/playbook/model.js';
import { ask, createPrompt, promptVar, PromptInterruptedError, questionFor } from '../../runner/playbook/prompt.js';
import { resolveVars } from '../../runner/playbook/vars.js';
import { fixture, load } from './helpers.js';

const pos = { file: 'p.yaml', line: 1, col: 1 };
const plainVar: VarDef = { name: 'cluster.name', description: 'kind cluster name', schema: { type: 'string' }, default: 'dev', secret: false, required: true, pos };
const secretVar: VarDef = { name: 'token', description: 'GitHub token', schema: { type: 'string' }, secret: true, required: true, pos };

/** A PassThrough that collects everything written to it. */
function sink() {
  const out = new PassThrough();
  let text = '';
  out.on('data', (c: Buffer) => (text += c.toString()));
  return { out, text: () => text };
}

/** A PassThrough that pretends to be a terminal, recording raw-mode switches. */
function fakeTty() {
  const input = new PassThrough() as PassThrough & { isTTY: boolean; isRaw: boolean; setRawMode: (b: boolean) => void; modes: boolean[] };
  input.isTTY = true;
  input.isRaw = false;
  input.modes = [];
  input.setRawMode = (b: boolean) => {
    input.isRaw = b;
    input.modes.push(b);
  };
  return input;
}

describe('prompt on streams', () => {
  it('shows the description and default, and returns the answer', async () => {
    const input = new PassThrough();
    const { out, text } = sink();
    const answer = promptVar(plainVar, input, out);
    input.write('pallet\n');
    expect(await answer).toBe('pallet');
    expect(text()).toBe('kind cluster name (cluster.name) [dev]: ');
  });

  it('treats an empty answer as no answer, and end of input as undefined', async () => {
    const input = new PassThrough();
    const { out } = sink();
    const first = promptVar(plainVar, input, out);
    input.write('\n');
    expect(await first).toBeUndefined();
    const second = ask(input, out, 'Proceed? ');
    input.end();
    expect(await second).toBeUndefined();
  });

  it('keeps typed-ahead answers for the next questions', async () => {
    const input = new PassThrough();
    const { out } = sink();
    input.write('one\r\ntwo\n');
    expect(await ask(input, out, 'a? ')).toBe('one');
    expect(await ask(input, out, 'b? ')).toBe('two');
  });

  it('never echoes a secret', async () => {
    const input = new PassThrough();
    const { out, text } = sink();
    const answer = promptVar(secretVar, input, out);
    input.write('ghp_hunter2\n');
    expect(await answer).toBe('ghp_hunter2');
    expect(text()).toContain('GitHub token (token) (input hidden): ');
    expect(text()).not.toContain('hunter2');
  });

  it('on a terminal: raw mode, own echo with backspace, none for secrets, restored after', async () => {
    const tty = fakeTty();
    const { out, text } = sink();
    const answer = promptVar(plainVar, tty, out);
    tty.write('ab\x7fc\x1b[Dd\r');
    expect(await answer).toBe('acd');
    expect(text()).toBe('kind cluster name (cluster.name) [dev]: ab\b \bcd\n');
    expect(tty.modes).toEqual([true, false]);

    const tty2 = fakeTty();
    const s2 = sink();
    const secret = promptVar(secretVar, tty2, s2.out);
    tty2.write('s3cret\r');
    expect(await secret).toBe('s3cret');
    expect(s2.text()).not.toContain('s3cret');
    expect(tty2.modes).toEqual([true, false]);
  });

  it('restores the terminal and rejects on Ctrl-C', async () => {
    const tty = fakeTty();
    const { out } = sink();
    const answer = promptVar(secretVar, tty, out);
    tty.write('abc\x03');
    await expect(answer).rejects.toBeInstanceOf(PromptInterruptedError);
    expect(tty.modes).toEqual([true, false]);
    expect(tty.isRaw).toBe(false);
  });

  it('shows why an answer was refused, and never a secret default', () => {
    expect(questionFor({ ...secretVar, default: 'x' })).toBe('GitHub token (token) (input hidden) [press Enter to keep the default]: ');
    expect(questionFor({ ...plainVar, schema: { type: 'boolean' }, prompt: 'Create the cluster?' }, { default: true })).toBe(
      'Create the cluster? (yes/no) [true]: ',
    );
  });

  it('drives resolveVars through createPrompt', async () => {
    const { playbook } = await load(fixture('vars.yaml'));
    const input = new PassThrough();
    const { out, text } = sink();
    input.write('Bad Name\nmy-cluster\nwestus2\n');
    const r = await resolveVars(playbook!, { cli: {}, env: {}, interactive: true, prompt: createPrompt(input, out) });
    expect(r.diagnostics).toEqual([]);
    expect(r.values['cluster.name']).toBe('my-cluster');
    expect(r.values.region).toBe('westus2');
    expect(r.sources.region).toBe('prompt');
    expect(text()).toContain('cluster.name: expected a value matching ^[a-z0-9][a-z0-9-]*$');
    expect(text()).toContain('Azure region [eastus]: ');
  });
});
