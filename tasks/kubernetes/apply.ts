/**
 * Converging objects: observe, create when absent (remembered as created BEFORE the request),
 * merge-patch only when the live object drifted from the manifest, leave it alone otherwise.
 */
import { TaskError, type TaskContext } from '../kind.js';
import type { KObj, KubeClient, ObjKey } from './client.js';
import { pollUntil } from './poll.js';
import { formatRef, type CreatedTracker } from './refs.js';

export type ApplyOutcome = 'created' | 'updated' | 'unchanged';

/** Whether every value of `want` is present and equal in `have` (server-added fields are ignored). */
export function isSubset(want: unknown, have: unknown): boolean {
  if (Array.isArray(want)) {
    return Array.isArray(have) && want.length === have.length && want.every((w, i) => isSubset(w, have[i]));
  }
  if (want && typeof want === 'object') {
    if (!have || typeof have !== 'object' || Array.isArray(have)) return false;
    return Object.entries(want).every(([k, v]) => isSubset(v, (have as Record<string, unknown>)[k]));
  }
  if (typeof want === 'number' && typeof have === 'string') return String(want) === have;
  return want === have;
}

/** The part of a manifest compared and patched: no status, no server-owned metadata. */
function desiredPart(o: KObj): KObj {
  const { status: _status, ...rest } = o;
  const m = { ...o.metadata };
  for (const f of ['uid', 'resourceVersion', 'creationTimestamp', 'generation', 'managedFields', 'selfLink', 'deletionTimestamp']) delete m[f];
  return { ...rest, metadata: m } as KObj;
}

/** Wait for a namespace that is being deleted to be gone (bounded). */
async function waitGone(client: KubeClient, key: ObjKey, ctx: TaskContext, timeoutMs: number): Promise<void> {
  await pollUntil(ctx, {
    label: `${key.kind} ${key.namespace ? key.namespace + '/' : ''}${key.name} to be deleted`,
    timeoutMs,
    observe: async () => {
      const o = await client.get(key);
      return { done: !o, progress: o ? `still there${o.metadata.deletionTimestamp ? ' (Terminating)' : ''}` : 'gone' };
    },
  });
}

/** Ensure a namespace exists; a Terminating one is waited out and created again. */
export async function ensureNamespace(client: KubeClient, name: string, tracker: CreatedTracker, ctx: TaskContext): Promise<ApplyOutcome> {
  const key: ObjKey = { apiVersion: 'v1', kind: 'Namespace', name };
  const ref = formatRef(key);
  let cur = await client.get(key);
  if (cur?.metadata.deletionTimestamp) {
    ctx.log('info', `namespace ${name} is being deleted; waiting for it to go before creating it again`);
    await waitGone(client, key, ctx, 5 * 60_000);
    cur = undefined;
  }
  if (cur) return 'unchanged';
  await tracker.willCreate(ref, { namespace: true });
  try {
    const made = await client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    await tracker.createdAs(ref, made.metadata.uid);
    return 'created';
  } catch (e) {
    if ((e as { reason?: string }).reason === 'AlreadyExists') {
      await tracker.forget(ref, { namespace: true });
      return 'unchanged';
    }
    throw e;
  }
}

/** The namespace-resolved identity of a manifest (cluster-scoped objects lose any namespace). */
export async function resolveObject(client: KubeClient, obj: KObj, defaultNs: string, ctx: TaskContext, crdPending: boolean): Promise<KObj> {
  let namespaced = await client.isNamespaced(obj.apiVersion, obj.kind);
  if (namespaced === undefined && crdPending) {
    // a CRD applied just before may take a moment to be served
    await pollUntil(ctx, {
      label: `the cluster to serve ${obj.apiVersion} ${obj.kind}`,
      timeoutMs: 60_000,
      observe: async () => {
        namespaced = await client.isNamespaced(obj.apiVersion, obj.kind);
        return { done: namespaced !== undefined, progress: 'not served yet' };
      },
    });
  }
  if (namespaced === undefined) {
    throw new TaskError(`the cluster does not serve ${obj.apiVersion} ${obj.kind} (${obj.metadata.name})`, 'is its CustomResourceDefinition installed? check apiVersion and kind', true);
  }
  const out = structuredClone(obj);
  if (namespaced) out.metadata.namespace = obj.metadata.namespace ?? defaultNs;
  else delete out.metadata.namespace;
  return out;
}

/** Apply one (namespace-resolved) object. */
export async function applyObject(client: KubeClient, obj: KObj, tracker: CreatedTracker, retried = false): Promise<{ outcome: ApplyOutcome; ref: string; live: KObj }> {
  const key: ObjKey = { apiVersion: obj.apiVersion, kind: obj.kind, name: obj.metadata.name, namespace: obj.metadata.namespace };
  const ref = formatRef(key);
  const want = desiredPart(obj);
  const cur = await client.get(key);
  if (!cur) {
    await tracker.willCreate(ref);
    try {
      const made = await client.create(want);
      await tracker.createdAs(ref, made.metadata.uid);
      return { outcome: 'created', ref, live: made };
    } catch (e) {
      if ((e as { reason?: string }).reason !== 'AlreadyExists' || retried) throw e;
      await tracker.forget(ref); // someone else created it in between: not ours
      return applyObject(client, obj, tracker, true);
    }
  }
  if (isSubset(want, cur)) return { outcome: 'unchanged', ref, live: cur };
  const live = await client.mergePatch(want);
  return { outcome: 'updated', ref, live };
}
