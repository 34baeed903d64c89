/**
 * The `with` of the `kubernetes` kind: its TypeScript shape and its JSON Schema.
 */
import type { JSONSchema } from '../kind.js';
import { durationSchema } from '../lib/duration.js';

/** One readiness wait. */
export interface WaitSpec {
  kind: string;
  apiVersion?: string;
  name?: string;
  names?: string[];
  namespace?: string;
  selector?: string;
  condition: string;
  timeout?: string | number;
  count?: number;
}

/** A test object created, watched until reconciled, then deleted. */
export interface ProbeSpec {
  apiVersion: string;
  kind: string;
  namespace?: string;
  manifest: Record<string, unknown>;
  until?: { path: string; exists?: boolean; equals?: unknown };
  timeout?: string | number;
  delete?: boolean;
}

export interface KubernetesWith {
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  manifests?: Array<string | Record<string, unknown>>;
  wait?: WaitSpec[];
  probe?: ProbeSpec;
  deleteOnUndo?: boolean;
}

const timeout: JSONSchema = {
  ...durationSchema,
  description: 'How long to wait: a duration ("90s", "5m", "1m30s") or a number of milliseconds. Default 5m.',
};

export const schema: JSONSchema = {
  type: 'object',
  additionalProperties: false,
  description: 'Kubernetes objects toward a desired state: ensure a namespace, apply manifests, wait for readiness, probe a controller.',
  properties: {
    kubeconfig: {
      type: 'string',
      description: 'Path of the kubeconfig file (relative to the playbook). Default: $KUBECONFIG, else ~/.kube/config.',
    },
    context: {
      type: 'string',
      description: "kubeconfig context to use. Default: the kubeconfig's current context. The user's current context is never changed.",
    },
    namespace: {
      type: 'string',
      description: 'Namespace to ensure (created if missing, deleted on undo only if this task created it); also the default namespace of manifests and waits.',
      pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$',
      maxLength: 63,
    },
    manifests: {
      type: 'array',
      description:
        'Objects to apply (create if absent, merge-patch if they drifted). Each item is an object, a path (relative to the playbook) of a YAML file (multi-document), or inline YAML (a string with a newline).',
      items: { oneOf: [{ type: 'string', minLength: 1 }, { type: 'object' }] },
    },
    wait: {
      type: 'array',
      description: 'Conditions to wait for, in order, after the manifests are applied.',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['kind', 'condition'],
        properties: {
          kind: { type: 'string', description: 'Kind of the objects (Deployment, Pod, StatefulSet, CustomResourceDefinition, Namespace, or any kind with apiVersion).' },
          apiVersion: { type: 'string', description: 'API version; required for kinds other than the common built-in ones.' },
          name: { type: 'string', description: 'Name of the object to wait for.' },
          names: { type: 'array', items: { type: 'string' }, minItems: 1, description: 'Names of several objects that must all meet the condition (e.g. CRDs).' },
          namespace: { type: 'string', description: 'Namespace of the objects. Default: `namespace`, else the context namespace.' },
          selector: { type: 'string', description: 'Label selector (app=registry) choosing the objects.' },
          condition: {
            type: 'string',
            description:
              "A status condition type that must be True (Available, Ready, Established...), a status.phase (Running, Bound, Active), or 'exists'. Deployment Available also needs every replica available; Ready on workloads means all replicas ready.",
          },
          timeout,
          count: { type: 'integer', minimum: 1, description: 'Minimum number of matching objects meeting the condition (default 1).' },
        },
      },
    },
    probe: {
      type: 'object',
      additionalProperties: false,
      required: ['apiVersion', 'kind', 'manifest'],
      description: 'A test object (e.g. a Kalypso Workload) created to check a controller reconciles it, then deleted.',
      properties: {
        apiVersion: { type: 'string', description: 'API version of the test object.' },
        kind: { type: 'string', description: 'Kind of the test object.' },
        namespace: { type: 'string', description: 'Namespace of the test object. Default: `namespace`, else the context namespace.' },
        manifest: { type: 'object', description: 'The test object (metadata.name required; apiVersion/kind may be omitted).' },
        until: {
          type: 'object',
          additionalProperties: false,
          required: ['path'],
          description: 'When the object counts as reconciled. Default: `status` exists.',
          properties: {
            path: { type: 'string', description: 'Dotted path in the object (status.conditions.0.type).' },
            exists: { type: 'boolean', const: true, description: 'The path has a value.' },
            equals: { description: 'The path has exactly this value.' },
          },
        },
        timeout,
        delete: { type: 'boolean', description: 'Delete the test object once reconciled (default true).' },
      },
    },
    deleteOnUndo: { type: 'boolean', description: 'Undo deletes what this task created (default true). Objects that existed before are never deleted.' },
  },
};

/** apiVersion of common kinds, so waits can omit it. */
export const DEFAULT_API_VERSIONS: Record<string, string> = {
  Deployment: 'apps/v1',
  StatefulSet: 'apps/v1',
  DaemonSet: 'apps/v1',
  ReplicaSet: 'apps/v1',
  Pod: 'v1',
  Namespace: 'v1',
  Service: 'v1',
  PersistentVolumeClaim: 'v1',
  ConfigMap: 'v1',
  Secret: 'v1',
  ServiceAccount: 'v1',
  Node: 'v1',
  Job: 'batch/v1',
  CustomResourceDefinition: 'apiextensions.k8s.io/v1',
};
