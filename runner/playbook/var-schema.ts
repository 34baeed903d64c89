/**
 * Var values against their JSON Schema fragment: compiled validators (cached) and messages
 * that name the var, where the value came from, and what was expected.
 */
import { ajvLenient07, type ErrorObject, type ValidateFunction } from './ajv.js';
import type { VarDef } from './model.js';

const cache = new WeakMap<object, ValidateFunction>();

/** The fragment's validator. Throws when the fragment itself is not a valid schema. */
export function varValidator(def: Pick<VarDef, 'schema'>): ValidateFunction {
  let v = cache.get(def.schema);
  if (!v) {
    v = ajvLenient07().compile(def.schema);
    cache.set(def.schema, v);
  }
  return v;
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
