/**
 * Merging a cluster's kubeconfig into the user's kubeconfig file as its own context, and
 * removing it again. Entries are replaced by name; every other entry, and current-context
 * (unless the file had none), are left alone. Writes are atomic (temp file + rename), mode 0600.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { parse, stringify } from 'yaml';
import { TaskError } from '../kind.js';

type Named = { name?: unknown } & Record<string, unknown>;
type Section = 'clusters' | 'users' | 'contexts';
const SECTIONS: readonly Section[] = ['clusters', 'users', 'contexts'];

/** Names of the entries a merge added (did not exist before), per section. */
export type KubeconfigEntries = Record<Section, string[]>;

export interface MergePlan {
  /** The file's new text. */
  text: string;
  /** Entries that did not exist before the merge. */
  added: KubeconfigEntries;
  /** True when the file had no current-context and the merge set it. */
  setCurrentContext: boolean;
  /** Values of the incoming user entry that are credentials (to be masked). */
  secrets: string[];
}

/** Reads and parses a kubeconfig file; a missing or empty file is an empty config. */
export async function readKubeconfig(path: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return emptyConfig();
    throw new TaskError(`cannot read kubeconfig ${path}: ${(e as Error).message}`);
  }
  return parseConfig(text, path);
}

function parseConfig(text: string, source: string): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (e) {
    throw new TaskError(`kubeconfig ${source} is not valid YAML: ${(e as Error).message.split('\n')[0]}`, 'fix or move the file, then retry');
  }
  if (doc === null || doc === undefined) return emptyConfig();
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new TaskError(`kubeconfig ${source} is not a mapping`);
  const config = doc as Record<string, unknown>;
  for (const s of SECTIONS) {
    if (config[s] === undefined || config[s] === null) config[s] = [];
    if (!Array.isArray(config[s])) throw new TaskError(`kubeconfig ${source}: \`${s}\` is not a list`);
  }
  return config;
}

function emptyConfig(): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'Config', preferences: {}, clusters: [], users: [], contexts: [], 'current-context': '' };
}

/**
 * Plans merging `incoming` (an AKS kubeconfig, YAML) into `current` under the context name
 * `contextName`. The cluster and user entries keep the names AKS gave them (as
 * `az aks get-credentials` does); the context is renamed.
 */
export function planMerge(current: Record<string, unknown>, incoming: string, contextName: string): MergePlan {
  const src = parseConfig(incoming, 'returned by AKS');
  const srcContexts = src.contexts as Named[];
  const wanted = srcContexts.find((c) => c.name === src['current-context']) ?? srcContexts[0];
  const ctxBody = (wanted?.context ?? {}) as Record<string, unknown>;
  const cluster = (src.clusters as Named[]).find((c) => c.name === ctxBody.cluster) ?? (src.clusters as Named[])[0];
  const user = (src.users as Named[]).find((u) => u.name === ctxBody.user) ?? (src.users as Named[])[0];
  if (!cluster || !user || typeof cluster.name !== 'string' || typeof user.name !== 'string') {
    throw new TaskError('the kubeconfig returned by AKS has no cluster or user entry');
  }
  const context: Named = { name: contextName, context: { ...ctxBody, cluster: cluster.name, user: user.name } };
  const added: KubeconfigEntries = { clusters: [], users: [], contexts: [] };
  const next = { ...current };
  const upsert = (section: Section, entry: Named) => {
    const list = [...(next[section] as Named[])];
    const i = list.findIndex((e) => e?.name === entry.name);
    if (i >= 0) list[i] = entry;
    else {
      list.push(entry);
      added[section].push(entry.name as string);
    }
    next[section] = list;
  };
  upsert('clusters', cluster);
  upsert('users', user);
  upsert('contexts', context);
  const hadCurrent = typeof current['current-context'] === 'string' && current['current-context'] !== '';
  if (!hadCurrent) next['current-context'] = contextName;
  return { text: stringify(next), added, setCurrentContext: !hadCurrent, secrets: credentialValues(user) };
}

/** Removes the named entries; clears current-context when it names a removed context. */
export function planRemoval(current: Record<string, unknown>, entries: KubeconfigEntries): { text: string; changed: boolean } {
  const next = { ...current };
  let changed = false;
  for (const s of SECTIONS) {
    const names = new Set(entries[s] ?? []);
    const list = (next[s] as Named[]).filter((e) => !names.has(e?.name as string));
    if (list.length !== (next[s] as Named[]).length) changed = true;
    next[s] = list;
  }
  if (typeof next['current-context'] === 'string' && (entries.contexts ?? []).includes(next['current-context'])) {
    next['current-context'] = '';
    changed = true;
  }
  return { text: stringify(next), changed };
}

/** True when the file has a context named `contextName`. */
export function hasContext(config: Record<string, unknown>, contextName: string): boolean {
  return (config.contexts as Named[]).some((c) => c?.name === contextName);
}

function credentialValues(user: Named): string[] {
  const body = (user.user ?? {}) as Record<string, unknown>;
  return ['token', 'client-key-data', 'password']
    .map((k) => body[k])
    .filter((v): v is string => typeof v === 'string' && v.length >= 8);
}

/** Writes `text` to `path` atomically (temp file in the same directory, fsync, rename), mode 0600. */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const fh = await open(tmp, 'wx', 0o600);
    try {
      await fh.writeFile(text, 'utf8');
      await fh.sync();
    } finally {
      await fh.close();
    }
    await chmod(tmp, 0o600);
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw new TaskError(`cannot write kubeconfig ${path}: ${(e as Error).message}`);
  }
}
