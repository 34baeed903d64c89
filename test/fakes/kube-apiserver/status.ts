/**
 * API errors as the real server reports them: a `Status` object with `reason`, `message`,
 * `details` and `code`, messages worded like kube-apiserver's.
 */
import type { ResourceType } from './catalog.js';

/** An error the fake answers with a `Status` body. */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }

  /** The `Status` object sent as the response body. */
  toStatus(): Record<string, unknown> {
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      ...(this.details ? { details: this.details } : {}),
      code: this.code,
    };
  }
}

/** `deployments.apps`, or `namespaces` for the core group. */
export function qualified(type: ResourceType): string {
  return type.group ? `${type.plural}.${type.group}` : type.plural;
}

function details(type: ResourceType, name?: string): Record<string, unknown> {
  return { ...(name !== undefined ? { name } : {}), ...(type.group ? { group: type.group } : {}), kind: type.plural };
}

export const errors = {
  notFound: (type: ResourceType, name: string) =>
    new ApiError(404, 'NotFound', `${qualified(type)} "${name}" not found`, details(type, name)),
  namespaceNotFound: (name: string) =>
    new ApiError(404, 'NotFound', `namespaces "${name}" not found`, { name, kind: 'namespaces' }),
  alreadyExists: (type: ResourceType, name: string) =>
    new ApiError(409, 'AlreadyExists', `${qualified(type)} "${name}" already exists`, details(type, name)),
  conflict: (type: ResourceType, name: string, why: string) =>
    new ApiError(409, 'Conflict', `Operation cannot be fulfilled on ${qualified(type)} "${name}": ${why}`, details(type, name)),
  invalid: (type: ResourceType, name: string, field: string, message: string) =>
    new ApiError(422, 'Invalid', `${type.kind}${type.group ? '.' + type.group : ''} "${name}" is invalid: ${field}: ${message}`, {
      ...details(type, name),
      kind: type.kind,
      causes: [{ reason: 'FieldValueInvalid', message, field }],
    }),
  badRequest: (message: string) => new ApiError(400, 'BadRequest', message),
  unauthorized: () => new ApiError(401, 'Unauthorized', 'Unauthorized'),
  forbidden: (type: ResourceType | undefined, verb: string, namespace: string | undefined, user: string) => {
    const res = type ? type.plural : 'unknown';
    const scope = namespace ? `in the namespace "${namespace}"` : 'at the cluster scope';
    return new ApiError(
      403,
      'Forbidden',
      `${res} is forbidden: User "${user}" cannot ${verb} resource "${res}" in API group "${type?.group ?? ''}" ${scope}`,
      { ...(type ? details(type) : {}) },
    );
  },
  terminating: (type: ResourceType, name: string, namespace: string) =>
    new ApiError(
      403,
      'Forbidden',
      `${qualified(type)} "${name}" is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`,
      { ...details(type, name), causes: [{ reason: 'NamespaceTerminating', message: `namespace ${namespace} is being terminated`, field: 'metadata.namespace' }] },
    ),
  resourceNotFound: () => new ApiError(404, 'NotFound', 'the server could not find the requested resource', {}),
  methodNotAllowed: (method: string) => new ApiError(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource (${method})`),
  unsupportedMediaType: (ct: string) => new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json (got ${ct})`),
};
