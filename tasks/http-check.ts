/**
 * `http-check`: the health check of a service over HTTP (seed "Health State"). A GET is
 * retried up to `attempts` times with doubling backoff; the outcome is one of the seed's
 * states:
 *
 * - `UNKNOWN`: not checked (the task did not finish);
 * - `HEALTHY`: answered with an expected status (and header) within `degradedAfterMs`;
 * - `DEGRADED`: answered correctly but slower than `degradedAfterMs`;
 * - `UNHEALTHY`: refused, timed out, wrong status or missing header on every attempt.
 *
 * The task succeeds on HEALTHY and DEGRADED (a warning, unless `failOnDegraded`) and fails on
 * UNHEALTHY with the last error. An answer without the expected header means another program
 * answers on that port, and the error says so.
 *
 * ```yaml
 * registry-health:
 *   uses: http-check
 *   with:
 *     url: http://localhost:5000/v2/
 *     expectHeader: { Docker-Distribution-API-Version: registry/2.0 }
 * ```
 */
import { TaskError, type TaskContext, type TaskKind } from './kind.js';
import { durationSchema, parseDuration } from './lib/duration.js';
import { describeFetchError, hostPort } from './lib/fetch-error.js';
import { timeoutSignal } from './lib/timeout-signal.js';

/** The seed's health states. */
export type HealthState = 'UNKNOWN' | 'HEALTHY' | 'DEGRADED' | 'UNHEALTHY';

/** `with` of `http-check`. */
export interface HttpCheckWith {
  url: string;
  /** Default [200, 401]. */
  expectStatus?: number[];
  /** Headers the answer must carry, name -> exact value. */
  expectHeader?: Record<string, string>;
  /** Per-attempt timeout, ms or a duration string. Default 5s. */
  timeout?: number | string;
  /** Default 3. */
  attempts?: number;
  /** Delay before the 2nd attempt (doubling after), ms or a duration string. Default 1000. */
  backoff?: number | string;
  /** Default 1000. */
  degradedAfterMs?: number;
  /** Default false. */
  failOnDegraded?: boolean;
}

const schema = {
  type: 'object',
  additionalProperties: false,
  required: ['url'],
  description: 'An HTTP health check with retries, reporting HEALTHY, DEGRADED or UNHEALTHY.',
  properties: {
    url: { type: 'string', pattern: '^(https?://|\\$\\{\\{)', description: 'URL to GET, e.g. http://localhost:5000/v2/.' },
    expectStatus: {
      type: 'array',
      items: { type: 'integer', minimum: 100, maximum: 599 },
      minItems: 1,
      description: 'HTTP statuses that mean the service is up. Default [200, 401] (a registry asking for credentials is running).',
    },
    expectHeader: {
      type: 'object',
      additionalProperties: { type: 'string' },
      description: 'Headers the answer must carry (name: exact value), e.g. {Docker-Distribution-API-Version: registry/2.0}. A missing or different header means another program answers. Default: none.',
    },
    timeout: { ...durationSchema, description: 'Timeout of each attempt (ms or "5s"). Default 5s.' },
    attempts: { type: 'integer', minimum: 1, maximum: 100, description: 'Attempts before the service is UNHEALTHY. Default 3.' },
    backoff: { ...durationSchema, description: 'Delay before the second attempt, doubling after each (ms or "1s"). Default 1000 ms.' },
    degradedAfterMs: {
      type: 'number',
      minimum: 0,
      description: 'Latency above which a correct answer is DEGRADED instead of HEALTHY. Default 1000.',
    },
    failOnDegraded: { type: 'boolean', description: 'Fail the task when the service is DEGRADED (default false: succeed with a warning).' },
  },
} as const;

const DEFAULTS = { expectStatus: [200, 401], timeoutMs: 5000, attempts: 3, backoffMs: 1000, degradedAfterMs: 1000 };

/** The result of one GET. */
export interface ProbeResult {
  /** The answer has an expected status and headers. */
  ok: boolean;
  statusCode?: number;
  latencyMs?: number;
  error?: string;
  hint?: string;
}

/** Options of {@link probeHttp}. */
export interface ProbeOptions {
  expectStatus: number[];
  expectHeader: Record<string, string>;
  timeoutMs: number;
}

/**
 * One GET of `url`. Never throws for HTTP or network failures (they are in `error`); rethrows
 * when `ctx.signal` fired (interrupt, task timeout).
 */
export async function probeHttp(url: string, opts: ProbeOptions, ctx: TaskContext): Promise<ProbeResult> {
  const target = hostPort(new URL(url));
  const t = timeoutSignal(ctx.signal, opts.timeoutMs);
  const started = ctx.clock.now();
  try {
    const res = await ctx.fetch(url, { method: 'GET', signal: t.signal, redirect: 'manual', headers: { 'User-Agent': 'bootstrap-http-check' } });
    const latencyMs = Math.max(0, Math.round(ctx.clock.now() - started));
    await res.body?.cancel().catch(() => {});
    const statusCode = res.status;
    for (const [name, want] of Object.entries(opts.expectHeader)) {
      const got = res.headers.get(name);
      if (got === null || got.trim() !== want) {
        const what = got === null ? `without the header ${name}: ${want}` : `with ${name}: ${got} instead of ${want}`;
        return {
          ok: false,
          statusCode,
          latencyMs,
          error: `${target} answered HTTP ${statusCode} ${what}: another program answers on this port`,
          hint: `stop the program listening on ${target}, or use another port`,
        };
      }
    }
    if (!opts.expectStatus.includes(statusCode)) {
      return {
        ok: false,
        statusCode,
        latencyMs,
        error: `${url} answered HTTP ${statusCode} (expected ${listOr(opts.expectStatus)})`,
        hint: 'look at the service logs',
      };
    }
    return { ok: true, statusCode, latencyMs };
  } catch (e) {
    if (ctx.signal.aborted) throw e;
    if (t.timedOut()) {
      return {
        ok: false,
        error: `no answer from ${target} within ${opts.timeoutMs}ms`,
        hint: 'the port accepts connections but the service does not answer: is it starting, or stuck?',
      };
    }
    const error = describeFetchError(e, target);
    return { ok: false, error, hint: error.startsWith('connection refused') ? `nothing listens on ${target}: is the service running?` : undefined };
  } finally {
    t.dispose();
  }
}

/** GETs a URL with retries and reports the seed's health state. */
export const httpCheckKind: TaskKind<HttpCheckWith> = {
  name: 'http-check',
  description: 'Check that an HTTP service answers (HEALTHY, DEGRADED when slow, UNHEALTHY after retries)',
  schema,
  outputs: {
    status: { description: 'HEALTHY or DEGRADED (the task fails when UNHEALTHY).' },
    health: { description: 'Same as status (the seed names it health).' },
    statusCode: { description: 'HTTP status of the answer, e.g. 200.' },
    latencyMs: { description: 'Time to the answer headers, in milliseconds.' },
    attempts: { description: 'Number of attempts made.' },
    checkedAt: { description: 'When the answer came (ISO 8601).' },
    error: { description: 'Why the state is not HEALTHY (for DEGRADED: the latency); absent when HEALTHY.' },
  },

  validate(w) {
    const url = (w as Partial<HttpCheckWith> | null)?.url;
    if (typeof url !== 'string' || url.includes('${{')) return [];
    try {
      new URL(url);
      return [];
    } catch {
      return [{ path: ['url'], message: `"${url}" is not a valid URL` }];
    }
  },

  async run(w, ctx) {
    const opts: ProbeOptions = {
      expectStatus: w.expectStatus ?? DEFAULTS.expectStatus,
      expectHeader: w.expectHeader ?? {},
      timeoutMs: w.timeout === undefined ? DEFAULTS.timeoutMs : parseDuration(w.timeout),
    };
    const attempts = w.attempts ?? DEFAULTS.attempts;
    const backoffMs = w.backoff === undefined ? DEFAULTS.backoffMs : parseDuration(w.backoff);
    const degradedAfterMs = w.degradedAfterMs ?? DEFAULTS.degradedAfterMs;

    let last: ProbeResult = { ok: false, error: 'not checked' };
    for (let i = 1; i <= attempts; i++) {
      ctx.progress(`GET ${w.url} (attempt ${i}/${attempts})`);
      last = await probeHttp(w.url, opts, ctx);
      const checkedAt = new Date(ctx.clock.now()).toISOString();
      if (last.ok) {
        const latencyMs = last.latencyMs ?? 0;
        const status: HealthState = latencyMs > degradedAfterMs ? 'DEGRADED' : 'HEALTHY';
        const outputs: Record<string, unknown> = { status, health: status, statusCode: last.statusCode, latencyMs, attempts: i, checkedAt };
        if (status === 'DEGRADED') {
          const why = `${w.url} answered in ${latencyMs}ms (more than ${degradedAfterMs}ms)`;
          outputs.error = why;
          if (w.failOnDegraded) throw new TaskError(`service is DEGRADED: ${why}`, 'the service is slow: look at its load and logs');
          ctx.log('warn', `DEGRADED: ${why}`);
        }
        return { outputs, summary: `${status}: HTTP ${last.statusCode} in ${latencyMs}ms` };
      }
      ctx.log(i < attempts ? 'info' : 'warn', `attempt ${i}/${attempts}: ${last.error}`);
      if (i < attempts) {
        const delay = backoffMs * 2 ** (i - 1);
        ctx.progress(`${last.error}; retrying in ${delay}ms (attempt ${i + 1}/${attempts} next)`);
        await ctx.clock.sleep(delay, ctx.signal);
      }
    }
    throw new TaskError(`UNHEALTHY after ${attempts} attempt${attempts > 1 ? 's' : ''}: ${last.error}`, last.hint);
  },
};

function listOr(xs: number[]): string {
  return xs.length > 1 ? `${xs.slice(0, -1).join(', ')} or ${xs[xs.length - 1]}` : String(xs[0]);
}
