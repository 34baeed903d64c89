/**
 * The workload controllers: a Deployment owns a ReplicaSet that owns its pods; a StatefulSet
 * owns `<name>-0..n-1`; a DaemonSet owns one pod (the fake has one node). Readiness follows the
 * {@link Behaviour} rules: ready after N reads, or never with a waiting reason.
 */
import { behaviourFor, DEFAULT_AFTER_READS } from './behaviours.js';
import type { FakeCluster } from './cluster.js';
import { condition, jsonEqual, randomSuffix, setCondition, templateHash, uid, type Obj } from './objects.js';
import { podFromTemplate, podStatus, type PodState } from './pods.js';

export const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet']);

function type(c: FakeCluster, apiVersion: string, kind: string) {
  return c.typeOf(apiVersion, kind)!;
}

/** The pods whose controller is `owner`. */
export function ownedBy(c: FakeCluster, owner: Obj, kind = 'Pod', apiVersion = 'v1'): Obj[] {
  return c.objectsOf(type(c, apiVersion, kind), owner.metadata.namespace).filter((o) => (o.metadata.ownerReferences ?? []).some((r: any) => r.uid === owner.metadata.uid));
}

/** The workload's current pod state from its reads and behaviour. */
export function stateOf(c: FakeCluster, obj: Obj): PodState {
  const b = behaviourFor(c.behaviours, obj);
  if (b?.failWith) return { kind: 'failing', reason: b.failWith.reason, message: b.failWith.message };
  if (b?.never) return { kind: 'starting' };
  const after = b?.afterReads ?? DEFAULT_AFTER_READS[obj.kind as string] ?? 0;
  return (c.reads.get(obj.metadata.uid) ?? 0) > after ? { kind: 'ready' } : { kind: 'starting' };
}

function desired(obj: Obj): number {
  if (obj.kind === 'DaemonSet') return 1;
  return typeof obj.spec?.replicas === 'number' ? obj.spec.replicas : 1;
}

/** Defaults the API server applies to a workload spec. */
function defaults(obj: Obj): void {
  const spec = (obj.spec ??= {});
  if (obj.kind !== 'DaemonSet') spec.replicas ??= 1;
  spec.revisionHistoryLimit ??= 10;
  if (obj.kind === 'Deployment') {
    spec.progressDeadlineSeconds ??= 600;
    spec.strategy ??= { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } };
  }
  if (obj.kind === 'StatefulSet') spec.podManagementPolicy ??= 'OrderedReady';
}

/** (Re)create the children of a workload for its current spec. */
export function createChildren(c: FakeCluster, obj: Obj): void {
  defaults(obj);
  for (const p of ownedBy(c, obj)) c.drop(type(c, 'v1', 'Pod'), p.metadata.namespace, p.metadata.name);
  const ns = obj.metadata.namespace;
  const hash = templateHash(obj.spec?.template);
  let owner = obj;
  const extra: Record<string, string> = {};
  if (obj.kind === 'Deployment') {
    for (const rs of ownedBy(c, obj, 'ReplicaSet', 'apps/v1')) {
      for (const p of ownedBy(c, rs)) c.drop(type(c, 'v1', 'Pod'), ns, p.metadata.name);
      c.drop(type(c, 'apps/v1', 'ReplicaSet'), ns, rs.metadata.name);
    }
    extra['pod-template-hash'] = hash;
    owner = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name: `${obj.metadata.name}-${hash}`,
        namespace: ns,
        uid: uid(),
        creationTimestamp: obj.metadata.creationTimestamp,
        generation: 1,
        labels: { ...(obj.spec?.template?.metadata?.labels ?? {}), ...extra },
        annotations: { 'deployment.kubernetes.io/revision': '1' },
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: obj.metadata.name, uid: obj.metadata.uid, controller: true, blockOwnerDeletion: true }],
      },
      spec: {
        replicas: desired(obj),
        selector: { matchLabels: { ...(obj.spec?.selector?.matchLabels ?? {}), ...extra } },
        template: { ...structuredClone(obj.spec?.template ?? {}), metadata: { ...(obj.spec?.template?.metadata ?? {}), labels: { ...(obj.spec?.template?.metadata?.labels ?? {}), ...extra } } },
      },
      status: { replicas: desired(obj), observedGeneration: 1 },
    };
    c.store(type(c, 'apps/v1', 'ReplicaSet'), owner);
  }
  if (obj.kind === 'StatefulSet') extra['controller-revision-hash'] = `${obj.metadata.name}-${hash}`;
  for (let i = 0; i < desired(obj); i++) {
    const name = obj.kind === 'StatefulSet' ? `${obj.metadata.name}-${i}` : `${owner.metadata.name}-${randomSuffix()}`;
    const labels = obj.kind === 'StatefulSet' ? { ...extra, 'statefulset.kubernetes.io/pod-name': name } : extra;
    c.store(type(c, 'v1', 'Pod'), podFromTemplate(obj.spec?.template, name, ns, owner, labels, uid()));
  }
  c.reads.set(obj.metadata.uid, 0);
}

/** Bring pods and the workload's status in line with its state; returns whether the workload changed. */
export function syncWorkload(c: FakeCluster, obj: Obj): boolean {
  const state = stateOf(c, obj);
  const podType = type(c, 'v1', 'Pod');
  const owners = obj.kind === 'Deployment' ? ownedBy(c, obj, 'ReplicaSet', 'apps/v1') : [obj];
  const pods = owners.flatMap((o) => ownedBy(c, o));
  for (const p of pods) {
    const status = podStatus(p, state);
    if (!jsonEqual(stripTimes(status), stripTimes(p.status))) c.store(podType, { ...p, status });
  }
  const want = desired(obj);
  const ready = state.kind === 'ready' ? pods.length : 0;
  for (const rs of obj.kind === 'Deployment' ? owners : []) {
    const st = { replicas: pods.length, fullyLabeledReplicas: pods.length, observedGeneration: 1, ...(ready ? { readyReplicas: ready, availableReplicas: ready } : {}) };
    if (!jsonEqual(st, rs.status)) c.store(type(c, 'apps/v1', 'ReplicaSet'), { ...rs, status: st });
  }
  const before = structuredClone(obj.status);
  obj.status = workloadStatus(obj, want, pods.length, ready);
  return !jsonEqual(stripTimes(before), stripTimes(obj.status));
}

function stripTimes(v: unknown): unknown {
  return JSON.parse(JSON.stringify(v ?? null, (k, x) => (/Time$|^startedAt$|^finishedAt$|^lastUpdateTime$/.test(k) ? undefined : x)));
}

function workloadStatus(obj: Obj, want: number, have: number, ready: number): Record<string, unknown> {
  const gen = obj.metadata.generation ?? 1;
  const prev = obj.status ?? {};
  switch (obj.kind) {
    case 'Deployment': {
      const rsName = `${obj.metadata.name}-${templateHash(obj.spec?.template)}`;
      const available = ready >= want;
      let conditions = setCondition(
        prev.conditions,
        available
          ? condition('Available', 'True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.')
          : condition('Available', 'False', 'MinimumReplicasUnavailable', 'Deployment does not have minimum availability.'),
      );
      conditions = setCondition(
        conditions,
        available
          ? condition('Progressing', 'True', 'NewReplicaSetAvailable', `ReplicaSet "${rsName}" has successfully progressed.`)
          : condition('Progressing', 'True', 'ReplicaSetUpdated', `ReplicaSet "${rsName}" is progressing.`),
      );
      conditions = conditions.map((x) => ({ ...x, lastUpdateTime: x.lastUpdateTime ?? x.lastTransitionTime }));
      return {
        observedGeneration: gen,
        replicas: have,
        updatedReplicas: have,
        ...(ready ? { readyReplicas: ready, availableReplicas: ready } : {}),
        ...(have - ready > 0 ? { unavailableReplicas: have - ready } : {}),
        conditions,
      };
    }
    case 'StatefulSet': {
      const rev = `${obj.metadata.name}-${templateHash(obj.spec?.template)}`;
      return { observedGeneration: gen, replicas: have, readyReplicas: ready, currentReplicas: have, updatedReplicas: have, availableReplicas: ready, currentRevision: rev, updateRevision: rev, collisionCount: 0 };
    }
    case 'DaemonSet':
      return {
        observedGeneration: gen,
        currentNumberScheduled: have,
        desiredNumberScheduled: want,
        numberMisscheduled: 0,
        numberReady: ready,
        updatedNumberScheduled: have,
        ...(ready ? { numberAvailable: ready } : { numberUnavailable: have }),
      };
    default:
      return { ...prev, observedGeneration: gen };
  }
}

/** The workload whose readiness a read of `obj` (a pod or ReplicaSet) should advance. */
export function controllingWorkload(c: FakeCluster, obj: Obj): Obj | undefined {
  let cur: Obj | undefined = obj;
  for (let depth = 0; depth < 3 && cur; depth++) {
    if (cur !== obj && WORKLOAD_KINDS.has(cur.kind) && cur.kind !== 'ReplicaSet') return cur;
    const ref: any = (cur.metadata.ownerReferences ?? []).find((r: any) => r.controller);
    if (!ref) return undefined;
    const t = c.typeOf(ref.apiVersion, ref.kind);
    cur = t ? c.peek(t, cur.metadata.namespace, ref.name) : undefined;
  }
  return undefined;
}

/** Garbage-collect a workload's ReplicaSets and pods. */
export function deleteChildren(c: FakeCluster, obj: Obj): void {
  const owners = obj.kind === 'Deployment' ? ownedBy(c, obj, 'ReplicaSet', 'apps/v1') : [];
  for (const o of [...owners, obj]) for (const p of ownedBy(c, o)) c.drop(type(c, 'v1', 'Pod'), p.metadata.namespace, p.metadata.name);
  for (const rs of owners) c.drop(type(c, 'apps/v1', 'ReplicaSet'), rs.metadata.namespace, rs.metadata.name);
}
