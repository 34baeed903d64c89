/**
 * The `helm` kind against the fake helm of test/fakes/bin (releases stored as Secrets in the fake
 * API server, rendering by the REAL helm 3.17 / 4.1 `helm template`), with every argv the kind
 * passes recorded: values files are checked while helm runs (0600, in the state dir) and gone
 * afterwards, and secrets never appear in argv.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { runProcess, type ProcessOptions } from '../../runner/process.js';
import { createTaskContext } from '../../tasks/context.js';
import { escapeSetValue, parseHelmVersion, setArgs } from '../../tasks/helm/cli.js';
import { parseList, parseStatus } from '../../tasks/helm/release.js';
import { helmKind, type HelmWith } from '../../tasks/helm.js';
import { TaskError, type KindResult, type TaskContext } from '../../tasks/kind.js';
import { runFake, startFakeMachine, type FakeMachine } from '../fakes/bin/harness.js';
import { REPO } from '../support/cli.js';
import { helmBinary } from '../support/helm.js';
import { failure } from '../support/kinds.js';

const PLAYBOOK_DIR = path.join(REPO, 'playbooks');
const SECRET = 's3cr3t-Value-9f2c';

let m: FakeMachine;

interface Exec {
  args: string[];
  /** -f files inside the state dir while helm ran: mode and content. */
  stateFiles: Array<{ path: string; mode: number; text: string }>;
}

interface Harness {
  ctx: TaskContext;
  execs: Exec[];
  notes: Array<Record<string, unknown>>;
  logs: string[];
}

const stateDir = () => path.join(m.root, 'state');

function harness(remembered: Record<string, unknown> = {}, env: Record<string, string> = {}): Harness {
  const h: Harness = { execs: [], notes: [], logs: [], ctx: undefined as unknown as TaskContext };
  h.ctx = createTaskContext({
    taskId: 'registry',
    playbookDir: PLAYBOOK_DIR,
    stateDir: stateDir(),
    env: { ...process.env, ...m.env, ...env },
    remembered,
    remember: async (note) => {
      h.notes.push({ ...note, _helmCallsBefore: m.calls('helm').filter((c) => c.argv[0] === 'upgrade').length });
    },
    onLog: (level, msg) => h.logs.push(`${level}: ${msg}`),
    spawn: (opts: ProcessOptions) => {
      const stateFiles = opts.args
        .filter((a, i) => opts.args[i - 1] === '-f' && a.startsWith(stateDir()))
        .map((p) => ({ path: p, mode: fs.statSync(p).mode & 0o777, text: fs.readFileSync(p, 'utf8') }));
      h.execs.push({ args: [...opts.args], stateFiles });
      return runProcess(opts);
    },
  });
  return h;
}

const base = (extra: Partial<HelmWith> = {}): HelmWith => ({
  release: 'registry',
  chart: '../charts/pallet-registry',
  namespace: 'pallet',
  valuesFiles: ['../charts/pallet-registry/values-dev.yaml'],
  context: 'fake',
  ...extra,
});

function releaseSecrets(): Array<{ name: string; status: string }> {
  return m.api.state
    .all()
    .filter((o) => o.kind === 'Secret' && o.metadata.labels?.owner === 'helm')
    .map((o) => ({ name: o.metadata.name, status: o.metadata.labels.status }));
}

const objectsOf = (kind: string) => m.api.state.all().filter((o) => o.kind === kind && o.metadata.namespace === 'pallet');

async function undo(w: HelmWith, result: KindResult | undefined, h: Harness, notes: Record<string, unknown> = {}): Promise<Harness> {
  const u = harness();
  const merged = Object.assign({}, notes, ...h.notes.map(({ _helmCallsBefore, ...n }) => n));
  await helmKind.undo!({ with: w, state: { ...merged, ...(result?.undo ?? {}) }, partial: !result }, u.ctx);
  return u;
}

async function setup(major: 3 | 4 = 3): Promise<void> {
  m = await startFakeMachine({ helmMajor: major });
  fs.writeFileSync(m.kubeconfig, m.api.kubeconfig('fake'));
  m.api.state.seed({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'pallet' } });
}

describe('helm kind (helm 3)', () => {
  beforeEach(() => setup(3));
  afterEach(() => m.cleanup());

  it('installs a release it remembers as its own first, reports it, and uninstalls it on undo', async () => {
    expect(await helmKind.satisfied!(base(), harness().ctx)).toBe(false);
    const h = harness();
    const w = base({ set: { 'persistence.size': '2Gi', 'persistence.keep': true, 'service.hostPort': 5123 } });
    const r = await helmKind.run(w, h.ctx);
    expect(r.outputs).toEqual({ release: 'registry', namespace: 'pallet', revision: 1, status: 'deployed', chartVersion: '1.0.0', appVersion: '2.8.3' });
    expect(r.undo).toEqual({ installedByUs: true, release: 'registry', namespace: 'pallet' });
    expect(r.summary).toMatch(/^installed registry \(pallet-registry 1\.0\.0, app 2\.8\.3\): revision 1, deployed$/);
    // Remembered before helm was asked to install anything.
    expect(h.notes).toEqual([{ installedByUs: true, release: 'registry', namespace: 'pallet', _helmCallsBefore: 0 }]);

    const upgrade = h.execs.find((e) => e.args[0] === 'upgrade')!.args;
    expect(upgrade.slice(0, 4)).toEqual(['upgrade', '--install', 'registry', path.join(REPO, 'charts', 'pallet-registry')]);
    expect(upgrade).toEqual(expect.arrayContaining(['--namespace', 'pallet', '--kube-context', 'fake', '--wait', '--timeout', '5m', '-f', path.join(REPO, 'charts/pallet-registry/values-dev.yaml')]));
    expect(upgrade).toEqual(expect.arrayContaining(['--set-string', 'persistence.size=2Gi', '--set', 'persistence.keep=true', '--set', 'service.hostPort=5123']));
    // helm template first (values checked before the cluster is touched), then status, upgrade, status.
    expect(h.execs.map((e) => e.args[0])).toEqual(['version', 'template', 'status', 'upgrade', 'status']);

    expect(releaseSecrets()).toEqual([{ name: 'sh.helm.release.v1.registry.v1', status: 'deployed' }]);
    expect(objectsOf('Deployment').map((o) => o.metadata.name)).toEqual(['registry']);
    const pvc = objectsOf('PersistentVolumeClaim')[0]!;
    expect(pvc.spec.resources.requests.storage).toBe('2Gi');
    expect(pvc.metadata.annotations['helm.sh/resource-policy']).toBe('keep');
    expect(await helmKind.satisfied!(base(), harness().ctx)).toBe(true);

    const u = await undo(w, r, h);
    expect(u.execs.map((e) => e.args.slice(0, 2).join(' '))).toEqual(['version --short', 'uninstall registry']);
    expect(u.execs[1]!.args).toEqual(expect.arrayContaining(['--namespace', 'pallet', '--kube-context', 'fake', '--wait', '--timeout', '5m']));
    expect(releaseSecrets()).toEqual([]);
    expect(objectsOf('Deployment')).toEqual([]);
    expect(objectsOf('PersistentVolumeClaim')).toHaveLength(1); // helm.sh/resource-policy: keep
  });

  it('passes inline values through a 0600 file in the state dir, removed afterwards, never through argv', async () => {
    const h = harness();
    const w = base({ values: { image: { tag: SECRET } } });
    await helmKind.run(w, h.ctx);
    const withFile = h.execs.filter((e) => e.stateFiles.length > 0);
    expect(withFile.map((e) => e.args[0])).toEqual(['template', 'upgrade']);
    for (const e of withFile) {
      expect(e.stateFiles).toHaveLength(1);
      expect(e.stateFiles[0]!.path.startsWith(path.join(stateDir(), 'tmp') + path.sep)).toBe(true);
      expect(e.stateFiles[0]!.mode).toBe(0o600);
      expect(e.stateFiles[0]!.text).toContain(SECRET);
      // After the values files: inline values win.
      expect(e.args.indexOf(e.stateFiles[0]!.path)).toBeGreaterThan(e.args.indexOf(path.join(REPO, 'charts/pallet-registry/values-dev.yaml')));
      expect(fs.existsSync(e.stateFiles[0]!.path)).toBe(false);
    }
    expect((fs.statSync(path.join(stateDir(), 'tmp')).mode & 0o777).toString(8)).toBe('700');
    expect(fs.readdirSync(path.join(stateDir(), 'tmp'))).toEqual([]);
    // The value reached the cluster, and no helm process ever saw it in its argv.
    expect(objectsOf('Deployment')[0]!.spec.template.spec.containers[0].image).toBe(`registry:${SECRET}`);
    for (const c of m.calls()) expect(c.argv.join(' ')).not.toContain(SECRET);
  });

  it('removes the values file when helm fails too', async () => {
    const e = await failure(helmKind.run(base({ values: { image: { tag: SECRET } } }), harness({}, { FAKE_FAIL: 'helm-install' }).ctx));
    expect(e.message).toMatch(/helm install of registry failed: INSTALLATION FAILED: context deadline exceeded/);
    expect(fs.readdirSync(path.join(stateDir(), 'tmp'))).toEqual([]);
  });

  it('upgrades a release that existed before, and leaves it in place on undo', async () => {
    await runFake(m, 'helm', ['upgrade', '--install', 'registry', path.join(REPO, 'charts/pallet-registry'), '-n', 'pallet', '--kube-context', 'fake']);
    const h = harness();
    const r = await helmKind.run(base(), h.ctx);
    expect(h.notes).toEqual([]);
    expect(r.undo).toBeNull();
    expect(r.outputs).toMatchObject({ revision: 2, status: 'deployed' });
    expect(r.summary).toMatch(/^upgraded registry/);
    expect(releaseSecrets()).toContainEqual({ name: 'sh.helm.release.v1.registry.v1', status: 'superseded' });
    const u = await undo(base(), r, h);
    expect(u.execs).toEqual([]);
    expect(u.logs.join('\n')).toContain('existed before this task: left in place');
    expect(releaseSecrets()).toHaveLength(2);
  });

  it('finishes what an earlier attempt started: a failed install is upgraded, and still uninstalled on undo', async () => {
    const first = harness({}, { FAKE_FAIL: 'helm-install' });
    const e = await failure(helmKind.run(base(), first.ctx));
    expect(e.hint).toMatch(/did not become ready in time/);
    expect(first.notes).toHaveLength(1);
    const notes = { installedByUs: true, release: 'registry', namespace: 'pallet' };
    const again = harness(notes);
    const r = await helmKind.run(base(), again.ctx);
    expect(again.notes).toEqual([]); // already remembered
    expect(r.outputs).toMatchObject({ revision: 2, status: 'deployed' });
    expect(r.undo).toEqual(notes);
    await undo(base(), r, again, notes);
    expect(releaseSecrets()).toEqual([]);
  });

  it('reinstalls its own release left pending-install by a killed helm; refuses one that is not its own', async () => {
    await failure(helmKind.run(base(), harness({}, { FAKE_FAIL: 'helm-crash' }).ctx));
    expect(releaseSecrets()).toEqual([{ name: 'sh.helm.release.v1.registry.v1', status: 'pending-install' }]);

    const stranger = await failure(helmKind.run(base(), harness().ctx));
    expect(stranger.message).toContain('release registry is pending-install');
    expect(stranger.hint).toContain('helm uninstall registry -n pallet');

    const h = harness({ installedByUs: true, release: 'registry', namespace: 'pallet' });
    const r = await helmKind.run(base(), h.ctx);
    expect(h.execs.map((e) => e.args[0])).toEqual(['version', 'template', 'status', 'uninstall', 'upgrade', 'status']);
    expect(r.outputs).toMatchObject({ revision: 1, status: 'deployed' });
  });

  it('rejects values the chart refuses before touching the cluster (permanently)', async () => {
    const h = harness();
    const e = await failure(helmKind.run(base({ set: { 'persistence.size': '50Mi' } }), h.ctx));
    expect(e.permanent).toBe(true);
    expect(e.message).toMatch(/chart \.\.\/charts\/pallet-registry does not render with these values: .*persistence/s);
    expect(h.execs.map((x) => x.args[0])).toEqual(['version', 'template']);
    expect(h.notes).toEqual([]);
    expect(releaseSecrets()).toEqual([]);
  });

  it('reports missing charts, values files and namespaces clearly', async () => {
    const noChart = await failure(helmKind.run(base({ chart: './charts/nope' }), harness().ctx));
    expect(noChart.permanent).toBe(true);
    expect(noChart.message).toContain('chart ./charts/nope not found');
    const noValues = await failure(helmKind.run(base({ valuesFiles: ['missing.yaml'] }), harness().ctx));
    expect(noValues.message).toContain(`values file missing.yaml not found (looked at ${path.join(PLAYBOOK_DIR, 'missing.yaml')})`);
    const noNs = await failure(helmKind.run(base({ namespace: 'elsewhere' }), harness().ctx));
    expect(noNs.message).toContain('namespaces "elsewhere" not found');
    expect(noNs.hint).toContain('createNamespace');
    const created = await helmKind.run(base({ namespace: 'elsewhere', createNamespace: true }), harness().ctx);
    expect(created.outputs).toMatchObject({ namespace: 'elsewhere', status: 'deployed' });
  });

  it('passes --kubeconfig (relative to the playbook) and fails clearly when the cluster is unreachable', async () => {
    const kc = path.join(m.root, 'other-kubeconfig');
    fs.writeFileSync(kc, m.api.kubeconfig('other'));
    const h = harness({}, { KUBECONFIG: path.join(m.root, 'nothing-here') });
    const r = await helmKind.run(base({ kubeconfig: path.relative(PLAYBOOK_DIR, kc), context: 'other' }), h.ctx);
    expect(r.outputs).toMatchObject({ status: 'deployed' });
    expect(h.execs.find((e) => e.args[0] === 'upgrade')!.args).toEqual(expect.arrayContaining(['--kubeconfig', kc, '--kube-context', 'other']));

    const dead = path.join(m.root, 'dead-kubeconfig');
    fs.writeFileSync(dead, m.api.kubeconfig('dead').replace(m.api.url, 'https://127.0.0.1:1'));
    const e = await failure(helmKind.run(base({ kubeconfig: dead, context: 'dead' }), harness().ctx));
    expect(e.message).toMatch(/Kubernetes cluster unreachable/);
    expect(e.hint).toMatch(/is the cluster running/);
  });

  it('undo treats "release: not found" as done, and does nothing for a release it did not install', async () => {
    const u = await undo(base(), undefined, harness(), { installedByUs: true, release: 'registry', namespace: 'pallet' });
    expect(u.execs.map((e) => e.args[0])).toEqual(['version', 'uninstall']);
    expect(u.logs.join('\n')).toContain('already gone');
    const none = await undo(base(), undefined, harness(), {});
    expect(none.execs).toEqual([]);
  });

  it('fails clearly when helm is not installed', async () => {
    const e = await failure(helmKind.run(base(), harness({}, { PATH: path.join(m.root, 'empty-path') }).ctx));
    expect(e.message).toBe('helm is not installed (not found on PATH)');
    expect(e.hint).toMatch(/install helm 3 or 4/);
  });
});

describe('helm kind (helm 4)', () => {
  beforeEach(() => setup(4));
  afterEach(() => m.cleanup());

  it('uses helm 4 flags: --wait=watcher, --rollback-on-failure', async () => {
    const h = harness();
    const r = await helmKind.run(base({ atomic: true }), h.ctx);
    expect(r.outputs).toMatchObject({ revision: 1, status: 'deployed', chartVersion: '1.0.0' });
    const upgrade = h.execs.find((e) => e.args[0] === 'upgrade')!.args;
    expect(upgrade).toContain('--wait=watcher');
    expect(upgrade).toContain('--rollback-on-failure');
    expect(upgrade).not.toContain('--atomic');
    const u = await undo(base(), r, h);
    expect(u.execs[1]!.args).toContain('--wait=watcher');
    expect(releaseSecrets()).toEqual([]);
  });

  it('the fake helm refuses helm 3 flags when it is helm 4 (so the test above can fail)', async () => {
    const err = await runFake(m, 'helm', ['upgrade', '--install', 'registry', path.join(REPO, 'charts/pallet-registry'), '-n', 'pallet', '--kube-context', 'fake', '--atomic']).then(
      () => undefined,
      (e: { stderr: string }) => e.stderr,
    );
    expect(err).toContain('Error: unknown flag: --atomic');
  });
});

describe('helm kind helpers', () => {
  it('parses helm versions, status and list output', () => {
    expect(parseHelmVersion('v3.17.3+ge4da497')).toEqual({ major: 3, minor: 17, version: 'v3.17.3+ge4da497' });
    expect(parseHelmVersion('v4.1.4+g05fa379\n')).toMatchObject({ major: 4, minor: 1 });
    expect(parseHelmVersion('Client: v2.17.0+ga690bad')).toMatchObject({ major: 2 });
    expect(parseStatus('{"name":"r","namespace":"n","version":3,"info":{"status":"deployed"},"chart":{"metadata":{"name":"c","version":"1.2.3","appVersion":"9"}}}')).toEqual({
      release: 'r',
      namespace: 'n',
      revision: 3,
      status: 'deployed',
      chartName: 'c',
      chartVersion: '1.2.3',
      appVersion: '9',
    });
    expect(parseList('[{"name":"r","namespace":"n","revision":"2","status":"failed","chart":"pallet-registry-1.0.0","app_version":"2.8.3"}]', 'r')).toEqual({
      release: 'r',
      namespace: 'n',
      revision: 2,
      status: 'failed',
      chartName: 'pallet-registry',
      chartVersion: '1.0.0',
      appVersion: '2.8.3',
    });
  });

  it('escapes --set-string values the way the real helm reads them', async () => {
    expect(escapeSetValue('a,b\\c')).toBe('a\\,b\\\\c');
    expect(setArgs({ a: 'x,y', b: 2, c: false })).toEqual(['--set-string', 'a=x\\,y', '--set', 'b=2', '--set', 'c=false']);
    const r = await runProcess({
      file: await helmBinary(3),
      args: ['template', 'r', path.join(REPO, 'charts/pallet-registry'), ...setArgs({ 'persistence.mountPath': '/data,x\\y' })],
      env: { ...process.env, KUBECONFIG: '/nonexistent' },
      captureStdout: true,
    });
    expect(r.stderr).toBe('');
    const deployment = parseAllDocuments(r.stdout)
      .map((d) => d.toJS())
      .find((o) => o?.kind === 'Deployment');
    const env = deployment.spec.template.spec.containers[0].env as Array<{ name: string; value: string }>;
    expect(env.find((e) => e.name === 'REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY')?.value).toBe('/data,x\\y');
  });

  it('validates `with` beyond the schema', () => {
    expect(helmKind.validate!({ release: 'r', chart: 'c', namespace: 'kube-system', createNamespace: true })).toEqual([
      { path: ['createNamespace'], message: 'namespace kube-system always exists: drop createNamespace' },
    ]);
    expect(helmKind.validate!({ release: 'r', chart: 'c', namespace: 'n', set: { 'a b': 1 } })).toHaveLength(1);
    expect(helmKind.validate!(base())).toEqual([]);
  });
});
