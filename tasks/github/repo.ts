/**
 * Repository-level calls: parse a repository URL, look a repository up, create one under a
 * user or an organization, set its default branch, delete it.
 */
import type { Octokit } from '@octokit/rest';
import { TaskError } from '../kind.js';
import { githubMessage, httpStatus, toTaskError } from './errors.js';

/** The fields of a repository the kind uses. */
export interface RepoInfo {
  id: number;
  owner: string;
  name: string;
  htmlUrl: string;
  cloneUrl: string;
  defaultBranch: string;
  private: boolean;
}

/** Owner and name of `https://host/owner/name[.git]`, `git@host:owner/name.git` or `owner/name`. */
export function parseRepoUrl(url: string): { owner: string; name: string } | undefined {
  const s = url.trim();
  const m =
    /^https?:\/\/[^/\s]+\/([A-Za-z0-9-]+)\/([A-Za-z0-9._-]+?)(?:\.git)?\/?$/.exec(s) ??
    /^(?:ssh:\/\/)?git@[^:/\s]+[:/]([A-Za-z0-9-]+)\/([A-Za-z0-9._-]+?)(?:\.git)?$/.exec(s) ??
    /^([A-Za-z0-9-]+)\/([A-Za-z0-9._-]+)$/.exec(s);
  return m ? { owner: m[1]!, name: m[2]! } : undefined;
}

function toInfo(d: {
  id: number | bigint;
  name: string;
  owner: { login: string };
  html_url: string;
  clone_url: string;
  default_branch: string;
  private: boolean;
}): RepoInfo {
  return {
    id: Number(d.id),
    owner: d.owner.login,
    name: d.name,
    htmlUrl: d.html_url,
    cloneUrl: d.clone_url,
    defaultBranch: d.default_branch,
    private: d.private,
  };
}

/** GET /repos/{owner}/{repo}; undefined when it does not exist (or the token cannot see it). */
export async function getRepo(octokit: Octokit, owner: string, name: string): Promise<RepoInfo | undefined> {
  try {
    const res = await octokit.request('GET /repos/{owner}/{repo}', { owner, repo: name });
    return toInfo(res.data);
  } catch (e) {
    if (httpStatus(e) === 404) return undefined;
    throw toTaskError(e, `looking up repository ${owner}/${name}`);
  }
}

/** Whether `owner` is an organization or a user; a TaskError when it does not exist. */
export async function ownerType(octokit: Octokit, owner: string): Promise<'Organization' | 'User'> {
  try {
    const res = await octokit.request('GET /users/{username}', { username: owner });
    return res.data.type === 'Organization' ? 'Organization' : 'User';
  } catch (e) {
    throw toTaskError(
      e,
      `looking up owner ${owner}`,
      `organization ${owner} not found or not accessible`,
    );
  }
}

/** What {@link createRepo} needs. */
export interface CreateRepoInput {
  owner: string;
  /** True: POST /orgs/{org}/repos; false: POST /user/repos (owner is the token's user). */
  isOrg: boolean;
  name: string;
  visibility: 'private' | 'public';
  description?: string;
}

/**
 * Creates the repository with an initial commit (`auto_init`): GitHub's Git Data API refuses to
 * write to an empty repository (409 "Git Repository is empty."), so the first pushed tree is
 * committed as a root commit and force-replaces that initial commit.
 */
export async function createRepo(
  octokit: Octokit,
  input: CreateRepoInput,
  /** Called when GitHub definitely did not create it (a 4xx answer), before the error is thrown. */
  onRefused?: () => Promise<void>,
): Promise<RepoInfo> {
  const body = {
    name: input.name,
    private: input.visibility === 'private',
    auto_init: true,
    ...(input.description !== undefined ? { description: input.description } : {}),
  };
  const full = `${input.owner}/${input.name}`;
  try {
    const res = input.isOrg
      ? await octokit.request('POST /orgs/{org}/repos', { org: input.owner, ...body })
      : await octokit.request('POST /user/repos', body);
    return toInfo(res.data);
  } catch (e) {
    const status = httpStatus(e);
    if (status !== undefined && status >= 400 && status < 500) await onRefused?.();
    if (status === 422 && /already exists/i.test(githubMessage(e))) {
      throw new TaskError(
        `repository ${full} already exists; use mode: existing to bring it or choose another name`,
        undefined,
        true,
      );
    }
    if (status === 404 && input.isOrg) {
      throw new TaskError(`organization ${input.owner} not found or not accessible`, 'check the org name and that the token is a member of it', true);
    }
    throw toTaskError(e, `creating repository ${full}`);
  }
}

/** PATCH /repos/{owner}/{repo} default_branch. */
export async function setDefaultBranch(octokit: Octokit, owner: string, name: string, branch: string): Promise<void> {
  try {
    await octokit.request('PATCH /repos/{owner}/{repo}', { owner, repo: name, default_branch: branch });
  } catch (e) {
    throw toTaskError(e, `setting the default branch of ${owner}/${name} to ${branch}`);
  }
}

/** DELETE /repos/{owner}/{repo}; true when deleted, false when it was already gone. */
export async function deleteRepo(octokit: Octokit, owner: string, name: string): Promise<boolean> {
  try {
    await octokit.request('DELETE /repos/{owner}/{repo}', { owner, repo: name });
    return true;
  } catch (e) {
    const status = httpStatus(e);
    if (status === 404) return false;
    if (status === 403) {
      throw new TaskError(
        `deleting repository ${owner}/${name} was refused (403: ${githubMessage(e) || 'Forbidden'})`,
        'deleting a repository needs the delete_repo scope: run `gh auth refresh -s delete_repo` (or use a token with it) and run `bootstrap undo` again',
        true,
      );
    }
    throw toTaskError(e, `deleting repository ${owner}/${name}`);
  }
}
