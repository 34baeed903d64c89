/**
 * Helpers for the chart tests: run a real helm binary in an isolated environment and parse
 * `helm template` output into Kubernetes objects.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

/** Root of the repository (two levels above this file). */
export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
/** The chart under test. */
export const chartDir = path.join(repoRoot, 'charts', 'pallet-registry');
/** The chart's development values file. */
export const devValues = path.join(chartDir, 'values-dev.yaml');

/** Outcome of one process run. */
export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `bin args` with `env` merged over process.env; never rejects on a non-zero exit. */
export function run(bin: string, args: string[], env: Record<string, string>): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    execFile(
      bin,
      args,
      { cwd: repoRoot, env: { ...process.env, ...env }, maxBuffer: 16 * 1024 * 1024, timeout: 50_000 },
      (err, stdout, stderr) => {
        if (err && typeof err.code !== 'number') {
          reject(err);
          return;
        }
        resolve({ code: err ? (err.code as number) : 0, stdout, stderr });
      },
    );
  });
}

/** The parts of a rendered Kubernetes object the tests read. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  /** Free-form: each test reads what it checks. */
  spec: any;
}

/** Parses multi-document YAML (helm template output); throws on any YAML error. */
export function parseManifests(text: string): K8sObject[] {
  const out: K8sObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw new Error(`invalid YAML from helm: ${doc.errors[0]!.message}`);
    const value = doc.toJS() as K8sObject | null;
    if (value !== null && value !== undefined) out.push(value);
  }
  return out;
}

/** The one object of `kind` named `name`; throws (listing what exists) when absent. */
export function find(objects: K8sObject[], kind: string, name: string): K8sObject {
  const hit = objects.filter((o) => o.kind === kind && o.metadata.name === name);
  if (hit.length !== 1) {
    const have = objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ');
    throw new Error(`expected exactly one ${kind}/${name}, found ${hit.length} among: ${have}`);
  }
  return hit[0]!;
}

/** Runs async jobs with at most `limit` in flight, preserving order of results. */
export async function pool<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  });
  await Promise.all(workers);
  return results;
}
