/**
 * The admin API under `/_fake/` (no auth): lets tests and other processes (fake CLIs) seed
 * objects, set controller behaviours, simulate RBAC denials and read the request log.
 * Documented in README.md next to this file.
 */
import type { Behaviour } from './behaviours.js';
import type { FakeCluster, ForbidRule } from './cluster.js';
import type { Obj } from './objects.js';
import { ApiError } from './status.js';

export interface AdminResponse {
  status: number;
  body: unknown;
}

function asList<T>(body: unknown): T[] {
  if (Array.isArray(body)) return body as T[];
  if (body && typeof body === 'object' && Array.isArray((body as { items?: unknown }).items)) return (body as { items: T[] }).items;
  return [body as T];
}

function filterObjects(c: FakeCluster, q: URLSearchParams): Obj[] {
  return c.all().filter(
    (o) =>
      (!q.get('apiVersion') || o.apiVersion === q.get('apiVersion')) &&
      (!q.get('kind') || o.kind === q.get('kind')) &&
      (!q.get('namespace') || o.metadata.namespace === q.get('namespace')) &&
      (!q.get('name') || o.metadata.name === q.get('name')),
  );
}

/** Handle one admin request (`path` is after `/_fake`). */
export function handleAdmin(c: FakeCluster, method: string, path: string, q: URLSearchParams, body: unknown): AdminResponse {
  const route = `${method} ${path.replace(/\/+$/, '')}`;
  try {
    switch (route) {
      case 'GET /healthz':
        return { status: 200, body: { ok: true } };
      case 'GET /objects':
        return { status: 200, body: { items: filterObjects(c, q) } };
      case 'POST /objects':
        return { status: 201, body: { items: asList<Obj>(body).map((o) => c.seed(o)) } };
      case 'DELETE /objects': {
        const gone = filterObjects(c, q);
        for (const o of gone) {
          const t = c.typeOf(o.apiVersion, o.kind);
          if (t) c.drop(t, o.metadata.namespace, o.metadata.name);
        }
        return { status: 200, body: { deleted: gone.length } };
      }
      case 'GET /behaviours':
        return { status: 200, body: { items: c.behaviours } };
      case 'POST /behaviours':
        c.behaviours.push(...asList<Behaviour>(body));
        return { status: 201, body: { items: c.behaviours } };
      case 'DELETE /behaviours':
        c.behaviours = [];
        return { status: 200, body: { items: [] } };
      case 'GET /requests': {
        const since = Number(q.get('since') ?? 0);
        return { status: 200, body: { items: c.requests.slice(since), next: c.requests.length } };
      }
      case 'DELETE /requests':
        c.requests.length = 0;
        return { status: 200, body: { items: [] } };
      case 'POST /forbid':
        c.forbidden.push(...asList<ForbidRule>(body));
        return { status: 201, body: { items: c.forbidden } };
      case 'DELETE /forbid':
        c.forbidden = [];
        return { status: 200, body: { items: [] } };
      case 'POST /token':
        c.token = (body as { token?: string | null })?.token ?? undefined;
        return { status: 200, body: { token: c.token ?? null } };
      case 'POST /reset':
        c.reset();
        return { status: 200, body: { ok: true } };
      default:
        return { status: 404, body: { error: `no admin route ${route}` } };
    }
  } catch (e) {
    if (e instanceof ApiError) return { status: e.code, body: e.toStatus() };
    return { status: 400, body: { error: (e as Error).message } };
  }
}
