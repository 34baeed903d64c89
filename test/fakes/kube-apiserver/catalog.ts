/**
 * The resource types the fake API server knows: the built-in subset, plus the types registered
 * by CustomResourceDefinitions. Discovery documents (`/api`, `/apis`, resource lists) are built
 * from here, with the real API's shapes.
 */

/** One REST resource (a plural under a group/version). */
export interface ResourceType {
  /** API group; '' for the core group. */
  group: string;
  version: string;
  /** Lower-case plural, the URL segment (`deployments`). */
  plural: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  shortNames?: string[];
  /** Subresources served (`status`, `scale`). */
  subresources: string[];
  /** Registered by a CRD (its objects keep `apiVersion`/`kind` in list items). */
  custom?: boolean;
  /** For custom types: the owning CRD's name. */
  crd?: string;
}

const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

function t(
  group: string,
  version: string,
  plural: string,
  kind: string,
  namespaced: boolean,
  shortNames: string[] = [],
  subresources: string[] = [],
): ResourceType {
  return { group, version, plural, singular: kind.toLowerCase(), kind, namespaced, shortNames, subresources };
}

/** The built-in resource types served by the fake. */
export function builtinTypes(): ResourceType[] {
  return [
    t('', 'v1', 'configmaps', 'ConfigMap', true, ['cm']),
    t('', 'v1', 'namespaces', 'Namespace', false, ['ns'], ['status', 'finalize']),
    t('', 'v1', 'nodes', 'Node', false, ['no'], ['status']),
    t('', 'v1', 'persistentvolumeclaims', 'PersistentVolumeClaim', true, ['pvc'], ['status']),
    t('', 'v1', 'pods', 'Pod', true, ['po'], ['status']),
    t('', 'v1', 'secrets', 'Secret', true),
    t('', 'v1', 'serviceaccounts', 'ServiceAccount', true, ['sa']),
    t('', 'v1', 'services', 'Service', true, ['svc'], ['status']),
    t('apps', 'v1', 'daemonsets', 'DaemonSet', true, ['ds'], ['status']),
    t('apps', 'v1', 'deployments', 'Deployment', true, ['deploy'], ['scale', 'status']),
    t('apps', 'v1', 'replicasets', 'ReplicaSet', true, ['rs'], ['scale', 'status']),
    t('apps', 'v1', 'statefulsets', 'StatefulSet', true, ['sts'], ['scale', 'status']),
    t('apiextensions.k8s.io', 'v1', 'customresourcedefinitions', 'CustomResourceDefinition', false, ['crd', 'crds'], [
      'status',
    ]),
    t('rbac.authorization.k8s.io', 'v1', 'clusterrolebindings', 'ClusterRoleBinding', false),
    t('rbac.authorization.k8s.io', 'v1', 'clusterroles', 'ClusterRole', false),
    t('rbac.authorization.k8s.io', 'v1', 'rolebindings', 'RoleBinding', true),
    t('rbac.authorization.k8s.io', 'v1', 'roles', 'Role', true),
  ];
}

/** `group/version`, or `version` for the core group. */
export function groupVersion(type: { group: string; version: string }): string {
  return type.group ? `${type.group}/${type.version}` : type.version;
}

/** The registry of served types. */
export class Catalog {
  private types: ResourceType[] = builtinTypes();

  all(): readonly ResourceType[] {
    return this.types;
  }

  /** The type served at `group/version/plural`, if any. */
  byPlural(group: string, version: string, plural: string): ResourceType | undefined {
    return this.types.find((x) => x.group === group && x.version === version && x.plural === plural);
  }

  /** The type of `apiVersion` + `kind`, if served. */
  byKind(apiVersion: string, kind: string): ResourceType | undefined {
    const [group, version] = splitApiVersion(apiVersion);
    return this.types.find((x) => x.group === group && x.version === version && x.kind === kind);
  }

  /** Any served version of a group's kind (objects are stored once per group/plural). */
  anyVersionOf(group: string, kind: string): ResourceType | undefined {
    return this.types.find((x) => x.group === group && x.kind === kind);
  }

  /** Whether `group/version` is served at all. */
  servesVersion(group: string, version: string): boolean {
    return this.types.some((x) => x.group === group && x.version === version);
  }

  /** Register the served versions of a CRD (replacing what it registered before). */
  registerCrd(crdName: string, types: ResourceType[]): void {
    this.unregisterCrd(crdName);
    this.types.push(...types.map((x) => ({ ...x, custom: true, crd: crdName })));
  }

  unregisterCrd(crdName: string): void {
    this.types = this.types.filter((x) => x.crd !== crdName);
  }

  reset(): void {
    this.types = builtinTypes();
  }

  /** `GET /api`: the APIVersions document. */
  apiVersions(serverAddress: string): Record<string, unknown> {
    return {
      kind: 'APIVersions',
      versions: ['v1'],
      serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
    };
  }

  /** `GET /apis`: the APIGroupList document. */
  apiGroupList(): Record<string, unknown> {
    return { kind: 'APIGroupList', apiVersion: 'v1', groups: this.groupNames().map((g) => this.apiGroup(g)) };
  }

  /** `GET /apis/<group>`: one APIGroup. */
  apiGroup(group: string): Record<string, unknown> {
    const versions = [...new Set(this.types.filter((x) => x.group === group).map((x) => x.version))];
    const list = versions.map((version) => ({ groupVersion: `${group}/${version}`, version }));
    return { kind: 'APIGroup', apiVersion: 'v1', name: group, versions: list, preferredVersion: list[0] };
  }

  /** `GET /api/v1`, `GET /apis/<group>/<version>`: the APIResourceList document. */
  resourceList(group: string, version: string): Record<string, unknown> {
    const resources: Array<Record<string, unknown>> = [];
    const types = this.types
      .filter((x) => x.group === group && x.version === version)
      .sort((a, b) => a.plural.localeCompare(b.plural));
    for (const x of types) {
      resources.push({
        name: x.plural,
        singularName: x.singular,
        namespaced: x.namespaced,
        kind: x.kind,
        verbs: VERBS,
        ...(x.shortNames && x.shortNames.length ? { shortNames: x.shortNames } : {}),
        storageVersionHash: Buffer.from(`${group}/${version}/${x.plural}`).toString('base64').slice(0, 11),
      });
      for (const sub of x.subresources) {
        const scale = sub === 'scale';
        resources.push({
          name: `${x.plural}/${sub}`,
          singularName: '',
          namespaced: x.namespaced,
          ...(scale ? { group: 'autoscaling', version: 'v1' } : {}),
          kind: scale ? 'Scale' : x.kind,
          verbs: sub === 'finalize' ? ['update'] : ['get', 'patch', 'update'],
        });
      }
    }
    return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group ? `${group}/${version}` : version, resources };
  }

  groupNames(): string[] {
    return [...new Set(this.types.filter((x) => x.group !== '').map((x) => x.group))];
  }
}

/** Split `apps/v1` into `['apps', 'v1']` and `v1` into `['', 'v1']`. */
export function splitApiVersion(apiVersion: string): [string, string] {
  const i = apiVersion.indexOf('/');
  return i < 0 ? ['', apiVersion] : [apiVersion.slice(0, i), apiVersion.slice(i + 1)];
}
