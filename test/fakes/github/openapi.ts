/**
 * Checks the fake's responses (and the kind's request bodies) against GitHub's own OpenAPI
 * description (`@octokit/openapi`, api.github.com.json), so the fake cannot drift from the
 * shapes real GitHub returns.
 *
 * For an operation (path template + method) and a status, the schema is found under
 * `paths[template][method].responses[status]` (following `#/components/responses/*` refs);
 * a status the description does not list for an error falls back to `basic-error` (GitHub
 * sends that shape for 401/403/5xx on every operation). Each schema is compiled with ajv
 * together with only the components it references (transitively), and cached.
 */
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import formatsModule from 'ajv-formats';

// ajv-formats is CommonJS: its default export is the plugin (typed as the module under NodeNext).
const addFormats = ((formatsModule as unknown as { default?: (a: Ajv) => unknown }).default ??
  (formatsModule as unknown as (a: Ajv) => unknown)) as (a: Ajv) => unknown;

const require = createRequire(import.meta.url);

type Json = any;

let doc: Json | undefined;
function spec(): Json {
  if (!doc) {
    const file = require.resolve('@octokit/openapi/generated/api.github.com.json');
    doc = JSON.parse(readFileSync(file, 'utf8'));
  }
  return doc;
}

let ajv: Ajv | undefined;
function getAjv(): Ajv {
  if (!ajv) {
    ajv = new Ajv({ strict: false, allErrors: true, logger: false, validateFormats: true });
    addFormats(ajv);
  }
  return ajv;
}

const cache = new Map<string, ValidateFunction | null>();

function resolvePointer(ref: string): Json {
  if (!ref.startsWith('#/')) throw new Error(`unsupported $ref ${ref}`);
  let node = spec();
  for (const raw of ref.slice(2).split('/')) node = node?.[raw.replace(/~1/g, '/').replace(/~0/g, '~')];
  if (node === undefined) throw new Error(`dangling $ref ${ref}`);
  return node;
}

/** The schema together with every component it references, as one ajv-compilable document. */
function bundle(schema: Json): Json {
  const components: Json = {};
  const seen = new Set<string>();
  const visit = (node: Json) => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (typeof node !== 'object' || node === null) return;
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string') {
        if (seen.has(v)) continue;
        seen.add(v);
        const parts = v.slice(2).split('/'); // components/<section>/<name>
        const target = resolvePointer(v);
        ((components[parts[1]!] ??= {}) as Json)[parts[2]!] = target;
        visit(target);
      } else if (k !== 'example' && k !== 'examples') visit(v);
    }
  };
  visit(schema);
  return { components, allOf: [schema] };
}

function operation(template: string, method: string): Json {
  const op = spec().paths?.[template]?.[method.toLowerCase()];
  if (!op) throw new Error(`OpenAPI has no operation ${method.toUpperCase()} ${template}`);
  return op;
}

function jsonSchemaOf(node: Json): Json | undefined {
  let n = node;
  while (n?.$ref) n = resolvePointer(n.$ref);
  return n?.content?.['application/json']?.schema;
}

function compile(key: string, schema: Json | undefined): ValidateFunction | null {
  if (cache.has(key)) return cache.get(key)!;
  const fn = schema === undefined ? null : getAjv().compile(bundle(schema));
  cache.set(key, fn);
  return fn;
}

function describe(fn: ValidateFunction): string {
  return (fn.errors ?? [])
    .slice(0, 8)
    .map((e) => `${e.instancePath || '/'} ${e.message}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`)
    .join('; ');
}

/**
 * Problems with a response, or [] when it matches the description. `body` undefined means no
 * body was sent (204).
 */
export function checkResponse(template: string, method: string, status: number, body: unknown): string[] {
  const op = operation(template, method);
  const key = `res ${method.toUpperCase()} ${template} ${status}`;
  const declared = op.responses?.[String(status)];
  if (!declared && status < 400) return [`${key}: status ${status} is not documented for this operation`];
  const schema = declared ? jsonSchemaOf(declared) : spec().components.schemas['basic-error'];
  if (schema === undefined) return body === undefined || body === '' ? [] : [`${key}: documented without a body, but one was sent`];
  if (body === undefined) return [`${key}: documented with a body, but none was sent`];
  const fn = compile(key, schema)!;
  return fn(body) ? [] : [`${key}: ${describe(fn)}`];
}

/** Problems with a JSON request body, or [] when it matches the operation's requestBody schema. */
export function checkRequestBody(template: string, method: string, body: unknown): string[] {
  const op = operation(template, method);
  const schema = op.requestBody ? jsonSchemaOf(op.requestBody) : undefined;
  const key = `req ${method.toUpperCase()} ${template}`;
  if (!schema) return [];
  const fn = compile(key, schema)!;
  return fn(body) ? [] : [`${key}: ${describe(fn)}`];
}
