/**
 * The `with` of the github-repo kind: its type, JSON Schema and the checks the schema cannot
 * express (which fields go with which mode, secret and label names).
 */
import type { JSONSchema } from '../kind.js';
import type { LabelSpec } from './labels.js';

/** One branch to push: a template directory rendered onto it. */
export interface BranchSpec {
  name: string;
  /** Directory relative to the playbook's directory. */
  template: string;
  message?: string;
}

/** The `with` of `uses: github-repo`. */
export interface GithubRepoWith {
  mode?: 'create' | 'existing';
  owner?: string;
  name?: string;
  url?: string;
  role?: string;
  apiUrl?: string;
  visibility?: 'private' | 'public';
  description?: string;
  branches?: BranchSpec[];
  values?: Record<string, string | number | boolean>;
  secrets?: Record<string, string>;
  labels?: LabelSpec[];
  requireStructure?: Record<string, string[]>;
  requiredScopes?: string[];
}

const str = (description: string, extra: Record<string, unknown> = {}) => ({ type: 'string', description, ...extra });

export const schema: JSONSchema = {
  type: 'object',
  additionalProperties: false,
  description: 'A GitHub repository, created from template trees or brought by the user and checked',
  properties: {
    mode: {
      enum: ['create', 'existing'],
      default: 'create',
      description: 'create: create the repository (or finish one this run created) and push the branches; existing: check a repository the user brings',
    },
    owner: str('Organization or user login to own the repository (default: the user the token belongs to)'),
    name: str('Repository name (in existing mode, url may be given instead)'),
    url: str('existing mode: the repository URL, e.g. https://github.com/owner/name'),
    role: str('What the repository is for, used in messages (e.g. "control-plane repo")'),
    apiUrl: str('GitHub API base URL (default: GITHUB_API_URL, else https://api.github.com; GHES: https://HOST/api/v3)'),
    visibility: { enum: ['private', 'public'], default: 'private', description: 'Visibility of a created repository' },
    description: str('Description of a created repository'),
    branches: {
      type: 'array',
      description: 'Trees to push, in order; the first becomes the default branch',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'template'],
        properties: {
          name: str('Branch name'),
          template: str('Template directory, relative to the playbook directory'),
          message: str('Commit message'),
        },
      },
    },
    values: {
      type: 'object',
      description: 'Values for the @@name@@ placeholders of the templates',
      additionalProperties: { type: ['string', 'number', 'boolean'] },
    },
    secrets: {
      type: 'object',
      description: 'Repository Actions secrets, NAME: value (values are secrets: never logged or journalled)',
      additionalProperties: { type: 'string' },
    },
    labels: {
      type: 'array',
      description: 'Labels to create when missing',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name'],
        properties: {
          name: str('Label name'),
          color: str('Color, 6 hex digits (default ededed)'),
          description: str('Label description'),
        },
      },
    },
    requireStructure: {
      type: 'object',
      description: 'Paths that must exist, per branch (a trailing / means a directory); checked in both modes',
      additionalProperties: { type: 'array', items: { type: 'string' } },
    },
    requiredScopes: {
      type: 'array',
      items: { type: 'string' },
      description: "OAuth scopes a classic token must have (default [repo, workflow]; add delete_repo so undo can delete)",
    },
  },
};

const isExpr = (v: unknown) => typeof v === 'string' && v.includes('${{');
const REPO_NAME = /^[A-Za-z0-9._-]{1,100}$/;
const OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/;
const SECRET_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Checks beyond the schema; every problem names its path inside `with`. */
export function validateWith(w: unknown): Array<{ path: Array<string | number>; message: string }> {
  const out: Array<{ path: Array<string | number>; message: string }> = [];
  if (typeof w !== 'object' || w === null) return out;
  const v = w as GithubRepoWith;
  const mode = v.mode ?? 'create';
  const known = !isExpr(mode);
  if (known && mode === 'create') {
    if (v.name === undefined) out.push({ path: ['name'], message: 'name is required to create a repository' });
    if (v.url !== undefined) out.push({ path: ['url'], message: 'url is only used with mode: existing (give owner and name to create)' });
  }
  if (known && mode === 'existing') {
    if (v.name === undefined && v.url === undefined) out.push({ path: [], message: 'mode: existing needs url (or owner and name)' });
    if (v.branches !== undefined) {
      out.push({ path: ['branches'], message: 'branches are pushed only with mode: create; use requireStructure to check a brought repository' });
    }
  }
  if (v.name !== undefined && !isExpr(v.name) && !REPO_NAME.test(String(v.name))) {
    out.push({ path: ['name'], message: 'a repository name has 1-100 letters, digits, ".", "-" or "_"' });
  }
  if (v.owner !== undefined && !isExpr(v.owner) && !OWNER.test(String(v.owner))) {
    out.push({ path: ['owner'], message: 'not a valid GitHub user or organization login' });
  }
  const seen = new Set<string>();
  (Array.isArray(v.branches) ? v.branches : []).forEach((b, i) => {
    if (b && typeof b.name === 'string' && !isExpr(b.name)) {
      if (seen.has(b.name)) out.push({ path: ['branches', i, 'name'], message: `branch ${b.name} is listed twice` });
      seen.add(b.name);
    }
  });
  for (const name of Object.keys(v.secrets && typeof v.secrets === 'object' ? v.secrets : {})) {
    if (!SECRET_NAME.test(name)) out.push({ path: ['secrets', name], message: 'a secret name has letters, digits and _, and does not start with a digit' });
    else if (/^GITHUB_/i.test(name)) out.push({ path: ['secrets', name], message: 'secret names must not start with GITHUB_' });
  }
  (Array.isArray(v.labels) ? v.labels : []).forEach((l, i) => {
    if (l?.color !== undefined && !isExpr(l.color) && !/^#?[0-9a-fA-F]{6}$/.test(String(l.color))) {
      out.push({ path: ['labels', i, 'color'], message: 'a label color is 6 hex digits, e.g. 0e8a16' });
    }
  });
  return out;
}
