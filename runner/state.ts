/**
 * Replay of the journal into state: the runs and what each task did, the unfinished run that
 * `--resume` continues, and the applied set that `undo` reverses.
 *
 * The applied set holds, per task, the latest thing a run did that is not undone yet: a
 * success, or a start that never succeeded (failed, timed out, interrupted, crashed), with
 * the undo step resolved when it ran and every note the task remembered.
 */
import type { FailReason, RunStatus, SkipReason, TaskStatus } from './events.js';
import type { JournalRecord, JournalledVar, UndoSpec } from './journal.js';

export interface TaskRecord {
  status: TaskStatus | 'running';
  reason?: SkipReason | FailReason;
  attempts: number;
  start?: number;
  end?: number;
  durationMs?: number;
  error?: string;
  outputs?: Record<string, unknown>;
  secretOutputs?: string[];
  inputHash?: string;
  restored?: boolean;
  pid?: number;
}

export interface RunRecord {
  id: string;
  start: number;
  end?: number;
  /** `incomplete`: no run-end record (still running, or the process died). */
  status: RunStatus | 'incomplete';
  resumeOf?: string;
  playbook: { name: string; file: string; hash: string };
  needs: Map<string, string[]>;
  hashes: Map<string, string>;
  vars: Record<string, JournalledVar>;
  tasks: Map<string, TaskRecord>;
  argv: string[];
  cwd?: string;
  /** Set when an undo started after this run (it is then closed). */
  undoneBy?: string;
}

export interface AppliedTask {
  task: string;
  /** The run whose start or success this is. */
  run: string;
  needs: string[];
  /** The undo step; undefined when the start was journalled without one. */
  undo?: UndoSpec | null;
  /** True when the task's command started but did not succeed. */
  partial: boolean;
  notes: Record<string, unknown>;
  outputs?: Record<string, unknown>;
  /** Process group of the last spawn, to clean up after a crash. */
  pid?: number;
  lastUndoError?: string;
}

export interface UndoRecord {
  id: string;
  start: number;
  end?: number;
  reason: 'undo' | 'rollback';
  status: 'succeeded' | 'failed' | 'interrupted' | 'incomplete';
  tasks: Map<string, { status: 'undoing' | 'undone' | 'undo-failed' | 'left-in-place'; start: number; end?: number; error?: string; pid?: number }>;
}

export interface JournalState {
  runs: RunRecord[];
  undos: UndoRecord[];
  applied: Map<string, AppliedTask>;
  /** ERROR messages journalled, newest last. */
  errors: Array<{ ts: number; message: string; task?: string; run?: string }>;
}

/** Fold journal records into state. Unknown record types are ignored (forward compatible). */
export function replay(records: readonly JournalRecord[]): JournalState {
  const fold = new StateFold();
  for (const r of records) fold.add(r);
  return fold.state();
}

/**
 * The fold behind {@link replay}, one record at a time: a run feeds it each record as the
 * journal writes it, so that the state after the run (for report.html) needs no second reading
 * of the journal.
 */
export class StateFold {
  private readonly runs = new Map<string, RunRecord>();
  private readonly undos = new Map<string, UndoRecord>();
  private readonly applied = new Map<string, AppliedTask>();
  private readonly errors: JournalState['errors'] = [];
  private lastRun: RunRecord | undefined;

  /** The state after every record added so far (its maps are the fold's own: read, don't keep). */
  state(): JournalState {
    return { runs: [...this.runs.values()], undos: [...this.undos.values()], applied: this.applied, errors: this.errors };
  }

  add(r: JournalRecord): void {
    const { runs, undos, applied, errors } = this;
    switch (r.type) {
      case 'run-start': {
        const run: RunRecord = {
          id: r.run,
          start: r.ts,
          status: 'incomplete',
          resumeOf: r.resumeOf,
          playbook: r.playbook,
          needs: new Map(r.tasks.map((t) => [t.id, t.needs])),
          hashes: new Map(r.tasks.map((t) => [t.id, t.hash])),
          vars: r.vars ?? {},
          tasks: new Map(),
          argv: r.argv ?? [],
          cwd: r.cwd,
        };
        runs.set(r.run, run);
        this.lastRun = run;
        break;
      }
      case 'task-start': {
        const run = runs.get(r.run);
        if (!run) break;
        const prev = run.tasks.get(r.task);
        run.tasks.set(r.task, { status: 'running', attempts: r.attempt, start: prev?.start ?? r.ts, inputHash: r.inputHash });
        const old = applied.get(r.task);
        // A start with no undo step leaves nothing to undo unless an earlier success did.
        if ((r.undo === null || r.undo?.kind === 'none') && !old) break;
        applied.set(r.task, {
          task: r.task,
          run: r.run,
          needs: run.needs.get(r.task) ?? [],
          undo: r.undo === undefined ? old?.undo : r.undo,
          partial: true,
          notes: { ...(old?.notes ?? {}) },
          outputs: undefined,
        });
        break;
      }
      case 'task-spawn': {
        const t = runs.get(r.run)?.tasks.get(r.task);
        if (t) t.pid = r.pid;
        const a = applied.get(r.task);
        if (a && a.run === r.run) a.pid = r.pid;
        break;
      }
      case 'task-note': {
        const a = applied.get(r.task);
        if (a) Object.assign(a.notes, r.note);
        break;
      }
      case 'task-end': {
        const run = runs.get(r.run);
        if (!run) break;
        const prev = run.tasks.get(r.task);
        run.tasks.set(r.task, {
          status: r.status,
          reason: r.reason,
          attempts: r.attempts,
          start: prev?.start ?? r.ts - r.durationMs,
          end: r.ts,
          durationMs: r.durationMs,
          error: r.error,
          outputs: r.outputs,
          secretOutputs: r.secretOutputs,
          inputHash: r.inputHash ?? prev?.inputHash,
          restored: r.restored,
          pid: prev?.pid,
        });
        if (r.status === 'succeeded' && !r.restored) {
          const a = applied.get(r.task);
          const notes = a?.notes ?? {};
          const undo = r.undo !== undefined ? r.undo : a?.undo;
          if (undo === null && Object.keys(notes).length === 0) {
            applied.delete(r.task);
          } else {
            applied.set(r.task, {
              task: r.task,
              run: r.run,
              needs: run.needs.get(r.task) ?? [],
              undo,
              partial: false,
              notes,
              outputs: r.outputs,
            });
          }
        }
        break;
      }
      case 'run-end': {
        const run = runs.get(r.run);
        if (run) {
          run.status = r.status;
          run.end = r.ts;
        }
        break;
      }
      case 'undo-start': {
        undos.set(r.undo, { id: r.undo, start: r.ts, reason: r.reason, status: 'incomplete', tasks: new Map() });
        if (this.lastRun && !this.lastRun.undoneBy) this.lastRun.undoneBy = r.undo;
        break;
      }
      case 'task-undo-start': {
        undos.get(r.undo)?.tasks.set(r.task, { status: 'undoing', start: r.ts });
        break;
      }
      case 'task-undo-spawn': {
        const u = undos.get(r.undo)?.tasks.get(r.task);
        if (u) u.pid = r.pid;
        break;
      }
      case 'task-undo-end': {
        const u = undos.get(r.undo)?.tasks.get(r.task);
        if (u) Object.assign(u, { status: r.status, end: r.ts, error: r.error });
        const a = applied.get(r.task);
        if (a && a.run === r.run) {
          if (r.status === 'undo-failed') a.lastUndoError = r.error;
          else applied.delete(r.task);
        }
        break;
      }
      case 'undo-end': {
        const u = undos.get(r.undo);
        if (u) {
          u.status = r.status;
          u.end = r.ts;
        }
        break;
      }
      case 'log':
        errors.push({ ts: r.ts, message: r.message, task: r.task, run: r.run });
        break;
    }
  }
}

/**
 * The run `--resume` would continue: the latest run, when it did not succeed and no undo
 * started after it.
 */
export function unfinishedRun(state: JournalState): RunRecord | undefined {
  const last = state.runs[state.runs.length - 1];
  if (!last || last.status === 'succeeded' || last.undoneBy) return undefined;
  return last;
}

/** Ids of a run and every run it resumed, newest first. */
export function resumeChain(state: JournalState, runId: string): string[] {
  const byId = new Map(state.runs.map((r) => [r.id, r]));
  const chain: string[] = [];
  let cur = byId.get(runId);
  while (cur && !chain.includes(cur.id)) {
    chain.push(cur.id);
    cur = cur.resumeOf ? byId.get(cur.resumeOf) : undefined;
  }
  return chain;
}
