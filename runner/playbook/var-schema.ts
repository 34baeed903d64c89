/**
 * Var values against their JSON Schema fragment: compiled validators (cached) and messages
 * that name the var, where the value came from, and what was expected.
 */
import { compileLenient07, type ErrorObject, type ValidateFunction } from './ajv.js';
import type { VarDef } from './model.js';

const cache = new WeakMap<object, ValidateFunction>();

/** The fragment's validator. Throws when the fragment itself is not a valid schema. */
export function varValidator(def: Pick<VarDef, 'schema'>): ValidateFunction {
  let v = cache.get(def.schema);
  if (!v) {
    v = simpleValidator(def.schema) ?? guarded(compileLenient07(def.schema));
    cache.set(def.schema, v);
  }
  return v;
}

// ---------------------------------------------------------------------------------------------
// Most vars are a type plus pattern, enum or bounds. Those are checked here, with exactly the
// verdicts, errors and error order ajv gives them (test/playbook/var-schema.test.ts compares the
// two on generated schemas and values), so that a playbook like aks-kalypso does not load and
// run ajv's compiler 33 times at start-up. Anything else goes to ajv.

/** ajv's keyword groups, in its order: untyped keywords, then number, then string keywords. */
const GROUPS: ReadonlyArray<{ type?: 'number' | 'string'; keys: readonly string[] }> = [
  { keys: ['enum'] },
  { type: 'number', keys: ['maximum', 'minimum', 'exclusiveMaximum', 'exclusiveMinimum'] },
  { type: 'string', keys: ['maxLength', 'minLength', 'pattern'] },
];
const SIMPLE_KEYS = new Set(['type', ...GROUPS.flatMap((g) => g.keys)]);
const TYPES = new Set(['string', 'integer', 'number', 'boolean', 'array', 'object', 'null']);
const LIMITS: Record<string, { fail: (d: number, l: number) => boolean; op: string }> = {
  maximum: { fail: (d, l) => d > l || Number.isNaN(d), op: '<=' },
  minimum: { fail: (d, l) => d < l || Number.isNaN(d), op: '>=' },
  exclusiveMaximum: { fail: (d, l) => d >= l || Number.isNaN(d), op: '<' },
  exclusiveMinimum: { fail: (d, l) => d <= l || Number.isNaN(d), op: '>' },
};

/** ajv's data type check (non-strict numbers). */
function hasType(type: string, d: unknown): boolean {
  switch (type) {
    case 'null':
      return d === null;
    case 'array':
      return Array.isArray(d);
    case 'object':
      return !!d && typeof d === 'object' && !Array.isArray(d);
    case 'integer':
      return typeof d === 'number' && !(d % 1) && !Number.isNaN(d);
    default:
      return typeof d === type;
  }
}

/** Deep equality as ajv's enum uses it for objects and arrays (fast-deep-equal: NaN equals NaN). */
function equal(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    if (Array.isArray(a) !== Array.isArray(b)) return false;
    if (Array.isArray(a)) return a.length === (b as unknown[]).length && a.every((x, i) => equal(x, (b as unknown[])[i]));
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && equal((a as any)[k], (b as any)[k]));
  }
  return a !== a && b !== b; // NaN
}

/** A validator for a fragment of only `type`, `enum`, bounds, lengths and `pattern`; else undefined. */
export function simpleValidator(schema: Record<string, unknown>): ValidateFunction | undefined {
  const type = schema.type;
  if (typeof type !== 'string' || !TYPES.has(type)) return undefined;
  for (const [k, v] of Object.entries(schema)) {
    if (v === undefined) continue;
    if (!SIMPLE_KEYS.has(k)) return undefined;
    if (k in LIMITS && typeof v !== 'number') return undefined;
    if ((k === 'minLength' || k === 'maxLength') && !(Number.isInteger(v) && (v as number) >= 0)) return undefined;
    if (k === 'enum' && !Array.isArray(v)) return undefined;
  }
  let regex: RegExp | undefined;
  if (schema.pattern !== undefined) {
    if (typeof schema.pattern !== 'string') return undefined;
    try {
      regex = new RegExp(schema.pattern, 'u');
    } catch {
      return undefined; // ajv's compile error says what is wrong
    }
  }
  const groups = GROUPS.filter((g) => g.keys.some((k) => schema[k] !== undefined));
  // ajv checks the type first unless a keyword group of that very type will check it.
  const deferred = groups.some((g) => g.type === type);
  const fn = ((data: unknown) => {
    const errors: ErrorObject[] = [];
    const fail = (keyword: string, params: Record<string, unknown>, message: string) =>
      errors.push({ instancePath: '', schemaPath: `#/${keyword}`, keyword, params, message, schema: schema[keyword], parentSchema: schema, data });
    const typeError = () => fail('type', { type }, `must be ${type}`);
    if (!deferred && !hasType(type, data)) typeError();
    for (const g of groups) {
      if (g.type && !hasType(g.type, data)) {
        if (g.type === type) typeError();
        continue;
      }
      for (const k of g.keys) {
        const limit = schema[k];
        if (limit === undefined) continue;
        if (k === 'enum') {
          // ajv compares primitives with ===, objects and arrays with fast-deep-equal.
          if (!(limit as unknown[]).some((x) => (x !== null && typeof x === 'object' ? equal(x, data) : x === data))) fail(k, { allowedValues: limit }, 'must be equal to one of the allowed values');
        } else if (k in LIMITS) {
          const { fail: bad, op } = LIMITS[k]!;
          // ajv writes the limit into its generated code as a literal, so -0 comes back as 0.
          if (bad(data as number, limit as number)) fail(k, { comparison: op, limit: (limit as number) + 0 }, `must be ${op} ${limit}`);
        } else if (k === 'pattern') {
          if (!regex!.test(data as string)) fail(k, { pattern: limit }, `must match pattern "${limit}"`);
        } else {
          const len = [...(data as string)].length;
          const max = k === 'maxLength';
          if (max ? len > (limit as number) : len < (limit as number))
            fail(k, { limit }, `must NOT have ${max ? 'more' : 'fewer'} than ${limit} characters`);
        }
      }
    }
    fn.errors = errors.length ? errors : null;
    return errors.length === 0;
  }) as ValidateFunction;
  fn.errors = null;
  fn.schema = schema;
  return fn;
}

/** The JSON type of a value, in the words of a var's `type`. */
export function jsonTypeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

/** The var's type: declared, else that of its default (or of its enum), else string. */
export function inferType(raw: Record<string, unknown>): string {
  if (typeof raw.type === 'string') return raw.type;
  const d = raw.default;
  if (d !== undefined && d !== null) return jsonTypeOf(d);
  if (Array.isArray(raw.enum) && raw.enum.length) {
    const types = new Set(raw.enum.map(jsonTypeOf));
    if (types.size === 1) return [...types][0]!;
    if ([...types].every((t) => t === 'integer' || t === 'number')) return 'number';
  }
  return 'string';
}

/**
 * ajv's validator, except that a value it cannot check fails with the reason instead of
 * throwing: its deep equality (enum, const, uniqueItems) calls a value's own `valueOf`, so an
 * object like `{"valueOf": null}` makes it throw a TypeError.
 */
function guarded(v: ValidateFunction): ValidateFunction {
  const f = ((data: unknown) => {
    try {
      const ok = v(data);
      f.errors = v.errors;
      return ok;
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      f.errors = [{ instancePath: '', schemaPath: '#', keyword: 'uncheckable', params: {}, message: `a value the schema can check (checking this one failed: ${why})` }];
      return false;
    }
  }) as ValidateFunction;
  return f;
}

/** One phrase for what a value failed ("an integer <= 65535", "one of a, b"). */
export function describeVarErrors(errors: readonly ErrorObject[]): string {
  const parts: string[] = [];
  for (const e of errors) {
    const p = e.params as Record<string, any>;
    const at = e.instancePath ? ` at ${e.instancePath.slice(1).replace(/\//g, '.')}` : '';
    let s: string;
    switch (e.keyword) {
      case 'type':
        s = `${article(String(p.type))}`;
        break;
      case 'pattern':
        s = `a value matching ${p.pattern}`;
        break;
      case 'enum':
        s = `one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
        break;
      case 'const':
        s = JSON.stringify(p.allowedValue);
        break;
      case 'minimum':
      case 'maximum':
      case 'exclusiveMinimum':
      case 'exclusiveMaximum':
        s = `a number ${p.comparison} ${p.limit}`;
        break;
      case 'minLength':
        s = `at least ${p.limit} character${p.limit === 1 ? '' : 's'}`;
        break;
      case 'maxLength':
        s = `at most ${p.limit} character${p.limit === 1 ? '' : 's'}`;
        break;
      case 'minItems':
        s = `at least ${p.limit} item${p.limit === 1 ? '' : 's'}`;
        break;
      case 'maxItems':
        s = `at most ${p.limit} item${p.limit === 1 ? '' : 's'}`;
        break;
      case 'uniqueItems':
        s = 'items that are all different';
        break;
      case 'format':
        s = `a valid ${p.format}`;
        break;
      case 'required':
        s = `a property \`${p.missingProperty}\``;
        break;
      case 'additionalProperties':
        s = `no property \`${p.additionalProperty}\``;
        break;
      case 'multipleOf':
        s = `a multiple of ${p.multipleOf}`;
        break;
      default:
        s = e.message ?? 'a valid value';
    }
    parts.push(s + at);
  }
  return [...new Set(parts)].join('; ');
}

function article(type: string): string {
  switch (type) {
    case 'integer':
      return 'an integer';
    case 'array':
      return 'a list';
    case 'object':
      return 'a mapping';
    case 'boolean':
      return 'a boolean (true or false)';
    default:
      return type.includes(',') ? type.split(',').map(article).join(' or ') : `a ${type}`;
  }
}
