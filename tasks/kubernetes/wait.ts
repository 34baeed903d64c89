/**
 * Waits: find the objects a wait names (by name, names or label selector), check the condition,
 * and poll until it holds; on timeout report the last observed state, including the pods of a
 * workload that is not ready (their phases and container waiting reasons).
 */
import { TaskError, type TaskContext } from '../kind.js';
import type { KObj, KubeClient } from './client.js';
import { compact, describe, isWorkload, meets, podReason, podSelector, shortState } from './conditions.js';
import { parseDuration } from './duration.js';
import { pollUntil, type Observation } from './poll.js';
import { DEFAULT_API_VERSIONS, type WaitSpec } from './schema.js';

const DEFAULT_TIMEOUT_MS = 5 * 60_000;

/** The apiVersion of a wait (explicit, or the default for common kinds). */
export function waitApiVersion(w: WaitSpec): string {
  const v = w.apiVersion ?? DEFAULT_API_VERSIONS[w.kind];
  if (!v) throw new TaskError(`wait for ${w.kind}: apiVersion is required for this kind`, undefined, true);
  return v;
}

function target(w: WaitSpec, ns: string | undefined): string {
  const p = ns ? `${ns}/` : '';
  if (w.name) return `${w.kind} ${p}${w.name}`;
  if (w.names) return w.names.length === 1 ? `${w.kind} ${p}${w.names[0]}` : `${w.kind} ${p}(${w.names.length} names)`;
  return `${w.kind} ${p}(${w.selector ? w.selector : 'all'})`;
}

/** "Deployment pallet/registry Available": the wait's label (and its key in `observed`). */
export function waitLabel(w: WaitSpec, ns: string | undefined): string {
  return `${target(w, ns)} ${w.condition}`;
}

async function findObjects(client: KubeClient, w: WaitSpec, apiVersion: string, ns: string | undefined): Promise<{ objs: KObj[]; missing: string[] }> {
  const names = w.names ?? (w.name ? [w.name] : undefined);
  if (!names) return { objs: await client.list(apiVersion, w.kind, ns, w.selector), missing: [] };
  const objs: KObj[] = [];
  const missing: string[] = [];
  for (const name of names) {
    const o = await client.get({ apiVersion, kind: w.kind, name, namespace: ns });
    if (o) objs.push(o);
    else missing.push(name);
  }
  return { objs, missing };
}

/** Why a workload's pods are not ready (up to 5 pods). */
async function podDetails(client: KubeClient, o: KObj): Promise<string[]> {
  const sel = podSelector(o);
  if (!sel) return [];
  const pods = await client.list('v1', 'Pod', o.metadata.namespace, sel);
  return pods
    .filter((p) => !meets(p, 'Ready'))
    .slice(0, 5)
    .map((p) => describe({ ...p, kind: 'Pod' }, 'Ready'));
}

/** One observation of a wait (read-only). */
export async function observeWait(client: KubeClient, w: WaitSpec, defaultNs: string): Promise<Observation<Record<string, unknown>>> {
  const apiVersion = waitApiVersion(w);
  const namespaced = await client.isNamespaced(apiVersion, w.kind);
  if (namespaced === undefined) return { done: false, progress: `the cluster does not serve ${apiVersion} ${w.kind} (yet)` };
  const ns = namespaced ? w.namespace ?? defaultNs : undefined;
  const { objs, missing } = await findObjects(client, w, apiVersion, ns);
  const ok = objs.filter((o) => meets(o, w.condition));
  const named = w.names ?? (w.name ? [w.name] : undefined);
  const required = named ? named.length : w.count ?? 1;
  const done = named ? missing.length === 0 && ok.length === objs.length : ok.length >= required;
  const value: Record<string, unknown> = {
    matched: objs.length,
    satisfied: ok.length,
    ...(objs.length === 1 ? compact(objs[0]!) : {}),
    objects: Object.fromEntries(objs.map((o) => [o.metadata.name, compact(o)])),
  };
  if (done) return { done, progress: 'done', value };

  const notOk = objs.filter((o) => !meets(o, w.condition));
  const pods: string[] = [];
  for (const o of notOk.slice(0, 3)) if (isWorkload(o.kind)) pods.push(...(await podDetails(client, o)));
  if (w.kind === 'Pod') pods.push(...notOk.slice(0, 5).map((p) => describe(p, w.condition)));
  const reason = [...notOk.filter((o) => o.kind === 'Pod')].map(podReason).find(Boolean) ?? pods.map((p) => /waiting: (\w+)/.exec(p)?.[1]).find(Boolean);
  let progress: string;
  if (named && named.length === 1) progress = objs[0] ? shortState(objs[0], w.condition) : 'not found';
  else progress = `${ok.length}/${required} ${w.condition}`;
  if (reason) progress += ` (${reason})`;
  const detail = [
    ...(missing.length ? [`not found: ${missing.join(', ')}`] : []),
    ...(objs.length === 0 && !named ? [`no ${w.kind} matches${w.selector ? ` ${w.selector}` : ''}${ns ? ` in namespace ${ns}` : ''}`] : []),
    ...(w.kind === 'Pod' ? [] : notOk.slice(0, 10).map((o) => describe(o, w.condition))),
    ...pods,
  ].join('; ');
  return { done, progress, detail: detail || progress, value };
}

/** A kubectl command to look closer at what a wait is stuck on. */
function inspectHint(client: KubeClient, w: WaitSpec, ns: string | undefined): string {
  const base = `kubectl --context ${client.contextName}${ns ? ` -n ${ns}` : ''}`;
  const what = w.name ? `${w.kind.toLowerCase()} ${w.name}` : w.selector ? `${w.kind.toLowerCase()} -l ${w.selector}` : w.kind.toLowerCase();
  return `inspect with: ${base} describe ${what}`;
}

/** Wait until the condition holds; returns its label and the observed state. */
export async function runWait(client: KubeClient, w: WaitSpec, defaultNs: string, ctx: TaskContext): Promise<{ label: string; observed: Record<string, unknown> }> {
  const apiVersion = waitApiVersion(w);
  const namespaced = (await client.isNamespaced(apiVersion, w.kind)) ?? true;
  const label = waitLabel(w, namespaced ? w.namespace ?? defaultNs : undefined);
  const observed = await pollUntil(ctx, {
    label,
    timeoutMs: parseDuration(w.timeout, DEFAULT_TIMEOUT_MS),
    observe: () => observeWait(client, w, defaultNs),
    hint: inspectHint(client, w, namespaced ? w.namespace ?? defaultNs : undefined),
  });
  return { label, observed: observed ?? {} };
}
