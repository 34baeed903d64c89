/**
 * Token check: who the token belongs to, and whether a classic token has the OAuth scopes the
 * playbook needs (named in the error). Fine-grained and app tokens carry no `x-oauth-scopes`
 * header; their permissions are only known when a call is refused, so a warning is logged.
 */
import type { Octokit } from '@octokit/rest';
import { TaskError, type TaskContext } from '../kind.js';
import { httpStatus, toTaskError } from './errors.js';

/** Scopes a granted scope implies (GitHub's scope hierarchy). */
const IMPLIED: Record<string, readonly string[]> = {
  repo: ['public_repo', 'repo:status', 'repo_deployment', 'repo:invite', 'security_events'],
  'admin:org': ['write:org', 'read:org', 'manage_runners:org'],
  'write:org': ['read:org'],
  'admin:repo_hook': ['write:repo_hook', 'read:repo_hook'],
  'write:repo_hook': ['read:repo_hook'],
  user: ['read:user', 'user:email', 'user:follow'],
  'admin:public_key': ['write:public_key', 'read:public_key'],
  'write:public_key': ['read:public_key'],
  'write:packages': ['read:packages'],
};

/** The required scopes not covered by the granted ones (comma-separated header value). */
export function missingScopes(granted: string, required: readonly string[]): string[] {
  const have = new Set<string>();
  const add = (s: string) => {
    if (have.has(s)) return;
    have.add(s);
    for (const i of IMPLIED[s] ?? []) add(i);
  };
  for (const s of granted.split(',').map((x) => x.trim()).filter(Boolean)) add(s);
  return required.filter((s) => !have.has(s));
}

/** Result of {@link checkToken}. */
export interface TokenInfo {
  login: string;
  /** Granted scopes, or undefined for tokens without the header (fine-grained, apps). */
  scopes?: string[];
}

/** GET /user with the token; fails with a TaskError on a bad token or missing scopes. */
export async function checkToken(octokit: Octokit, requiredScopes: readonly string[], ctx: TaskContext): Promise<TokenInfo> {
  let res;
  try {
    res = await octokit.request('GET /user');
  } catch (e) {
    if (httpStatus(e) === 401) {
      throw new TaskError(
        `GITHUB_TOKEN is not set or invalid: GitHub answered 401 (Bad credentials) to GET /user`,
        'create a token with the repo and workflow scopes (or run `gh auth refresh -s repo,workflow`) and export it as GITHUB_TOKEN',
        true,
      );
    }
    throw toTaskError(e, 'checking the GitHub token');
  }
  const login = res.data.login;
  const header = res.headers['x-oauth-scopes'];
  if (typeof header !== 'string') {
    ctx.log(
      'warn',
      `the token of ${login} reports no OAuth scopes (fine-grained or app token): cannot check for ${requiredScopes.join(', ')} up front`,
    );
    return { login };
  }
  const missing = missingScopes(header, requiredScopes);
  if (missing.length) {
    throw new TaskError(
      `the GitHub token of ${login} is missing the scope${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (it has: ${header.trim() || 'none'})`,
      `refresh it with \`gh auth refresh -s ${missing.join(',')}\` or create a token with ${requiredScopes.join(', ')}`,
      true,
    );
  }
  return { login, scopes: header.split(',').map((s) => s.trim()).filter(Boolean) };
}
