/**
 * Request handling of the fake ARM: resource groups, managed clusters, user credentials and
 * long-running operation status/result resources. Paths are case-insensitive, as in ARM.
 */
import type { ArmBehaviour } from './server.js';
import { armError, renderCluster, renderOperation, renderResourceGroup, userKubeconfig } from './models.js';
import type { FakeArmState, OperationRecord } from './state.js';

export interface RouteInput {
  state: FakeArmState;
  behaviour: ArmBehaviour;
  endpoint: string;
  method: string;
  path: string;
  body: unknown;
}

export interface RouteOutput {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

const SUB = '^/subscriptions/([^/]+)';
const RG = `${SUB}/resourcegroups/([^/]+)`;
const MC = `${RG}/providers/microsoft\\.containerservice/managedclusters/([^/]+)`;
const routes = {
  resourceGroup: new RegExp(`${RG}$`, 'i'),
  cluster: new RegExp(`${MC}$`, 'i'),
  userCredential: new RegExp(`${MC}/listclusterusercredential$`, 'i'),
  aksOperation: new RegExp(`${SUB}/providers/microsoft\\.containerservice/locations/([^/]+)/operations/([^/]+)$`, 'i'),
  aksOperationResult: new RegExp(`${SUB}/providers/microsoft\\.containerservice/locations/([^/]+)/operationresults/([^/]+)$`, 'i'),
  rgOperationResult: new RegExp(`${SUB}/operationresults/([^/]+)$`, 'i'),
};

const AKS_OPERATION_API = '2016-03-30';
const RG_API = '2025-04-01';

/** Routes one authenticated request with an api-version. */
export function handleRoute(input: RouteInput): RouteOutput {
  const { state, method, path } = input;
  for (const [name, re] of Object.entries(routes)) {
    const m = re.exec(path);
    if (!m) continue;
    const [sub, ...rest] = m.slice(1).map((s) => decodeURIComponent(s));
    if (sub.toLowerCase() !== state.subscriptionId.toLowerCase()) {
      return { status: 404, body: armError('SubscriptionNotFound', `The subscription '${sub}' could not be found.`) };
    }
    switch (name) {
      case 'resourceGroup':
        return resourceGroup(input, rest[0]);
      case 'cluster':
        return cluster(input, rest[0], rest[1]);
      case 'userCredential':
        return method === 'POST' ? userCredential(input, rest[0], rest[1]) : methodNotAllowed(method);
      case 'aksOperation':
        return method === 'GET' ? aksOperation(input, rest[1]) : methodNotAllowed(method);
      case 'aksOperationResult':
        return method === 'GET' ? operationResult(input, rest[1]) : methodNotAllowed(method);
      case 'rgOperationResult':
        return method === 'GET' ? operationResult(input, rest[0]) : methodNotAllowed(method);
    }
  }
  return { status: 404, body: armError('NotFound', `No HTTP resource was found that matches the request URI '${path}'.`) };
}

function methodNotAllowed(method: string): RouteOutput {
  return { status: 405, body: armError('MethodNotAllowed', `The requested resource does not support http method '${method}'.`) };
}

function rgNotFound(rg: string): RouteOutput {
  return { status: 404, body: armError('ResourceGroupNotFound', `Resource group '${rg}' could not be found.`) };
}

function resourceGroup(input: RouteInput, name: string): RouteOutput {
  const { state, behaviour, endpoint, method, body } = input;
  const rg = state.getResourceGroup(name);
  switch (method) {
    case 'GET':
      return rg ? { status: 200, body: renderResourceGroup(state, rg) } : rgNotFound(name);
    case 'HEAD':
      return { status: rg ? 204 : 404 };
    case 'PUT': {
      const b = (body ?? {}) as { location?: unknown; tags?: Record<string, string> };
      if (typeof b.location !== 'string' || !b.location) {
        return { status: 400, body: armError('LocationRequired', 'The location property is required for this definition.') };
      }
      if (!/^[-\w._()]{1,90}$/.test(name) || name.endsWith('.')) {
        return { status: 400, body: armError('InvalidResourceGroup', `The provided resource group name '${name}' has these invalid characters.`) };
      }
      if (rg?.provisioningState === 'Deleting') {
        return { status: 409, body: armError('ResourceGroupBeingDeleted', `The resource group '${name}' is in deprovisioning state and cannot perform this operation.`) };
      }
      if (rg) {
        if (rg.location.toLowerCase() !== b.location.toLowerCase()) {
          return { status: 409, body: armError('InvalidResourceGroupLocation', `Invalid resource group location '${b.location}'. The Resource group already exists in location '${rg.location}'.`) };
        }
        rg.tags = b.tags ?? rg.tags;
        return { status: 200, body: renderResourceGroup(state, rg) };
      }
      const created = state.addResourceGroup(name, b.location, b.tags);
      return { status: 201, body: renderResourceGroup(state, created) };
    }
    case 'DELETE': {
      if (!rg) return rgNotFound(name);
      rg.provisioningState = 'Deleting';
      const op = state.startOperation({ kind: 'rg-delete', resourceGroup: rg.name, location: rg.location, remaining: behaviour.rgDeletePolls });
      return {
        status: 202,
        headers: { Location: `${endpoint}/subscriptions/${state.subscriptionId}/operationresults/${op.id}?api-version=${RG_API}`, 'Retry-After': String(behaviour.retryAfterSeconds) },
      };
    }
    default:
      return methodNotAllowed(method);
  }
}

function operationHeaders(input: RouteInput, op: OperationRecord): Record<string, string> {
  const base = `${input.endpoint}/subscriptions/${input.state.subscriptionId}/providers/Microsoft.ContainerService/locations/${op.location}`;
  return {
    'Azure-AsyncOperation': `${base}/operations/${op.id}?api-version=${AKS_OPERATION_API}`,
    Location: `${base}/operationresults/${op.id}?api-version=${AKS_OPERATION_API}`,
    'Retry-After': String(input.behaviour.retryAfterSeconds),
  };
}

function cluster(input: RouteInput, rgName: string, name: string): RouteOutput {
  const { state, behaviour, method } = input;
  const rg = state.getResourceGroup(rgName);
  if (!rg) return rgNotFound(rgName);
  const c = state.getCluster(rgName, name);
  const notFound = {
    status: 404,
    body: armError('ResourceNotFound', `The Resource 'Microsoft.ContainerService/managedClusters/${name}' under resource group '${rgName}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`),
  };
  switch (method) {
    case 'GET':
      if (!c) return notFound;
      state.observeCluster(c);
      return { status: 200, body: renderCluster(state, c) };
    case 'PUT': {
      if (rg.provisioningState === 'Deleting') {
        return { status: 409, body: armError('ResourceGroupBeingDeleted', `The resource group '${rgName}' is in deprovisioning state and cannot perform this operation.`) };
      }
      const invalid = validateCluster(input.body);
      if (invalid) return { status: 400, body: armError('InvalidParameter', invalid) };
      const b = input.body as ClusterBody;
      const p = b.properties;
      if (c && !['Succeeded', 'Failed', 'Canceled'].includes(c.provisioningState)) {
        return { status: 409, body: armError('OperationNotAllowed', `Operation is not allowed because there's an in progress operation on managed cluster '${name}' (provisioningState ${c.provisioningState}). Please try again later.`) };
      }
      const record =
        c ??
        state.addCluster(rg.name, name, {
          location: b.location,
          dnsPrefix: p.dnsPrefix,
          provisioningState: 'Creating',
        });
      record.tags = b.tags ?? record.tags;
      record.networkPlugin = p.networkProfile?.networkPlugin ?? record.networkPlugin;
      record.kubernetesVersion = p.kubernetesVersion ?? record.kubernetesVersion;
      record.agentPools = p.agentPoolProfiles.map((a) => ({
        name: a.name,
        count: a.count ?? 1,
        vmSize: a.vmSize ?? 'Standard_DS2_v2',
        mode: a.mode ?? 'User',
        osType: a.osType ?? 'Linux',
        type: a.type ?? 'VirtualMachineScaleSets',
      }));
      record.provisioningState = c ? 'Updating' : 'Creating';
      const op = state.startOperation({
        kind: 'cluster-create',
        resourceGroup: rg.name,
        name: record.name,
        location: record.location,
        remaining: behaviour.createPolls,
        failWith: behaviour.createFailure,
      });
      return { status: c ? 200 : 201, headers: { 'Azure-AsyncOperation': operationHeaders(input, op)['Azure-AsyncOperation'] }, body: renderCluster(state, record) };
    }
    case 'DELETE': {
      if (!c) return { status: 204 };
      c.provisioningState = 'Deleting';
      const op = state.startOperation({ kind: 'cluster-delete', resourceGroup: rg.name, name: c.name, location: c.location, remaining: behaviour.deletePolls });
      return { status: 202, headers: operationHeaders(input, op) };
    }
    default:
      return methodNotAllowed(method);
  }
}

interface ClusterBody {
  location: string;
  tags?: Record<string, string>;
  identity?: { type?: string };
  properties: {
    dnsPrefix: string;
    kubernetesVersion?: string;
    agentPoolProfiles: Array<{ name: string; count?: number; vmSize?: string; mode?: string; osType?: string; type?: string }>;
    networkProfile?: { networkPlugin?: string };
    servicePrincipalProfile?: unknown;
  };
}

function validateCluster(body: unknown): string | undefined {
  const b = body as Partial<ClusterBody> | undefined;
  if (!b || typeof b !== 'object') return 'The request content was invalid and could not be deserialized.';
  if (typeof b.location !== 'string' || !b.location) return "Required parameter 'location' is missing (null).";
  const p = b.properties;
  if (!p || typeof p !== 'object') return "Required parameter 'properties' is missing (null).";
  if (typeof p.dnsPrefix !== 'string' || !/^[a-zA-Z0-9]([a-zA-Z0-9-]{0,52}[a-zA-Z0-9])?$/.test(p.dnsPrefix)) {
    return `The value of parameter dnsPrefix '${String(p.dnsPrefix)}' is invalid. It must be 1-54 characters, contain only letters, numbers and hyphens, and start and end with a letter or number.`;
  }
  if (!b.identity?.type && !p.servicePrincipalProfile) return 'Either identity or servicePrincipalProfile must be set.';
  if (!Array.isArray(p.agentPoolProfiles) || p.agentPoolProfiles.length === 0) return "Required parameter 'agentPoolProfiles' is missing (null).";
  for (const a of p.agentPoolProfiles) {
    if (!/^[a-z][a-z0-9]{0,11}$/.test(a.name ?? '')) return `The agent pool name '${a.name}' is invalid: it must start with a lowercase letter and contain only lowercase letters and numbers (at most 12).`;
    if (a.count !== undefined && (!Number.isInteger(a.count) || a.count < 0 || a.count > 1000)) return `The value of parameter agentPoolProfile.count '${a.count}' is invalid.`;
  }
  if (!p.agentPoolProfiles.some((a) => a.mode === 'System')) return 'Managed cluster must have at least one System agent pool.';
  if (p.kubernetesVersion !== undefined && !/^\d+\.\d+(\.\d+)?$/.test(p.kubernetesVersion)) {
    return `The value of parameter orchestratorProfile.OrchestratorVersion '${p.kubernetesVersion}' is invalid.`;
  }
  const plugin = p.networkProfile?.networkPlugin;
  if (plugin !== undefined && !['azure', 'kubenet', 'none'].includes(plugin)) return `The value of parameter networkProfile.networkPlugin '${plugin}' is invalid.`;
  return undefined;
}

function userCredential(input: RouteInput, rgName: string, name: string): RouteOutput {
  const { state } = input;
  if (!state.getResourceGroup(rgName)) return rgNotFound(rgName);
  const c = state.getCluster(rgName, name);
  if (!c) {
    return { status: 404, body: armError('ResourceNotFound', `The Resource 'Microsoft.ContainerService/managedClusters/${name}' under resource group '${rgName}' was not found.`) };
  }
  if (c.provisioningState !== 'Succeeded' && c.provisioningState !== 'Updating') {
    return { status: 409, body: armError('OperationNotAllowed', `Cannot list credentials of managed cluster '${name}' in provisioning state ${c.provisioningState}.`) };
  }
  const text = input.behaviour.userKubeconfig?.(c) ?? userKubeconfig(c);
  return { status: 200, body: { kubeconfigs: [{ name: 'clusterUser', value: Buffer.from(text).toString('base64') }] } };
}

function aksOperation(input: RouteInput, id: string): RouteOutput {
  const op = input.state.operations.get(id);
  if (!op) return { status: 404, body: armError('NotFound', `Operation ${id} not found.`) };
  input.state.advance(op);
  const headers: Record<string, string> = op.status === 'InProgress' ? { 'Retry-After': String(input.behaviour.retryAfterSeconds) } : {};
  return { status: 200, headers, body: renderOperation(op) };
}

/** Location-pattern result resource: 202 while in progress, then 200 (or the error). */
function operationResult(input: RouteInput, id: string): RouteOutput {
  const op = input.state.operations.get(id);
  if (!op) return { status: 404, body: armError('NotFound', `Operation ${id} not found.`) };
  input.state.advance(op);
  if (op.status === 'InProgress') {
    const location =
      op.kind === 'rg-delete'
        ? `${input.endpoint}/subscriptions/${input.state.subscriptionId}/operationresults/${op.id}?api-version=${RG_API}`
        : operationHeaders(input, op).Location;
    return { status: 202, headers: { Location: location, 'Retry-After': String(input.behaviour.retryAfterSeconds) } };
  }
  if (op.status === 'Failed' && op.failWith) return { status: 400, body: armError(op.failWith.code, op.failWith.message) };
  return { status: op.kind === 'cluster-delete' ? 204 : 200 };
}
