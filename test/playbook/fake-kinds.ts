/** Fake task kinds for the front-end tests: schemas and outputs only (they never run). */
import type { TaskKind } from '../../tasks/kind.js';

const notRun = async () => {
  throw new Error('fake kind: not for running');
};

export const helm: TaskKind = {
  name: 'helm',
  description: 'install a chart',
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['release', 'chart'],
    properties: {
      release: { type: 'string', description: 'release name' },
      chart: { type: 'string', description: 'chart path' },
      namespace: { type: 'string', description: 'namespace' },
      wait: { type: 'boolean', description: 'wait for readiness' },
      replicas: { type: 'integer', minimum: 1, description: 'replicas' },
    },
  },
  outputs: { revision: { description: 'release revision' }, token: { description: 'a token', secret: true } },
  validate(w: unknown) {
    const r = (w as { release?: unknown }).release;
    return typeof r === 'string' && /[A-Z]/.test(r) ? [{ path: ['release'], message: 'release names are lowercase' }] : [];
  },
  run: notRun,
};

export const prereqs: TaskKind = {
  name: 'prereqs',
  description: 'check tools',
  schema: {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    type: 'object',
    additionalProperties: false,
    required: ['tools'],
    properties: {
      tools: {
        type: 'array',
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['name'],
          properties: { name: { type: 'string' }, min: { type: 'string', pattern: '^\\d+\\.\\d+\\.\\d+$' } },
        },
      },
    },
  },
  run: notRun,
};

export const portFree: TaskKind = {
  name: 'port-free',
  description: 'check a port is free',
  schema: { type: 'object', additionalProperties: false, properties: { port: { type: 'integer' } } },
  run: notRun,
};

/** The registry used by the tests. */
export const fakeKinds: ReadonlyMap<string, TaskKind> = new Map([helm, prereqs, portFree].map((k) => [k.name, k]));
