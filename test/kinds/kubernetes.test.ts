/**
 * The `kubernetes` kind against the fake API server, through the real @kubernetes/client-node
 * (HTTPS with a CA in the kubeconfig, bearer token auth).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { createTaskContext } from '../../tasks/context.js';
import type { Clock, KindResult, TaskContext } from '../../tasks/kind.js';
import { TaskError } from '../../tasks/kind.js';
import { kubernetesKind, type KubernetesWith } from '../../tasks/kubernetes.js';
import { KALYPSO_GROUP, KALYPSO_PLURALS, kalypsoCrds, startFakeApiServer, type FakeApiServer } from '../fakes/kube-apiserver/index.js';

/** A clock whose sleeps return at once (advancing time), and reject when the signal fires. */
function fakeClock(): Clock & { sleeps: number[] } {
  let t = 1_000_000;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => t,
    sleep: (ms, signal) =>
      new Promise<void>((resolve, reject) => {
        if (signal?.aborted) return reject(Object.assign(new Error('aborted'), { name: 'AbortError' }));
        sleeps.push(ms);
        t += ms;
        setImmediate(resolve);
      }),
  };
}

interface Harness {
  ctx: TaskContext;
  notes: Array<Record<string, unknown>>;
  merged: Record<string, unknown>;
  progress: string[];
  logs: string[];
  clock: Clock & { sleeps: number[] };
}

let api: FakeApiServer;
let dir: string;
let kubeconfigPath: string;

function harness(opts: { remembered?: Record<string, unknown>; signal?: AbortSignal; onProgress?: (m: string) => void; clock?: Clock & { sleeps: number[] }; onRemember?: () => void } = {}): Harness {
  const h = { notes: [], merged: { ...(opts.remembered ?? {}) }, progress: [], logs: [], clock: opts.clock ?? fakeClock() } as unknown as Harness;
  h.ctx = createTaskContext({
    taskId: 'k8s',
    playbookDir: dir,
    stateDir: dir,
    env: { HOME: dir, KUBECONFIG: kubeconfigPath, PATH: process.env.PATH },
    clock: h.clock,
    signal: opts.signal,
    remembered: opts.remembered,
    remember: async (note) => {
      opts.onRemember?.();
      h.notes.push(structuredClone(note));
      Object.assign(h.merged, structuredClone(note));
    },
    onProgress: (m) => {
      h.progress.push(m);
      opts.onProgress?.(m);
    },
    onLog: (level, m) => h.logs.push(`${level}: ${m}`),
  });
  return h;
}

/** Undo as the engine would: the run's `undo` merged over the remembered notes. */
async function undo(w: KubernetesWith, result: KindResult | undefined, h: Harness): Promise<void> {
  await kubernetesKind.undo!({ with: w, state: { ...h.merged, ...(result?.undo ?? {}) }, partial: !result }, harness().ctx);
}

const deployment = (name: string, ns?: string) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, ...(ns ? { namespace: ns } : {}), labels: { app: name } },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name, image: 'registry:2.8.3', ports: [{ containerPort: 5000 }] }] } },
  },
});

const peek = (apiVersion: string, kind: string, ns: string | undefined, name: string) => api.state.peek(api.state.typeOf(apiVersion, kind)!, ns, name);
const writes = () => api.state.requests.filter((r) => r.method !== 'GET');

beforeEach(async () => {
  api = await startFakeApiServer({ token: 'test-token' });
  dir = await mkdtemp(path.join(os.tmpdir(), 'k8s-kind-'));
  kubeconfigPath = path.join(dir, 'kubeconfig');
  await writeFile(kubeconfigPath, api.kubeconfig('kind-pallet-dev'));
});

afterEach(async () => {
  await api.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('namespace', () => {
  it('creates a missing namespace, remembering it before the create, and undo deletes it', async () => {
    let postsAtFirstNote = -1;
    const h = harness({
      onRemember: () => {
        if (postsAtFirstNote < 0) postsAtFirstNote = api.state.requests.filter((r) => r.method === 'POST' && r.path === '/api/v1/namespaces').length;
      },
    });
    const w: KubernetesWith = { namespace: 'pallet' };
    const result = await kubernetesKind.run(w, h.ctx);
    expect(postsAtFirstNote).toBe(0);
    expect(h.notes[0]).toMatchObject({ created: ['v1/Namespace/pallet'], createdNamespace: true });
    expect(result.outputs).toMatchObject({ namespace: 'pallet', created: ['v1/Namespace/pallet'] });
    expect(result.undo).toMatchObject({ created: ['v1/Namespace/pallet'] });
    expect(peek('v1', 'Namespace', undefined, 'pallet')?.status.phase).toBe('Active');

    await undo(w, result, h);
    expect(peek('v1', 'Namespace', undefined, 'pallet')).toBeUndefined();
    // it went through Terminating: at least one read saw it after the DELETE
    const afterDelete = api.state.requests.slice(api.state.requests.findIndex((r) => r.method === 'DELETE'));
    expect(afterDelete.filter((r) => r.method === 'GET' && r.path === '/api/v1/namespaces/pallet').map((r) => r.status)).toEqual([200, 404]);
  });

  it('leaves a namespace that existed before untouched, run and undo', async () => {
    api.state.seed({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'pallet' } });
    const h = harness();
    const w: KubernetesWith = { namespace: 'pallet' };
    const result = await kubernetesKind.run(w, h.ctx);
    expect(result.undo).toBeNull();
    expect(result.outputs?.created).toEqual([]);
    await undo(w, result, h);
    expect(writes()).toEqual([]);
    expect(peek('v1', 'Namespace', undefined, 'pallet')?.status.phase).toBe('Active');
  });

  it('is satisfied only once the namespace exists, without writing anything', async () => {
    const w: KubernetesWith = { namespace: 'pallet' };
    expect(await kubernetesKind.satisfied!(w, harness().ctx)).toBe(false);
    await kubernetesKind.run(w, harness().ctx);
    api.state.requests.length = 0;
    expect(await kubernetesKind.satisfied!(w, harness().ctx)).toBe(true);
    expect(writes()).toEqual([]);
  });
});

describe('manifests', () => {
  it('creates what is absent, patches what drifted, leaves the rest, and converges on a second run', async () => {
    api.state.seed({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'pallet' } });
    api.state.seed({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'same', namespace: 'pallet' }, data: { a: '1' } });
    api.state.seed({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'drifted', namespace: 'pallet' }, data: { a: 'old' } });
    await writeFile(
      path.join(dir, 'registry.yaml'),
      [stringify(deployment('registry')), stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'registry' }, spec: { type: 'NodePort', selector: { app: 'registry' }, ports: [{ port: 5000, nodePort: 30500 }] } }), ''].join('---\n'),
    );
    const w: KubernetesWith = {
      namespace: 'pallet',
      manifests: [
        'registry.yaml',
        'apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: registry-data\nspec:\n  accessModes: [ReadWriteOnce]\n  resources:\n    requests:\n      storage: 1Gi\n',
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'same' }, data: { a: '1' } },
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'drifted' }, data: { a: 'new' } },
      ],
    };
    const h = harness();
    const result = await kubernetesKind.run(w, h.ctx);
    expect(result.outputs?.created).toEqual(['apps/v1/Deployment/pallet/registry', 'v1/Service/pallet/registry', 'v1/PersistentVolumeClaim/pallet/registry-data']);
    expect(result.outputs?.updated).toEqual(['v1/ConfigMap/pallet/drifted']);
    expect(peek('v1', 'ConfigMap', 'pallet', 'drifted')?.data).toEqual({ a: 'new' });
    expect(peek('v1', 'Service', 'pallet', 'registry')?.spec.ports[0].nodePort).toBe(30500);
    expect(api.state.requests.filter((r) => r.method === 'PATCH').map((r) => r.path)).toEqual(['/api/v1/namespaces/pallet/configmaps/drifted']);

    api.state.requests.length = 0;
    const again = await kubernetesKind.run(w, harness({ remembered: h.merged }).ctx);
    expect(writes()).toEqual([]);
    expect(again.outputs?.created).toEqual(result.outputs?.created);

    await undo(w, result, h);
    expect(peek('apps/v1', 'Deployment', 'pallet', 'registry')).toBeUndefined();
    expect(peek('v1', 'PersistentVolumeClaim', 'pallet', 'registry-data')).toBeUndefined();
    expect(peek('v1', 'ConfigMap', 'pallet', 'drifted')).toBeDefined();
    expect(peek('v1', 'Namespace', undefined, 'pallet')).toBeDefined();
  });

  it('reports a bad manifest file and an unknown kind clearly', async () => {
    await expect(kubernetesKind.run({ manifests: ['missing.yaml'] }, harness().ctx)).rejects.toThrow(/manifests\[0\]: cannot read .*missing\.yaml/);
    const err = await kubernetesKind.run({ manifests: [{ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } }] }, harness().ctx).catch((e) => e);
    expect(err).toBeInstanceOf(TaskError);
    expect(err.message).toContain('does not serve example.com/v1 Widget');
  });

  it('keeps an object remembered by an interrupted earlier attempt as its own', async () => {
    const w: KubernetesWith = { manifests: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg' }, data: { a: '1' } }] };
    // the earlier attempt remembered the create, then crashed after the POST
    api.state.seed({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'default' }, data: { a: '1' } });
    const h = harness({ remembered: { created: ['v1/ConfigMap/default/cfg'] } });
    const result = await kubernetesKind.run(w, h.ctx);
    expect(result.outputs?.created).toEqual(['v1/ConfigMap/default/cfg']);
    await undo(w, result, h);
    expect(peek('v1', 'ConfigMap', 'default', 'cfg')).toBeUndefined();
  });
});

describe('waits', () => {
  it('waits for a Deployment to become Available, with progress and observed replicas', async () => {
    // each poll reads the Deployment and lists its pods: two reads per poll, so two polls see it unready
    api.state.behaviours.push({ kind: 'Deployment', afterReads: 4 });
    const h = harness();
    const w: KubernetesWith = { namespace: 'pallet', manifests: [deployment('registry')], wait: [{ kind: 'Deployment', name: 'registry', condition: 'Available' }] };
    const result = await kubernetesKind.run(w, h.ctx);
    expect(h.progress.filter((m) => m.startsWith('waiting for'))).toEqual([
      'waiting for Deployment pallet/registry Available: 0/1 ready (ContainerCreating)... 0s',
      'waiting for Deployment pallet/registry Available: 0/1 ready (ContainerCreating)... 1s',
    ]);
    expect(h.clock.sleeps).toEqual([1000, 1500]);
    expect((result.outputs?.observed as Record<string, any>)['Deployment pallet/registry Available']).toMatchObject({ readyReplicas: 1, availableReplicas: 1, conditions: { Available: 'True' } });
  });

  it('waits for pods chosen by a label selector to be Ready', async () => {
    api.state.behaviours.push({ kind: 'Deployment', afterReads: 2 });
    const h = harness();
    const w: KubernetesWith = { namespace: 'pallet', manifests: [deployment('registry')], wait: [{ kind: 'Pod', selector: 'app=registry', condition: 'Ready' }] };
    const result = await kubernetesKind.run(w, h.ctx);
    const observed = (result.outputs?.observed as Record<string, any>)['Pod pallet/(app=registry) Ready'];
    expect(observed).toMatchObject({ matched: 1, satisfied: 1, phase: 'Running' });
    expect(h.progress.some((m) => m.includes('0/1 Ready (ContainerCreating)'))).toBe(true);
  });

  it('times out with the waiting reason of the pods (ImagePullBackOff)', async () => {
    api.state.behaviours.push({ kind: 'Deployment', name: 'registry', failWith: { reason: 'ImagePullBackOff' } });
    const w: KubernetesWith = { namespace: 'pallet', manifests: [deployment('registry')], wait: [{ kind: 'Deployment', name: 'registry', condition: 'Available', timeout: '10s' }] };
    const err = await kubernetesKind.run(w, harness().ctx).catch((e) => e);
    expect(err).toBeInstanceOf(TaskError);
    expect(err.message).toMatch(/^timed out after 10s waiting for Deployment pallet\/registry Available: /);
    expect(err.message).toContain('0/1 ready');
    expect(err.message).toMatch(/Pod pallet\/registry-[a-z0-9]+-[a-z0-9]+: phase Pending; container registry waiting: ImagePullBackOff \(Back-off pulling image "registry:2.8.3"\)/);
    expect(err.message).toContain('Available=False MinimumReplicasUnavailable');
  });

  it('applies the 12 Kalypso CRDs and an object of one of them, and waits for all to be Established', async () => {
    const names = Object.keys(KALYPSO_PLURALS).map((p) => `${p}.${KALYPSO_GROUP}`);
    api.state.behaviours.push({ kind: 'CustomResourceDefinition', afterReads: 1 });
    const env = { apiVersion: `${KALYPSO_GROUP}/v1alpha1`, kind: 'Environment', metadata: { name: 'dev' }, spec: { controlPlane: { repo: 'x' } } };
    const w: KubernetesWith = { namespace: 'kalypso-system', manifests: [...kalypsoCrds(), env], wait: [{ kind: 'CustomResourceDefinition', names, condition: 'Established' }] };
    const result = await kubernetesKind.run(w, harness().ctx);
    expect(result.outputs?.created).toHaveLength(1 + 12 + 1);
    expect(result.outputs?.created).toContain(`${KALYPSO_GROUP}/v1alpha1/Environment/kalypso-system/dev`);
    expect((result.outputs?.observed as Record<string, any>)['CustomResourceDefinition (12 names) Established']).toMatchObject({ matched: 12, satisfied: 12 });
    expect(api.state.catalog.byKind(`${KALYPSO_GROUP}/v1alpha1`, 'Workload')).toBeDefined();
  });

  it('fails a wait for an unknown kind without apiVersion at validation', () => {
    expect(kubernetesKind.validate!({ wait: [{ kind: 'Workload', condition: 'exists' }] })).toEqual([{ path: ['wait', 0, 'apiVersion'], message: 'apiVersion is required for kind Workload' }]);
    expect(kubernetesKind.validate!({ wait: [{ kind: 'Deployment', name: 'x', condition: 'Available' }] })).toEqual([]);
  });

  it('stops a wait promptly when the signal fires', async () => {
    api.state.behaviours.push({ kind: 'Deployment', never: true });
    const ac = new AbortController();
    const clock = fakeClock();
    // this clock's sleep only ends when aborted: the run can only finish through the signal
    clock.sleep = (_ms, signal) =>
      new Promise((_resolve, reject) => {
        if (signal?.aborted) return reject(Object.assign(new Error('aborted'), { name: 'AbortError' }));
        signal?.addEventListener('abort', () => reject(Object.assign(new Error('aborted'), { name: 'AbortError' })), { once: true });
      });
    const h = harness({ signal: ac.signal, clock, onProgress: (m) => m.startsWith('waiting for') && ac.abort() });
    const w: KubernetesWith = { namespace: 'pallet', manifests: [deployment('registry')], wait: [{ kind: 'Deployment', name: 'registry', condition: 'Available' }] };
    const err = await kubernetesKind.run(w, h.ctx).catch((e) => e);
    expect(err.name).toBe('AbortError');
    expect(err.message).toContain('waiting for Deployment pallet/registry Available');
    expect(h.progress.filter((m) => m.startsWith('waiting for'))).toHaveLength(1);
  });
});

describe('probe', () => {
  beforeEach(() => {
    for (const crd of kalypsoCrds()) api.state.seed(crd);
    api.state.seed({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kalypso-system' } });
  });
  const probe = { apiVersion: `${KALYPSO_GROUP}/v1alpha1`, kind: 'Workload', manifest: { metadata: { name: 'bootstrap-probe' }, spec: { deploymentTargets: [] } }, until: { path: 'status.conditions' } };

  it('creates a test Workload, sees it reconciled, then deletes it', async () => {
    const conditions = [{ type: 'Ready', status: 'True', reason: 'Reconciled' }];
    api.state.behaviours.push({ kind: 'Workload', afterReads: 2, status: { conditions } });
    const h = harness();
    const result = await kubernetesKind.run({ namespace: 'kalypso-system', probe }, h.ctx);
    expect((result.outputs?.observed as Record<string, any>).probe).toEqual({ path: 'status.conditions', value: conditions, deleted: true });
    expect(peek(`${KALYPSO_GROUP}/v1alpha1`, 'Workload', 'kalypso-system', 'bootstrap-probe')).toBeUndefined();
    expect(result.outputs?.created).toEqual([]);
    expect(result.undo).toBeNull();
    // it was remembered while it existed
    expect(h.notes.some((n) => (n.created as string[]).includes(`${KALYPSO_GROUP}/v1alpha1/Workload/kalypso-system/bootstrap-probe`))).toBe(true);
    expect(api.state.requests.filter((r) => r.method === 'GET' && r.path.endsWith('/workloads/bootstrap-probe')).length).toBeGreaterThanOrEqual(3);
  });

  it('fails with the last status when nothing reconciles it, and cleans up', async () => {
    const err = await kubernetesKind.run({ namespace: 'kalypso-system', probe: { ...probe, timeout: '20s' } }, harness().ctx).catch((e) => e);
    expect(err).toBeInstanceOf(TaskError);
    expect(err.message).toMatch(/timed out after 20s waiting for Workload kalypso-system\/bootstrap-probe to be reconciled \(status.conditions\): last seen status: nothing/);
    expect(err.hint).toContain('controller for Workload');
    expect(peek(`${KALYPSO_GROUP}/v1alpha1`, 'Workload', 'kalypso-system', 'bootstrap-probe')).toBeUndefined();
  });
});

describe('connection, auth and context', () => {
  it('reports an unreachable cluster clearly', async () => {
    const dead = await startFakeApiServer();
    await writeFile(kubeconfigPath, dead.kubeconfig('dead'));
    const url = dead.url;
    await dead.stop();
    const err = await kubernetesKind.run({ namespace: 'pallet' }, harness().ctx).catch((e) => e);
    expect(err).toBeInstanceOf(TaskError);
    expect(err.message).toBe(`cannot reach the cluster at ${url} (context "dead"): is the cluster running?`);
    expect(await kubernetesKind.satisfied!({ namespace: 'pallet' }, harness().ctx)).toBe(false);
  });

  it('uses the requested context without changing the kubeconfig file', async () => {
    const dead = await startFakeApiServer();
    const deadCfg = parse(dead.kubeconfig('dead'));
    await dead.stop();
    const cfg = parse(api.kubeconfig('fake'));
    for (const k of ['clusters', 'contexts', 'users']) cfg[k].push(...deadCfg[k]);
    cfg['current-context'] = 'dead';
    await writeFile(kubeconfigPath, stringify(cfg));
    const before = await readFile(kubeconfigPath);
    const result = await kubernetesKind.run({ context: 'fake', namespace: 'pallet' }, harness().ctx);
    expect(result.outputs?.created).toEqual(['v1/Namespace/pallet']);
    expect((await readFile(kubeconfigPath)).equals(before)).toBe(true);
    const err = await kubernetesKind.run({ context: 'nope' }, harness().ctx).catch((e) => e);
    expect(err.message).toContain('kubeconfig context "nope" not found');
    expect(err.hint).toBe('available contexts: fake, dead');
  });

  it('maps 401 and 403 to "not authorized" naming the context', async () => {
    await writeFile(kubeconfigPath, api.kubeconfig('kind-pallet-dev', { token: 'wrong' }));
    const e401 = await kubernetesKind.run({ namespace: 'pallet' }, harness().ctx).catch((e) => e);
    expect(e401.message).toMatch(/^not authorized: check your kubeconfig context "kind-pallet-dev"/);
    expect(e401.permanent).toBe(true);

    await writeFile(kubeconfigPath, api.kubeconfig('kind-pallet-dev'));
    api.state.forbidden.push({ verb: 'create', resource: 'namespaces' });
    const e403 = await kubernetesKind.run({ namespace: 'pallet' }, harness().ctx).catch((e) => e);
    expect(e403.message).toBe('not authorized: check your kubeconfig context "kind-pallet-dev": namespaces is forbidden: User "fake-user" cannot create resource "namespaces" in API group "" at the cluster scope');
  });
});

describe('undo', () => {
  it('is idempotent: a second undo finds everything gone and succeeds', async () => {
    const h = harness();
    const w: KubernetesWith = { namespace: 'pallet', manifests: [deployment('registry'), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } }] };
    const result = await kubernetesKind.run(w, h.ctx);
    await undo(w, result, h);
    const firstDeletes = api.state.requests.filter((r) => r.method === 'DELETE').map((r) => `${r.path} ${r.status}`);
    // reverse order, namespace last
    expect(firstDeletes).toEqual(['/api/v1/namespaces/pallet/configmaps/c 200', '/apis/apps/v1/namespaces/pallet/deployments/registry 200', '/api/v1/namespaces/pallet 200']);
    api.state.requests.length = 0;
    await undo(w, result, h);
    expect(api.state.requests.filter((r) => r.method === 'DELETE').map((r) => r.status)).toEqual([404, 404, 404]);
  });

  it('never deletes a same-named object that replaced the one it created', async () => {
    const h = harness();
    const w: KubernetesWith = { manifests: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { v: 'ours' } }] };
    const result = await kubernetesKind.run(w, h.ctx);
    const t = api.state.typeOf('v1', 'ConfigMap')!;
    api.state.drop(t, 'default', 'c');
    api.state.seed({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'default' }, data: { v: 'theirs' } });
    await undo(w, result, h);
    expect(peek('v1', 'ConfigMap', 'default', 'c')?.data).toEqual({ v: 'theirs' });
  });

  it('does nothing when deleteOnUndo is false', async () => {
    const h = harness();
    const w: KubernetesWith = { namespace: 'pallet', deleteOnUndo: false };
    const result = await kubernetesKind.run(w, h.ctx);
    await undo(w, result, h);
    expect(peek('v1', 'Namespace', undefined, 'pallet')).toBeDefined();
  });
});
