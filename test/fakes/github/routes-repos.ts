/**
 * Account, repository, Actions secret and label endpoints of the fake GitHub.
 */
import { rm } from 'node:fs/promises';
import { lsTree, resolveRef } from './git.js';
import { errorBody, labelJson, repoJson, repoKey, userJson, type FakeRepo } from './model.js';
import { json, notFound, validationFailed, type Core, type Req, type Res, type Route } from './core.js';

const REPO_NAME = /^[A-Za-z0-9._-]{1,100}$/;

async function repoSize(core: Core, r: FakeRepo): Promise<number> {
  if (await core.isEmpty(r)) return 0;
  const head = await resolveRef(r.dir, `refs/heads/${r.defaultBranch}`);
  if (!head) return 1;
  const entries = await lsTree(r.dir, head, true);
  return Math.max(1, Math.ceil(entries.reduce((n, e) => n + (e.size ?? 0), 0) / 1024));
}

async function repoResponse(core: Core, r: FakeRepo, login: string, status = 200): Promise<Res> {
  return json(status, repoJson(core.base, r, await repoSize(core, r), core.isAdmin(r.owner, login)));
}

/** The repository named by the path, or a 404 response. */
function withRepo(req: Req, core: Core, f: (r: FakeRepo) => Promise<Res>): Promise<Res> {
  const r = core.findRepo(req.params.owner!, req.params.repo!, req.auth.account.login);
  return r ? f(r) : Promise.resolve(notFound());
}

/** A repository the caller must administer (404 when invisible, 403 when read-only). */
function withAdminRepo(req: Req, core: Core, f: (r: FakeRepo) => Promise<Res>): Promise<Res> {
  return withRepo(req, core, (r) =>
    core.isAdmin(r.owner, req.auth.account.login) ? f(r) : Promise.resolve(json(403, errorBody('Resource not accessible by personal access token', 403))),
  );
}

async function create(req: Req, core: Core, ownerLogin: string): Promise<Res> {
  const owner = core.account(ownerLogin);
  if (!owner) return notFound();
  if (!core.isAdmin(owner, req.auth.account.login)) {
    return json(403, errorBody('You need admin access to the organization before adding a repository to it.', 403));
  }
  const b = req.body ?? {};
  if (typeof b.name !== 'string' || !REPO_NAME.test(b.name)) {
    return validationFailed('Repository creation failed.', [{ resource: 'Repository', code: 'custom', field: 'name', message: 'name is invalid' }]);
  }
  if (core.state.repos.has(repoKey(owner.login, b.name))) {
    return validationFailed('Repository creation failed.', [
      { resource: 'Repository', code: 'custom', field: 'name', message: 'name already exists on this account' },
    ]);
  }
  const r = await core.createRepo(owner, b.name, {
    private: b.private === true || b.visibility === 'private',
    description: typeof b.description === 'string' ? b.description : null,
    autoInit: b.auto_init === true,
    author: req.auth.account,
  });
  return repoResponse(core, r, req.auth.account.login, 201);
}

const REPO_BODY = ['name', 'description', 'private', 'visibility', 'auto_init'] as const;

export const repoRoutes: Route[] = [
  {
    method: 'GET',
    template: '/user',
    async handle(req, core) {
      const mine = [...core.state.repos.values()].filter((r) => r.owner === req.auth.account && r.private).length;
      return json(200, userJson(core.base, req.auth.account, mine, true));
    },
  },
  {
    method: 'GET',
    template: '/users/{username}',
    async handle(req, core) {
      const a = core.account(req.params.username!);
      return a ? json(200, userJson(core.base, a, 0)) : notFound();
    },
  },
  {
    method: 'POST',
    template: '/user/repos',
    bodyKeys: REPO_BODY,
    handle: (req, core) => create(req, core, req.auth.account.login),
  },
  {
    method: 'POST',
    template: '/orgs/{org}/repos',
    bodyKeys: REPO_BODY,
    async handle(req, core) {
      const org = core.account(req.params.org!);
      if (!org || org.type !== 'Organization') return notFound();
      return create(req, core, org.login);
    },
  },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}',
    handle: (req, core) => withRepo(req, core, (r) => repoResponse(core, r, req.auth.account.login)),
  },
  {
    method: 'PATCH',
    template: '/repos/{owner}/{repo}',
    bodyKeys: ['default_branch', 'description'],
    handle: (req, core) =>
      withAdminRepo(req, core, async (r) => {
        const b = req.body ?? {};
        if (b.default_branch !== undefined) {
          if (typeof b.default_branch !== 'string' || !(await resolveRef(r.dir, `refs/heads/${b.default_branch}`))) {
            return validationFailed('Validation Failed', [{ resource: 'Repository', code: 'invalid', field: 'default_branch' }]);
          }
          r.defaultBranch = b.default_branch;
        }
        if (typeof b.description === 'string') r.description = b.description;
        r.updatedAt = core.nowIso();
        return repoResponse(core, r, req.auth.account.login);
      }),
  },
  {
    method: 'DELETE',
    template: '/repos/{owner}/{repo}',
    handle: (req, core) =>
      withRepo(req, core, async (r) => {
        const scopes = req.auth.token.scopes;
        if (!core.isAdmin(r.owner, req.auth.account.login) || (scopes !== null && !scopes.includes('delete_repo'))) {
          return json(403, { message: 'Must have admin rights to Repository.', documentation_url: 'https://docs.github.com/rest/repos/repos#delete-a-repository' });
        }
        core.state.repos.delete(repoKey(r.owner.login, r.name));
        await rm(r.dir, { recursive: true, force: true });
        return json(204);
      }),
  },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/actions/secrets/public-key',
    handle: (req, core) =>
      withAdminRepo(req, core, async (r) => {
        const sodium = (await import('libsodium-wrappers')).default;
        await sodium.ready;
        return json(200, { key_id: r.keyId, key: sodium.to_base64(r.publicKey, sodium.base64_variants.ORIGINAL) });
      }),
  },
  {
    method: 'PUT',
    template: '/repos/{owner}/{repo}/actions/secrets/{secret_name}',
    bodyKeys: ['encrypted_value', 'key_id'],
    handle: (req, core) =>
      withAdminRepo(req, core, async (r) => {
        const { encrypted_value, key_id } = req.body ?? {};
        const name = req.params.secret_name!.toUpperCase();
        if (key_id !== r.keyId) return validationFailed('Validation Failed', [{ resource: 'Secret', code: 'invalid', field: 'key_id' }]);
        const sodium = (await import('libsodium-wrappers')).default;
        await sodium.ready;
        try {
          sodium.crypto_box_seal_open(sodium.from_base64(encrypted_value, sodium.base64_variants.ORIGINAL), r.publicKey, r.privateKey);
        } catch {
          return json(400, errorBody('Bad request - encrypted_value could not be decrypted', 400));
        }
        const now = core.nowIso();
        const prev = r.secrets.get(name);
        r.secrets.set(name, { encrypted_value, key_id, created_at: prev?.created_at ?? now, updated_at: now });
        return prev ? json(204) : json(201, {});
      }),
  },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/actions/secrets/{secret_name}',
    handle: (req, core) =>
      withAdminRepo(req, core, async (r) => {
        const name = req.params.secret_name!.toUpperCase();
        const s = r.secrets.get(name);
        return s ? json(200, { name, created_at: s.created_at, updated_at: s.updated_at }) : notFound();
      }),
  },
  {
    method: 'POST',
    template: '/repos/{owner}/{repo}/labels',
    bodyKeys: ['name', 'color', 'description'],
    handle: (req, core) =>
      withAdminRepo(req, core, async (r) => {
        const { name, color, description } = req.body ?? {};
        if (typeof name !== 'string' || !name) return validationFailed('Validation Failed', [{ resource: 'Label', code: 'missing_field', field: 'name' }]);
        if (color !== undefined && !/^[0-9a-fA-F]{6}$/.test(String(color))) {
          return validationFailed('Validation Failed', [{ resource: 'Label', code: 'invalid', field: 'color' }]);
        }
        if (r.labels.has(name.toLowerCase())) {
          return validationFailed('Validation Failed', [{ resource: 'Label', code: 'already_exists', field: 'name' }]);
        }
        const l = { id: core.nextId(), name, color: String(color ?? 'ededed').toLowerCase(), description: typeof description === 'string' ? description : null };
        r.labels.set(name.toLowerCase(), l);
        return json(201, labelJson(core.base, r, l));
      }),
  },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/labels/{name}',
    handle: (req, core) =>
      withRepo(req, core, async (r) => {
        const l = r.labels.get(req.params.name!.toLowerCase());
        return l ? json(200, labelJson(core.base, r, l)) : notFound();
      }),
  },
];

export { withRepo, withAdminRepo };
