/**
 * The `kubernetes` task kind: works toward a desired state in a cluster. It ensures a namespace,
 * applies manifests (create if absent, patch only on drift), waits for readiness conditions and
 * optionally probes a controller with a test object. It returns what it observed, remembers
 * every object it creates BEFORE creating it, and its undo deletes only those (404 = done).
 *
 * @kubernetes/client-node is loaded lazily (inside `connect`), never at module load.
 */
import { type KindResult, type TaskContext, type TaskKind, type UndoInput } from './kind.js';
import { applyObject, ensureNamespace, resolveObject, type ApplyOutcome } from './kubernetes/apply.js';
import { connect, type KubeClient } from './kubernetes/client.js';
import { parseDuration } from './kubernetes/duration.js';
import { loadManifests } from './kubernetes/manifests.js';
import { runProbe } from './kubernetes/probe.js';
import { CreatedTracker, type UndoState } from './kubernetes/refs.js';
import { DEFAULT_API_VERSIONS, schema, type KubernetesWith } from './kubernetes/schema.js';
import { deleteCreated } from './kubernetes/undo.js';
import { observeWait, runWait } from './kubernetes/wait.js';

export type { KubernetesWith, ProbeSpec, WaitSpec } from './kubernetes/schema.js';

const isTemplate = (v: unknown) => typeof v === 'string' && v.includes('${{');

function validate(withValue: unknown): Array<{ path: Array<string | number>; message: string }> {
  const problems: Array<{ path: Array<string | number>; message: string }> = [];
  const w = (withValue ?? {}) as KubernetesWith;
  (Array.isArray(w.wait) ? w.wait : []).forEach((x, i) => {
    if (!x || typeof x !== 'object') return;
    if (typeof x.kind === 'string' && !isTemplate(x.kind) && !x.apiVersion && !DEFAULT_API_VERSIONS[x.kind]) {
      problems.push({ path: ['wait', i, 'apiVersion'], message: `apiVersion is required for kind ${x.kind}` });
    }
    const how = [x.name, x.names, x.selector].filter((v) => v !== undefined).length;
    if (how > 1) problems.push({ path: ['wait', i], message: 'use only one of name, names and selector' });
    if (x.timeout !== undefined && !isTemplate(x.timeout)) {
      try {
        parseDuration(x.timeout, 0);
      } catch (e) {
        problems.push({ path: ['wait', i, 'timeout'], message: (e as Error).message });
      }
    }
  });
  const probe = w.probe;
  if (probe && typeof probe === 'object' && probe.manifest && typeof probe.manifest === 'object') {
    const name = (probe.manifest as { metadata?: { name?: unknown } }).metadata?.name;
    if (typeof name !== 'string' || !name) problems.push({ path: ['probe', 'manifest', 'metadata', 'name'], message: 'the probe object needs a metadata.name' });
  }
  return problems;
}

/** The namespace manifests and waits default to. */
function defaultNamespace(w: KubernetesWith, client: KubeClient): string {
  return w.namespace ?? client.defaultNamespace;
}

async function run(w: KubernetesWith, ctx: TaskContext): Promise<KindResult> {
  const manifests = await loadManifests(w.manifests ?? [], ctx.playbookDir);
  const client = await connect(w, ctx);
  await client.ping();
  const tracker = new CreatedTracker(ctx);
  const ns = defaultNamespace(w, client);
  const counts: Record<ApplyOutcome, number> = { created: 0, updated: 0, unchanged: 0 };
  const updated: string[] = [];

  if (w.namespace) {
    const outcome = await ensureNamespace(client, w.namespace, tracker, ctx);
    if (outcome === 'created') ctx.log('info', `namespace ${w.namespace} created`);
  }
  const crdKinds = new Set(
    manifests.filter((m) => m.obj.kind === 'CustomResourceDefinition').map((m) => `${(m.obj.spec as { group?: string })?.group}/${(m.obj.spec as { names?: { kind?: string } })?.names?.kind}`),
  );
  for (const m of manifests) {
    ctx.progress(`applying ${m.obj.kind} ${m.obj.metadata.name}`);
    const pending = crdKinds.has(`${m.obj.apiVersion.split('/')[0]}/${m.obj.kind}`);
    const obj = await resolveObject(client, m.obj, ns, ctx, pending);
    const { outcome, ref } = await applyObject(client, obj, tracker);
    counts[outcome]++;
    if (outcome === 'updated') updated.push(ref);
    ctx.log(outcome === 'unchanged' ? 'debug' : 'info', `${ref} ${outcome}`);
  }
  const observed: Record<string, unknown> = {};
  for (const spec of w.wait ?? []) {
    const { label, observed: o } = await runWait(client, spec, ns, ctx);
    observed[label] = o;
    ctx.log('info', `${label}: ok`);
  }
  if (w.probe) {
    observed.probe = await runProbe(client, w.probe, ns, tracker, ctx);
    ctx.log('info', `probe ${w.probe.kind} reconciled`);
  }
  const created = [...tracker.created];
  const parts = [
    w.namespace ? `namespace ${w.namespace}${tracker.has(`v1/Namespace/${w.namespace}`) ? ' (created)' : ''}` : undefined,
    manifests.length ? `${counts.created} created, ${counts.updated} updated, ${counts.unchanged} unchanged` : undefined,
    w.wait?.length ? `${w.wait.length} wait(s) satisfied` : undefined,
    w.probe ? 'probe reconciled' : undefined,
  ].filter(Boolean);
  return {
    outputs: { namespace: ns, created, updated, observed },
    undo: created.length ? { ...tracker.state() } : null,
    summary: parts.join('; ') || 'nothing to do',
  };
}

async function satisfied(w: KubernetesWith, ctx: TaskContext): Promise<boolean> {
  try {
    const manifests = await loadManifests(w.manifests ?? [], ctx.playbookDir);
    const client = await connect(w, ctx);
    const ns = defaultNamespace(w, client);
    if (w.namespace) {
      const o = await client.get({ apiVersion: 'v1', kind: 'Namespace', name: w.namespace });
      if (!o || o.metadata.deletionTimestamp) return false;
    }
    for (const m of manifests) {
      const namespaced = await client.isNamespaced(m.obj.apiVersion, m.obj.kind);
      if (namespaced === undefined) return false;
      const key = { apiVersion: m.obj.apiVersion, kind: m.obj.kind, name: m.obj.metadata.name, namespace: namespaced ? m.obj.metadata.namespace ?? ns : undefined };
      if (!(await client.get(key))) return false;
    }
    for (const spec of w.wait ?? []) if (!(await observeWait(client, spec, ns)).done) return false;
    return true;
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    return false;
  }
}

async function undo(input: UndoInput<KubernetesWith>, ctx: TaskContext): Promise<void> {
  if (input.with.deleteOnUndo === false) {
    ctx.log('info', 'deleteOnUndo is false: leaving the objects in place');
    return;
  }
  const state = input.state as Partial<UndoState>;
  const created = Array.isArray(state.created) ? state.created.filter((x): x is string => typeof x === 'string') : [];
  if (created.length === 0) return;
  const client = await connect(input.with, ctx);
  const { deleted, absent, kept } = await deleteCreated(client, created, state.uids ?? {}, ctx);
  ctx.log('info', `deleted ${deleted.length}, already gone ${absent.length}${kept.length ? `, left ${kept.length} replaced by someone else` : ''}`);
}

/** The `kubernetes` kind. */
export const kubernetesKind: TaskKind<KubernetesWith> = {
  name: 'kubernetes',
  description: 'Ensure a namespace, apply manifests, wait for readiness and probe controllers in a Kubernetes cluster',
  schema,
  outputs: {
    namespace: { description: 'The namespace used by default (`namespace`, else the context namespace).' },
    created: { description: 'Objects this task created ("apps/v1/Deployment/pallet/registry"); undo deletes these.' },
    updated: { description: 'Existing objects patched because they drifted from the manifests.' },
    observed: { description: 'What each wait observed (keyed by the wait, e.g. "Deployment pallet/registry Available": readyReplicas, conditions...), and the probe result.' },
  },
  validate,
  satisfied,
  run,
  undo,
};
