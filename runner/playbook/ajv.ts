/**
 * Ajv, for the schemas bootstrap ships and for those users and kinds write.
 *
 * The shipped schemas (the playbook schema and the built-in kinds' `with` schemas) are compiled
 * ahead of time by `scripts/precompile-schemas.mjs` into `dist/generated/validators-*.cjs`
 * (ajv's standalone code, same options), so that `validate` and `run` neither load ajv nor
 * compile anything for them. Each precompiled validator carries a fingerprint of the schema it
 * was built from; a schema that changed since (a stale build, tests running the sources) is
 * compiled at run time instead, by ajv loaded on first use.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Ajv, ErrorObject, Options, ValidateFunction } from 'ajv';
import { packageRoot } from '../paths.js';

export type { ErrorObject, ValidateFunction };

const requireHere = createRequire(import.meta.url);

/** The three configurations in use. */
export type Flavor = 'strict07' | 'lenient07' | 'lenient2020';

const OPTIONS: Options = { allErrors: true, verbose: true, allowUnionTypes: true, logger: false };
/**
 * Schemas we ship are checked against their meta-schemas by test/playbook/shipped-schemas.test.ts,
 * not at every start: compiling the meta-schemas costs more than a whole `validate`.
 */
const FLAVOR_OPTIONS: Record<Flavor, Options> = {
  strict07: { validateSchema: false, strict: true, strictRequired: false },
  lenient07: { validateSchema: false, strict: false },
  lenient2020: { validateSchema: false, strict: false },
};

/** A new ajv instance of a flavour (with ajv-formats); `extra` is for the precompile script. */
export function createAjv(flavor: Flavor, extra: Options = {}): Ajv {
  const mod = flavor === 'lenient2020' ? requireHere('ajv/dist/2020') : requireHere('ajv');
  const Ctor = (flavor === 'lenient2020' ? mod.Ajv2020 : mod.Ajv) as new (o: Options) => Ajv;
  const ajv = new Ctor({ ...OPTIONS, ...FLAVOR_OPTIONS[flavor], ...extra });
  const formats = requireHere('ajv-formats');
  (formats.default ?? formats)(ajv);
  return ajv;
}

const instances = new Map<Flavor, Ajv>();
function shared(flavor: Flavor): Ajv {
  let a = instances.get(flavor);
  if (!a) instances.set(flavor, (a = createAjv(flavor)));
  return a;
}

/** The flavour for a foreign (kind or user) schema: draft-04..07 by `$schema`, else 2020-12. */
export function foreignFlavor(schema: Record<string, unknown>): Flavor {
  return /draft-0[4-7]/.test(String(schema.$schema ?? '')) ? 'lenient07' : 'lenient2020';
}

/** A foreign schema as it is compiled: without `$id`, so two schemas with one `$id` never collide. */
export function foreignSchema(schema: Record<string, unknown>): Record<string, unknown> {
  const { $id: _id, ...rest } = schema;
  return rest;
}

// ---------------------------------------------------------------------------------------------
// Precompiled validators

/** A short fingerprint of a schema (FNV-1a over its JSON), to tell a stale precompiled one. */
export function schemaFingerprint(schema: unknown): string {
  const s = JSON.stringify(schema);
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return `${(h >>> 0).toString(16)}-${s.length}`;
}

/** Where the build writes the precompiled validators. */
export function generatedDir(): string {
  return join(packageRoot(), 'dist', 'generated');
}

type GeneratedModule = Record<string, ValidateFunction> & { fingerprints?: Record<string, string> };
const generated = new Map<Flavor, GeneratedModule | null>();

/** `true` in the CommonJS bundle (scripts/bundle.mjs defines it); undefined elsewhere. */
declare const __BOOTSTRAP_BUNDLE__: boolean | undefined;

/**
 * The precompiled validators of a flavour; null when they were not built. In the bundle
 * (dist/bundle/cli.cjs, built from dist/runner/) these literal paths let esbuild include the
 * generated code, so it shares the bundle's code cache; the sources and dist/runner/ load the
 * files from dist/generated/.
 */
function loadGenerated(flavor: Flavor): GeneratedModule | null {
  try {
    if (typeof __BOOTSTRAP_BUNDLE__ !== 'undefined' && __BOOTSTRAP_BUNDLE__) {
      if (flavor === 'strict07') return require('../../generated/validators-strict07.cjs') as GeneratedModule;
      if (flavor === 'lenient07') return require('../../generated/validators-lenient07.cjs') as GeneratedModule;
      return require('../../generated/validators-lenient2020.cjs') as GeneratedModule;
    }
    return requireHere(join(generatedDir(), `validators-${flavor}.cjs`)) as GeneratedModule;
  } catch {
    return null;
  }
}

/** The precompiled validator `name` of a flavour, when it was built from this very schema. */
export function precompiled(flavor: Flavor, name: string, schema: unknown): ValidateFunction | undefined {
  let mod = generated.get(flavor);
  if (mod === undefined) generated.set(flavor, (mod = loadGenerated(flavor)));
  const v = mod?.[name];
  return v && mod?.fingerprints?.[name] === schemaFingerprint(schema) ? v : undefined;
}

/** Export name of a precompiled validator (a JS identifier). */
export function exportName(key: string): string {
  return key.replace(/[^A-Za-z0-9_$]/g, '_');
}

// ---------------------------------------------------------------------------------------------
// Compiling

/** Compiles one of the schemas we ship with the strict draft-07 configuration. */
export function compileShipped(name: string, schema: Record<string, unknown>): ValidateFunction {
  return precompiled('strict07', exportName(name), schema) ?? shared('strict07').compile(schema);
}

/** Compiles a user's schema fragment (a var's type and rules): lenient draft-07. */
export function compileLenient07(schema: Record<string, unknown>): ValidateFunction {
  return shared('lenient07').compile(schema);
}

const kindCache = new WeakMap<object, ValidateFunction>();

/**
 * Compiles (once per schema object) a schema written by a kind or a user: draft-07 schemas
 * (`$schema` naming draft-04..07) with the draft-07 instance, everything else 2020-12. A built-in
 * kind's schema (`name` given) comes precompiled. Throws when the schema itself is invalid.
 */
export function compileForeign(schema: Record<string, unknown>, name?: string): ValidateFunction {
  let v = kindCache.get(schema);
  if (!v) {
    const flavor = foreignFlavor(schema);
    const rest = foreignSchema(schema);
    v = (name !== undefined ? precompiled(flavor, exportName(`kind-${name}`), rest) : undefined) ?? shared(flavor).compile(rest);
    kindCache.set(schema, v);
  }
  return v;
}
