/**
 * The world `playbooks/aks-kalypso.yaml` runs against in process-level tests: a fake ARM
 * (HTTPS), a fake GitHub, a fake Kubernetes API server (the AKS user kubeconfig points at it),
 * the fake helm from test/fakes/bin (rendering with the real helm), the real kubectl, fake `az`
 * and `gh` executables, and a local HTTP chart repository with test stand-ins for the
 * kalypso-scheduler and flux2 charts (packaged with the real `helm package`).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import sodium from 'libsodium-wrappers';
import { stringify } from 'yaml';
import { startFakeArm, testCaPath, type FakeArm } from '../fakes/arm/index.js';
import { startFakeGitHub, type FakeGitHub, type FakeGitHubOptions } from '../fakes/github/index.js';
import { startFakeApiServer, type FakeApiServer } from '../fakes/kube-apiserver/index.js';
import { REPO, runCli, type CliResult } from '../support/cli.js';
import { helmBinary, helmEnv, kubectlBinary } from '../support/helm.js';

export const PLAYBOOK = path.join(REPO, 'playbooks', 'aks-kalypso.yaml');
export const KUBE_TOKEN = 'kube-token-for-the-aks-user-0001';
export const CLUSTER = 'kal-dev';

/** Shared by every test of a file: executables and the chart repository. */
export interface Toolbox {
  binDir: string;
  realHelm: string;
  /** The real helm behind the fake one (installing chart crds/ as real helm does). */
  renderHelm: string;
  chartRepoUrl: string;
  close(): Promise<void>;
}

const FAKE_AZ = `#!/bin/sh
# Fake az for tests: version, login check, active subscription, and AzureCliCredential's token.
echo "$*" >> "$FAKE_STATE_DIR/az.log"
case "$*" in
  "version -o json") echo '{"azure-cli": "2.67.0", "azure-cli-core": "2.67.0", "extensions": {}}' ;;
  "account show --output none")
    if [ "$FAKE_AZ_LOGGED_OUT" = 1 ]; then echo "ERROR: Please run 'az login' to setup account." >&2; exit 1; fi ;;
  "account show --query id --output tsv") echo "$FAKE_AZ_SUBSCRIPTION" ;;
  "account get-access-token"*)
    printf '{"accessToken":"fake-arm-token","expiresOn":"2099-01-01 00:00:00.000000","expires_on":4070908800,"subscription":"%s","tenant":"tenant","tokenType":"Bearer"}\\n' "$FAKE_AZ_SUBSCRIPTION" ;;
  *) echo "fake az: unsupported: $*" >&2; exit 2 ;;
esac
`;

const FAKE_GH = `#!/bin/sh
# Fake gh for tests: its version, and \`gh api user\` answered by the fake GitHub ($GITHUB_API_URL).
echo "$*" >> "$FAKE_STATE_DIR/gh.log"
case "$*" in
  --version) echo "gh version 2.63.0 (2024-11-27)"; echo "https://github.com/cli/cli/releases/tag/v2.63.0" ;;
  "api user --jq .login")
    curl -fsS -H "Authorization: token \${GH_TOKEN:-$GITHUB_TOKEN}" "$GITHUB_API_URL/user" | jq -r .login ;;
  *) echo "fake gh: unsupported: $*" >&2; exit 2 ;;
esac
`;

/**
 * What FAKE_REAL_HELM points at: the real helm, plus what real `helm install` does with a chart's
 * `crds/` directory and the fake helm (which renders with plain `helm template`) does not: the
 * CRDs are installed first, and never deleted by `helm uninstall` (marked keep for the fake).
 */
const HELM_WITH_CRDS = `#!/usr/bin/env node
import { spawnSync } from 'node:child_process';
const real = process.env.AKS_KALYPSO_REAL_HELM;
const args = process.argv.slice(2);
const crds = args[0] === 'template' ? ['--include-crds'] : [];
const r = spawnSync(real, [...args, ...crds], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
let out = r.stdout ?? '';
if (crds.length && r.status === 0) {
  out = out
    .split(/^---$/m)
    .map((doc) => (/^# Source: [^\\n]*\\/crds\\//m.test(doc) ? doc.replace(/^metadata:\\n/m, 'metadata:\\n  annotations:\\n    helm.sh/resource-policy: keep\\n') : doc))
    .join('---');
}
process.stdout.write(out);
process.stderr.write(r.stderr ?? '');
process.exit(r.status ?? 1);
`;

/** Executables (fake az/gh/helm, real kubectl) and the chart repository. */
export async function startToolbox(): Promise<Toolbox> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'aks-kalypso-tools-'));
  const binDir = path.join(root, 'bin');
  fs.mkdirSync(binDir);
  fs.writeFileSync(path.join(binDir, 'az'), FAKE_AZ, { mode: 0o755 });
  fs.writeFileSync(path.join(binDir, 'gh'), FAKE_GH, { mode: 0o755 });
  fs.symlinkSync(path.join(REPO, 'test', 'fakes', 'bin', 'helm'), path.join(binDir, 'helm'));
  fs.symlinkSync(await kubectlBinary(), path.join(binDir, 'kubectl'));
  const realHelm = await helmBinary(3);
  fs.writeFileSync(path.join(root, 'helm-with-crds.mjs'), HELM_WITH_CRDS, { mode: 0o755 });

  const charts = path.join(root, 'charts');
  fs.mkdirSync(charts);
  const env = { ...process.env, ...helmEnv(path.join(root, 'helm')) };
  for (const c of ['kalypso-scheduler', 'flux2']) {
    execFileSync(realHelm, ['package', path.join(REPO, 'test', 'fixtures', 'charts', c), '--destination', charts], { env, stdio: 'pipe' });
  }
  const server = http.createServer((req, res) => {
    const file = path.join(charts, path.basename(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)));
    if (!fs.existsSync(file) || !fs.statSync(file).isFile()) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': file.endsWith('.yaml') ? 'application/x-yaml' : 'application/gzip' });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const chartRepoUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  execFileSync(realHelm, ['repo', 'index', charts, '--url', chartRepoUrl], { env, stdio: 'pipe' });
  return {
    binDir,
    realHelm,
    renderHelm: path.join(root, 'helm-with-crds.mjs'),
    chartRepoUrl,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}

/** One test's world: fresh fake servers and a fresh project directory. */
export interface World {
  arm: FakeArm;
  gh: FakeGitHub;
  api: FakeApiServer;
  /** The CLI's working directory (state dir `.bootstrap/aks-kalypso/` under it). */
  dir: string;
  stateDir: string;
  kubeconfig: string;
  fakeState: string;
  varsFile: string;
  env: Record<string, string | undefined>;
  run(args: string[], extraEnv?: Record<string, string | undefined>): Promise<CliResult>;
  /** Every output of every CLI call so far (for the secret checks). */
  outputs: string[];
  stop(): Promise<void>;
}

export interface WorldOptions {
  vars?: Record<string, unknown>;
  github?: FakeGitHubOptions;
  /** Written as the kubeconfig before the first run. */
  kubeconfig?: string;
}

function merge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const cur = out[k];
    out[k] = v && typeof v === 'object' && !Array.isArray(v) && cur && typeof cur === 'object' ? merge(cur as Record<string, unknown>, v as Record<string, unknown>) : v;
  }
  return out;
}

export async function startWorld(tools: Toolbox, opts: WorldOptions = {}): Promise<World> {
  const api = await startFakeApiServer({
    token: KUBE_TOKEN,
    // The Kalypso controller reconciles a Workload: Ready=True (as workload_controller.go does).
    behaviours: [{ kind: 'Workload', status: { conditions: [{ type: 'Ready', status: 'True', reason: 'DeploymentTargetsCreated', message: '', lastTransitionTime: '2026-01-01T00:00:00Z' }] } }],
  });
  const arm = await startFakeArm({
    behaviour: { createPolls: 1, deletePolls: 1, rgDeletePolls: 1, retryAfterSeconds: 0, userKubeconfig: (c) => api.kubeconfig(c.name) },
  });
  const gh = await startFakeGitHub({ user: 'octocat', orgs: [{ login: 'acme' }], ...opts.github });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aks-kalypso-'));
  const home = path.join(dir, 'home');
  const kubeconfig = path.join(home, '.kube', 'config');
  fs.mkdirSync(path.dirname(kubeconfig), { recursive: true });
  if (opts.kubeconfig) fs.writeFileSync(kubeconfig, opts.kubeconfig, { mode: 0o600 });
  const fakeState = path.join(dir, 'fakes');
  fs.mkdirSync(fakeState);
  const varsFile = path.join(dir, 'kalypso.yaml');
  const vars = merge(
    {
      cluster: { name: CLUSTER, region: 'westeurope', node_count: 2, poll_interval_ms: 20 },
      installation: { helm_repo: tools.chartRepoUrl, flux_repo: tools.chartRepoUrl, timeout: '4s' },
    },
    opts.vars ?? {},
  );
  fs.writeFileSync(varsFile, stringify(vars));
  const env: Record<string, string | undefined> = {
    PATH: `${tools.binDir}${path.delimiter}${process.env.PATH}`,
    HOME: home,
    KUBECONFIG: kubeconfig,
    NODE_EXTRA_CA_CERTS: testCaPath,
    AZURE_RESOURCE_MANAGER_ENDPOINT: arm.endpoint,
    AZURE_TOKEN_CREDENTIALS: 'AzureCliCredential',
    AZURE_SUBSCRIPTION_ID: undefined,
    AZURE_CLIENT_ID: undefined,
    AZURE_TENANT_ID: undefined,
    AZURE_CLIENT_SECRET: undefined,
    FAKE_AZ_SUBSCRIPTION: arm.subscriptionId,
    GITHUB_API_URL: gh.apiUrl,
    GITHUB_TOKEN: gh.token,
    GH_TOKEN: undefined,
    FAKE_STATE_DIR: fakeState,
    FAKE_REAL_HELM: tools.renderHelm,
    AKS_KALYPSO_REAL_HELM: tools.realHelm,
    FAKE_FAIL: undefined,
    ...helmEnv(path.join(dir, 'helm')),
  };
  const outputs: string[] = [];
  return {
    arm,
    gh,
    api,
    dir,
    stateDir: path.join(dir, '.bootstrap', 'aks-kalypso'),
    kubeconfig,
    fakeState,
    varsFile,
    env,
    outputs,
    async run(args, extraEnv = {}) {
      const r = await runCli(args, { cwd: dir, env: { ...env, ...extraEnv }, timeoutMs: 120_000 });
      outputs.push(r.stdout, r.stderr);
      return r;
    },
    async stop() {
      await Promise.all([arm.stop(), api.stop()]);
      await gh.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** `bootstrap run` of the playbook with the world's vars file (non-interactive). */
export function runArgs(w: World, ...extra: string[]): string[] {
  return ['run', PLAYBOOK, '--vars-file', w.varsFile, '--non-interactive', ...extra];
}

/** Decrypts an Actions secret the fake GitHub stores (sealed box). */
export async function secretOf(gh: FakeGitHub, owner: string, name: string, secret: string): Promise<string | undefined> {
  await sodium.ready;
  const r = gh.repo(owner, name);
  const s = r?.secrets.get(secret);
  if (!r || !s) return undefined;
  return sodium.to_string(sodium.crypto_box_seal_open(sodium.from_base64(s.encrypted_value, sodium.base64_variants.ORIGINAL), r.publicKey, r.privateKey));
}

/** A file of a branch of a fake GitHub repository. */
export function fileOf(gh: FakeGitHub, owner: string, name: string, branch: string, file: string): string {
  return execFileSync('git', ['--git-dir', gh.repoDir(owner, name), 'show', `${branch}:${file}`], { env: { PATH: process.env.PATH!, GIT_CONFIG_NOSYSTEM: '1' } }).toString();
}

/** Files of a branch of a fake GitHub repository. */
export function filesOf(gh: FakeGitHub, owner: string, name: string, branch: string): string[] {
  return execFileSync('git', ['--git-dir', gh.repoDir(owner, name), 'ls-tree', '-r', '--name-only', branch], { env: { PATH: process.env.PATH!, GIT_CONFIG_NOSYSTEM: '1' } })
    .toString()
    .split('\n')
    .filter(Boolean)
    .sort();
}

/** Commits `files` on `branch` of a bare repository (the user fixing a brought repository). */
export function addFiles(bareDir: string, branch: string, files: Record<string, string>): void {
  const wt = fs.mkdtempSync(path.join(os.tmpdir(), 'aks-kalypso-wt-'));
  const env = { PATH: process.env.PATH!, HOME: wt, GIT_CONFIG_NOSYSTEM: '1', GIT_AUTHOR_NAME: 'user', GIT_AUTHOR_EMAIL: 'user@example.com', GIT_COMMITTER_NAME: 'user', GIT_COMMITTER_EMAIL: 'user@example.com' };
  const git = (...args: string[]) => execFileSync('git', ['-C', wt, ...args], { env, stdio: 'pipe' }).toString();
  try {
    execFileSync('git', ['clone', '-q', bareDir, wt], { env, stdio: 'pipe' });
    const exists = git('branch', '-r', '--list', `origin/${branch}`).trim() !== '';
    if (exists) git('checkout', '-q', '-B', branch, `origin/${branch}`);
    else git('checkout', '-q', '--orphan', branch);
    for (const [f, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(wt, f)), { recursive: true });
      fs.writeFileSync(path.join(wt, f), text);
    }
    git('add', '-A');
    git('commit', '-q', '-m', `fix ${branch}`);
    git('push', '-q', 'origin', `HEAD:refs/heads/${branch}`);
  } finally {
    fs.rmSync(wt, { recursive: true, force: true });
  }
}

/** The fake helm's and kubectl's recorded calls. */
export function helmCalls(w: World): string[][] {
  const file = path.join(w.fakeState, 'calls.jsonl');
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { tool: string; argv: string[] })
    .filter((c) => c.tool === 'helm')
    .map((c) => c.argv);
}

/** Every file under `dir` (recursively), as text. */
export function allFiles(dir: string): Array<{ file: string; text: string }> {
  if (!fs.existsSync(dir)) return [];
  const out: Array<{ file: string; text: string }> = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile()) continue;
    const file = path.join(e.parentPath ?? (e as unknown as { path: string }).path, e.name);
    out.push({ file, text: fs.readFileSync(file, 'latin1') });
  }
  return out;
}
