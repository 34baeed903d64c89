/**
 * The fake kind clusters as files under $FAKE_STATE_DIR/kind/clusters/<name>/:
 *
 * - `cluster.json`: name, image, parsed config, mounts, port mappings, kubeconfig, node pid
 * - `config.yaml`: the config file exactly as kind received it
 * - `node/`: the node's filesystem (local-path volumes live under `node/local-path/`)
 * - `node.ready` / `node.error`: written by the node stand-in once it listens (or cannot)
 * - `forward.json`: `{ "<containerPort>": { host, port } }` where the node forwards each mapped port
 * - `registry.json`: the registry process started by the fake helm `{ pid, port, dataDir, release, namespace }`
 * - `faults.json`: `{ reset: "all" | "post" }` makes the node reset connections (tests inject it)
 */
import path from 'node:path';
import { readJson, stateDir } from './common.mjs';

export function clustersDir() {
  return path.join(stateDir(), 'kind', 'clusters');
}

export function clusterDir(name) {
  return path.join(clustersDir(), name);
}

/** The record of cluster `name`, or undefined. */
export function readCluster(name) {
  return readJson(path.join(clusterDir(name), 'cluster.json'));
}

/** The cluster behind a kubeconfig context named `kind-<name>`, if any. */
export function clusterOfContext(contextName) {
  if (!contextName?.startsWith('kind-')) return undefined;
  const name = contextName.slice('kind-'.length);
  const c = readCluster(name);
  return c ? { name, record: c, dir: clusterDir(name) } : undefined;
}

/**
 * Where a node path lives on the host: through an extraMount whose containerPath contains it,
 * else inside the node's own filesystem (gone with the cluster).
 */
export function hostPathOfNodePath(cluster, nodePath) {
  const mounts = [...(cluster.record.mounts ?? [])].sort((a, b) => b.containerPath.length - a.containerPath.length);
  for (const m of mounts) {
    const cp = m.containerPath.replace(/\/+$/, '');
    if (nodePath === cp || nodePath.startsWith(cp + '/')) return path.join(m.hostPath, nodePath.slice(cp.length));
  }
  return path.join(cluster.dir, 'node', nodePath);
}
