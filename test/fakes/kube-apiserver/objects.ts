/**
 * Small helpers over stored objects: identity, timestamps, names, the shapes the real API uses.
 */
import { createHash, randomUUID } from 'node:crypto';

/** A Kubernetes object as stored (plain JSON). */
export type Obj = Record<string, any> & { metadata: Record<string, any> };

/** RFC 3339 time without fractions, as the API server writes `creationTimestamp`. */
export function timestamp(d = new Date()): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function uid(): string {
  return randomUUID();
}

const SAFE = 'bcdfghjklmnpqrstvwxz2456789';

/** A random suffix like the ones `generateName` and ReplicaSets use (`x7k2p`). */
export function randomSuffix(n = 5): string {
  let s = '';
  for (let i = 0; i < n; i++) s += SAFE[Math.floor(Math.random() * SAFE.length)];
  return s;
}

/** A stable pod-template-hash for a template (10 "safe" characters). */
export function templateHash(template: unknown): string {
  const digest = createHash('sha256').update(JSON.stringify(template ?? {})).digest();
  let s = '';
  for (let i = 0; i < 10; i++) s += SAFE[digest[i]! % SAFE.length];
  return s;
}

/** DNS-1123 subdomain (names of most objects). */
export function validName(name: string): boolean {
  return name.length <= 253 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(name);
}

/** A condition entry with the real field order. */
export function condition(type: string, status: 'True' | 'False' | 'Unknown', reason: string, message: string): Record<string, string> {
  const now = timestamp();
  return { type, status, lastTransitionTime: now, reason, message };
}

/** Replace or add the condition of the same type (keeping its transition time if unchanged). */
export function setCondition(conditions: Array<Record<string, any>> | undefined, c: Record<string, any>): Array<Record<string, any>> {
  const list = [...(conditions ?? [])];
  const i = list.findIndex((x) => x.type === c.type);
  if (i < 0) list.push(c);
  else list[i] = list[i]!.status === c.status ? { ...c, lastTransitionTime: list[i]!.lastTransitionTime } : c;
  return list;
}

/** Labels from a `spec.selector` (matchLabels only; matchExpressions are ignored). */
export function selectorLabels(selector: any): Record<string, string> {
  return { ...(selector?.matchLabels ?? {}) };
}

/** Whether every matchLabels entry appears in `labels`. */
export function selectorMatches(selector: any, labels: Record<string, string> | undefined): boolean {
  return Object.entries(selectorLabels(selector)).every(([k, v]) => labels?.[k] === v);
}

/** Deep equality for JSON values. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') {
    return Object.fromEntries(
      Object.keys(v as object)
        .sort()
        .map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]),
    );
  }
  return v;
}
