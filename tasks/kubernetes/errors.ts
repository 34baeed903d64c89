/**
 * Turning what the Kubernetes client throws (API `Status` errors, network and TLS failures,
 * aborts) into {@link TaskError}s a user can act on.
 */
import { TaskError } from '../kind.js';

/** Where requests go, for messages. */
export interface Target {
  contextName: string;
  server: string;
}

/** A failed API call, with what the server said. */
export class KubeError extends TaskError {
  constructor(
    message: string,
    hint: string | undefined,
    permanent: boolean,
    /** Worth retrying within a wait (network blips, 5xx, 429). */
    readonly transient: boolean,
    readonly code?: number,
    readonly reason?: string,
  ) {
    super(message, hint, permanent);
    this.name = 'TaskError';
  }
}

/** The error thrown when the task's signal fires. */
export function abortError(what: string): Error {
  const e = new Error(`interrupted while ${what}`);
  e.name = 'AbortError';
  return e;
}

/** Code, reason and message of an API error (the client's ApiException carries the Status body as text). */
export function apiStatus(e: unknown): { code: number; reason?: string; message?: string } | undefined {
  if (!e || typeof e !== 'object' || typeof (e as { code?: unknown }).code !== 'number' || !('body' in e)) return undefined;
  const raw: unknown = (e as { body: unknown }).body;
  let body: unknown = raw;
  if (typeof raw === 'string') {
    try {
      body = JSON.parse(raw);
    } catch {
      body = { message: raw.trim() || undefined };
    }
  }
  const b = (body ?? {}) as { reason?: string; message?: string };
  return { code: (e as unknown as { code: number }).code, reason: b.reason, message: b.message };
}

const NETWORK = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'UND_ERR_SOCKET']);
const TLS = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|SSL/;

/** Map anything a client call threw while doing `what` to a TaskError (or an AbortError). */
export function toTaskError(e: unknown, t: Target, what: string, signal: AbortSignal): Error {
  if (signal.aborted) return abortError(what);
  if (e instanceof TaskError) return e;
  const where = `context "${t.contextName}"`;
  const st = apiStatus(e);
  if (st) {
    const said = st.message ? `: ${st.message}` : '';
    if (st.code === 401) {
      return new KubeError(`not authorized: check your kubeconfig ${where} (${t.server} answered 401 Unauthorized while ${what})`, 'the credentials may have expired: fetch them again (e.g. `kind export kubeconfig`, `az aks get-credentials`)', true, false, 401, st.reason);
    }
    if (st.code === 403) {
      return new KubeError(`not authorized: check your kubeconfig ${where}${said}`, 'the user of this context lacks RBAC permissions for this operation', true, false, 403, st.reason);
    }
    const transient = st.code === 429 || st.code >= 500;
    return new KubeError(`${what} failed${said} (${st.reason ?? 'HTTP'} ${st.code})`, undefined, st.code === 422 || st.code === 400, transient, st.code, st.reason);
  }
  const err = e as { code?: string; name?: string; message?: string; type?: string };
  const message = err?.message ?? String(e);
  if (err?.code && NETWORK.has(err.code)) {
    return new KubeError(`cannot reach the cluster at ${t.server} (${where}): is the cluster running?`, `${err.code} while ${what}`, false, true);
  }
  if ((err?.code && TLS.test(err.code)) || /certificate|self.signed/i.test(message)) {
    return new KubeError(`TLS verification of the cluster at ${t.server} failed (${where}): ${message}`, 'check certificate-authority-data / insecure-skip-tls-verify in the kubeconfig', true, false);
  }
  if (err?.name === 'AbortError') {
    return new KubeError(`the cluster at ${t.server} (${where}) did not answer in time while ${what}`, undefined, false, true);
  }
  if (/HTTP protocol is not allowed/.test(message)) {
    return new KubeError(`the cluster at ${t.server} (${where}) uses plain http`, 'set insecure-skip-tls-verify: true on that cluster in the kubeconfig to allow plain http', true, false);
  }
  return new KubeError(`${what} failed: ${message}`, undefined, false, false);
}
