/**
 * The real thing, opt-in: playbooks/kind-registry.yaml with the real docker, kind, helm and
 * kubectl, then an image pushed to the registry from this machine and run by a pod in the
 * cluster (the containerd hosts.toml path), then undo.
 *
 *   BOOTSTRAP_E2E=kind npm run test:e2e
 *
 * It uses its own cluster name, a free port and a temporary data dir, so it never touches a
 * `pallet-dev` cluster or port 5000. Optional: BOOTSTRAP_E2E_IMAGE (default busybox:1.36) is
 * pulled from Docker Hub and pushed to the registry; set it to "" to skip the in-cluster pull.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTaskContext } from '../../tasks/context.js';
import { ociCheckKind } from '../../tasks/oci-check.js';
import { REPO, runCli, tempProject } from '../support/cli.js';
import { freePort } from '../support/registry.js';

const enabled = process.env.BOOTSTRAP_E2E === 'kind';
const PLAYBOOK = path.join(REPO, 'playbooks', 'kind-registry.yaml');

function sh(file: string, args: string[], timeoutMs = 300_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

describe.runIf(enabled)('kind-registry on a real machine', () => {
  const cluster = `bootstrap-e2e-${process.pid}`;
  let cwd = '';
  let dataDir = '';
  let port = 0;
  const vars = () => ['--var', `cluster_name=${cluster}`, '--var', `registry_port=${port}`, '--var', `registry_data_dir=${dataDir}`];

  beforeAll(async () => {
    cwd = tempProject();
    // Under $HOME (Docker Desktop shares it with its VM); the playbook creates it and undo removes it.
    dataDir = path.join(os.homedir(), `.bootstrap-e2e-data-${process.pid}`);
    port = Number(process.env.BOOTSTRAP_E2E_PORT ?? (await freePort()));
  });

  afterAll(async () => {
    // Best effort, in case a test failed half-way.
    const clusters = await sh('kind', ['get', 'clusters']);
    if (clusters.stdout.split('\n').includes(cluster)) await sh('kind', ['delete', 'cluster', '--name', cluster]);
    fs.rmSync(cwd, { recursive: true, force: true });
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('creates the cluster and a healthy registry', async () => {
    const r = await runCli(['run', PLAYBOOK, ...vars(), '--non-interactive'], { cwd, timeoutMs: 20 * 60_000 });
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    const st = JSON.parse((await runCli(['status', PLAYBOOK, '--json'], { cwd })).stdout);
    expect(st.status).toBe('completed');
    expect(st.tasks['registry-health'].outputs.status).toMatch(/^(HEALTHY|DEGRADED)$/);
    const res = await fetch(`http://localhost:${port}/v2/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('docker-distribution-api-version')).toBe('registry/2.0');
  });

  it('stores and serves an OCI artifact', async () => {
    const ctx = createTaskContext({ taskId: 'e2e-push', stateDir: cwd });
    const r = await ociCheckKind.run({ registry: `localhost:${port}`, repository: 'e2e/artifact', tag: 'v1' }, ctx);
    expect(r.outputs?.pushed).toBe(true);
  });

  const image = process.env.BOOTSTRAP_E2E_IMAGE ?? 'busybox:1.36';
  it.runIf(image !== '')('runs an image pushed to localhost:<port> in a pod (containerd certs.d)', async () => {
    const target = `localhost:${port}/e2e/${image.split('/').pop()}`;
    for (const args of [['pull', image], ['tag', image, target], ['push', target]]) {
      const r = await sh('docker', args);
      expect(r.code, `docker ${args.join(' ')}\n${r.stderr}`).toBe(0);
    }
    const ctxArgs = ['--context', `kind-${cluster}`, '-n', 'default'];
    const run = await sh('kubectl', [...ctxArgs, 'run', 'e2e-pull', `--image=${target}`, '--restart=Never', '--', 'true']);
    expect(run.code, run.stderr).toBe(0);
    let phase = '';
    for (let i = 0; i < 120 && phase !== 'Succeeded' && phase !== 'Failed'; i++) {
      phase = (await sh('kubectl', [...ctxArgs, 'get', 'pod', 'e2e-pull', '-o', 'jsonpath={.status.phase}'])).stdout.trim();
      if (phase !== 'Succeeded') await new Promise((r) => setTimeout(r, 1000)); // polling a real cluster
    }
    expect(phase).toBe('Succeeded');
    await sh('kubectl', [...ctxArgs, 'delete', 'pod', 'e2e-pull', '--wait=false']);
  });

  it('undo removes the cluster and the data dir, and frees the port', async () => {
    const r = await runCli(['undo', PLAYBOOK], { cwd, timeoutMs: 10 * 60_000 });
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    const clusters = await sh('kind', ['get', 'clusters']);
    expect(clusters.stdout.split('\n')).not.toContain(cluster);
    expect(fs.existsSync(dataDir)).toBe(false);
    await expect(fetch(`http://localhost:${port}/v2/`)).rejects.toThrow();
  });
});
