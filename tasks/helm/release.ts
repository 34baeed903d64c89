/**
 * Observing a release: `helm status -o json` (the release record: info.status, version, chart
 * metadata), with `helm list -o json` as a fallback for the chart fields (helm 3 and 4 print
 * both; older helm 3 status JSON may lack the chart).
 */
import { succeeded } from '../../runner/process.js';
import { TaskError } from '../kind.js';
import { helmError, hintFor, isNotFound, type HelmCli } from './cli.js';
import type { HelmWith } from './schema.js';

/** What the kind reports about a release. */
export interface ReleaseInfo {
  release: string;
  namespace: string;
  revision: number;
  /** deployed, failed, pending-install, pending-upgrade, pending-rollback, superseded, uninstalling, uninstalled. */
  status: string;
  chartName?: string;
  chartVersion?: string;
  appVersion?: string;
}

function parseJson(text: string): unknown {
  const start = text.search(/[[{]/);
  if (start < 0) return undefined;
  try {
    return JSON.parse(text.slice(start));
  } catch {
    return undefined;
  }
}

/** Reads `helm status -o json`. */
export function parseStatus(text: string): ReleaseInfo | undefined {
  const j = parseJson(text) as
    | { name?: string; namespace?: string; version?: number; info?: { status?: string }; chart?: { metadata?: { name?: string; version?: string; appVersion?: string } } }
    | undefined;
  if (!j || typeof j !== 'object' || typeof j.name !== 'string') return undefined;
  return {
    release: j.name,
    namespace: String(j.namespace ?? ''),
    revision: Number(j.version ?? 0),
    status: String(j.info?.status ?? 'unknown'),
    chartName: j.chart?.metadata?.name,
    chartVersion: j.chart?.metadata?.version,
    appVersion: j.chart?.metadata?.appVersion,
  };
}

/** Reads one release from `helm list -o json` ([{name, namespace, revision, status, chart: "name-1.0.0", app_version}]). */
export function parseList(text: string, release: string): ReleaseInfo | undefined {
  const j = parseJson(text);
  if (!Array.isArray(j)) return undefined;
  const r = j.find((x) => x && typeof x === 'object' && (x as { name?: unknown }).name === release) as
    | { name: string; namespace?: string; revision?: string | number; status?: string; chart?: string; app_version?: string }
    | undefined;
  if (!r) return undefined;
  const m = typeof r.chart === 'string' ? /^(.*)-(v?\d+\.\d+\.\d+[^\s]*)$/.exec(r.chart) : null;
  return {
    release: r.name,
    namespace: String(r.namespace ?? ''),
    revision: Number(r.revision ?? 0),
    status: String(r.status ?? 'unknown'),
    chartName: m?.[1] ?? r.chart,
    chartVersion: m?.[2],
    appVersion: r.app_version || undefined,
  };
}

/**
 * The release as helm sees it, or undefined when there is none. Other failures (cluster
 * unreachable, forbidden) are TaskErrors.
 */
export async function observeRelease(helm: HelmCli, w: Pick<HelmWith, 'release' | 'namespace' | 'context'>, conn: string[]): Promise<ReleaseInfo | undefined> {
  const r = await helm.exec(['status', w.release, ...conn, '-o', 'json'], { quiet: true });
  if (!succeeded(r)) {
    if (isNotFound(r)) return undefined;
    const msg = helmError(r);
    throw new TaskError(`helm status ${w.release} failed: ${msg}`, hintFor(msg, w));
  }
  const info = parseStatus(r.stdout);
  if (!info) throw new TaskError(`cannot read the output of helm status ${w.release} -o json`);
  if (info.chartVersion === undefined || info.appVersion === undefined) {
    const list = await helm.exec(['list', ...conn, '--all', '--filter', `^${w.release}$`, '-o', 'json'], { quiet: true });
    const fromList = succeeded(list) ? parseList(list.stdout, w.release) : undefined;
    if (fromList) {
      info.chartName ??= fromList.chartName;
      info.chartVersion ??= fromList.chartVersion;
      info.appVersion ??= fromList.appVersion;
    }
  }
  info.namespace ||= w.namespace;
  return info;
}
