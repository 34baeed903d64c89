/**
 * Human phrases for places in a playbook ("`needs` of task `x`") and for what is expected
 * there, used by the schema-error translator and the semantic checks.
 */
import type { Path } from './source.js';

/** `a.b[0].c` for a path below some field. */
export function dotted(path: Path): string {
  let s = '';
  for (const seg of path) s += typeof seg === 'number' ? `[${seg}]` : s ? `.${seg}` : String(seg);
  return s;
}

/** What a path is, as a noun phrase: "task `x`", "`needs` of task `x`", "var `a.b`". */
export function describePath(path: Path): string {
  const [head, name, field, ...rest] = path;
  if (path.length === 0) return 'the playbook';
  if (head === 'vars') {
    if (name === undefined) return '`vars`';
    if (field === undefined) return `var \`${name}\``;
    return `\`${dotted([field, ...rest])}\` of var \`${name}\``;
  }
  if (head === 'assert') {
    if (name === undefined) return '`assert`';
    const rule = `assert rule ${Number(name) + 1}`;
    return field === undefined ? rule : `\`${dotted([field, ...rest])}\` of ${rule}`;
  }
  if (head === 'tasks') {
    if (name === undefined) return '`tasks`';
    const task = `task \`${name}\``;
    if (field === undefined) return task;
    if (field === 'preconditions' && typeof rest[0] === 'number') {
      const pre = `precondition ${rest[0] + 1} of ${task}`;
      return rest.length > 1 ? `\`${dotted(rest.slice(1))}\` of ${pre}` : pre;
    }
    return `\`${dotted([field, ...rest])}\` of ${task}`;
  }
  return `\`${dotted(path)}\``;
}

/** Where unknown fields are reported: "in task `x`", "at the top level". */
export function describeContainer(path: Path): string {
  return path.length === 0 ? 'at the top level' : `in ${describePath(path)}`;
}

/** Paths with user-chosen names replaced by `*` and indexes by `#`. */
export function genericPath(path: Path): string {
  const out: string[] = [];
  path.forEach((seg, i) => {
    if (typeof seg === 'number') out.push('#');
    else if (i === 1 && (path[0] === 'vars' || path[0] === 'tasks')) out.push('*');
    else if (i === 3 && path[0] === 'tasks' && (path[2] === 'env' || path[2] === 'outputs')) out.push('*');
    else out.push(seg);
  });
  return out.join('.');
}

const DURATION = 'a duration such as 30s, 5m, 1h30m or 500ms, or a number of seconds';
const EXPRESSION = 'an expression: `${{ ... }}` or a bare expression such as `vars.x == \'a\'`, or true/false';

/** What is expected at a (generic) place of a playbook, for messages. */
export const EXPECTED: Readonly<Record<string, string>> = {
  '': 'a mapping with `name`, `tasks` and optionally `description`, `confirm`, `vars`, `assert`, `outputs`',
  name: 'a name of lowercase letters, digits and `-`, starting with a letter or digit (e.g. `kind-registry`)',
  description: 'a string',
  confirm: 'true or false',
  vars: 'a mapping from var name to var definition',
  'vars.*': 'a var definition: a mapping such as { type: string, default: x, description: ... }',
  'vars.*.type': 'one of string, integer, number, boolean, array, object',
  'vars.*.env': 'an environment variable name such as GITHUB_TOKEN',
  'vars.*.secret': 'true or false',
  'vars.*.required': 'true or false',
  'vars.*.prompt': 'a string',
  'vars.*.pattern': 'a regular expression',
  'vars.*.enum': 'a list of allowed values',
  assert: 'a list of rules, each { that, msg }',
  'assert.#': 'a rule { that: <expression>, msg: <message> }',
  'assert.#.that': EXPRESSION,
  'assert.#.msg': 'a message',
  outputs: 'a mapping from output name to a value (strings may contain `${{ }}`; nested mappings and lists allowed)',
  tasks: 'a mapping from task id to task',
  'tasks.*': 'a task: a mapping with `run` (a shell command) or `uses` + `with` (a task kind)',
  'tasks.*.needs': 'a list of task ids, or one task id',
  'tasks.*.needs.#': 'a task id',
  'tasks.*.when': EXPRESSION,
  'tasks.*.preconditions': 'a list of checks, each { run, msg } or { that, msg }',
  'tasks.*.preconditions.#': 'a check: { run: <command>, msg: <message> } or { that: <expression>, msg: <message> }',
  'tasks.*.preconditions.#.run': 'a shell command',
  'tasks.*.preconditions.#.that': EXPRESSION,
  'tasks.*.preconditions.#.msg': 'a message',
  'tasks.*.unless': 'a shell command, or an expression written as one `${{ ... }}`, or true/false',
  'tasks.*.run': 'a shell command',
  'tasks.*.uses': 'the name of a task kind',
  'tasks.*.undo': 'a shell command, or false to turn undo off',
  'tasks.*.env': 'a mapping from environment variable name to string',
  'tasks.*.env.*': 'a string',
  'tasks.*.cwd': 'a directory path',
  'tasks.*.timeout': DURATION,
  'tasks.*.retries': 'an integer from 0 to 100',
  'tasks.*.retry-delay': DURATION,
  'tasks.*.outputs': 'a list of output names, or a mapping from output name to { description, secret }',
  'tasks.*.outputs.*': 'an output definition { description, secret } (or nothing)',
  'tasks.*.outputs.#': 'an output name (letters, digits, `_` and `-`)',
};

/** The expected phrase for a concrete path of a playbook, if there is one. */
export function expectedAt(path: Path): string | undefined {
  return EXPECTED[genericPath(path)];
}

/** What a value is, for "got ..." in messages. */
export function describeValue(v: unknown): string {
  if (v === null || v === undefined) return 'nothing (null)';
  if (Array.isArray(v)) return 'a list';
  switch (typeof v) {
    case 'string':
      return v.length > 40 ? 'a string' : `the string ${JSON.stringify(v)}`;
    case 'number':
      return `the number ${v}`;
    case 'boolean':
      return `\`${v}\``;
    case 'object':
      return 'a mapping';
    default:
      return typeof v;
  }
}

/** "a string", "an integer", "a list"... for a JSON type name. */
export function typePhrase(type: string): string {
  switch (type) {
    case 'array':
      return 'a list';
    case 'object':
      return 'a mapping';
    case 'integer':
      return 'an integer';
    case 'null':
      return 'null';
    case 'boolean':
      return 'true or false';
    default:
      return `a ${type}`;
  }
}
