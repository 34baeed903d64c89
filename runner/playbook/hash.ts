/** Canonical JSON and hashes, for "unchanged definition" on resume. */
import { createHash } from 'node:crypto';

/** JSON with object keys sorted at every level (undefined members omitted). */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v ?? null);
  if (Array.isArray(v)) return `[${v.map((x) => (x === undefined ? 'null' : canonicalJson(x))).join(',')}]`;
  const entries = Object.entries(v as Record<string, unknown>)
    .filter(([, x]) => x !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonicalJson(x)}`).join(',')}}`;
}

/** Hex sha256 of a string. */
export function sha256(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}
