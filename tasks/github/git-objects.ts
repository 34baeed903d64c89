/**
 * Git object ids computed locally (SHA-1 object format, as GitHub uses), so the kind can tell
 * whether a branch already holds exactly the tree it would push without creating anything.
 */
import { createHash } from 'node:crypto';

/** A file to place in a tree: posix path, bytes and git mode. */
export interface TreeFile {
  path: string;
  content: Buffer;
  mode: '100644' | '100755';
}

function objectId(type: 'blob' | 'tree', body: Buffer): string {
  return createHash('sha1').update(`${type} ${body.length}\0`).update(body).digest('hex');
}

/** The object id git gives a blob with this content (`git hash-object`). */
export function blobSha(content: Buffer): string {
  return objectId('blob', content);
}

interface Dir {
  files: Map<string, { mode: string; sha: string }>;
  dirs: Map<string, Dir>;
}

/**
 * The object id of the root tree holding `files` (`git write-tree` of an index with exactly
 * these files). Throws on a path that is both a file and a directory.
 */
export function treeSha(files: readonly TreeFile[]): string {
  const root: Dir = { files: new Map(), dirs: new Map() };
  for (const f of files) {
    const parts = f.path.split('/');
    let d = root;
    for (const p of parts.slice(0, -1)) {
      if (d.files.has(p)) throw new Error(`${f.path}: ${p} is both a file and a directory`);
      let next = d.dirs.get(p);
      if (!next) d.dirs.set(p, (next = { files: new Map(), dirs: new Map() }));
      d = next;
    }
    const name = parts[parts.length - 1]!;
    if (d.dirs.has(name)) throw new Error(`${f.path} is both a file and a directory`);
    d.files.set(name, { mode: f.mode, sha: blobSha(f.content) });
  }
  return writeTree(root);
}

function writeTree(d: Dir): string {
  const entries: Array<{ name: string; sortKey: string; mode: string; sha: string }> = [];
  for (const [name, f] of d.files) entries.push({ name, sortKey: name, mode: f.mode, sha: f.sha });
  for (const [name, sub] of d.dirs) entries.push({ name, sortKey: `${name}/`, mode: '40000', sha: writeTree(sub) });
  // git orders entries by name bytes, a directory's name compared as if it ended in '/'.
  entries.sort((a, b) => Buffer.compare(Buffer.from(a.sortKey), Buffer.from(b.sortKey)));
  const body = Buffer.concat(
    entries.flatMap((e) => [Buffer.from(`${e.mode} ${e.name}\0`), Buffer.from(e.sha, 'hex')]),
  );
  return objectId('tree', body);
}
