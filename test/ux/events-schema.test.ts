/**
 * `--json` events of real runs (success, retry, timeout, skips, progress, resume, undo, rollback)
 * validated against schemas/events.schema.json, and every event type of the schema seen.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENT_SCHEMA_VERSION } from '../../runner/events.js';
import { tempProject } from '../support/cli.js';
import { bs, events, REPO } from './helpers.js';

const schema = JSON.parse(fs.readFileSync(path.join(REPO, 'schemas', 'events.schema.json'), 'utf8'));
const validate = new Ajv({ allErrors: true, strict: true, strictRequired: false }).compile(schema);

function check(all: Array<Record<string, any>>): void {
  for (const e of all) {
    if (!validate(e)) throw new Error(`event does not match schemas/events.schema.json:\n${JSON.stringify(e)}\n${JSON.stringify(validate.errors, null, 1)}`);
  }
}

let server: http.Server;
let url: string;

beforeAll(async () => {
  server = http.createServer((_req, res) => res.writeHead(200).end('ok'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/health`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const playbook = (healthUrl: string) => `
name: events
vars:
  nap: { type: number, default: 5 }
tasks:
  health:
    uses: http-check
    with: { url: "${healthUrl}", attempts: 1 }
  flaky:
    retries: 1
    retry-delay: 50ms
    run: |
      if [ ! -f once ]; then touch once; echo "first attempt fails" >&2; exit 1; fi
      echo "second attempt works"
    undo: echo "undoing flaky"; rm -f once
  off:
    when: \${{ false }}
    run: echo never
  done-already:
    unless: "true"
    run: echo never
  slow:
    needs: [flaky, health]
    timeout: 400ms
    run: sleep \${{ vars.nap }}
`;

describe('schemas/events.schema.json', () => {
  it('matches every event of real runs, resumes, undos and rollbacks', async () => {
    const dir = tempProject({ 'events.yaml': playbook(url) });
    const seen: Array<Record<string, any>> = [];

    // 1. retries, a timeout, skips, progress, output, a failure.
    const first = await bs(['run', 'events.yaml', '--json'], dir);
    expect(first.code, first.stderr).toBe(1);
    const e1 = events(first.stdout);
    seen.push(...e1);
    expect(e1.find((e) => e.type === 'task-finished' && e.task === 'slow')).toMatchObject({ status: 'failed', reason: 'timeout' });
    expect(e1.find((e) => e.type === 'task-retry')).toMatchObject({ task: 'flaky', attempt: 1, maxAttempts: 2 });

    // 2. resume with the cause fixed: restored successes.
    const resumed = await bs(['run', 'events.yaml', '--resume', '--var', 'nap=0', '--json'], dir);
    expect(resumed.code, resumed.stderr).toBe(0);
    const e2 = events(resumed.stdout);
    seen.push(...e2);
    expect(e2.find((e) => e.type === 'task-finished' && e.task === 'flaky')).toMatchObject({ restored: true });

    // 3. undo: undo steps with their output.
    const undo = await bs(['undo', 'events.yaml', '--json'], dir);
    expect(undo.code, undo.stderr).toBe(0);
    seen.push(...events(undo.stdout));

    // 4. a precondition failure rolled back.
    fs.writeFileSync(
      path.join(dir, 'rollback.yaml'),
      `name: rollback\ntasks:\n  make:\n    run: touch made\n    undo: rm -f made\n  gate:\n    needs: [make]\n    preconditions:\n      - that: \${{ false }}\n        msg: the gate is closed\n    run: echo never\n`,
    );
    const rb = await bs(['run', 'rollback.yaml', '--rollback', '--json'], dir);
    expect(rb.code, rb.stderr).toBe(1);
    const e4 = events(rb.stdout);
    seen.push(...e4);
    expect(e4.find((e) => e.type === 'undo-started')).toMatchObject({ reason: 'rollback' });
    expect(fs.existsSync(path.join(dir, 'made'))).toBe(false);

    check(seen);
    expect(new Set(seen.map((e) => e.v))).toEqual(new Set([EVENT_SCHEMA_VERSION]));
    const types = new Set(seen.map((e) => e.type));
    expect([...types].sort()).toEqual([...schema.properties.type.enum].sort());
    // Every variant of the union is in the schema's oneOf, and described.
    expect(schema.oneOf.map((r: { $ref: string }) => r.$ref.replace('#/definitions/', '')).sort()).toEqual([...schema.properties.type.enum].sort());
    expect(seen.some((e) => e.type === 'task-output' && e.phase === 'undo')).toBe(true);
    expect(seen.some((e) => e.type === 'task-finished' && e.reason === 'satisfied')).toBe(true);
    expect(seen.some((e) => e.type === 'task-finished' && e.reason === 'condition')).toBe(true);
    expect(seen.some((e) => e.type === 'task-finished' && e.reason === 'precondition')).toBe(true);
  });

  it('rejects events that do not follow it', () => {
    const ok = { v: 1, type: 'task-started', ts: 1, task: 'a', attempt: 1 };
    expect(validate(ok)).toBe(true);
    expect(validate({ ...ok, v: 2 })).toBe(false);
    expect(validate({ ...ok, extra: true })).toBe(false);
    expect(validate({ ...ok, attempt: 0 })).toBe(false);
    expect(validate({ v: 1, type: 'task-finished', ts: 1, task: 'a', status: 'done', durationMs: 1, attempts: 1 })).toBe(false);
    expect(validate({ v: 1, type: 'no-such-event', ts: 1 })).toBe(false);
  });
});
