/**
 * Checks what each expression reads: known contexts, declared vars, existing tasks, outputs
 * declared by the task read, and that a task reads only tasks upstream of it (through
 * `needs`). Also records which vars are used, and what each var default reads.
 */
import { references } from '../expr/index.js';
import type { Diagnostic } from './diagnostics.js';
import { describePath } from './describe.js';
import type { SourceDoc } from './source.js';
import { didYouMean } from './suggest.js';
import type { ExprUse } from './templates.js';

/** What the checker knows about a task. */
export interface TaskInfo {
  /** Declared outputs; undefined when unknown (e.g. an unknown kind), so reads are not checked. */
  outputs?: ReadonlySet<string>;
  /** `shell` tasks declare outputs in the playbook; kind tasks get the kind's. */
  kind?: string;
  /** Every task upstream of this one, transitively through `needs`. */
  upstream: ReadonlySet<string>;
}

export interface ReferenceEnv {
  vars: ReadonlySet<string>;
  tasks: ReadonlyMap<string, TaskInfo>;
}

const PLAYBOOK_FIELDS = ['dir', 'name', 'file'];
const TASK_FIELDS = ['outputs', 'status'];

/** The declared vars that a `vars.<...>` path reads (a var, something inside it, or a group). */
export function varsRead(rest: readonly string[], vars: ReadonlySet<string>): string[] | undefined {
  if (rest.length === 0) return [...vars];
  for (let k = rest.length; k >= 1; k--) {
    const name = rest.slice(0, k).join('.');
    if (vars.has(name)) return [name];
  }
  const prefix = rest.join('.') + '.';
  const group = [...vars].filter((v) => v.startsWith(prefix));
  return group.length ? group : undefined;
}

/** Results of the check, besides the diagnostics. */
export interface ReferenceResult {
  /** Vars read anywhere. */
  usedVars: Set<string>;
  /** For each var with a template default, the vars that default reads. */
  varDeps: Map<string, string[]>;
}

/** Checks every recorded expression use, pushing diagnostics. */
export function checkReferences(
  src: SourceDoc,
  uses: readonly ExprUse[],
  env: ReferenceEnv,
  diags: Diagnostic[],
): ReferenceResult {
  const usedVars = new Set<string>();
  const varDeps = new Map<string, string[]>();
  for (const use of uses) {
    for (const ref of references(use.expr)) {
      const report = (message: string, hint?: string) =>
        diags.push(
          src.diagAt(src.spanIn(use.path, use.offset + ref.start, ref.end - ref.start), message, hint ? { hint } : {}),
        );
      const [ctx, ...rest] = ref.path as [string, ...string[]];
      const where = describePath(use.path);
      if (!use.scope.contexts.has(ctx)) {
        const names = [...use.scope.contexts].map((c) => `\`${c}\``);
        const allowed = names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}` : names[0];
        report(`${where}: \`${ctx}\` cannot be used ${use.scope.where ?? 'here'}; only ${allowed} are available`);
        continue;
      }
      if (ctx === 'vars') {
        const read = varsRead(rest, env.vars);
        if (!read) {
          const name = rest.join('.');
          report(`${where}: unknown var \`${name}\`${didYouMean(name, env.vars)}`, 'declare it under `vars:`');
          continue;
        }
        for (const v of read) usedVars.add(v);
        if (use.scope.varName !== undefined)
          varDeps.set(use.scope.varName, [...(varDeps.get(use.scope.varName) ?? []), ...read]);
      } else if (ctx === 'tasks') {
        checkTaskRef(rest, use, env, where, report);
      } else if (ctx === 'playbook') {
        if (rest[0] !== undefined && !PLAYBOOK_FIELDS.includes(rest[0]))
          report(
            `${where}: unknown field \`${rest[0]}\` of \`playbook\`${didYouMean(rest[0], PLAYBOOK_FIELDS)}`,
            'available: `playbook.dir`, `playbook.name`, `playbook.file`',
          );
      } else if (ctx === 'run') {
        if (rest[0] !== undefined && rest[0] !== 'id')
          report(`${where}: unknown field \`${rest[0]}\` of \`run\`${didYouMean(rest[0], ['id'])}`, 'available: `run.id`');
      }
      // env.X is always allowed.
    }
  }
  return { usedVars, varDeps };
}

function checkTaskRef(
  rest: readonly string[],
  use: ExprUse,
  env: ReferenceEnv,
  where: string,
  report: (message: string, hint?: string) => void,
): void {
  const [task, field, output] = rest;
  if (task === undefined) return;
  const info = env.tasks.get(task);
  if (!info) {
    report(`${where}: unknown task \`${task}\`${didYouMean(task, env.tasks.keys())}`);
    return;
  }
  if (field !== undefined && !TASK_FIELDS.includes(field)) {
    report(
      `${where}: unknown field \`${field}\` of \`tasks.${task}\`${didYouMean(field, TASK_FIELDS)}`,
      'available: `tasks.<id>.outputs.<name>` and `tasks.<id>.status`',
    );
    return;
  }
  const reader = use.scope.task;
  const what = field === 'status' ? 'the status of' : 'outputs of';
  if (reader !== undefined) {
    if (task === reader) {
      if (!(use.scope.ownOutputs && field === 'outputs'))
        report(
          `${where}: task \`${reader}\` reads ${what} itself`,
          field === 'outputs' ? 'a task can read its own outputs only in its `undo`' : undefined,
        );
    } else if (!env.tasks.get(reader)?.upstream.has(task)) {
      report(`task \`${reader}\` reads ${what} \`${task}\` but does not need it (add \`${task}\` to needs)`);
    }
  }
  if (field === 'outputs' && output !== undefined && info.outputs && !info.outputs.has(output)) {
    const declared = [...info.outputs];
    const hint = info.kind
      ? `task kind \`${info.kind}\` sets ${declared.length ? declared.map((o) => `\`${o}\``).join(', ') : 'no outputs'}`
      : `declare it in \`outputs\` of task \`${task}\` (and write \`${output}=...\` to $BOOTSTRAP_OUTPUT)`;
    report(`${where}: task \`${task}\` has no output \`${output}\`${didYouMean(output, declared)}`, hint);
  }
}
