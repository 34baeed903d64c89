/**
 * The `with` of the `azure-aks` kind: its JSON Schema, its outputs, and how a `with` is
 * resolved against defaults and the environment into an {@link AksConfig}.
 */
import { homedir } from 'node:os';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { TaskError, type JSONSchema, type OutputSpec, type TaskContext } from '../kind.js';

/** `with` of the `azure-aks` kind, as written in a playbook. */
export interface AksWith {
  mode?: 'create' | 'existing';
  subscriptionId?: string;
  resourceGroup: string;
  name: string;
  region?: string;
  nodeCount?: number;
  vmSize?: string;
  kubernetesVersion?: string;
  networkPlugin?: 'azure' | 'kubenet';
  tags?: Record<string, string>;
  kubeconfig?: string;
  contextName?: string;
  credential?: 'default' | 'cli' | 'environment';
  endpoint?: string;
  pollIntervalMs?: number;
}

/** A `with` with every default applied and every value checked. */
export interface AksConfig {
  mode: 'create' | 'existing';
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  region: string;
  nodeCount: number;
  vmSize: string;
  kubernetesVersion?: string;
  networkPlugin: 'azure' | 'kubenet';
  tags: Record<string, string>;
  /** Absolute path of the kubeconfig file to merge into. */
  kubeconfig: string;
  contextName: string;
  credential: 'default' | 'cli' | 'environment';
  /** ARM endpoint without a trailing slash. */
  endpoint: string;
  pollIntervalMs: number;
}

const UUID = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';
/** The seed's rule for resource group names (Azure also allows `.`; the seed's rule wins). */
const RESOURCE_GROUP = '^[a-zA-Z0-9-_()]{1,90}$';
const CLUSTER_NAME = '^[a-z0-9-]{1,63}$';

/** JSON Schema of the `with` of `azure-aks`. */
export const aksSchema: JSONSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['resourceGroup', 'name'],
  properties: {
    mode: {
      enum: ['create', 'existing'],
      default: 'create',
      description:
        'create: create the resource group and cluster when missing (undo deletes only what this run created); existing: the cluster must already exist in provisioning state Succeeded.',
    },
    subscriptionId: {
      type: 'string',
      pattern: UUID,
      description: 'Azure subscription id (a UUID). Default: $AZURE_SUBSCRIPTION_ID.',
    },
    resourceGroup: {
      type: 'string',
      pattern: RESOURCE_GROUP,
      description: 'Resource group of the cluster (1-90 letters, digits, -, _, parentheses).',
    },
    name: {
      type: 'string',
      pattern: CLUSTER_NAME,
      description: 'AKS cluster name (1-63 lowercase letters, digits and hyphens; DNS-compatible).',
    },
    region: { type: 'string', minLength: 1, default: 'eastus', description: 'Azure region of a created cluster and resource group.' },
    nodeCount: { type: 'integer', minimum: 1, maximum: 100, default: 3, description: 'Node count of the system agent pool of a created cluster.' },
    vmSize: { type: 'string', minLength: 1, default: 'Standard_DS2_v2', description: 'VM size of the nodes of a created cluster.' },
    kubernetesVersion: {
      type: 'string',
      minLength: 1,
      description: 'Kubernetes version of a created cluster. Default: the latest stable version AKS offers.',
    },
    networkPlugin: { enum: ['azure', 'kubenet'], default: 'azure', description: 'Network plugin of a created cluster: Azure CNI or kubenet.' },
    tags: {
      type: 'object',
      additionalProperties: { type: 'string' },
      description: 'Azure tags set on a created resource group and cluster.',
    },
    kubeconfig: {
      type: 'string',
      minLength: 1,
      description:
        'Kubeconfig file the cluster user credentials are merged into (relative to the playbook directory; ~ is the home directory). Default: the first path of $KUBECONFIG, else ~/.kube/config.',
    },
    contextName: { type: 'string', minLength: 1, description: 'Name of the kubeconfig context added for the cluster. Default: the cluster name.' },
    credential: {
      enum: ['default', 'cli', 'environment'],
      default: 'default',
      description:
        'How to authenticate: default (DefaultAzureCredential chain), cli (the `az login` session), environment (AZURE_CLIENT_ID/AZURE_TENANT_ID/AZURE_CLIENT_SECRET).',
    },
    endpoint: {
      type: 'string',
      pattern: '^https://',
      description:
        'Azure Resource Manager endpoint (sovereign clouds). Default: $AZURE_RESOURCE_MANAGER_ENDPOINT, else https://management.azure.com.',
    },
    pollIntervalMs: {
      type: 'integer',
      minimum: 1,
      default: 15000,
      description: 'Interval between polls of long-running Azure operations, in milliseconds.',
    },
  },
};

/** Outputs of `azure-aks` (the seed's Bootstrap State fields for the cluster). */
export const aksOutputs: Record<string, OutputSpec> = {
  name: { description: 'Cluster name.' },
  resourceGroup: { description: 'Resource group of the cluster.' },
  region: { description: 'Azure region the cluster is in.' },
  subscriptionId: { description: 'Azure subscription id.' },
  kubeContext: { description: 'Kubeconfig context added for the cluster.' },
  fqdn: { description: 'FQDN of the cluster API server.' },
  kubernetesVersion: { description: 'Kubernetes version the cluster runs.' },
  provisioningState: { description: 'Provisioning state of the cluster as observed (Succeeded).' },
  createdCluster: { description: 'True when this run created the cluster.' },
  createdResourceGroup: { description: 'True when this run created the resource group.' },
};

/** Extra checks beyond the schema (values that are still `${{ }}` expressions are skipped). */
export function validateAksWith(w: unknown): Array<{ path: Array<string | number>; message: string }> {
  const problems: Array<{ path: Array<string | number>; message: string }> = [];
  if (!w || typeof w !== 'object') return problems;
  const name = (w as Record<string, unknown>).name;
  if (typeof name === 'string' && !name.includes('${{') && /^-|-$/.test(name)) {
    problems.push({ path: ['name'], message: 'an AKS cluster name must start and end with a letter or a digit' });
  }
  return problems;
}

/** Applies defaults (including the environment's) and checks what the schema cannot. */
export function resolveAksConfig(w: AksWith, ctx: Pick<TaskContext, 'env' | 'playbookDir'>): AksConfig {
  const env = ctx.env;
  const subscriptionId = (w.subscriptionId ?? env.AZURE_SUBSCRIPTION_ID ?? '').trim();
  if (!subscriptionId) {
    throw new TaskError(
      'no Azure subscription id',
      'set `subscriptionId` in the task\'s `with`, or the AZURE_SUBSCRIPTION_ID environment variable (`az account show --query id -o tsv`)',
      true,
    );
  }
  if (!new RegExp(UUID).test(subscriptionId)) {
    throw new TaskError(`subscription id "${subscriptionId}" is not a UUID`, 'use the subscription id, not its name', true);
  }
  checkPattern('resourceGroup', w.resourceGroup, RESOURCE_GROUP);
  checkPattern('name', w.name, CLUSTER_NAME);
  const endpoint = (w.endpoint ?? env.AZURE_RESOURCE_MANAGER_ENDPOINT ?? 'https://management.azure.com').replace(/\/+$/, '');
  if (!/^https:\/\//i.test(endpoint)) {
    throw new TaskError(`ARM endpoint "${endpoint}" is not an https URL`, 'Azure refuses bearer tokens over plain http', true);
  }
  return {
    mode: w.mode ?? 'create',
    subscriptionId,
    resourceGroup: w.resourceGroup,
    name: w.name,
    region: w.region ?? 'eastus',
    nodeCount: w.nodeCount ?? 3,
    vmSize: w.vmSize ?? 'Standard_DS2_v2',
    kubernetesVersion: w.kubernetesVersion || undefined,
    networkPlugin: w.networkPlugin ?? 'azure',
    tags: w.tags ?? {},
    kubeconfig: kubeconfigPath(w.kubeconfig, env, ctx.playbookDir),
    contextName: w.contextName ?? w.name,
    credential: w.credential ?? 'default',
    endpoint,
    pollIntervalMs: w.pollIntervalMs ?? 15_000,
  };
}

function checkPattern(field: string, value: unknown, pattern: string): void {
  if (typeof value !== 'string' || !new RegExp(pattern).test(value)) {
    throw new TaskError(`\`${field}\` ${JSON.stringify(value)} does not match ${pattern}`, undefined, true);
  }
}

/** The kubeconfig file to merge into: `with.kubeconfig`, else $KUBECONFIG's first path, else ~/.kube/config. */
export function kubeconfigPath(
  explicit: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
  baseDir: string,
): string {
  const home = env.HOME || homedir();
  const first = (env.KUBECONFIG ?? '').split(delimiter).find((p) => p.trim() !== '');
  const chosen = explicit ?? first ?? join(home, '.kube', 'config');
  const expanded = chosen === '~' ? home : chosen.startsWith('~/') ? join(home, chosen.slice(2)) : chosen;
  return isAbsolute(expanded) ? expanded : resolve(explicit ? baseDir : process.cwd(), expanded);
}
