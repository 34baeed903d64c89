/**
 * A small client over @kubernetes/client-node's KubernetesObjectApi: generic get/list/create/
 * merge-patch/delete by apiVersion + kind (discovery maps kinds to resources), plain JSON in and
 * out, every request bound to the task's signal and a per-request timeout, errors mapped to
 * TaskErrors.
 *
 * Plain JSON: KubernetesObjectApi's typed (de)serializer drops fields it has no model for and
 * loses keys such as `default`, `enum` and `x-kubernetes-*` inside CRD schemas, so requests are
 * built with its URL mapping and auth but bodies are sent and read as raw JSON.
 */
import type { KubernetesObject, ResponseContext } from '@kubernetes/client-node';
import type { TaskContext } from '../kind.js';
import { apiStatus, toTaskError, type Target } from './errors.js';
import { loadKubeConfig } from './kubeconfig.js';
import { importExternal } from '../../runner/external.js';

/** A Kubernetes object as plain JSON. */
export interface KObj {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; uid?: string; [k: string]: unknown };
  [k: string]: unknown;
}

/** Identity of an object. */
export interface ObjKey {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
}

export interface KubeClient extends Target {
  /** The context's namespace, else `default`. */
  readonly defaultNamespace: string;
  /** GET /version: fails fast with a clear error when the cluster is unreachable or refuses us. */
  ping(): Promise<void>;
  /** Whether the kind is namespaced; undefined when the cluster does not serve it. */
  isNamespaced(apiVersion: string, kind: string): Promise<boolean | undefined>;
  /** The object, or undefined when it does not exist. */
  get(key: ObjKey): Promise<KObj | undefined>;
  list(apiVersion: string, kind: string, namespace?: string, labelSelector?: string): Promise<KObj[]>;
  create(obj: KObj): Promise<KObj>;
  /** JSON merge patch with `obj` (works for built-in and custom kinds). */
  mergePatch(obj: KObj): Promise<KObj>;
  /** Delete; `absent` on 404, `conflict` (with the server's message) on 409. */
  delete(key: ObjKey, preconditionUid?: string): Promise<{ result: 'deleted' | 'absent' | 'conflict'; message?: string }>;
}

/** Per-request timeout (the task's own timeout and Ctrl-C come through the signal). */
const REQUEST_TIMEOUT_MS = 30_000;

/** Connect to the cluster of `with.kubeconfig` / `with.context` (no request is made yet). */
export async function connect(w: { kubeconfig?: string; context?: string }, ctx: TaskContext): Promise<KubeClient> {
  const k8s = await importExternal<typeof import('@kubernetes/client-node')>('@kubernetes/client-node');
  const cfg = await loadKubeConfig(w, ctx);
  const target: Target = { contextName: cfg.contextName, server: cfg.server };
  const configuration = k8s.createConfiguration({
    baseServer: new k8s.ServerConfiguration(cfg.server, {}),
    authMethods: { default: cfg.kc },
    promiseMiddleware: [
      {
        pre: async (rc) => {
          rc.setSignal(AbortSignal.any([ctx.signal, AbortSignal.timeout(REQUEST_TIMEOUT_MS)]));
          return rc;
        },
        post: async (res) => res,
      },
    ],
  });

  class RawObjectApi extends k8s.KubernetesObjectApi {
    /** Send `method` to the URL of `spec` (discovery-resolved) with an optional JSON body. */
    async call(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', spec: KubernetesObject, action: 'read' | 'list' | 'create' | 'patch' | 'delete', body?: unknown, contentType = 'application/json', query: Record<string, string> = {}): Promise<any> {
      const path = await this.specUriPath(structuredClone(spec), action);
      const rc = this.configuration.baseServer.makeRequestContext(path, method as never);
      rc.setHeaderParam('Accept', 'application/json');
      for (const [k, v] of Object.entries(query)) rc.setQueryParam(k, v);
      if (body !== undefined) {
        rc.setHeaderParam('Content-Type', contentType);
        rc.setBody(JSON.stringify(body));
      }
      return this.requestPromise(rc);
    }

    /** Discovery: the resource of a kind, undefined when not served. */
    async kindInfo(apiVersion: string, kind: string): Promise<{ namespaced: boolean } | undefined> {
      try {
        return await this.resource(apiVersion, kind);
      } catch (e) {
        if (apiStatus(e)?.code === 404) return undefined;
        throw e;
      }
    }

    protected override async processResponse<T extends KubernetesObject>(response: ResponseContext): Promise<T> {
      const text = await response.body.text();
      if (response.httpStatusCode >= 200 && response.httpStatusCode <= 299) return (text ? JSON.parse(text) : {}) as T;
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // not JSON (e.g. "404 page not found"): keep the text
      }
      throw new k8s.ApiException(response.httpStatusCode, 'Unsuccessful HTTP Request', body, response.headers);
    }
  }

  const api = new RawObjectApi(configuration);
  const versionApi = new k8s.VersionApi(configuration);
  const guard = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (e) {
      throw toTaskError(e, target, what, ctx.signal);
    }
  };
  const header = (k: ObjKey): KubernetesObject => ({ apiVersion: k.apiVersion, kind: k.kind, metadata: { name: k.name, namespace: k.namespace } });
  const label = (k: ObjKey) => `${k.kind} ${k.namespace ? k.namespace + '/' : ''}${k.name}`;
  const keyOf = (o: KObj): ObjKey => ({ apiVersion: o.apiVersion, kind: o.kind, name: o.metadata.name, namespace: o.metadata.namespace });

  return {
    ...target,
    defaultNamespace: cfg.namespace,
    ping: () => guard('connecting', async () => void (await versionApi.getCode())),
    isNamespaced: (apiVersion, kind) => guard(`looking up ${apiVersion} ${kind}`, async () => (await api.kindInfo(apiVersion, kind))?.namespaced),
    get: (k) =>
      guard(`reading ${label(k)}`, async () => {
        try {
          return (await api.call('GET', header(k), 'read')) as KObj;
        } catch (e) {
          if (apiStatus(e)?.code === 404) return undefined;
          throw e;
        }
      }),
    list: (apiVersion, kind, namespace, labelSelector) =>
      guard(`listing ${kind}${labelSelector ? ` (${labelSelector})` : ''}`, async () => {
        const res = await api.call('GET', { apiVersion, kind, metadata: { namespace } }, 'list', undefined, undefined, labelSelector ? { labelSelector } : {});
        return ((res.items ?? []) as KObj[]).map((o) => ({ ...o, apiVersion, kind }));
      }),
    create: (o) => guard(`creating ${label(keyOf(o))}`, async () => (await api.call('POST', o, 'create', o)) as KObj),
    mergePatch: (o) => guard(`updating ${label(keyOf(o))}`, async () => (await api.call('PATCH', o, 'patch', o, 'application/merge-patch+json')) as KObj),
    delete: (k, uid) =>
      guard(`deleting ${label(k)}`, async () => {
        const body = { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background', ...(uid ? { preconditions: { uid } } : {}) };
        try {
          await api.call('DELETE', header(k), 'delete', body);
          return { result: 'deleted' as const };
        } catch (e) {
          const st = apiStatus(e);
          if (st?.code === 404) return { result: 'absent' as const };
          if (st?.code === 409) return { result: 'conflict' as const, message: st.message };
          throw e;
        }
      }),
  };
}
