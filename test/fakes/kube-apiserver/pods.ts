/**
 * Pod status as the kubelet reports it, for the three states the fake simulates: starting
 * (ContainerCreating), failing (ImagePullBackOff, CrashLoopBackOff, any waiting reason) and ready.
 */
import { timestamp, type Obj } from './objects.js';

/** What a pod is doing. */
export type PodState = { kind: 'starting' } | { kind: 'ready' } | { kind: 'failing'; reason: string; message?: string };

let ipCounter = 10;

function containersOf(pod: Obj): Array<{ name: string; image: string }> {
  return (pod.spec?.containers ?? []).map((c: any) => ({ name: String(c.name), image: String(c.image ?? '') }));
}

function cond(type: string, ok: boolean, reason?: string, message?: string, since?: string): Record<string, unknown> {
  return {
    type,
    status: ok ? 'True' : 'False',
    lastProbeTime: null,
    lastTransitionTime: since ?? timestamp(),
    ...(reason ? { reason } : {}),
    ...(message ? { message } : {}),
  };
}

/** The `status` of `pod` in `state` (keeps start time and IPs across updates). */
export function podStatus(pod: Obj, state: PodState): Record<string, unknown> {
  const prev = pod.status ?? {};
  const startTime = prev.startTime ?? timestamp();
  const hostIP = '172.18.0.2';
  const containers = containersOf(pod);
  const names = containers.map((c) => c.name).join(' ');
  const ready = state.kind === 'ready';
  const podIP = ready ? prev.podIP ?? `10.244.0.${ipCounter++ % 250}` : prev.podIP;
  const crash = state.kind === 'failing' && state.reason === 'CrashLoopBackOff';
  const containerStatuses = containers.map((c) => {
    const base = { name: c.name, image: c.image, imageID: '', restartCount: 0, started: false, ready: false };
    if (state.kind === 'ready') {
      return { ...base, imageID: `docker.io/library/${c.image}@sha256:${'0'.repeat(64)}`, containerID: `containerd://${'1'.repeat(64)}`, started: true, ready: true, state: { running: { startedAt: startTime } } };
    }
    if (state.kind === 'starting') return { ...base, state: { waiting: { reason: 'ContainerCreating' } } };
    if (crash) {
      return {
        ...base,
        restartCount: 5,
        lastState: { terminated: { exitCode: 1, reason: 'Error', startedAt: startTime, finishedAt: timestamp() } },
        state: { waiting: { reason: 'CrashLoopBackOff', message: state.message ?? `back-off 5m0s restarting failed container=${c.name} pod=${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})` } },
      };
    }
    const message = state.message ?? (state.reason.includes('Image') ? `Back-off pulling image "${c.image}"` : undefined);
    return { ...base, state: { waiting: { reason: state.reason, ...(message ? { message } : {}) } } };
  });
  const notReady = `containers with unready status: [${names}]`;
  return {
    phase: ready || crash ? 'Running' : 'Pending',
    conditions: [
      cond('PodReadyToStartContainers', ready || crash),
      cond('Initialized', true),
      cond('Ready', ready, ready ? undefined : 'ContainersNotReady', ready ? undefined : notReady),
      cond('ContainersReady', ready, ready ? undefined : 'ContainersNotReady', ready ? undefined : notReady),
      cond('PodScheduled', true, undefined, undefined, startTime),
    ],
    hostIP,
    hostIPs: [{ ip: hostIP }],
    ...(podIP ? { podIP, podIPs: [{ ip: podIP }] } : {}),
    startTime,
    containerStatuses,
    qosClass: 'BestEffort',
  };
}

/** A pod created from a workload's template. */
export function podFromTemplate(template: any, name: string, ns: string, owner: Obj, extraLabels: Record<string, string>, uidValue: string): Obj {
  const spec = structuredClone(template?.spec ?? {});
  spec.nodeName = 'fake-control-plane';
  spec.restartPolicy ??= 'Always';
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.schedulerName ??= 'default-scheduler';
  spec.serviceAccountName ??= 'default';
  spec.terminationGracePeriodSeconds ??= 30;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: ns,
      uid: uidValue,
      creationTimestamp: timestamp(),
      generation: 1,
      labels: { ...(template?.metadata?.labels ?? {}), ...extraLabels },
      ...(template?.metadata?.annotations ? { annotations: { ...template.metadata.annotations } } : {}),
      ownerReferences: [{ apiVersion: owner.apiVersion, kind: owner.kind, name: owner.metadata.name, uid: owner.metadata.uid, controller: true, blockOwnerDeletion: true }],
    },
    spec,
    status: { phase: 'Pending', qosClass: 'BestEffort' },
  };
}
