/**
 * The `github-repo` task kind: a GitHub repository created from template trees (one per
 * branch, placeholders filled) with Actions secrets and labels, or a repository the user
 * brings, checked for the structure the playbook requires.
 *
 * Create mode converges: it creates the repository only when it does not exist (remembering
 * that before the create, so undo and resume know), pushes each branch unless it already holds
 * exactly the rendered tree, and completes a half-initialised repository on resume. A
 * repository of the same name that this run did not create is refused, unless it already
 * holds exactly what would be pushed (a re-run after success). Undo deletes only a repository
 * this run created; nothing is ever deleted in existing mode.
 */
import path from 'node:path';
import type { Octokit } from '@octokit/rest';
import { TaskError, type KindResult, type TaskContext, type TaskKind, type UndoInput } from './kind.js';
import { renderTree, RenderError } from './lib/render-tree.js';
import { checkToken } from './github/auth.js';
import { apiUrl, createClient, readToken } from './github/client.js';
import { httpStatus } from './github/errors.js';
import { treeSha, type TreeFile } from './github/git-objects.js';
import { ensureLabels, missingLabels } from './github/labels.js';
import { branchHead, pushBranch } from './github/push.js';
import { createRepo, deleteRepo, getRepo, ownerType, parseRepoUrl, setDefaultBranch, type RepoInfo } from './github/repo.js';
import { missingSecrets, setSecrets } from './github/secrets.js';
import { assertStructure, findMissing } from './github/structure.js';
import { schema, validateWith, type GithubRepoWith } from './github/with.js';

export type { GithubRepoWith } from './github/with.js';

const DEFAULT_SCOPES = ['repo', 'workflow'];

interface Session {
  octokit: Octokit;
  login: string;
  owner: string;
  name: string;
  label: string;
}

async function open(w: GithubRepoWith, ctx: TaskContext, checkScopes = true): Promise<Session> {
  const token = readToken(ctx);
  const octokit = await createClient(token, apiUrl(w.apiUrl, ctx), ctx);
  const { login } = await checkToken(octokit, checkScopes ? (w.requiredScopes ?? DEFAULT_SCOPES) : [], ctx);
  let owner = w.owner;
  let name = w.name;
  if ((w.mode ?? 'create') === 'existing' && w.url) {
    const parsed = parseRepoUrl(w.url);
    if (!parsed) throw new TaskError(`url ${w.url} is not a GitHub repository URL`, 'use https://github.com/OWNER/NAME', true);
    ({ owner, name } = parsed);
  }
  if (!name) throw new TaskError('with.name is required', undefined, true);
  owner ??= login;
  return { octokit, login, owner, name, label: `${w.role ?? 'repository'} ${owner}/${name}` };
}

/** Renders every branch's template before anything is created. */
async function renderBranches(w: GithubRepoWith, ctx: TaskContext): Promise<Array<{ name: string; files: TreeFile[]; message: string }>> {
  const values = Object.fromEntries(Object.entries(w.values ?? {}).map(([k, v]) => [k, String(v)]));
  const out = [];
  for (const b of w.branches ?? []) {
    const dir = path.resolve(ctx.playbookDir, b.template);
    try {
      const files = await renderTree(dir, values);
      out.push({ name: b.name, files, message: b.message ?? `bootstrap: ${b.name} from ${b.template}` });
    } catch (e) {
      if (e instanceof RenderError) throw new TaskError(`template ${b.template} for branch ${b.name}: ${e.message}`, 'add the missing names to with.values', true);
      throw new TaskError(`template ${b.template} for branch ${b.name}: ${(e as Error).message}`, undefined, true);
    }
  }
  return out;
}

const same = (a: unknown, b: string) => typeof a === 'string' && a.toLowerCase() === b.toLowerCase();

/** The repository this run created earlier (remembered notes), if they are about this one. */
function rememberedOurs(ctx: TaskContext, owner: string, name: string): { repoId?: number; commits: Record<string, string> } | undefined {
  const r = ctx.remembered;
  if (r.createdRepo !== true || !same(r.owner, owner) || !same(r.name, name)) return undefined;
  return {
    repoId: typeof r.repoId === 'number' ? r.repoId : undefined,
    commits: (typeof r.commits === 'object' && r.commits !== null ? r.commits : {}) as Record<string, string>,
  };
}

async function treesMatch(s: Session, branches: Array<{ name: string; files: TreeFile[] }>): Promise<boolean> {
  for (const b of branches) {
    const head = await branchHead(s.octokit, s.owner, s.name, b.name);
    if (!head || head.treeSha !== treeSha(b.files)) return false;
  }
  return true;
}

async function runCreate(w: GithubRepoWith, ctx: TaskContext, s: Session): Promise<KindResult> {
  const branches = await renderBranches(w, ctx);
  const ours = rememberedOurs(ctx, s.owner, s.name);
  let repo = await getRepo(s.octokit, s.owner, s.name);
  let created: boolean;
  let initialDefault: string | undefined;
  if (repo) {
    if (ours && (ours.repoId === undefined || ours.repoId === repo.id)) {
      created = true;
      ctx.log('info', `${s.label} was created by an earlier attempt: completing it`);
    } else if (branches.length && (await treesMatch(s, branches))) {
      created = false;
      ctx.log('info', `${s.label} already exists with the expected content`);
    } else {
      throw new TaskError(
        `repository ${s.owner}/${s.name} already exists; use mode: existing to bring it or choose another name`,
        'it was not created by this playbook and does not hold the content it would push, so it is left untouched',
        true,
      );
    }
  } else {
    const isOrg = !same(s.owner, s.login) && (await ownerType(s.octokit, s.owner)) === 'Organization';
    if (!isOrg && !same(s.owner, s.login)) {
      throw new TaskError(`cannot create a repository under user ${s.owner}: the token belongs to ${s.login}`, 'omit owner, or give an organization the token can create repositories in', true);
    }
    await ctx.remember({ createdRepo: true, owner: s.owner, name: s.name });
    ctx.progress(`creating ${s.label}`);
    repo = await createRepo(
      s.octokit,
      { owner: s.owner, isOrg, name: s.name, visibility: w.visibility ?? 'private', description: w.description },
      () => ctx.remember({ createdRepo: false }),
    );
    await ctx.remember({ repoId: repo.id });
    initialDefault = repo.defaultBranch;
    created = true;
  }
  const { commits, summary } = await pushAll(ctx, s, repo, branches, created, ours?.commits ?? {});
  if (branches.length && repo.defaultBranch !== branches[0]!.name) {
    initialDefault ??= created ? repo.defaultBranch : undefined;
    await setDefaultBranch(s.octokit, s.owner, s.name, branches[0]!.name);
    repo = { ...repo, defaultBranch: branches[0]!.name };
  }
  if (created && initialDefault && !branches.some((b) => b.name === initialDefault)) {
    await dropInitialBranch(s, initialDefault, commits, ctx);
  }
  await finish(w, ctx, s);
  return result(repo, created, commits, `${created ? 'created' : 'found'} ${s.owner}/${s.name}; ${summary || 'no branches'}`);
}

async function pushAll(
  ctx: TaskContext,
  s: Session,
  repo: RepoInfo,
  branches: Array<{ name: string; files: TreeFile[]; message: string }>,
  created: boolean,
  earlier: Record<string, string>,
): Promise<{ commits: Record<string, string>; summary: string }> {
  const commits: Record<string, string> = { ...earlier };
  const parts: string[] = [];
  for (const [i, b] of branches.entries()) {
    const head = await branchHead(s.octokit, s.owner, s.name, b.name);
    // GitHub's own initial commit (auto_init) on the default branch is replaced by a root commit.
    const replace = created && i === 0 && !!head && head.root && b.name === repo.defaultBranch && earlier[b.name] !== head.commitSha;
    ctx.progress(`${s.owner}/${s.name}@${b.name}: pushing ${b.files.length} files`);
    const r = await pushBranch(s.octokit, s.owner, s.name, { branch: b.name, files: b.files, message: b.message, replace }, ctx, head ?? null);
    commits[b.name] = r.sha;
    if (created) await ctx.remember({ commits: { ...commits } });
    const msg = `${b.name} ${r.changed ? `pushed (${r.sha.slice(0, 7)})` : 'up to date'}`;
    ctx.log('info', `${s.owner}/${s.name}: ${msg}`);
    parts.push(msg);
  }
  for (const k of Object.keys(commits)) if (!branches.some((b) => b.name === k)) delete commits[k];
  return { commits, summary: parts.join(', ') };
}

/** Deletes the branch GitHub's auto_init made when it is not one of ours (org default "master"). */
async function dropInitialBranch(s: Session, branch: string, ours: Record<string, string>, ctx: TaskContext): Promise<void> {
  const head = await branchHead(s.octokit, s.owner, s.name, branch);
  if (!head || !head.root || Object.values(ours).includes(head.commitSha)) return;
  try {
    await s.octokit.request('DELETE /repos/{owner}/{repo}/git/refs/{ref}', { owner: s.owner, repo: s.name, ref: `heads/${branch}` });
    ctx.log('info', `${s.owner}/${s.name}: removed the initial branch ${branch} GitHub created`);
  } catch (e) {
    if (httpStatus(e) !== 404 && httpStatus(e) !== 422) ctx.log('warn', `${s.owner}/${s.name}: could not remove the initial branch ${branch}`);
  }
}

/** Structure check, secrets and labels: the same in both modes. */
async function finish(w: GithubRepoWith, ctx: TaskContext, s: Session): Promise<void> {
  if (w.requireStructure && Object.keys(w.requireStructure).length) {
    assertStructure(s.label, await findMissing(s.octokit, s.owner, s.name, w.requireStructure, ctx));
  }
  await setSecrets(s.octokit, s.owner, s.name, w.secrets ?? {}, ctx);
  const made = await ensureLabels(s.octokit, s.owner, s.name, w.labels ?? []);
  if (made.length) ctx.log('info', `${s.owner}/${s.name}: created label${made.length > 1 ? 's' : ''} ${made.join(', ')}`);
}

function result(repo: RepoInfo, created: boolean, commits: Record<string, string>, summary: string): KindResult {
  return {
    outputs: {
      owner: repo.owner,
      name: repo.name,
      url: repo.htmlUrl,
      cloneUrl: repo.cloneUrl,
      defaultBranch: repo.defaultBranch,
      created,
      commits,
    },
    undo: created ? { createdRepo: true, owner: repo.owner, name: repo.name, repoId: repo.id } : null,
    summary,
  };
}

async function runExisting(w: GithubRepoWith, ctx: TaskContext, s: Session): Promise<KindResult> {
  const repo = await getRepo(s.octokit, s.owner, s.name);
  if (!repo) {
    throw new TaskError(`${s.label}: repository not found or token cannot see it`, 'check the URL, and that the token has access to the repository (classic: repo scope)', true);
  }
  await finish(w, ctx, s);
  const commits: Record<string, string> = {};
  for (const b of new Set([repo.defaultBranch, ...Object.keys(w.requireStructure ?? {})])) {
    const head = await branchHead(s.octokit, s.owner, s.name, b);
    if (head) commits[b] = head.commitSha;
  }
  return result(repo, false, commits, `${s.owner}/${s.name} checked`);
}

export const githubRepo: TaskKind<GithubRepoWith> = {
  name: 'github-repo',
  description: 'Create a GitHub repository from template trees (branches, secrets, labels), or check one the user brings',
  schema,
  secretFields: ['secrets'],
  outputs: {
    owner: { description: 'Repository owner (user or organization)' },
    name: { description: 'Repository name' },
    url: { description: 'Repository web URL (html_url)' },
    cloneUrl: { description: 'HTTPS clone URL (no credentials)' },
    defaultBranch: { description: 'Default branch' },
    created: { description: 'True when this run created the repository' },
    commits: { description: 'Head commit sha of each pushed or checked branch, by branch name' },
  },
  validate: validateWith,

  async run(w, ctx) {
    const s = await open(w, ctx);
    return (w.mode ?? 'create') === 'existing' ? runExisting(w, ctx, s) : runCreate(w, ctx, s);
  },

  async satisfied(w, ctx) {
    const s = await open(w, ctx);
    const repo = await getRepo(s.octokit, s.owner, s.name);
    if (!repo) return false;
    if ((w.mode ?? 'create') === 'create') {
      const branches = await renderBranches(w, ctx);
      if (!(await treesMatch(s, branches))) return false;
      if (branches.length && repo.defaultBranch !== branches[0]!.name) return false;
    }
    if (w.requireStructure) {
      const missing = await findMissing(s.octokit, s.owner, s.name, w.requireStructure, ctx);
      if (Object.keys(missing).length) return false;
    }
    if ((await missingLabels(s.octokit, s.owner, s.name, w.labels ?? [])).length) return false;
    return (await missingSecrets(s.octokit, s.owner, s.name, Object.keys(w.secrets ?? {}))).length === 0;
  },

  async undo(input: UndoInput<GithubRepoWith>, ctx) {
    const st = input.state;
    if ((input.with.mode ?? 'create') === 'existing' || st.createdRepo !== true) {
      ctx.log('info', 'nothing to undo: the repository was not created by this playbook');
      return;
    }
    const owner = String(st.owner);
    const name = String(st.name);
    const s = await open({ ...input.with, mode: 'create', owner, name }, ctx, false);
    const repo = await getRepo(s.octokit, owner, name);
    if (!repo) {
      ctx.log('info', `${owner}/${name} is already gone`);
      return;
    }
    if (typeof st.repoId === 'number' && st.repoId !== repo.id) {
      ctx.log('warn', `not deleting ${owner}/${name}: it is not the repository this run created (id ${repo.id}, created ${st.repoId})`);
      return;
    }
    ctx.progress(`deleting ${owner}/${name}`);
    const deleted = await deleteRepo(s.octokit, owner, name);
    ctx.log('info', deleted ? `deleted ${owner}/${name}` : `${owner}/${name} is already gone`);
  },
};

/** Same kind, named like the other kinds in the registry. */
export const githubRepoKind = githubRepo;
export default githubRepo;
