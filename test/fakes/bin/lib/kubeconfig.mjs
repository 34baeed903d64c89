/**
 * Reading and editing kubeconfig files like kind and helm do: the file is --kubeconfig, else
 * the first entry of $KUBECONFIG, else ~/.kube/config; a context resolves to a server URL, a CA
 * and a token.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse, stringify } from 'yaml';

/** The kubeconfig file to read and write. */
export function kubeconfigPath(explicit) {
  if (explicit) return path.resolve(explicit);
  const list = (process.env.KUBECONFIG ?? '').split(path.delimiter).filter(Boolean);
  if (list.length) return path.resolve(list[0]);
  return path.join(process.env.HOME ?? os.homedir(), '.kube', 'config');
}

/** The parsed kubeconfig (an empty Config when the file does not exist). */
export function readKubeconfig(file) {
  let doc;
  try {
    doc = parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    if (e.code !== 'ENOENT') throw e;
  }
  doc ??= {};
  doc.apiVersion ??= 'v1';
  doc.kind ??= 'Config';
  doc.clusters ??= [];
  doc.contexts ??= [];
  doc.users ??= [];
  doc['current-context'] ??= '';
  doc.preferences ??= {};
  return doc;
}

export function writeKubeconfig(file, doc) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, stringify(doc), { mode: 0o600 });
}

function upsert(list, entry) {
  const i = list.findIndex((x) => x.name === entry.name);
  if (i >= 0) list[i] = entry;
  else list.push(entry);
}

/** Adds (or replaces) cluster, user and context `name`, and makes it the current context. */
export function addContext(file, name, { server, caPem, token }) {
  const doc = readKubeconfig(file);
  const cluster = { server };
  if (caPem) cluster['certificate-authority-data'] = Buffer.from(caPem).toString('base64');
  else cluster['insecure-skip-tls-verify'] = true;
  upsert(doc.clusters, { name, cluster });
  upsert(doc.users, { name, user: token ? { token } : {} });
  upsert(doc.contexts, { name, context: { cluster: name, user: name } });
  doc['current-context'] = name;
  writeKubeconfig(file, doc);
}

/** Removes cluster, user and context `name`; clears current-context if it was `name` (as kind does). */
export function removeContext(file, name) {
  if (!fs.existsSync(file)) return;
  const doc = readKubeconfig(file);
  doc.clusters = doc.clusters.filter((x) => x.name !== name);
  doc.users = doc.users.filter((x) => x.name !== name);
  doc.contexts = doc.contexts.filter((x) => x.name !== name);
  if (doc['current-context'] === name) doc['current-context'] = '';
  writeKubeconfig(file, doc);
}

/** A single-context kubeconfig (what `kind get kubeconfig` prints). */
export function singleContext(name, { server, caPem, token }) {
  const cluster = { server };
  if (caPem) cluster['certificate-authority-data'] = Buffer.from(caPem).toString('base64');
  else cluster['insecure-skip-tls-verify'] = true;
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster }],
    contexts: [{ name, context: { cluster: name, user: name } }],
    'current-context': name,
    users: [{ name, user: token ? { token } : {} }],
    preferences: {},
  });
}

/**
 * Resolves a context: `{ name, server, ca?, insecure, token? }`, or `{ error }` worded like
 * client-go when the context or its cluster is missing.
 */
export function resolveContext(file, contextName) {
  const doc = readKubeconfig(file);
  const name = contextName || doc['current-context'];
  if (!name) return { error: 'invalid configuration: no configuration has been provided, try setting KUBERNETES_MASTER environment variable' };
  const ctx = doc.contexts.find((c) => c.name === name);
  if (!ctx) return { error: `context "${name}" does not exist` };
  const cluster = doc.clusters.find((c) => c.name === ctx.context?.cluster);
  if (!cluster) return { error: `invalid configuration: cluster "${ctx.context?.cluster}" not found` };
  const user = doc.users.find((u) => u.name === ctx.context?.user)?.user ?? {};
  const caData = cluster.cluster?.['certificate-authority-data'];
  return {
    name,
    server: cluster.cluster?.server,
    ca: caData ? Buffer.from(caData, 'base64').toString('utf8') : undefined,
    insecure: cluster.cluster?.['insecure-skip-tls-verify'] === true,
    token: user.token,
    namespace: ctx.context?.namespace,
  };
}
