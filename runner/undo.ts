/**
 * Undo in reverse topological order, from the journal.
 *
 * The applied set (see state.ts) says what to undo and how. A task's undo starts only after the
 * undos of every applied task that needs it (transitively) have finished; independent undos run
 * in parallel. When an undo fails, what it needs is left in place (and retried by the next
 * `undo`), unless `force`. A task without an undo step is reported as left in place once.
 */
import { PGraph } from 'p-graph';
import type { EventBus, UndoStatus } from './events.js';
import type { JournalWriter } from './journal.js';
import type { AppliedTask, JournalState } from './state.js';

export interface UndoPlan {
  tasks: AppliedTask[];
  /** For each task: the applied tasks whose undo must finish first (they need it). */
  after: Map<string, string[]>;
}

/** The needs graph across every journalled run (later runs override earlier definitions). */
function combinedNeeds(state: JournalState): Map<string, string[]> {
  const needs = new Map<string, string[]>();
  for (const run of state.runs) for (const [id, n] of run.needs) needs.set(id, n);
  for (const a of state.applied.values()) if (!needs.has(a.task)) needs.set(a.task, a.needs);
  return needs;
}

/** Work out what to undo and in which order. `include` narrows it (rollback: this run's chain). */
export function planUndo(state: JournalState, include?: (a: AppliedTask) => boolean): UndoPlan {
  const tasks = [...state.applied.values()].filter((a) => !include || include(a));
  const ids = new Set(tasks.map((t) => t.task));
  const needs = combinedNeeds(state);
  const dependents = new Map<string, string[]>();
  for (const [id, ns] of needs) for (const n of ns) dependents.set(n, [...(dependents.get(n) ?? []), id]);
  const after = new Map<string, string[]>();
  for (const t of tasks) {
    const seen = new Set<string>();
    const stack = [...(dependents.get(t.task) ?? [])];
    while (stack.length) {
      const id = stack.pop()!;
      if (seen.has(id) || id === t.task) continue;
      seen.add(id);
      stack.push(...(dependents.get(id) ?? []));
    }
    after.set(
      t.task,
      [...seen].filter((id) => ids.has(id)),
    );
  }
  // A playbook edited between runs could make two tasks each other's dependent: keep one order.
  for (const t of tasks) {
    for (const other of after.get(t.task)!) {
      const back = after.get(other)!;
      if (back.includes(t.task)) after.set(other, back.filter((x) => x !== t.task));
    }
  }
  // List tasks in the order they would be undone: each after everything in its `after`.
  const ordered: AppliedTask[] = [];
  const placed = new Set<string>();
  let pending = tasks;
  while (pending.length) {
    const ready = pending.filter((t) => after.get(t.task)!.every((d) => placed.has(d)));
    const batch = ready.length ? ready : [pending[0]];
    for (const t of batch) {
      ordered.push(t);
      placed.add(t.task);
    }
    pending = pending.filter((t) => !placed.has(t.task));
  }
  return { tasks: ordered, after };
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

export async function executeUndo(req: UndoRequest): Promise<UndoOutcome> {
  const { plan } = req;
  const started = req.now();
  const results = new Map<string, UndoStatus | 'blocked' | 'skipped'>();
  const why = new Map<string, string>();
  await req.journal.append({ type: 'undo-start', undo: req.undoId, ts: started, reason: req.reason, force: req.force, runs: [...new Set(plan.tasks.map((t) => t.run))] }, true);
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
