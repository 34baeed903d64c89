/**
 * `oci-check`: a real OCI round trip against a registry, like `oras push` + `oras pull`:
 * push a small blob and an empty config, push an OCI image manifest (an artifact with
 * `artifactType`) under a tag, read the manifest back and check its digest, read the blob
 * back and check its digest. Proves the registry stores and serves content, not only that
 * `/v2/` answers.
 *
 * ```yaml
 * registry-roundtrip:
 *   uses: oci-check
 *   with: { registry: "localhost:${{ vars.registry_port }}" }
 * ```
 */
import { createHash } from 'node:crypto';
import { TaskError, type TaskContext, type TaskKind } from './kind.js';
import { durationSchema, parseDuration } from './lib/duration.js';
import { describeFetchError } from './lib/fetch-error.js';
import { timeoutSignal } from './lib/timeout-signal.js';

/** `with` of `oci-check`. */
export interface OciCheckWith {
  /** `host:port` of the registry. */
  registry: string;
  /** Default `bootstrap/healthcheck`. */
  repository?: string;
  /** Default `bootstrap-check`. */
  tag?: string;
  /** Plain HTTP (true, default) or HTTPS. */
  insecure?: boolean;
  /** Default `application/vnd.bootstrap.check.v1`. */
  artifactType?: string;
  /** Basic-auth credentials (htpasswd registries). Default: none. */
  username?: string;
  password?: string;
  /** Delete the manifest afterwards (ignored if the registry refuses deletes). Default false. */
  cleanup?: boolean;
  /** Timeout of each request, ms or a duration string. Default 30s. */
  timeout?: number | string;
}

/** Media types used by the check. */
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_EMPTY = 'application/vnd.oci.empty.v1+json';
export const OCI_LAYER = 'application/vnd.oci.image.layer.v1.tar';
/** The blob pushed by the check. */
export const CHECK_CONTENT = 'bootstrap oci check\n';

const schema = {
  type: 'object',
  additionalProperties: false,
  required: ['registry'],
  description: 'Push and pull a tiny OCI artifact to prove a registry works end to end.',
  properties: {
    registry: { type: 'string', minLength: 1, pattern: '^[^/\\s]+$', description: 'Registry host:port, e.g. "localhost:5000" (no scheme, no path).' },
    repository: { type: 'string', pattern: '^[a-z0-9]+([._-][a-z0-9]+)*(/[a-z0-9]+([._-][a-z0-9]+)*)*$', description: 'Repository to push to. Default "bootstrap/healthcheck".' },
    tag: { type: 'string', pattern: '^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$', description: 'Tag of the test artifact. Default "bootstrap-check".' },
    insecure: { type: 'boolean', description: 'Use plain HTTP (true) or HTTPS (false). Default true (a local registry).' },
    artifactType: { type: 'string', minLength: 1, description: 'artifactType of the manifest. Default "application/vnd.bootstrap.check.v1".' },
    username: { type: 'string', description: 'User for HTTP basic auth (htpasswd). Default: anonymous.' },
    password: { type: 'string', description: 'Password for HTTP basic auth; secret (masked, never journalled). Default: none.' },
    cleanup: { type: 'boolean', description: 'Delete the manifest after the check; a registry refusing deletes (405) is not an error. Default false.' },
    timeout: { ...durationSchema, description: 'Timeout of each HTTP request (ms or "30s"). Default 30s.' },
  },
} as const;

/** sha256 digest (`sha256:<hex>`) of bytes. */
export function sha256Digest(data: Uint8Array | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** The upload URL for the final PUT: `location` resolved against `base`, with `digest` added to its query. */
export function uploadUrl(base: string, location: string, digest: string): string {
  const u = new URL(location, base);
  u.searchParams.set('digest', digest);
  return u.toString();
}

/** `405 UNSUPPORTED (the operation is unsupported)` from a registry error answer. */
export async function describeRegistryError(res: Response): Promise<string> {
  let text = '';
  try {
    text = await res.text();
  } catch {
    // body unreadable
  }
  try {
    const errors = (JSON.parse(text) as { errors?: Array<{ code?: string; message?: string }> }).errors;
    if (Array.isArray(errors) && errors.length) {
      return `${res.status} ${errors.map((e) => `${e.code ?? 'ERROR'}${e.message ? ` (${e.message})` : ''}`).join(', ')}`;
    }
  } catch {
    // not JSON
  }
  const snippet = text.trim().split('\n')[0]?.slice(0, 120);
  return `${res.status} ${res.statusText || 'error'}${snippet ? `: ${snippet}` : ''}`;
}

interface Client {
  base: string;
  request(step: string, path: string, init: RequestInit & { expect: number[] }): Promise<Response>;
}

function client(w: OciCheckWith, ctx: TaskContext, timeoutMs: number): Client {
  const base = `${w.insecure === false ? 'https' : 'http'}://${w.registry}`;
  const auth = w.username !== undefined ? `Basic ${Buffer.from(`${w.username}:${w.password ?? ''}`).toString('base64')}` : undefined;
  return {
    base,
    async request(step, path, init) {
      const url = new URL(path, base);
      const headers = new Headers(init.headers);
      // Only send credentials to the registry itself (a Location may point elsewhere).
      if (auth && url.host === new URL(base).host) headers.set('Authorization', auth);
      const t = timeoutSignal(ctx.signal, timeoutMs);
      let res: Response;
      try {
        res = await ctx.fetch(url, { ...init, headers, signal: t.signal });
      } catch (e) {
        if (ctx.signal.aborted) throw e;
        const why = t.timedOut() ? `no answer within ${timeoutMs}ms` : describeFetchError(e, w.registry);
        throw new TaskError(`${step} failed: ${why}`, `is the registry running on ${w.registry}?`);
      } finally {
        t.dispose();
      }
      if (!init.expect.includes(res.status)) {
        const detail = await describeRegistryError(res);
        throw new TaskError(`${step} failed: ${detail}`, hintFor(res, w));
      }
      return res;
    },
  };
}

function hintFor(res: Response, w: OciCheckWith): string | undefined {
  if (res.status === 401) {
    const challenge = res.headers.get('www-authenticate') ?? '';
    if (/^bearer/i.test(challenge)) return 'the registry uses token auth, which oci-check does not support (only basic auth)';
    return w.username ? 'check username and password' : 'the registry requires credentials: set username and password';
  }
  if (res.status === 403) return 'the credentials lack push permission on this repository';
  if (res.status === 405) return 'the registry refuses this operation (read-only or a mirror?)';
  return undefined;
}

/** Pushes `data` as a blob (POST then monolithic PUT). */
async function pushBlob(c: Client, repo: string, data: Uint8Array, step: string): Promise<string> {
  const digest = sha256Digest(data);
  const start = await c.request(step, `/v2/${repo}/blobs/uploads/`, { method: 'POST', expect: [202], headers: { 'Content-Length': '0' } });
  await start.body?.cancel().catch(() => {});
  const location = start.headers.get('location');
  if (!location) throw new TaskError(`${step} failed: the registry gave no upload Location`);
  const put = await c.request(step, uploadUrl(c.base, location, digest), {
    method: 'PUT',
    expect: [201, 204],
    headers: { 'Content-Type': 'application/octet-stream' },
    body: data,
  });
  await put.body?.cancel().catch(() => {});
  return digest;
}

/** Pushes, reads back and verifies a small OCI artifact. */
export const ociCheckKind: TaskKind<OciCheckWith> = {
  name: 'oci-check',
  description: 'Push and pull a tiny OCI artifact (blob, empty config, manifest) and verify the digests',
  schema,
  secretFields: ['password'],
  outputs: {
    digest: { description: 'Digest of the pushed manifest (sha256:...).' },
    reference: { description: 'Reference of the artifact, e.g. localhost:5000/bootstrap/healthcheck:bootstrap-check.' },
    pushed: { description: 'True: the round trip succeeded.' },
  },

  async run(w, ctx) {
    if (w.password) ctx.secret(w.password);
    const repo = w.repository ?? 'bootstrap/healthcheck';
    const tag = w.tag ?? 'bootstrap-check';
    const artifactType = w.artifactType ?? 'application/vnd.bootstrap.check.v1';
    const c = client(w, ctx, w.timeout === undefined ? 30_000 : parseDuration(w.timeout));
    const reference = `${w.registry}/${repo}:${tag}`;

    ctx.progress(`pushing a blob to ${w.registry}/${repo}`);
    const blob = new TextEncoder().encode(CHECK_CONTENT);
    const blobDigest = await pushBlob(c, repo, blob, 'push of blob');
    const config = new TextEncoder().encode('{}');
    const configDigest = await pushBlob(c, repo, config, 'push of config blob');

    const manifest = new TextEncoder().encode(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        artifactType,
        config: { mediaType: OCI_EMPTY, digest: configDigest, size: config.length },
        layers: [{ mediaType: OCI_LAYER, digest: blobDigest, size: blob.length, annotations: { 'org.opencontainers.image.title': 'bootstrap-check.txt' } }],
      }),
    );
    // No timestamp inside: the same check pushes the same manifest (same digest) every time.
    const manifestDigest = sha256Digest(manifest);
    ctx.progress(`pushing manifest ${reference}`);
    const put = await c.request('push of manifest', `/v2/${repo}/manifests/${tag}`, {
      method: 'PUT',
      expect: [201],
      headers: { 'Content-Type': OCI_MANIFEST },
      body: manifest,
    });
    await put.body?.cancel().catch(() => {});
    const putDigest = put.headers.get('docker-content-digest');
    if (putDigest && putDigest !== manifestDigest) {
      throw new TaskError(`push of manifest: the registry reports digest ${putDigest}, expected ${manifestDigest}`);
    }

    ctx.progress(`pulling ${reference}`);
    const get = await c.request('pull of manifest', `/v2/${repo}/manifests/${tag}`, { method: 'GET', expect: [200], headers: { Accept: OCI_MANIFEST } });
    const got = new Uint8Array(await get.arrayBuffer());
    const header = get.headers.get('docker-content-digest');
    if (header !== null && header !== manifestDigest) {
      throw new TaskError(`pull of manifest: Docker-Content-Digest is ${header}, expected ${manifestDigest}`);
    }
    if (sha256Digest(got) !== manifestDigest) {
      throw new TaskError(`pull of manifest: the registry returned different content (digest ${sha256Digest(got)}, expected ${manifestDigest})`);
    }

    const blobRes = await c.request('pull of blob', `/v2/${repo}/blobs/${blobDigest}`, { method: 'GET', expect: [200] });
    const blobBack = new Uint8Array(await blobRes.arrayBuffer());
    if (sha256Digest(blobBack) !== blobDigest) {
      throw new TaskError(`pull of blob: the registry returned different content (digest ${sha256Digest(blobBack)}, expected ${blobDigest})`);
    }

    if (w.cleanup) await cleanup(c, repo, manifestDigest, ctx);
    return {
      outputs: { digest: manifestDigest, reference, pushed: true },
      summary: `pushed and pulled ${reference}@${manifestDigest.slice(0, 19)}`,
    };
  },
};

async function cleanup(c: Client, repo: string, digest: string, ctx: TaskContext): Promise<void> {
  try {
    const res = await c.request('delete of manifest', `/v2/${repo}/manifests/${digest}`, { method: 'DELETE', expect: [202, 200, 204] });
    await res.body?.cancel().catch(() => {});
  } catch (e) {
    if (ctx.signal.aborted) throw e;
    ctx.log(String((e as Error).message).includes(' 405 ') ? 'debug' : 'warn', `${(e as Error).message} (ignored)`);
  }
}
