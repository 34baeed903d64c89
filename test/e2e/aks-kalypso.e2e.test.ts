/**
 * Opt-in: `playbooks/aks-kalypso.yaml` against real Azure and GitHub. Run with
 *
 *   BOOTSTRAP_E2E=azure GITHUB_TOKEN=... npm run test:e2e -- test/e2e/aks-kalypso.e2e.test.ts
 *
 * Needs: `az login` (a subscription where you may create resource groups and AKS clusters),
 * a GitHub token with the repo, workflow and delete_repo scopes (BOOTSTRAP_E2E_GITHUB_ORG to
 * create the repositories in an organization), and az, kubectl, gh, helm, git, jq on PATH.
 * It creates a 1-node cluster in a fresh resource group and two private repositories with
 * unique names, checks what the fakes cannot (real AKS credentials, the published Kalypso and
 * Flux charts, the real scheduler reconciling a Workload, GitHub's real API), and undoes
 * everything in afterAll even when a step fails. It costs a few cents and about 15 minutes.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { REPO, runCli } from '../support/cli.js';

const enabled = process.env.BOOTSTRAP_E2E === 'azure';
const PLAYBOOK = path.join(REPO, 'playbooks', 'aks-kalypso.yaml');
const MINUTE = 60_000;

describe.runIf(enabled)('aks-kalypso against real Azure and GitHub', () => {
  const suffix = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const cluster = `kalypso-e2e-${suffix}`;
  let dir: string;
  let varsFile: string;
  let env: Record<string, string | undefined>;

  beforeAll(() => {
    if (!process.env.GITHUB_TOKEN) throw new Error('BOOTSTRAP_E2E=azure needs GITHUB_TOKEN (scopes repo, workflow, delete_repo)');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aks-kalypso-e2e-'));
    varsFile = path.join(dir, 'vars.yaml');
    fs.writeFileSync(
      varsFile,
      stringify({
        cluster: { name: cluster, region: process.env.BOOTSTRAP_E2E_REGION ?? 'eastus', node_count: 1, vm_size: process.env.BOOTSTRAP_E2E_VM_SIZE ?? 'Standard_D2s_v3' },
        repositories: {
          control_plane: { name: `${cluster}-control-plane` },
          gitops: { name: `${cluster}-gitops` },
          ...(process.env.BOOTSTRAP_E2E_GITHUB_ORG ? { github_org: process.env.BOOTSTRAP_E2E_GITHUB_ORG } : {}),
        },
      }),
    );
    // A kubeconfig of its own: the user's ~/.kube/config is never touched.
    env = { KUBECONFIG: path.join(dir, 'kubeconfig') };
  });

  afterAll(async () => {
    if (!dir) return;
    const u = await runCli(['undo', PLAYBOOK, '--force'], { cwd: dir, env, timeoutMs: 45 * MINUTE });
    process.stdout.write(`undo exited ${u.code}\n${u.stdout}\n${u.stderr}\n`);
    expect(u.code).toBe(0);
    // Nothing left in Azure.
    const groups = execFileSync('az', ['group', 'list', '--query', `[?name=='${cluster}-rg'].name`, '-o', 'tsv']).toString().trim();
    expect(groups).toBe('');
  }, 50 * MINUTE);

  it('bootstraps, verifies the real scheduler, and reports the Bootstrap State', async () => {
    const r = await runCli(['run', PLAYBOOK, '--vars-file', varsFile, '--non-interactive'], { cwd: dir, env, timeoutMs: 60 * MINUTE });
    process.stdout.write(r.stdout + r.stderr);
    expect(r.code).toBe(0);

    const s = await runCli(['status', PLAYBOOK, '--json'], { cwd: dir, env });
    const doc = JSON.parse(s.stdout);
    expect(doc.status).toBe('completed');
    expect(doc.outputs.cluster).toMatchObject({ created: true, name: cluster, kube_context: cluster });
    expect(doc.outputs.repositories.control_plane).toMatchObject({ created: true, name: `${cluster}-control-plane` });
    expect(doc.outputs.repositories.control_plane.url).toMatch(/^https:\/\/github\.com\//);
    expect(doc.outputs.installation).toMatchObject({ namespace: 'kalypso-system', helm_release: 'kalypso-scheduler', verified: true });

    // The real cluster: Flux serves the v1beta2 APIs and reconciles the control plane source.
    const kubectl = (...a: string[]) => execFileSync('kubectl', ['--context', cluster, ...a], { env: { ...process.env, ...env } }).toString();
    expect(kubectl('get', 'gitrepositories.v1beta2.source.toolkit.fluxcd.io', '-n', 'flux-system', 'control-plane', '-o', 'name')).toMatch(/control-plane/);
    expect(kubectl('get', 'deployment', 'kalypso-scheduler-controller-manager', '-n', 'kalypso-system', '-o', 'jsonpath={.status.availableReplicas}')).toBe('1');

    // The token never reached the state dir.
    const token = process.env.GITHUB_TOKEN!;
    for (const e of fs.readdirSync(path.join(dir, '.bootstrap', 'aks-kalypso'), { recursive: true, withFileTypes: true })) {
      if (e.isFile()) expect(fs.readFileSync(path.join(e.parentPath, e.name), 'latin1').includes(token)).toBe(false);
    }
  }, 65 * MINUTE);
});
