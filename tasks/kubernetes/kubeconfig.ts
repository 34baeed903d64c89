/**
 * Loading the kubeconfig the way kubectl does (an explicit path, else every file in $KUBECONFIG
 * merged with the first occurrence winning, else ~/.kube/config), read from the task's
 * environment, and selecting a context in memory only: the file on disk is never written.
 */
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { TaskError, type TaskContext } from '../kind.js';
import { importExternal } from '../../runner/external.js';

/** A kubeconfig with the context to use selected. */
export interface LoadedKubeConfig {
  kc: KubeConfig;
  /** Files it was read from. */
  files: string[];
  contextName: string;
  /** The API server URL of the context's cluster. */
  server: string;
  /** The context's namespace, else `default`. */
  namespace: string;
}

function expandHome(p: string, env: TaskContext['env']): string {
  return p === '~' || p.startsWith('~/') ? path.join(env.HOME ?? os.homedir(), p.slice(1)) : p;
}

/** Candidate files, in precedence order, and whether they were named explicitly. */
function candidates(explicit: string | undefined, ctx: TaskContext): { files: string[]; explicit: boolean } {
  if (explicit) return { files: [path.resolve(ctx.playbookDir, expandHome(explicit, ctx.env))], explicit: true };
  const list = ctx.env.KUBECONFIG?.split(path.delimiter).filter((f) => f !== '');
  if (list && list.length) return { files: list.map((f) => path.resolve(expandHome(f, ctx.env))), explicit: false };
  return { files: [path.join(ctx.env.HOME ?? os.homedir(), '.kube', 'config')], explicit: false };
}

/** Load the kubeconfig for `with.kubeconfig` / `with.context` (TaskError when unusable). */
export async function loadKubeConfig(w: { kubeconfig?: string; context?: string }, ctx: TaskContext): Promise<LoadedKubeConfig> {
  const k8s = await importExternal<typeof import('@kubernetes/client-node')>('@kubernetes/client-node');
  const { files, explicit } = candidates(w.kubeconfig, ctx);
  const loaded: KubeConfig[] = [];
  const used: string[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT' && !explicit) continue;
      throw new TaskError(`cannot read kubeconfig ${file}: ${(e as Error).message}`, 'set `kubeconfig:` or KUBECONFIG to an existing file', true);
    }
    const kc = new k8s.KubeConfig();
    try {
      kc.loadFromString(text);
      kc.makePathsAbsolute(path.dirname(file));
    } catch (e) {
      throw new TaskError(`invalid kubeconfig ${file}: ${(e as Error).message}`, undefined, true);
    }
    loaded.push(kc);
    used.push(file);
  }
  if (loaded.length === 0) {
    throw new TaskError(`no kubeconfig found (looked at ${files.join(', ')})`, 'create the cluster first, or set `kubeconfig:` or KUBECONFIG', true);
  }
  const kc = merge(k8s, loaded);
  const contextName = w.context ?? kc.getCurrentContext();
  if (!contextName) {
    const names = kc.getContexts().map((c) => c.name);
    throw new TaskError(
      `the kubeconfig (${used.join(', ')}) has no current context`,
      names.length ? `set \`context:\` to one of: ${names.join(', ')}` : 'it defines no contexts either: point `kubeconfig:` at the cluster\'s kubeconfig',
      true,
    );
  }
  const context = kc.getContextObject(contextName);
  if (!context) {
    const names = kc.getContexts().map((c) => c.name);
    throw new TaskError(
      `kubeconfig context "${contextName}" not found in ${used.join(', ')}`,
      names.length ? `available contexts: ${names.join(', ')}` : 'the kubeconfig has no contexts',
      true,
    );
  }
  kc.setCurrentContext(contextName); // in memory only
  const user = kc.getCurrentUser();
  for (const secret of [user?.token, user?.password]) if (secret) ctx.secret(secret);
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new TaskError(`kubeconfig context "${contextName}" names cluster "${context.cluster}", which is not defined`, undefined, true);
  return { kc, files: used, contextName, server: cluster.server, namespace: context.namespace || 'default' };
}

/** kubectl's merge: the first file that sets a value (or defines a name) wins. */
function merge(k8s: typeof import('@kubernetes/client-node'), configs: KubeConfig[]): KubeConfig {
  if (configs.length === 1) return configs[0]!;
  const byName = <T extends { name: string }>(lists: T[][]): T[] => {
    const seen = new Map<string, T>();
    for (const list of lists) for (const x of list) if (!seen.has(x.name)) seen.set(x.name, x);
    return [...seen.values()];
  };
  const kc = new k8s.KubeConfig();
  kc.loadFromOptions({
    clusters: byName(configs.map((c) => c.getClusters())),
    users: byName(configs.map((c) => c.getUsers())),
    contexts: byName(configs.map((c) => c.getContexts())),
    currentContext: configs.map((c) => c.getCurrentContext()).find((x) => !!x) ?? '',
  });
  return kc;
}
