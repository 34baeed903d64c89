/**
 * "Controller behaviours": how the fake's built-in controllers move objects toward their steady
 * state. Progress is driven by reads, not time, so tests are deterministic with a fake clock:
 * each GET of an object (or a list that contains it, or a read of a workload's pods) is one read.
 */

/** A rule; the LAST rule that matches an object wins. */
export interface Behaviour {
  /** Kind the rule applies to (`Deployment`, `StatefulSet`, `DaemonSet`, `Pod`, `PersistentVolumeClaim`,
   *  `Namespace`, `CustomResourceDefinition`, or any custom kind). */
  kind: string;
  /** Restrict to an apiVersion (custom kinds sharing a name across groups). */
  apiVersion?: string;
  namespace?: string;
  name?: string;
  /**
   * How many reads still see the object in its initial state; read number `afterReads + 1`
   * sees the steady state (workload ready, Pod Ready, PVC Bound, CRD Established, custom object
   * reconciled, a deleted Namespace gone). 0 = the first read already sees it.
   */
  afterReads?: number;
  /** Workloads and Pods: never become ready; containers wait with this reason. */
  failWith?: { reason: string; message?: string };
  /** Custom objects: the `status` merged in when reconciled (the "reconciler"). */
  status?: Record<string, unknown>;
  /** Never reach the steady state (a Namespace stuck Terminating, a PVC stuck Pending...). */
  never?: boolean;
}

/** Defaults when no rule matches (`afterReads`). */
export const DEFAULT_AFTER_READS: Record<string, number> = {
  Deployment: 0,
  StatefulSet: 0,
  DaemonSet: 0,
  ReplicaSet: 0,
  Pod: 0,
  PersistentVolumeClaim: 0,
  CustomResourceDefinition: 0,
  /** A deleted namespace is seen Terminating by one read, then it is gone. */
  Namespace: 1,
};

/** The rule for an object, if any. */
export function behaviourFor(
  rules: readonly Behaviour[],
  obj: { apiVersion?: string; kind?: string; metadata?: { name?: string; namespace?: string } },
): Behaviour | undefined {
  for (let i = rules.length - 1; i >= 0; i--) {
    const r = rules[i]!;
    if (r.kind !== obj.kind) continue;
    if (r.apiVersion !== undefined && r.apiVersion !== obj.apiVersion) continue;
    if (r.namespace !== undefined && r.namespace !== obj.metadata?.namespace) continue;
    if (r.name !== undefined && r.name !== obj.metadata?.name) continue;
    return r;
  }
  return undefined;
}
