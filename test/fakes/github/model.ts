/**
 * State of the fake GitHub (accounts, tokens, repositories) and the JSON GitHub returns for
 * them, with every field the OpenAPI description requires.
 */

export interface Account {
  login: string;
  id: number;
  type: 'User' | 'Organization';
  /** Organizations: logins of members (who may create repositories in it). */
  members: Set<string>;
  /** Branch name GitHub uses for `auto_init` (the account's default branch setting). */
  defaultBranch: string;
  createdAt: string;
}

export interface TokenInfo {
  login: string;
  /** Classic token scopes (sent as x-oauth-scopes); null: no header (fine-grained token). */
  scopes: string[] | null;
}

export interface StoredSecret {
  encrypted_value: string;
  key_id: string;
  created_at: string;
  updated_at: string;
}

export interface Label {
  id: number;
  name: string;
  color: string;
  description: string | null;
}

export interface FakeRepo {
  id: number;
  owner: Account;
  name: string;
  private: boolean;
  description: string | null;
  /** The bare git repository. */
  dir: string;
  defaultBranch: string;
  createdAt: string;
  updatedAt: string;
  pushedAt: string;
  /** Actions secrets key pair (libsodium crypto_box); the private key lets tests decrypt. */
  keyId: string;
  publicKey: Uint8Array;
  privateKey: Uint8Array;
  secrets: Map<string, StoredSecret>;
  /** By lower-cased name. */
  labels: Map<string, Label>;
}

/** Everything the fake knows; tests may read it (and seed it through the fake's helpers). */
export interface FakeState {
  accounts: Map<string, Account>;
  tokens: Map<string, TokenInfo>;
  /** By lower-cased `owner/name`. */
  repos: Map<string, FakeRepo>;
  nextId: number;
}

export const repoKey = (owner: string, name: string) => `${owner}/${name}`.toLowerCase();

const DOCS = 'https://docs.github.com/rest';

/** GitHub's error body ({ message, documentation_url, status }). */
export function errorBody(message: string, status: number, errors?: Array<Record<string, unknown>>): Record<string, unknown> {
  return { message, documentation_url: DOCS, status: String(status), ...(errors ? { errors } : {}) };
}

export function simpleUser(base: string, a: Account): Record<string, unknown> {
  const api = `${base}/users/${a.login}`;
  return {
    login: a.login,
    id: a.id,
    node_id: Buffer.from(`04:${a.type}${a.id}`).toString('base64'),
    avatar_url: `${base}/avatars/u/${a.id}?v=4`,
    gravatar_id: '',
    url: api,
    html_url: `${base}/${a.login}`,
    followers_url: `${api}/followers`,
    following_url: `${api}/following{/other_user}`,
    gists_url: `${api}/gists{/gist_id}`,
    starred_url: `${api}/starred{/owner}{/repo}`,
    subscriptions_url: `${api}/subscriptions`,
    organizations_url: `${api}/orgs`,
    repos_url: `${api}/repos`,
    events_url: `${api}/events{/privacy}`,
    received_events_url: `${api}/received_events`,
    type: a.type,
    site_admin: false,
    user_view_type: 'public',
  };
}

/** GET /users/{username} (public-user) and, with `own`, GET /user (private-user). */
export function userJson(base: string, a: Account, repoCount: number, own = false): Record<string, unknown> {
  const pub = {
    ...simpleUser(base, a),
    name: a.login,
    company: null,
    blog: '',
    location: null,
    email: null,
    hireable: null,
    bio: null,
    public_repos: 0,
    public_gists: 0,
    followers: 0,
    following: 0,
    created_at: a.createdAt,
    updated_at: a.createdAt,
  };
  if (!own) return pub;
  return {
    ...pub,
    private_gists: 0,
    total_private_repos: repoCount,
    owned_private_repos: repoCount,
    disk_usage: 0,
    collaborators: 0,
    two_factor_authentication: true,
  };
}

export function repoJson(base: string, r: FakeRepo, size: number, canAdmin: boolean): Record<string, unknown> {
  const full = `${r.owner.login}/${r.name}`;
  const api = `${base}/repos/${full}`;
  const html = `${base}/${full}`;
  return {
    id: r.id,
    node_id: Buffer.from(`010:Repository${r.id}`).toString('base64'),
    name: r.name,
    full_name: full,
    private: r.private,
    owner: simpleUser(base, r.owner),
    html_url: html,
    description: r.description,
    fork: false,
    url: api,
    archive_url: `${api}/{archive_format}{/ref}`,
    assignees_url: `${api}/assignees{/user}`,
    blobs_url: `${api}/git/blobs{/sha}`,
    branches_url: `${api}/branches{/branch}`,
    collaborators_url: `${api}/collaborators{/collaborator}`,
    comments_url: `${api}/comments{/number}`,
    commits_url: `${api}/commits{/sha}`,
    compare_url: `${api}/compare/{base}...{head}`,
    contents_url: `${api}/contents/{+path}`,
    contributors_url: `${api}/contributors`,
    deployments_url: `${api}/deployments`,
    downloads_url: `${api}/downloads`,
    events_url: `${api}/events`,
    forks_url: `${api}/forks`,
    git_commits_url: `${api}/git/commits{/sha}`,
    git_refs_url: `${api}/git/refs{/sha}`,
    git_tags_url: `${api}/git/tags{/sha}`,
    git_url: `git://${new URL(base).host}/${full}.git`,
    issue_comment_url: `${api}/issues/comments{/number}`,
    issue_events_url: `${api}/issues/events{/number}`,
    issues_url: `${api}/issues{/number}`,
    keys_url: `${api}/keys{/key_id}`,
    labels_url: `${api}/labels{/name}`,
    languages_url: `${api}/languages`,
    merges_url: `${api}/merges`,
    milestones_url: `${api}/milestones{/number}`,
    notifications_url: `${api}/notifications{?since,all,participating}`,
    pulls_url: `${api}/pulls{/number}`,
    releases_url: `${api}/releases{/id}`,
    ssh_url: `git@${new URL(base).hostname}:${full}.git`,
    stargazers_url: `${api}/stargazers`,
    statuses_url: `${api}/statuses/{sha}`,
    subscribers_url: `${api}/subscribers`,
    subscription_url: `${api}/subscription`,
    tags_url: `${api}/tags`,
    teams_url: `${api}/teams`,
    trees_url: `${api}/git/trees{/sha}`,
    clone_url: `${html}.git`,
    mirror_url: null,
    hooks_url: `${api}/hooks`,
    svn_url: html,
    homepage: null,
    language: null,
    forks_count: 0,
    stargazers_count: 0,
    watchers_count: 0,
    size,
    default_branch: r.defaultBranch,
    open_issues_count: 0,
    is_template: false,
    topics: [],
    has_issues: true,
    has_projects: true,
    has_wiki: true,
    has_pages: false,
    has_downloads: true,
    has_discussions: false,
    archived: false,
    disabled: false,
    visibility: r.private ? 'private' : 'public',
    pushed_at: r.pushedAt,
    created_at: r.createdAt,
    updated_at: r.updatedAt,
    permissions: { admin: canAdmin, maintain: canAdmin, push: canAdmin, triage: canAdmin, pull: true },
    allow_rebase_merge: true,
    allow_squash_merge: true,
    allow_auto_merge: false,
    delete_branch_on_merge: false,
    allow_merge_commit: true,
    allow_forking: true,
    web_commit_signoff_required: false,
    subscribers_count: 1,
    network_count: 0,
    license: null,
    forks: 0,
    open_issues: 0,
    watchers: 0,
    ...(r.owner.type === 'Organization' ? { organization: simpleUser(base, r.owner) } : {}),
  };
}

export function labelJson(base: string, r: FakeRepo, l: Label): Record<string, unknown> {
  return {
    id: l.id,
    node_id: Buffer.from(`08:Label${l.id}`).toString('base64'),
    url: `${base}/repos/${r.owner.login}/${r.name}/labels/${encodeURIComponent(l.name)}`,
    name: l.name,
    color: l.color,
    description: l.description,
    default: false,
  };
}
