/**
 * The built-in controllers of the fake, called by {@link FakeCluster} on create, update, read and
 * delete: defaulting and validation, namespaces (Active, Terminating, then gone), workloads and
 * their pods, PVC binding, Service IPs, CRDs (Established, discovery registration) and custom
 * objects (a "reconciler" that fills `status`).
 */
import { behaviourFor, DEFAULT_AFTER_READS } from './behaviours.js';
import type { ResourceType } from './catalog.js';
import type { FakeCluster, ReadContext } from './cluster.js';
import { crdEstablish, crdOnDelete, crdValidate } from './crds.js';
import { jsonEqual, selectorMatches, timestamp, type Obj } from './objects.js';
import { mergePatch } from './patch.js';
import { podStatus } from './pods.js';
import { errors } from './status.js';
import { controllingWorkload, createChildren, deleteChildren, stateOf, syncWorkload, WORKLOAD_KINDS } from './workloads.js';

const isCore = (t: ResourceType) => t.group === '';

/** The single node of the fake cluster. */
export function fakeNode(): Obj {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: 'fake-control-plane', labels: { 'kubernetes.io/hostname': 'fake-control-plane', 'node-role.kubernetes.io/control-plane': '' } },
    spec: { podCIDR: '10.244.0.0/24' },
    status: {
      conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: timestamp(), lastTransitionTime: timestamp() }],
      addresses: [{ type: 'InternalIP', address: '172.18.0.2' }, { type: 'Hostname', address: 'fake-control-plane' }],
      nodeInfo: { kubeletVersion: 'v1.31.0', osImage: 'fake', architecture: 'amd64', operatingSystem: 'linux', containerRuntimeVersion: 'containerd://1.7.0' },
    },
  };
}

function afterReads(c: FakeCluster, obj: Obj): { after: number; never: boolean } {
  const b = behaviourFor(c.behaviours, obj);
  return { after: b?.afterReads ?? DEFAULT_AFTER_READS[obj.kind] ?? 0, never: b?.never === true };
}

/** Admission checks the real server makes for the kinds the fake knows. */
export function validate(c: FakeCluster, type: ResourceType, obj: Obj): void {
  const name = obj.metadata.name;
  if (WORKLOAD_KINDS.has(type.kind) && type.group === 'apps') {
    if (!obj.spec?.selector) throw errors.invalid(type, name, 'spec.selector', 'Required value');
    if (!selectorMatches(obj.spec.selector, obj.spec?.template?.metadata?.labels)) {
      throw errors.invalid(type, name, 'spec.template.metadata.labels', 'Invalid value: `selector` does not match template `labels`');
    }
    if (!(obj.spec?.template?.spec?.containers?.length > 0)) throw errors.invalid(type, name, 'spec.template.spec.containers', 'Required value');
  }
  if (type.kind === 'Pod' && isCore(type) && !(obj.spec?.containers?.length > 0)) {
    throw errors.invalid(type, name, 'spec.containers', 'Required value');
  }
  if (type.kind === 'CustomResourceDefinition') crdValidate(type, obj);
}

/** Defaults and initial status of a new object (also for seeded ones). */
export function onCreate(c: FakeCluster, type: ResourceType, obj: Obj, how: { seeded: boolean; hadStatus: boolean }): void {
  const m = obj.metadata;
  switch (type.kind) {
    case 'Namespace':
      obj.spec ??= { finalizers: ['kubernetes'] };
      obj.status ??= { phase: 'Active' };
      m.labels = { ...(m.labels ?? {}), 'kubernetes.io/metadata.name': m.name };
      return;
    case 'Service': {
      const spec = (obj.spec ??= {});
      spec.type ??= 'ClusterIP';
      if (spec.clusterIP === undefined) spec.clusterIP = `10.96.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250) + 1}`;
      spec.clusterIPs ??= [spec.clusterIP];
      spec.ipFamilies ??= ['IPv4'];
      spec.ipFamilyPolicy ??= 'SingleStack';
      spec.sessionAffinity ??= 'None';
      spec.internalTrafficPolicy ??= 'Cluster';
      spec.ports = (spec.ports ?? []).map((p: any, i: number) => ({
        protocol: 'TCP',
        targetPort: p.port,
        ...p,
        ...(spec.type !== 'ClusterIP' && p.nodePort === undefined ? { nodePort: 30000 + ((Date.now() + i) % 2767) } : {}),
      }));
      obj.status ??= { loadBalancer: {} };
      return;
    }
    case 'PersistentVolumeClaim':
      obj.spec ??= {};
      obj.spec.volumeMode ??= 'Filesystem';
      obj.spec.storageClassName ??= 'standard';
      if (!how.hadStatus) obj.status = { phase: 'Pending' };
      return;
    case 'Pod':
      if (!isCore(type) || how.hadStatus) return;
      obj.spec.nodeName ??= 'fake-control-plane';
      obj.status = podStatus(obj, { kind: 'starting' });
      return;
    case 'CustomResourceDefinition':
      if (how.hadStatus) return void crdEstablish(c, obj, false);
      obj.status = { conditions: [], acceptedNames: { kind: '', plural: '' }, storedVersions: [] };
      if (how.seeded) crdEstablish(c, obj, false);
      return;
  }
  if (WORKLOAD_KINDS.has(type.kind) && type.group === 'apps' && type.kind !== 'ReplicaSet' && !how.hadStatus) {
    createChildren(c, obj);
    syncWorkload(c, obj);
  }
}

/** A spec change re-rolls a workload's pods; a CRD change re-registers its versions. */
export function onUpdate(c: FakeCluster, type: ResourceType, before: Obj, after: Obj): void {
  if (WORKLOAD_KINDS.has(type.kind) && type.group === 'apps' && type.kind !== 'ReplicaSet' && !jsonEqual(before.spec, after.spec)) {
    createChildren(c, after);
    syncWorkload(c, after);
  }
  if (type.kind === 'Service' && after.spec && before.spec?.clusterIP) {
    after.spec.clusterIP = before.spec.clusterIP;
    after.spec.clusterIPs = before.spec.clusterIPs;
  }
  if (type.kind === 'CustomResourceDefinition' && (before.status?.conditions ?? []).some((x: any) => x.type === 'Established' && x.status === 'True')) {
    crdEstablish(c, after, true);
  }
}

/** One read of `obj`: advance whatever controller its state depends on (once per request). */
export function onRead(c: FakeCluster, type: ResourceType, obj: Obj, rc: ReadContext): void {
  const owner = type.kind === 'Pod' || type.kind === 'ReplicaSet' ? controllingWorkload(c, obj) : undefined;
  const target = owner ?? obj;
  if (rc.stepped.has(target.metadata.uid)) return;
  rc.stepped.add(target.metadata.uid);
  const targetType = owner ? c.typeOf(owner.apiVersion, owner.kind)! : type;
  const n = c.countRead(target);
  const { after, never } = afterReads(c, target);
  const due = n > after && !never;
  if (WORKLOAD_KINDS.has(target.kind) && targetType.group === 'apps') {
    if (syncWorkload(c, target)) c.store(targetType, target);
    return;
  }
  switch (target.kind) {
    case 'Namespace':
      if (target.metadata.deletionTimestamp && due) {
        for (const t of c.catalog.all()) if (t.namespaced) for (const o of c.objectsOf(t, target.metadata.name)) c.drop(t, o.metadata.namespace, o.metadata.name);
        c.drop(type, undefined, target.metadata.name);
      }
      return;
    case 'PersistentVolumeClaim':
      if (target.status?.phase === 'Pending' && due) {
        target.spec.volumeName = `pvc-${target.metadata.uid}`;
        target.status = { phase: 'Bound', accessModes: target.spec.accessModes ?? ['ReadWriteOnce'], capacity: { storage: target.spec.resources?.requests?.storage ?? '1Gi' } };
        c.store(type, target);
      }
      return;
    case 'Pod': {
      if (!isCore(type)) break;
      const status = podStatus(target, stateOf(c, target));
      if (status.phase !== target.status?.phase || JSON.stringify(status.containerStatuses) !== JSON.stringify(target.status?.containerStatuses)) {
        c.store(type, { ...target, status });
      }
      return;
    }
    case 'CustomResourceDefinition':
      if (due) crdEstablish(c, target, true);
      return;
  }
  if (type.custom) {
    const b = behaviourFor(c.behaviours, target);
    if (b?.status && due && !target.metadata.deletionTimestamp) {
      const status = mergePatch(target.status ?? {}, b.status);
      if (!jsonEqual(status, target.status)) c.store(type, { ...target, status });
    }
  }
}

/** A discovery request: pending CRDs get a read each (so applying a CRD then its objects works). */
export function onDiscovery(c: FakeCluster, rc: ReadContext): void {
  const crdType = c.typeOf('apiextensions.k8s.io/v1', 'CustomResourceDefinition')!;
  for (const crd of c.objectsOf(crdType)) {
    const est = (crd.status?.conditions ?? []).some((x: any) => x.type === 'Established' && x.status === 'True');
    if (!est) onRead(c, crdType, crd, rc);
  }
}

/** Deletion: what stays (with a deletionTimestamp) and what goes at once. */
export function onDelete(c: FakeCluster, type: ResourceType, obj: Obj): { kind: 'status' } | { kind: 'object'; object: Obj } {
  const m = obj.metadata;
  if (type.kind === 'Namespace') {
    if (m.deletionTimestamp) {
      throw errors.conflict(type, m.name, 'The system is ensuring all content is removed from this namespace.  Upon completion, this namespace will automatically be purged by the system.');
    }
    m.deletionTimestamp = timestamp();
    obj.status = {
      phase: 'Terminating',
      conditions: [{ type: 'NamespaceContentRemaining', status: 'False', lastTransitionTime: timestamp(), reason: 'ContentRemoved', message: 'All content successfully removed' }],
    };
    c.reads.set(m.uid, 0);
    return { kind: 'object', object: c.store(type, obj) };
  }
  if (type.kind === 'CustomResourceDefinition') return { kind: 'object', object: crdOnDelete(c, type, obj) };
  if (WORKLOAD_KINDS.has(type.kind) && type.group === 'apps') deleteChildren(c, obj);
  c.drop(type, m.namespace, m.name);
  if (type.kind === 'Pod' && isCore(type)) {
    return { kind: 'object', object: { ...obj, metadata: { ...m, deletionTimestamp: timestamp(), deletionGracePeriodSeconds: 30 } } };
  }
  return { kind: 'status' };
}
