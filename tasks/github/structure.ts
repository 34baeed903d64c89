/**
 * Checking a brought repository for the structure a playbook requires: per branch, a list of
 * paths (a trailing `/` means a directory). Every missing path on every branch is reported at
 * once.
 */
import type { Octokit } from '@octokit/rest';
import { TaskError, type TaskContext } from '../kind.js';
import { httpStatus, toTaskError } from './errors.js';

/** Missing paths per branch; a branch that does not exist maps to `null`. */
export type MissingStructure = Record<string, string[] | null>;

/** Which of `paths` are absent from a recursive listing of a tree. */
export function missingPaths(listing: ReadonlyArray<{ path?: string; type?: string }>, paths: readonly string[]): string[] {
  const files = new Set<string>();
  const dirs = new Set<string>();
  for (const e of listing) {
    if (!e.path) continue;
    if (e.type === 'tree') dirs.add(e.path);
    else files.add(e.path);
    const parts = e.path.split('/');
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
  }
  return paths.filter((p) => {
    const clean = p.replace(/^\.?\/+/, '');
    if (clean.endsWith('/')) return !dirs.has(clean.replace(/\/+$/, ''));
    return !files.has(clean) && !dirs.has(clean);
  });
}

/** Lists what is missing on each branch (GET git/trees/{branch}?recursive=1). */
export async function findMissing(
  octokit: Octokit,
  owner: string,
  repo: string,
  required: Record<string, readonly string[]>,
  ctx: TaskContext,
): Promise<MissingStructure> {
  const out: MissingStructure = {};
  for (const [branch, paths] of Object.entries(required)) {
    let data;
    try {
      data = (await octokit.request('GET /repos/{owner}/{repo}/git/trees/{tree_sha}', { owner, repo, tree_sha: branch, recursive: '1' })).data;
    } catch (e) {
      const s = httpStatus(e);
      if (s === 404 || s === 409) {
        out[branch] = null;
        continue;
      }
      throw toTaskError(e, `listing branch ${branch} of ${owner}/${repo}`);
    }
    if (data.truncated) ctx.log('warn', `${owner}/${repo}@${branch}: the tree listing was truncated by GitHub; paths beyond it are reported missing`);
    const missing = missingPaths(data.tree, paths);
    if (missing.length) out[branch] = missing;
  }
  return out;
}

/** Throws one TaskError naming every missing branch and path; does nothing when none is. */
export function assertStructure(label: string, missing: MissingStructure): void {
  const lines = Object.entries(missing).map(([branch, paths]) =>
    paths === null ? `branch ${branch} does not exist` : `missing on branch ${branch}: ${paths.join(', ')}`,
  );
  if (!lines.length) return;
  const msg =
    lines.length === 1 ? `${label} is ${lines[0]!.startsWith('missing') ? lines[0] : `invalid: ${lines[0]}`}` : `${label} lacks the required structure:\n  ${lines.join('\n  ')}`;
  throw new TaskError(
    msg,
    'add the missing files and branches to the repository (or let the playbook create a new one with mode: create)',
    true,
  );
}
