import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TaskKind } from '../../tasks/kind.js';
import { engineRun, loadFromText, tempDir } from '../support/engine.js';

describe('values from secrets given to a kind', () => {
  it('are masked in events and journalled only as references', async () => {
    const kind: TaskKind<{ token: string; name: string }> = {
      name: 'sec',
      description: 'echoes its token',
      schema: { type: 'object', properties: { token: { type: 'string' }, name: { type: 'string' } }, additionalProperties: false },
      secretFields: ['token'],
      run: async (w, ctx) => {
        ctx.log('info', `using token ${w.token} for ${w.name}`);
        return { outputs: {}, undo: { note: `made with ${w.token}` } };
      },
      undo: async () => {},
    };
    const kinds = new Map([['sec', kind as TaskKind]]);
    const dir = tempDir();
    const pb = await loadFromText(dir, 'name: s\nvars:\n  tok: { secret: true }\ntasks:\n  a:\n    uses: sec\n    with: { token: "${{ vars.tok }}", name: visible-name }\n', kinds);
    const { events, outcome } = await engineRun(pb, dir, kinds, { vars: { tok: 'literal-secret-123' }, secret: ['tok'] });
    expect(outcome.status).toBe('succeeded');
    const text = JSON.stringify(events) + fs.readFileSync(path.join(dir, 'journal.jsonl'), 'utf8');
    expect(text).toContain('visible-name');
    expect(text).toContain('using token *** for visible-name');
    expect(text).not.toContain('literal-secret-123');
    expect(text).toContain('"token":{"$secret":"${{ vars.tok }}"}');
  });
});

describe('resolved with', () => {
  it('is checked against the kind schema at run time (values from expressions)', async () => {
    const kind: TaskKind<{ port: number }> = {
      name: 'port',
      description: 'takes a port',
      schema: { type: 'object', properties: { port: { type: 'integer', maximum: 65535 } }, additionalProperties: false },
      run: async () => ({}),
    };
    const kinds = new Map([['port', kind as TaskKind]]);
    const dir = tempDir();
    const pb = await loadFromText(dir, 'name: p\ntasks:\n  a:\n    uses: port\n    with: { port: "${{ 70000 }}" }\n', kinds);
    const { events, outcome } = await engineRun(pb, dir, kinds);
    expect(outcome.status).toBe('failed');
    const fin = events.find((e) => e.type === 'task-finished') as { error?: string; attempts: number };
    expect(fin.error).toMatch(/after interpolation, with\.port must be <= 65535/);
  });
});
