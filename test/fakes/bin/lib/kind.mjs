/**
 * Fake `kind` (see README.md): create cluster, delete cluster, get kubeconfig|nodes, export
 * kubeconfig (`version` and `get clusters` are answered by the bash entry script). Clusters are files (clusters.mjs); a created cluster gets
 * a node stand-in process holding its mapped host ports, a kubeconfig context `kind-<name>`
 * pointing at the fake API server ($FAKE_KUBE_URL, CA in $FAKE_KUBE_CA), and a fresh API server
 * (admin reset). Errors are worded like kind's.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { DOCKER_DOWN_MESSAGE, die, dockerDown, readJson, recordCall, shouldFail, sleepSync, stopProcess, which, writeJson } from './common.mjs';
import { clusterDir, readCluster } from './clusters.mjs';
import { kubeClient } from './kubeapi.mjs';
import { addContext, kubeconfigPath, removeContext, singleContext } from './kubeconfig.mjs';

const DEFAULT_IMAGE = 'kindest/node:v1.37.0@sha256:a1ed56cfb0e7b93589bdf97c8cd566405a265939e3620fc4f5de89adff580ae5';
const HERE = path.dirname(fileURLToPath(import.meta.url));

/** Parses `--flag value`, `--flag=value` and bare `--flag` (value true). */
function flags(args) {
  const out = { _: [] };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (!a.startsWith('--')) {
      out._.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const key = eq > 0 ? a.slice(2, eq) : a.slice(2);
    if (eq > 0) out[key] = a.slice(eq + 1);
    else if (['retain', 'internal', 'help'].includes(key)) out[key] = true;
    else out[key] = args[++i];
  }
  return out;
}

/** kind's errors when docker is missing or its daemon is down (it lists containers first). */
function checkDocker(prefix) {
  const cmd = `docker ps -a --filter label=io.x-k8s.kind.cluster --format '{{.Label "io.x-k8s.kind.cluster"}}'`;
  if (!which('docker')) die(`ERROR: ${prefix}: command "${cmd}" failed with error: exec: "docker": executable file not found in $PATH`);
  if (dockerDown()) die(`ERROR: ${prefix}: command "${cmd}" failed with error: exit status 1\nCommand Output: ${DOCKER_DOWN_MESSAGE}`);
}

function apiConnection() {
  const server = process.env.FAKE_KUBE_URL;
  if (!server) die('fake kind: FAKE_KUBE_URL is not set (the URL of the fake API server, see test/fakes/bin/README.md)', 2);
  const caEnv = process.env.FAKE_KUBE_CA;
  const caPem = caEnv ? (caEnv.startsWith('-----BEGIN') ? caEnv : fs.readFileSync(caEnv, 'utf8')) : undefined;
  return { server, caPem, token: process.env.FAKE_KUBE_TOKEN || undefined };
}

/**
 * A new (or deleted) cluster is an empty API server: admin reset. On create, $FAKE_FORBID (a
 * JSON forbid rule or list, see the API server's README) is installed in the new cluster, so a
 * test can make a later step fail (e.g. `{"verb":"create","resource":"namespaces"}`).
 */
async function resetApiServer(creating) {
  const conn = apiConnection();
  const client = kubeClient({ server: conn.server, ca: conn.caPem, insecure: !conn.caPem });
  const r = await client.admin('POST', '/reset');
  if (r.status !== 200) die(`fake kind: cannot reset the fake API server: HTTP ${r.status}`);
  if (creating && process.env.FAKE_FORBID) await client.admin('POST', '/forbid', JSON.parse(process.env.FAKE_FORBID));
}

const TOP_FIELDS = ['kind', 'apiVersion', 'name', 'nodes', 'networking', 'featureGates', 'runtimeConfig', 'kubeadmConfigPatches', 'kubeadmConfigPatchesJSON6902', 'containerdConfigPatches', 'containerdConfigPatchesJSON6902'];
const NODE_FIELDS = ['role', 'image', 'labels', 'extraMounts', 'extraPortMappings', 'kubeadmConfigPatches', 'kubeadmConfigPatchesJSON6902'];
const MOUNT_FIELDS = ['hostPath', 'containerPath', 'readOnly', 'selinuxRelabel', 'propagation'];
const PORT_FIELDS = ['containerPort', 'hostPort', 'listenAddress', 'protocol'];

function unknownField(obj, allowed) {
  return Object.keys(obj ?? {}).find((k) => !allowed.includes(k));
}

/** Validates a kind config (v1alpha4) like kind does; returns the parsed config or dies. */
function loadConfig(file) {
  const fail = (msg) => die(`ERROR: failed to create cluster: ${msg}`);
  let text;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    fail(`error reading file: open ${file}: no such file or directory`);
  }
  let cfg;
  try {
    cfg = parse(text) ?? {};
  } catch (e) {
    fail(`unable to decode config: error converting YAML to JSON: ${e.message.split('\n')[0]}`);
  }
  if (cfg.kind !== 'Cluster') fail(`unknown kind: ${JSON.stringify(cfg.kind ?? '')}`);
  if (cfg.apiVersion !== 'kind.x-k8s.io/v1alpha4') fail(`unknown apiVersion: ${cfg.apiVersion ?? ''}`);
  const bad = unknownField(cfg, TOP_FIELDS);
  if (bad) fail(`unable to decode config: error unmarshaling JSON: while decoding JSON: json: unknown field "${bad}"`);
  if (cfg.containerdConfigPatches !== undefined && (!Array.isArray(cfg.containerdConfigPatches) || cfg.containerdConfigPatches.some((p) => typeof p !== 'string'))) {
    fail('unable to decode config: containerdConfigPatches must be a list of strings');
  }
  const nodes = cfg.nodes ?? [{ role: 'control-plane' }];
  const seen = new Set();
  for (const node of nodes) {
    const b = unknownField(node, NODE_FIELDS);
    if (b) fail(`unable to decode config: error unmarshaling JSON: while decoding JSON: json: unknown field "${b}"`);
    if (!['control-plane', 'worker'].includes(node.role ?? 'control-plane')) fail(`invalid configuration for node: ${node.role} is not a valid node role`);
    for (const m of node.extraMounts ?? []) {
      const bm = unknownField(m, MOUNT_FIELDS);
      if (bm) fail(`unable to decode config: error unmarshaling JSON: while decoding JSON: json: unknown field "${bm}"`);
      if (typeof m.hostPath !== 'string' || !m.hostPath) fail('invalid configuration for node: extraMounts: hostPath is required');
      if (typeof m.containerPath !== 'string' || !m.containerPath.startsWith('/')) fail(`invalid configuration for node: extraMounts: containerPath must be absolute: ${m.containerPath}`);
      const host = path.resolve(path.dirname(file), m.hostPath);
      if (!fs.existsSync(host)) {
        fail(`command "docker run --name ${cfg.name ?? 'kind'}-control-plane ..." failed with error: exit status 125\nCommand Output: docker: Error response from daemon: invalid mount config for type "bind": bind source path does not exist: ${host}`);
      }
    }
    for (const p of node.extraPortMappings ?? []) {
      const bp = unknownField(p, PORT_FIELDS);
      if (bp) fail(`unable to decode config: error unmarshaling JSON: while decoding JSON: json: unknown field "${bp}"`);
      if (!Number.isInteger(p.containerPort) || p.containerPort < 1 || p.containerPort > 65535) fail(`invalid configuration for node: invalid containerPort: ${p.containerPort}`);
      if (!Number.isInteger(p.hostPort) || p.hostPort < 0 || p.hostPort > 65535) fail(`invalid configuration for node: invalid hostPort: ${p.hostPort}`);
      if (p.listenAddress !== undefined && !/^(\d{1,3}\.){3}\d{1,3}$|:/.test(p.listenAddress)) fail(`invalid configuration for node: invalid listenAddress: ${p.listenAddress}`);
      if (p.protocol !== undefined && !['TCP', 'UDP', 'SCTP'].includes(p.protocol)) fail(`invalid configuration for node: invalid protocol: ${p.protocol}`);
      const key = `${p.listenAddress ?? '0.0.0.0'}:${p.hostPort}/${p.protocol ?? 'TCP'}`;
      if (seen.has(key)) fail(`invalid configuration for node: port mapping with same listen address, port and protocol already configured: ${key}`);
      seen.add(key);
    }
  }
  return { cfg, nodes, text };
}

async function createCluster(args) {
  const f = flags(args);
  checkDocker('failed to create cluster: failed to list nodes');
  const loaded = f.config ? loadConfig(path.resolve(f.config)) : { cfg: {}, nodes: [{ role: 'control-plane' }], text: '' };
  const name = f.name ?? loaded.cfg.name ?? 'kind';
  if (!/^[a-z0-9.-]+$/.test(name)) die(`ERROR: failed to create cluster: '${name}' is not a valid cluster name, cluster names must match \`^[a-z0-9.-]+$\``);
  if (readCluster(name)) die(`ERROR: failed to create cluster: node(s) already exist for a cluster with the name "${name}"`);
  const image = f.image ?? loaded.nodes[0]?.image ?? DEFAULT_IMAGE;
  const log = (s) => process.stderr.write(s + '\n');
  log(`Creating cluster "${name}" ...`);
  log(` ✓ Ensuring node image (${image.split('@')[0]}) 🖼`);
  log(' ✓ Preparing nodes 📦');
  if (shouldFail('kind-create')) {
    // Like kind: a failed create deletes what it made (no --retain here).
    die(` ✗ Starting control-plane 🕹️\nERROR: failed to create cluster: failed to init node with kubeadm: command "docker exec --privileged ${name}-control-plane kubeadm init --config=/kind/kubeadm.conf --skip-token-print --v=6" failed with error: exit status 1 (injected by FAKE_FAIL=kind-create)`);
  }
  const dir = clusterDir(name);
  fs.mkdirSync(path.join(dir, 'node'), { recursive: true });
  const mounts = loaded.nodes.flatMap((n) => (n.extraMounts ?? []).map((m) => ({ hostPath: path.resolve(path.dirname(path.resolve(f.config ?? '.')), m.hostPath), containerPath: m.containerPath, readOnly: m.readOnly === true })));
  const ports = loaded.nodes.flatMap((n) => (n.extraPortMappings ?? []).map((p) => ({ containerPort: p.containerPort, hostPort: p.hostPort, listenAddress: p.listenAddress ?? '0.0.0.0', protocol: p.protocol ?? 'TCP' })));
  const kubeconfig = kubeconfigPath(f.kubeconfig);
  const record = { name, image, config: loaded.cfg, configPath: f.config ? path.resolve(f.config) : null, mounts, ports, kubeconfig, wait: f.wait ?? null, createdAt: new Date().toISOString() };
  writeJson(path.join(dir, 'cluster.json'), record);
  if (loaded.text) fs.writeFileSync(path.join(dir, 'config.yaml'), loaded.text);

  // The node container: holds the mapped ports (docker-proxy) and forwards them.
  const out = fs.openSync(path.join(dir, 'node.log'), 'a');
  const child = spawn(process.execPath, [path.join(HERE, 'node-standin.mjs'), dir], { detached: true, stdio: ['ignore', out, out], env: process.env });
  child.unref();
  const deadline = Date.now() + 10_000;
  while (!fs.existsSync(path.join(dir, 'node.ready')) && !fs.existsSync(path.join(dir, 'node.error')) && Date.now() < deadline) sleepSync(20);
  if (!fs.existsSync(path.join(dir, 'node.ready'))) {
    let err = {};
    try {
      err = JSON.parse(fs.readFileSync(path.join(dir, 'node.error'), 'utf8'));
    } catch {
      err = { message: 'the node did not start' };
    }
    stopProcess(child.pid, 1000);
    fs.rmSync(dir, { recursive: true, force: true });
    const why = err.code === 'EADDRINUSE' ? `Bind for ${err.listenAddress}:${err.hostPort} failed: port is already allocated` : err.message;
    die(`ERROR: failed to create cluster: command "docker run --name ${name}-control-plane --hostname ${name}-control-plane ..." failed with error: exit status 125\nCommand Output: docker: Error response from daemon: failed to set up container networking: driver failed programming external connectivity on endpoint ${name}-control-plane: ${why}.`);
  }
  writeJson(path.join(dir, 'cluster.json'), { ...record, nodePid: child.pid });

  await resetApiServer(true);
  const conn = apiConnection();
  addContext(kubeconfig, `kind-${name}`, conn);
  log(' ✓ Writing configuration 📜');
  log(' ✓ Starting control-plane 🕹️');
  log(' ✓ Installing CNI 🔌');
  log(' ✓ Installing StorageClass 💾');
  if (f.wait) log(` ✓ Waiting ≤ ${f.wait} for control-plane = Ready ⏳\n • Ready after 0s 💚`);
  log(`Set kubectl context to "kind-${name}"`);
  log('You can now use your cluster with:\n');
  log(`kubectl cluster-info --context kind-${name}\n`);
  log('Have a nice day! 👋');
}

async function deleteCluster(args) {
  const f = flags(args);
  checkDocker('failed to delete cluster: failed to list nodes');
  const name = f.name ?? 'kind';
  process.stderr.write(`Deleting cluster "${name}" ...\n`);
  if (shouldFail('kind-delete')) die(`ERROR: failed to delete cluster "${name}": failed to delete nodes: command "docker rm -f -v ${name}-control-plane" failed with error: exit status 1 (injected by FAKE_FAIL=kind-delete)`);
  const c = readCluster(name);
  if (!c) return; // kind: deleting a cluster that does not exist is not an error
  const dir = clusterDir(name);
  stopProcess(c.nodePid, 5000);
  // The node stand-in stops the registry it forwards to; make sure of it.
  const reg = readJson(path.join(dir, 'registry.json'));
  if (reg?.pid) stopProcess(reg.pid, 2000);
  removeContext(kubeconfigPath(f.kubeconfig ?? c.kubeconfig), `kind-${name}`);
  fs.rmSync(dir, { recursive: true, force: true });
  await resetApiServer(false);
  process.stderr.write(`Deleted nodes: ["${name}-control-plane"]\n`);
}

export async function main(argv) {
  recordCall('kind', argv);
  const [cmd, sub, ...rest] = argv;
  if (cmd === 'get' && (sub === 'kubeconfig' || sub === 'nodes')) {
    const f = flags(rest);
    const name = f.name ?? 'kind';
    checkDocker('failed to list nodes');
    if (!readCluster(name)) {
      if (sub === 'nodes') return void process.stderr.write(`No kind nodes found for cluster "${name}".\n`);
      die(`ERROR: could not locate any control plane nodes for cluster named '${name}'. Use the --name option to select a different cluster`);
    }
    if (sub === 'nodes') return void process.stdout.write(`${name}-control-plane\n`);
    return void process.stdout.write(singleContext(`kind-${name}`, apiConnection()));
  }
  if (cmd === 'export' && sub === 'kubeconfig') {
    const f = flags(rest);
    const name = f.name ?? 'kind';
    if (!readCluster(name)) die(`ERROR: could not locate any control plane nodes for cluster named '${name}'. Use the --name option to select a different cluster`);
    addContext(kubeconfigPath(f.kubeconfig), `kind-${name}`, apiConnection());
    return void process.stderr.write(`Set kubectl context to "kind-${name}"\n`);
  }
  if (cmd === 'create' && sub === 'cluster') return createCluster(rest);
  if (cmd === 'delete' && sub === 'cluster') return deleteCluster(rest);
  die(`ERROR: unknown command "${[cmd, sub].filter(Boolean).join(' ')}" for "kind" (fake kind supports: version, get clusters|kubeconfig|nodes, create cluster, delete cluster, export kubeconfig)`);
}
