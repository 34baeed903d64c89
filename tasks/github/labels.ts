/** Issue/PR labels: created when missing, left alone when present. */
import type { Octokit } from '@octokit/rest';
import { githubMessage, httpStatus, toTaskError } from './errors.js';

/** A label to ensure. `color` is 6 hex digits without `#`. */
export interface LabelSpec {
  name: string;
  color?: string;
  description?: string;
}

/** Creates each label; an `already_exists` 422 means it is there and is fine. Returns the names created. */
export async function ensureLabels(octokit: Octokit, owner: string, repo: string, labels: readonly LabelSpec[]): Promise<string[]> {
  const created: string[] = [];
  for (const l of labels) {
    try {
      await octokit.request('POST /repos/{owner}/{repo}/labels', {
        owner,
        repo,
        name: l.name,
        color: (l.color ?? 'ededed').replace(/^#/, ''),
        ...(l.description !== undefined ? { description: l.description } : {}),
      });
      created.push(l.name);
    } catch (e) {
      if (httpStatus(e) === 422 && isAlreadyExists(e)) continue;
      throw toTaskError(e, `creating label ${l.name} on ${owner}/${repo}`);
    }
  }
  return created;
}

function isAlreadyExists(e: unknown): boolean {
  const errors = (e as { response?: { data?: { errors?: Array<{ code?: string }> } } }).response?.data?.errors;
  return (Array.isArray(errors) && errors.some((x) => x?.code === 'already_exists')) || /already exists/i.test(githubMessage(e));
}

/** Labels of `labels` that do not exist on the repository. */
export async function missingLabels(octokit: Octokit, owner: string, repo: string, labels: readonly LabelSpec[]): Promise<string[]> {
  const missing: string[] = [];
  for (const l of labels) {
    try {
      await octokit.request('GET /repos/{owner}/{repo}/labels/{name}', { owner, repo, name: l.name });
    } catch (e) {
      if (httpStatus(e) === 404) missing.push(l.name);
      else throw toTaskError(e, `reading label ${l.name} of ${owner}/${repo}`);
    }
  }
  return missing;
}
