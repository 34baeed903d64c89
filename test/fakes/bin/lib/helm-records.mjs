/**
 * The fake helm's releases, stored where real helm keeps them: Secrets
 * `sh.helm.release.v1.<release>.v<revision>` in the release namespace; and what an install does
 * beyond applying objects (waiting for workloads, the registry "pod" of pallet-registry).
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { alive, readJson, runSync, stopProcess, writeJson } from './common.mjs';
import { hostPathOfNodePath } from './clusters.mjs';
import { statusMessage } from './kubeapi.mjs';
import { realHelm } from './helm-cli.mjs';
import { startRegistry } from './registry.mjs';


export const secretName = (rel, v) => `sh.helm.release.v1.${rel}.v${v}`;

export async function releaseSecrets(client, ns, rel) {
  const items = await client.list('v1', 'Secret', ns, `owner=helm,name=${rel}`);
  return items.map((s) => JSON.parse(Buffer.from(s.data?.release ?? '', 'base64').toString('utf8'))).sort((a, b) => a.version - b.version);
}

export async function saveRelease(client, rec) {
  const body = {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'helm.sh/release.v1',
    metadata: { name: secretName(rec.name, rec.version), namespace: rec.namespace, labels: { owner: 'helm', name: rec.name, status: rec.info.status, version: String(rec.version) } },
    // The rendered objects (`obj`) are in `manifest` already: keep only their references.
    data: { release: Buffer.from(JSON.stringify(rec, (k, v) => (k === 'obj' ? undefined : v))).toString('base64') },
  };
  const res = await client.resourceFor('v1', 'Secret');
  const r = await client.request('PATCH', `${client.objectPath('v1', res, rec.namespace, body.metadata.name)}?fieldManager=helm&force=true`, body, 'application/apply-patch+yaml');
  if (r.status >= 300) return statusMessage(r);
  return undefined;
}

/** The object list a release record keeps (`objects`), applied in order. */
export function renderedObjects(manifest) {
  return parseAllDocuments(manifest)
    .map((d) => d.toJS())
    .filter((o) => o && typeof o === 'object' && o.kind && o.metadata?.name);
}

export function keepPolicy(obj) {
  return obj.metadata?.annotations?.['helm.sh/resource-policy'] === 'keep';
}

/** Chart.yaml of the chart: read from a chart directory, else `helm show chart` (real helm). */
export function chartMetadata(chart, renderArgs) {
  const file = path.join(chart, 'Chart.yaml');
  if (fs.existsSync(file)) return parseYaml(fs.readFileSync(file, 'utf8'));
  const pairs = [];
  for (let i = 0; i < renderArgs.length; i += 2) if (['--repo', '--version'].includes(renderArgs[i])) pairs.push(renderArgs[i], renderArgs[i + 1]);
  const shown = runSync(realHelm(), ['show', 'chart', chart, ...pairs], { env: process.env });
  return shown.status === 0 ? parseYaml(shown.stdout) : { name: path.basename(chart), version: '0.0.0' };
}

/** Waits (reading, which drives the fake controllers) until every workload is available. */
export async function waitReady(client, objects, timeoutMs) {
  const workloads = objects.filter((x) => ['Deployment', 'StatefulSet', 'DaemonSet'].includes(x.kind) && x.served);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let ready = true;
    for (const w of workloads) {
      const o = await client.get(w.apiVersion, w.kind, w.namespace, w.name);
      const want = o?.spec?.replicas ?? 1;
      const have = w.kind === 'DaemonSet' ? o?.status?.numberReady ?? 0 : o?.status?.readyReplicas ?? 0;
      if (have < want) ready = false;
    }
    if (ready) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Starts (or keeps) the registry "pod" of a pallet-registry release and routes the node ports to it. */
export async function deployRegistry(client, cluster, rel, ns, objects) {
  const pv = objects.find((x) => x.kind === 'PersistentVolume' && x.obj.spec?.hostPath?.path);
  const pvc = objects.find((x) => x.kind === 'PersistentVolumeClaim');
  const dataDir = pv
    ? hostPathOfNodePath(cluster, pv.obj.spec.hostPath.path)
    : pvc
      ? path.join(cluster.dir, 'node', 'local-path', `pvc_${ns}_${pvc.name}`)
      : path.join(cluster.dir, 'node', 'emptydir', `${ns}_${rel}`);
  const regFile = path.join(cluster.dir, 'registry.json');
  let reg = readJson(regFile);
  if (reg && (reg.dataDir !== dataDir || !alive(reg.pid))) {
    stopProcess(reg.pid, 2000);
    reg = undefined;
  }
  if (!reg) {
    const { pid, port } = await startRegistry(dataDir, path.join(cluster.dir, 'registry'));
    reg = { pid, port, dataDir, release: rel, namespace: ns, dynamic: !pv && !!pvc, pvc: pvc?.name ?? null, pvcKeep: pvc ? keepPolicy(pvc.obj) : false };
    writeJson(regFile, reg);
  }
  // The Service's node ports, as the API server allocated them.
  const forward = readJson(path.join(cluster.dir, 'forward.json'), {});
  for (const s of objects.filter((x) => x.kind === 'Service')) {
    const live = await client.get('v1', 'Service', s.namespace, s.name);
    for (const p of live?.spec?.ports ?? []) if (p.nodePort) forward[String(p.nodePort)] = { host: '127.0.0.1', port: reg.port, release: rel, namespace: ns };
  }
  writeJson(path.join(cluster.dir, 'forward.json'), forward);
}
