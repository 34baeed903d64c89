/**
 * The Octokit client the github-repo kind talks through: token from the task's environment
 * (registered as a secret at once), base URL for github.com, GHES or a test server, the
 * context's fetch and abort signal, a logger that goes to the task log at debug level, and a
 * request hook that waits out secondary rate limits.
 */
import type { Octokit } from '@octokit/rest';
import { TaskError, type TaskContext } from '../kind.js';
import { httpStatus } from './errors.js';
import { importExternal } from '../../runner/external.js';

export const DEFAULT_API_URL = 'https://api.github.com';

/** How many times a rate-limited request is retried. */
export const RATE_LIMIT_RETRIES = 3;
/** Wait when GitHub gives no hint (its docs: "wait at least one minute"). */
const DEFAULT_RATE_LIMIT_WAIT_MS = 60_000;

/** The token from GITHUB_TOKEN or GH_TOKEN; registered with ctx.secret before anything else. */
export function readToken(ctx: TaskContext): string {
  const token = (ctx.env.GITHUB_TOKEN || ctx.env.GH_TOKEN || '').trim();
  if (token) ctx.secret(token);
  if (!token) {
    throw new TaskError(
      'GITHUB_TOKEN is not set or invalid',
      'export GITHUB_TOKEN (or GH_TOKEN) with a token that has the repo and workflow scopes, e.g. GITHUB_TOKEN=$(gh auth token)',
      true,
    );
  }
  return token;
}

/** The API base URL: `with.apiUrl`, else GITHUB_API_URL, else https://api.github.com. */
export function apiUrl(withApiUrl: string | undefined, ctx: TaskContext): string {
  return (withApiUrl || ctx.env.GITHUB_API_URL || DEFAULT_API_URL).replace(/\/+$/, '');
}

/** Builds an Octokit bound to the context. */
export async function createClient(token: string, baseUrl: string, ctx: TaskContext): Promise<Octokit> {
  const { Octokit } = await importExternal<typeof import('@octokit/rest')>('@octokit/rest');
  const debug = (msg: string) => ctx.log('debug', `github: ${msg}`);
  const octokit = new Octokit({
    auth: token,
    baseUrl,
    userAgent: 'bootstrap-github-repo',
    request: { fetch: ctx.fetch, signal: ctx.signal },
    log: {
      debug: () => {},
      info: (m: string) => debug(m),
      warn: (m: string) => ctx.log('warn', `github: ${m}`),
      error: (m: string) => debug(m),
    },
  });
  octokit.hook.wrap('request', async (request, options) => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await request(options);
      } catch (e) {
        // fetch rejects with the signal's reason (any value): report every abort as an AbortError.
        if (ctx.signal.aborted) throw abortError(ctx.signal, e);
        const wait = rateLimitWait(e, ctx.clock.now());
        if (wait === undefined || attempt >= RATE_LIMIT_RETRIES) throw e;
        const secs = Math.ceil(wait / 1000);
        ctx.progress(
          `GitHub rate limit hit on ${options.method} ${String(options.url)}; waiting ${secs}s (retry ${attempt + 1}/${RATE_LIMIT_RETRIES})`,
        );
        await ctx.clock.sleep(wait, ctx.signal);
      }
    }
  });
  return octokit;
}

function abortError(signal: AbortSignal, cause: unknown): Error {
  if (cause instanceof Error && cause.name === 'AbortError') return cause;
  const e = new Error(typeof signal.reason === 'string' ? signal.reason : 'aborted', { cause });
  e.name = 'AbortError';
  return e;
}

/**
 * How long to wait before retrying, when `e` is a rate-limit response (403 or 429 with
 * `retry-after`, or with `x-ratelimit-remaining: 0`); undefined for any other error.
 */
export function rateLimitWait(e: unknown, nowMs: number): number | undefined {
  const status = httpStatus(e);
  if (status !== 403 && status !== 429) return undefined;
  const headers = ((e as { response?: { headers?: Record<string, string | undefined> } }).response?.headers ??
    {}) as Record<string, string | undefined>;
  const retryAfter = headers['retry-after'];
  if (retryAfter !== undefined && /^\d+$/.test(retryAfter.trim())) return Number(retryAfter) * 1000;
  if (headers['x-ratelimit-remaining'] === '0') {
    const reset = Number(headers['x-ratelimit-reset']);
    if (Number.isFinite(reset) && reset > 0) return Math.max(1000, reset * 1000 - nowMs + 1000);
    return DEFAULT_RATE_LIMIT_WAIT_MS;
  }
  if (status === 429) return DEFAULT_RATE_LIMIT_WAIT_MS;
  const message = String((e as { response?: { data?: { message?: unknown } } }).response?.data?.message ?? '');
  if (/secondary rate limit|abuse detection/i.test(message)) return DEFAULT_RATE_LIMIT_WAIT_MS;
  return undefined;
}
