/**
 * `playbooks/aks-kalypso.yaml` end to end through the real CLI, against fakes: ARM (HTTPS), GitHub,
 * a Kubernetes API server (where the AKS credentials point), the fake helm (rendering with the
 * real helm) fed by a local chart repository, the real kubectl, fake az and gh. Needs
 * `npm run build`. See aks-kalypso-world.ts for the setup.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { kalypsoCrds } from '../fakes/kube-apiserver/index.js';
import { journalOf, runCli, tempProject } from '../support/cli.js';
import { addFiles, allFiles, CLUSTER, fileOf, filesOf, helmCalls, KUBE_TOKEN, PLAYBOOK, runArgs, secretOf, startToolbox, startWorld, type Toolbox, type World } from './aks-kalypso-world.js';

let tools: Toolbox;
const worlds: World[] = [];

beforeAll(async () => {
  tools = await startToolbox();
}, 120_000);

afterAll(async () => {
  await tools?.close();
});

afterEach(async () => {
  while (worlds.length) await worlds.pop()!.stop();
});

async function world(opts: Parameters<typeof startWorld>[1] = {}): Promise<World> {
  const w = await startWorld(tools, opts);
  worlds.push(w);
  return w;
}

const CP = 'kalypso-control-plane';
const GO = 'kalypso-gitops';
const CLUSTER_PATH = new RegExp(`/managedClusters/${CLUSTER}$`, 'i');
const RG_PATH = new RegExp(`/resourcegroups/${CLUSTER}-rg$`, 'i');

const KALYPSO_CRDS = [
  'assignments',
  'assignmentpackages',
  'baserepoes',
  'clustertypes',
  'configschemas',
  'deploymenttargets',
  'environments',
  'gitopsrepoes',
  'schedulingpolicies',
  'templates',
  'workloadregistrations',
  'workloads',
].map((p) => `${p}.scheduler.kalypso.io`);

/** What the seed requires of each branch (the files the templates create). */
const CONTROL_PLANE_MAIN = [
  '.environments/dev.yaml',
  '.github/workflows/cd.yaml',
  '.github/workflows/check-promote.yaml',
  '.github/workflows/ci.yaml',
  'README.md',
  'templates/default-template.yaml',
  'workloads/sample-workload-registration.yaml',
];
const CONTROL_PLANE_DEV = ['README.md', 'base-repo.yaml', 'cluster-types/default.yaml', 'configs/default-config.yaml', 'gitops-repo.yaml', 'scheduling-policies/default-policy.yaml'];

const armCalls = (w: World, method: string, p: RegExp) => w.arm.requests.filter((r) => r.method === method && p.test(r.path));
const ghCalls = (w: World, method: string, p: RegExp) => w.gh.requests.filter((r) => r.method === method && p.test(r.path));
const objects = (w: World, kind: string, ns?: string) => w.api.state.all().filter((o) => o.kind === kind && (ns === undefined || o.metadata.namespace === ns));
const names = (w: World, kind: string, ns?: string) => objects(w, kind, ns).map((o) => o.metadata.name);
const upgrades = (w: World, release: string) => helmCalls(w).filter((a) => a[0] === 'upgrade' && a.includes(release));
const lastRun = (w: World) => {
  const j = journalOf(w.stateDir);
  const start = j.filter((r) => r.type === 'run-start').at(-1)!;
  return new Map(j.filter((r) => r.type === 'task-end' && r.run === start.run).map((r) => [r.task as string, r]));
};
/** Every task that succeeded in the previous run is restored (not run again) in the next. */
function expectRestored(before: Map<string, Record<string, unknown>>, after: Map<string, Record<string, unknown>>): void {
  const done = [...before].filter(([, e]) => e.status === 'succeeded').map(([id]) => id);
  expect(done.length).toBeGreaterThan(0);
  for (const id of done) expect(after.get(id), id).toMatchObject({ status: 'succeeded', restored: true });
}
const status = async (w: World) => {
  const r = await w.run(['status', PLAYBOOK, '--json']);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
};

/** The token must appear in no output, log, journal, report, fake call log or leftover file. */
function expectNoTokenAnywhere(w: World): void {
  const token = w.gh.token;
  const texts = [
    ...w.outputs.map((text, i) => ({ file: `cli output #${i}`, text })),
    ...allFiles(w.stateDir),
    ...allFiles(w.fakeState), // fake helm/kubectl call log (argv), az and gh logs
    ...allFiles(path.join(w.dir, 'home')), // kubeconfig
  ];
  expect(texts.length).toBeGreaterThan(5);
  expect(texts.some((t) => t.file.endsWith('run.log'))).toBe(true);
  expect(texts.some((t) => t.file.endsWith('journal.jsonl'))).toBe(true);
  expect(texts.some((t) => t.file.endsWith('calls.jsonl'))).toBe(true);
  for (const t of texts) expect(t.text.includes(token), `token found in ${t.file}`).toBe(false);
  // The cluster user's token (from the AKS credentials) is only in the kubeconfig.
  for (const t of texts) if (!t.file.endsWith(path.join('.kube', 'config'))) expect(t.text.includes(KUBE_TOKEN), `kube token found in ${t.file}`).toBe(false);
  // The inline values file (token inside) was removed.
  expect(allFiles(path.join(w.stateDir, 'tmp')).filter((f) => /helm-values/.test(f.file))).toEqual([]);
}

describe('aks-kalypso: validation', () => {
  it('validates cleanly, and each assert rule stops a bad combination before anything runs (exit 2)', async () => {
    const dir = tempProject();
    const env = { GITHUB_TOKEN: undefined, AZURE_SUBSCRIPTION_ID: undefined };
    const v = await runCli(['validate', PLAYBOOK], { cwd: dir, env });
    expect(v.code, v.stderr).toBe(0);
    expect(v.stdout).toMatch(/aks-kalypso\.yaml: valid \(\d+ tasks, \d+ vars\)/);
    expect(v.stderr).toBe(''); // no warnings either (every var is used)

    const dry = (...vars: string[]) => runCli(['run', PLAYBOOK, '--dry-run', '--non-interactive', '--var', 'cluster.name=kal', ...vars.flatMap((x) => ['--var', x])], { cwd: dir, env });
    const ok = await dry();
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/aks[\s\S]*kalypso[\s\S]*verify-workload/);

    // Every broken rule is reported at once, so a few runs cover them all.
    const cases: Array<[string[], RegExp[]]> = [
      [
        ['cluster.create=false', 'repositories.control_plane.create=false', 'repositories.gitops.url=https://github.com/acme/ops'],
        [
          /cluster\.existing_context is required when cluster\.create is false/,
          /repositories\.control_plane\.url is required when repositories\.control_plane\.create is false/,
          /repositories\.gitops\.url is only used when repositories\.gitops\.create is false/,
        ],
      ],
      [
        ['cluster.existing_context=ctx', 'repositories.gitops.name=kalypso-control-plane'],
        [/cluster\.existing_context is only used when cluster\.create is false/, /repositories\.control_plane\.name and repositories\.gitops\.name must differ/],
      ],
      [
        ['repositories.control_plane.create=false', 'repositories.gitops.create=false', 'repositories.control_plane.url=https://github.com/acme/x', 'repositories.gitops.url=https://github.com/acme/x'],
        [/must be different repositories/],
      ],
      [
        ['repositories.gitops.create=false', 'repositories.gitops.url=https://gitlab.com/acme/ops', 'cluster.node_count=0', 'cluster.name=Not_DNS', 'cluster.resource_group=bad/rg', 'installation.namespace=Kalypso'],
        [/repositories\.gitops\.url/, /cluster\.node_count/, /cluster\.name/, /cluster\.resource_group/, /installation\.namespace/],
      ],
    ];
    for (const [vars, messages] of cases) {
      const r = await dry(...vars);
      expect(r.code, `${vars.join(' ')}: ${r.stdout}${r.stderr}`).toBe(2);
      for (const m of messages) expect(r.stderr).toMatch(m);
    }
    expect(fs.existsSync(path.join(dir, '.bootstrap'))).toBe(false);
  });
});

describe('aks-kalypso: a full run', () => {
  it('creates the cluster, both repositories, Flux and Kalypso, verifies them; status shows the Bootstrap State; undo removes exactly that', async () => {
    const w = await world();
    const r = await w.run(runArgs(w));
    expect(r.code, r.stdout + r.stderr).toBe(0);

    // AKS: one resource group and one cluster PUT, with the configured shape; the context merged.
    expect(armCalls(w, 'PUT', RG_PATH)).toHaveLength(1);
    expect(armCalls(w, 'PUT', CLUSTER_PATH)).toHaveLength(1);
    const cluster = w.arm.state.getCluster(`${CLUSTER}-rg`, CLUSTER)!;
    expect(cluster).toMatchObject({ location: 'westeurope', networkPlugin: 'azure' });
    expect(cluster.agentPools[0]).toMatchObject({ count: 2, vmSize: 'Standard_DS2_v2' });
    const kc = parse(fs.readFileSync(w.kubeconfig, 'utf8'));
    expect(kc.contexts.map((c: { name: string }) => c.name)).toEqual([CLUSTER]);
    expect(kc.clusters[0].cluster.server).toBe(w.api.url);

    // GitHub: both repositories created (private) with the seed's structure on main and dev.
    expect(ghCalls(w, 'POST', /^\/user\/repos$/)).toHaveLength(2);
    for (const n of [CP, GO]) expect(w.gh.repo('octocat', n)).toMatchObject({ private: true, defaultBranch: 'main' });
    expect(filesOf(w.gh, 'octocat', CP, 'main')).toEqual(CONTROL_PLANE_MAIN);
    expect(filesOf(w.gh, 'octocat', CP, 'dev')).toEqual(CONTROL_PLANE_DEV);
    expect(filesOf(w.gh, 'octocat', GO, 'main')).toEqual(['README.md']);
    expect(filesOf(w.gh, 'octocat', GO, 'dev')).toEqual(['.github/workflows/check-promote.yaml', 'README.md']);
    // Placeholders filled with the real names and URLs; GitHub Actions expressions left alone.
    const web = w.gh.apiUrl.replace(/\/+$/, '');
    expect(parse(fileOf(w.gh, 'octocat', CP, 'main', '.environments/dev.yaml'))).toEqual({
      apiVersion: 'scheduler.kalypso.io/v1alpha1',
      kind: 'Environment',
      metadata: { name: 'dev' },
      spec: { controlPlane: { repo: `${web}/octocat/${CP}`, branch: 'dev', path: '.' } },
    });
    expect(parse(fileOf(w.gh, 'octocat', CP, 'dev', 'gitops-repo.yaml')).spec).toEqual({ repo: `${web}/octocat/${GO}`, branch: 'dev', path: '.' });
    expect(parse(fileOf(w.gh, 'octocat', CP, 'dev', 'base-repo.yaml')).spec).toEqual({ repo: `${web}/octocat/${CP}`, branch: 'main', path: '.' });
    const promote = fileOf(w.gh, 'octocat', GO, 'dev', '.github/workflows/check-promote.yaml');
    expect(promote).toContain(`--repo "octocat/${CP}"`);
    expect(promote).toContain('${{ secrets.CONTROL_PLANE_TOKEN }}');
    expect(parse(promote).on.pull_request.branches).toEqual(['dev']);
    for (const [n, b] of [[CP, 'main'], [CP, 'dev'], [GO, 'main'], [GO, 'dev']] as const) {
      for (const f of filesOf(w.gh, 'octocat', n, b)) expect(fileOf(w.gh, 'octocat', n, b, f)).not.toMatch(/@@\w+@@/);
    }
    // Secrets and the label.
    expect(await secretOf(w.gh, 'octocat', CP, 'GITOPS_REPO')).toBe(`octocat/${GO}`);
    expect(await secretOf(w.gh, 'octocat', CP, 'GITOPS_REPO_TOKEN')).toBe(w.gh.token);
    expect(await secretOf(w.gh, 'octocat', GO, 'CONTROL_PLANE_TOKEN')).toBe(w.gh.token);
    for (const n of [CP, GO]) expect([...w.gh.repo('octocat', n)!.labels.keys()]).toContain('promoted');

    // Cluster: namespaces, Flux (serving the v1beta2 APIs the chart uses), Kalypso and its CRDs.
    expect(names(w, 'Namespace')).toEqual(expect.arrayContaining(['flux-system', 'kalypso-system']));
    expect(names(w, 'CustomResourceDefinition')).toEqual(expect.arrayContaining([...KALYPSO_CRDS, 'gitrepositories.source.toolkit.fluxcd.io', 'kustomizations.kustomize.toolkit.fluxcd.io']));
    expect(names(w, 'Deployment', 'kalypso-system')).toEqual(['kalypso-scheduler-controller-manager']);
    const gitRepo = objects(w, 'GitRepository', 'flux-system')[0]!;
    expect(gitRepo).toMatchObject({ apiVersion: 'source.toolkit.fluxcd.io/v1beta2', spec: { url: `${web}/octocat/${CP}`, ref: { branch: 'main' } } });
    expect(objects(w, 'Kustomization', 'flux-system')[0]).toMatchObject({ apiVersion: 'kustomize.toolkit.fluxcd.io/v1beta2', spec: { path: '.environments', targetNamespace: 'kalypso-system' } });
    const ghSecret = objects(w, 'Secret', 'flux-system').find((s) => s.metadata.name === 'gh-repo-secret')!;
    expect(Buffer.from(String((ghSecret as unknown as { data: { password: string } }).data.password), 'base64').toString()).toBe(w.gh.token);
    // The probe Workload was created, seen reconciled, and deleted.
    const wl = w.api.state.requests.filter((q) => q.path.includes('/namespaces/kalypso-system/workloads'));
    expect(wl.some((q) => q.method === 'POST' && q.status === 201)).toBe(true);
    expect(wl.some((q) => q.method === 'DELETE' && q.status === 200)).toBe(true);
    expect(objects(w, 'Workload')).toEqual([]);
    // helm: pinned chart versions from the chart repository; values through a file, not argv.
    const [flux] = upgrades(w, 'flux');
    const [kalypso] = upgrades(w, 'kalypso-scheduler');
    expect(flux).toEqual(expect.arrayContaining(['flux2', '--repo', tools.chartRepoUrl, '--version', '2.16.2', '--namespace', 'flux-system', '--kube-context', CLUSTER]));
    expect(kalypso).toEqual(expect.arrayContaining(['kalypso-scheduler', '--repo', tools.chartRepoUrl, '--version', '1.1.1', '--namespace', 'kalypso-system', '--wait', '-f']));

    // status --json: the seed's Bootstrap State.
    const doc = await status(w);
    expect(doc).toMatchObject({ version: '1.0', status: 'completed', errors: [] });
    expect(Date.parse(doc.timestamp)).not.toBeNaN();
    expect(doc.outputs).toEqual({
      cluster: {
        created: true,
        resource_group_created: true,
        name: CLUSTER,
        resource_group: `${CLUSTER}-rg`,
        region: 'westeurope',
        subscription_id: w.arm.subscriptionId,
        kube_context: CLUSTER,
        fqdn: cluster.fqdn,
        kubernetes_version: cluster.kubernetesVersion,
      },
      repositories: {
        control_plane: { created: true, name: CP, owner: 'octocat', url: `${web}/octocat/${CP}`, ready: true },
        gitops: { created: true, name: GO, owner: 'octocat', url: `${web}/octocat/${GO}`, ready: true },
      },
      installation: { namespace: 'kalypso-system', helm_release: 'kalypso-scheduler', version: '1.1.1', app_version: '1.1.1', flux_version: '2.16.2', verified: true },
      options: { non_interactive: false, auto_rollback: false, verbose: false, skip_validation: false },
    });
    const human = await w.run(['status', PLAYBOOK]);
    expect(human.stdout).toMatch(/Outputs:[\s\S]*repositories\.gitops\.url +http/);

    // undo: everything this run created, in reverse order.
    const u = await w.run(['undo', PLAYBOOK]);
    expect(u.code, u.stdout + u.stderr).toBe(0);
    expect(w.arm.state.getCluster(`${CLUSTER}-rg`, CLUSTER)).toBeUndefined();
    expect(w.arm.state.getResourceGroup(`${CLUSTER}-rg`)).toBeUndefined();
    expect(w.gh.repo('octocat', CP)).toBeUndefined();
    expect(w.gh.repo('octocat', GO)).toBeUndefined();
    expect(names(w, 'Namespace')).not.toContain('kalypso-system');
    expect(names(w, 'Namespace')).not.toContain('flux-system');
    expect(names(w, 'CustomResourceDefinition').filter((n) => n.endsWith('.scheduler.kalypso.io'))).toEqual([]);
    expect(parse(fs.readFileSync(w.kubeconfig, 'utf8')).contexts).toEqual([]);
    expect((await status(w)).status).toBe('rolled_back');
    expectNoTokenAnywhere(w);
  });
});

describe('aks-kalypso: failures and --resume', () => {
  it('stops before creating anything when not logged in to Azure, and says how to give a GitHub token', async () => {
    const w = await world();
    const r1 = await w.run(runArgs(w), { FAKE_AZ_LOGGED_OUT: '1' });
    expect(r1.code).toBe(1);
    expect(lastRun(w).get('prereqs')).toMatchObject({ status: 'failed' });
    expect(r1.stdout + r1.stderr).toMatch(/check "Azure login" failed: `az account show --output none`[^\n]*hint: run `az login`/);
    expect(w.arm.requests).toEqual([]);
    expect(w.gh.requests).toEqual([]);

    const r2 = await w.run(runArgs(w, '--resume', '--var', 'cluster.create=false', '--var', 'cluster.existing_context=none'), { GITHUB_TOKEN: undefined });
    expect(r2.code).toBe(1);
    expect(lastRun(w).get('github-auth')).toMatchObject({ status: 'failed', reason: 'precondition' });
    expect(r2.stdout + r2.stderr).toMatch(/a GitHub token is required: export GITHUB_TOKEN \(classic token with the repo, workflow and delete_repo scopes/);
    expect(w.gh.requests).toEqual([]);
  });

  it('each main step failing, then --resume finishing without redoing what finished', async () => {
    const w = await world();
    // AKS provisioning takes a few polls, so the repository tasks are running when it fails.
    w.arm.setBehaviour({ createPolls: 25 });
    // 1. The AKS credentials are refused (after the cluster PUT) and the control-plane repo's
    //    label cannot be created (after the repo was created and pushed).
    w.arm.setBehaviour({ faults: [{ method: 'POST', path: /listClusterUserCredential$/i, status: 403, code: 'AuthorizationFailed' }] });
    w.gh.setBehaviour({ fail: { method: 'POST', path: new RegExp(`^/repos/octocat/${CP}/labels$`), status: 500, message: 'injected', times: 1000 } });
    const r1 = await w.run(runArgs(w));
    expect(r1.code).toBe(1);
    const t1 = lastRun(w);
    expect(t1.get('aks')).toMatchObject({ status: 'failed' });
    expect(t1.get('aks')!.error).toMatch(/AuthorizationFailed|authoriz/i);
    expect(armCalls(w, 'PUT', CLUSTER_PATH)).toHaveLength(1);
    expect(ghCalls(w, 'POST', /^\/user\/repos$/).length).toBeLessThanOrEqual(2);

    // 2. Resume: the helm install of Kalypso fails (its Deployment cannot be applied).
    w.arm.setBehaviour({ faults: [] });
    w.gh.setBehaviour({});
    w.api.state.forbidden.push({ verb: 'patch', resource: 'deployments', namespace: 'kalypso-system' });
    const r2 = await w.run(runArgs(w, '--resume'));
    expect(r2.code).toBe(1);
    const t2 = lastRun(w);
    expectRestored(t1, t2);
    expect(t2.get('aks')).toMatchObject({ status: 'succeeded' });
    expect(t2.get('aks')!.restored).toBeUndefined();
    expect(t2.get('control-plane')).toMatchObject({ status: 'succeeded' });
    expect(t2.get('kalypso')).toMatchObject({ status: 'failed' });
    expect(t2.get('kalypso')!.error).toMatch(/helm (install|upgrade) of kalypso-scheduler failed/);
    expect(t2.get('flux')).toMatchObject({ status: 'succeeded' });
    expect(armCalls(w, 'PUT', CLUSTER_PATH)).toHaveLength(1); // the cluster was found, not created again
    expect(ghCalls(w, 'POST', /^\/user\/repos$/)).toHaveLength(2); // each repository created once

    // 3. Resume: the scheduler never reconciles the test Workload: the verification fails the run.
    w.api.state.forbidden.length = 0;
    w.api.state.behaviours.push({ kind: 'Workload', never: true });
    const r3 = await w.run(runArgs(w, '--resume'));
    expect(r3.code).toBe(1);
    const t3 = lastRun(w);
    expectRestored(t2, t3);
    expect(t3.get('verify')).toMatchObject({ status: 'succeeded' });
    expect(t3.get('verify-workload')).toMatchObject({ status: 'failed' });
    expect(t3.get('flux')).toMatchObject({ restored: true });
    expect(upgrades(w, 'flux')).toHaveLength(1);
    expect(upgrades(w, 'kalypso-scheduler')).toHaveLength(2);

    // 4. Resume: only the verification runs again.
    w.api.state.behaviours.pop();
    const r4 = await w.run(runArgs(w, '--resume'));
    expect(r4.code, r4.stdout + r4.stderr).toBe(0);
    const t4 = lastRun(w);
    expectRestored(t3, t4);
    const ran = [...t4].filter(([, e]) => e.status === 'succeeded' && !e.restored).map(([id]) => id);
    expect(ran).toEqual(['verify-workload']);
    expect(upgrades(w, 'kalypso-scheduler')).toHaveLength(2);
    expect(armCalls(w, 'PUT', CLUSTER_PATH)).toHaveLength(1);
    expect(ghCalls(w, 'POST', /^\/user\/repos$/)).toHaveLength(2);
    const doc = await status(w);
    expect(doc.status).toBe('completed');
    // (outputs.cluster.created is not checked here: the azure-aks kind reports createdCluster
    // false when a later attempt finds the cluster an earlier attempt created. Its undo notes are
    // right: the applied set still says the cluster is ours.)
    expect(journalOf(w.stateDir).some((q) => q.type === 'task-note' && q.task === 'aks' && q.note.createdCluster === true)).toBe(true);
    expect(doc.applied.map((a: { task: string }) => a.task)).toEqual(expect.arrayContaining(['aks', 'control-plane', 'gitops', 'flux', 'kalypso']));
    expect(doc.outputs.repositories.control_plane.created).toBe(true);
    expect(doc.outputs.installation.verified).toBe(true);
    expectNoTokenAnywhere(w);
  });
});

describe('aks-kalypso: rollback keeps what existed before', () => {
  it('--rollback deletes the cluster it created but not the pre-existing resource group or the brought repositories', async () => {
    const w = await world({
      vars: { repositories: { control_plane: { create: false, url: 'https://github.com/octocat/my-control-plane' }, gitops: { create: false, url: 'https://github.com/octocat/my-gitops.git' } } },
    });
    w.arm.state.addResourceGroup(`${CLUSTER}-rg`, 'westeurope');
    await w.gh.seedRepo('octocat', 'my-control-plane', {
      main: Object.fromEntries([...CONTROL_PLANE_MAIN].map((f) => [f, `# ${f}\nkind: Placeholder\n`])),
      dev: Object.fromEntries(CONTROL_PLANE_DEV.map((f) => [f, `# ${f}\n`])),
    });
    await w.gh.seedRepo('octocat', 'my-gitops', { main: { 'README.md': 'gitops\n' }, dev: { '.github/workflows/check-promote.yaml': 'on: push\n', 'README.md': 'dev\n' } });
    w.api.state.forbidden.push({ verb: 'patch', resource: 'deployments', namespace: 'flux-system' });

    const r = await w.run(runArgs(w, '--rollback'));
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toMatch(/helm install of flux failed/);
    // What this run created is gone...
    expect(armCalls(w, 'PUT', CLUSTER_PATH)).toHaveLength(1);
    expect(armCalls(w, 'DELETE', CLUSTER_PATH)).toHaveLength(1);
    expect(w.arm.state.getCluster(`${CLUSTER}-rg`, CLUSTER)).toBeUndefined();
    expect(names(w, 'Namespace')).not.toContain('flux-system');
    expect(parse(fs.readFileSync(w.kubeconfig, 'utf8')).contexts).toEqual([]);
    // ...what existed before is not.
    expect(armCalls(w, 'PUT', RG_PATH)).toHaveLength(0);
    expect(armCalls(w, 'DELETE', RG_PATH)).toHaveLength(0);
    expect(w.arm.state.getResourceGroup(`${CLUSTER}-rg`)).toBeDefined();
    for (const n of ['my-control-plane', 'my-gitops']) expect(w.gh.repo('octocat', n)).toBeDefined();
    expect(w.gh.requests.filter((q) => q.method !== 'GET')).toEqual([]); // brought repositories are only read

    const doc = await status(w);
    expect(doc.status).toBe('rolled_back');
    expect(doc.outputs.cluster).toMatchObject({ created: true, resource_group_created: false });
    expect(doc.outputs.repositories).toEqual({
      control_plane: { created: false, name: 'my-control-plane', owner: 'octocat', url: `${w.gh.apiUrl.replace(/\/+$/, '')}/octocat/my-control-plane`, ready: true },
      gitops: { created: false, name: 'my-gitops', owner: 'octocat', url: `${w.gh.apiUrl.replace(/\/+$/, '')}/octocat/my-gitops`, ready: true },
    });
    expect(doc.errors.some((e: { message: string }) => /flux/.test(e.message))).toBe(true);
    expectNoTokenAnywhere(w);
  });
});

describe('aks-kalypso: an existing cluster and brought repositories', () => {
  it('checks the context and the brought structure, never touches Azure, and undo leaves what it did not create', async () => {
    const w = await world({
      vars: {
        cluster: { create: false, existing_context: 'nope' },
        repositories: { control_plane: { create: false, url: 'https://github.com/octocat/bare-control-plane' }, gitops: { create: false, url: 'https://github.com/octocat/my-gitops' } },
      },
    });
    fs.writeFileSync(w.kubeconfig, w.api.kubeconfig('existing'), { mode: 0o600 });
    // One Kalypso CRD is already on the cluster (someone installed it before): undo keeps it.
    w.api.state.seed(kalypsoCrds().find((c) => c.metadata.name === 'workloads.scheduler.kalypso.io')!);
    const cp = await w.gh.seedRepo('octocat', 'bare-control-plane', { main: { 'README.md': 'hello\n', 'templates/x.yaml': 'kind: Template\n' } });
    await w.gh.seedRepo('octocat', 'my-gitops', { main: { 'README.md': 'gitops\n' }, dev: { '.github/workflows/check-promote.yaml': 'on: push\n' } });

    // 1. The context does not exist in the kubeconfig: the precondition says so.
    const r1 = await w.run(runArgs(w));
    expect(r1.code).toBe(1);
    expect(lastRun(w).get('cluster')).toMatchObject({ status: 'failed', reason: 'precondition' });
    expect(r1.stdout + r1.stderr).toMatch(/cluster\.existing_context is not a context of your kubeconfig/);

    // 2. Resume with the right context: the brought control plane lacks the required structure.
    fs.writeFileSync(w.varsFile, fs.readFileSync(w.varsFile, 'utf8').replace('existing_context: nope', 'existing_context: existing'));
    const r2 = await w.run(runArgs(w, '--resume'));
    expect(r2.code).toBe(1);
    const t2 = lastRun(w);
    expect(t2.get('cluster')).toMatchObject({ status: 'succeeded' });
    expect(t2.get('gitops-existing')).toMatchObject({ status: 'succeeded' });
    const err = t2.get('control-plane-existing')!.error as string;
    expect(err).toMatch(/control-plane repository octocat\/bare-control-plane lacks the required structure/);
    expect(err).toMatch(/missing on branch main: \.environments\/, \.github\/workflows\/ci\.yaml, \.github\/workflows\/cd\.yaml, \.github\/workflows\/check-promote\.yaml, workloads\//);
    expect(err).toMatch(/branch dev does not exist/);
    expect(t2.get('kalypso')).toBeUndefined();

    // 3. The user fixes the repository; resume finishes.
    addFiles(cp.dir, 'main', Object.fromEntries(CONTROL_PLANE_MAIN.map((f) => [f, `# ${f}\n`])));
    addFiles(cp.dir, 'dev', Object.fromEntries(CONTROL_PLANE_DEV.map((f) => [f, `# ${f}\n`])));
    const r3 = await w.run(runArgs(w, '--resume'));
    expect(r3.code, r3.stdout + r3.stderr).toBe(0);
    expect(w.arm.requests).toEqual([]); // Azure was never called
    expect(w.gh.requests.filter((q) => q.method !== 'GET')).toEqual([]);
    const doc = await status(w);
    expect(doc.outputs.cluster).toMatchObject({ created: false, kube_context: 'existing', name: CLUSTER, resource_group: null });
    expect(doc.outputs.installation).toMatchObject({ namespace: 'kalypso-system', verified: true });

    // undo: the namespaces, releases and CRDs it created go; the context, the repositories and
    // the CRD that was there before stay.
    expect(names(w, 'CustomResourceDefinition').filter((n) => n.endsWith('.scheduler.kalypso.io')).sort()).toEqual([...KALYPSO_CRDS].sort());
    const u = await w.run(['undo', PLAYBOOK]);
    expect(u.code, u.stdout + u.stderr).toBe(0);
    expect(names(w, 'Namespace')).not.toContain('kalypso-system');
    expect(names(w, 'CustomResourceDefinition').filter((n) => n.endsWith('.scheduler.kalypso.io'))).toEqual(['workloads.scheduler.kalypso.io']);
    expect(parse(fs.readFileSync(w.kubeconfig, 'utf8')).contexts.map((c: { name: string }) => c.name)).toEqual(['existing']);
    expect(w.gh.repo('octocat', 'bare-control-plane')).toBeDefined();
    expect(w.gh.requests.filter((q) => q.method !== 'GET')).toEqual([]);
    expectNoTokenAnywhere(w);
  });
});
