/**
 * The in-memory world of the fake Azure Resource Manager: resource groups, managed clusters
 * and long-running operations. Names are case-insensitive, as in Azure.
 */
import { randomBytes, randomUUID } from 'node:crypto';

export interface ArmErrorBody {
  code: string;
  message: string;
}

export interface ResourceGroupRecord {
  name: string;
  location: string;
  tags?: Record<string, string>;
  provisioningState: 'Succeeded' | 'Deleting';
}

export interface AgentPoolRecord {
  name: string;
  count: number;
  vmSize: string;
  mode: string;
  osType: string;
  type: string;
}

export interface ClusterRecord {
  resourceGroup: string;
  name: string;
  location: string;
  tags?: Record<string, string>;
  provisioningState: string;
  kubernetesVersion: string;
  dnsPrefix: string;
  fqdn: string;
  networkPlugin: string;
  agentPools: AgentPoolRecord[];
  principalId: string;
  /** The token of the cluster user in the kubeconfig listClusterUserCredential returns. */
  userToken: string;
  /**
   * For clusters seeded in a non-terminal state (no operation polled for them): after this
   * many GETs of the cluster it moves to {@link settleTo}.
   */
  settleAfterGets?: number;
  settleTo?: string;
  /** Set when a create ends Failed. */
  error?: ArmErrorBody;
}

export type OperationKind = 'cluster-create' | 'cluster-delete' | 'rg-delete';

export interface OperationRecord {
  id: string;
  kind: OperationKind;
  resourceGroup: string;
  /** Cluster name for cluster operations. */
  name?: string;
  location: string;
  /** InProgress (or 202) answers left before the operation ends. */
  remaining: number;
  status: 'InProgress' | 'Succeeded' | 'Failed';
  /** The error a failing operation ends with. */
  failWith?: ArmErrorBody;
  startTime: string;
  endTime?: string;
}

const key = (...parts: string[]) => parts.map((p) => p.toLowerCase()).join('/');

/** The fake's world. Tests seed it and read it; the server mutates it. */
export class FakeArmState {
  readonly resourceGroups = new Map<string, ResourceGroupRecord>();
  readonly clusters = new Map<string, ClusterRecord>();
  readonly operations = new Map<string, OperationRecord>();

  constructor(readonly subscriptionId: string, readonly tenantId: string = randomUUID()) {}

  getResourceGroup(name: string): ResourceGroupRecord | undefined {
    return this.resourceGroups.get(key(name));
  }

  /** Seeds (or replaces) a resource group. */
  addResourceGroup(name: string, location = 'eastus', tags?: Record<string, string>): ResourceGroupRecord {
    const rg: ResourceGroupRecord = { name, location, tags, provisioningState: 'Succeeded' };
    this.resourceGroups.set(key(name), rg);
    return rg;
  }

  deleteResourceGroup(name: string): void {
    this.resourceGroups.delete(key(name));
    for (const [k, c] of this.clusters) if (c.resourceGroup.toLowerCase() === name.toLowerCase()) this.clusters.delete(k);
  }

  getCluster(resourceGroup: string, name: string): ClusterRecord | undefined {
    return this.clusters.get(key(resourceGroup, name));
  }

  /** Seeds a cluster (its resource group is created too when missing). */
  addCluster(
    resourceGroup: string,
    name: string,
    opts: Partial<Omit<ClusterRecord, 'resourceGroup' | 'name'>> = {},
  ): ClusterRecord {
    const location = opts.location ?? this.getResourceGroup(resourceGroup)?.location ?? 'eastus';
    if (!this.getResourceGroup(resourceGroup)) this.addResourceGroup(resourceGroup, location);
    const dnsPrefix = opts.dnsPrefix ?? name;
    const cluster: ClusterRecord = {
      resourceGroup,
      name,
      location,
      provisioningState: 'Succeeded',
      kubernetesVersion: '1.33.3',
      dnsPrefix,
      fqdn: `${dnsPrefix}-${randomBytes(4).toString('hex')}.hcp.${location}.azmk8s.io`,
      networkPlugin: 'azure',
      agentPools: [{ name: 'system', count: 3, vmSize: 'Standard_DS2_v2', mode: 'System', osType: 'Linux', type: 'VirtualMachineScaleSets' }],
      principalId: randomUUID(),
      userToken: randomBytes(32).toString('hex'),
      ...opts,
    };
    this.clusters.set(key(resourceGroup, name), cluster);
    return cluster;
  }

  removeCluster(resourceGroup: string, name: string): void {
    this.clusters.delete(key(resourceGroup, name));
  }

  /** Starts a long-running operation. */
  startOperation(o: Omit<OperationRecord, 'id' | 'status' | 'startTime'>): OperationRecord {
    const op: OperationRecord = { ...o, id: randomUUID(), status: 'InProgress', startTime: new Date().toISOString() };
    this.operations.set(op.id, op);
    return op;
  }

  /**
   * One poll of an operation: while answers remain it stays InProgress; then it ends and
   * its effect is applied (cluster Succeeded/Failed or removed, resource group removed).
   */
  advance(op: OperationRecord): OperationRecord {
    if (op.status !== 'InProgress') return op;
    if (op.remaining > 0) {
      op.remaining--;
      return op;
    }
    op.endTime = new Date().toISOString();
    op.status = op.failWith ? 'Failed' : 'Succeeded';
    const cluster = op.name ? this.getCluster(op.resourceGroup, op.name) : undefined;
    switch (op.kind) {
      case 'cluster-create':
        if (cluster) {
          cluster.provisioningState = op.failWith ? 'Failed' : 'Succeeded';
          cluster.error = op.failWith;
        }
        break;
      case 'cluster-delete':
        if (op.name) this.removeCluster(op.resourceGroup, op.name);
        break;
      case 'rg-delete':
        this.deleteResourceGroup(op.resourceGroup);
        break;
    }
    return op;
  }

  /** A GET of a seeded non-terminal cluster moves it toward its settled state. */
  observeCluster(cluster: ClusterRecord): void {
    if (cluster.settleAfterGets === undefined) return;
    if (cluster.settleAfterGets > 0) cluster.settleAfterGets--;
    if (cluster.settleAfterGets === 0) {
      cluster.provisioningState = cluster.settleTo ?? 'Succeeded';
      cluster.settleAfterGets = undefined;
    }
  }
}
