/**
 * playbooks/kind-registry.yaml through the real CLI (bin/bootstrap.cjs, built by `npm run build`)
 * on a fake machine: the fake docker, kind, helm and kubectl of test/fakes/bin first on PATH,
 * the fake API server as every kind cluster, the real helm for `helm template` and a real
 * docker-registry as the registry pod, reached through the fake node's port mapping on
 * 127.0.0.1:<registry_port> (a random free port, never 5000).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { createTaskContext } from '../../tasks/context.js';
import { ociCheckKind } from '../../tasks/oci-check.js';
import { runFake, startFakeMachine, type FakeMachine } from '../fakes/bin/harness.js';
import { journalOf, REPO, runCli, tempProject, type CliResult } from '../support/cli.js';
import { helmBinary } from '../support/helm.js';
import { freePort } from '../support/registry.js';

const PLAYBOOK = path.join(REPO, 'playbooks', 'kind-registry.yaml');
const RENDER = path.join(REPO, 'playbooks', 'kind-registry', 'render-kind-config.sh');
const ALL_TASKS = ['tools', 'port', 'data-dir', 'kind-config', 'cluster', 'registry-hosting', 'namespace', 'registry', 'registry-ready', 'registry-health', 'registry-roundtrip'];

let m: FakeMachine;
let port: number;
let cwd: string;

beforeEach(async () => {
  m = await startFakeMachine();
  port = await freePort();
  cwd = tempProject();
});

afterEach(async () => {
  await m.cleanup();
  fs.rmSync(cwd, { recursive: true, force: true });
});

const stateDir = () => path.join(cwd, '.bootstrap', 'kind-registry');
const dataDir = () => path.join(m.home, '.local', 'share', 'bootstrap', 'pallet-registry', 'pallet-dev');

function bootstrap(args: string[], env: Record<string, string> = {}, timeoutMs = 60_000): Promise<CliResult> {
  return runCli(args, { cwd, env: { ...m.env, ...env }, timeoutMs });
}

/** `bootstrap run` of the playbook on the test's port (plus extra args). */
function run(extra: string[] = [], env: Record<string, string> = {}, timeoutMs?: number): Promise<CliResult> {
  return bootstrap(['run', PLAYBOOK, '--var', `registry_port=${port}`, ...extra], env, timeoutMs);
}

async function status(): Promise<any> {
  const r = await bootstrap(['status', '--json']);
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout);
}

/** Task-end records of the latest run in the journal, by task. */
function lastRunEnds(): Map<string, Record<string, any>> {
  const j = journalOf(stateDir());
  const runId = [...j].reverse().find((r) => r.type === 'run-start')!.run;
  return new Map(j.filter((r) => r.type === 'task-end' && r.run === runId).map((r) => [r.task, r]));
}

function output(r: CliResult): string {
  return `${r.stdout}\n${r.stderr}`;
}

/** argv strings of the fake tool calls, e.g. "kind create cluster --name pallet-dev ...". */
function calls(tool?: 'docker' | 'kind' | 'helm' | 'kubectl'): string[] {
  return m.calls(tool).map((c) => `${c.tool} ${c.argv.join(' ')}`);
}
const count = (prefix: string) => calls().filter((c) => c.startsWith(prefix)).length;

async function getV2(): Promise<Response> {
  return fetch(`http://127.0.0.1:${port}/v2/`, { signal: AbortSignal.timeout(5000) });
}

function portIsFree(p: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen({ port: p, host: '127.0.0.1', exclusive: true }, () => s.close(() => resolve(true)));
  });
}

function kubeContexts(): string[] {
  if (!fs.existsSync(m.kubeconfig)) return [];
  return (parseYaml(fs.readFileSync(m.kubeconfig, 'utf8'))?.contexts ?? []).map((c: { name: string }) => c.name);
}

/** Push a small artifact (the oci-check kind's push, another repository) straight to the registry. */
async function pushArtifact(repository: string, tag: string): Promise<string> {
  const ctx = createTaskContext({ taskId: 'push', stateDir: m.root });
  const r = await ociCheckKind.run({ registry: `127.0.0.1:${port}`, repository, tag }, ctx);
  return String(r.outputs!.digest);
}

describe('kind config render', () => {
  it('maps the NodePort 30500 on 127.0.0.1 only, configures containerd certs.d and mounts the data dir', async () => {
    const out = path.join(m.root, 'render');
    const data = path.join(m.root, 'data dir');
    const r = spawnSync('bash', [RENDER, out, 'pallet-dev', String(port), data], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const cfg = parseYaml(fs.readFileSync(path.join(out, 'kind-config.yaml'), 'utf8'));
    expect(cfg).toMatchObject({ kind: 'Cluster', apiVersion: 'kind.x-k8s.io/v1alpha4', name: 'pallet-dev' });
    expect(cfg.nodes).toHaveLength(1);
    expect(cfg.nodes[0].role).toBe('control-plane');
    expect(cfg.nodes[0].extraPortMappings).toEqual([{ containerPort: 30500, hostPort: port, listenAddress: '127.0.0.1', protocol: 'TCP' }]);
    expect(cfg.containerdConfigPatches).toHaveLength(1);
    expect(cfg.containerdConfigPatches[0]).toMatch(/^\[plugins\."io\.containerd\.grpc\.v1\.cri"\.registry\]\s*\n\s*config_path = "\/etc\/containerd\/certs\.d"$/);
    expect(cfg.nodes[0].extraMounts).toEqual([
      { hostPath: path.join(out, 'certs.d'), containerPath: '/etc/containerd/certs.d', readOnly: true },
      { hostPath: data, containerPath: '/var/lib/pallet-registry' },
    ]);
    const hosts = fs.readFileSync(path.join(out, 'certs.d', `localhost:${port}`, 'hosts.toml'), 'utf8');
    expect(hosts).toMatch(/^server = "http:\/\/localhost:30500"$/m);
    expect(hosts).toMatch(/^\[host\."http:\/\/localhost:30500"\]\n\s+capabilities = \["pull", "resolve", "push"\]$/m);
  });

  it("maps the chart's Service nodePort (helm template of the dev values)", async () => {
    const helm = await helmBinary(3);
    const chart = path.join(REPO, 'charts', 'pallet-registry');
    const r = spawnSync(helm, ['template', 'registry', chart, '-n', 'pallet', '-f', path.join(chart, 'values-dev.yaml')], { encoding: 'utf8', env: { ...process.env, ...m.env } });
    expect(r.status).toBe(0);
    const svc = r.stdout
      .split(/^---$/m)
      .map((d) => parseYaml(d))
      .find((o) => o?.kind === 'Service');
    expect(svc.spec.type).toBe('NodePort');
    expect(svc.spec.ports[0].nodePort).toBe(30500);
  });

  it('refuses bad input', () => {
    for (const args of [['pallet-dev', '0', '/data'], ['Pallet', '5000', '/data'], ['pallet-dev', '5000', 'relative/data']]) {
      const r = spawnSync('bash', [RENDER, path.join(m.root, 'x'), ...args], { encoding: 'utf8' });
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/render-kind-config: invalid|must be an absolute path/);
    }
  });
});

describe('vars and asserts', () => {
  it('validates, and rejects bad values before anything runs', async () => {
    const ok = await bootstrap(['validate', PLAYBOOK]);
    expect(output(ok)).toContain('valid');
    expect(ok.code).toBe(0);
    const cases: Array<[string[], RegExp]> = [
      [['cluster_name=Pallet_Dev'], /cluster_name/],
      [['node_image=kindest/node:v1.26.15'], /node_image/],
      [['namespace=kube-system'], /namespace must be a namespace of its own/],
      [['registry_size=50Mi'], /registry_size/],
      [['registry_data_dir=relative/dir'], /registry_data_dir/],
      [['keep_pvc=true', 'registry_data_dir=/tmp/registry'], /must outlive a reboot/],
    ];
    // In parallel, each with its own state dir (a state dir is locked by one run at a time).
    const results = await Promise.all(cases.map(([vars], i) => run(['--state-dir', path.join(m.root, `vars-${i}`), ...vars.flatMap((v) => ['--var', v])])));
    cases.forEach(([vars, msg], i) => {
      expect(results[i]!.code, vars.join(' ')).toBe(2);
      expect(output(results[i]!)).toMatch(msg);
    });
    expect(calls('kind')).toEqual([]);
  });
});

describe('kind-registry playbook', () => {
  it('goes from nothing to a HEALTHY registry on 127.0.0.1:<port>, and undo returns the machine to where it was', async () => {
    const r = await run();
    expect(r.code, output(r)).toBe(0);

    // The registry answers through the cluster's port mapping.
    const v2 = await getV2();
    expect(v2.status).toBe(200);
    expect(v2.headers.get('docker-distribution-api-version')).toBe('registry/2.0');

    const st = await status();
    expect(st.status).toBe('completed');
    for (const t of ALL_TASKS) expect(st.tasks[t].status, t).toBe('succeeded');
    expect(st.tasks['registry-health'].outputs).toMatchObject({ status: 'HEALTHY', health: 'HEALTHY', statusCode: 200, attempts: 1 });
    expect(st.tasks.registry.outputs).toEqual({ release: 'registry', namespace: 'pallet', revision: 1, status: 'deployed', chartVersion: '1.0.0', appVersion: '2.8.3' });
    expect(st.tasks['registry-roundtrip'].outputs).toMatchObject({ pushed: true, reference: `localhost:${port}/bootstrap/healthcheck:bootstrap-check` });
    expect(st.tasks['registry-roundtrip'].outputs.digest).toMatch(/^sha256:[a-f0-9]{64}$/);
    expect(st.tasks.cluster.outputs).toMatchObject({
      name: 'pallet-dev',
      context: 'kind-pallet-dev',
      kubeconfig: m.kubeconfig,
      port_mappings: `127.0.0.1:${port}->30500/tcp`,
      control_plane_ready: 'true',
    });
    expect(st.tasks.cluster.outputs.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(st.applied.map((a: { task: string }) => a.task)).toEqual(['registry-hosting', 'registry', 'namespace', 'cluster', 'data-dir']);

    // The journal: the release was remembered as ours before helm installed it.
    const journal = journalOf(stateDir());
    const note = journal.find((x) => x.type === 'task-note' && x.task === 'registry');
    expect(note?.note).toEqual({ installedByUs: true, release: 'registry', namespace: 'pallet' });
    const install = m.calls('helm').find((c) => c.argv[0] === 'upgrade')!;
    expect(note!.ts).toBeLessThanOrEqual(install.ts);
    expect(install.argv).toEqual(expect.arrayContaining(['--install', 'registry', '--namespace', 'pallet', '--kube-context', 'kind-pallet-dev', '--wait', '--timeout', '5m']));
    expect(install.argv).toContain(path.join(REPO, 'charts', 'pallet-registry', 'values-dev.yaml'));

    // The cluster: the pinned image, the config rendered by the playbook.
    const cluster = m.cluster('pallet-dev')!;
    expect(cluster.image).toMatch(/^kindest\/node:v1\.35\.8@sha256:[a-f0-9]{64}$/);
    expect(cluster.ports).toEqual([{ containerPort: 30500, hostPort: port, listenAddress: '127.0.0.1', protocol: 'TCP' }]);
    expect(cluster.mounts).toContainEqual({ hostPath: dataDir(), containerPath: '/var/lib/pallet-registry', readOnly: false });
    const hostsToml = path.join(stateDir(), 'kind', 'pallet-dev', 'certs.d', `localhost:${port}`, 'hosts.toml');
    expect(cluster.mounts).toContainEqual({ hostPath: path.dirname(path.dirname(hostsToml)), containerPath: '/etc/containerd/certs.d', readOnly: true });
    expect(fs.readFileSync(hostsToml, 'utf8')).toContain('[host."http://localhost:30500"]');
    expect(kubeContexts()).toContain('kind-pallet-dev');
    expect(fs.existsSync(dataDir())).toBe(true);

    // KEP-1755 in the cluster.
    const cm = m.api.state.all().find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'local-registry-hosting');
    expect(cm?.metadata.namespace).toBe('kube-public');
    expect(parseYaml(cm!.data['localRegistryHosting.v1'])).toEqual({
      host: `localhost:${port}`,
      hostFromContainerRuntime: `localhost:${port}`,
      hostFromClusterNetwork: 'registry.pallet.svc.cluster.local:5000',
      help: 'https://kind.sigs.k8s.io/docs/user/local-registry/',
    });

    const u = await bootstrap(['undo', PLAYBOOK]);
    expect(u.code, output(u)).toBe(0);
    expect(m.clusters()).toEqual([]);
    expect(await portIsFree(port)).toBe(true);
    expect(kubeContexts()).not.toContain('kind-pallet-dev');
    expect(fs.existsSync(dataDir())).toBe(false);
    // In the order the graph gives: the release, then its namespace, then the cluster.
    const undone = journalOf(stateDir())
      .filter((x) => x.type === 'task-undo-end')
      .map((x) => `${x.task}:${x.status}`);
    expect(undone.filter((x) => /^(registry|namespace|cluster|data-dir):/.test(x))).toEqual(['registry:undone', 'namespace:undone', 'cluster:undone', 'data-dir:undone']);
    const helmUninstall = calls().findIndex((c) => c.startsWith('helm uninstall registry'));
    const kindDelete = calls().findIndex((c) => c.startsWith('kind delete cluster --name pallet-dev'));
    expect(helmUninstall).toBeGreaterThan(-1);
    expect(kindDelete).toBeGreaterThan(helmUninstall);

    const purge = await bootstrap(['undo', PLAYBOOK, '--purge']);
    expect(purge.code).toBe(0);
    expect(fs.existsSync(stateDir())).toBe(false);
  });

  it('fails fast (daemon down, port taken), then resumes after a failure injected at each step, never redoing a finished step', async () => {
    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(port, '127.0.0.1', resolve));
    const steps: Array<{ failing: string[]; env?: Record<string, string>; before?: () => void; expect: RegExp }> = [
      // The Docker daemon is down and something else holds the port: both reported at once.
      { failing: ['tools', 'port'], env: { FAKE_DOCKER_DOWN: '1' }, expect: /Cannot connect to the Docker daemon at unix:\/\/\/var\/run\/docker\.sock\. Is the docker daemon running\?.*start Docker/s },
      { failing: ['cluster'], env: { FAKE_FAIL: 'kind-create' }, before: () => holder.close(), expect: /failed to init node with kubeadm/ },
      { failing: ['namespace'], env: { FAKE_FORBID: JSON.stringify({ verb: 'create', resource: 'namespaces' }) }, expect: /forbidden/i },
      { failing: ['registry'], env: { FAKE_FAIL: 'helm-install' }, before: () => (m.api.state.forbidden = []), expect: /INSTALLATION FAILED: context deadline exceeded/ },
      { failing: ['registry-ready'], before: () => m.api.state.forbidden.push({ verb: 'list', resource: 'pods' }), expect: /forbidden/i },
      { failing: ['registry-health'], before: () => ((m.api.state.forbidden = []), m.fault('pallet-dev', 'all')), expect: /UNHEALTHY after 3 attempts/ },
      { failing: ['registry-roundtrip'], before: () => m.fault('pallet-dev', 'post'), expect: /push of blob failed/ },
    ];
    const done = new Set<string>();
    for (const [i, step] of steps.entries()) {
      step.before?.();
      const r = await run(i === 0 ? [] : ['--resume'], step.env);
      expect(r.code, output(r)).toBe(1);
      expect(output(r)).toMatch(step.expect);
      const ends = lastRunEnds();
      for (const t of step.failing) expect(ends.get(t)?.status, `${t} in step ${i}`).toBe('failed');
      // What a previous run finished is restored from the journal, not run again.
      for (const t of done) expect(ends.get(t), `${t} in step ${i}`).toMatchObject({ status: 'succeeded', restored: true });
      for (const [t, e] of ends) if (e.status === 'succeeded') done.add(t);
      if (i === 0) {
        // Failing fast: nothing was touched, and the port's holder (this process) is named.
        expect(output(r)).toContain(`port ${port}`);
        expect(output(r)).toContain(String(process.pid));
        expect(output(r)).toContain('free it or set registry_port');
        expect(calls().filter((c) => /^(kind create|helm (upgrade|template))/.test(c))).toEqual([]);
        expect(fs.existsSync(dataDir())).toBe(false);
      }
    }
    m.fault('pallet-dev', undefined);
    const last = await run(['--resume']);
    expect(last.code, output(last)).toBe(0);
    expect((await getV2()).status).toBe(200);
    const ends = lastRunEnds();
    expect(ends.get('registry-roundtrip')?.status).toBe('succeeded');
    for (const t of ALL_TASKS.filter((x) => x !== 'registry-roundtrip')) expect(ends.get(t), t).toMatchObject({ restored: true });

    // Each step ran until it succeeded, then never again: docker checked twice (down, then up),
    // kind create twice (the injected failure, then the cluster), helm twice (the failed
    // install, then its upgrade to revision 2).
    expect(count('kind create cluster')).toBe(2);
    expect(m.cluster('pallet-dev')).toBeDefined();
    expect(count('docker info')).toBe(2);
    expect(count('helm upgrade --install')).toBe(2);
    expect((await status()).tasks.registry.outputs).toMatchObject({ revision: 2, status: 'deployed' });
    expect(journalOf(stateDir()).filter((x) => x.type === 'run-start')).toHaveLength(8);
  });

  it('--rollback undoes a failed run, leaving nothing behind', async () => {
    const r = await run(['--rollback'], { FAKE_FAIL: 'helm-install' });
    expect(r.code, output(r)).toBe(1);
    expect(output(r)).toMatch(/INSTALLATION FAILED/);
    expect(m.clusters()).toEqual([]);
    expect(await portIsFree(port)).toBe(true);
    expect(kubeContexts()).not.toContain('kind-pallet-dev');
    expect(fs.existsSync(dataDir())).toBe(false);
    // The half-installed release was uninstalled (it was ours) before the cluster went.
    expect(calls('helm').some((c) => c.startsWith('helm uninstall registry'))).toBe(true);
    const st = await status();
    expect(st.status).toBe('rolled_back');
    expect(st.applied).toEqual([]);
  });

  it('keep_pvc=true keeps the data dir on undo, and the next run finds the image pushed before', async () => {
    const r1 = await run(['--var', 'keep_pvc=true']);
    expect(r1.code, output(r1)).toBe(0);
    const install = m.calls('helm').find((c) => c.argv[0] === 'upgrade')!;
    expect(install.argv).toContain('persistence.keep=true');
    // The registry stores into the host dir through the hostPath PV on the node's mount.
    const reg = JSON.parse(fs.readFileSync(path.join(m.clusterDir('pallet-dev'), 'registry.json'), 'utf8'));
    expect(reg.dataDir).toBe(dataDir());
    const digest = await pushArtifact('pallet/workflows', 'v1');
    expect(fs.existsSync(path.join(dataDir(), 'docker', 'registry', 'v2', 'repositories', 'pallet', 'workflows'))).toBe(true);

    const u = await bootstrap(['undo', PLAYBOOK]);
    expect(u.code, output(u)).toBe(0);
    expect(m.clusters()).toEqual([]);
    expect(fs.existsSync(path.join(dataDir(), 'docker', 'registry', 'v2', 'repositories', 'pallet', 'workflows'))).toBe(true);

    const r2 = await run(['--var', 'keep_pvc=true']);
    expect(r2.code, output(r2)).toBe(0);
    expect(lastRunEnds().get('data-dir')?.outputs).toMatchObject({ created: 'false' });
    const res = await fetch(`http://127.0.0.1:${port}/v2/pallet/workflows/manifests/v1`, { headers: { Accept: 'application/vnd.oci.image.manifest.v1+json' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('docker-content-digest')).toBe(digest);

  });

  it('reuses an existing cluster (skipped as satisfied) and never deletes it on undo', async () => {
    const pre = path.join(m.root, 'pre-existing');
    fs.mkdirSync(dataDir(), { recursive: true });
    const render = spawnSync('bash', [RENDER, pre, 'pallet-dev', String(port), dataDir()], { encoding: 'utf8' });
    expect(render.status).toBe(0);
    await runFake(m, 'kind', ['create', 'cluster', '--name', 'pallet-dev', '--config', path.join(pre, 'kind-config.yaml')]);

    const r = await run();
    expect(r.code, output(r)).toBe(0);
    const ends = lastRunEnds();
    expect(ends.get('cluster')).toMatchObject({ status: 'skipped', reason: 'satisfied' });
    expect(ends.get('port')).toMatchObject({ status: 'skipped', reason: 'satisfied' });
    expect((await getV2()).status).toBe(200);
    expect(count('kind create cluster')).toBe(1); // ours, before the run

    const u = await bootstrap(['undo', PLAYBOOK]);
    expect(u.code, output(u)).toBe(0);
    expect(m.clusters()).toEqual(['pallet-dev']);
    expect(count('kind delete cluster')).toBe(0);
    expect(count('helm uninstall registry')).toBe(1);
    expect(m.api.state.all().some((o) => o.kind === 'Namespace' && o.metadata.name === 'pallet')).toBe(false);
    expect(fs.existsSync(dataDir())).toBe(true); // it existed before the run
  });

  it('fails fast and clearly when docker is not installed', async () => {
    const r = await bootstrap(['run', PLAYBOOK, '--var', `registry_port=${port}`], m.envWithoutDocker(), 20_000);
    expect(r.code).toBe(1);
    expect(output(r)).toContain('docker is not installed (not found on PATH)');
    expect(output(r)).toMatch(/install: .*docs\.docker\.com/);
    expect(lastRunEnds().get('tools')?.status).toBe('failed');
    expect(calls().filter((c) => !/^(kind|helm|kubectl) (version|get clusters|--version)/.test(c))).toEqual([]);
  });
});
