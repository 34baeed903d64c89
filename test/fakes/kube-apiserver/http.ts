/**
 * The HTTP front of the fake: routes the REST paths of the real API (discovery, core and grouped
 * resources, namespaced or not, `status` subresources) onto {@link FakeCluster}, enforces the
 * bearer token and RBAC rules, logs every request, and serves the admin API under `/_fake/`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { handleAdmin } from './admin.js';
import { groupVersion, type ResourceType } from './catalog.js';
import type { FakeCluster, ReadContext } from './cluster.js';
import { onDiscovery } from './controllers.js';
import type { Obj } from './objects.js';
import { ApiError, errors } from './status.js';

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json', 'Cache-Control': 'no-cache, private' });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** The object as served at the requested version. */
function present(type: ResourceType, obj: Obj): Obj {
  const out = structuredClone(obj);
  if (out.kind !== 'Status') {
    out.apiVersion = groupVersion(type);
    out.kind = type.kind;
  }
  return { apiVersion: out.apiVersion, kind: out.kind, ...out };
}

/** List items of built-in types carry no apiVersion/kind (typed lists); custom ones do. */
function listItem(type: ResourceType, obj: Obj): Obj {
  const out = present(type, obj);
  if (!type.custom) {
    delete out.apiVersion;
    delete out.kind;
  }
  return out;
}

interface Route {
  type: ResourceType;
  ns?: string;
  name?: string;
  sub?: string;
}

/** Resolve `rest` (segments after the group/version) to a resource route, or throw 404. */
function resolve(c: FakeCluster, group: string, version: string, rest: string[]): Route {
  let ns: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3 && !(group === '' && (rest[2] === 'status' || rest[2] === 'finalize') && rest.length === 3)) {
    ns = rest[1];
    rest = rest.slice(2);
  }
  const [plural, name, sub, ...more] = rest;
  const type = plural ? c.catalog.byPlural(group, version, plural) : undefined;
  if (!type || more.length) throw errors.resourceNotFound();
  if (ns !== undefined && !type.namespaced) throw errors.resourceNotFound();
  if (type.namespaced && ns === undefined && name !== undefined) throw errors.resourceNotFound();
  if (sub !== undefined && !type.subresources.includes(sub)) throw errors.resourceNotFound();
  return { type, ns, name: name === undefined ? undefined : decodeURIComponent(name), sub };
}

function verbOf(method: string, r: Route, q: URLSearchParams): string {
  if (method === 'GET') return r.name ? 'get' : q.get('watch') === 'true' || q.get('watch') === '1' ? 'watch' : 'list';
  if (method === 'POST') return 'create';
  if (method === 'PUT') return 'update';
  if (method === 'PATCH') return 'patch';
  if (method === 'DELETE') return r.name ? 'delete' : 'deletecollection';
  return method.toLowerCase();
}

async function handleResource(c: FakeCluster, req: IncomingMessage, r: Route, q: URLSearchParams, rc: ReadContext): Promise<[number, unknown]> {
  const method = req.method ?? 'GET';
  const verb = verbOf(method, r, q);
  if (c.isForbidden(verb, r.type, r.ns)) throw errors.forbidden(r.type, verb, r.ns, c.user);
  const dryRun = q.get('dryRun') === 'All';
  const raw = method === 'GET' ? '' : await readBody(req);
  const json = (): unknown => {
    try {
      return raw ? JSON.parse(raw) : {};
    } catch (e) {
      throw errors.badRequest(`error decoding request body: ${(e as Error).message}`);
    }
  };
  switch (verb) {
    case 'get':
      return [200, present(r.type, c.get(r.type, r.ns, r.name!, rc))];
    case 'list': {
      const q2 = { labelSelector: q.get('labelSelector') ?? undefined, fieldSelector: q.get('fieldSelector') ?? undefined };
      const { items, resourceVersion } = c.list(r.type, r.ns, q2, rc);
      return [200, { kind: `${r.type.kind}List`, apiVersion: groupVersion(r.type), metadata: { resourceVersion }, items: items.map((o) => listItem(r.type, o)) }];
    }
    case 'create':
      if (r.sub) throw errors.methodNotAllowed(method);
      return [201, present(r.type, c.create(r.type, r.ns, json(), { dryRun }))];
    case 'update':
      return [200, present(r.type, c.replace(r.type, r.ns, r.name!, json(), r.sub))];
    case 'patch': {
      const ct = String(req.headers['content-type'] ?? '');
      const existed = c.peek(r.type, r.ns, r.name!) !== undefined;
      const out = c.patch(r.type, r.ns, r.name!, ct, raw, { fieldManager: q.get('fieldManager') ?? undefined, sub: r.sub, dryRun });
      return [existed ? 200 : 201, present(r.type, out)];
    }
    case 'delete': {
      const opts = raw ? (json() as { preconditions?: { uid?: string; resourceVersion?: string } }) : {};
      const out = c.delete(r.type, r.ns, r.name!, { preconditions: opts.preconditions, dryRun });
      return [200, out.kind === 'Status' ? out : present(r.type, out)];
    }
    default:
      throw errors.methodNotAllowed(method);
  }
}

/** The request handler for `http.createServer` / `https.createServer`. */
export function createHandler(c: FakeCluster, serverAddress: () => string) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const path = url.pathname;
    const method = req.method ?? 'GET';
    let status = 500;
    const reply = (code: number, body: unknown) => {
      status = code;
      send(res, code, body);
    };
    try {
      if (path.startsWith('/_fake/')) {
        const raw = method === 'GET' ? '' : await readBody(req);
        const out = handleAdmin(c, method, path.slice('/_fake'.length), url.searchParams, raw ? JSON.parse(raw) : undefined);
        return send(res, out.status, out.body);
      }
      if (['/healthz', '/livez', '/readyz'].includes(path)) return reply(200, 'ok');
      if (path === '/version') {
        return reply(200, { major: '1', minor: '31', gitVersion: 'v1.31.0-fake', gitCommit: '0000000', gitTreeState: 'clean', buildDate: '2024-08-13T00:00:00Z', goVersion: 'go1.22.5', compiler: 'gc', platform: 'linux/amd64' });
      }
      if (c.token !== undefined && req.headers.authorization !== `Bearer ${c.token}`) throw errors.unauthorized();
      const rc: ReadContext = { stepped: new Set() };
      const seg = path.split('/').filter(Boolean);
      if (seg[0] === 'api') {
        if (seg.length === 1) return reply(200, c.catalog.apiVersions(serverAddress()));
        if (seg[1] !== 'v1') return reply(404, '404 page not found\n');
        if (seg.length === 2) {
          onDiscovery(c, rc);
          return reply(200, c.catalog.resourceList('', 'v1'));
        }
        const [code, body] = await handleResource(c, req, resolve(c, '', 'v1', seg.slice(2)), url.searchParams, rc);
        return reply(code, body);
      }
      if (seg[0] === 'apis') {
        if (seg.length <= 3) onDiscovery(c, rc);
        if (seg.length === 1) return reply(200, c.catalog.apiGroupList());
        const group = seg[1]!;
        if (!c.catalog.groupNames().includes(group)) return reply(404, '404 page not found\n');
        if (seg.length === 2) return reply(200, c.catalog.apiGroup(group));
        const version = seg[2]!;
        if (!c.catalog.servesVersion(group, version)) return reply(404, '404 page not found\n');
        if (seg.length === 3) return reply(200, c.catalog.resourceList(group, version));
        const [code, body] = await handleResource(c, req, resolve(c, group, version, seg.slice(3)), url.searchParams, rc);
        return reply(code, body);
      }
      return reply(404, '404 page not found\n');
    } catch (e) {
      if (e instanceof ApiError) return reply(e.code, e.toStatus());
      return reply(500, new ApiError(500, 'InternalError', `Internal error occurred: ${(e as Error).message}`).toStatus());
    } finally {
      if (!path.startsWith('/_fake/')) {
        c.requests.push({ method, path, query: url.search, status, ...(req.headers['content-type'] ? { contentType: String(req.headers['content-type']) } : {}) });
      }
    }
  };
}
