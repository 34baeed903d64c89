/**
 * The fake helm's command line: helm 3 / helm 4 flags (as $FAKE_HELM_VERSION says), the real
 * helm used for rendering, and the connection to the API server of the kube context.
 */
import { die } from './common.mjs';
import { clusterOfContext } from './clusters.mjs';
import { kubeClient, statusMessage, UnreachableError } from './kubeapi.mjs';
import { kubeconfigPath, resolveContext } from './kubeconfig.mjs';

/** The helm major version the fake plays (flags differ): from $FAKE_HELM_VERSION, as `helm version` reports it. */
export const MAJOR = Number(/^v?(\d+)/.exec(process.env.FAKE_HELM_VERSION ?? 'v3')?.[1] ?? 3);

const VALUE_FLAGS = new Set(['-n', '--namespace', '--kube-context', '--kubeconfig', '-o', '--output', '-f', '--values', '--set', '--set-string', '--set-file', '--set-json', '--repo', '--version', '--timeout', '--filter', '--description', '--kube-version', '--max']);
const BOOL_FLAGS = new Set(['--install', '-i', '--create-namespace', '--all', '-a', '--short', '--keep-history', '--ignore-not-found', '--wait-for-jobs', '--debug', '--reuse-values', '--reset-values', '--skip-crds', '--dependency-update', '--no-hooks', '--hide-notes']);
/** Flags that carry values into `helm template` (in order). */
const RENDER_FLAGS = new Set(['-f', '--values', '--set', '--set-string', '--set-file', '--set-json', '--repo', '--version', '--kube-version']);

/** Parses helm's flags like cobra does (unknown flags are errors). */
export function parseArgs(args) {
  const o = { _: [], render: [], wait: undefined, atomic: false, dryRun: undefined, values: {} };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (!a.startsWith('-') || a === '-') {
      o._.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = eq > 0 ? a.slice(0, eq) : a;
    const inline = eq > 0 ? a.slice(eq + 1) : undefined;
    if (name === '--wait') {
      if (MAJOR >= 4) {
        const v = inline ?? 'watcher';
        if (!['watcher', 'hookOnly', 'legacy', 'true', 'false'].includes(v)) die(`Error: invalid argument "${v}" for "--wait" flag: invalid wait strategy "${v}"`);
        o.wait = v === 'false' || v === 'hookOnly' ? undefined : v;
      } else {
        if (inline !== undefined && !['true', 'false'].includes(inline)) die(`Error: invalid argument "${inline}" for "--wait" flag: strconv.ParseBool: parsing "${inline}": invalid syntax`);
        o.wait = inline === 'false' ? undefined : 'legacy';
      }
      continue;
    }
    if (name === '--atomic' && MAJOR < 4) {
      o.atomic = true;
      continue;
    }
    if (name === '--rollback-on-failure' && MAJOR >= 4) {
      o.atomic = true;
      continue;
    }
    if (name === '--dry-run') {
      o.dryRun = inline ?? (MAJOR >= 4 ? 'unset' : 'client');
      continue;
    }
    if (BOOL_FLAGS.has(name)) {
      o.values[name] = inline === undefined ? true : inline !== 'false';
      continue;
    }
    if (VALUE_FLAGS.has(name)) {
      const v = inline ?? args[++i];
      if (v === undefined) die(`Error: flag needs an argument: ${name}`);
      if (RENDER_FLAGS.has(name)) o.render.push(name, v);
      else o.values[name] = v;
      continue;
    }
    die(`Error: unknown flag: ${name}`);
  }
  o.namespace = o.values['-n'] ?? o.values['--namespace'] ?? process.env.HELM_NAMESPACE ?? 'default';
  o.output = o.values['-o'] ?? o.values['--output'] ?? 'table';
  return o;
}

export function realHelm() {
  const bin = process.env.FAKE_REAL_HELM;
  if (!bin) die('fake helm: FAKE_REAL_HELM is not set (path of a real helm binary, used for `helm template`)', 2);
  return bin;
}

/** The API server of the kube context, or dies like helm when the cluster is unreachable. */
export async function connect(o) {
  const file = kubeconfigPath(o.values['--kubeconfig']);
  const ctx = resolveContext(file, o.values['--kube-context']);
  if (ctx.error) die(`Error: Kubernetes cluster unreachable: ${ctx.error}`);
  const cluster = clusterOfContext(ctx.name);
  const client = kubeClient(ctx);
  const unreachable = `Error: Kubernetes cluster unreachable: Get "${ctx.server}/version": dial tcp ${new URL(ctx.server).host}: connect: connection refused`;
  // A kind-* context whose fake cluster was deleted is a dead endpoint, as with real kind.
  if (ctx.name.startsWith('kind-') && !cluster) die(unreachable);
  try {
    const r = await client.request('GET', '/version');
    if (r.status !== 200) die(`Error: Kubernetes cluster unreachable: ${statusMessage(r)}`);
  } catch (e) {
    if (e instanceof UnreachableError) die(unreachable);
    throw e;
  }
  return { client, cluster };
}
