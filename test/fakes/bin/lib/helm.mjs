/**
 * Fake `helm` (see README.md). Releases live where real helm keeps them: Secrets
 * `sh.helm.release.v1.<release>.v<revision>` (labels owner=helm, name, status, version) in the
 * release namespace of the (fake) API server, so deleting the namespace or the cluster deletes
 * them too. Rendering is done by the REAL helm ($FAKE_REAL_HELM) with `helm template` and the
 * same chart/repo/version/values/set arguments, so bad values fail exactly as with real helm;
 * the rendered objects are applied to the API server (server-side apply, like helm 4).
 *
 * For the pallet-registry chart in a fake kind cluster, the "pod" is a real docker-registry
 * serving the volume's directory (a hostPath PV through the node's extraMounts, else the node's
 * local-path directory), and the node stand-in forwards the Service's nodePort to it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { die, parseGoDuration, readJson, recordCall, runSync, shouldFail, stopProcess, writeJson } from './common.mjs';
import { connect, parseArgs, realHelm } from './helm-cli.mjs';
import { chartMetadata, deployRegistry, keepPolicy, releaseSecrets, renderedObjects, saveRelease, secretName, waitReady } from './helm-records.mjs';
import { statusMessage } from './kubeapi.mjs';

function template(args) {
  const r = runSync(realHelm(), ['template', ...args], { env: process.env });
  process.stdout.write(r.stdout);
  process.stderr.write(r.stderr);
  process.exit(r.status);
}

async function status(args) {
  const o = parseArgs(args);
  const [rel] = o._;
  if (!rel) die('Error: "helm status" requires 1 argument');
  const { client } = await connect(o);
  const recs = await releaseSecrets(client, o.namespace, rel);
  const rec = recs[recs.length - 1];
  if (!rec) die('Error: release: not found');
  if (o.output === 'json') return void process.stdout.write(JSON.stringify(rec) + '\n');
  process.stdout.write(`NAME: ${rec.name}\nLAST DEPLOYED: ${rec.info.last_deployed}\nNAMESPACE: ${rec.namespace}\nSTATUS: ${rec.info.status}\nREVISION: ${rec.version}\nTEST SUITE: None\n`);
}

async function list(args) {
  const o = parseArgs(args);
  const { client } = await connect(o);
  const items = await client.list('v1', 'Secret', o.namespace, 'owner=helm');
  const latest = new Map();
  for (const s of items) {
    const rec = JSON.parse(Buffer.from(s.data?.release ?? '', 'base64').toString('utf8'));
    if (!latest.has(rec.name) || latest.get(rec.name).version < rec.version) latest.set(rec.name, rec);
  }
  const filter = o.values['--filter'] ? new RegExp(o.values['--filter']) : undefined;
  const rows = [...latest.values()]
    .filter((r) => (!filter || filter.test(r.name)) && (o.values['--all'] || o.values['-a'] || r.info.status === 'deployed' || r.info.status === 'failed'))
    .map((r) => ({ name: r.name, namespace: r.namespace, revision: String(r.version), updated: r.info.last_deployed, status: r.info.status, chart: `${r.chart.metadata.name}-${r.chart.metadata.version}`, app_version: r.chart.metadata.appVersion ?? '' }));
  if (o.output === 'json') return void process.stdout.write(JSON.stringify(rows) + '\n');
  process.stdout.write('NAME\tNAMESPACE\tREVISION\tUPDATED\tSTATUS\tCHART\tAPP VERSION\n');
  for (const r of rows) process.stdout.write(`${r.name}\t${r.namespace}\t${r.revision}\t${r.updated}\t${r.status}\t${r.chart}\t${r.app_version}\n`);
}

async function upgrade(args, installOnly) {
  const o = parseArgs(args);
  const [rel, chart] = o._;
  if (!rel || !chart) die(`Error: "helm ${installOnly ? 'install' : 'upgrade'}" requires 2 arguments`);
  const { client, cluster } = await connect(o);
  const ns = o.namespace;
  const history = await releaseSecrets(client, ns, rel);
  const last = history[history.length - 1];
  const isInstall = !last || last.info.status === 'uninstalled';
  if (!isInstall && installOnly) die('Error: INSTALLATION FAILED: cannot re-use a name that is still in use');
  if (!last && !installOnly && !o.values['--install'] && !o.values['-i']) die(`Error: UPGRADE FAILED: "${rel}" has no deployed releases`);
  const prefix = isInstall ? 'INSTALLATION FAILED' : 'UPGRADE FAILED';
  if (last?.info.status.startsWith('pending-')) die(`Error: ${prefix}: another operation (install/upgrade/rollback) is in progress`);
  if (isInstall && !installOnly) process.stdout.write(`Release "${rel}" does not exist. Installing it now.\n`);

  // Render with the real helm: bad values fail here, worded by helm itself.
  const rendered = runSync(realHelm(), ['template', rel, chart, '--namespace', ns, '--include-crds', ...o.render], { env: process.env });
  if (rendered.status !== 0) die(rendered.stderr.replace(/^Error: /m, `Error: ${prefix}: `).trimEnd());
  const meta = chartMetadata(chart, o.render);

  // The namespace must exist (unless --create-namespace), as with real helm.
  const nsObj = await client.get('v1', 'Namespace', undefined, ns);
  if (!nsObj) {
    if (!o.values['--create-namespace']) die(`Error: ${prefix}: create: failed to create: namespaces "${ns}" not found`);
    const r = await client.request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    if (r.status >= 300) die(`Error: ${prefix}: failed to create namespace: ${statusMessage(r)}`);
  }

  const now = new Date().toISOString();
  const rec = {
    name: rel,
    namespace: ns,
    version: (last?.version ?? 0) + 1,
    info: { first_deployed: history[0]?.info.first_deployed ?? now, last_deployed: now, status: isInstall ? 'pending-install' : 'pending-upgrade', description: isInstall ? 'Initial install underway' : 'Preparing upgrade' },
    chart: { metadata: { name: meta.name, version: String(meta.version), appVersion: meta.appVersion === undefined ? undefined : String(meta.appVersion), apiVersion: meta.apiVersion } },
    config: {},
    manifest: rendered.stdout,
    objects: [],
  };
  const err = await saveRelease(client, rec);
  if (err) die(`Error: ${prefix}: create: failed to create: ${err}`);
  // helm killed mid-operation: the release stays pending-install / pending-upgrade.
  if (shouldFail('helm-crash')) process.kill(process.pid, 'SIGKILL');

  const fail = async (message) => {
    rec.info.status = 'failed';
    rec.info.description = `Release "${rel}" failed: ${message}`;
    await saveRelease(client, rec);
    die(`Error: ${prefix}: ${message}`);
  };

  // Apply every rendered object (server-side apply creates or updates).
  for (const obj of renderedObjects(rendered.stdout)) {
    obj.metadata.annotations = { ...(obj.metadata.annotations ?? {}), 'meta.helm.sh/release-name': rel, 'meta.helm.sh/release-namespace': ns };
    const res = await client.resourceFor(obj.apiVersion, obj.kind);
    const ref = { apiVersion: obj.apiVersion, kind: obj.kind, name: obj.metadata.name, namespace: res?.namespaced ? obj.metadata.namespace ?? ns : undefined, keep: keepPolicy(obj), served: !!res, obj };
    rec.objects.push(ref);
    if (!res) continue; // a type the fake API server does not serve (PersistentVolume): recorded only
    if (res.namespaced) obj.metadata.namespace = ref.namespace;
    const r = await client.request('PATCH', `${client.objectPath(obj.apiVersion, res, ref.namespace, ref.name)}?fieldManager=helm&force=true`, obj, 'application/apply-patch+yaml');
    if (r.status >= 300) await fail(`failed to create resource: ${statusMessage(r)}`);
  }
  // Objects of the previous revision that are gone from this one are deleted (unless kept).
  for (const old of last?.objects ?? []) {
    if (!old.served || old.keep || rec.objects.some((x) => x.kind === old.kind && x.name === old.name && x.namespace === old.namespace)) continue;
    const res = await client.resourceFor(old.apiVersion, old.kind);
    if (res) await client.request('DELETE', client.objectPath(old.apiVersion, res, old.namespace, old.name));
  }

  if (shouldFail('helm-install')) await fail('context deadline exceeded (injected by FAKE_FAIL=helm-install)');
  if (cluster && meta.name === 'pallet-registry') {
    try {
      await deployRegistry(client, cluster, rel, ns, rec.objects);
    } catch (e) {
      await fail(e.message);
    }
  }
  if (o.wait) {
    const ok = await waitReady(client, rec.objects, parseGoDuration(o.values['--timeout'] ?? '5m') ?? 300_000);
    if (!ok) await fail('context deadline exceeded');
  }
  if (last && last.info.status === 'deployed') {
    last.info.status = 'superseded';
    await saveRelease(client, last);
  }
  rec.info.status = 'deployed';
  rec.info.description = isInstall ? 'Install complete' : 'Upgrade complete';
  const e2 = await saveRelease(client, rec);
  if (e2) die(`Error: ${prefix}: ${e2}`);
  if (!isInstall) process.stdout.write(`Release "${rel}" has been upgraded. Happy Helming!\n`);
  process.stdout.write(`NAME: ${rel}\nLAST DEPLOYED: ${now}\nNAMESPACE: ${ns}\nSTATUS: deployed\nREVISION: ${rec.version}\nTEST SUITE: None\n`);
}

async function uninstall(args) {
  const o = parseArgs(args);
  const [rel] = o._;
  if (!rel) die('Error: "helm uninstall" requires at least 1 argument');
  const { client, cluster } = await connect(o);
  const ns = o.namespace;
  const history = await releaseSecrets(client, ns, rel);
  const last = history[history.length - 1];
  if (!last) {
    if (o.values['--ignore-not-found']) return void process.stdout.write(`release "${rel}" not found\n`);
    die(`Error: uninstall: Release not loaded: ${rel}: release: not found`);
  }
  if (shouldFail('helm-uninstall')) die(`Error: uninstall: Failed to purge the release: injected by FAKE_FAIL=helm-uninstall`);
  const kept = [];
  for (const ref of [...last.objects].reverse()) {
    if (ref.keep) {
      kept.push(ref);
      continue;
    }
    if (!ref.served) continue;
    const res = await client.resourceFor(ref.apiVersion, ref.kind);
    if (res) await client.request('DELETE', client.objectPath(ref.apiVersion, res, ref.namespace, ref.name));
  }
  for (const rec of history) {
    const res = await client.resourceFor('v1', 'Secret');
    await client.request('DELETE', client.objectPath('v1', res, ns, secretName(rel, rec.version)));
  }
  if (cluster) {
    const regFile = path.join(cluster.dir, 'registry.json');
    const reg = readJson(regFile);
    if (reg && reg.release === rel && reg.namespace === ns) {
      stopProcess(reg.pid, 2000);
      fs.rmSync(regFile, { force: true });
      // local-path deletes a dynamic volume's directory with its PVC.
      if (reg.dynamic && !reg.pvcKeep) fs.rmSync(reg.dataDir, { recursive: true, force: true });
      const forward = readJson(path.join(cluster.dir, 'forward.json'), {});
      for (const [k, v] of Object.entries(forward)) if (v.release === rel && v.namespace === ns) delete forward[k];
      writeJson(path.join(cluster.dir, 'forward.json'), forward);
    }
  }
  if (kept.length) {
    process.stdout.write('These resources were kept due to the resource policy:\n');
    for (const k of kept) process.stdout.write(`[${k.kind}] ${k.name}\n`);
    process.stdout.write('\n');
  }
  process.stdout.write(`release "${rel}" uninstalled\n`);
}

export async function main(argv) {
  recordCall('helm', argv);
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case 'template':
      return template(rest);
    case 'status':
      return status(rest);
    case 'list':
    case 'ls':
      return list(rest);
    case 'upgrade':
      return upgrade(rest, false);
    case 'install':
      return upgrade(rest, true);
    case 'uninstall':
    case 'delete':
      return uninstall(rest);
    default:
      die(`Error: unknown command "${cmd}" for "helm" (fake helm supports: version, template, status, list, upgrade, install, uninstall)`);
  }
}
