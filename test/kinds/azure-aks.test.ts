/**
 * The `azure-aks` kind against the fake ARM (HTTPS on 127.0.0.1) with the real Azure SDKs and
 * a fake `az` on PATH (credential: 'cli').
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { randomUUID } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { Ajv } from 'ajv';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createAzureAksKind, type AksWith } from '../../tasks/azure-aks.js';
import { createTaskContext } from '../../tasks/context.js';
import { TaskError, type TaskContext } from '../../tasks/kind.js';
import { startFakeArm, testCaAgent, testCaPath, type FakeArm } from '../fakes/arm/index.js';

const TOKEN = `fake-arm-token-${randomUUID()}`;
const kind = createAzureAksKind({ clientOptions: { agent: testCaAgent() } });

let binDir: string;
let azLog: string;
const savedPath = process.env.PATH;

/** A fake `az` that answers `az account get-access-token` (AzureCliCredential's call). */
async function writeFakeAz(dir: string, mode: 'ok' | 'logged-out'): Promise<void> {
  const body =
    mode === 'ok'
      ? `printf '{"accessToken":"%s","expiresOn":"2099-01-01 00:00:00.000000","expires_on":4070908800,"subscription":"sub","tenant":"tenant","tokenType":"Bearer"}\\n' '${TOKEN}'`
      : `echo "ERROR: Please run 'az login' to setup account." >&2; exit 1`;
  await writeFile(
    join(dir, 'az'),
    `#!/bin/sh\necho "$@" >> '${azLog}'\ncase "$*" in\n  "account get-access-token"*) ${body} ;;\n  *) echo "fake az: unsupported: $*" >&2; exit 2 ;;\nesac\n`,
  );
  await chmod(join(dir, 'az'), 0o755);
}

beforeAll(async () => {
  binDir = await mkdtemp(join(tmpdir(), 'fake-az-'));
  azLog = join(binDir, 'az.log');
  await writeFakeAz(binDir, 'ok');
  process.env.PATH = `${binDir}${delimiter}${savedPath}`;
});

afterAll(async () => {
  process.env.PATH = savedPath;
  await rm(binDir, { recursive: true, force: true });
});

let arm: FakeArm;
let dir: string;
let kubeconfig: string;

beforeEach(async () => {
  arm = await startFakeArm();
  dir = await mkdtemp(join(tmpdir(), 'azure-aks-'));
  kubeconfig = join(dir, 'kube', 'config');
});

afterEach(async () => {
  await arm.stop();
  await rm(dir, { recursive: true, force: true });
});

/** A context recording everything the kind says, and its notes in order. */
function harness(signal?: AbortSignal) {
  const notes: Record<string, unknown> = {};
  const noteLog: Array<{ note: Record<string, unknown>; requestsBefore: number }> = [];
  const progress: string[] = [];
  const logs: string[] = [];
  const secrets: string[] = [];
  const ctx: TaskContext = createTaskContext({
    taskId: 'aks',
    playbookDir: dir,
    stateDir: dir,
    env: { ...process.env, AZURE_SUBSCRIPTION_ID: undefined, KUBECONFIG: undefined, AZURE_CLIENT_SECRET: undefined },
    signal,
    remember: async (note) => {
      noteLog.push({ note, requestsBefore: arm.requests.length });
      Object.assign(notes, note);
    },
    onProgress: (m) => progress.push(m),
    onLog: (l, m) => logs.push(`${l}: ${m}`),
    secret: (s) => secrets.push(s),
  });
  return { ctx, notes, noteLog, progress, logs, secrets };
}

function withFor(extra: Partial<AksWith> = {}): AksWith {
  return {
    subscriptionId: arm.subscriptionId,
    resourceGroup: 'rg-dev',
    name: 'pallet-aks',
    credential: 'cli',
    endpoint: arm.endpoint,
    pollIntervalMs: 5,
    kubeconfig,
    ...extra,
  };
}

const CLUSTER_PATH = /\/managedClusters\/pallet-aks$/i;
const RG_PATH = /\/resourcegroups\/rg-dev$/i;
const reqs = (method: string, path: RegExp) => arm.requests.filter((r) => r.method === method && path.test(r.path));
const indexOf = (method: string, path: RegExp) => arm.requests.findIndex((r) => r.method === method && path.test(r.path));

async function runError(p: Promise<unknown>): Promise<TaskError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(TaskError);
  return e as TaskError;
}

const existingKubeconfig = `apiVersion: v1
kind: Config
clusters:
- name: kind-dev
  cluster: { server: 'https://127.0.0.1:6443' }
users:
- name: kind-dev
  user: { token: kind-user-token }
contexts:
- name: kind-dev
  context: { cluster: kind-dev, user: kind-dev }
current-context: kind-dev
`;

describe('azure-aks create mode', () => {
  it('creates the resource group and the cluster, polls the LRO, merges the kubeconfig as its own context', async () => {
    await mkdir(join(dir, 'kube'));
    await writeFile(kubeconfig, existingKubeconfig, { mode: 0o644 });
    const h = harness();
    const result = await kind.run(withFor({ tags: { env: 'dev' } }), h.ctx);

    // Resource group and cluster exist in the fake with what was asked.
    expect(arm.state.getResourceGroup('rg-dev')?.tags).toEqual({ env: 'dev' });
    const cluster = arm.state.getCluster('rg-dev', 'pallet-aks')!;
    expect(cluster.provisioningState).toBe('Succeeded');
    expect(cluster.location).toBe('eastus');
    expect(cluster.dnsPrefix).toBe('pallet-aks');
    expect(cluster.networkPlugin).toBe('azure');
    expect(cluster.agentPools).toEqual([
      { name: 'system', count: 3, vmSize: 'Standard_DS2_v2', mode: 'System', osType: 'Linux', type: 'VirtualMachineScaleSets' },
    ]);

    // Notes were journalled before the corresponding PUTs were sent.
    const rgNote = h.noteLog.find((n) => n.note.createdResourceGroup === true)!;
    const clusterNote = h.noteLog.find((n) => n.note.createdCluster === true)!;
    expect(rgNote.requestsBefore).toBeLessThanOrEqual(indexOf('PUT', RG_PATH));
    expect(clusterNote.requestsBefore).toBeLessThanOrEqual(indexOf('PUT', CLUSTER_PATH));
    expect(h.notes).toMatchObject({ createdResourceGroup: true, createdCluster: true, kubeconfigPath: kubeconfig, mergedContext: 'pallet-aks' });

    // The LRO was polled through its InProgress answers (3 by default) to Succeeded.
    const opPolls = arm.requests.filter((r) => r.method === 'GET' && /\/operations\//.test(r.path));
    expect(opPolls).toHaveLength(arm.behaviour.createPolls + 1);
    expect(arm.requests.every((r) => r.apiVersion)).toBe(true);
    expect(h.progress.some((p) => /^creating AKS cluster pallet-aks in eastus: provisioningState Creating, \d+s elapsed$/.test(p))).toBe(true);

    // Kubeconfig: own context added, others untouched, current-context untouched, mode 0600.
    const kc = parse(await readFile(kubeconfig, 'utf8'));
    expect(kc['current-context']).toBe('kind-dev');
    expect(kc.contexts.map((c: { name: string }) => c.name)).toEqual(['kind-dev', 'pallet-aks']);
    expect(kc.contexts[1].context).toEqual({ cluster: 'pallet-aks', user: 'clusterUser_rg-dev_pallet-aks' });
    expect(kc.clusters[1].cluster.server).toBe(`https://${cluster.fqdn}:443`);
    expect(kc.users[0]).toEqual({ name: 'kind-dev', user: { token: 'kind-user-token' } });
    expect(kc.users[1].user.token).toBe(cluster.userToken);
    expect((await stat(kubeconfig)).mode & 0o777).toBe(0o600);
    expect(h.secrets).toContain(cluster.userToken);

    expect(result.outputs).toEqual({
      name: 'pallet-aks',
      resourceGroup: 'rg-dev',
      region: 'eastus',
      subscriptionId: arm.subscriptionId,
      kubeContext: 'pallet-aks',
      fqdn: cluster.fqdn,
      kubernetesVersion: cluster.kubernetesVersion,
      provisioningState: 'Succeeded',
      createdCluster: true,
      createdResourceGroup: true,
    });
    // The CLI credential asked az for a token for the configured ARM endpoint.
    expect(await readFile(azLog, 'utf8')).toContain(`account get-access-token --output json --resource ${arm.endpoint}`);
  });

  it('passes nodeCount, vmSize, kubernetesVersion, networkPlugin, region and contextName through', async () => {
    const h = harness();
    const r = await kind.run(
      withFor({ nodeCount: 1, vmSize: 'Standard_B2s', kubernetesVersion: '1.32.4', networkPlugin: 'kubenet', region: 'westus2', contextName: 'aks-dev' }),
      h.ctx,
    );
    const c = arm.state.getCluster('rg-dev', 'pallet-aks')!;
    expect(c.agentPools[0]).toMatchObject({ count: 1, vmSize: 'Standard_B2s' });
    expect([c.kubernetesVersion, c.networkPlugin, c.location]).toEqual(['1.32.4', 'kubenet', 'westus2']);
    expect(arm.state.getResourceGroup('rg-dev')?.location).toBe('westus2');
    expect(r.outputs).toMatchObject({ region: 'westus2', kubeContext: 'aks-dev', kubernetesVersion: '1.32.4' });
    // The file did not exist: it is created, and as it had no current-context, ours becomes it.
    const kc = parse(await readFile(kubeconfig, 'utf8'));
    expect(kc['current-context']).toBe('aks-dev');
    expect(kc.contexts.map((x: { name: string }) => x.name)).toEqual(['aks-dev']);
  });

  it('uses an existing resource group without noting it as created, and undo leaves it', async () => {
    arm.state.addResourceGroup('rg-dev', 'eastus');
    const h = harness();
    const r = await kind.run(withFor(), h.ctx);
    expect(r.outputs).toMatchObject({ createdResourceGroup: false, createdCluster: true });
    expect(h.notes.createdResourceGroup).toBeUndefined();
    expect(reqs('PUT', RG_PATH)).toHaveLength(0);

    await kind.undo!({ with: withFor(), outputs: r.outputs, state: h.notes, partial: false }, harness().ctx);
    expect(arm.state.getCluster('rg-dev', 'pallet-aks')).toBeUndefined();
    expect(arm.state.getResourceGroup('rg-dev')).toBeDefined();
    expect(reqs('DELETE', RG_PATH)).toHaveLength(0);
  });

  it('does nothing to an existing cluster in Succeeded (no PUT at all)', async () => {
    const seeded = arm.state.addCluster('rg-dev', 'pallet-aks', { kubernetesVersion: '1.31.9' });
    const h = harness();
    const r = await kind.run(withFor(), h.ctx);
    expect(arm.requests.filter((x) => x.method === 'PUT')).toEqual([]);
    expect(r.outputs).toMatchObject({ createdCluster: false, createdResourceGroup: false, fqdn: seeded.fqdn, kubernetesVersion: '1.31.9' });
    expect(h.notes.createdCluster).toBeUndefined();
    expect(r.summary).toMatch(/already exists/);
  });

  it('waits for an existing cluster still Creating (a resumed run) instead of creating it', async () => {
    arm.state.addCluster('rg-dev', 'pallet-aks', { provisioningState: 'Creating', settleAfterGets: 4 });
    const h = harness();
    const r = await kind.run(withFor(), h.ctx);
    expect(arm.requests.filter((x) => x.method === 'PUT')).toEqual([]);
    expect(reqs('GET', CLUSTER_PATH).length).toBeGreaterThanOrEqual(4);
    expect(h.progress.some((p) => /^waiting for AKS cluster pallet-aks: provisioningState Creating/.test(p))).toBe(true);
    expect(r.outputs).toMatchObject({ provisioningState: 'Succeeded', createdCluster: false });
  });

  it('fails clearly when the create operation ends Failed, having noted the cluster for undo', async () => {
    arm.setBehaviour({ createFailure: { code: 'QuotaExceeded', message: 'Operation could not be completed as it results in exceeding approved standardDSv2Family Cores quota.' } });
    const h = harness();
    const e = await runError(kind.run(withFor(), h.ctx));
    expect(e.message).toMatch(/VM size Standard_DS2_v2 is not available in region eastus \(QuotaExceeded\).*standardDSv2Family Cores quota/);
    expect(e.hint).toMatch(/vmSize/);
    expect(arm.state.getCluster('rg-dev', 'pallet-aks')?.provisioningState).toBe('Failed');
    expect(h.notes.createdCluster).toBe(true);
    expect(existsSync(kubeconfig)).toBe(false);
  });

  it('fails on an existing cluster in Failed without touching it', async () => {
    arm.state.addCluster('rg-dev', 'pallet-aks', { provisioningState: 'Failed' });
    const e = await runError(kind.run(withFor(), harness().ctx));
    expect(e.message).toBe('AKS cluster pallet-aks is in provisioning state Failed, not Succeeded');
    expect(e.hint).toMatch(/az aks show -g rg-dev -n pallet-aks/);
    expect(arm.requests.filter((x) => x.method !== 'GET')).toEqual([]);
  });

  it('passes InvalidParameter messages through', async () => {
    const e = await runError(kind.run(withFor({ kubernetesVersion: 'latest' }), harness().ctx));
    expect(e.message).toMatch(/InvalidParameter: The value of parameter orchestratorProfile.OrchestratorVersion 'latest' is invalid/);
  });

  it('maps 403 AuthorizationFailed to a hint about the Contributor role', async () => {
    arm.setBehaviour({ faults: [{ method: 'PUT', path: /managedClusters/i, status: 403, code: 'AuthorizationFailed' }] });
    const h = harness();
    const e = await runError(kind.run(withFor(), h.ctx));
    expect(e.message).toMatch(/^creating AKS cluster pallet-aks in eastus failed: the signed-in identity is not authorized \(AuthorizationFailed\)/);
    expect(e.hint).toContain(`Contributor (or Owner) role on subscription ${arm.subscriptionId}`);
    expect(e.permanent).toBe(true);
    // The resource group was created and noted; the cluster note was written too (the PUT was sent).
    expect(h.notes).toMatchObject({ createdResourceGroup: true, createdCluster: true });
    assertNoToken([e.message, e.hint, h.progress, h.logs]);
  });

  it('rides out a 429 with Retry-After (the SDK retries)', async () => {
    arm.setBehaviour({ faults: [{ method: 'GET', path: RG_PATH, status: 429, code: 'TooManyRequests', headers: { 'Retry-After': '1' }, times: 1 }] });
    const r = await kind.run(withFor(), harness().ctx);
    expect(r.outputs).toMatchObject({ createdResourceGroup: true });
    expect(reqs('GET', RG_PATH).map((x) => x.status)).toEqual([429, 404]);
  });
});

describe('azure-aks existing mode', () => {
  it('fails naming what was found when the cluster is missing', async () => {
    arm.state.addResourceGroup('rg-dev');
    const e = await runError(kind.run(withFor({ mode: 'existing' }), harness().ctx));
    expect(e.message).toBe(`AKS cluster pallet-aks not found in resource group rg-dev (subscription ${arm.subscriptionId})`);
  });

  it('fails when the cluster is not Succeeded', async () => {
    arm.state.addCluster('rg-dev', 'pallet-aks', { provisioningState: 'Updating' });
    const e = await runError(kind.run(withFor({ mode: 'existing' }), harness().ctx));
    expect(e.message).toBe('AKS cluster pallet-aks is in provisioning state Updating, not Succeeded');
  });

  it('merges the kubeconfig of a Succeeded cluster and creates nothing; undo only removes the entries it added', async () => {
    arm.state.addCluster('rg-dev', 'pallet-aks');
    await mkdir(join(dir, 'kube'));
    await writeFile(kubeconfig, existingKubeconfig);
    const h = harness();
    const r = await kind.run(withFor({ mode: 'existing' }), h.ctx);
    expect(arm.requests.filter((x) => x.method !== 'GET' && x.method !== 'POST')).toEqual([]);
    expect(r.outputs).toMatchObject({ createdCluster: false, createdResourceGroup: false });
    await kind.undo!({ with: withFor({ mode: 'existing' }), outputs: r.outputs, state: h.notes, partial: false }, harness().ctx);
    expect(arm.requests.filter((x) => x.method === 'DELETE')).toEqual([]);
    expect(parse(await readFile(kubeconfig, 'utf8'))).toEqual(parse(existingKubeconfig));
  });
});

describe('azure-aks undo', () => {
  it('deletes exactly what the run created, cluster before resource group, then the kubeconfig entries', async () => {
    arm.state.addResourceGroup('other-rg');
    await mkdir(join(dir, 'kube'));
    await writeFile(kubeconfig, existingKubeconfig);
    const h = harness();
    const r = await kind.run(withFor(), h.ctx);
    const before = arm.requests.length;
    await kind.undo!({ with: withFor(), outputs: r.outputs, state: h.notes, partial: false }, harness().ctx);

    const undoReqs = arm.requests.slice(before);
    const delCluster = undoReqs.findIndex((x) => x.method === 'DELETE' && CLUSTER_PATH.test(x.path));
    const delRg = undoReqs.findIndex((x) => x.method === 'DELETE' && RG_PATH.test(x.path));
    const lastClusterOpPoll = undoReqs.map((x) => /\/operations\//.test(x.path)).lastIndexOf(true);
    expect(delCluster).toBeGreaterThanOrEqual(0);
    expect(delRg).toBeGreaterThan(lastClusterOpPoll);
    expect(lastClusterOpPoll).toBeGreaterThan(delCluster);
    // The RG delete is a Location LRO: polled through its 202s to the end.
    expect(undoReqs.filter((x) => /\/operationresults\//.test(x.path)).map((x) => x.status)).toEqual([202, 202, 200]);
    expect(arm.state.getCluster('rg-dev', 'pallet-aks')).toBeUndefined();
    expect(arm.state.getResourceGroup('rg-dev')).toBeUndefined();
    expect(arm.state.getResourceGroup('other-rg')).toBeDefined();
    expect(parse(await readFile(kubeconfig, 'utf8'))).toEqual(parse(existingKubeconfig));
  });

  it('is idempotent: a second undo finds everything gone and succeeds', async () => {
    const h = harness();
    const r = await kind.run(withFor(), h.ctx);
    const input = { with: withFor(), outputs: r.outputs, state: h.notes, partial: false };
    await kind.undo!(input, harness().ctx);
    const before = arm.requests.length;
    const u = harness();
    await kind.undo!(input, u.ctx);
    expect(arm.requests.slice(before).map((x) => `${x.method} ${x.status}`)).toEqual(['DELETE 404', 'DELETE 404']);
    expect(u.logs).toEqual(expect.arrayContaining([expect.stringMatching(/already gone/)]));
  });

  it('after a run interrupted while polling, undo uses the notes and deletes the half-created cluster and the group', async () => {
    arm.setBehaviour({ createPolls: 1_000_000 });
    const ac = new AbortController();
    const h = harness(ac.signal);
    h.ctx.progress = (m) => {
      h.progress.push(m);
      ac.abort('interrupted');
    };
    // A long poll interval: only an abort that is honoured lets this test finish in time.
    const e = await runError(kind.run(withFor({ pollIntervalMs: 600_000 }), h.ctx));
    expect(e.message).toMatch(/^creating AKS cluster pallet-aks in eastus: interrupted/);
    expect(e.hint).toMatch(/bootstrap undo/);
    expect(arm.state.getCluster('rg-dev', 'pallet-aks')?.provisioningState).toBe('Creating');

    await kind.undo!({ with: withFor(), state: h.notes, partial: true }, harness().ctx);
    expect(arm.state.getCluster('rg-dev', 'pallet-aks')).toBeUndefined();
    expect(arm.state.getResourceGroup('rg-dev')).toBeUndefined();
  }, 30_000);

  it('after a partial run that only created the resource group, deletes only the group', async () => {
    arm.setBehaviour({ faults: [{ method: 'PUT', path: /managedClusters/i, status: 400, code: 'InvalidParameter', message: 'bad' }] });
    const h = harness();
    await runError(kind.run(withFor(), h.ctx));
    arm.setBehaviour({ faults: [] });
    const before = arm.requests.length;
    // Only the resource-group note: as if the run crashed right after creating the group.
    const state = { createdResourceGroup: true, subscriptionId: arm.subscriptionId, resourceGroup: 'rg-dev', endpoint: arm.endpoint };
    await kind.undo!({ with: withFor(), state, partial: true }, harness().ctx);
    expect(arm.requests.slice(before).filter((x) => x.method === 'DELETE').map((x) => x.path)).toEqual([
      `/subscriptions/${arm.subscriptionId}/resourcegroups/rg-dev`,
    ]);
    expect(arm.state.getResourceGroup('rg-dev')).toBeUndefined();
  });

  it('with nothing noted, touches nothing', async () => {
    arm.state.addCluster('rg-dev', 'pallet-aks');
    await kind.undo!({ with: withFor(), state: {}, partial: true }, harness().ctx);
    expect(arm.requests).toEqual([]);
    expect(arm.state.getCluster('rg-dev', 'pallet-aks')).toBeDefined();
  });
});

describe('azure-aks credentials and secrets', () => {
  it('maps a rejected token to "not logged in" and never shows the token', async () => {
    arm.setBehaviour({ acceptToken: () => false });
    const h = harness();
    const e = await runError(kind.run(withFor(), h.ctx));
    expect(e.message).toBe('not logged in to Azure: run `az login` or set AZURE_CLIENT_ID/AZURE_TENANT_ID/AZURE_CLIENT_SECRET');
    expect(e.hint).toMatch(/InvalidAuthenticationToken/);
    assertNoToken([e.message, e.hint, e.stack, h.progress, h.logs]);
  });

  it('maps a logged-out az to "not logged in"', async () => {
    const other = await mkdtemp(join(tmpdir(), 'fake-az-out-'));
    await writeFakeAz(other, 'logged-out');
    process.env.PATH = `${other}${delimiter}${savedPath}`;
    try {
      const e = await runError(kind.run(withFor(), harness().ctx));
      expect(e.message).toMatch(/^not logged in to Azure: run `az login`/);
      expect(e.permanent).toBe(true);
      expect(arm.requests).toEqual([]);
    } finally {
      process.env.PATH = `${binDir}${delimiter}${savedPath}`;
      await rm(other, { recursive: true, force: true });
    }
  });

  it("maps credential: 'environment' without AZURE_* variables to \"not logged in\"", async () => {
    const saved = { id: process.env.AZURE_CLIENT_ID, tenant: process.env.AZURE_TENANT_ID };
    delete process.env.AZURE_CLIENT_ID;
    delete process.env.AZURE_TENANT_ID;
    try {
      const e = await runError(kind.run(withFor({ credential: 'environment' }), harness().ctx));
      expect(e.message).toMatch(/^not logged in to Azure/);
    } finally {
      if (saved.id !== undefined) process.env.AZURE_CLIENT_ID = saved.id;
      if (saved.tenant !== undefined) process.env.AZURE_TENANT_ID = saved.tenant;
    }
  });

  it("maps credential: 'default' with nothing configured to \"not logged in\"", async () => {
    // No az/azd/pwsh on PATH, no AZURE_* variables; a managed identity token (on an Azure VM)
    // would be rejected by the fake, which accepts only the fake az token.
    arm.setBehaviour({ acceptToken: (t) => t === TOKEN });
    const empty = await mkdtemp(join(tmpdir(), 'empty-path-'));
    const saved = { id: process.env.AZURE_CLIENT_ID, tenant: process.env.AZURE_TENANT_ID, creds: process.env.AZURE_TOKEN_CREDENTIALS };
    delete process.env.AZURE_CLIENT_ID;
    delete process.env.AZURE_TENANT_ID;
    delete process.env.AZURE_TOKEN_CREDENTIALS;
    process.env.PATH = empty;
    try {
      const e = await runError(kind.run(withFor({ credential: 'default' }), harness().ctx));
      expect(e.message).toMatch(/^not logged in to Azure: run `az login`/);
    } finally {
      process.env.PATH = `${binDir}${delimiter}${savedPath}`;
      for (const [k, v] of [['AZURE_CLIENT_ID', saved.id], ['AZURE_TENANT_ID', saved.tenant], ['AZURE_TOKEN_CREDENTIALS', saved.creds]] as const) {
        if (v !== undefined) process.env[k] = v;
      }
      await rm(empty, { recursive: true, force: true });
    }
  });

  it('registers AZURE_CLIENT_SECRET as a secret and keeps the token out of outputs and messages', async () => {
    const h = harness();
    (h.ctx.env as Record<string, string | undefined>).AZURE_CLIENT_SECRET = 'client-secret-value';
    const r = await kind.run(withFor(), h.ctx);
    expect(h.secrets).toContain('client-secret-value');
    assertNoToken([JSON.stringify(r), h.progress, h.logs, JSON.stringify(h.notes)]);
  });

  it('requires a subscription id, from `with` or AZURE_SUBSCRIPTION_ID', async () => {
    const h = harness();
    const e = await runError(kind.run({ ...withFor(), subscriptionId: undefined }, h.ctx));
    expect(e.message).toBe('no Azure subscription id');
    (h.ctx.env as Record<string, string | undefined>).AZURE_SUBSCRIPTION_ID = arm.subscriptionId;
    const r = await kind.run({ ...withFor(), subscriptionId: undefined }, h.ctx);
    expect(r.outputs?.subscriptionId).toBe(arm.subscriptionId);
  });
});

describe('azure-aks schema and fake ARM', () => {
  it('schema accepts the documented `with` and rejects bad names and unknown fields', () => {
    const ajv = new Ajv({ strict: false });
    const validate = ajv.compile(kind.schema);
    const ok = { subscriptionId: randomUUID(), resourceGroup: 'rg_(dev)-1', name: 'pallet-dev', nodeCount: 3, credential: 'cli' };
    expect(validate(ok)).toBe(true);
    expect(validate({ ...ok, resourceGroup: 'rg.dev' })).toBe(false);
    expect(validate({ ...ok, name: 'Pallet' })).toBe(false);
    expect(validate({ ...ok, nodeCount: 101 })).toBe(false);
    expect(validate({ ...ok, networkPlugin: 'cilium' })).toBe(false);
    expect(validate({ ...ok, extra: 1 })).toBe(false);
    expect(kind.validate!({ ...ok, name: '-pallet' })).toHaveLength(1);
    expect(kind.validate!({ ...ok, name: '${{ vars.name }}' })).toEqual([]);
  });

  it('is reachable over HTTPS with NODE_EXTRA_CA_CERTS (the route CLI tests use) and demands a token', async () => {
    const script = `fetch(process.argv[1] + '/subscriptions/x/resourcegroups/y?api-version=2025-04-01').then(async r => console.log(r.status, (await r.json()).error.code), e => { console.log('ERR', e.cause?.code ?? e.message); })`;
    const out = await promisify(execFile)(process.execPath, ['-e', script, arm.endpoint], {
      env: { ...process.env, NODE_EXTRA_CA_CERTS: testCaPath },
    });
    expect(out.stdout.trim()).toBe('401 AuthenticationFailed');
  });
});

function assertNoToken(values: unknown[]): void {
  for (const v of values) expect(JSON.stringify(v) ?? '').not.toContain(TOKEN);
}
