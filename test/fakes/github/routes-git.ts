/**
 * Git Data API endpoints of the fake GitHub, implemented with git plumbing on the bare
 * repository (hash-object, mktree, commit-tree, update-ref, cat-file, ls-tree). Like GitHub,
 * every one of them answers 409 "Git Repository is empty." on a repository without commits.
 */
import {
  buildTree,
  commitTree,
  deleteRef,
  isAncestor,
  lsTree,
  objectType,
  readCommit,
  resolveRef,
  resolveTree,
  updateRef,
  writeBlob,
} from './git.js';
import type { FakeRepo } from './model.js';
import { emptyRepo, json, notFound, validationFailed, type Core, type Req, type Res, type Route } from './core.js';
import { withAdminRepo, withRepo } from './routes-repos.js';

const REF_NAME = /^(?!-)(?!.*\.\.)(?!.*\/\/)[A-Za-z0-9._\/-]+(?<![./])$/;

/** Like withRepo/withAdminRepo, plus GitHub's 409 for an empty repository. */
function gitRepo(req: Req, core: Core, write: boolean, f: (r: FakeRepo) => Promise<Res>): Promise<Res> {
  return (write ? withAdminRepo : withRepo)(req, core, async (r) => ((await core.isEmpty(r)) ? emptyRepo() : f(r)));
}

function refJson(core: Core, r: FakeRepo, ref: string, sha: string, type = 'commit') {
  const api = core.repoApi(r);
  return {
    ref,
    node_id: Buffer.from(`03:Ref${r.id}:${ref}`).toString('base64'),
    url: `${api}/git/${ref}`,
    object: { type, sha, url: `${api}/git/${type}s/${sha}` },
  };
}

async function commitJson(core: Core, r: FakeRepo, sha: string) {
  const c = await readCommit(r.dir, sha);
  const api = core.repoApi(r);
  const html = `${core.base}/${r.owner.login}/${r.name}`;
  return {
    sha,
    node_id: Buffer.from(`06:Commit${r.id}:${sha}`).toString('base64'),
    url: `${api}/git/commits/${sha}`,
    html_url: `${html}/commit/${sha}`,
    author: c.author,
    committer: c.committer,
    tree: { sha: c.tree, url: `${api}/git/trees/${c.tree}` },
    message: c.message,
    parents: c.parents.map((p) => ({ sha: p, url: `${api}/git/commits/${p}`, html_url: `${html}/commit/${p}` })),
    verification: { verified: false, reason: 'unsigned', signature: null, payload: null, verified_at: null },
  };
}

async function treeJson(core: Core, r: FakeRepo, sha: string, recursive: boolean) {
  const api = core.repoApi(r);
  const entries = await lsTree(r.dir, sha, recursive);
  return {
    sha,
    url: `${api}/git/trees/${sha}`,
    tree: entries.map((e) => ({
      path: e.path,
      mode: e.mode,
      type: e.type,
      sha: e.sha,
      ...(e.type === 'blob' ? { size: e.size ?? 0 } : {}),
      url: `${api}/git/${e.type}s/${e.sha}`,
    })),
    truncated: false,
  };
}

/** `heads/x` or `refs/heads/x` from the path, validated; undefined when malformed. */
function refParam(raw: string): string | undefined {
  const ref = raw.startsWith('refs/') ? raw : `refs/${raw}`;
  return REF_NAME.test(ref) && ref.split('/').length >= 3 ? ref : undefined;
}

export const gitRoutes: Route[] = [
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/git/ref/{ref}',
    greedy: ['ref'],
    handle: (req, core) =>
      gitRepo(req, core, false, async (r) => {
        const ref = refParam(req.params.ref!);
        const sha = ref && (await resolveRef(r.dir, ref));
        return sha ? json(200, refJson(core, r, ref!, sha)) : notFound();
      }),
  },
  {
    method: 'POST',
    template: '/repos/{owner}/{repo}/git/blobs',
    bodyKeys: ['content', 'encoding'],
    handle: (req, core) =>
      gitRepo(req, core, true, async (r) => {
        const { content, encoding } = req.body ?? {};
        if (typeof content !== 'string') return validationFailed('Invalid request.', [{ resource: 'Blob', code: 'missing_field', field: 'content' }]);
        if (encoding !== undefined && encoding !== 'utf-8' && encoding !== 'base64') {
          return validationFailed('Invalid request.', [{ resource: 'Blob', code: 'invalid', field: 'encoding' }]);
        }
        const sha = await writeBlob(r.dir, Buffer.from(content, encoding === 'base64' ? 'base64' : 'utf8'));
        return json(201, { url: `${core.repoApi(r)}/git/blobs/${sha}`, sha });
      }),
  },
  {
    method: 'POST',
    template: '/repos/{owner}/{repo}/git/trees',
    bodyKeys: ['tree'],
    handle: (req, core) =>
      gitRepo(req, core, true, async (r) => {
        const tree = req.body?.tree;
        if (!Array.isArray(tree)) return validationFailed('Invalid request.', [{ resource: 'Tree', code: 'missing_field', field: 'tree' }]);
        const entries: Array<{ path: string; mode: string; type: string; sha: string }> = [];
        const paths = new Set<string>();
        for (const e of tree) {
          if (typeof e?.path !== 'string' || !e.path || e.path.startsWith('/') || e.path.split('/').some((p: string) => !p || p === '.' || p === '..' || p === '.git')) {
            return validationFailed('Invalid tree info', [{ resource: 'Tree', code: 'invalid', field: 'path' }]);
          }
          if (paths.has(e.path)) return validationFailed('Invalid tree info', [{ resource: 'Tree', code: 'invalid', field: 'path' }]);
          paths.add(e.path);
          let sha: string | undefined = e.sha;
          if (typeof e.content === 'string') {
            if (sha) return validationFailed('Invalid tree info: both sha and content', [{ resource: 'Tree', code: 'invalid', field: 'content' }]);
            sha = await writeBlob(r.dir, Buffer.from(e.content, 'utf8'));
          }
          if (!sha || (await objectType(r.dir, sha)) !== e.type) {
            return json(422, { message: `GitRPC::BadObjectState`, documentation_url: 'https://docs.github.com/rest/git/trees#create-a-tree' });
          }
          entries.push({ path: e.path, mode: e.mode, type: e.type, sha });
        }
        const sha = await buildTree(r.dir, entries);
        return json(201, await treeJson(core, r, sha, false));
      }),
  },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/git/trees/{tree_sha}',
    handle: (req, core) =>
      gitRepo(req, core, false, async (r) => {
        const ish = req.params.tree_sha!;
        const sha = REF_NAME.test(ish) ? await resolveTree(r.dir, /^[0-9a-f]{40}$/.test(ish) ? ish : `refs/heads/${ish}`) : undefined;
        if (!sha) return notFound();
        const recursive = !['', '0', 'false', null].includes(req.query.get('recursive'));
        return json(200, await treeJson(core, r, sha, recursive));
      }),
  },
  {
    method: 'POST',
    template: '/repos/{owner}/{repo}/git/commits',
    bodyKeys: ['message', 'tree', 'parents'],
    handle: (req, core) =>
      gitRepo(req, core, true, async (r) => {
        const { message, tree, parents = [] } = req.body ?? {};
        if (typeof message !== 'string') return validationFailed('Invalid request.', [{ resource: 'Commit', code: 'missing_field', field: 'message' }]);
        if (typeof tree !== 'string' || (await objectType(r.dir, tree)) !== 'tree') return validationFailed('Tree SHA does not exist');
        for (const p of parents) {
          if ((await objectType(r.dir, String(p))) !== 'commit') return validationFailed('Parent SHA does not exist or is not a commit object');
        }
        const ident = core.identity(req.auth.account);
        const sha = await commitTree(r.dir, tree, parents, message, ident, ident);
        return json(201, await commitJson(core, r, sha));
      }),
  },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/git/commits/{commit_sha}',
    handle: (req, core) =>
      gitRepo(req, core, false, async (r) => {
        const sha = req.params.commit_sha!;
        return (await objectType(r.dir, sha)) === 'commit' ? json(200, await commitJson(core, r, sha)) : notFound();
      }),
  },
  {
    method: 'POST',
    template: '/repos/{owner}/{repo}/git/refs',
    bodyKeys: ['ref', 'sha'],
    handle: (req, core) =>
      gitRepo(req, core, true, async (r) => {
        const { ref, sha } = req.body ?? {};
        if (typeof ref !== 'string' || !ref.startsWith('refs/') || !refParam(ref)) {
          return validationFailed("Reference name must start with 'refs/' and have at least two slashes.");
        }
        if (await resolveRef(r.dir, ref)) return validationFailed('Reference already exists');
        if ((await objectType(r.dir, String(sha))) !== 'commit') return validationFailed('Object does not exist');
        await updateRef(r.dir, ref, sha);
        r.pushedAt = core.nowIso();
        return json(201, refJson(core, r, ref, sha));
      }),
  },
  {
    method: 'PATCH',
    template: '/repos/{owner}/{repo}/git/refs/{ref}',
    greedy: ['ref'],
    bodyKeys: ['sha', 'force'],
    handle: (req, core) =>
      gitRepo(req, core, true, async (r) => {
        const ref = refParam(req.params.ref!);
        const old = ref && (await resolveRef(r.dir, ref));
        if (!ref || !old) return validationFailed('Reference does not exist');
        const { sha, force } = req.body ?? {};
        if ((await objectType(r.dir, String(sha))) !== 'commit') return validationFailed('Object does not exist');
        if (force !== true && !(await isAncestor(r.dir, old, sha))) return validationFailed('Update is not a fast forward');
        await updateRef(r.dir, ref, sha);
        r.pushedAt = core.nowIso();
        return json(200, refJson(core, r, ref, sha));
      }),
  },
  {
    method: 'DELETE',
    template: '/repos/{owner}/{repo}/git/refs/{ref}',
    greedy: ['ref'],
    handle: (req, core) =>
      gitRepo(req, core, true, async (r) => {
        const ref = refParam(req.params.ref!);
        if (!ref || !(await resolveRef(r.dir, ref))) return validationFailed('Reference does not exist');
        if (ref === `refs/heads/${r.defaultBranch}`) return validationFailed('Cannot delete the default branch');
        await deleteRef(r.dir, ref);
        return json(204);
      }),
  },
];
