/**
 * A small Kubernetes REST client for the fakes (node:http/https, CA and bearer token from the
 * kubeconfig), with discovery of each kind's plural and scope, and the fake API server's admin
 * API (`/_fake/...`).
 */
import http from 'node:http';
import https from 'node:https';

/** A failed connection (cluster unreachable), with the URL that was tried. */
export class UnreachableError extends Error {}

/** A client for `{ server, ca?, insecure?, token? }`. */
export function kubeClient(conn) {
  const base = new URL(conn.server);
  const discovery = new Map();

  function request(method, path, body, contentType = 'application/json') {
    const url = new URL(path, base);
    const lib = url.protocol === 'https:' ? https : http;
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const headers = { Accept: 'application/json' };
    if (payload !== undefined) {
      headers['Content-Type'] = contentType;
      headers['Content-Length'] = Buffer.byteLength(payload);
    }
    if (conn.token && !path.startsWith('/_fake/')) headers.Authorization = `Bearer ${conn.token}`;
    return new Promise((resolve, reject) => {
      const req = lib.request(
        url,
        { method, headers, ca: conn.ca, rejectUnauthorized: conn.ca ? true : !conn.insecure, timeout: 10_000 },
        (res) => {
          const chunks = [];
          res.on('data', (c) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed = text;
            try {
              parsed = JSON.parse(text);
            } catch {
              // not JSON
            }
            resolve({ status: res.statusCode ?? 0, body: parsed });
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', (e) => reject(new UnreachableError(`Get "${new URL('/version', base)}": dial tcp ${base.host}: ${e.code === 'ECONNREFUSED' ? 'connect: connection refused' : e.message}`)));
      if (payload !== undefined) req.write(payload);
      req.end();
    });
  }

  /** `{ plural, namespaced }` of a kind, from discovery; undefined when the server does not serve it. */
  async function resourceFor(apiVersion, kind) {
    const key = `${apiVersion}/${kind}`;
    if (discovery.has(key)) return discovery.get(key);
    const path = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    const r = await request('GET', path);
    let found;
    if (r.status === 200 && Array.isArray(r.body?.resources)) {
      const res = r.body.resources.find((x) => x.kind === kind && !x.name.includes('/'));
      if (res) found = { plural: res.name, namespaced: res.namespaced };
    }
    discovery.set(key, found);
    return found;
  }

  /** The REST path of an object (or of its collection when `name` is omitted). */
  function objectPath(apiVersion, res, namespace, name) {
    const prefix = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    const ns = res.namespaced ? `/namespaces/${encodeURIComponent(namespace)}` : '';
    return `${prefix}${ns}/${res.plural}${name ? `/${encodeURIComponent(name)}` : ''}`;
  }

  return {
    request,
    resourceFor,
    objectPath,
    /** Admin API of the fake API server. */
    admin: (method, path, body) => request(method, `/_fake${path}`, body),
    async get(apiVersion, kind, namespace, name) {
      const res = await resourceFor(apiVersion, kind);
      if (!res) return undefined;
      const r = await request('GET', objectPath(apiVersion, res, namespace, name));
      return r.status === 200 ? r.body : undefined;
    },
    async list(apiVersion, kind, namespace, labelSelector) {
      const res = await resourceFor(apiVersion, kind);
      if (!res) return [];
      const q = labelSelector ? `?labelSelector=${encodeURIComponent(labelSelector)}` : '';
      const r = await request('GET', objectPath(apiVersion, res, namespace) + q);
      return r.status === 200 ? r.body.items ?? [] : [];
    },
  };
}

/** The message of a Kubernetes Status answer. */
export function statusMessage(r) {
  if (r.body && typeof r.body === 'object' && r.body.message) return r.body.message;
  return `HTTP ${r.status}: ${typeof r.body === 'string' ? r.body.slice(0, 200) : JSON.stringify(r.body).slice(0, 200)}`;
}
