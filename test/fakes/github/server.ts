/**
 * A local HTTP server that speaks the subset of GitHub's REST API the github-repo kind uses,
 * backed by real bare git repositories. Every response (and every JSON request body) is checked
 * against GitHub's OpenAPI description; a mismatch is answered with a 500 and recorded, and
 * `stop()` throws it, so a test can never pass on a shape real GitHub would not produce.
 */
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { buildTree, commitTree, resolveRef, updateRef, writeBlob } from './git.js';
import { errorBody, repoKey, type FakeRepo, type FakeState } from './model.js';
import { checkRequestBody, checkResponse } from './openapi.js';
import { Core, json, type Res, type Route } from './core.js';
import { repoRoutes } from './routes-repos.js';
import { gitRoutes } from './routes-git.js';

export interface FakeGitHubOptions {
  /** Login of the token's user (default "octocat"). */
  user?: string;
  /** The token (default: a random ghp_ token). */
  token?: string;
  /** Scopes sent in x-oauth-scopes; null: no header, like a fine-grained token. */
  scopes?: string[] | null;
  /** Organizations; members default to [user]. */
  orgs?: Array<{ login: string; members?: string[]; defaultBranch?: string }>;
  /** Other users that exist. */
  users?: string[];
  /** The branch `auto_init` creates for the token's user (default "main"). */
  defaultBranch?: string;
  /** Check responses against the OpenAPI description (default true). */
  validate?: boolean;
}

/** Failures injected into the next matching requests. */
export interface Behaviour {
  /** Secondary rate limit: the next `count` matching requests get 403 (or 429) + retry-after. */
  rateLimit?: { count: number; status?: 403 | 429; /** Seconds; null: no retry-after header. Default 30. */ retryAfter?: number | null; match?: RegExp; method?: string };
  /** The next `times` (default 1) requests matching method and path get `status`. */
  fail?: { method: string; path: RegExp; status: number; message?: string; times?: number };
}

export interface RequestRecord {
  method: string;
  /** Path and query as requested (percent-encoded). */
  url: string;
  /** Decoded path. */
  path: string;
  status: number;
  body?: unknown;
}

/** Seed content: branch -> path -> file content. */
export type SeedTree = Record<string, Record<string, string | Buffer>>;

export interface FakeGitHub {
  apiUrl: string;
  token: string;
  state: FakeState;
  requests: RequestRecord[];
  /** Responses or requests that did not match the OpenAPI description, or unimplemented calls. */
  violations: string[];
  repoDir(owner: string, name: string): string;
  repo(owner: string, name: string): FakeRepo | undefined;
  setBehaviour(b: Behaviour): void;
  setScopes(scopes: string[] | null): void;
  addToken(token: string, login: string, scopes?: string[] | null): void;
  /** Creates a repository directly (not through the API), optionally with branches. */
  seedRepo(owner: string, name: string, tree?: SeedTree, opts?: { private?: boolean; defaultBranch?: string }): Promise<FakeRepo>;
  /** Stops the server, removes the repositories, and throws if there were violations. */
  stop(): Promise<void>;
}

interface CompiledRoute extends Route {
  regex: RegExp;
  keys: string[];
}

function compileRoute(r: Route): CompiledRoute {
  const keys: string[] = [];
  const src = r.template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{(\w+)\}/g, (_m, k: string) => {
    keys.push(k);
    return r.greedy?.includes(k) ? '(.+)' : '([^/]+)';
  });
  return { ...r, regex: new RegExp(`^${src}$`), keys };
}

const routes = [...repoRoutes, ...gitRoutes].map(compileRoute);

function match(method: string, pathname: string): { route: CompiledRoute; params: Record<string, string> } | undefined {
  // Literal segments win over parameters (public-key before {secret_name}).
  const candidates = routes.filter((r) => r.method === method && r.regex.test(pathname));
  candidates.sort((a, b) => a.keys.length - b.keys.length);
  const route = candidates[0];
  if (!route) return undefined;
  const m = route.regex.exec(pathname)!;
  const params: Record<string, string> = {};
  route.keys.forEach((k, i) => (params[k] = decodeURIComponent(m[i + 1]!)));
  return { route, params };
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export async function startFakeGitHub(opts: FakeGitHubOptions = {}): Promise<FakeGitHub> {
  const root = await Core.tempRoot();
  const core = new Core('http://127.0.0.1', root);
  const login = opts.user ?? 'octocat';
  const token = opts.token ?? `ghp_${randomBytes(18).toString('hex')}`;
  const validate = opts.validate ?? true;
  const me = core.addAccount(login, 'User', opts.defaultBranch ?? 'main');
  for (const u of opts.users ?? []) core.addAccount(u, 'User');
  for (const o of opts.orgs ?? []) core.addAccount(o.login, 'Organization', o.defaultBranch ?? 'main', o.members ?? [login]);
  core.state.tokens.set(token, { login: me.login, scopes: opts.scopes === undefined ? ['repo', 'workflow', 'delete_repo'] : opts.scopes });

  const requests: RequestRecord[] = [];
  const violations: string[] = [];
  let behaviour: Behaviour = {};

  async function dispatch(method: string, url: URL, auth: string | undefined, raw: Buffer): Promise<{ res: Res; template?: string }> {
    const pathname = url.pathname;
    const m = match(method, pathname);
    if (!m) {
      violations.push(`fake GitHub does not implement ${method} ${pathname}`);
      return { res: json(404, errorBody('Not Found', 404)) };
    }
    const template = m.route.template;
    const tok = /^(?:token|bearer)\s+(\S+)$/i.exec(auth ?? '')?.[1];
    if (!tok) return { res: json(401, errorBody('Requires authentication', 401)), template };
    const info = core.state.tokens.get(tok);
    const account = info && core.account(info.login);
    if (!info || !account) return { res: json(401, errorBody('Bad credentials', 401)), template };
    const headers: Record<string, string> = {};
    if (info.scopes !== null) headers['x-oauth-scopes'] = info.scopes.join(', ');

    const rl = behaviour.rateLimit;
    if (rl && rl.count > 0 && (!rl.method || rl.method === method) && (!rl.match || rl.match.test(pathname))) {
      rl.count--;
      const status = rl.status ?? 403;
      const body = errorBody(
        'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID.',
        status,
      );
      body.documentation_url = 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits';
      const retry: Record<string, string> = rl.retryAfter === null ? {} : { 'retry-after': String(rl.retryAfter ?? 30) };
      return { res: json(status, body, { ...headers, ...retry }), template };
    }
    const f = behaviour.fail;
    if (f && (f.times ?? 1) > 0 && f.method === method && f.path.test(pathname)) {
      f.times = (f.times ?? 1) - 1;
      return { res: json(f.status, errorBody(f.message ?? 'Server Error', f.status), headers), template };
    }

    let body: unknown;
    if (raw.length) {
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        return { res: json(400, errorBody('Problems parsing JSON', 400), headers), template };
      }
      if (validate) {
        const problems = checkRequestBody(template, method, body);
        if (problems.length) violations.push(...problems);
      }
      if (m.route.bodyKeys && typeof body === 'object' && body !== null) {
        const extra = Object.keys(body).filter((k) => !m.route.bodyKeys!.includes(k));
        if (extra.length) violations.push(`fake GitHub does not implement ${method} ${template} field(s) ${extra.join(', ')}`);
      }
    }
    const res = await m.route.handle({ method, params: m.params, query: url.searchParams, body, auth: { account, token: info } }, core);
    return { res: { ...res, headers: { ...headers, ...res.headers } }, template };
  }

  const server = http.createServer((req, resp) => {
    void (async () => {
      const method = req.method ?? 'GET';
      const url = new URL(req.url ?? '/', core.base);
      let out: Res;
      let reqBody: unknown;
      try {
        const raw = await readBody(req);
        if (raw.length) reqBody = (() => { try { return JSON.parse(raw.toString()); } catch { return undefined; } })();
        const { res, template } = await dispatch(method, url, req.headers.authorization, raw);
        out = res;
        if (validate && template) {
          const problems = checkResponse(template, method, res.status, res.body);
          if (problems.length) {
            violations.push(...problems);
            out = json(500, errorBody(`fake GitHub response does not match the OpenAPI description: ${problems.join('; ')}`, 500));
          }
        }
      } catch (e) {
        violations.push(`fake GitHub crashed on ${method} ${url.pathname}: ${(e as Error).stack ?? e}`);
        out = json(500, errorBody('fake GitHub crashed', 500));
      }
      requests.push({ method, url: req.url ?? '', path: decodeURIComponent(url.pathname), status: out.status, body: reqBody });
      const headers: Record<string, string> = {
        'x-github-request-id': randomBytes(8).toString('hex').toUpperCase(),
        'x-ratelimit-limit': '5000',
        'x-ratelimit-remaining': '4999',
        'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
        ...out.headers,
      };
      if (out.body === undefined) {
        resp.writeHead(out.status, headers).end();
      } else {
        resp.writeHead(out.status, { ...headers, 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(out.body));
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  core.base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    apiUrl: core.base,
    token,
    state: core.state,
    requests,
    violations,
    repoDir(owner, name) {
      const r = core.state.repos.get(repoKey(owner, name));
      if (!r) throw new Error(`fake GitHub has no repository ${owner}/${name}`);
      return r.dir;
    },
    repo: (owner, name) => core.state.repos.get(repoKey(owner, name)),
    setBehaviour(b) {
      behaviour = b;
    },
    setScopes(scopes) {
      core.state.tokens.get(token)!.scopes = scopes;
    },
    addToken(t, l, scopes = ['repo', 'workflow', 'delete_repo']) {
      core.state.tokens.set(t, { login: l, scopes });
    },
    async seedRepo(owner, name, tree = {}, o = {}) {
      const acct = core.account(owner) ?? core.addAccount(owner, 'User');
      const r = await core.createRepo(acct, name, { private: o.private ?? true, autoInit: false, author: acct });
      for (const [branch, files] of Object.entries(tree)) {
        const entries = [];
        for (const [p, content] of Object.entries(files)) {
          entries.push({ path: p, mode: '100644', type: 'blob', sha: await writeBlob(r.dir, Buffer.from(content)) });
        }
        const t = await buildTree(r.dir, entries);
        const parent = await resolveRef(r.dir, `refs/heads/${branch}`);
        const ident = core.identity(acct);
        const c = await commitTree(r.dir, t, parent ? [parent] : [], `seed ${branch}\n`, ident, ident);
        await updateRef(r.dir, `refs/heads/${branch}`, c);
      }
      r.defaultBranch = o.defaultBranch ?? Object.keys(tree)[0] ?? acct.defaultBranch;
      return r;
    },
    async stop() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await rm(root, { recursive: true, force: true });
      if (violations.length) throw new Error(`fake GitHub violations:\n${violations.join('\n')}`);
    },
  };
}
