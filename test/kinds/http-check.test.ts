import http from 'node:http';
import { describe, expect, it } from 'vitest';
import { createTaskContext } from '../../tasks/context.js';
import { httpCheckKind } from '../../tasks/http-check.js';
import { TaskError, type Clock } from '../../tasks/kind.js';
import { failure, localServers, registries } from '../support/kinds.js';
import { freePort } from '../support/registry.js';

const REGISTRY_HEADER = { 'Docker-Distribution-API-Version': 'registry/2.0' };

const regs = registries();

const { serve } = localServers();

/** A clock whose sleep returns at once and records what was asked. */
function fakeClock(): Clock & { sleeps: number[] } {
  const sleeps: number[] = [];
  return { sleeps, now: () => Date.now(), sleep: async (ms) => void sleeps.push(ms) };
}

function context(opts: { clock?: Clock } = {}) {
  const logs: string[] = [];
  const progress: string[] = [];
  let fetches = 0;
  const ctx = createTaskContext({
    taskId: 'health',
    clock: opts.clock,
    fetch: (input, init) => {
      fetches++;
      return fetch(input, init);
    },
    onLog: (level, m) => logs.push(`${level}: ${m}`),
    onProgress: (m) => progress.push(m),
  });
  return { ctx, logs, progress, fetches: () => fetches };
}

describe('http-check against a real registry', () => {
  it('is HEALTHY on 200 with the distribution header', async () => {
    const { ctx } = context();
    const r = await httpCheckKind.run({ url: `${regs.plain.url}/v2/`, expectHeader: REGISTRY_HEADER }, ctx);
    expect(r.outputs).toMatchObject({ status: 'HEALTHY', health: 'HEALTHY', statusCode: 200, attempts: 1 });
    expect(typeof r.outputs!.latencyMs).toBe('number');
    expect(new Date(r.outputs!.checkedAt as string).toISOString()).toBe(r.outputs!.checkedAt);
    expect(r.outputs!.error).toBeUndefined();
  });

  it('counts 401 (registry asking for credentials) as HEALTHY', async () => {
    const { ctx } = context();
    const r = await httpCheckKind.run({ url: `${regs.auth.url}/v2/`, expectHeader: REGISTRY_HEADER }, ctx);
    expect(r.outputs).toMatchObject({ status: 'HEALTHY', statusCode: 401 });
  });

  it('is DEGRADED through a slow proxy, with a warning', async () => {
    const target = new URL(regs.plain.url);
    const proxy = await serve((req, res) => {
      setTimeout(() => {
        const up = http.request({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers }, (r) => {
          res.writeHead(r.statusCode ?? 502, r.headers);
          r.pipe(res);
        });
        up.on('error', () => res.destroy());
        req.pipe(up);
      }, 1200);
    });
    const { ctx, logs } = context();
    const r = await httpCheckKind.run({ url: `${proxy}/v2/`, expectHeader: REGISTRY_HEADER }, ctx);
    expect(r.outputs).toMatchObject({ status: 'DEGRADED', health: 'DEGRADED', statusCode: 200, attempts: 1 });
    expect(r.outputs!.error).toContain('more than 1000ms');
    expect(logs.some((l) => l.startsWith('warn: DEGRADED'))).toBe(true);

    const fail = await failure(httpCheckKind.run({ url: `${proxy}/v2/`, expectHeader: REGISTRY_HEADER, failOnDegraded: true }, context().ctx));
    expect(fail.message).toContain('DEGRADED');
  });
});

describe('http-check failures', () => {
  it('is UNHEALTHY on a closed port after every attempt, backing off by doubling', async () => {
    const port = await freePort();
    const clock = fakeClock();
    const c = context({ clock });
    const err = await failure(httpCheckKind.run({ url: `http://localhost:${port}/v2/`, attempts: 4, backoff: 500 }, c.ctx));
    expect(err.message).toBe(`UNHEALTHY after 4 attempts: connection refused on localhost:${port}`);
    expect(err.hint).toContain('is the service running');
    expect(c.fetches()).toBe(4);
    expect(clock.sleeps).toEqual([500, 1000, 2000]);
    expect(c.progress.filter((m) => m.startsWith('GET '))).toHaveLength(4);
  });

  it('defaults to 3 attempts and 1s doubling backoff', async () => {
    const port = await freePort();
    const clock = fakeClock();
    const c = context({ clock });
    await failure(httpCheckKind.run({ url: `http://127.0.0.1:${port}/` }, c.ctx));
    expect(c.fetches()).toBe(3);
    expect(clock.sleeps).toEqual([1000, 2000]);
  });

  it('says another program answers when the header is missing', async () => {
    let hits = 0;
    const url = await serve((_req, res) => {
      hits++;
      res.writeHead(200, { 'Content-Type': 'text/html' }).end('<h1>hello</h1>');
    });
    const c = context({ clock: fakeClock() });
    const err = await failure(httpCheckKind.run({ url: `${url}/v2/`, expectHeader: REGISTRY_HEADER, attempts: 2 }, c.ctx));
    expect(err.message).toContain('answered HTTP 200 without the header Docker-Distribution-API-Version: registry/2.0');
    expect(err.message).toContain('another program answers on this port');
    expect(hits).toBe(2);
  });

  it('is UNHEALTHY on an unexpected status', async () => {
    const url = await serve((_req, res) => res.writeHead(503, REGISTRY_HEADER).end());
    const err = await failure(httpCheckKind.run({ url, expectHeader: REGISTRY_HEADER, attempts: 1 }, context().ctx));
    expect(err.message).toContain('answered HTTP 503 (expected 200 or 401)');
  });

  it('times out each attempt on a server that never answers', async () => {
    let requests = 0;
    const url = await serve(() => {
      requests++; // never respond
    });
    const c = context({ clock: fakeClock() });
    const err = await failure(httpCheckKind.run({ url: `${url}/v2/`, timeout: '200ms', attempts: 2 }, c.ctx));
    expect(err.message).toMatch(/UNHEALTHY after 2 attempts: no answer from 127\.0\.0\.1:\d+ within 200ms/);
    expect(requests).toBe(2);
  });

  it('stops at once when the task is interrupted', async () => {
    const url = await serve(() => {});
    const ac = new AbortController();
    const ctx = createTaskContext({ taskId: 'health', signal: ac.signal });
    const p = httpCheckKind.run({ url, timeout: '30s' }, ctx);
    setImmediate(() => ac.abort('interrupted'));
    const e = await p.catch((err: unknown) => err);
    expect(e).not.toBeInstanceOf(TaskError);
    expect(ac.signal.aborted).toBe(true);
  });

  it('validate rejects a malformed URL but accepts expressions', () => {
    expect(httpCheckKind.validate!({ url: 'http://' })).toHaveLength(1);
    expect(httpCheckKind.validate!({ url: 'http://localhost:${{ vars.registry_port }}/v2/' })).toEqual([]);
  });
});
