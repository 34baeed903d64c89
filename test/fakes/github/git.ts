/**
 * Real git plumbing on the bare repository behind each fake GitHub repository, so what the
 * kind pushes through the Git Data API can be checked with `git` itself.
 */
import { spawn } from 'node:child_process';

export interface GitIdentity {
  name: string;
  email: string;
  /** ISO 8601 */
  date: string;
}

/** A failed git command (the fake turns it into a 404/422 where GitHub would). */
export class GitError extends Error {
  constructor(
    message: string,
    readonly code: number | null,
  ) {
    super(message);
  }
}

function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('GIT_')) env[k] = v;
  return { ...env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', ...extra };
}

/** Runs git against the bare repository `dir`; resolves with stdout. */
export function git(dir: string, args: string[], input?: Buffer | string, env?: Record<string, string>): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, { env: cleanEnv({ GIT_DIR: dir, ...env }), stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout!.on('data', (d: Buffer) => out.push(d));
    child.stderr!.on('data', (d: Buffer) => err.push(d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out));
      else reject(new GitError(`git ${args.join(' ')}: ${Buffer.concat(err).toString().trim()}`, code));
    });
    if (input !== undefined) {
      child.stdin!.on('error', () => {}); // a command that exits early reports through its exit code
      child.stdin!.end(input);
    }
  });
}

const text = async (p: Promise<Buffer>) => (await p).toString().trim();
const SHA = /^[0-9a-f]{40}$/;

export async function initBare(dir: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const c = spawn('git', ['init', '--quiet', '--bare', '--initial-branch=main', dir], { env: cleanEnv(), stdio: 'ignore' });
    c.on('error', reject);
    c.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`git init --bare ${dir} failed`))));
  });
}

export const writeBlob = (dir: string, content: Buffer) => text(git(dir, ['hash-object', '-w', '--stdin'], content));

/** The type of an object, or undefined when it does not exist. */
export async function objectType(dir: string, sha: string): Promise<string | undefined> {
  if (!SHA.test(sha)) return undefined;
  return text(git(dir, ['cat-file', '-t', sha])).catch(() => undefined);
}

export const catFile = (dir: string, type: string, sha: string) => git(dir, ['cat-file', type, sha]);

export interface TreeEntry {
  mode: string;
  type: 'blob' | 'tree' | 'commit';
  sha: string;
  path: string;
  size?: number;
}

/** Builds nested trees from a flat list of paths (what POST git/trees without base_tree does). */
export async function buildTree(dir: string, entries: ReadonlyArray<{ path: string; mode: string; sha: string; type: string }>): Promise<string> {
  interface Node {
    leaves: Array<{ name: string; mode: string; type: string; sha: string }>;
    dirs: Map<string, Node>;
  }
  const root: Node = { leaves: [], dirs: new Map() };
  for (const e of entries) {
    const parts = e.path.split('/');
    let n = root;
    for (const p of parts.slice(0, -1)) {
      let next = n.dirs.get(p);
      if (!next) n.dirs.set(p, (next = { leaves: [], dirs: new Map() }));
      n = next;
    }
    n.leaves.push({ name: parts[parts.length - 1]!, mode: e.mode, type: e.type, sha: e.sha });
  }
  const write = async (n: Node): Promise<string> => {
    const lines: string[] = n.leaves.map((l) => `${l.mode} ${l.type} ${l.sha}\t${l.name}\0`);
    for (const [name, sub] of n.dirs) lines.push(`040000 tree ${await write(sub)}\t${name}\0`);
    return text(git(dir, ['mktree', '-z'], lines.join('')));
  };
  return write(root);
}

/** Every entry under a tree-ish, trees included (`git ls-tree -r -t -l`). */
export async function lsTree(dir: string, treeish: string, recursive: boolean): Promise<TreeEntry[]> {
  const out = await git(dir, ['ls-tree', ...(recursive ? ['-r', '-t'] : []), '-l', '-z', treeish]);
  return out
    .toString()
    .split('\0')
    .filter(Boolean)
    .map((line) => {
      const [meta, path] = [line.slice(0, line.indexOf('\t')), line.slice(line.indexOf('\t') + 1)];
      const [mode, type, sha, size] = meta.trim().split(/\s+/);
      return { mode: mode!, type: type as TreeEntry['type'], sha: sha!, path, ...(size && size !== '-' ? { size: Number(size) } : {}) };
    });
}

export interface CommitInfo {
  tree: string;
  parents: string[];
  author: GitIdentity;
  committer: GitIdentity;
  message: string;
}

function parseIdent(line: string): GitIdentity {
  const m = /^(.*) <(.*)> (\d+) ([+-]\d{4})$/.exec(line);
  if (!m) throw new Error(`bad ident ${line}`);
  const tz = m[4]!;
  const offsetMin = (tz[0] === '-' ? -1 : 1) * (Number(tz.slice(1, 3)) * 60 + Number(tz.slice(3)));
  const local = new Date(Number(m[3]) * 1000 + offsetMin * 60_000).toISOString().replace(/\.\d{3}Z$/, '');
  const date = offsetMin === 0 ? `${local}Z` : `${local}${tz.slice(0, 3)}:${tz.slice(3)}`;
  return { name: m[1]!, email: m[2]!, date };
}

export async function readCommit(dir: string, sha: string): Promise<CommitInfo> {
  const raw = (await catFile(dir, 'commit', sha)).toString();
  const split = raw.indexOf('\n\n');
  const headers = raw.slice(0, split).split('\n');
  const info: CommitInfo = { tree: '', parents: [], author: undefined!, committer: undefined!, message: raw.slice(split + 2) };
  for (const h of headers) {
    const sp = h.indexOf(' ');
    const [k, v] = [h.slice(0, sp), h.slice(sp + 1)];
    if (k === 'tree') info.tree = v;
    else if (k === 'parent') info.parents.push(v);
    else if (k === 'author') info.author = parseIdent(v);
    else if (k === 'committer') info.committer = parseIdent(v);
  }
  return info;
}

export function commitTree(dir: string, tree: string, parents: string[], message: string, author: GitIdentity, committer: GitIdentity): Promise<string> {
  return text(
    git(dir, ['commit-tree', tree, ...parents.flatMap((p) => ['-p', p])], message, {
      GIT_AUTHOR_NAME: author.name,
      GIT_AUTHOR_EMAIL: author.email,
      GIT_AUTHOR_DATE: author.date,
      GIT_COMMITTER_NAME: committer.name,
      GIT_COMMITTER_EMAIL: committer.email,
      GIT_COMMITTER_DATE: committer.date,
    }),
  );
}

/** The sha a full ref name points to, or undefined. */
export async function resolveRef(dir: string, ref: string): Promise<string | undefined> {
  const out = await text(git(dir, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`])).catch(() => '');
  return SHA.test(out) ? out : undefined;
}

/** The tree a branch name, full ref or commit/tree sha resolves to, or undefined. */
export async function resolveTree(dir: string, treeish: string): Promise<string | undefined> {
  const out = await text(git(dir, ['rev-parse', '--verify', '--quiet', `${treeish}^{tree}`])).catch(() => '');
  return SHA.test(out) ? out : undefined;
}

export const updateRef = (dir: string, ref: string, sha: string) => git(dir, ['update-ref', ref, sha]).then(() => undefined);
export const deleteRef = (dir: string, ref: string) => git(dir, ['update-ref', '-d', ref]).then(() => undefined);

/** True when `ancestor` is reachable from `sha`. */
export async function isAncestor(dir: string, ancestor: string, sha: string): Promise<boolean> {
  return git(dir, ['merge-base', '--is-ancestor', ancestor, sha]).then(
    () => true,
    () => false,
  );
}

/** Full ref names (refs/heads/...) in the repository. */
export async function listRefs(dir: string): Promise<string[]> {
  return (await git(dir, ['for-each-ref', '--format=%(refname)'])).toString().split('\n').filter(Boolean);
}
