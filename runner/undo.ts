/**
 * Undo in reverse topological order, from the journal.
 *
 * The applied set (see state.ts) says what to undo and how. A task's undo starts only after the
 * undos of every applied task that needs it (directly or through tasks not being undone) have
 * finished; independent undos run
 * in parallel. When an undo fails, what it needs is left in place (and retried by the next
 * `undo`), unless `force`. A task without an undo step is reported as left in place once.
 */
import { PGraph } from 'p-graph';
import type { EventBus, UndoStatus } from './events.js';
import type { JournalWriter } from './journal.js';
import { holdingLoop } from './process.js';
import type { AppliedTask, JournalState } from './state.js';

export interface UndoPlan {
  tasks: AppliedTask[];
  /**
   * For each task: the applied tasks whose undo must finish first, the nearest ones (they need
   * it, directly or through tasks not being undone); the rest follows transitively.
   */
  after: Map<string, string[]>;
}

/** The needs graph across every journalled run (later runs override earlier definitions). */
function combinedNeeds(state: JournalState): Map<string, string[]> {
  const needs = new Map<string, string[]>();
  for (const run of state.runs) for (const [id, n] of run.needs) needs.set(id, n);
  for (const a of state.applied.values()) if (!needs.has(a.task)) needs.set(a.task, a.needs);
  return needs;
}

/**
 * Work out what to undo and in which order. `include` narrows it (rollback: this run's chain).
 *
 * `after` holds, for each task, its nearest applied dependents: walking the needs graph
 * upwards through tasks that are not being undone, stopping at each one that is. Those edges
 * imply every transitive constraint (an applied dependent further up waits for the nearer one),
 * and stay linear in the size of the graph where the transitive closure would be quadratic.
 */
export function planUndo(state: JournalState, include?: (a: AppliedTask) => boolean): UndoPlan {
  const tasks = [...state.applied.values()].filter((a) => !include || include(a));
  const ids = new Set(tasks.map((t) => t.task));
  const dependents = new Map<string, string[]>();
  for (const [id, ns] of combinedNeeds(state)) for (const n of ns) (dependents.get(n) ?? dependents.set(n, []).get(n)!).push(id);
  const after = new Map<string, string[]>();
  for (const t of tasks) {
    const nearest: string[] = [];
    const seen = new Set<string>([t.task]);
    const stack = [...(dependents.get(t.task) ?? [])];
    while (stack.length) {
      const id = stack.pop()!;
      if (seen.has(id)) continue;
      seen.add(id);
      if (ids.has(id)) nearest.push(id);
      else stack.push(...(dependents.get(id) ?? []));
    }
    after.set(t.task, nearest);
  }
  breakCycles(tasks, after);
  // List tasks in the order they would be undone: by level (1 + the deepest level of what must
  // go first), journal order within a level.
  const level = new Map<string, number>();
  for (const root of tasks) {
    // Iterative depth-first (chains can be 10,000 tasks long): a level once all `after` have one.
    const stack = [root.task];
    while (stack.length) {
      const id = stack[stack.length - 1]!;
      if (level.has(id)) {
        stack.pop();
        continue;
      }
      const pending = (after.get(id) ?? []).filter((d) => !level.has(d));
      if (pending.length) stack.push(...pending);
      else {
        level.set(id, Math.max(-1, ...(after.get(id) ?? []).map((d) => level.get(d)!)) + 1);
        stack.pop();
      }
    }
  }
  const ordered = tasks.map((t, i) => ({ t, i, l: level.get(t.task)! })).sort((a, b) => a.l - b.l || a.i - b.i).map((x) => x.t);
  return { tasks: ordered, after };
}

/**
 * A playbook edited between runs can make tasks of different runs need each other in a circle:
 * drop the edges that close a circle (depth-first, in journal order) so that undo has an order.
 */
function breakCycles(tasks: AppliedTask[], after: Map<string, string[]>): void {
  const state = new Map<string, 'open' | 'done'>();
  for (const root of tasks) {
    if (state.has(root.task)) continue;
    const stack: Array<{ id: string; i: number }> = [{ id: root.task, i: 0 }];
    state.set(root.task, 'open');
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      const next = after.get(top.id)!;
      if (top.i >= next.length) {
        state.set(top.id, 'done');
        stack.pop();
        continue;
      }
      const d = next[top.i]!;
      if (state.get(d) === 'open') next.splice(top.i, 1); // closes a circle
      else {
        top.i++;
        if (!state.has(d)) {
          state.set(d, 'open');
          stack.push({ id: d, i: 0 });
        }
      }
    }
  }
}

export type UndoStepResult = { status: 'undone' } | { status: 'undo-failed'; error: string } | { status: 'left-in-place'; error: string };

export interface UndoRequest {
  plan: UndoPlan;
  undoId: string;
  reason: 'undo' | 'rollback';
  force: boolean;
  concurrency: number;
  signal: AbortSignal;
  journal: JournalWriter;
  bus: EventBus;
  now: () => number;
  /** Runs one task's undo step. Never rejects (a rejection counts as undo-failed). */
  step: (a: AppliedTask) => Promise<UndoStepResult>;
}

export interface UndoOutcome {
  status: 'succeeded' | 'failed' | 'interrupted';
  undone: string[];
  failed: string[];
  /** Not undone: no undo step, or blocked by a failed undo of something that needs it. */
  leftInPlace: string[];
  /** Why each left-in-place task was left. */
  why: Map<string, string>;
}

export function executeUndo(req: UndoRequest): Promise<UndoOutcome> {
  return holdingLoop(() => undoPlan(req));
}

async function undoPlan(req: UndoRequest): Promise<UndoOutcome> {
  const { plan } = req;
  const started = req.now();
  const results = new Map<string, UndoStatus | 'blocked' | 'skipped'>();
  const why = new Map<string, string>();
  // Not synced on its own (as a run's run-start): nothing is undone yet, and each undo syncs its
  // own start record, written after this one (so does undo-end).
  await req.journal.append({ type: 'undo-start', undo: req.undoId, ts: started, reason: req.reason, force: req.force, runs: [...new Set(plan.tasks.map((t) => t.run))] }, false);
  req.bus.emit({ type: 'undo-started', undoId: req.undoId, reason: req.reason, tasks: plan.tasks.map((t) => ({ id: t.task, after: plan.after.get(t.task) ?? [] })) });

  const byId = new Map(plan.tasks.map((t) => [t.task, t]));
  const undoOne = async (id: string) => {
    const a = byId.get(id)!;
    if (req.signal.aborted) {
      results.set(id, 'skipped');
      return;
    }
    if (!req.force) {
      const blocker = (req.plan.after.get(id) ?? []).find((d) => {
        const r = results.get(d);
        return r === 'undo-failed' || r === 'blocked' || r === 'skipped';
      });
      if (blocker) {
        results.set(id, 'blocked');
        why.set(id, `left in place: ${blocker} (which needs it) was not undone`);
        req.bus.emit({ type: 'task-undo-finished', task: id, status: 'left-in-place', durationMs: 0, error: why.get(id) });
        return;
      }
    }
    const t0 = req.now();
    if (a.undo === null || a.undo === undefined || a.undo.kind === 'none') {
      const error = 'no undo step';
      await req.journal.append({ type: 'task-undo-end', undo: req.undoId, task: id, run: a.run, status: 'left-in-place', ts: t0, durationMs: 0, error }, true);
      req.bus.emit({ type: 'task-undo-finished', task: id, status: 'left-in-place', durationMs: 0, error });
      results.set(id, 'left-in-place');
      why.set(id, `left in place: ${error}`);
      return;
    }
    await req.journal.append({ type: 'task-undo-start', undo: req.undoId, task: id, run: a.run, ts: t0 }, true);
    req.bus.emit({ type: 'task-undo-started', task: id, attempt: 1 });
    let r: UndoStepResult;
    try {
      r = await req.step(a);
    } catch (e) {
      r = { status: 'undo-failed', error: `internal error: ${(e as Error)?.message ?? String(e)}` };
    }
    if (req.signal.aborted && r.status !== 'undone') r = { status: 'undo-failed', error: 'interrupted' };
    const t1 = req.now();
    const error = r.status === 'undone' ? undefined : r.error;
    await req.journal.append({ type: 'task-undo-end', undo: req.undoId, task: id, run: a.run, status: r.status, ts: t1, durationMs: t1 - t0, error }, true);
    if (r.status === 'undo-failed') req.bus.emit({ type: 'log', level: 'error', task: id, message: `undo of ${id} failed: ${error}` });
    req.bus.emit({ type: 'task-undo-finished', task: id, status: r.status, durationMs: t1 - t0, error });
    results.set(id, r.status);
    if (r.status === 'left-in-place') why.set(id, `left in place: ${r.error}`);
  };

  const nodes = new Map(plan.tasks.map((t) => [t.task, { run: () => undoOne(t.task) }] as const));
  const edges: Array<[string, string]> = [];
  for (const t of plan.tasks) for (const d of plan.after.get(t.task) ?? []) edges.push([d, t.task]);
  if (nodes.size) await new PGraph(nodes, edges).run({ concurrency: Math.max(1, req.concurrency) });

  const pick = (...s: string[]) => plan.tasks.map((t) => t.task).filter((id) => s.includes(results.get(id) ?? 'skipped'));
  const undone = pick('undone');
  const failed = pick('undo-failed');
  const leftInPlace = pick('left-in-place', 'blocked');
  const status = req.signal.aborted ? 'interrupted' : failed.length ? 'failed' : 'succeeded';
  await req.journal.append({ type: 'undo-end', undo: req.undoId, status, ts: req.now() }, true);
  req.bus.emit({ type: 'undo-finished', undoId: req.undoId, status, durationMs: req.now() - started, undone, failed, leftInPlace, reasons: Object.fromEntries(why) });
  return { status, undone, failed, leftInPlace, why };
}
