/**
 * Fake `kubectl` (see README.md): `cluster-info [--context]` (`version --client` is answered by
 * the bash entry script, for prereqs). The playbook talks to clusters through the `kubernetes` kind,
 * not kubectl; tests that need a real kubectl use test/support/helm.ts kubectlBinary().
 */
import { die, recordCall } from './common.mjs';
import { kubeconfigPath, resolveContext } from './kubeconfig.mjs';

export function main(argv) {
  recordCall('kubectl', argv);
  const [cmd, ...rest] = argv;
  if (cmd === 'cluster-info') {
    const i = rest.indexOf('--context');
    const ctx = resolveContext(kubeconfigPath(), i >= 0 ? rest[i + 1] : undefined);
    if (ctx.error) die(`error: ${ctx.error}`);
    return void process.stdout.write(`Kubernetes control plane is running at ${ctx.server}\n`);
  }
  die(`fake kubectl: unsupported command "${cmd}" (supported: version --client, cluster-info)`);
}
