/** Canonical JSON and hashes, for "unchanged definition" on resume. */
import * as crypto from 'node:crypto';

/** One-shot hashing (Node 20.12+): about half the cost of a Hash object, twice per task. */
const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: 'hex') => string }).hash;

/** JSON with object keys sorted at every level (undefined members omitted). */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v ?? null);
  // Built by concatenation: no entry pairs or intermediate arrays (it runs for every task).
  let out: string;
  if (Array.isArray(v)) {
    out = '[';
    for (let i = 0; i < v.length; i++) out += (i ? ',' : '') + (v[i] === undefined ? 'null' : canonicalJson(v[i]));
    return out + ']';
  }
  const o = v as Record<string, unknown>;
  // The default sort compares UTF-16 code units, as `<` does on strings.
  const keys = Object.keys(o).sort();
  out = '{';
  let first = true;
  for (const k of keys) {
    const x = o[k];
    if (x === undefined) continue;
    out += (first ? '' : ',') + JSON.stringify(k) + ':' + canonicalJson(x);
    first = false;
  }
  return out + '}';
}

/** Hex sha256 of a string. */
export function sha256(s: string): string {
  return oneShot ? oneShot('sha256', s, 'hex') : crypto.createHash('sha256').update(s).digest('hex');
}
