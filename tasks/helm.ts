/**
 * `helm`: a Helm release toward its desired state with `helm upgrade --install`.
 *
 * 1. The chart is rendered with the same values (`helm template`, no cluster): bad values fail
 *    the task before anything changes (permanently: retrying will not fix them).
 * 2. `helm status` observes the release. When there is none, the task remembers
 *    `{ installedByUs: true }` (journalled) BEFORE installing, so undo knows even if the run
 *    crashes mid-install; a release that existed before is upgraded and never uninstalled.
 * 3. `helm upgrade --install`, then `helm status` again for the outputs.
 *
 * Inline `values` go through a 0600 file in the state dir (removed afterwards), never argv.
 * helm 3 and 4 are told apart by `helm version` (`--wait` vs `--wait=watcher`, `--atomic` vs
 * `--rollback-on-failure`). Undo is `helm uninstall` when this task installed the release;
 * "release: not found" counts as done.
 *
 * ```yaml
 * registry:
 *   uses: helm
 *   with: { release: registry, chart: ../charts/pallet-registry, namespace: pallet, valuesFiles: [../charts/pallet-registry/values-dev.yaml] }
 * ```
 */
import { succeeded } from '../runner/process.js';
import { atomicArgs, connectionArgs, detectHelm, helmError, hintFor, isNotFound, resolveChart, resolveValuesFiles, setArgs, uninstallWaitArgs, waitArgs, type HelmCli } from './helm/cli.js';
import { observeRelease, type ReleaseInfo } from './helm/release.js';
import { checkResolved, schema, validateWith, type HelmWith } from './helm/schema.js';
import { writeValuesFile } from './helm/values-file.js';
import { TaskError, type KindResult, type TaskContext, type TaskKind, type UndoInput } from './kind.js';

export type { HelmWith } from './helm/schema.js';

const DEFAULT_TIMEOUT = '5m';

/** Notes this kind remembers (journalled) and its undo reads. */
interface HelmNote {
  installedByUs?: boolean;
  release?: string;
  namespace?: string;
}

function ours(note: HelmNote, w: HelmWith): boolean {
  return note.installedByUs === true && (note.release ?? w.release) === w.release && (note.namespace ?? w.namespace) === w.namespace;
}

/** `helm template` with the task's values: fails (permanently) on values the chart rejects. */
async function renderCheck(helm: HelmCli, w: HelmWith, chartArgs: string[], valueArgs: string[], display: string, ctx: TaskContext): Promise<void> {
  ctx.progress(`rendering ${display} with its values (helm template)`);
  const r = await helm.exec(['template', w.release, ...chartArgs, '--namespace', w.namespace, ...valueArgs], { quiet: true });
  if (succeeded(r)) return;
  const msg = helmError(r);
  // helm template assumes a default Kubernetes version: a kubeVersion constraint is checked
  // by the install against the real cluster instead.
  if (/kubeVersion/.test(msg)) {
    ctx.log('debug', `helm template: ${msg} (checked against the cluster by the install)`);
    return;
  }
  if (r.aborted) throw new TaskError('interrupted');
  throw new TaskError(`chart ${display} does not render with these values: ${msg}`, hintFor(msg, w) ?? "fix the values: see the chart's values.schema.json and README", !/repo|fetch|download|connection|dial|timeout/i.test(msg));
}

/** Recovers from a release left pending by an interrupted operation, when it is ours. */
async function settlePending(helm: HelmCli, w: HelmWith, conn: string[], before: ReleaseInfo, mine: boolean, ctx: TaskContext): Promise<ReleaseInfo | undefined> {
  if (!before.status.startsWith('pending-')) return before;
  if (mine && before.status === 'pending-install') {
    ctx.log('warn', `release ${w.release} is pending-install: an earlier attempt of this task was interrupted; uninstalling it to install again`);
    const r = await helm.exec(['uninstall', w.release, ...conn], {});
    if (!succeeded(r) && !isNotFound(r)) throw new TaskError(`cannot clear the interrupted install of ${w.release}: ${helmError(r)}`);
    return undefined;
  }
  const fix = before.status === 'pending-install' ? `helm uninstall ${w.release} -n ${w.namespace}` : `helm rollback ${w.release} -n ${w.namespace}`;
  throw new TaskError(`release ${w.release} is ${before.status}: another helm operation is running or was interrupted`, `wait for it to finish, or if it was interrupted: ${fix}`);
}

async function run(w: HelmWith, ctx: TaskContext): Promise<KindResult> {
  const problem = checkResolved(w);
  if (problem) throw new TaskError(problem, undefined, true);
  const helm = await detectHelm(ctx);
  ctx.log('debug', `helm ${helm.version} (helm ${helm.major} flags)`);
  const conn = connectionArgs(w, ctx);
  const chart = resolveChart(w, ctx);
  const files = resolveValuesFiles(w.valuesFiles, ctx);
  const valuesFile = w.values && Object.keys(w.values).length ? await writeValuesFile(ctx.stateDir, ctx.taskId, w.values) : undefined;
  try {
    const valueArgs = [...files.flatMap((f) => ['-f', f]), ...(valuesFile ? ['-f', valuesFile.path] : []), ...setArgs(w.set)];
    await renderCheck(helm, w, chart.args, valueArgs, chart.display, ctx);

    ctx.progress(`looking for release ${w.namespace}/${w.release}`);
    const remembered = ctx.remembered as HelmNote;
    let mine = ours(remembered, w);
    let before = await observeRelease(helm, w, conn);
    if (before) before = await settlePending(helm, w, conn, before, mine, ctx);
    if (!before && !mine) {
      // Durable before the install: undo must know the release is ours even after a crash.
      await ctx.remember({ installedByUs: true, release: w.release, namespace: w.namespace });
      mine = true;
    }
    const action = before && before.status !== 'uninstalled' ? 'upgrade' : 'install';

    ctx.progress(`${action === 'install' ? 'installing' : 'upgrading'} ${w.release} (${chart.display}) in ${w.namespace}`);
    const args = [
      'upgrade',
      '--install',
      w.release,
      ...chart.args,
      ...conn,
      ...(w.createNamespace ? ['--create-namespace'] : []),
      ...valueArgs,
      ...waitArgs(helm, w.wait ?? true),
      ...atomicArgs(helm, w.atomic),
      '--timeout',
      w.timeout ?? DEFAULT_TIMEOUT,
    ];
    const r = await helm.exec(args);
    if (!succeeded(r)) {
      if (r.aborted) throw new TaskError('interrupted');
      const msg = helmError(r);
      throw new TaskError(`helm ${action} of ${w.release} failed: ${msg}`, hintFor(msg, w));
    }
    const after = await observeRelease(helm, w, conn);
    if (!after) throw new TaskError(`helm reported success but release ${w.namespace}/${w.release} is not found`);
    const chartText = [after.chartName, after.chartVersion].filter(Boolean).join(' ');
    return {
      outputs: {
        release: after.release,
        namespace: after.namespace,
        revision: after.revision,
        status: after.status,
        chartVersion: after.chartVersion ?? null,
        appVersion: after.appVersion ?? null,
      },
      undo: mine ? { installedByUs: true, release: w.release, namespace: w.namespace } : null,
      summary: `${action === 'install' ? 'installed' : 'upgraded'} ${w.release}${chartText ? ` (${chartText}${after.appVersion ? `, app ${after.appVersion}` : ''})` : ''}: revision ${after.revision}, ${after.status}`,
    };
  } finally {
    await valuesFile?.dispose();
  }
}

async function satisfied(w: HelmWith, ctx: TaskContext): Promise<boolean> {
  try {
    if (checkResolved(w)) return false;
    const helm = await detectHelm(ctx);
    const info = await observeRelease(helm, w, connectionArgs(w, ctx));
    return info?.status === 'deployed';
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    return false;
  }
}

async function undo(input: UndoInput<HelmWith>, ctx: TaskContext): Promise<void> {
  const note = input.state as HelmNote;
  const w = { ...input.with, release: note.release ?? input.with.release, namespace: note.namespace ?? input.with.namespace };
  if (note.installedByUs !== true) {
    ctx.log('info', `release ${w.namespace}/${w.release} existed before this task: left in place`);
    return;
  }
  const helm = await detectHelm(ctx);
  ctx.progress(`uninstalling ${w.release} from ${w.namespace}`);
  const r = await helm.exec(['uninstall', w.release, ...connectionArgs(w, ctx), ...uninstallWaitArgs(helm), '--timeout', w.timeout ?? DEFAULT_TIMEOUT]);
  if (succeeded(r)) return;
  if (isNotFound(r)) {
    ctx.log('info', `release ${w.namespace}/${w.release} is already gone`);
    return;
  }
  if (r.aborted) throw new TaskError('interrupted');
  const msg = helmError(r);
  throw new TaskError(`helm uninstall ${w.release} failed: ${msg}`, hintFor(msg, w));
}

/** The `helm` kind. */
export const helmKind: TaskKind<HelmWith> = {
  name: 'helm',
  description: 'Install or upgrade a Helm release (helm upgrade --install); undo uninstalls it if this task installed it',
  schema,
  secretFields: ['values'],
  outputs: {
    release: { description: 'Release name.' },
    namespace: { description: 'Namespace of the release.' },
    revision: { description: 'Release revision after this task (1 for a first install).' },
    status: { description: 'Release status as helm reports it, e.g. "deployed".' },
    chartVersion: { description: 'Version of the installed chart, e.g. "1.0.0".' },
    appVersion: { description: "The chart's appVersion, e.g. \"2.8.3\"." },
  },
  validate: validateWith,
  satisfied,
  run,
  undo,
};
