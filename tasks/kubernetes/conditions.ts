/**
 * Reading object status: whether an object meets a wait condition, a compact summary of what was
 * observed (for outputs), and human descriptions of why it does not (pod phases, container
 * waiting reasons such as ImagePullBackOff or CrashLoopBackOff, condition messages).
 */
import type { KObj } from './client.js';

type Any = Record<string, any>;

const WORKLOADS = new Set(['Deployment', 'StatefulSet', 'ReplicaSet', 'DaemonSet']);

function status(o: KObj): Any {
  return (o.status as Any) ?? {};
}

function conditions(o: KObj): Any[] {
  return Array.isArray(status(o).conditions) ? status(o).conditions : [];
}

/** Desired and ready replica counts of a workload. */
export function replicaCounts(o: KObj): { want: number; ready: number; available: number; current: boolean } {
  const s = status(o);
  const spec = (o.spec as Any) ?? {};
  const gen = o.metadata.generation as number | undefined;
  const current = gen === undefined || s.observedGeneration === undefined || s.observedGeneration >= gen;
  if (o.kind === 'DaemonSet') return { want: s.desiredNumberScheduled ?? 0, ready: s.numberReady ?? 0, available: s.numberAvailable ?? 0, current };
  return { want: typeof spec.replicas === 'number' ? spec.replicas : 1, ready: s.readyReplicas ?? 0, available: s.availableReplicas ?? 0, current };
}

/** Whether `o` meets `condition`. */
export function meets(o: KObj, condition: string): boolean {
  if (condition === 'exists') return true;
  if (o.metadata.deletionTimestamp) return false;
  const c = conditions(o).find((x) => x.type === condition);
  if (WORKLOADS.has(o.kind)) {
    const r = replicaCounts(o);
    if (condition === 'Ready') return r.current && r.ready >= r.want;
    if (condition === 'Available' && o.kind === 'Deployment') return r.current && c?.status === 'True' && r.available >= r.want;
    if (condition === 'Available' && !c) return r.current && r.available >= r.want;
  }
  if (c) return c.status === 'True';
  return status(o).phase === condition;
}

/** The observed state worth returning as output (replica counts, phase, condition statuses). */
export function compact(o: KObj): Record<string, unknown> {
  const s = status(o);
  const out: Record<string, unknown> = {};
  for (const k of ['replicas', 'readyReplicas', 'availableReplicas', 'updatedReplicas', 'numberReady', 'desiredNumberScheduled', 'phase']) {
    if (s[k] !== undefined) out[k] = s[k];
  }
  const conds = conditions(o);
  if (conds.length) out.conditions = Object.fromEntries(conds.map((c) => [c.type, c.status]));
  return out;
}

/** Short state for progress lines: "0/1 ready", "Pending", "Established=False". */
export function shortState(o: KObj, condition: string): string {
  if (WORKLOADS.has(o.kind)) {
    const r = replicaCounts(o);
    return `${r.ready}/${r.want} ready`;
  }
  if (o.metadata.deletionTimestamp) return 'being deleted';
  const c = conditions(o).find((x) => x.type === condition);
  if (c) return `${condition}=${c.status}${c.reason ? ` (${c.reason})` : ''}`;
  return String(status(o).phase ?? `no ${condition} condition yet`);
}

function containerStates(o: KObj): string[] {
  const s = status(o);
  const all: Any[] = [...(s.initContainerStatuses ?? []), ...(s.containerStatuses ?? [])];
  return all
    .filter((c) => !c.ready)
    .map((c) => {
      const st = c.state ?? {};
      const restarts = c.restartCount ? `, ${c.restartCount} restarts` : '';
      if (st.waiting) return `container ${c.name} waiting: ${st.waiting.reason ?? 'unknown'}${st.waiting.message ? ` (${st.waiting.message})` : ''}${restarts}`;
      if (st.terminated) return `container ${c.name} terminated: ${st.terminated.reason ?? ''} exit code ${st.terminated.exitCode}${restarts}`;
      if (st.running) return `container ${c.name} running, not ready${restarts}`;
      return `container ${c.name} not ready`;
    });
}

/** Messages of the conditions that are not True. */
function failingConditions(o: KObj): string[] {
  return conditions(o)
    .filter((c) => c.status !== 'True' && (c.message || c.reason))
    .map((c) => `${c.type}=${c.status}${c.reason ? ` ${c.reason}` : ''}${c.message ? `: ${c.message}` : ''}`);
}

/** A full description of `o`'s state, for timeout messages. */
export function describe(o: KObj, condition: string): string {
  const name = `${o.kind} ${o.metadata.namespace ? o.metadata.namespace + '/' : ''}${o.metadata.name}`;
  if (o.kind === 'Pod') {
    const s = status(o);
    const parts = [`phase ${s.phase ?? 'unknown'}`, ...containerStates(o)];
    if (!containerStates(o).length) parts.push(...failingConditions(o));
    return `${name}: ${parts.join('; ')}`;
  }
  const parts = [shortState(o, condition), ...failingConditions(o)];
  return `${name}: ${parts.join('; ')}`;
}

/** The short reason a pod is not ready ("ImagePullBackOff"), for progress lines. */
export function podReason(o: KObj): string | undefined {
  for (const c of [...(status(o).initContainerStatuses ?? []), ...(status(o).containerStatuses ?? [])] as Any[]) {
    if (!c.ready && c.state?.waiting?.reason) return c.state.waiting.reason;
    if (!c.ready && c.state?.terminated?.reason) return c.state.terminated.reason;
  }
  return undefined;
}

/** A label selector string for a workload's `spec.selector.matchLabels`, if any. */
export function podSelector(o: KObj): string | undefined {
  const ml = ((o.spec as Any)?.selector?.matchLabels ?? {}) as Record<string, string>;
  const parts = Object.entries(ml).map(([k, v]) => `${k}=${v}`);
  return parts.length ? parts.join(',') : undefined;
}

export const isWorkload = (kind: string) => WORKLOADS.has(kind);
