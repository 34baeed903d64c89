/**
 * CustomResourceDefinitions: validation, establishment (NamesAccepted + Established conditions,
 * accepted names) and registration of the served versions in discovery, so objects of the new
 * kind can be created, read and deleted like any other.
 */
import type { ResourceType } from './catalog.js';
import type { FakeCluster } from './cluster.js';
import { condition, setCondition, timestamp, type Obj } from './objects.js';
import { errors } from './status.js';

/** The 422 checks the real server makes on a CRD. */
export function crdValidate(type: ResourceType, crd: Obj): void {
  const name = crd.metadata.name;
  const spec = crd.spec ?? {};
  if (!spec.group) throw errors.invalid(type, name, 'spec.group', 'Required value');
  if (!spec.names?.plural) throw errors.invalid(type, name, 'spec.names.plural', 'Required value');
  if (!spec.names?.kind) throw errors.invalid(type, name, 'spec.names.kind', 'Required value');
  if (name !== `${spec.names.plural}.${spec.group}`) {
    throw errors.invalid(type, name, 'metadata.name', `Invalid value: "${name}": must be spec.names.plural+"."+spec.group`);
  }
  if (spec.scope !== 'Namespaced' && spec.scope !== 'Cluster') {
    throw errors.invalid(type, name, 'spec.scope', `Unsupported value: "${spec.scope}": supported values: "Cluster", "Namespaced"`);
  }
  const versions: any[] = spec.versions ?? [];
  if (versions.length === 0) throw errors.invalid(type, name, 'spec.versions', 'Invalid value: must have exactly one version marked as storage version');
  if (versions.filter((v) => v.storage).length !== 1) {
    throw errors.invalid(type, name, 'spec.versions', 'Invalid value: must have exactly one version marked as storage version');
  }
}

/** The resource types a CRD serves. */
export function crdTypes(crd: Obj): ResourceType[] {
  const spec = crd.spec;
  const names = spec.names;
  return (spec.versions as any[])
    .filter((v) => v.served !== false)
    .map((v) => ({
      group: spec.group,
      version: v.name,
      plural: names.plural,
      singular: names.singular ?? names.kind.toLowerCase(),
      kind: names.kind,
      namespaced: spec.scope === 'Namespaced',
      shortNames: names.shortNames ?? [],
      subresources: [...(v.subresources?.status ? ['status'] : []), ...(v.subresources?.scale ? ['scale'] : [])],
    }));
}

/** Mark a CRD NamesAccepted + Established and register its types; `store` writes it back. */
export function crdEstablish(c: FakeCluster, crd: Obj, store: boolean): void {
  const names = crd.spec.names;
  const storage = (crd.spec.versions as any[]).find((v) => v.storage)?.name;
  let conditions = setCondition(crd.status?.conditions, condition('NamesAccepted', 'True', 'NoConflicts', 'no conflicts found'));
  conditions = setCondition(conditions, condition('Established', 'True', 'InitialNamesAccepted', 'the initial names have been accepted'));
  crd.status = {
    ...(crd.status ?? {}),
    conditions,
    acceptedNames: { plural: names.plural, singular: names.singular ?? names.kind.toLowerCase(), kind: names.kind, listKind: names.listKind ?? `${names.kind}List`, ...(names.shortNames ? { shortNames: names.shortNames } : {}) },
    storedVersions: [...new Set([...(crd.status?.storedVersions ?? []), storage])],
  };
  c.catalog.registerCrd(crd.metadata.name, crdTypes(crd));
  if (store) c.store(c.typeOf('apiextensions.k8s.io/v1', 'CustomResourceDefinition')!, crd);
}

/** Delete a CRD: its objects go, its types leave discovery; the response shows it Terminating. */
export function crdOnDelete(c: FakeCluster, type: ResourceType, crd: Obj): Obj {
  const served = c.catalog.all().filter((t) => t.crd === crd.metadata.name);
  if (served[0]) for (const o of c.objectsOf(served[0])) c.drop(served[0], o.metadata.namespace, o.metadata.name);
  c.catalog.unregisterCrd(crd.metadata.name);
  c.drop(type, undefined, crd.metadata.name);
  const conditions = setCondition(crd.status?.conditions, condition('Terminating', 'True', 'InstanceDeletionInProgress', 'CustomResource deletion is in progress'));
  return {
    ...crd,
    metadata: { ...crd.metadata, deletionTimestamp: timestamp(), finalizers: ['customresourcecleanup.apiextensions.k8s.io'] },
    status: { ...crd.status, conditions },
  };
}
