/**
 * Ajv instances, created lazily and shared: draft-07 for the playbook schema and var
 * fragments, 2020-12 for task kinds' `with` schemas (a kind may declare either).
 */
import { Ajv } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv';
import formatsModule from 'ajv-formats';

type AddFormats = (ajv: Ajv | Ajv2020) => unknown;
// ajv-formats is CommonJS: its default export is the plugin (typed as the module under NodeNext).
const addFormats = ((formatsModule as unknown as { default?: AddFormats }).default ??
  (formatsModule as unknown as AddFormats)) as AddFormats;

export type { ErrorObject, ValidateFunction };

let draft07: Ajv | undefined;
let draft2020: Ajv2020 | undefined;

const OPTIONS = { allErrors: true, verbose: true, allowUnionTypes: true, logger: false as const };
/**
 * Schemas we ship (the playbook schema, the kinds' `with` schemas) are checked against their
 * meta-schemas by test/playbook/shipped-schemas.test.ts, not at every start: compiling the
 * meta-schemas costs more than a whole `validate`.
 */
const SHIPPED = { validateSchema: false } as const;

/** The shared draft-07 instance (strict: schemas we ship must be clean). */
export function ajv07(): Ajv {
  if (!draft07) {
    draft07 = new Ajv({ ...OPTIONS, ...SHIPPED, strict: true, strictRequired: false });
    addFormats(draft07);
  }
  return draft07;
}

/** A lenient instance for schemas written by users or kinds (unknown keywords are ignored). */
let lenient07: Ajv | undefined;
export function ajvLenient07(): Ajv {
  if (!lenient07) {
    lenient07 = new Ajv({ ...OPTIONS, ...SHIPPED, strict: false });
    addFormats(lenient07);
  }
  return lenient07;
}

/** A lenient 2020-12 instance for task kinds' schemas. */
export function ajv2020(): Ajv2020 {
  if (!draft2020) {
    draft2020 = new Ajv2020({ ...OPTIONS, ...SHIPPED, strict: false });
    addFormats(draft2020);
  }
  return draft2020;
}

const kindCache = new WeakMap<object, ValidateFunction>();

/**
 * Compiles (once per schema object) a schema written by a kind or a user. Draft-07 schemas
 * (`$schema` naming draft-07) use the draft-07 instance; everything else 2020-12.
 * Throws when the schema itself is invalid.
 */
export function compileForeign(schema: Record<string, unknown>): ValidateFunction {
  let v = kindCache.get(schema);
  if (!v) {
    const s = String(schema.$schema ?? '');
    // Compile a copy without $id so that two schemas with the same $id do not collide.
    const { $id: _id, ...rest } = schema;
    v = /draft-0[4-7]/.test(s) ? ajvLenient07().compile(rest) : ajv2020().compile(rest);
    kindCache.set(schema, v);
  }
  return v;
}
