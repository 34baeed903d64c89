/**
 * The fake API server itself: response shapes as the real API returns them, REST semantics,
 * the admin API over HTTP, plain-HTTP mode, and real clients (client-node, kubectl) against it.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { kubectlBinary } from '../../support/helm.js';
import { kalypsoCrds, startFakeApiServer, type FakeApiServer } from './index.js';

const run = promisify(execFile);
let api: FakeApiServer;

/** A raw request with the server's token (TLS verified against its CA). */
async function call(method: string, p: string, body?: unknown, contentType = 'application/json'): Promise<{ status: number; json: any; text: string; type: string | null }> {
  const https = await import('node:https');
  return new Promise((resolve, reject) => {
    const req = https.request(
      `${api.url}${p}`,
      { method, ca: api.ca, headers: { Authorization: 'Bearer t0k', ...(body !== undefined ? { 'Content-Type': contentType } : {}) } },
      (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => {
          let json: any;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, json, text, type: res.headers['content-type'] ?? null });
        });
      },
    );
    req.on('error', reject);
    if (body !== undefined) req.write(typeof body === 'string' ? body : JSON.stringify(body));
    req.end();
  });
}

const deployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'registry', namespace: 'pallet' },
  spec: { replicas: 2, selector: { matchLabels: { app: 'registry' } }, template: { metadata: { labels: { app: 'registry' } }, spec: { containers: [{ name: 'registry', image: 'registry:2.8.3' }] } } },
};

beforeEach(async () => {
  api = await startFakeApiServer({ token: 't0k' });
  api.state.seed({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'pallet' } });
});
afterEach(() => api.stop());

describe('shapes', () => {
  it('serves discovery documents', async () => {
    const root = await call('GET', '/api');
    expect(root.json).toMatchObject({ kind: 'APIVersions', versions: ['v1'] });
    const core = await call('GET', '/api/v1');
    expect(core.json).toMatchObject({ kind: 'APIResourceList', apiVersion: 'v1', groupVersion: 'v1' });
    const ns = core.json.resources.find((r: any) => r.name === 'namespaces');
    expect(ns).toMatchObject({ name: 'namespaces', singularName: 'namespace', namespaced: false, kind: 'Namespace', shortNames: ['ns'] });
    expect(core.json.resources.find((r: any) => r.name === 'pods/status')).toMatchObject({ kind: 'Pod', namespaced: true });
    const groups = await call('GET', '/apis');
    expect(groups.json.kind).toBe('APIGroupList');
    expect(groups.json.groups.find((g: any) => g.name === 'apps')).toEqual({ kind: 'APIGroup', apiVersion: 'v1', name: 'apps', versions: [{ groupVersion: 'apps/v1', version: 'v1' }], preferredVersion: { groupVersion: 'apps/v1', version: 'v1' } });
    expect((await call('GET', '/apis/nope.example.com/v1')).status).toBe(404);
  });

  it('returns objects with apiVersion, kind and server metadata, and lists with typed items', async () => {
    const created = await call('POST', '/apis/apps/v1/namespaces/pallet/deployments', deployment);
    expect(created.status).toBe(201);
    expect(created.type).toBe('application/json');
    expect(created.json).toMatchObject({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'registry', namespace: 'pallet', generation: 1 } });
    expect(created.json.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.json.metadata.resourceVersion).toMatch(/^\d+$/);
    expect(created.json.metadata.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const list = await call('GET', '/api/v1/namespaces/pallet/pods?labelSelector=app%3Dregistry');
    expect(list.json).toMatchObject({ kind: 'PodList', apiVersion: 'v1', metadata: { resourceVersion: expect.stringMatching(/^\d+$/) } });
    expect(list.json.items).toHaveLength(2);
    expect(list.json.items[0].apiVersion).toBeUndefined(); // built-in list items carry no apiVersion/kind
    expect(list.json.items[0].metadata.ownerReferences[0]).toMatchObject({ kind: 'ReplicaSet', controller: true });
    expect(list.json.items[0].status).toMatchObject({ phase: 'Running', conditions: expect.arrayContaining([expect.objectContaining({ type: 'Ready', status: 'True' })]) });
    expect((await call('GET', '/api/v1/namespaces/pallet/pods?labelSelector=app%3Dother')).json.items).toEqual([]);
    expect((await call('GET', '/api/v1/pods')).json.items.length).toBe(2); // across namespaces
  });

  it('answers errors with Status objects', async () => {
    const nf = await call('GET', '/apis/apps/v1/namespaces/pallet/deployments/nope');
    expect(nf.status).toBe(404);
    expect(nf.json).toEqual({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'deployments.apps "nope" not found', reason: 'NotFound', details: { name: 'nope', group: 'apps', kind: 'deployments' }, code: 404 });
    const dup = await call('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'pallet' } });
    expect(dup.json).toMatchObject({ kind: 'Status', reason: 'AlreadyExists', code: 409, message: 'namespaces "pallet" already exists' });
    const noNs = await call('POST', '/api/v1/namespaces/ghost/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } });
    expect(noNs.json).toMatchObject({ reason: 'NotFound', code: 404, message: 'namespaces "ghost" not found' });
    const bad = await call('POST', '/apis/apps/v1/namespaces/pallet/deployments', { ...deployment, spec: { ...deployment.spec, selector: { matchLabels: { app: 'x' } } } });
    expect(bad.json).toMatchObject({ reason: 'Invalid', code: 422 });
    const api2 = await fetch(`${api.url.replace('https', 'http')}/api`).catch(() => undefined);
    expect(api2).toBeUndefined(); // TLS only
    const unauth = await new Promise<number>(async (resolve) => {
      const https = await import('node:https');
      https.get(`${api.url}/api/v1/namespaces`, { ca: api.ca }, (res) => resolve(res.statusCode ?? 0));
    });
    expect(unauth).toBe(401);
  });

  it('applies merge, strategic-merge and JSON patches, and checks resourceVersion on update', async () => {
    await call('POST', '/api/v1/namespaces/pallet/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', labels: { a: '1' } }, data: { x: '1', y: '2' } });
    const m = await call('PATCH', '/api/v1/namespaces/pallet/configmaps/c', { data: { x: null, z: '3' } }, 'application/merge-patch+json');
    expect(m.json.data).toEqual({ y: '2', z: '3' });
    const s = await call('PATCH', '/api/v1/namespaces/pallet/configmaps/c', { metadata: { labels: { b: '2' } } }, 'application/strategic-merge-patch+json');
    expect(s.json.metadata.labels).toEqual({ a: '1', b: '2' });
    const j = await call('PATCH', '/api/v1/namespaces/pallet/configmaps/c', [{ op: 'replace', path: '/data/y', value: 'Y' }], 'application/json-patch+json');
    expect(j.json.data.y).toBe('Y');
    expect(Number(j.json.metadata.resourceVersion)).toBeGreaterThan(Number(m.json.metadata.resourceVersion));
    const stale = await call('PUT', '/api/v1/namespaces/pallet/configmaps/c', { ...j.json, metadata: { ...j.json.metadata, resourceVersion: m.json.metadata.resourceVersion } });
    expect(stale.json).toMatchObject({ reason: 'Conflict', code: 409 });
    expect((await call('PATCH', '/api/v1/namespaces/pallet/configmaps/c', {}, 'text/plain')).status).toBe(415);
  });

  it('deletes namespaces through Terminating, and refuses new content meanwhile', async () => {
    await call('POST', '/api/v1/namespaces/pallet/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } });
    const del = await call('DELETE', '/api/v1/namespaces/pallet');
    expect(del.json).toMatchObject({ kind: 'Namespace', metadata: { name: 'pallet', deletionTimestamp: expect.any(String) }, status: { phase: 'Terminating' } });
    expect((await call('DELETE', '/api/v1/namespaces/pallet')).json).toMatchObject({ reason: 'Conflict', code: 409 });
    expect((await call('POST', '/api/v1/namespaces/pallet/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'd' } })).json).toMatchObject({ reason: 'Forbidden', code: 403 });
    expect((await call('GET', '/api/v1/namespaces/pallet')).json.status.phase).toBe('Terminating');
    expect((await call('GET', '/api/v1/namespaces/pallet')).status).toBe(404);
    expect((await call('GET', '/api/v1/namespaces/pallet/configmaps/c')).status).toBe(404);
    const depDel = await call('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'x' } });
    expect(depDel.status).toBe(201);
    await call('POST', '/api/v1/namespaces/x/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } });
    expect((await call('DELETE', '/api/v1/namespaces/x/configmaps/c')).json).toMatchObject({ kind: 'Status', status: 'Success', details: { name: 'c', kind: 'configmaps' } });
  });

  it('registers CRDs in discovery once Established and serves their objects', async () => {
    for (const crd of kalypsoCrds()) expect((await call('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd)).status).toBe(201);
    const res = await call('GET', '/apis/scheduler.kalypso.io/v1alpha1');
    expect(res.json.resources.map((r: any) => r.name)).toContain('workloads');
    const crd = await call('GET', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/workloads.scheduler.kalypso.io');
    expect(crd.json.status.conditions.find((c: any) => c.type === 'Established')).toMatchObject({ status: 'True' });
    const w = await call('POST', '/apis/scheduler.kalypso.io/v1alpha1/namespaces/pallet/workloads', { apiVersion: 'scheduler.kalypso.io/v1alpha1', kind: 'Workload', metadata: { name: 'w' }, spec: {}, status: { ignored: true } });
    expect(w.json.status).toBeUndefined(); // status subresource: status is not settable on create
    const list = await call('GET', '/apis/scheduler.kalypso.io/v1alpha1/namespaces/pallet/workloads');
    expect(list.json).toMatchObject({ kind: 'WorkloadList', items: [{ apiVersion: 'scheduler.kalypso.io/v1alpha1', kind: 'Workload' }] });
    const st = await call('PATCH', '/apis/scheduler.kalypso.io/v1alpha1/namespaces/pallet/workloads/w/status', { status: { ok: true } }, 'application/merge-patch+json');
    expect(st.json.status).toEqual({ ok: true });
  });
});

describe('admin API over HTTP', () => {
  it('seeds objects, sets behaviours and reports requests', async () => {
    const admin = (method: string, p: string, body?: unknown) => call(method, `/_fake${p}`, body);
    expect((await admin('POST', '/objects', { items: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'seeded', namespace: 'pallet' } }] })).status).toBe(201);
    expect((await admin('GET', '/objects?kind=ConfigMap&namespace=pallet')).json.items.map((o: any) => o.metadata.name)).toEqual(['seeded']);
    await admin('POST', '/behaviours', { kind: 'Deployment', name: 'registry', afterReads: 1 });
    await call('POST', '/apis/apps/v1/namespaces/pallet/deployments', deployment);
    expect((await call('GET', '/apis/apps/v1/namespaces/pallet/deployments/registry')).json.status.readyReplicas).toBeUndefined();
    expect((await call('GET', '/apis/apps/v1/namespaces/pallet/deployments/registry')).json.status.readyReplicas).toBe(2);
    const reqs = (await admin('GET', '/requests')).json.items;
    expect(reqs.map((r: any) => `${r.method} ${r.path} ${r.status}`)).toEqual([
      'POST /apis/apps/v1/namespaces/pallet/deployments 201',
      'GET /apis/apps/v1/namespaces/pallet/deployments/registry 200',
      'GET /apis/apps/v1/namespaces/pallet/deployments/registry 200',
    ]);
    await admin('POST', '/forbid', { verb: 'list', resource: 'pods' });
    expect((await call('GET', '/api/v1/namespaces/pallet/pods')).json).toMatchObject({ reason: 'Forbidden', code: 403 });
    await admin('POST', '/reset');
    expect((await call('GET', '/api/v1/namespaces/pallet')).status).toBe(404);
  });
});

describe('real clients', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'fake-apiserver-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('works with client-node over plain http (insecure-skip-tls-verify)', async () => {
    const plain = await startFakeApiServer({ tls: false });
    try {
      const k8s = await import('@kubernetes/client-node');
      const kc = new k8s.KubeConfig();
      kc.loadFromString(plain.kubeconfig('plain'));
      const core = kc.makeApiClient(k8s.CoreV1Api);
      const list = await core.listNamespace();
      expect(list.items.map((n) => n.metadata?.name)).toEqual(['default', 'kube-node-lease', 'kube-public', 'kube-system']);
      expect(plain.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    } finally {
      await plain.stop();
    }
  });

  it('works with kubectl 1.35 (get, create, delete)', async () => {
    const kubectl = await kubectlBinary();
    const cfg = path.join(dir, 'config');
    await writeFile(cfg, api.kubeconfig('fake'));
    const k = (...args: string[]) => run(kubectl, ['--kubeconfig', cfg, ...args], { env: { PATH: process.env.PATH, HOME: dir } });
    expect((await k('get', 'namespaces', '-o', 'name')).stdout.split('\n')).toContain('namespace/pallet');
    await writeFile(path.join(dir, 'd.json'), JSON.stringify(deployment));
    expect((await k('create', '-f', path.join(dir, 'd.json'), '--validate=false')).stdout).toContain('deployment.apps/registry created');
    const got = JSON.parse((await k('get', 'deployment', 'registry', '-n', 'pallet', '-o', 'json')).stdout);
    expect(got.status.readyReplicas).toBe(2);
    expect((await k('get', 'pods', '-n', 'pallet', '-l', 'app=registry', '-o', 'name')).stdout.trim().split('\n')).toHaveLength(2);
    expect((await k('delete', 'namespace', 'pallet', '--wait=false')).stdout).toContain('namespace "pallet" deleted');
  });
});
