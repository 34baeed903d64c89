/**
 * Undo: delete what the task created, in reverse order with namespaces last, treating "not
 * found" as done, never deleting a same-named object that replaced ours (uid precondition), and
 * waiting for deleted namespaces to finish Terminating.
 */
import { TaskError, type TaskContext } from '../kind.js';
import type { KubeClient, ObjKey } from './client.js';
import { pollUntil } from './poll.js';
import { parseRef } from './refs.js';

const NAMESPACE_GONE_TIMEOUT_MS = 5 * 60_000;

/** Deletion order: reverse creation order, namespaces after everything else. */
export function deletionOrder(created: readonly string[]): string[] {
  const rev = [...new Set(created)].reverse();
  const isNs = (r: string) => /^v1\/Namespace\//.test(r);
  return [...rev.filter((r) => !isNs(r)), ...rev.filter(isNs)];
}

/** Delete the created objects; throws a TaskError listing every deletion that failed. */
export async function deleteCreated(client: KubeClient, created: readonly string[], uids: Readonly<Record<string, string>>, ctx: TaskContext): Promise<{ deleted: string[]; absent: string[]; kept: string[] }> {
  const deleted: string[] = [];
  const absent: string[] = [];
  const kept: string[] = [];
  const failures: string[] = [];
  const namespaces: ObjKey[] = [];
  for (const ref of deletionOrder(created)) {
    let key: ObjKey;
    try {
      key = parseRef(ref);
    } catch (e) {
      failures.push((e as Error).message);
      continue;
    }
    try {
      const out = await client.delete(key, uids[ref]);
      if (out.result === 'absent') absent.push(ref);
      else if (out.result === 'deleted') deleted.push(ref);
      else if (key.kind === 'Namespace' && /being terminated|ensuring all content is removed/i.test(out.message ?? '')) deleted.push(ref);
      else {
        kept.push(ref);
        ctx.log('warn', `${ref} was not deleted: ${out.message ?? 'conflict'} (it is not the object this task created)`);
        continue;
      }
      if (key.kind === 'Namespace' && key.apiVersion === 'v1' && out.result !== 'absent') namespaces.push(key);
    } catch (e) {
      if ((e as Error).name === 'AbortError') throw e;
      failures.push(`${ref}: ${(e as Error).message}`);
    }
  }
  for (const ns of namespaces) {
    try {
      await pollUntil(ctx, {
        label: `namespace ${ns.name} to be deleted`,
        timeoutMs: NAMESPACE_GONE_TIMEOUT_MS,
        hint: `see what is left: kubectl --context ${client.contextName} get namespace ${ns.name} -o yaml`,
        observe: async () => {
          const o = await client.get(ns);
          const conds = ((o?.status as { conditions?: Array<{ status: string; message?: string }> } | undefined)?.conditions ?? [])
            .filter((c) => c.status === 'True' && c.message)
            .map((c) => c.message);
          return { done: !o, progress: o ? `${(o.status as { phase?: string } | undefined)?.phase ?? 'present'}` : 'gone', detail: o ? `still ${(o.status as { phase?: string })?.phase ?? 'present'}${conds.length ? `: ${conds.join('; ')}` : ''}` : undefined };
        },
      });
    } catch (e) {
      if ((e as Error).name === 'AbortError') throw e;
      failures.push((e as Error).message);
    }
  }
  if (failures.length) throw new TaskError(`undo could not delete everything: ${failures.join('; ')}`, 'run undo again once the cause is fixed; objects already deleted are skipped');
  return { deleted, absent, kept };
}
