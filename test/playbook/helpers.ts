/** Shared helpers for the playbook front-end tests. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Diagnostic } from '../../runner/playbook/diagnostics.js';
import { loadPlaybook } from '../../runner/playbook/load.js';
import { fakeKinds } from './fake-kinds.js';

export const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/playbooks');

export function fixture(name: string): string {
  return path.join(FIXTURES, name);
}

export async function load(file: string) {
  return loadPlaybook(file, { kinds: fakeKinds });
}

/** Writes `text` to a fresh temp file and loads it. */
export async function loadText(text: string, name = 'playbook.yaml') {
  const dir = mkdtempSync(path.join(tmpdir(), 'pb-'));
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return { file, ...(await load(file)) };
}

/** `line:col message` for each diagnostic, for compact assertions. */
export function brief(diags: readonly Diagnostic[]): string[] {
  return diags.map((d) => `${d.line}:${d.col} ${d.severity === 'warning' ? 'warning: ' : ''}${d.message}`);
}

/** The diagnostic whose message contains `text`; fails when there is none or several. */
export function find(diags: readonly Diagnostic[], text: string): Diagnostic {
  const hits = diags.filter((d) => d.message.includes(text));
  if (hits.length !== 1)
    throw new Error(`expected one diagnostic containing ${JSON.stringify(text)}, found ${hits.length}:\n${brief(diags).join('\n')}`);
  return hits[0]!;
}
