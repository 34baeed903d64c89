/**
 * Talking to the `helm` binary: which major version it is (helm 3 and helm 4 spell some flags
 * differently), the connection and chart arguments, and reading its errors. Always argv through
 * `ctx.exec`, never a shell.
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describeExit, succeeded, type ProcessResult } from '../../runner/process.js';
import { TaskError, type TaskContext } from '../kind.js';
import { installHint } from '../lib/known-tools.js';
import type { HelmWith } from './schema.js';

/** The helm binary in use. */
export interface HelmCli {
  /** 3 or 4 (a newer major is treated as 4). */
  major: 3 | 4;
  minor: number;
  /** As printed, e.g. "v3.17.3+ge4da497". */
  version: string;
  /** Runs `helm <args>`; quiet: do not stream the output as task output. */
  exec(args: string[], opts?: { quiet?: boolean }): Promise<ProcessResult>;
}

/** Parses `helm version --short` ("v3.17.3+ge4da497", helm 2: "Client: v2.17.0+g..."). */
export function parseHelmVersion(text: string): { major: number; minor: number; version: string } | undefined {
  const m = /v?(\d+)\.(\d+)\.(\d+)[^\s]*/.exec(text);
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]), version: m[0] };
}

/** Finds helm and its version; TaskError (permanent) when it is missing or too old. */
export async function detectHelm(ctx: TaskContext): Promise<HelmCli> {
  const r = await ctx.exec('helm', ['version', '--short'], { quiet: true, timeoutMs: 30_000 });
  if (r.spawnError) {
    throw new TaskError(
      r.spawnError.startsWith('command not found') ? 'helm is not installed (not found on PATH)' : `helm cannot be started: ${r.spawnError}`,
      `install helm 3 or 4: ${installHint('helm')}`,
      true,
    );
  }
  if (!succeeded(r)) throw new TaskError(`\`helm version --short\` failed (${describeExit(r)})${lastError(r)}`, undefined, true);
  const v = parseHelmVersion(`${r.stdout}\n${r.stderr}`);
  if (!v) throw new TaskError(`cannot read helm's version from: ${firstLine(r.stdout)}`, 'install helm 3 or 4', true);
  if (v.major < 3) throw new TaskError(`helm ${v.version} is too old: helm 3 or 4 is required`, `upgrade helm: ${installHint('helm')}`, true);
  if (v.major > 4) ctx.log('warn', `helm ${v.version} is newer than this kind knows (3 and 4): using helm 4 flags`);
  const major = v.major >= 4 ? 4 : 3;
  return {
    major,
    minor: v.minor,
    version: v.version,
    exec: (args, opts = {}) => ctx.exec('helm', args, { quiet: opts.quiet ?? false }),
  };
}

function expandHome(p: string, ctx: TaskContext): string {
  return p === '~' || p.startsWith('~/') ? path.join(ctx.env.HOME ?? os.homedir(), p.slice(1)) : p;
}

/** `--namespace`, `--kube-context`, `--kubeconfig` (resolved against the playbook's directory). */
export function connectionArgs(w: Pick<HelmWith, 'namespace' | 'context' | 'kubeconfig'>, ctx: TaskContext): string[] {
  const args = ['--namespace', w.namespace];
  if (w.context) args.push('--kube-context', w.context);
  if (w.kubeconfig) args.push('--kubeconfig', path.resolve(ctx.playbookDir, expandHome(w.kubeconfig, ctx)));
  return args;
}

/** How the chart is passed: its reference plus --repo/--version, and a name for messages. */
export interface ChartRef {
  args: string[];
  display: string;
  /** True for a chart on disk. */
  local: boolean;
}

/** Resolves `chart` (+ `repo`, `version`). A path that does not exist is a permanent error. */
export function resolveChart(w: Pick<HelmWith, 'chart' | 'repo' | 'version'>, ctx: TaskContext): ChartRef {
  const extra = [...(w.repo ? ['--repo', w.repo] : []), ...(w.version ? ['--version', w.version] : [])];
  if (w.repo || w.chart.startsWith('oci://')) return { args: [w.chart, ...extra], display: w.repo ? `${w.chart} from ${w.repo}` : w.chart, local: false };
  const candidate = path.resolve(ctx.playbookDir, expandHome(w.chart, ctx));
  if (existsSync(candidate)) return { args: [candidate, ...extra], display: w.chart, local: true };
  if (/^(\.{1,2}|~)?\//.test(w.chart) || w.chart.endsWith('.tgz') || w.chart.split('/').length > 2) {
    throw new TaskError(`chart ${w.chart} not found (looked at ${candidate})`, "a chart path is relative to the playbook's directory", true);
  }
  // "repo/chart" from `helm repo add`.
  return { args: [w.chart, ...extra], display: w.chart, local: false };
}

/** Values files resolved against the playbook's directory; a missing one is a permanent error. */
export function resolveValuesFiles(files: readonly string[] | undefined, ctx: TaskContext): string[] {
  return (files ?? []).map((f) => {
    const p = path.resolve(ctx.playbookDir, expandHome(f, ctx));
    if (!existsSync(p)) throw new TaskError(`values file ${f} not found (looked at ${p})`, "values files are relative to the playbook's directory", true);
    return p;
  });
}

/** Escapes a value for `--set-string`: helm splits on unescaped commas and reads backslashes. */
export function escapeSetValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/,/g, '\\,');
}

/** `--set k=v` for numbers and booleans, `--set-string k=v` for strings. */
export function setArgs(set: HelmWith['set']): string[] {
  const args: string[] = [];
  for (const [k, v] of Object.entries(set ?? {})) {
    if (typeof v === 'string') args.push('--set-string', `${k}=${escapeSetValue(v)}`);
    else args.push('--set', `${k}=${String(v)}`);
  }
  return args;
}

/** Wait flags: helm 3 `--wait`; helm 4 `--wait=watcher` (its bare default is hookOnly). */
export function waitArgs(helm: Pick<HelmCli, 'major'>, wait: boolean): string[] {
  if (!wait) return [];
  return helm.major >= 4 ? ['--wait=watcher'] : ['--wait'];
}

/** Roll back on failure: helm 3 `--atomic`, helm 4 `--rollback-on-failure`. */
export function atomicArgs(helm: Pick<HelmCli, 'major'>, atomic: boolean | undefined): string[] {
  if (!atomic) return [];
  return helm.major >= 4 ? ['--rollback-on-failure'] : ['--atomic'];
}

/** `helm uninstall` waits for deletions: helm 4 `--wait=watcher`, helm >= 3.7 `--wait`. */
export function uninstallWaitArgs(helm: Pick<HelmCli, 'major' | 'minor'>): string[] {
  if (helm.major >= 4) return ['--wait=watcher'];
  return helm.minor >= 7 ? ['--wait'] : [];
}

/** The whole output of a helm run (stdout captured, stderr capped). */
export function outputOf(r: ProcessResult): string {
  return `${r.stdout}\n${r.stderr}`;
}

/** "release: not found" (status, uninstall, get). */
export function isNotFound(r: ProcessResult): boolean {
  return /release: not found|release not found/i.test(outputOf(r));
}

/**
 * helm's error: from its last `Error: ...` line on (a schema error lists the failing values on
 * the lines after it, at most 10 kept), else the last output line.
 */
export function helmError(r: ProcessResult): string {
  if (r.spawnError || r.timedOut || r.aborted) return describeExit(r);
  const lines = outputOf(r).split('\n').map((l) => l.trimEnd()).filter((l) => l.trim());
  let at = -1;
  for (let i = lines.length - 1; i >= 0; i--) {
    if (lines[i]!.startsWith('Error:')) {
      at = i;
      break;
    }
  }
  if (at < 0) return lines[lines.length - 1]?.trim() ?? describeExit(r);
  const rest = lines.slice(at + 1, at + 11).filter((l) => !/^Use --debug flag/.test(l.trim()));
  return [lines[at]!.replace(/^Error:\s*/, ''), ...rest.map((l) => `  ${l.trim()}`)].join('\n');
}

/** A hint for common helm failures. */
export function hintFor(message: string, w: Pick<HelmWith, 'release' | 'namespace' | 'context'>): string | undefined {
  if (/cluster unreachable|connection refused|no such host|dial tcp/i.test(message)) {
    return `is the cluster running and reachable${w.context ? ` with context ${w.context}` : ''}? try: kubectl cluster-info${w.context ? ` --context ${w.context}` : ''}`;
  }
  if (/another operation \(install\/upgrade\/rollback\) is in progress/i.test(message)) {
    return `wait for the other operation, or if it was interrupted: helm rollback ${w.release} -n ${w.namespace} (or helm uninstall ${w.release} -n ${w.namespace})`;
  }
  if (/namespaces? "[^"]+" not found/i.test(message)) return `create namespace ${w.namespace} first (a kubernetes task), or set createNamespace: true`;
  if (/values don't meet the specifications of the schema|execution error|parse error/i.test(message)) return "fix the values: see the chart's values.schema.json and README";
  if (/context deadline exceeded|timed out waiting/i.test(message)) return `the release's resources did not become ready in time: kubectl get pods -n ${w.namespace}${w.context ? ` --context ${w.context}` : ''}`;
  return undefined;
}

function lastError(r: ProcessResult): string {
  const e = helmError(r);
  return e ? `: ${e}` : '';
}

function firstLine(s: string): string {
  return s.trim().split('\n')[0]?.slice(0, 120) || '(empty)';
}
