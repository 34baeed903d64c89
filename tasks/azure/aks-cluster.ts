/**
 * Resource group and managed cluster operations of the `azure-aks` kind: observe, act only on
 * drift, and note what is about to be created (ctx.remember) before creating it. Deletes treat
 * "not found" as done.
 */
import type { ManagedCluster } from '@azure/arm-containerservice';
import { TaskError, type TaskContext } from '../kind.js';
import type { AksConfig } from './aks-config.js';
import type { ArmClients } from './arm-clients.js';
import { isAbort, isNotFound, toTaskError } from './arm-errors.js';
import { driveLro, waitFor, type PollerLike } from './lro.js';

/** Everything an operation needs. */
export interface AksOps {
  cfg: AksConfig;
  clients: ArmClients;
  ctx: TaskContext;
}

/** Provisioning states after which nothing more will happen on its own. */
const TERMINAL = new Set(['succeeded', 'failed', 'canceled']);

/** Runs `fn`, mapping whatever it throws to a TaskError about `action`. */
export async function step<T>(ops: AksOps, action: string, fn: () => Promise<T>, onAbort?: string): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (isAbort(e, ops.ctx.signal)) {
      const reason = typeof ops.ctx.signal.reason === 'string' ? ` (${ops.ctx.signal.reason})` : '';
      throw new TaskError(`${action}: interrupted${reason}`, onAbort);
    }
    throw toTaskError(e, { action, subscriptionId: ops.cfg.subscriptionId, region: ops.cfg.region, vmSize: ops.cfg.vmSize });
  }
}

/** The cluster, or undefined when it (or its resource group) does not exist. */
export async function getCluster(ops: AksOps): Promise<ManagedCluster | undefined> {
  const { cfg, clients, ctx } = ops;
  try {
    return await clients.aks.managedClusters.get(cfg.resourceGroup, cfg.name, { abortSignal: ctx.signal });
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

/** Creates the resource group when missing. Returns true when this call created it. */
export async function ensureResourceGroup(ops: AksOps): Promise<boolean> {
  const { cfg, clients, ctx } = ops;
  const rg = cfg.resourceGroup;
  return step(ops, `creating resource group ${rg}`, async () => {
    try {
      const existing = await clients.resources.resourceGroups.get(rg, { abortSignal: ctx.signal });
      ctx.log('info', `resource group ${rg} already exists in ${existing.location}`);
      return false;
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
    await ctx.remember({ createdResourceGroup: true, subscriptionId: cfg.subscriptionId, resourceGroup: rg, endpoint: cfg.endpoint });
    const tags = Object.keys(cfg.tags).length ? cfg.tags : undefined;
    await clients.resources.resourceGroups.createOrUpdate(rg, { location: cfg.region, tags }, { abortSignal: ctx.signal });
    ctx.log('info', `created resource group ${rg} in ${cfg.region}`);
    return true;
  });
}

/** dnsPrefix derived from the cluster name (1-54 letters, digits and hyphens, alphanumeric ends). */
export function dnsPrefixFor(name: string): string {
  const p = name.slice(0, 54).replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '');
  return p || 'aks';
}

/**
 * Create mode: creates the cluster when missing and waits for it; waits for a cluster still
 * being created or updated (a resumed run); fails on a cluster in Failed, Canceled or Deleting.
 */
export async function ensureCluster(ops: AksOps): Promise<{ cluster: ManagedCluster; created: boolean }> {
  const { cfg, clients, ctx } = ops;
  const label = `AKS cluster ${cfg.name} in ${cfg.region}`;
  const existing = await step(ops, `reading AKS cluster ${cfg.name}`, () => getCluster(ops));
  if (existing) {
    const cluster = await settle(ops, existing);
    if (existing.location && existing.location.toLowerCase() !== cfg.region.toLowerCase()) {
      ctx.log('warn', `AKS cluster ${cfg.name} already exists in ${existing.location}, not in ${cfg.region}; using it as it is`);
    }
    return { cluster: requireSucceeded(ops, cluster), created: false };
  }
  await ctx.remember({
    createdCluster: true,
    subscriptionId: cfg.subscriptionId,
    resourceGroup: cfg.resourceGroup,
    name: cfg.name,
    endpoint: cfg.endpoint,
  });
  const params: ManagedCluster = {
    location: cfg.region,
    tags: Object.keys(cfg.tags).length ? cfg.tags : undefined,
    identity: { type: 'SystemAssigned' },
    dnsPrefix: dnsPrefixFor(cfg.name),
    kubernetesVersion: cfg.kubernetesVersion,
    agentPoolProfiles: [
      { name: 'system', mode: 'System', count: cfg.nodeCount, vmSize: cfg.vmSize, osType: 'Linux', type: 'VirtualMachineScaleSets' },
    ],
    networkProfile: { networkPlugin: cfg.networkPlugin },
  };
  const onAbort = `the cluster keeps being created in Azure; \`bootstrap undo\` deletes it, \`bootstrap run --resume\` waits for it`;
  const result = await step(
    ops,
    `creating ${label}`,
    async () => {
      const poller = await clients.aks.managedClusters.beginCreateOrUpdate(cfg.resourceGroup, cfg.name, params, {
        abortSignal: ctx.signal,
      });
      return driveLro(poller as PollerLike<ManagedCluster>, {
        ctx,
        intervalMs: cfg.pollIntervalMs,
        describe: async (elapsed) => `creating ${label}: provisioningState ${await observedState(ops)}, ${elapsed} elapsed`,
      });
    },
    onAbort,
  );
  const cluster = result ?? (await step(ops, `reading AKS cluster ${cfg.name}`, () => getCluster(ops)));
  if (!cluster) throw new TaskError(`creating ${label}: the operation succeeded but the cluster cannot be found`);
  return { cluster: requireSucceeded(ops, cluster), created: true };
}

/** Existing mode: the cluster must exist in provisioning state Succeeded. */
export async function requireExistingCluster(ops: AksOps): Promise<ManagedCluster> {
  const { cfg } = ops;
  const cluster = await step(ops, `reading AKS cluster ${cfg.name}`, () => getCluster(ops));
  if (!cluster) {
    throw new TaskError(
      `AKS cluster ${cfg.name} not found in resource group ${cfg.resourceGroup} (subscription ${cfg.subscriptionId})`,
      'check `name`, `resourceGroup` and `subscriptionId` (`az aks list -o table`), or use `mode: create`',
      true,
    );
  }
  return requireSucceeded(ops, cluster);
}

function requireSucceeded(ops: AksOps, cluster: ManagedCluster): ManagedCluster {
  const { cfg } = ops;
  const state = cluster.provisioningState ?? 'unknown';
  if (state.toLowerCase() === 'succeeded') {
    if (cluster.powerState?.code === 'Stopped') {
      ops.ctx.log('warn', `AKS cluster ${cfg.name} is stopped: start it with \`az aks start -g ${cfg.resourceGroup} -n ${cfg.name}\``);
    }
    return cluster;
  }
  const hint =
    state.toLowerCase() === 'deleting'
      ? 'wait for the deletion to finish, then run again'
      : `inspect it with \`az aks show -g ${cfg.resourceGroup} -n ${cfg.name}\`; fix it (\`az aks update\`) or delete it (\`az aks delete\`), then run again`;
  throw new TaskError(`AKS cluster ${cfg.name} is in provisioning state ${state}, not Succeeded`, hint, true);
}

/** Waits while the cluster is in a non-terminal state (Creating, Updating...), except Deleting. */
async function settle(ops: AksOps, cluster: ManagedCluster): Promise<ManagedCluster> {
  const { cfg, ctx } = ops;
  const state = (cluster.provisioningState ?? '').toLowerCase();
  if (TERMINAL.has(state) || state === 'deleting' || state === '') return cluster;
  ctx.log('info', `AKS cluster ${cfg.name} is ${cluster.provisioningState}: waiting for it`);
  let last = cluster;
  return step(
    ops,
    `waiting for AKS cluster ${cfg.name}`,
    () =>
      waitFor(
        async () => {
          const c = await getCluster(ops);
          if (!c) throw new TaskError(`AKS cluster ${cfg.name} disappeared while it was ${last.provisioningState}`);
          last = c;
          const s = (c.provisioningState ?? '').toLowerCase();
          return TERMINAL.has(s) || s === 'deleting' ? c : undefined;
        },
        {
          ctx,
          intervalMs: cfg.pollIntervalMs,
          describe: (elapsed) => `waiting for AKS cluster ${cfg.name}: provisioningState ${last.provisioningState}, ${elapsed} elapsed`,
        },
      ),
    'the cluster keeps changing in Azure; run again to keep waiting',
  );
}

/** The cluster's provisioning state for progress lines; never throws. */
async function observedState(ops: AksOps): Promise<string> {
  try {
    return (await getCluster(ops))?.provisioningState ?? 'NotFound';
  } catch {
    return 'unknown';
  }
}

/** The cluster user kubeconfig (listClusterUserCredential), as YAML text. */
export async function fetchUserKubeconfig(ops: AksOps): Promise<string> {
  const { cfg, clients, ctx } = ops;
  return step(ops, `fetching user credentials of AKS cluster ${cfg.name}`, async () => {
    const res = await clients.aks.managedClusters.listClusterUserCredentials(cfg.resourceGroup, cfg.name, { abortSignal: ctx.signal });
    const first = res.kubeconfigs?.find((k) => k.value && k.value.length > 0);
    if (!first?.value) throw new TaskError(`AKS returned no kubeconfig for cluster ${cfg.name}`);
    return Buffer.from(first.value).toString('utf8');
  });
}

/** Deletes the cluster and waits until it is gone; a missing cluster is already done. */
export async function deleteCluster(ops: AksOps): Promise<'deleted' | 'absent'> {
  const { cfg, clients, ctx } = ops;
  return step(ops, `deleting AKS cluster ${cfg.name}`, async () => {
    try {
      const poller = await clients.aks.managedClusters.beginDelete(cfg.resourceGroup, cfg.name, { abortSignal: ctx.signal });
      await driveLro(poller as PollerLike<void>, {
        ctx,
        intervalMs: cfg.pollIntervalMs,
        describe: (elapsed) => `deleting AKS cluster ${cfg.name}: ${elapsed} elapsed`,
      });
      return 'deleted';
    } catch (e) {
      if (isNotFound(e)) return 'absent';
      throw e;
    }
  });
}

/** Deletes the resource group (and everything in it) and waits; a missing group is already done. */
export async function deleteResourceGroup(ops: AksOps): Promise<'deleted' | 'absent'> {
  const { cfg, clients, ctx } = ops;
  return step(ops, `deleting resource group ${cfg.resourceGroup}`, async () => {
    try {
      const poller = await clients.resources.resourceGroups.beginDelete(cfg.resourceGroup, { abortSignal: ctx.signal });
      await driveLro(poller as PollerLike<void>, {
        ctx,
        intervalMs: cfg.pollIntervalMs,
        describe: (elapsed) => `deleting resource group ${cfg.resourceGroup}: ${elapsed} elapsed`,
      });
      return 'deleted';
    } catch (e) {
      if (isNotFound(e)) return 'absent';
      throw e;
    }
  });
}
