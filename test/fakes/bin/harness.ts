/**
 * A "machine" for process-level tests of kind-registry: the fake docker, kind, helm and kubectl
 * of this directory first on PATH, a fake API server standing in for every kind cluster, a real
 * helm for `helm template`, and a private HOME, KUBECONFIG and helm home. Read the fakes' state
 * (calls, clusters, releases) through the helpers; {@link FakeMachine.cleanup} stops every
 * process the fakes left running (node stand-ins, registries).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFakeApiServer, type FakeApiServer } from '../kube-apiserver/index.js';
import { helmBinary, helmEnv } from '../../support/helm.js';

/** This directory: put it first on PATH. */
export const FAKE_BIN = path.dirname(fileURLToPath(import.meta.url));

/** One invocation of a fake tool, from $FAKE_STATE_DIR/calls.jsonl. */
export interface FakeCall {
  tool: 'docker' | 'kind' | 'helm' | 'kubectl';
  argv: string[];
  cwd: string;
  ts: number;
}

export interface FakeMachineOptions {
  /** Major version of the real helm used for `helm template` (default 3). */
  helmMajor?: 3 | 4;
  /** Version the fake helm reports (default matches helmMajor: v3.17.3 / v4.1.4). */
  helmVersion?: string;
}

export interface FakeMachine {
  /** Temp root of everything below. */
  root: string;
  /** $FAKE_STATE_DIR. */
  stateDir: string;
  home: string;
  kubeconfig: string;
  api: FakeApiServer;
  /** Environment for CLI runs (merge extra keys over it). */
  env: Record<string, string>;
  /** Every call of the fake tools so far. */
  calls(tool?: FakeCall['tool']): FakeCall[];
  /** Names of the fake kind clusters that exist. */
  clusters(): string[];
  /** cluster.json of a fake cluster (config, mounts, ports, image), if it exists. */
  cluster(name: string): Record<string, any> | undefined;
  /** Directory of a fake cluster's files (config.yaml, forward.json, registry.json...). */
  clusterDir(name: string): string;
  /** Make the node of `cluster` reset connections: every one, only POSTs (uploads), or none. */
  fault(cluster: string, reset: 'all' | 'post' | undefined): void;
  /** An environment whose PATH has no `docker` at all (the fakes but docker, node, system dirs). */
  envWithoutDocker(): Record<string, string>;
  cleanup(): Promise<void>;
}

function readJson(file: string): any {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

function kill(pid: unknown): void {
  if (typeof pid !== 'number') return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // gone
  }
}

/** Starts the fake API server and lays out a private machine under a temp dir. */
export async function startFakeMachine(opts: FakeMachineOptions = {}): Promise<FakeMachine> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bootstrap-machine-'));
  const stateDir = path.join(root, 'fake-state');
  const home = path.join(root, 'home');
  const kubeconfig = path.join(home, '.kube', 'config');
  fs.mkdirSync(stateDir, { recursive: true });
  fs.mkdirSync(path.dirname(kubeconfig), { recursive: true });
  const api = await startFakeApiServer();
  const caFile = path.join(root, 'fake-api-ca.pem');
  fs.writeFileSync(caFile, api.ca ?? '');
  const major = opts.helmMajor ?? 3;
  const env: Record<string, string> = {
    ...helmEnv(path.join(root, 'helm')),
    PATH: `${FAKE_BIN}${path.delimiter}${process.env.PATH ?? ''}`,
    HOME: home,
    KUBECONFIG: kubeconfig,
    FAKE_STATE_DIR: stateDir,
    FAKE_KUBE_URL: api.url,
    FAKE_KUBE_CA: caFile,
    FAKE_REAL_HELM: await helmBinary(major),
    FAKE_HELM_VERSION: opts.helmVersion ?? (major === 4 ? 'v4.1.4+g05fa379' : 'v3.17.3+ge4da497'),
    XDG_DATA_HOME: path.join(home, '.local', 'share'),
  };
  const clusterDir = (name: string) => path.join(stateDir, 'kind', 'clusters', name);

  const m: FakeMachine = {
    root,
    stateDir,
    home,
    kubeconfig,
    api,
    env,
    calls(tool) {
      const file = path.join(stateDir, 'calls.jsonl');
      if (!fs.existsSync(file)) return [];
      const all = fs
        .readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as FakeCall);
      return tool ? all.filter((c) => c.tool === tool) : all;
    },
    clusters() {
      const dir = path.join(stateDir, 'kind', 'clusters');
      if (!fs.existsSync(dir)) return [];
      return fs.readdirSync(dir).filter((n) => fs.existsSync(path.join(dir, n, 'cluster.json')));
    },
    cluster: (name) => readJson(path.join(clusterDir(name), 'cluster.json')),
    clusterDir,
    fault(cluster, reset) {
      const file = path.join(clusterDir(cluster), 'faults.json');
      if (reset) fs.writeFileSync(file, JSON.stringify({ reset }));
      else fs.rmSync(file, { force: true });
    },
    envWithoutDocker() {
      const bin = path.join(root, 'bin-without-docker');
      if (!fs.existsSync(bin)) {
        fs.mkdirSync(bin);
        for (const tool of ['kind', 'helm', 'kubectl']) fs.symlinkSync(path.join(FAKE_BIN, tool), path.join(bin, tool));
        fs.symlinkSync(process.execPath, path.join(bin, 'node'));
      }
      const system = (process.env.PATH ?? '').split(path.delimiter).filter((d) => d && d !== FAKE_BIN && !fs.existsSync(path.join(d, 'docker')));
      return { ...env, PATH: [bin, ...system].join(path.delimiter) };
    },
    async cleanup() {
      for (const name of m.clusters()) {
        kill(readJson(path.join(clusterDir(name), 'cluster.json'))?.nodePid);
        kill(readJson(path.join(clusterDir(name), 'registry.json'))?.pid);
      }
      await api.stop();
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
  return m;
}

/**
 * Runs a fake tool directly (outside the CLI), e.g. to create a cluster before a run. Async:
 * the fake API server lives in this process and must keep answering meanwhile.
 */
export function runFake(m: FakeMachine, tool: string, args: string[], extraEnv: Record<string, string> = {}): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(path.join(FAKE_BIN, tool), args, { env: { ...process.env, ...m.env, ...extraEnv }, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err) reject(Object.assign(err, { stdout, stderr }));
      else resolve({ stdout, stderr });
    });
  });
}
