/**
 * Pushing a rendered tree onto a branch with the Git Data API only (blobs, tree, commit, ref):
 * no git binary and no token in any URL or argv. A branch whose commit already has exactly
 * the tree we would push is left alone, so re-runs create nothing.
 */
import type { Octokit } from '@octokit/rest';
import { TaskError, type TaskContext } from '../kind.js';
import { githubMessage, httpStatus, toTaskError } from './errors.js';
import { blobSha, treeSha, type TreeFile } from './git-objects.js';

/** The head of a branch: its commit and that commit's tree. */
export interface BranchHead {
  commitSha: string;
  treeSha: string;
  /** True when the commit has no parents. */
  root: boolean;
}

function emptyRepo(full: string): TaskError {
  return new TaskError(
    `repository ${full} is empty: GitHub's Git Data API cannot write to a repository without any commit`,
    'push any first commit to it (or recreate it with a README), then run again',
    true,
  );
}

/** The branch's head, or undefined when the branch does not exist. */
export async function branchHead(octokit: Octokit, owner: string, repo: string, branch: string): Promise<BranchHead | undefined> {
  const full = `${owner}/${repo}`;
  let commitSha: string;
  try {
    const ref = await octokit.request('GET /repos/{owner}/{repo}/git/ref/{ref}', { owner, repo, ref: `heads/${branch}` });
    if (ref.data.object.type !== 'commit') {
      throw new TaskError(`branch ${branch} of ${full} does not point to a commit (${ref.data.object.type})`);
    }
    commitSha = ref.data.object.sha;
  } catch (e) {
    if (httpStatus(e) === 404) return undefined;
    if (httpStatus(e) === 409) throw emptyRepo(full);
    throw toTaskError(e, `reading branch ${branch} of ${full}`);
  }
  try {
    const c = await octokit.request('GET /repos/{owner}/{repo}/git/commits/{commit_sha}', { owner, repo, commit_sha: commitSha });
    return { commitSha, treeSha: c.data.tree.sha, root: c.data.parents.length === 0 };
  } catch (e) {
    throw toTaskError(e, `reading commit ${commitSha} of ${full}`);
  }
}

/** One branch to push. */
export interface BranchPush {
  branch: string;
  files: readonly TreeFile[];
  message: string;
  /**
   * Make the new commit a root commit and force the branch to it, replacing what is there
   * (used for the initial commit GitHub makes when it creates a repository).
   */
  replace: boolean;
}

/** What {@link pushBranch} did. */
export interface PushResult {
  sha: string;
  /** False when the branch already had the tree ("up to date"). */
  changed: boolean;
}

/** Pushes `p.files` as the complete tree of `p.branch`, unless the branch already has it. */
export async function pushBranch(
  octokit: Octokit,
  owner: string,
  repo: string,
  p: BranchPush,
  ctx: TaskContext,
  head?: BranchHead | null,
): Promise<PushResult> {
  const full = `${owner}/${repo}`;
  const wanted = treeSha(p.files);
  const current = head === null ? undefined : (head ?? (await branchHead(octokit, owner, repo, p.branch)));
  if (current && current.treeSha === wanted) return { sha: current.commitSha, changed: false };

  const step = async <T>(what: string, f: () => Promise<T>): Promise<T> => {
    try {
      return await f();
    } catch (e) {
      if (httpStatus(e) === 409 && /empty/i.test(githubMessage(e))) throw emptyRepo(full);
      throw toTaskError(e, `${what} on branch ${p.branch} of ${full}`);
    }
  };

  const entries: Array<{ path: string; mode: '100644' | '100755'; type: 'blob'; sha: string }> = [];
  let n = 0;
  for (const f of p.files) {
    ctx.progress(`${full}@${p.branch}: uploading ${++n}/${p.files.length} ${f.path}`);
    const sha = await step(`uploading ${f.path}`, async () => {
      const res = await octokit.request('POST /repos/{owner}/{repo}/git/blobs', {
        owner,
        repo,
        content: f.content.toString('base64'),
        encoding: 'base64',
      });
      return res.data.sha;
    });
    if (sha !== blobSha(f.content)) {
      throw new TaskError(`GitHub stored ${f.path} as blob ${sha}, expected ${blobSha(f.content)}: the upload was altered`);
    }
    entries.push({ path: f.path, mode: f.mode, type: 'blob', sha });
  }
  const tree = await step('creating the tree', async () => {
    const res = await octokit.request('POST /repos/{owner}/{repo}/git/trees', { owner, repo, tree: entries });
    return res.data.sha;
  });
  if (tree !== wanted) ctx.log('warn', `${full}@${p.branch}: GitHub computed tree ${tree}, expected ${wanted}`);
  const parents = current && !p.replace ? [current.commitSha] : [];
  const commit = await step('creating the commit', async () => {
    const res = await octokit.request('POST /repos/{owner}/{repo}/git/commits', { owner, repo, message: p.message, tree, parents });
    return res.data.sha;
  });
  await step('updating the branch', async () => {
    if (current) {
      await octokit.request('PATCH /repos/{owner}/{repo}/git/refs/{ref}', {
        owner,
        repo,
        ref: `heads/${p.branch}`,
        sha: commit,
        force: p.replace,
      });
    } else {
      await octokit.request('POST /repos/{owner}/{repo}/git/refs', { owner, repo, ref: `refs/heads/${p.branch}`, sha: commit });
    }
  });
  return { sha: commit, changed: true };
}
