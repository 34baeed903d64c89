/**
 * Reading `with.manifests`: objects as written, YAML files (multi-document, relative to the
 * playbook) and inline YAML; `List` objects are expanded. Every object must name its
 * apiVersion, kind and metadata.name (generateName cannot be applied idempotently).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { TaskError } from '../kind.js';
import type { KObj } from './client.js';

/** A manifest with where it came from (for messages). */
export interface LoadedManifest {
  obj: KObj;
  source: string;
}

function check(raw: unknown, source: string): KObj {
  const o = raw as Partial<KObj> | null;
  if (!o || typeof o !== 'object' || Array.isArray(o)) throw new TaskError(`${source}: a manifest must be a mapping (an object)`, undefined, true);
  if (typeof o.apiVersion !== 'string' || !o.apiVersion) throw new TaskError(`${source}: apiVersion is missing`, undefined, true);
  if (typeof o.kind !== 'string' || !o.kind) throw new TaskError(`${source}: kind is missing`, undefined, true);
  const name = (o.metadata as { name?: unknown } | undefined)?.name;
  if (typeof name !== 'string' || !name) {
    throw new TaskError(`${source}: ${o.kind} has no metadata.name`, 'generateName is not supported: applied objects must have a fixed name', true);
  }
  return structuredClone(o) as KObj;
}

function expand(raw: unknown, source: string, out: LoadedManifest[]): void {
  const o = raw as { kind?: unknown; items?: unknown } | null;
  if (o && typeof o === 'object' && typeof o.kind === 'string' && o.kind.endsWith('List') && Array.isArray(o.items)) {
    o.items.forEach((item, i) => expand(item, `${source} item ${i + 1}`, out));
    return;
  }
  out.push({ obj: check(raw, source), source });
}

function parseYamlText(text: string, source: string, out: LoadedManifest[]): void {
  const docs = parseAllDocuments(text);
  let n = 0;
  for (const doc of docs) {
    n++;
    if (doc.errors.length) throw new TaskError(`${source}: invalid YAML in document ${n}: ${doc.errors[0]!.message}`, undefined, true);
    const value = doc.toJS();
    if (value === null || value === undefined) continue; // empty document (e.g. a trailing ---)
    expand(value, docs.length > 1 ? `${source} (document ${n})` : source, out);
  }
}

/** Load every manifest, in order. */
export async function loadManifests(items: ReadonlyArray<string | Record<string, unknown>>, playbookDir: string): Promise<LoadedManifest[]> {
  const out: LoadedManifest[] = [];
  for (const [i, item] of items.entries()) {
    const label = `manifests[${i}]`;
    if (typeof item !== 'string') {
      expand(item, label, out);
    } else if (item.includes('\n')) {
      parseYamlText(item, `${label} (inline YAML)`, out);
    } else {
      const file = path.resolve(playbookDir, item);
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (e) {
        throw new TaskError(`${label}: cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, 'paths are relative to the playbook directory', true);
      }
      parseYamlText(text, item, out);
    }
  }
  return out;
}
