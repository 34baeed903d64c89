/**
 * The `with` of the `helm` kind: its TypeScript shape, its JSON Schema, and the checks made on
 * the resolved values at run time (a `${{ }}` value is only known then).
 */
import type { JSONSchema } from '../kind.js';

/** The `with` of `uses: helm`. */
export interface HelmWith {
  /** Release name. */
  release: string;
  /** A chart directory or archive relative to the playbook's directory, `oci://...`, `repo/chart`, or a chart name with `repo`. */
  chart: string;
  /** Chart repository URL (`--repo`). */
  repo?: string;
  /** Chart version constraint (`--version`). */
  version?: string;
  namespace: string;
  /** `--create-namespace` (default false). */
  createNamespace?: boolean;
  /** Inline values: written to a 0600 file in the state dir (never argv), removed afterwards. */
  values?: Record<string, unknown>;
  /** Values files, relative to the playbook's directory (`-f`, in order, before `values`). */
  valuesFiles?: string[];
  /** Non-secret values on the command line (`--set` for numbers and booleans, `--set-string` for strings). */
  set?: Record<string, string | number | boolean>;
  /** Wait until the release's resources are ready (default true). */
  wait?: boolean;
  /** Go duration for helm's `--timeout` (default `5m`). */
  timeout?: string;
  kubeconfig?: string;
  context?: string;
  /** Roll back (uninstall a first install) on failure: `--atomic` (helm 3) / `--rollback-on-failure` (helm 4). */
  atomic?: boolean;
}

/** Helm's release name rule (DNS-1123 label, at most 53 characters). */
export const RELEASE_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** A Kubernetes namespace name. */
export const NAMESPACE_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** A Go duration as helm's `--timeout` takes it (`90s`, `5m`, `1h30m`, `500ms`). */
export const GO_DURATION = /^(\d+(\.\d+)?(ns|us|\u00b5s|ms|s|m|h))+$/; // \u00b5: µ, as Go writes it (the bundle stays ASCII: bin/bootstrap.cjs)

export const schema: JSONSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['release', 'chart', 'namespace'],
  description: 'A Helm release installed or upgraded with `helm upgrade --install`, uninstalled on undo only if this task installed it.',
  properties: {
    release: { type: 'string', pattern: RELEASE_NAME.source, maxLength: 53, description: 'Release name (lowercase letters, digits and -, at most 53 characters).' },
    chart: {
      type: 'string',
      minLength: 1,
      description:
        'The chart: a directory or .tgz relative to the playbook\'s directory (e.g. ../charts/pallet-registry), an oci:// reference, a "repo/chart" name from `helm repo add`, or a chart name in `repo`.',
    },
    repo: { type: 'string', pattern: '^(https?|oci)://|^\\$\\{\\{', description: 'Chart repository URL (helm --repo); `chart` is then the chart name in it. Default: none.' },
    version: { type: 'string', minLength: 1, description: 'Chart version or constraint (helm --version), e.g. "1.0.0" or "^1.2". Default: the latest (or the local chart).' },
    namespace: { type: 'string', pattern: NAMESPACE_NAME.source, maxLength: 63, description: 'Namespace of the release.' },
    createNamespace: { type: 'boolean', description: 'Let helm create the namespace if missing (--create-namespace). Default false: create it with a `kubernetes` task, so undo removes it.' },
    values: {
      type: 'object',
      description:
        'Inline values (may hold secrets): written to a values file with mode 0600 inside the state dir, passed with -f after valuesFiles, and removed afterwards, so they never appear in argv. Default: none.',
    },
    valuesFiles: {
      type: 'array',
      items: { type: 'string', minLength: 1 },
      description: 'Values files (helm -f), relative to the playbook\'s directory, applied in order. Default: none.',
    },
    set: {
      type: 'object',
      additionalProperties: { type: ['string', 'number', 'boolean'] },
      description:
        'Non-secret values on the command line, key path -> value ("persistence.size": "2Gi"): numbers and booleans with --set, strings with --set-string (commas and backslashes escaped). Never put secrets here: argv is visible to other users; use `values`.',
    },
    wait: { type: 'boolean', description: 'Wait until the release\'s resources are ready (helm 3 --wait, helm 4 --wait=watcher). Default true.' },
    timeout: { type: 'string', pattern: `${GO_DURATION.source}|^\\$\\{\\{`, description: 'How long helm waits (--timeout, a Go duration such as 90s, 5m, 1h). Default "5m".' },
    kubeconfig: { type: 'string', description: 'kubeconfig file (helm --kubeconfig), relative to the playbook\'s directory. Default: $KUBECONFIG, else ~/.kube/config.' },
    context: { type: 'string', description: 'kubeconfig context (helm --kube-context). Default: the current context.' },
    atomic: { type: 'boolean', description: 'On failure, roll the release back (a failed first install is uninstalled): helm 3 --atomic, helm 4 --rollback-on-failure. Default false.' },
  },
};

const isTemplate = (v: unknown) => typeof v === 'string' && v.includes('${{');

/** Checks beyond the schema on the `with` as written (templates are checked at run time). */
export function validateWith(withValue: unknown): Array<{ path: Array<string | number>; message: string }> {
  const problems: Array<{ path: Array<string | number>; message: string }> = [];
  const w = (withValue ?? {}) as Partial<HelmWith>;
  if (w.set && typeof w.set === 'object') {
    for (const key of Object.keys(w.set)) {
      if (!/^[^\s=,]+$/.test(key)) problems.push({ path: ['set', key], message: `"${key}" is not a value path (no spaces, "=" or ",")` });
    }
  }
  if (w.createNamespace === true && w.namespace && !isTemplate(w.namespace) && ['default', 'kube-system', 'kube-public'].includes(w.namespace)) {
    problems.push({ path: ['createNamespace'], message: `namespace ${w.namespace} always exists: drop createNamespace` });
  }
  return problems;
}

/** Checks the resolved `with` (after `${{ }}` evaluation); returns a message or undefined. */
export function checkResolved(w: HelmWith): string | undefined {
  if (typeof w.release !== 'string' || !RELEASE_NAME.test(w.release) || w.release.length > 53) {
    return `release ${JSON.stringify(w.release)} is not a valid release name (lowercase letters, digits and -, at most 53 characters)`;
  }
  if (typeof w.namespace !== 'string' || !NAMESPACE_NAME.test(w.namespace) || w.namespace.length > 63) {
    return `namespace ${JSON.stringify(w.namespace)} is not a valid namespace name`;
  }
  if (typeof w.chart !== 'string' || !w.chart) return 'chart is empty';
  // Values that reach helm's argv must not be read as options (`--post-renderer=...`).
  for (const [field, v] of [['chart', w.chart], ['repo', w.repo], ['version', w.version], ['context', w.context], ['kubeconfig', w.kubeconfig]] as const) {
    if (typeof v === 'string' && v.startsWith('-')) return `${field} ${JSON.stringify(v)} starts with "-", which helm would read as an option`;
  }
  for (const f of w.valuesFiles ?? []) if (typeof f === 'string' && f.startsWith('-')) return `valuesFiles entry ${JSON.stringify(f)} starts with "-"`;
  if (w.timeout !== undefined && !GO_DURATION.test(String(w.timeout))) return `timeout ${JSON.stringify(w.timeout)} is not a duration such as 90s or 5m`;
  if (w.values !== undefined && (w.values === null || typeof w.values !== 'object' || Array.isArray(w.values))) return 'values must be a mapping';
  for (const [k, v] of Object.entries(w.set ?? {})) {
    if (!['string', 'number', 'boolean'].includes(typeof v)) return `set.${k} must be a string, a number or a boolean (got ${v === null ? 'null' : typeof v})`;
  }
  return undefined;
}
