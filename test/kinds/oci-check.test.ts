import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createTaskContext } from '../../tasks/context.js';
import { CHECK_CONTENT, OCI_MANIFEST, ociCheckKind, uploadUrl } from '../../tasks/oci-check.js';
import { failure, localServers, registries } from '../support/kinds.js';
import { freePort } from '../support/registry.js';

const regs = registries();

const { serve } = localServers();

const sha256 = (b: Uint8Array | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

function context() {
  const secrets: string[] = [];
  const logs: string[] = [];
  const ctx = createTaskContext({ taskId: 'oci', secret: (s) => secrets.push(s), onLog: (l, m) => logs.push(`${l}: ${m}`) });
  return { ctx, secrets, logs };
}

describe('oci-check against a real registry', () => {
  it('pushes an artifact the registry then serves to an independent client', async () => {
    const r = await ociCheckKind.run({ registry: regs.plain.host }, context().ctx);
    const reference = `${regs.plain.host}/bootstrap/healthcheck:bootstrap-check`;
    expect(r.outputs).toMatchObject({ reference, pushed: true });
    const digest = r.outputs!.digest as string;
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);

    const res = await fetch(`${regs.plain.url}/v2/bootstrap/healthcheck/manifests/bootstrap-check`, { headers: { Accept: OCI_MANIFEST } });
    expect(res.status).toBe(200);
    const body = new Uint8Array(await res.arrayBuffer());
    expect(sha256(body)).toBe(digest);
    expect(res.headers.get('docker-content-digest')).toBe(digest);
    const manifest = JSON.parse(Buffer.from(body).toString('utf8'));
    expect(manifest).toMatchObject({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      artifactType: 'application/vnd.bootstrap.check.v1',
      config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: sha256('{}'), size: 2 },
    });
    expect(manifest.layers).toHaveLength(1);
    expect(manifest.layers[0].digest).toBe(sha256(CHECK_CONTENT));

    const blob = await fetch(`${regs.plain.url}/v2/bootstrap/healthcheck/blobs/${manifest.layers[0].digest}`);
    expect(await blob.text()).toBe(CHECK_CONTENT);

    // Same check again: same manifest, same digest.
    const again = await ociCheckKind.run({ registry: regs.plain.host }, context().ctx);
    expect(again.outputs!.digest).toBe(digest);
  });

  it('honours repository, tag, artifactType and cleanup', async () => {
    const w = { registry: regs.plain.host, repository: 'team/probe', tag: 'v1', artifactType: 'application/vnd.example.probe', cleanup: true };
    const r = await ociCheckKind.run(w, context().ctx);
    expect(r.outputs!.reference).toBe(`${regs.plain.host}/team/probe:v1`);
    const res = await fetch(`${regs.plain.url}/v2/team/probe/manifests/${r.outputs!.digest as string}`, { headers: { Accept: OCI_MANIFEST } });
    expect(res.status).toBe(404); // deleted by cleanup
  });

  it('authenticates with basic auth and masks the password', async () => {
    const { ctx, secrets } = context();
    const r = await ociCheckKind.run({ registry: regs.auth.host, username: 'alice', password: 's3cret' }, ctx);
    expect(r.outputs!.pushed).toBe(true);
    expect(secrets).toContain('s3cret');
    const anon = await fetch(`${regs.auth.url}/v2/bootstrap/healthcheck/manifests/bootstrap-check`, { headers: { Accept: OCI_MANIFEST } });
    expect(anon.status).toBe(401);
  });

  it('fails clearly without credentials', async () => {
    const err = await failure(ociCheckKind.run({ registry: regs.auth.host }, context().ctx));
    expect(err.message).toMatch(/^push of blob failed: 401 UNAUTHORIZED/);
    expect(err.hint).toContain('set username and password');
  });
});

describe('oci-check failures', () => {
  it('reports a registry that rejects uploads', async () => {
    const seen: string[] = [];
    const url = await serve((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      res.writeHead(405, { 'Content-Type': 'application/json', 'Docker-Distribution-API-Version': 'registry/2.0' });
      res.end(JSON.stringify({ errors: [{ code: 'UNSUPPORTED', message: 'The operation is unsupported.' }] }));
    });
    const host = new URL(url).host;
    const err = await failure(ociCheckKind.run({ registry: host }, context().ctx));
    expect(err.message).toBe('push of blob failed: 405 UNSUPPORTED (The operation is unsupported.)');
    expect(seen).toEqual(['POST /v2/bootstrap/healthcheck/blobs/uploads/']);
  });

  it('reports a registry that is not running', async () => {
    const port = await freePort();
    const err = await failure(ociCheckKind.run({ registry: `127.0.0.1:${port}` }, context().ctx));
    expect(err.message).toBe(`push of blob failed: connection refused on 127.0.0.1:${port}`);
  });

  it('resolves relative and absolute upload locations, keeping their query', () => {
    const d = 'sha256:abc';
    expect(uploadUrl('http://localhost:5000', '/v2/r/blobs/uploads/u1?_state=xyz', d)).toBe('http://localhost:5000/v2/r/blobs/uploads/u1?_state=xyz&digest=sha256%3Aabc');
    expect(uploadUrl('http://localhost:5000', 'http://127.0.0.1:5000/v2/r/blobs/uploads/u1', d)).toBe('http://127.0.0.1:5000/v2/r/blobs/uploads/u1?digest=sha256%3Aabc');
  });
});
