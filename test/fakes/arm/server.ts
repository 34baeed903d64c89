/**
 * A fake Azure Resource Manager over HTTPS on 127.0.0.1 (an ephemeral port), honest to the
 * protocol the Azure SDKs speak: api-version required, bearer token required, ARM error
 * bodies, and the two long-running-operation patterns `@azure/core-lro` polls:
 * - Azure-AsyncOperation (managed cluster PUT and DELETE): 201/202 with an
 *   `Azure-AsyncOperation` header naming an operation status resource that answers
 *   `{status:'InProgress'}` N times, then `Succeeded` or `Failed` with an error;
 * - Location (resource group DELETE): 202 with a `Location` header whose URL answers 202
 *   (with Retry-After) N times, then 200.
 * Faults (403, 429, any status) are injected per method and path.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Agent, createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { handleRoute } from './routes.js';
import { FakeArmState, type ArmErrorBody, type ClusterRecord } from './state.js';
import { armError } from './models.js';

const tlsDir = fileURLToPath(new URL('../../fixtures/tls/', import.meta.url));
/** Path of the test CA that signed the fake's certificate. */
export const testCaPath = `${tlsDir}ca.pem`;

/** An https.Agent trusting the test CA (an alternative to NODE_EXTRA_CA_CERTS). */
export function testCaAgent(): Agent {
  return new Agent({ ca: readFileSync(testCaPath), keepAlive: false });
}

/** A fault injected on matching requests (after authentication). */
export interface FaultRule {
  method?: string;
  /** Matched against the request path (without the query). */
  path?: RegExp;
  status: number;
  code: string;
  message?: string;
  headers?: Record<string, string>;
  /** How many matching requests fail (default: all). */
  times?: number;
}

export interface ArmBehaviour {
  /** InProgress answers of a managed cluster create before it ends. Default 3. */
  createPolls: number;
  /** InProgress answers of a managed cluster delete before it ends. Default 2. */
  deletePolls: number;
  /** 202 answers of a resource group delete before it ends. Default 2. */
  rgDeletePolls: number;
  /** When set, a managed cluster create ends Failed with this error. */
  createFailure?: ArmErrorBody;
  /** Retry-After (seconds) sent with 202s and InProgress statuses. Default 1. */
  retryAfterSeconds: number;
  faults: FaultRule[];
  /** Which bearer tokens are valid. Default: any non-empty token. */
  acceptToken: (token: string) => boolean;
  /**
   * The kubeconfig (YAML) listClusterUserCredential returns for a cluster. Default: one whose
   * server is the cluster's fqdn (unreachable); tests point it at a fake API server.
   */
  userKubeconfig?: (cluster: ClusterRecord) => string;
}

export interface FakeArmOptions {
  subscriptionId?: string;
  behaviour?: Partial<ArmBehaviour>;
}

export interface ArmRequestRecord {
  method: string;
  /** Path without the query. */
  path: string;
  apiVersion?: string;
  status?: number;
}

export interface FakeArm {
  /** Base URL, e.g. https://127.0.0.1:43123 */
  endpoint: string;
  subscriptionId: string;
  state: FakeArmState;
  /** Every request, in arrival order. */
  requests: ArmRequestRecord[];
  setBehaviour(b: Partial<ArmBehaviour>): void;
  readonly behaviour: ArmBehaviour;
  stop(): Promise<void>;
}

/** Starts the fake ARM on 127.0.0.1 with the committed test certificate. */
export async function startFakeArm(opts: FakeArmOptions = {}): Promise<FakeArm> {
  const subscriptionId = opts.subscriptionId ?? randomUUID();
  const state = new FakeArmState(subscriptionId);
  const behaviour: ArmBehaviour = {
    createPolls: 3,
    deletePolls: 2,
    rgDeletePolls: 2,
    retryAfterSeconds: 1,
    faults: [],
    acceptToken: (t) => t.length > 0,
    ...opts.behaviour,
  };
  const requests: ArmRequestRecord[] = [];
  let endpoint = '';

  const server = createServer(
    { key: readFileSync(`${tlsDir}server-key.pem`), cert: readFileSync(`${tlsDir}server.pem`) },
    (req, res) => {
      void handle(req, res).catch((e) => {
        if (!res.headersSent) send(res, 500, armError('InternalServerError', String(e)));
        else res.destroy();
      });
    },
  );

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', endpoint);
    const method = (req.method ?? 'GET').toUpperCase();
    const record: ArmRequestRecord = { method, path: url.pathname, apiVersion: url.searchParams.get('api-version') ?? undefined };
    requests.push(record);
    res.on('finish', () => (record.status = res.statusCode));
    res.setHeader('x-ms-request-id', randomUUID());
    res.setHeader('x-ms-correlation-request-id', req.headers['x-ms-client-request-id'] ?? randomUUID());
    const body = await readBody(req);

    const auth = req.headers.authorization ?? '';
    const token = /^Bearer\s+(.+)$/i.exec(auth)?.[1];
    if (!token) {
      res.setHeader('WWW-Authenticate', 'Bearer authorization_uri="https://login.microsoftonline.com/common", error="invalid_token", error_description="The authentication failed because of missing \'Authorization\' header."');
      return send(res, 401, armError('AuthenticationFailed', "Authentication failed. The 'Authorization' header is missing."));
    }
    if (!behaviour.acceptToken(token)) {
      res.setHeader('WWW-Authenticate', 'Bearer authorization_uri="https://login.microsoftonline.com/common", error="invalid_token", error_description="The access token is invalid."');
      return send(res, 401, armError('InvalidAuthenticationToken', 'The access token is invalid.'));
    }
    if (!record.apiVersion) {
      return send(res, 400, armError('MissingApiVersionParameter', "The api-version query parameter (?api-version=) is required for all requests."));
    }
    const fault = behaviour.faults.find(
      (f) => (f.times === undefined || f.times > 0) && (!f.method || f.method.toUpperCase() === method) && (!f.path || f.path.test(url.pathname)),
    );
    if (fault) {
      if (fault.times !== undefined) fault.times--;
      for (const [k, v] of Object.entries(fault.headers ?? {})) res.setHeader(k, v);
      return send(res, fault.status, armError(fault.code, fault.message ?? defaultFaultMessage(fault, method, url.pathname)));
    }
    const out = handleRoute({ state, behaviour, endpoint, method, path: url.pathname, body });
    for (const [k, v] of Object.entries(out.headers ?? {})) res.setHeader(k, v);
    send(res, out.status, out.body);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    endpoint,
    subscriptionId,
    state,
    requests,
    behaviour,
    setBehaviour(b) {
      Object.assign(behaviour, b);
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function defaultFaultMessage(f: FaultRule, method: string, path: string): string {
  if (f.code === 'AuthorizationFailed') {
    const action = method === 'GET' ? 'read' : method === 'DELETE' ? 'delete' : 'write';
    return `The client 'user@example.com' with object id '${randomUUID()}' does not have authorization to perform action '${path.includes('managedClusters') ? 'Microsoft.ContainerService/managedClusters' : 'Microsoft.Resources/subscriptions/resourcegroups'}/${action}' over scope '${path}' or the scope is invalid. If access was recently granted, please refresh your credentials.`;
  }
  if (f.status === 429) return 'The request is being throttled.';
  return `${f.code} (injected)`;
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return { __invalidJson: text };
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (body === undefined || status === 204) {
    res.writeHead(status);
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
