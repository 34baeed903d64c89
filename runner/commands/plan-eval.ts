/**
 * The evaluation behind `bootstrap plan`: what a run would do with each task, found READ-ONLY.
 * `when`, `unless` and preconditions are evaluated (their commands run: checks must not change
 * anything), kinds with `satisfied()` are asked, and the journal says which tasks a `--resume`
 * would skip. Anything that reads outputs or statuses of tasks that have not run yet is
 * "decided at run time".
 */
import path from 'node:path';
import { truthy, references, type Expr } from '../expr/index.js';
import { Graph, topoOrder } from '../graph.js';
import type { Check, Playbook, TaskDef, Template, ValueTemplate } from '../playbook/model.js';
import { describeExit, runProcess, succeeded } from '../process.js';
import type { Resolver } from '../resolve.js';
import { Masker } from '../secrets.js';
import { taskInputHash } from '../task-runner.js';
import { bashArgs } from '../shell/index.js';
import type { ShellTemplate } from '../shell/template.js';
import type { TaskRecord } from '../state.js';
import { createTaskContext } from '../../tasks/context.js';
import type { TaskKind } from '../../tasks/kind.js';

/** What a run would do with a task. */
export type PlanState = 'will-run' | 'run-time' | 'satisfied' | 'done' | 'skipped' | 'blocked';

export interface PlanItem {
  id: string;
  state: PlanState;
  /** Why (the check that decided, the precondition's message, what it waits for). */
  detail?: string;
}

export interface PlanInput {
  playbook: Playbook;
  kinds: ReadonlyMap<string, TaskKind>;
  /** A resolver over a context whose `tasks` this fills in as tasks are decided. */
  resolver: Resolver;
  env: Record<string, string | undefined>;
  stateDir: string;
  /** Successes journalled by the unfinished run (and the runs it resumed). */
  resumable: ReadonlyMap<string, TaskRecord & { definitionHash?: string }>;
  signal: AbortSignal;
  /** Registers a value to mask (credentials a kind reads). */
  secret?: (value: string) => void;
  /** Tasks checked at once (their commands run in parallel). Default 8. */
  concurrency?: number;
  /** Time limit of each check without a task timeout. Default 60 s. */
  checkTimeoutMs?: number;
}

type Refs = { all: boolean; tasks: Set<string> };

function exprTasks(e: Expr, into: Refs): void {
  for (const r of references(e)) {
    if (r.path[0] !== 'tasks') continue;
    if (r.path.length < 2) into.all = true;
    else into.tasks.add(r.path[1]);
  }
}

function templateRefs(t: Template | ShellTemplate | undefined, into: Refs): void {
  if (!t) return;
  for (const p of t.parts) if ('expr' in p) exprTasks(p.expr, into);
}

function valueRefs(v: ValueTemplate, into: Refs): void {
  if (v.kind === 'template') templateRefs(v.template, into);
  else if (v.kind === 'array') v.items.forEach((i) => valueRefs(i, into));
  else if (v.kind === 'object') v.entries.forEach(([, e]) => valueRefs(e, into));
}

function checkRefs(c: Check, into: Refs): void {
  templateRefs(c.kind === 'that' ? c.expr : c.script, into);
}

/** Tasks read by these parts whose outcome is not known yet (empty when all are known). */
function unknownReads(fill: (r: Refs) => void, known: ReadonlySet<string>, all: readonly string[]): string[] {
  const r: Refs = { all: false, tasks: new Set() };
  fill(r);
  const read = r.all ? all : [...r.tasks];
  return read.filter((t) => !known.has(t));
}

const oneLine = (s: string) => {
  const first = s.trim().split('\n')[0];
  return first.length > 70 ? first.slice(0, 67) + '...' : first;
};

/** Plan every task, in dependency order (independent checks run in parallel). */
export async function planTasks(input: PlanInput): Promise<PlanItem[]> {
  const { playbook } = input;
  const graph = new Graph(playbook.tasks.values());
  const ids = topoOrder(graph);
  const items = new Map<string, PlanItem>();
  /** Tasks whose status and outputs are known now (as a run would see them). */
  const known = new Set<string>();
  const done = new Map<string, Promise<void>>();
  const slot = limiter(input.concurrency ?? 8);
  const one = async (id: string): Promise<void> => {
    await Promise.all(graph.needs(id).map((n) => done.get(n)));
    const item = await slot(() => planTask(input, playbook.tasks.get(id)!, graph, items, known, ids));
    items.set(id, item);
  };
  for (const id of ids) done.set(id, one(id));
  await Promise.all(done.values());
  return playbook.tasks.size ? [...playbook.tasks.keys()].map((id) => items.get(id)!) : [];
}

/** Run at most `n` of the given functions at once. */
function limiter(n: number): <T>(fn: () => Promise<T>) => Promise<T> {
  let active = 0;
  const queue: Array<() => void> = [];
  return async (fn) => {
    // A freed slot is handed straight to the next waiter, so `active` never exceeds n.
    if (active >= n) await new Promise<void>((r) => queue.push(r));
    else active++;
    try {
      return await fn();
    } finally {
      const next = queue.shift();
      if (next) next();
      else active--;
    }
  };
}

async function planTask(input: PlanInput, task: TaskDef, graph: Graph, items: Map<string, PlanItem>, known: Set<string>, all: string[]): Promise<PlanItem> {
  const { resolver } = input;
  const ctx = resolver.ctx;
  const id = task.id;
  const mark = (status: string, outputs: Record<string, unknown> = {}) => {
    ctx.tasks[id] = { status, outputs };
    known.add(id);
  };
  const blockedNeed = task.needs.find((n) => items.get(n)?.state === 'blocked');
  if (blockedNeed) return { id, state: 'blocked', detail: `needs ${blockedNeed}, which is blocked` };
  const pendingAncestors = [...graph.ancestors(id)].filter((a) => ['will-run', 'run-time'].includes(items.get(a)?.state ?? ''));

  try {
    // 1. when
    if (task.when) {
      const unknown = unknownReads((r) => templateRefs(task.when, r), known, all);
      if (unknown.length) return { id, state: 'run-time', detail: `when reads ${unknown.map((t) => `tasks.${t}`).join(', ')}` };
      if (!truthy(resolver.template(task.when).value)) {
        mark('skipped');
        return { id, state: 'skipped', detail: `when: ${task.when.source}` };
      }
    }
    // 2. the journal: a resume skips journalled successes whose inputs are unchanged (the same
    // hash the run compares; if the inputs cannot be resolved yet, the definition decides).
    const prior = input.resumable.get(id);
    let unchanged = false;
    if (prior && !prior.secretOutputs?.length) {
      try {
        unchanged = taskInputHash({ resolver, kinds: input.kinds, masker: new Masker(), cwd: input.playbook.dir }, task) === prior.inputHash;
      } catch {
        unchanged = prior.definitionHash === task.hash;
      }
    }
    if (prior && unchanged) {
      mark('succeeded', prior.outputs ?? {});
      return { id, state: 'done', detail: 'journalled as succeeded in the unfinished run' };
    }
    // 3. unless, and the kind's own observation.
    if (task.unless) {
      const unknown = unknownReads((r) => checkRefs(task.unless!, r), known, all);
      if (unknown.length) return { id, state: 'run-time', detail: `unless reads ${unknown.map((t) => `tasks.${t}`).join(', ')}` };
      const r = await check(input, task, task.unless);
      if (r.ok) {
        mark('skipped');
        return { id, state: 'satisfied', detail: `unless: ${checkText(task.unless)}` };
      }
    }
    if (task.action.kind === 'uses') {
      const kind = input.kinds.get(task.action.uses);
      const action = task.action;
      if (kind?.satisfied && !unknownReads((r) => valueRefs(action.with, r), known, all).length) {
        const verdict = await askKind(input, task, kind, action.with);
        // Its outputs stay unknown: the kind runs (and finds nothing to do) to produce them.
        if (verdict === true) {
          return { id, state: 'satisfied', detail: `${kind.name} finds nothing to do` };
        }
        if (typeof verdict === 'string' && !pendingAncestors.length) return { id, state: 'will-run', detail: `could not ask ${kind.name}: ${verdict}` };
      }
    }
    // 4. preconditions
    for (const pre of task.preconditions) {
      const unknown = unknownReads((r) => checkRefs(pre, r), known, all);
      if (unknown.length) return { id, state: 'run-time', detail: `a precondition reads ${unknown.map((t) => `tasks.${t}`).join(', ')}` };
      const r = await check(input, task, pre);
      if (!r.ok) {
        const msg = pre.msg ?? `precondition \`${checkText(pre)}\` fails`;
        // Something that runs first may make it pass (it installs the tool, starts the daemon...).
        if (pendingAncestors.length) return { id, state: 'run-time', detail: `${msg} now; it may pass once ${pendingAncestors.join(', ')} ran` };
        return { id, state: 'blocked', detail: r.detail ? `${msg} (${r.detail})` : msg };
      }
    }
    return { id, state: 'will-run', detail: task.description };
  } catch (e) {
    if (input.signal.aborted) throw e;
    const message = (e as Error)?.message ?? String(e);
    if (pendingAncestors.length) return { id, state: 'run-time', detail: message };
    return { id, state: 'blocked', detail: `cannot be evaluated: ${message}` };
  }
}

function checkText(c: Check): string {
  return c.kind === 'that' ? c.expr.source : oneLine(c.script.source);
}

function taskEnv(input: PlanInput, task: TaskDef): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, t] of Object.entries(task.env)) env[k] = input.resolver.text(t).value;
  return env;
}

function taskCwd(input: PlanInput, task: TaskDef): string {
  if (!task.cwd) return input.playbook.dir;
  return path.resolve(input.playbook.dir, input.resolver.text(task.cwd).value);
}

/** A check (unless / precondition), exactly as a run does it. */
async function check(input: PlanInput, task: TaskDef, c: Check): Promise<{ ok: boolean; detail?: string }> {
  if (c.kind === 'that') return { ok: truthy(input.resolver.template(c.expr).value) };
  const s = input.resolver.shell(c.script);
  const result = await runProcess({
    file: 'bash',
    args: bashArgs(s.script),
    cwd: taskCwd(input, task),
    env: { ...input.env, ...taskEnv(input, task), ...s.env },
    signal: input.signal,
    timeoutMs: task.timeoutMs ?? input.checkTimeoutMs ?? 60_000,
    keepLines: 5,
  });
  if (succeeded(result)) return { ok: true };
  if (result.aborted) throw new Error('interrupted');
  const last = result.lastLines.filter((l) => l.trim()).slice(-1)[0];
  return { ok: false, detail: result.timedOut || result.spawnError ? describeExit(result, task.timeoutMs) : last };
}

/** Ask a kind whether its desired state is in place: true, false, or why it could not tell. */
async function askKind(input: PlanInput, task: TaskDef, kind: TaskKind, w: ValueTemplate): Promise<boolean | string> {
  try {
    const value = input.resolver.value(w).value;
    const ctx = createTaskContext({
      taskId: task.id,
      runId: 'plan',
      playbookDir: input.playbook.dir,
      stateDir: input.stateDir,
      env: { ...input.env, ...taskEnv(input, task) },
      signal: AbortSignal.any([input.signal, AbortSignal.timeout(task.timeoutMs ?? input.checkTimeoutMs ?? 60_000)]),
      remember: async () => {},
      secret: input.secret,
    });
    return await kind.satisfied!(value, ctx);
  } catch (e) {
    if (input.signal.aborted) throw e;
    return (e as Error)?.message ?? String(e);
  }
}
