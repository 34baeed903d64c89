/**
 * A faithful fake Kubernetes API server for tests: real HTTP(S) on 127.0.0.1, the REST subset
 * the task kinds use with the real API's shapes, reads-driven controllers, and an admin API under
 * `/_fake/` (see README.md). Talk to it with the real @kubernetes/client-node, kubectl or helm.
 *
 * ```ts
 * const api = await startFakeApiServer();
 * writeFileSync(kubeconfigPath, api.kubeconfig('fake'));
 * api.state.behaviours.push({ kind: 'Deployment', afterReads: 3 });
 * await api.stop();
 * ```
 */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { stringify } from 'yaml';
import type { Behaviour } from './behaviours.js';
import { FakeCluster } from './cluster.js';
import { createHandler } from './http.js';
import type { Obj } from './objects.js';
import { tlsIdentity } from './tls.js';

export type { Behaviour } from './behaviours.js';
export type { FakeCluster, ForbidRule, RequestRecord } from './cluster.js';
export type { Obj } from './objects.js';
export { kalypsoCrds, KALYPSO_GROUP, KALYPSO_PLURALS } from './kalypso.js';

export interface FakeApiServerOptions {
  /** Require `Authorization: Bearer <token>` on API requests (kubeconfigs carry it). */
  token?: string;
  /** Serve HTTPS with a self-signed cert (default true); false = plain HTTP. */
  tls?: boolean;
  /** Objects present from the start (see {@link FakeCluster.seed}). */
  objects?: Obj[];
  behaviours?: Behaviour[];
}

export interface KubeconfigOptions {
  /** The context's default namespace. */
  namespace?: string;
  /** Token to put in the user entry (default: the server's token; null = none). */
  token?: string | null;
}

export interface FakeApiServer {
  /** Base URL (`https://127.0.0.1:<port>`). */
  url: string;
  /** A kubeconfig (YAML) whose cluster, user and context are all named `contextName` (default `fake`). */
  kubeconfig(contextName?: string, opts?: KubeconfigOptions): string;
  /** The cluster's state, for direct inspection and setup in-process. */
  state: FakeCluster;
  /** PEM of the CA to trust (TLS mode). */
  ca?: string;
  stop(): Promise<void>;
}

/** Start a fake API server on 127.0.0.1 (ephemeral port). */
export async function startFakeApiServer(opts: FakeApiServerOptions = {}): Promise<FakeApiServer> {
  const cluster = new FakeCluster();
  cluster.token = opts.token;
  for (const o of opts.objects ?? []) cluster.seed(o);
  cluster.behaviours.push(...(opts.behaviours ?? []));
  const useTls = opts.tls !== false;
  let url = '';
  const handler = createHandler(cluster, () => url.replace(/^https?:\/\//, ''));
  const listener = (req: http.IncomingMessage, res: http.ServerResponse) => void handler(req, res);
  const identity = useTls ? await tlsIdentity() : undefined;
  const server = identity ? https.createServer({ cert: identity.cert, key: identity.key }, listener) : http.createServer(listener);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  url = `${useTls ? 'https' : 'http'}://127.0.0.1:${port}`;

  return {
    url,
    state: cluster,
    ca: identity?.cert,
    kubeconfig(contextName = 'fake', k: KubeconfigOptions = {}) {
      const token = k.token === undefined ? cluster.token : k.token;
      const clusterEntry: Record<string, unknown> = { server: url };
      if (identity) clusterEntry['certificate-authority-data'] = Buffer.from(identity.cert).toString('base64');
      else clusterEntry['insecure-skip-tls-verify'] = true;
      return stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: contextName, cluster: clusterEntry }],
        contexts: [{ name: contextName, context: { cluster: contextName, user: contextName, ...(k.namespace ? { namespace: k.namespace } : {}) } }],
        'current-context': contextName,
        users: [{ name: contextName, user: token ? { token } : {} }],
        preferences: {},
      });
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
