/**
 * Value semantics shared by the evaluator and the functions: truthiness, conversion to
 * string, loose equality, ordering and safe property access.
 */
import { ExprError } from './ast.js';

/** Falsy: `false`, `0`, `NaN`, `''`, `null`, `undefined`. Everything else is truthy. */
export function truthy(v: unknown): boolean {
  return !(v === false || v === 0 || v === '' || v === null || v === undefined || Number.isNaN(v));
}

/**
 * The text of a value, as it is inserted into a string: `null`/`undefined` -> `''`,
 * strings as they are, numbers and booleans with `String()`, objects and arrays as compact
 * JSON. Throws {@link ExprError} for a value JSON cannot represent (a cycle, a bigint).
 */
export function stringify(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return toJSONText(v);
}

/** Compact JSON of any value (`undefined` -> `null`); throws {@link ExprError} on cycles. */
export function toJSONText(v: unknown, offset = 0, length = 1): string {
  try {
    return JSON.stringify(v ?? null) ?? 'null';
  } catch (e) {
    throw new ExprError(`value cannot be converted to JSON: ${(e as Error).message}`, offset, length);
  }
}

/** The number a value converts to for comparisons, or undefined when it does not convert. */
export function toNumberStrict(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '') {
    const n = Number(v.trim());
    return Number.isNaN(n) ? undefined : n;
  }
  return undefined;
}

/** The number a value converts to for unary `-`: like {@link toNumberStrict} with NaN otherwise. */
export function toNumber(v: unknown): number {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v === null || v === undefined) return 0;
  return toNumberStrict(v) ?? Number.NaN;
}

/**
 * `==`: values of the same type compare directly (strings case-sensitively, objects and
 * arrays by identity); a number and a numeric string compare numerically; `null` equals
 * `undefined`; anything else is unequal.
 */
export function looseEquals(a: unknown, b: unknown): boolean {
  if (a === undefined) a = null;
  if (b === undefined) b = null;
  if (a === null || b === null) return a === b;
  if (typeof a === typeof b) return a === b;
  if (typeof a === 'number' && typeof b === 'string') return a === toNumberStrict(b);
  if (typeof a === 'string' && typeof b === 'number') return toNumberStrict(a) === b;
  return false;
}

/**
 * Ordering for `< <= > >=`: numbers numerically, strings lexicographically (by UTF-16 code
 * units, case-sensitive); otherwise numerically when both convert to numbers (a number or a
 * numeric string), else the comparison is false.
 */
export function compare(op: '<' | '<=' | '>' | '>=', a: unknown, b: unknown): boolean {
  let x: number | string;
  let y: number | string;
  if (typeof a === 'string' && typeof b === 'string') {
    x = a;
    y = b;
  } else {
    const nx = toNumberStrict(a);
    const ny = toNumberStrict(b);
    if (nx === undefined || ny === undefined) return false;
    x = nx;
    y = ny;
  }
  switch (op) {
    case '<':
      return x < y;
    case '<=':
      return x <= y;
    case '>':
      return x > y;
    case '>=':
      return x >= y;
  }
}

const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * Read `obj[key]` safely: only own, enumerable data properties of plain objects, and
 * elements of arrays by integer index (a number or a canonical integer string). Getters are
 * never called; `__proto__`, `constructor` and `prototype` always give undefined, as does
 * anything missing.
 */
export function getProperty(obj: unknown, key: unknown): unknown {
  if (Array.isArray(obj)) {
    let idx: number | undefined;
    if (typeof key === 'number') idx = key;
    else if (typeof key === 'string' && /^(0|[1-9][0-9]*)$/.test(key)) idx = Number(key);
    if (idx === undefined || !Number.isInteger(idx) || idx < 0 || idx >= obj.length) return undefined;
    return ownData(obj, String(idx));
  }
  if (!isPlainObject(obj)) return undefined;
  if (typeof key !== 'string' && typeof key !== 'number') return undefined;
  const k = String(key);
  if (FORBIDDEN.has(k)) return undefined;
  return ownData(obj, k);
}

function ownData(obj: object, k: string): unknown {
  const d = Object.getOwnPropertyDescriptor(obj, k);
  if (!d || !d.enumerable || !('value' in d)) return undefined;
  return d.value;
}
