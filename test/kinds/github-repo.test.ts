/**
 * The github-repo kind against the fake GitHub (test/fakes/github): real HTTP on 127.0.0.1,
 * real bare git repositories behind it, every response checked against GitHub's OpenAPI
 * description. Pushed content is inspected with the real git binary.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sodium from 'libsodium-wrappers';
import { githubRepo, type GithubRepoWith } from '../../tasks/github-repo.js';
import { createTaskContext } from '../../tasks/context.js';
import { TaskError, type Clock, type KindResult } from '../../tasks/kind.js';
import { treeSha } from '../../tasks/github/git-objects.js';
import { renderTree } from '../../tasks/lib/render-tree.js';
import { rateLimitWait } from '../../tasks/github/client.js';
import { missingScopes } from '../../tasks/github/auth.js';
import { parseRepoUrl } from '../../tasks/github/repo.js';
import { missingPaths } from '../../tasks/github/structure.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { startFakeGitHub, type FakeGitHub, type FakeGitHubOptions } from '../fakes/github/index.js';

let fake: FakeGitHub;
let tmp: string;
/** Every string the kind emitted (logs, progress, errors, outputs, notes) in the whole file. */
const emitted: string[] = [];
const tokensSeen: string[] = [];

async function put(rel: string, content: string, mode?: number) {
  const p = path.join(tmp, rel);
  await mkdir(path.dirname(p), { recursive: true });
  await writeFile(p, content);
  if (mode !== undefined) await chmod(p, mode);
}

/** Small control-plane and GitOps template trees in the shape seed 004 describes. */
async function writeTemplates() {
  const cp = 'templates/control-plane';
  await put(`${cp}/main/README.md`, '# @@control_plane_repo@@\nGitOps repo: @@gitops_repo@@\n');
  await put(`${cp}/main/.environments/dev.yaml`, 'name: dev\ncontrolPlane: @@control_plane_repo@@\n');
  for (const wf of ['ci', 'cd', 'check-promote']) {
    await put(`${cp}/main/.github/workflows/${wf}.yaml`, `name: ${wf}\nenv:\n  REPO: \${{ secrets.GITOPS_REPO }}\n  OWNER: @@owner@@\n`);
  }
  await put(`${cp}/main/templates/default-template.yaml`, 'image: "{{ .Values.image }}"\n');
  await put(`${cp}/main/workloads/sample-workload-registration.yaml`, 'workload: sample\n');
  await put(`${cp}/main/scripts/promote.sh`, '#!/bin/sh\necho promote @@owner@@\n', 0o755);
  await put(`${cp}/dev/README.md`, 'dev branch of @@control_plane_repo@@\n');
  await put(`${cp}/dev/cluster-types/default.yaml`, 'kind: ClusterType\n');
  await put(`${cp}/dev/configs/default-config.yaml`, 'x: 1\n');
  await put(`${cp}/dev/scheduling-policies/default-policy.yaml`, 'kind: SchedulingPolicy\n');
  await put(`${cp}/dev/base-repo.yaml`, 'repo: https://github.com/@@owner@@/@@control_plane_repo@@\nbranch: main\n');
  await put(`${cp}/dev/gitops-repo.yaml`, 'repo: https://github.com/@@owner@@/@@gitops_repo@@\n');
}

const CP_STRUCTURE = {
  main: ['.environments/', '.github/workflows/ci.yaml', '.github/workflows/cd.yaml', '.github/workflows/check-promote.yaml', 'templates/', 'workloads/'],
  dev: ['cluster-types/', 'configs/', 'scheduling-policies/', 'base-repo.yaml', 'gitops-repo.yaml'],
};

function cpWith(extra: Partial<GithubRepoWith> = {}): GithubRepoWith {
  const owner = extra.owner ?? 'octocat';
  return {
    name: 'cp-repo',
    role: 'control-plane repo',
    branches: [
      { name: 'main', template: 'templates/control-plane/main' },
      { name: 'dev', template: 'templates/control-plane/dev' },
    ],
    values: { owner, control_plane_repo: 'cp-repo', gitops_repo: 'gitops-repo' },
    secrets: { GITOPS_REPO: `${owner}/gitops-repo`, GITOPS_REPO_TOKEN: fake.token, CONTROL_PLANE_TOKEN: fake.token },
    labels: [{ name: 'promoted', color: '0e8a16', description: 'Promoted to the next environment' }],
    requiredScopes: ['repo', 'workflow', 'delete_repo'],
    ...extra,
  };
}

interface Harness {
  ctx: ReturnType<typeof createTaskContext>;
  logs: Array<[string, string]>;
  progress: string[];
  notes: Array<Record<string, unknown>>;
  /** fake.requests.length when each note was remembered. */
  noteAt: number[];
  slept: number[];
  secrets: string[];
  merged(): Record<string, unknown>;
}

function harness(opts: { remembered?: Record<string, unknown>; env?: Record<string, string | undefined>; signal?: AbortSignal } = {}): Harness {
  const h: Omit<Harness, 'ctx'> = {
    logs: [],
    progress: [],
    notes: [],
    noteAt: [],
    slept: [],
    secrets: [],
    merged() {
      return Object.assign({}, opts.remembered, ...h.notes);
    },
  };
  let now = 1_700_000_000_000;
  const clock: Clock = {
    now: () => now,
    sleep: async (ms, signal) => {
      h.slept.push(ms);
      if (signal?.aborted) throw Object.assign(new Error('aborted'), { name: 'AbortError' });
      now += ms;
    },
  };
  const ctx = createTaskContext({
    taskId: 'cp_repo',
    playbookDir: tmp,
    stateDir: tmp,
    env: opts.env ?? { GITHUB_TOKEN: fake.token, GITHUB_API_URL: fake.apiUrl, PATH: process.env.PATH },
    clock,
    signal: opts.signal,
    onLog: (level, m) => {
      h.logs.push([level, m]);
      emitted.push(m);
    },
    onProgress: (m) => {
      h.progress.push(m);
      emitted.push(m);
    },
    remember: async (note) => {
      h.notes.push(note);
      h.noteAt.push(fake.requests.length);
      emitted.push(JSON.stringify(note));
    },
    remembered: opts.remembered ?? {},
    secret: (v) => h.secrets.push(v),
  });
  return { ...h, ctx } as Harness;
}

async function run(w: GithubRepoWith, h: Harness): Promise<KindResult> {
  try {
    const r = await githubRepo.run(w, h.ctx);
    emitted.push(JSON.stringify(r));
    return r;
  } catch (e) {
    emitted.push(String((e as Error).message), String((e as TaskError).hint ?? ''));
    throw e;
  }
}

async function runError(w: GithubRepoWith, h: Harness): Promise<TaskError> {
  const e = await run(w, h).then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(TaskError);
  return e as TaskError;
}

const gitOut = (dir: string, ...args: string[]) =>
  execFileSync('git', ['--git-dir', dir, ...args], { env: { PATH: process.env.PATH!, GIT_CONFIG_NOSYSTEM: '1' } }).toString();
const writes = (since = 0) => fake.requests.slice(since).filter((r) => r.method !== 'GET');

async function decrypt(owner: string, name: string, secret: string): Promise<string> {
  await sodium.ready;
  const r = fake.repo(owner, name)!;
  const s = r.secrets.get(secret);
  if (!s) throw new Error(`secret ${secret} not set`);
  return sodium.to_string(sodium.crypto_box_seal_open(sodium.from_base64(s.encrypted_value, sodium.base64_variants.ORIGINAL), r.publicKey, r.privateKey));
}

async function start(opts: FakeGitHubOptions = {}) {
  fake = await startFakeGitHub({ orgs: [{ login: 'acme', defaultBranch: 'master' }], users: ['someone-else'], ...opts });
  tokensSeen.push(fake.token);
}

beforeEach(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'gh-repo-kind-'));
  await writeTemplates();
  await start();
});
afterEach(async () => {
  for (const r of fake.requests) expect(r.url).not.toContain(fake.token);
  await fake.stop(); // throws on any OpenAPI mismatch or unimplemented call
  await rm(tmp, { recursive: true, force: true });
});
afterAll(() => {
  expect(emitted.length).toBeGreaterThan(50);
  for (const t of tokensSeen) for (const s of emitted) expect(s).not.toContain(t);
});

describe('github-repo: create', () => {
  it('creates a repo under the user with two branches, secrets and a label', async () => {
    const h = harness();
    const r = await run(cpWith(), h);
    const dir = fake.repoDir('octocat', 'cp-repo');

    expect(gitOut(dir, 'for-each-ref', '--format=%(refname)').trim().split('\n')).toEqual(['refs/heads/dev', 'refs/heads/main']);
    expect(gitOut(dir, 'ls-tree', '-r', '--name-only', 'main').trim().split('\n')).toEqual([
      '.environments/dev.yaml',
      '.github/workflows/cd.yaml',
      '.github/workflows/check-promote.yaml',
      '.github/workflows/ci.yaml',
      'README.md',
      'scripts/promote.sh',
      'templates/default-template.yaml',
      'workloads/sample-workload-registration.yaml',
    ]);
    expect(gitOut(dir, 'show', 'main:README.md')).toBe('# cp-repo\nGitOps repo: gitops-repo\n');
    expect(gitOut(dir, 'show', 'main:.github/workflows/ci.yaml')).toBe('name: ci\nenv:\n  REPO: ${{ secrets.GITOPS_REPO }}\n  OWNER: octocat\n');
    expect(gitOut(dir, 'show', 'main:templates/default-template.yaml')).toBe('image: "{{ .Values.image }}"\n');
    expect(gitOut(dir, 'ls-tree', 'main', 'scripts/promote.sh')).toMatch(/^100755 blob /);
    expect(gitOut(dir, 'show', 'dev:gitops-repo.yaml')).toBe('repo: https://github.com/octocat/gitops-repo\n');
    expect(gitOut(dir, 'ls-tree', '--name-only', 'dev').trim().split('\n')).toEqual([
      'README.md', 'base-repo.yaml', 'cluster-types', 'configs', 'gitops-repo.yaml', 'scheduling-policies',
    ]);
    // GitHub's auto_init commit was replaced: main is one root commit; dev is an orphan branch.
    expect(gitOut(dir, 'rev-list', 'main').trim().split('\n')).toHaveLength(1);
    expect(gitOut(dir, 'rev-list', 'dev').trim().split('\n')).toHaveLength(1);
    // The locally computed tree sha is git's.
    const files = await renderTree(path.join(tmp, 'templates/control-plane/main'), cpWith().values as Record<string, string>);
    expect(gitOut(dir, 'rev-parse', 'main^{tree}').trim()).toBe(treeSha(files));

    expect(await decrypt('octocat', 'cp-repo', 'GITOPS_REPO')).toBe('octocat/gitops-repo');
    expect(await decrypt('octocat', 'cp-repo', 'GITOPS_REPO_TOKEN')).toBe(fake.token);
    expect(await decrypt('octocat', 'cp-repo', 'CONTROL_PLANE_TOKEN')).toBe(fake.token);
    expect([...fake.repo('octocat', 'cp-repo')!.labels.values()].map((l) => [l.name, l.color])).toEqual([['promoted', '0e8a16']]);
    expect(fake.repo('octocat', 'cp-repo')!.private).toBe(true);

    expect(r.outputs).toEqual({
      owner: 'octocat',
      name: 'cp-repo',
      url: `${fake.apiUrl}/octocat/cp-repo`,
      cloneUrl: `${fake.apiUrl}/octocat/cp-repo.git`,
      defaultBranch: 'main',
      created: true,
      commits: { main: gitOut(dir, 'rev-parse', 'main').trim(), dev: gitOut(dir, 'rev-parse', 'dev').trim() },
    });
    expect(r.undo).toMatchObject({ createdRepo: true, owner: 'octocat', name: 'cp-repo' });
    // remembered before the create request was sent
    const createIdx = fake.requests.findIndex((q) => q.method === 'POST' && q.path === '/user/repos');
    const noteIdx = h.notes.findIndex((n) => n.createdRepo === true);
    expect(noteIdx).toBeGreaterThanOrEqual(0);
    expect(h.noteAt[noteIdx]).toBeLessThanOrEqual(createIdx);
    // the token is registered for masking; secret values are masked by the engine when they
    // come from secrets (a repo name stored as an Actions secret must stay readable)
    expect(h.secrets).toContain(fake.token);
    expect(h.secrets).not.toContain('octocat/gitops-repo');
    // only the Git Data API wrote content
    expect(writes().map((q) => `${q.method} ${q.path.replace(/[0-9a-f]{40}/, 'SHA')}`)).toContain('PATCH /repos/octocat/cp-repo/git/refs/heads/main');
  });

  it('creates under an organization, with the org default branch replaced by the first branch', async () => {
    const h = harness();
    const r = await run(cpWith({ owner: 'acme', visibility: 'public', requireStructure: CP_STRUCTURE }), h);
    expect(fake.requests.some((q) => q.method === 'POST' && q.path === '/orgs/acme/repos')).toBe(true);
    const dir = fake.repoDir('acme', 'cp-repo');
    expect(gitOut(dir, 'for-each-ref', '--format=%(refname)').trim().split('\n')).toEqual(['refs/heads/dev', 'refs/heads/main']);
    expect(fake.repo('acme', 'cp-repo')!.defaultBranch).toBe('main');
    expect(fake.repo('acme', 'cp-repo')!.private).toBe(false);
    expect(gitOut(dir, 'show', 'main:README.md')).toBe('# cp-repo\nGitOps repo: gitops-repo\n');
    expect(r.outputs).toMatchObject({ owner: 'acme', defaultBranch: 'main', created: true });
    expect(await decrypt('acme', 'cp-repo', 'GITOPS_REPO')).toBe('acme/gitops-repo');
  });

  it('an unknown organization is reported as such', async () => {
    const e = await runError(cpWith({ owner: 'no-such-org' }), harness());
    expect(e.message).toBe('organization no-such-org not found or not accessible');
    expect(writes()).toEqual([]);
  });

  it('an organization the token cannot create repositories in: 403 with a permission hint', async () => {
    await fake.stop();
    await start({ orgs: [{ login: 'closed', members: [] }] });
    const e = await runError(cpWith({ owner: 'closed' }), harness());
    expect(e.message).toBe('creating repository closed/cp-repo was refused (403: You need admin access to the organization before adding a repository to it.)');
    expect(e.hint).toContain('scope or permission');
    expect(fake.repo('closed', 'cp-repo')).toBeUndefined();
  });

  it('refuses to create under another user', async () => {
    const e = await runError(cpWith({ owner: 'someone-else' }), harness());
    expect(e.message).toContain('cannot create a repository under user someone-else');
    expect(writes()).toEqual([]);
  });

  it('a re-run changes nothing: no new commits, refs unchanged', async () => {
    const h1 = harness();
    await run(cpWith(), h1);
    const dir = fake.repoDir('octocat', 'cp-repo');
    const before = gitOut(dir, 'for-each-ref');
    const n = fake.requests.length;

    const h2 = harness({ remembered: h1.merged() });
    const r2 = await run(cpWith(), h2);
    expect(gitOut(dir, 'for-each-ref')).toBe(before);
    const w = writes(n).map((q) => `${q.method} ${q.path}`);
    expect(w.filter((x) => x.includes('/git/'))).toEqual([]);
    expect(w.filter((x) => x.startsWith('POST /user/repos'))).toEqual([]);
    expect(r2.outputs).toMatchObject({ created: true });
    expect(r2.summary).toContain('main up to date, dev up to date');

    // Without the notes (a fresh state dir): the content matches, so it is accepted but not ours.
    const n3 = fake.requests.length;
    const r3 = await run(cpWith(), harness());
    expect(gitOut(dir, 'for-each-ref')).toBe(before);
    expect(writes(n3).filter((q) => q.path.includes('/git/'))).toEqual([]);
    expect(r3.outputs).toMatchObject({ created: false });
    expect(r3.undo).toBeNull();
    expect(await githubRepo.satisfied!(cpWith(), harness().ctx)).toBe(true);
  });

  it('completes a half-initialised repo on resume (main pushed, dev and secrets missing)', async () => {
    fake.setBehaviour({ fail: { method: 'POST', path: /\/git\/refs$/, status: 502, message: 'Server Error' } });
    const h1 = harness();
    const e = await runError(cpWith(), h1);
    expect(e.message).toContain('502');
    const dir = fake.repoDir('octocat', 'cp-repo');
    expect(gitOut(dir, 'for-each-ref', '--format=%(refname)').trim()).toBe('refs/heads/main');
    expect(fake.repo('octocat', 'cp-repo')!.secrets.size).toBe(0);
    const mainSha = gitOut(dir, 'rev-parse', 'main').trim();
    expect(h1.merged()).toMatchObject({ createdRepo: true, commits: { main: mainSha } });
    expect(await githubRepo.satisfied!(cpWith(), harness().ctx)).toBe(false);

    const n = fake.requests.length;
    const h2 = harness({ remembered: h1.merged() });
    const r = await run(cpWith(), h2);
    expect(gitOut(dir, 'for-each-ref', '--format=%(refname)').trim().split('\n')).toEqual(['refs/heads/dev', 'refs/heads/main']);
    expect(gitOut(dir, 'rev-parse', 'main').trim()).toBe(mainSha);
    expect(writes(n).some((q) => q.path === '/user/repos')).toBe(false);
    expect(writes(n).some((q) => q.path.endsWith('/git/refs/heads/main'))).toBe(false);
    expect(await decrypt('octocat', 'cp-repo', 'GITOPS_REPO_TOKEN')).toBe(fake.token);
    expect(fake.repo('octocat', 'cp-repo')!.labels.has('promoted')).toBe(true);
    expect(r.outputs).toMatchObject({ created: true, commits: { main: mainSha } });
    expect(h2.logs.some(([, m]) => m.includes('created by an earlier attempt'))).toBe(true);
  });

  it('refuses a same-named repo it did not create, and leaves it untouched', async () => {
    await fake.seedRepo('octocat', 'cp-repo', { main: { 'README.md': 'someone else\n' } });
    const dir = fake.repoDir('octocat', 'cp-repo');
    const before = gitOut(dir, 'for-each-ref');
    const n = fake.requests.length;
    const e = await runError(cpWith(), harness());
    expect(e.message).toBe('repository octocat/cp-repo already exists; use mode: existing to bring it or choose another name');
    expect(writes(n)).toEqual([]);
    expect(gitOut(dir, 'for-each-ref')).toBe(before);
  });

  it('fails on a template with an unknown placeholder before creating anything', async () => {
    await put('templates/control-plane/dev/extra.yaml', 'a: 1\nb: @@nope@@\n');
    const e = await runError(cpWith(), harness());
    expect(e.message).toContain('extra.yaml:2: unknown placeholder @@nope@@');
    expect(e.message).toContain('known placeholders: control_plane_repo, gitops_repo, owner');
    expect(fake.requests.filter((q) => q.method !== 'GET')).toEqual([]);
  });
});

describe('github-repo: existing', () => {
  async function seedFull() {
    await fake.seedRepo('octocat', 'brought', {
      main: {
        '.environments/dev.yaml': 'x',
        '.github/workflows/ci.yaml': 'x',
        '.github/workflows/cd.yaml': 'x',
        '.github/workflows/check-promote.yaml': 'x',
        'templates/default-template.yaml': 'x',
        'workloads/w.yaml': 'x',
      },
      dev: {
        'cluster-types/default.yaml': 'x',
        'configs/c.yaml': 'x',
        'scheduling-policies/p.yaml': 'x',
        'base-repo.yaml': 'x',
        'gitops-repo.yaml': 'x',
      },
    });
  }

  it('accepts a repo with the full structure and still sets secrets and labels', async () => {
    await seedFull();
    const dir = fake.repoDir('octocat', 'brought');
    const before = gitOut(dir, 'for-each-ref');
    const w: GithubRepoWith = {
      mode: 'existing',
      url: 'https://github.com/octocat/brought',
      role: 'control-plane repo',
      requireStructure: CP_STRUCTURE,
      secrets: { GITOPS_REPO: 'octocat/gitops' },
      labels: [{ name: 'promoted' }],
    };
    const r = await run(w, harness());
    expect(r.outputs).toMatchObject({ owner: 'octocat', name: 'brought', created: false, defaultBranch: 'main' });
    expect((r.outputs!.commits as Record<string, string>).dev).toBe(gitOut(dir, 'rev-parse', 'dev').trim());
    expect(r.undo).toBeNull();
    expect(gitOut(dir, 'for-each-ref')).toBe(before);
    expect(await decrypt('octocat', 'brought', 'GITOPS_REPO')).toBe('octocat/gitops');
    expect(fake.repo('octocat', 'brought')!.labels.has('promoted')).toBe(true);
    expect(await githubRepo.satisfied!(w, harness().ctx)).toBe(true);
  });

  it('lists every missing path on every branch at once', async () => {
    await fake.seedRepo('octocat', 'x', {
      main: { '.environments/dev.yaml': 'x', '.github/workflows/cd.yaml': 'x', 'workloads/w.yaml': 'x' },
      dev: { 'cluster-types/default.yaml': 'x', 'configs/c.yaml': 'x', 'scheduling-policies/p.yaml': 'x', 'base-repo.yaml': 'x' },
    });
    const e = await runError(
      { mode: 'existing', url: 'https://github.com/octocat/x.git', role: 'control-plane repo', requireStructure: CP_STRUCTURE, secrets: { A: 'b' } },
      harness(),
    );
    expect(e.message).toBe(
      'control-plane repo octocat/x lacks the required structure:\n' +
        '  missing on branch main: .github/workflows/ci.yaml, .github/workflows/check-promote.yaml, templates/\n' +
        '  missing on branch dev: gitops-repo.yaml',
    );
    expect(fake.repo('octocat', 'x')!.secrets.size).toBe(0);
  });

  it('names the branch and paths in a one-branch report, and a missing branch', async () => {
    await fake.seedRepo('octocat', 'x', { main: { 'README.md': 'x' } });
    const e1 = await runError({ mode: 'existing', owner: 'octocat', name: 'x', role: 'control-plane repo', requireStructure: { main: ['README.md', 'templates/', '.github/workflows/ci.yaml'] } }, harness());
    expect(e1.message).toBe('control-plane repo octocat/x is missing on branch main: templates/, .github/workflows/ci.yaml');
    const e2 = await runError({ mode: 'existing', name: 'x', requireStructure: { main: ['README.md'], dev: ['a'] } }, harness());
    expect(e2.message).toBe('repository octocat/x is invalid: branch dev does not exist');
  });

  it('a repo that does not exist or cannot be seen', async () => {
    await fake.seedRepo('someone-else', 'hidden', { main: { a: 'b' } }, { private: true });
    const e = await runError({ mode: 'existing', url: 'https://github.com/someone-else/hidden' }, harness());
    expect(e.message).toContain('someone-else/hidden: repository not found or token cannot see it');
  });
});

describe('github-repo: undo', () => {
  it('deletes a repo this run created', async () => {
    const h = harness();
    const r = await run(cpWith(), h);
    await githubRepo.undo!({ with: cpWith(), outputs: r.outputs, state: { ...h.merged(), ...r.undo }, partial: false }, harness().ctx);
    expect(fake.repo('octocat', 'cp-repo')).toBeUndefined();
    // again: already gone is fine
    await githubRepo.undo!({ with: cpWith(), state: { ...h.merged(), ...r.undo }, partial: false }, harness().ctx);
  });

  it('deletes a half-created repo from the notes of a failed run', async () => {
    fake.setBehaviour({ fail: { method: 'POST', path: /\/git\/blobs$/, status: 500 } });
    const h = harness();
    await runError(cpWith(), h);
    expect(fake.repo('octocat', 'cp-repo')).toBeDefined();
    await githubRepo.undo!({ with: cpWith(), state: h.merged(), partial: true }, harness().ctx);
    expect(fake.repo('octocat', 'cp-repo')).toBeUndefined();
  });

  it('never deletes a repo it did not create, nor anything in existing mode', async () => {
    await fake.seedRepo('octocat', 'theirs', { main: { a: 'b' } });
    const h = harness();
    const r = await run({ mode: 'existing', name: 'theirs' }, h);
    await githubRepo.undo!({ with: { mode: 'existing', name: 'theirs' }, state: { ...h.merged(), ...r.undo }, partial: false }, harness().ctx);
    // even with notes claiming creation, existing mode deletes nothing
    await githubRepo.undo!({ with: { mode: 'existing', name: 'theirs' }, state: { createdRepo: true, owner: 'octocat', name: 'theirs' }, partial: false }, harness().ctx);
    // a create that was refused (422 name exists) leaves createdRepo false
    const h2 = harness();
    await fake.seedRepo('acme', 'taken', { main: { a: 'b' } });
    // simulate the race: the GET says absent, the POST says exists
    fake.setBehaviour({ fail: { method: 'GET', path: /^\/repos\/acme\/taken$/, status: 404, message: 'Not Found' } });
    const e = await runError(cpWith({ owner: 'acme', name: 'taken' }), h2);
    expect(e.message).toContain('already exists');
    await githubRepo.undo!({ with: cpWith({ owner: 'acme', name: 'taken' }), state: h2.merged(), partial: true }, harness().ctx);
    expect(fake.repo('acme', 'taken')).toBeDefined();
    expect(fake.repo('octocat', 'theirs')).toBeDefined();
    expect(fake.requests.filter((q) => q.method === 'DELETE')).toEqual([]);
  });

  it('does not delete a same-named repo that replaced the one it created', async () => {
    const h = harness();
    const r = await run(cpWith(), h);
    const state = { ...h.merged(), ...r.undo, repoId: 1 };
    const lh = harness();
    await githubRepo.undo!({ with: cpWith(), state, partial: false }, lh.ctx);
    expect(fake.repo('octocat', 'cp-repo')).toBeDefined();
    expect(lh.logs.some(([lvl, m]) => lvl === 'warn' && m.includes('not the repository this run created'))).toBe(true);
  });

  it('explains the delete_repo scope when deletion is refused', async () => {
    const h = harness();
    const r = await run(cpWith({ requiredScopes: ['repo', 'workflow'] }), h);
    fake.setScopes(['repo', 'workflow']);
    const e = await githubRepo.undo!({ with: cpWith(), state: { ...h.merged(), ...r.undo }, partial: false }, harness().ctx).catch((x: unknown) => x as TaskError);
    expect(e).toBeInstanceOf(TaskError);
    expect((e as TaskError).hint).toContain('delete_repo');
    expect(fake.repo('octocat', 'cp-repo')).toBeDefined();
    emitted.push((e as Error).message);
  });
});

describe('github-repo: token', () => {
  it('names the missing scopes and creates nothing', async () => {
    fake.setScopes(['public_repo']);
    const e = await runError(cpWith(), harness());
    expect(e.message).toContain('missing the scopes repo, workflow, delete_repo');
    expect(e.hint).toContain('gh auth refresh -s repo,workflow,delete_repo');
    expect(writes()).toEqual([]);
  });

  it('goes on with a warning for a token without x-oauth-scopes (fine-grained)', async () => {
    fake.setScopes(null);
    const h = harness();
    await run(cpWith(), h);
    expect(h.logs.some(([lvl, m]) => lvl === 'warn' && m.includes('reports no OAuth scopes'))).toBe(true);
    expect(fake.repo('octocat', 'cp-repo')).toBeDefined();
  });

  it('a bad token: 401 reported as not set or invalid, without the token', async () => {
    const bad = `ghp_${'x'.repeat(36)}`;
    tokensSeen.push(bad);
    const e = await runError(cpWith(), harness({ env: { GITHUB_TOKEN: bad, GITHUB_API_URL: fake.apiUrl } }));
    expect(e.message).toMatch(/^GITHUB_TOKEN is not set or invalid/);
    expect(e.message + e.hint).not.toContain(bad);
    expect(fake.requests.map((q) => [q.path, q.status])).toEqual([['/user', 401]]);
  });

  it('a missing token', async () => {
    const e = await runError(cpWith(), harness({ env: { GITHUB_API_URL: fake.apiUrl } }));
    expect(e.message).toBe('GITHUB_TOKEN is not set or invalid');
    expect(fake.requests).toEqual([]);
  });

  it('GH_TOKEN works as well', async () => {
    const r = await run(cpWith(), harness({ env: { GH_TOKEN: fake.token, GITHUB_API_URL: fake.apiUrl } }));
    expect(r.outputs).toMatchObject({ created: true });
  });
});

describe('github-repo: rate limits', () => {
  it('waits out a secondary rate limit (retry-after) and retries', async () => {
    fake.setBehaviour({ rateLimit: { count: 2, retryAfter: 7, method: 'POST', match: /\/git\/blobs$/ } });
    const h = harness();
    const r = await run(cpWith(), h);
    expect(h.slept).toEqual([7000, 7000]);
    expect(h.progress.filter((m) => m.includes('rate limit'))).toHaveLength(2);
    expect(fake.requests.filter((q) => q.status === 403)).toHaveLength(2);
    expect(r.outputs).toMatchObject({ created: true });
  });

  it('429 without retry-after waits a minute; gives up after 3 retries', async () => {
    fake.setBehaviour({ rateLimit: { count: 10, status: 429, retryAfter: null, match: /\/labels$/ } });
    const h = harness();
    const e = await runError(cpWith(), h);
    expect(h.slept).toEqual([60_000, 60_000, 60_000]);
    expect(e.message).toContain('429');
    expect(fake.requests.filter((q) => q.status === 429)).toHaveLength(4);
  });
});

describe('github-repo: interrupt', () => {
  it('an abort while waiting out a rate limit propagates as an abort, not a task failure', async () => {
    const ac = new AbortController();
    fake.setBehaviour({ rateLimit: { count: 1, retryAfter: 5, method: 'POST', match: /\/git\/blobs$/ } });
    const h = harness({ signal: ac.signal });
    const orig = h.ctx.clock.sleep;
    h.ctx.clock.sleep = (ms, signal) => (ac.abort('interrupted'), orig(ms, signal));
    const e = await githubRepo.run(cpWith(), h.ctx).catch((x: unknown) => x as Error);
    expect(h.slept).toEqual([5000]);
    expect(e).not.toBeInstanceOf(TaskError);
    expect((e as Error).name).toBe('AbortError');
  });

  it('an abort before a request propagates as an abort', async () => {
    const ac = new AbortController();
    ac.abort('interrupted');
    const e = await githubRepo.run(cpWith(), harness({ signal: ac.signal }).ctx).catch((x: unknown) => x as Error);
    expect(e).not.toBeInstanceOf(TaskError);
    expect((e as Error).name).toBe('AbortError');
    expect(fake.requests).toEqual([]);
  });
});

describe('fake GitHub: OpenAPI checks', () => {
  it('rejects shapes real GitHub would not send', async () => {
    const { checkResponse, checkRequestBody } = await import('../fakes/github/openapi.js');
    await run(cpWith(), harness());
    const res = await fetch(`${fake.apiUrl}/repos/octocat/cp-repo`, { headers: { authorization: `token ${fake.token}` } });
    const repo = (await res.json()) as Record<string, unknown>;
    expect(checkResponse('/repos/{owner}/{repo}', 'get', 200, repo)).toEqual([]);
    const { clone_url: _omit, ...noClone } = repo;
    expect(checkResponse('/repos/{owner}/{repo}', 'get', 200, noClone).join()).toContain('clone_url');
    expect(checkResponse('/repos/{owner}/{repo}', 'get', 200, { ...repo, id: 'x' }).join()).toContain('/id');
    expect(checkResponse('/repos/{owner}/{repo}/git/refs', 'post', 422, { message: 'x' }).join()).toContain('documentation_url');
    expect(checkResponse('/repos/{owner}/{repo}/git/refs', 'post', 418, { message: 1 }).join()).toContain('/message');
    expect(checkResponse('/repos/{owner}/{repo}/git/blobs', 'post', 200, {}).join()).toContain('not documented');
    expect(checkRequestBody('/repos/{owner}/{repo}/git/trees', 'post', { tree: [{ path: 'a', mode: '100600', type: 'blob', sha: 'x' }] }).join()).toContain('mode');
    expect(fake.violations).toEqual([]);
  });
});

describe('github-repo: validate', () => {
  it('checks mode-specific fields, secret names and label colors', () => {
    expect(githubRepo.validate!({ name: 'ok', branches: [{ name: 'main', template: 't' }] })).toEqual([]);
    const p = githubRepo.validate!({
      mode: 'existing',
      branches: [{ name: 'main', template: 't' }],
      secrets: { GITHUB_X: 'a', '1BAD': 'b', GOOD: 'c' },
      labels: [{ name: 'l', color: 'red' }],
    });
    expect(p.map((x) => x.path.join('.'))).toEqual(['', 'branches', 'secrets.GITHUB_X', 'secrets.1BAD', 'labels.0.color']);
    expect(githubRepo.validate!({ url: 'https://github.com/a/b' }).map((x) => x.path.join('.'))).toEqual(['name', 'url']);
    expect(githubRepo.validate!({ mode: '${{ vars.mode }}', name: '${{ vars.name }}' })).toEqual([]);
  });
});

describe('github-repo: helpers', () => {
  const err = (status: number, headers: Record<string, string>, message = 'x') => ({ status, response: { headers, data: { message } } });

  it('rateLimitWait: retry-after, primary limit reset, secondary message, and not a rate limit', () => {
    const now = 1_000_000_000_000;
    expect(rateLimitWait(err(403, { 'retry-after': '12' }), now)).toBe(12_000);
    expect(rateLimitWait(err(429, {}), now)).toBe(60_000);
    expect(rateLimitWait(err(403, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(now / 1000 + 30) }), now)).toBe(31_000);
    expect(rateLimitWait(err(403, {}, 'You have exceeded a secondary rate limit'), now)).toBe(60_000);
    expect(rateLimitWait(err(403, { 'x-ratelimit-remaining': '12' }, 'Resource not accessible'), now)).toBeUndefined();
    expect(rateLimitWait(err(500, { 'retry-after': '1' }), now)).toBeUndefined();
    expect(rateLimitWait(new Error('boom'), now)).toBeUndefined();
  });

  it('missingScopes follows the scope hierarchy', () => {
    expect(missingScopes('repo, workflow', ['repo', 'workflow'])).toEqual([]);
    expect(missingScopes('repo', ['public_repo', 'workflow'])).toEqual(['workflow']);
    expect(missingScopes('public_repo', ['repo'])).toEqual(['repo']);
    expect(missingScopes('admin:org', ['read:org'])).toEqual([]);
    expect(missingScopes('', ['repo'])).toEqual(['repo']);
  });

  it('parseRepoUrl', () => {
    expect(parseRepoUrl('https://github.com/o-1/my.repo')).toEqual({ owner: 'o-1', name: 'my.repo' });
    expect(parseRepoUrl('https://github.com/o/r.git')).toEqual({ owner: 'o', name: 'r' });
    expect(parseRepoUrl('https://ghe.example.com/o/r/')).toEqual({ owner: 'o', name: 'r' });
    expect(parseRepoUrl('git@github.com:o/r.git')).toEqual({ owner: 'o', name: 'r' });
    expect(parseRepoUrl('o/r')).toEqual({ owner: 'o', name: 'r' });
    expect(parseRepoUrl('https://github.com/o')).toBeUndefined();
    expect(parseRepoUrl('https://github.com/o/r/tree/main')).toBeUndefined();
  });

  it('missingPaths: files, directories (trailing /), implied parent directories', () => {
    const listing = [
      { path: 'a', type: 'tree' },
      { path: 'a/b.yaml', type: 'blob' },
      { path: 'c/d/e.txt', type: 'blob' },
    ];
    expect(missingPaths(listing, ['a/', 'a/b.yaml', 'c/d/', 'c/', './a/b.yaml', 'a/b.yaml/', 'x', 'a/z.yaml'])).toEqual(['a/b.yaml/', 'x', 'a/z.yaml']);
  });

  it('the with schema compiles (2020-12, as the engine does) and accepts the seed shape', () => {
    const ajv = new Ajv2020({ strict: false, allowUnionTypes: true, allErrors: true });
    const v = ajv.compile(githubRepo.schema);
    expect(v(cpWithStatic())).toBe(true);
    expect(v({ name: 'x', bogus: 1 })).toBe(false);
    expect(v({ name: 'x', mode: 'other' })).toBe(false);
    expect(v({ name: 'x', branches: [{ name: 'main' }] })).toBe(false);
  });
});

function cpWithStatic(): GithubRepoWith {
  return {
    name: 'cp',
    owner: 'acme',
    branches: [{ name: 'main', template: 't/main', message: 'init' }],
    values: { a: 'b', n: 1, f: true },
    secrets: { GITOPS_REPO: 'x' },
    labels: [{ name: 'promoted', color: '0e8a16' }],
    requireStructure: { main: ['a/'] },
    requiredScopes: ['repo'],
    visibility: 'private',
    apiUrl: 'https://ghe.example.com/api/v3',
  };
}
