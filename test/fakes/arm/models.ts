/**
 * JSON shapes of the fake ARM, as Azure returns them (api-versions 2025-04-01 for resource
 * groups, 2025-10-01 for managed clusters).
 */
import type { ClusterRecord, FakeArmState, OperationRecord, ResourceGroupRecord } from './state.js';

export function resourceGroupId(sub: string, rg: string): string {
  return `/subscriptions/${sub}/resourceGroups/${rg}`;
}

export function clusterId(sub: string, rg: string, name: string): string {
  return `${resourceGroupId(sub, rg)}/providers/Microsoft.ContainerService/managedClusters/${name}`;
}

export function renderResourceGroup(state: FakeArmState, rg: ResourceGroupRecord): Record<string, unknown> {
  return {
    id: resourceGroupId(state.subscriptionId, rg.name),
    name: rg.name,
    type: 'Microsoft.Resources/resourceGroups',
    location: rg.location,
    ...(rg.tags ? { tags: rg.tags } : {}),
    properties: { provisioningState: rg.provisioningState },
  };
}

export function renderCluster(state: FakeArmState, c: ClusterRecord): Record<string, unknown> {
  const running = c.provisioningState !== 'Failed';
  return {
    id: clusterId(state.subscriptionId, c.resourceGroup, c.name),
    location: c.location,
    name: c.name,
    type: 'Microsoft.ContainerService/ManagedClusters',
    ...(c.tags ? { tags: c.tags } : {}),
    sku: { name: 'Base', tier: 'Free' },
    identity: { type: 'SystemAssigned', principalId: c.principalId, tenantId: state.tenantId },
    properties: {
      provisioningState: c.provisioningState,
      powerState: { code: running ? 'Running' : 'Stopped' },
      kubernetesVersion: c.kubernetesVersion,
      currentKubernetesVersion: c.kubernetesVersion,
      dnsPrefix: c.dnsPrefix,
      fqdn: c.fqdn,
      azurePortalFQDN: c.fqdn.replace('.hcp.', '.portal.hcp.'),
      agentPoolProfiles: c.agentPools.map((p) => ({
        ...p,
        osDiskSizeGB: 128,
        maxPods: c.networkPlugin === 'azure' ? 30 : 110,
        provisioningState: c.provisioningState,
        powerState: { code: 'Running' },
        orchestratorVersion: c.kubernetesVersion,
        currentOrchestratorVersion: c.kubernetesVersion,
      })),
      nodeResourceGroup: `MC_${c.resourceGroup}_${c.name}_${c.location}`,
      enableRBAC: true,
      supportPlan: 'KubernetesOfficial',
      networkProfile: {
        networkPlugin: c.networkPlugin,
        loadBalancerSku: 'standard',
        serviceCidr: '10.0.0.0/16',
        dnsServiceIP: '10.0.0.10',
        outboundType: 'loadBalancer',
        ...(c.networkPlugin === 'kubenet' ? { podCidr: '10.244.0.0/16' } : {}),
      },
      maxAgentPools: 100,
    },
  };
}

/** The Azure-AsyncOperation status resource. */
export function renderOperation(op: OperationRecord): Record<string, unknown> {
  return {
    name: op.id,
    status: op.status,
    startTime: op.startTime,
    ...(op.endTime ? { endTime: op.endTime } : {}),
    ...(op.status === 'Failed' && op.failWith ? { error: { code: op.failWith.code, message: op.failWith.message } } : {}),
  };
}

/** The cluster user kubeconfig AKS returns (YAML text, before base64). */
export function userKubeconfig(c: ClusterRecord): string {
  const user = `clusterUser_${c.resourceGroup}_${c.name}`;
  const ca = Buffer.from(`fake CA for ${c.name}`).toString('base64');
  return [
    'apiVersion: v1',
    'clusters:',
    '- cluster:',
    `    certificate-authority-data: ${ca}`,
    `    server: https://${c.fqdn}:443`,
    `  name: ${c.name}`,
    'contexts:',
    '- context:',
    `    cluster: ${c.name}`,
    `    user: ${user}`,
    `  name: ${c.name}`,
    `current-context: ${c.name}`,
    'kind: Config',
    'preferences: {}',
    'users:',
    `- name: ${user}`,
    '  user:',
    `    token: ${c.userToken}`,
    '',
  ].join('\n');
}

export function armError(code: string, message: string): { error: { code: string; message: string } } {
  return { error: { code, message } };
}
