/** Helpers shared by the task-kind tests (test/kinds/). */
import http from 'node:http';
import type net from 'node:net';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { TaskError } from '../../tasks/kind.js';
import { startRegistry, type TestRegistry } from './registry.js';

/** The TaskError a kind's promise rejects with (fails the test if it resolves or throws else). */
export async function failure(p: Promise<unknown>): Promise<TaskError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(TaskError);
  return e as TaskError;
}

/**
 * Local HTTP servers for one test file, closed after each test. Call at the top level of the
 * file; `serve(handler)` resolves with the server's `http://127.0.0.1:<port>` URL.
 */
export function localServers(): { serve(handler: http.RequestListener): Promise<string> } {
  const servers: http.Server[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) {
      s.closeAllConnections();
      await new Promise((r) => s.close(r));
    }
  });
  return {
    serve(handler) {
      const s = http.createServer(handler);
      servers.push(s);
      return new Promise((resolve) => s.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(s.address() as net.AddressInfo).port}`)));
    },
  };
}

/**
 * Two real registries for one test file (Debian's docker-registry on 127.0.0.1): `plain`, and
 * `auth` asking for alice / s3cret. Call at the top level; use them inside tests.
 */
export function registries(): { plain: TestRegistry; auth: TestRegistry } {
  const r = {} as { plain: TestRegistry; auth: TestRegistry };
  beforeAll(async () => {
    [r.plain, r.auth] = await Promise.all([startRegistry(), startRegistry({ htpasswd: { user: 'alice', password: 's3cret' } })]);
  });
  afterAll(async () => {
    await Promise.all([r.plain?.stop(), r.auth?.stop()]);
  });
  return r;
}
