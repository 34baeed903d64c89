/**
 * Turns what the Azure SDKs throw (RestError, credential errors, failed long-running
 * operations) into {@link TaskError}s with a hint. Messages never carry tokens: only the
 * error code and the message Azure wrote are used, never request headers.
 */
import { TaskError } from '../kind.js';

/** What was being done, for the message ("creating AKS cluster x"). */
export interface ErrorScope {
  action: string;
  subscriptionId: string;
  region?: string;
  vmSize?: string;
}

interface ArmErrorInfo {
  statusCode?: number;
  code?: string;
  message: string;
}

const NOT_LOGGED_IN =
  'not logged in to Azure: run `az login` or set AZURE_CLIENT_ID/AZURE_TENANT_ID/AZURE_CLIENT_SECRET';

const AUTH_CODES = new Set([
  'AuthenticationFailed',
  'InvalidAuthenticationToken',
  'InvalidAuthenticationTokenTenant',
  'ExpiredAuthenticationToken',
]);
const CREDENTIAL_ERRORS = new Set(['CredentialUnavailableError', 'AuthenticationError', 'AggregateAuthenticationError']);
const CAPACITY_CODES = new Set([
  'QuotaExceeded',
  'SkuNotAvailable',
  'InsufficientVCPUQuota',
  'OperationNotAllowed',
  'ZonalAllocationFailed',
  'AllocationFailed',
]);

/** Code, HTTP status and message of an Azure error, whatever shape it came in. */
export function armErrorInfo(err: unknown): ArmErrorInfo {
  const e = (err ?? {}) as { statusCode?: unknown; code?: unknown; message?: unknown; details?: unknown };
  const statusCode = typeof e.statusCode === 'number' ? e.statusCode : undefined;
  let code = typeof e.code === 'string' ? e.code : undefined;
  let message = typeof e.message === 'string' ? e.message : String(err);
  const details = e.details as { error?: { code?: unknown; message?: unknown } } | undefined;
  if (details?.error && typeof details.error.code === 'string') {
    code = details.error.code;
    if (typeof details.error.message === 'string') message = details.error.message;
  }
  // A failed long-running operation: "The long-running operation has failed. <Code>. <Message>"
  const lro = /^The long-running operation has failed\. ([A-Za-z0-9_.]+)\. ([\s\S]*)$/.exec(message);
  if (lro) {
    code = lro[1];
    message = lro[2];
  }
  return { statusCode, code, message: message.trim() };
}

/** True for a 404 (resource, resource group or subscription not found). */
export function isNotFound(err: unknown): boolean {
  const { statusCode, code } = armErrorInfo(err);
  return statusCode === 404 || code === 'ResourceNotFound' || code === 'ResourceGroupNotFound' || code === 'NotFound';
}

/** True when the error is an abort (Ctrl-C or the task's timeout). */
export function isAbort(err: unknown, signal?: AbortSignal): boolean {
  return (err as { name?: string } | undefined)?.name === 'AbortError' || signal?.aborted === true;
}

/** Maps any error from the Azure SDKs to a {@link TaskError} with a hint. */
export function toTaskError(err: unknown, scope: ErrorScope): TaskError {
  if (err instanceof TaskError) return err;
  const name = (err as { name?: string } | undefined)?.name ?? '';
  if (CREDENTIAL_ERRORS.has(name)) {
    return new TaskError(NOT_LOGGED_IN, `${scope.action}: ${firstLine(armErrorInfo(err).message)}`, true);
  }
  const { statusCode, code, message } = armErrorInfo(err);
  const what = `${scope.action} failed`;
  if (statusCode === 401 || (code && AUTH_CODES.has(code))) {
    return new TaskError(NOT_LOGGED_IN, `Azure rejected the credentials (${code ?? statusCode}): ${firstLine(message)}`, true);
  }
  if (code === 'AuthorizationFailed' || (statusCode === 403 && code !== 'QuotaExceeded')) {
    return new TaskError(
      `${what}: the signed-in identity is not authorized (${code ?? '403'}): ${message}`,
      `it needs the Contributor (or Owner) role on subscription ${scope.subscriptionId}: \`az role assignment create --assignee <id> --role Contributor --scope /subscriptions/${scope.subscriptionId}\``,
      true,
    );
  }
  if (code === 'SubscriptionNotFound' || code === 'InvalidSubscriptionId') {
    return new TaskError(`${what}: subscription ${scope.subscriptionId} not found (${code})`, 'check `subscriptionId` and `az account list`', true);
  }
  if (code && CAPACITY_CODES.has(code)) {
    const vm = scope.vmSize ? `VM size ${scope.vmSize}` : 'the VM size';
    return new TaskError(
      `${what}: ${vm} is not available in region ${scope.region ?? '?'} (${code}): ${message}`,
      'choose another `vmSize` or `region` (`az vm list-skus --location <region> --size Standard_D --output table`), or request more quota',
      true,
    );
  }
  if (code === 'InvalidParameter' || code === 'InvalidTemplate' || code === 'BadRequest' || statusCode === 400) {
    return new TaskError(`${what}: ${code ?? 'bad request'}: ${message}`, undefined, true);
  }
  if (statusCode === 429) {
    return new TaskError(`${what}: Azure is throttling requests (${code ?? '429'}): ${message}`, 'wait a few minutes and retry');
  }
  return new TaskError(`${what}: ${code ? `${code}: ` : statusCode ? `HTTP ${statusCode}: ` : ''}${message}`);
}

function firstLine(s: string): string {
  const line = s.split('\n').find((l) => l.trim() !== '') ?? s;
  return line.length > 300 ? `${line.slice(0, 300)}...` : line;
}
