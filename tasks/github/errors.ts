/**
 * Turning GitHub API failures into {@link TaskError}s with a message for the user and a hint.
 * Messages are built from the HTTP status and GitHub's own `message`/`errors` fields only:
 * never from the request (whose headers carry the token).
 */
import { TaskError } from '../kind.js';

/** The HTTP status of an Octokit RequestError, or undefined for anything else. */
export function httpStatus(e: unknown): number | undefined {
  if (typeof e !== 'object' || e === null) return undefined;
  const s = (e as { status?: unknown }).status;
  const hasResponse = (e as { response?: unknown }).response !== undefined;
  return typeof s === 'number' && hasResponse ? s : undefined;
}

/** GitHub's `message` (plus the messages of its `errors` entries) from an error response. */
export function githubMessage(e: unknown): string {
  const data = (e as { response?: { data?: unknown } }).response?.data;
  if (typeof data === 'string') return data.slice(0, 300);
  if (typeof data !== 'object' || data === null) return '';
  const d = data as { message?: unknown; errors?: unknown };
  let msg = typeof d.message === 'string' ? d.message : '';
  if (Array.isArray(d.errors)) {
    const details = d.errors
      .map((x) => (typeof x === 'string' ? x : typeof x?.message === 'string' ? x.message : typeof x?.code === 'string' ? `${x.field ?? ''} ${x.code}`.trim() : ''))
      .filter(Boolean);
    if (details.length) msg += ` (${details.join('; ')})`;
  }
  return msg;
}

/** True when the error is an abort (interrupt or timeout): it must propagate unchanged. */
export function isAbort(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { name?: unknown }).name === 'AbortError';
}

/**
 * A TaskError for a failed GitHub call. `what` says what was being done ("creating repository
 * o/n"); `notFound` replaces the generic 404 message when the caller knows what is missing.
 * TaskErrors and aborts are returned unchanged.
 */
export function toTaskError(e: unknown, what: string, notFound?: string): Error {
  if (e instanceof TaskError || isAbort(e)) return e as Error;
  const status = httpStatus(e);
  const gh = githubMessage(e);
  const detail = gh ? `: ${gh}` : '';
  switch (status) {
    case undefined: {
      const cause = (e as { message?: unknown })?.message;
      return new TaskError(
        `${what} failed: cannot reach the GitHub API${typeof cause === 'string' ? ` (${cause})` : ''}`,
        'check the network and the API URL (with.apiUrl or GITHUB_API_URL)',
      );
    }
    case 401:
      return new TaskError(
        `GITHUB_TOKEN is not set or invalid: GitHub answered 401${detail} while ${what}`,
        'create a new token (or run `gh auth refresh`) and export it as GITHUB_TOKEN',
        true,
      );
    case 403:
      return new TaskError(
        `${what} was refused (403${detail})`,
        'the token lacks a scope or permission for this: a classic token needs the repo and workflow scopes ' +
          '(delete_repo to delete); a fine-grained token needs Administration, Contents, Secrets and Issues (read and write) on the repository',
        true,
      );
    case 404:
      return new TaskError(notFound ?? `${what} failed: not found (404${detail})`, 'check the owner and name, and that the token can see them', true);
    case 409:
      return new TaskError(`${what} failed: conflict (409${detail})`);
    case 422:
      return new TaskError(`${what} failed: GitHub rejected the request (422${detail})`, undefined, true);
    default:
      return new TaskError(`${what} failed: GitHub answered ${status}${detail}`, status >= 500 ? 'GitHub may be having trouble; run again later (--resume)' : undefined);
  }
}
