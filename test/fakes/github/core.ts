/**
 * What route handlers share: the state, URL base, clock, and helpers for visibility and for
 * creating repositories (with a real bare git repository and a libsodium key pair each).
 */
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomInt } from 'node:crypto';
import { commitTree, initBare, updateRef, buildTree, writeBlob, listRefs } from './git.js';
import { errorBody, repoKey, type Account, type FakeRepo, type FakeState, type TokenInfo } from './model.js';

export interface Req {
  method: string;
  params: Record<string, string>;
  query: URLSearchParams;
  body: any;
  auth: { account: Account; token: TokenInfo };
}

export interface Res {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface Route {
  method: string;
  /** The OpenAPI path template; responses are validated against it. */
  template: string;
  /** Body fields the fake implements; any other field is reported as a violation. */
  bodyKeys?: readonly string[];
  /** Parameters that may contain `/` (refs). */
  greedy?: readonly string[];
  handle(req: Req, core: Core): Promise<Res>;
}

export const json = (status: number, body?: unknown, headers?: Record<string, string>): Res => ({ status, body, headers });
export const notFound = (): Res => json(404, errorBody('Not Found', 404));
export const validationFailed = (message: string, errors?: Array<Record<string, unknown>>): Res =>
  json(422, errorBody(message, 422, errors));
export const emptyRepo = (): Res => json(409, errorBody('Git Repository is empty.', 409));

export class Core {
  readonly state: FakeState = { accounts: new Map(), tokens: new Map(), repos: new Map(), nextId: 1000 };

  constructor(
    public base: string,
    private readonly root: string,
  ) {}

  nowIso(): string {
    return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  }

  nextId(): number {
    return this.state.nextId++;
  }

  addAccount(login: string, type: Account['type'], defaultBranch = 'main', members: string[] = []): Account {
    const a: Account = { login, id: this.nextId(), type, members: new Set(members.map((m) => m.toLowerCase())), defaultBranch, createdAt: this.nowIso() };
    this.state.accounts.set(login.toLowerCase(), a);
    return a;
  }

  account(login: string): Account | undefined {
    return this.state.accounts.get(login.toLowerCase());
  }

  /** Whether `login` administers repositories of `owner` (itself, or a member of the org). */
  isAdmin(owner: Account, login: string): boolean {
    return owner.login.toLowerCase() === login.toLowerCase() || (owner.type === 'Organization' && owner.members.has(login.toLowerCase()));
  }

  /** The repository if it exists and `login` can see it (public, or admin of a private one). */
  findRepo(owner: string, name: string, login: string): FakeRepo | undefined {
    const r = this.state.repos.get(repoKey(owner, name));
    if (!r) return undefined;
    return !r.private || this.isAdmin(r.owner, login) ? r : undefined;
  }

  async isEmpty(r: FakeRepo): Promise<boolean> {
    return (await listRefs(r.dir)).length === 0;
  }

  async createRepo(owner: Account, name: string, opts: { private: boolean; description?: string | null; autoInit: boolean; author: Account }): Promise<FakeRepo> {
    const sodium = (await import('libsodium-wrappers')).default;
    await sodium.ready;
    const kp = sodium.crypto_box_keypair();
    const dir = await mkdtemp(path.join(this.root, `${owner.login}-${name}-`));
    await initBare(dir);
    const now = this.nowIso();
    const r: FakeRepo = {
      id: this.nextId(),
      owner,
      name,
      private: opts.private,
      description: opts.description ?? null,
      dir,
      defaultBranch: owner.defaultBranch,
      createdAt: now,
      updatedAt: now,
      pushedAt: now,
      keyId: String(randomInt(1e9, 9e9)) + String(randomInt(1e9, 9e9)),
      publicKey: kp.publicKey,
      privateKey: kp.privateKey,
      secrets: new Map(),
      labels: new Map(),
    };
    this.state.repos.set(repoKey(owner.login, name), r);
    if (opts.autoInit) {
      const readme = `# ${name}\n${opts.description ? `\n${opts.description}\n` : ''}`;
      const blob = await writeBlob(dir, Buffer.from(readme));
      const tree = await buildTree(dir, [{ path: 'README.md', mode: '100644', type: 'blob', sha: blob }]);
      const ident = this.identity(opts.author);
      const commit = await commitTree(dir, tree, [], 'Initial commit\n', ident, ident);
      await updateRef(dir, `refs/heads/${r.defaultBranch}`, commit);
    }
    return r;
  }

  identity(a: Account, date = this.nowIso()) {
    return { name: a.login, email: `${a.id}+${a.login}@users.noreply.github.com`, date };
  }

  repoApi(r: FakeRepo): string {
    return `${this.base}/repos/${r.owner.login}/${r.name}`;
  }

  /** A temp directory for fake repositories. */
  static async tempRoot(): Promise<string> {
    return mkdtemp(path.join(os.tmpdir(), 'fake-github-'));
  }
}
