/**
 * The kinds registry (and the code of every kind) is loaded only for a playbook that may use
 * one: `loadPlaybook` with a loader calls it exactly when some task could have `uses:`, however
 * the key is spelled.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPlaybook, mayUseKinds } from '../../runner/playbook/load.js';
import { kinds as registry } from '../../tasks/index.js';

async function loadWith(text: string): Promise<{ calls: number; errors: string[]; uses: string[] }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bs-lazy-kinds-'));
  const file = path.join(dir, 'playbook.yaml');
  fs.writeFileSync(file, text);
  let calls = 0;
  const r = await loadPlaybook(file, {
    kinds: async () => {
      calls++;
      return registry;
    },
  });
  const uses = [...(r.playbook?.tasks.values() ?? [])].flatMap((t) => (t.action.kind === 'uses' ? [t.action.uses] : []));
  return { calls, errors: r.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message), uses };
}

describe('kinds are loaded only for playbooks that may use them', () => {
  it('run tasks only: the registry is not loaded', async () => {
    const r = await loadWith('name: p\ntasks:\n  a:\n    run: echo a\n  b:\n    needs: [a]\n    run: echo b\n');
    expect(r).toEqual({ calls: 0, errors: [], uses: [] });
  });

  it.each([
    ['block', 'name: p\ntasks:\n  a:\n    uses: noop\n    with: {}\n'],
    ['flow', 'name: p\ntasks:\n  a: {uses: noop, with: {}}\n'],
    ['quoted', "name: p\ntasks:\n  a:\n    'uses': noop\n    with: {}\n"],
    ['escaped', 'name: p\ntasks:\n  a:\n    "\\u0075ses": noop\n    with: {}\n'],
    ['merged', 'name: p\ntasks:\n  a: &base\n    uses: noop\n    with: {}\n  b:\n    <<: *base\n'],
  ])('`uses:` written %s: loaded once, and the task is of that kind', async (_, text) => {
    expect(mayUseKinds(text)).toBe(true);
    const r = await loadWith(text);
    expect(r.calls).toBe(1);
    expect(r.errors).toEqual([]);
    expect(r.uses[0]).toBe('noop');
  });
});
