/**
 * Patch application: JSON merge patch (RFC 7386; strategic merge patch is treated as a merge
 * patch, which is exact for maps and replaces lists wholesale) and JSON patch (RFC 6902).
 */

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** RFC 7386: objects merge recursively, `null` deletes, everything else replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return structuredClone(patch);
  const out: Record<string, unknown> = isPlainObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/** Thrown when a JSON patch cannot be applied (the server answers 422). */
export class PatchError extends Error {}

function decodePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new PatchError(`invalid JSON pointer ${JSON.stringify(pointer)}`);
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** RFC 6902 (add, remove, replace, test, copy, move) on a deep copy of `doc`. */
export function jsonPatch(doc: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) throw new PatchError('a JSON patch must be an array of operations');
  let root = structuredClone(doc);
  const parentOf = (path: string[]): [any, string] => {
    let cur: any = root;
    for (const p of path.slice(0, -1)) {
      cur = cur?.[p];
      if (typeof cur !== 'object' || cur === null) throw new PatchError(`path ${path.join('/')} does not exist`);
    }
    return [cur, path[path.length - 1]!];
  };
  const get = (path: string[]): unknown => path.reduce<any>((c, p) => (c === undefined ? c : c?.[p]), root);
  const add = (path: string[], value: unknown) => {
    if (path.length === 0) return void (root = value);
    const [parent, key] = parentOf(path);
    if (Array.isArray(parent)) {
      const i = key === '-' ? parent.length : Number(key);
      if (!(i >= 0 && i <= parent.length)) throw new PatchError(`index ${key} out of range`);
      parent.splice(i, 0, value);
    } else parent[key] = value;
  };
  const remove = (path: string[]) => {
    const [parent, key] = parentOf(path);
    if (Array.isArray(parent)) parent.splice(Number(key), 1);
    else {
      if (!(key in parent)) throw new PatchError(`unable to remove nonexistent key: ${key}`);
      delete parent[key];
    }
  };
  for (const op of ops as Array<Record<string, any>>) {
    const path = decodePointer(String(op.path ?? ''));
    switch (op.op) {
      case 'add':
        add(path, structuredClone(op.value));
        break;
      case 'remove':
        remove(path);
        break;
      case 'replace':
        if (get(path) === undefined) throw new PatchError(`replace operation does not apply: doc is missing path: ${op.path}`);
        if (path.length === 0) root = structuredClone(op.value);
        else {
          const [parent, key] = parentOf(path);
          parent[key] = structuredClone(op.value);
        }
        break;
      case 'test':
        if (JSON.stringify(get(path)) !== JSON.stringify(op.value)) throw new PatchError(`testing value ${op.path} failed`);
        break;
      case 'copy':
      case 'move': {
        const from = decodePointer(String(op.from ?? ''));
        const value = structuredClone(get(from));
        if (op.op === 'move') remove(from);
        add(path, value);
        break;
      }
      default:
        throw new PatchError(`unexpected operation ${JSON.stringify(op.op)}`);
    }
  }
  return root;
}
