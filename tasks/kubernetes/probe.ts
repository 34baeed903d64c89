/**
 * The probe: create a test object (e.g. a Kalypso Workload), wait until its controller has
 * reconciled it (a status field appears or has a value), then delete it. The object is
 * remembered as created before the create and forgotten once deleted, so an interrupted probe
 * is cleaned up by undo.
 */
import { TaskError, type TaskContext } from '../kind.js';
import type { KObj, KubeClient } from './client.js';
import { parseDuration } from './duration.js';
import { pollUntil } from './poll.js';
import { formatRef, type CreatedTracker } from './refs.js';
import { isSubset, resolveObject } from './apply.js';
import type { ProbeSpec } from './schema.js';

const DEFAULT_TIMEOUT_MS = 5 * 60_000;

/** The value at a dotted path (`status.conditions.0.type`). */
export function valueAt(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const part of path.split('.').filter((p) => p !== '')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

function reconciled(value: unknown, until: NonNullable<ProbeSpec['until']>): boolean {
  if ('equals' in until) return value !== undefined && isSubset(until.equals, value) && isSubset(value, until.equals);
  return value !== undefined && value !== null;
}

function clip(v: unknown): string {
  const s = JSON.stringify(v);
  return s === undefined ? 'nothing' : s.length > 400 ? `${s.slice(0, 400)}...` : s;
}

/** Run the probe; returns what was observed at the path. */
export async function runProbe(client: KubeClient, p: ProbeSpec, defaultNs: string, tracker: CreatedTracker, ctx: TaskContext): Promise<Record<string, unknown>> {
  const m = p.manifest as Partial<KObj>;
  if ((m.apiVersion && m.apiVersion !== p.apiVersion) || (m.kind && m.kind !== p.kind)) {
    throw new TaskError(`probe: manifest is ${m.apiVersion} ${m.kind} but probe names ${p.apiVersion} ${p.kind}`, undefined, true);
  }
  const name = (m.metadata as { name?: string } | undefined)?.name;
  if (!name) throw new TaskError('probe: manifest.metadata.name is required', undefined, true);
  const base = { ...structuredClone(m), apiVersion: p.apiVersion, kind: p.kind, metadata: { ...structuredClone(m.metadata), name } } as KObj;
  if (p.namespace && !base.metadata.namespace) base.metadata.namespace = p.namespace;
  const obj = await resolveObject(client, base, defaultNs, ctx, false);
  const key = { apiVersion: obj.apiVersion, kind: obj.kind, name, namespace: obj.metadata.namespace };
  const ref = formatRef(key);
  const label = `${p.kind} ${key.namespace ? key.namespace + '/' : ''}${name}`;
  const until = p.until ?? { path: 'status', exists: true as const };

  if (await client.get(key)) {
    // a leftover of an interrupted run: start from a fresh object so reconciliation is observed anew
    ctx.log('info', `probe ${label} already exists; deleting it first`);
    await client.delete(key);
    await pollUntil(ctx, {
      label: `${label} (old probe) to be deleted`,
      timeoutMs: 60_000,
      observe: async () => ({ done: !(await client.get(key)), progress: 'still there' }),
    });
  }
  await tracker.willCreate(ref);
  const made = await client.create(obj);
  await tracker.createdAs(ref, made.metadata.uid);

  let result: unknown;
  try {
    await pollUntil(ctx, {
      label: `${label} to be reconciled (${until.path})`,
      timeoutMs: parseDuration(p.timeout, DEFAULT_TIMEOUT_MS),
      hint: `is the controller for ${p.kind} running? check its pods and logs`,
      observe: async () => {
        const live = await client.get(key);
        if (!live) return { done: false, progress: 'the probe object disappeared', detail: 'the probe object was deleted by someone else' };
        result = valueAt(live, until.path);
        const done = reconciled(result, until);
        return { done, progress: result === undefined ? `${until.path} not set yet` : `${until.path} = ${clip(result)}`, detail: `last seen status: ${clip(live.status)}` };
      },
    });
  } finally {
    if (p.delete !== false && !ctx.signal.aborted) {
      const gone = await client.delete(key, made.metadata.uid).catch(() => undefined);
      if (gone && gone.result !== 'conflict') await tracker.forget(ref);
    }
  }
  return { path: until.path, value: result, deleted: p.delete !== false };
}
