/** Converting text (`--var`, environment, prompt answers) to a var's type. */

export type Coerced = { ok: true; value: unknown } | { ok: false; expected: string };

const TRUE = new Set(['true', 'yes', '1', 'on']);
const FALSE = new Set(['false', 'no', '0', 'off']);

/** Converts `text` to `type` strictly (no partial numbers, no guessing). */
export function coerceText(text: string, type: string): Coerced {
  const t = text.trim();
  switch (type) {
    case 'integer': {
      if (!/^[+-]?\d+$/.test(t)) return { ok: false, expected: 'an integer' };
      const n = Number(t);
      return Number.isSafeInteger(n) ? { ok: true, value: n } : { ok: false, expected: 'an integer (this one is too large)' };
    }
    case 'number': {
      if (!/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(t)) return { ok: false, expected: 'a number' };
      return { ok: true, value: Number(t) };
    }
    case 'boolean': {
      const l = t.toLowerCase();
      if (TRUE.has(l)) return { ok: true, value: true };
      if (FALSE.has(l)) return { ok: true, value: false };
      return { ok: false, expected: 'a boolean: true/false, yes/no, on/off or 1/0' };
    }
    case 'array':
    case 'object': {
      const expected = type === 'array' ? 'a JSON list such as ["a","b"]' : 'a JSON object such as {"key":"value"}';
      try {
        const v: unknown = JSON.parse(t);
        const isArray = Array.isArray(v);
        const good = type === 'array' ? isArray : v !== null && typeof v === 'object' && !isArray;
        return good ? { ok: true, value: v } : { ok: false, expected };
      } catch {
        return { ok: false, expected };
      }
    }
    case 'null':
      return t === '' || t === 'null' ? { ok: true, value: null } : { ok: false, expected: 'null' };
    default:
      return { ok: true, value: text };
  }
}
