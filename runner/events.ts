/**
 * Everything that happens during a run or an undo, as one typed union.
 *
 * The engine emits these; reporters (tty, plain, json, log file, html) render them.
 * Nothing in runner/ or tasks/ prints. The `--json` output is exactly this union,
 * one event per line, each with `v` = {@link EVENT_SCHEMA_VERSION}.
 */

/** Version of the event schema (`schemas/events.schema.json`). Bump on incompatible change. */
export const EVENT_SCHEMA_VERSION = 1;

/** Final states of a task in a run. */
export type TaskStatus = 'succeeded' | 'failed' | 'skipped';
/** Why a task was skipped. `condition`: `when` was false; `satisfied`: `unless` said the work is done. */
export type SkipReason = 'condition' | 'satisfied';
/** Why a task failed. */
export type FailReason = 'error' | 'precondition' | 'timeout' | 'interrupted';
/** Final states of a task's undo. */
export type UndoStatus = 'undone' | 'undo-failed' | 'left-in-place';

/** Every state a task can be in, run and undo together (the one lifecycle enum). */
export type TaskState =
  | 'pending'
  | 'running'
  | 'succeeded'
  | 'failed'
  | 'skipped(condition)'
  | 'skipped(satisfied)'
  | 'undoing'
  | 'undone'
  | 'undo-failed';

export type RunStatus = 'succeeded' | 'failed' | 'interrupted';
export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

interface Base {
  /** Milliseconds since the epoch. */
  ts: number;
}

export interface RunStartedEvent extends Base {
  type: 'run-started';
  runId: string;
  playbook: { name: string; file: string };
  /** Set when this run resumes an earlier one. */
  resumeOf?: string;
  stateDir: string;
  concurrency: number;
  tasks: Array<{ id: string; needs: string[] }>;
}

export interface TaskStartedEvent extends Base {
  type: 'task-started';
  task: string;
  attempt: number;
  /** Attempts allowed (retries + 1); absent for undo. */
  maxAttempts?: number;
  /** The task's timeout, if it has one. */
  timeoutMs?: number;
}

export interface TaskOutputEvent extends Base {
  type: 'task-output';
  task: string;
  stream: 'stdout' | 'stderr';
  line: string;
  /** `undo` when the line comes from the task's undo step. */
  phase?: 'run' | 'undo';
}

export interface TaskProgressEvent extends Base {
  type: 'task-progress';
  task: string;
  message: string;
}

export interface TaskRetryEvent extends Base {
  type: 'task-retry';
  task: string;
  /** The attempt that failed (1-based). */
  attempt: number;
  maxAttempts: number;
  delayMs: number;
  error: string;
}

export interface TaskFinishedEvent extends Base {
  type: 'task-finished';
  task: string;
  status: TaskStatus;
  reason?: SkipReason | FailReason;
  /** True when a journalled success was restored by `--resume` instead of running again. */
  restored?: boolean;
  durationMs: number;
  attempts: number;
  error?: string;
  outputs?: Record<string, unknown>;
}

export interface RunFinishedEvent extends Base {
  type: 'run-finished';
  runId: string;
  status: RunStatus;
  durationMs: number;
  /** Sum of task durations: what the run would have taken one task at a time. */
  sumOfTaskMs: number;
  /** The chain of tasks that bounded the run's length, first to last. */
  criticalPath: string[];
  counts: Record<TaskStatus | 'not-run', number>;
  failed: Array<{ task: string; error: string; lastLines: string[] }>;
}

export interface UndoStartedEvent extends Base {
  type: 'undo-started';
  undoId: string;
  /** Tasks to undo, with the tasks each must wait for. */
  tasks: Array<{ id: string; after: string[] }>;
  reason: 'undo' | 'rollback';
}

export interface TaskUndoStartedEvent extends Base {
  type: 'task-undo-started';
  task: string;
  attempt: number;
}

export interface TaskUndoFinishedEvent extends Base {
  type: 'task-undo-finished';
  task: string;
  status: UndoStatus;
  durationMs: number;
  error?: string;
}

export interface UndoFinishedEvent extends Base {
  type: 'undo-finished';
  undoId: string;
  status: 'succeeded' | 'failed' | 'interrupted';
  durationMs: number;
  undone: string[];
  failed: string[];
  /** Tasks not undone because something that needs them could not be undone. */
  leftInPlace: string[];
  /** Why each task in `leftInPlace` (or `failed`) was not undone. */
  reasons: Record<string, string>;
}

export interface LogEvent extends Base {
  type: 'log';
  level: LogLevel;
  message: string;
  task?: string;
}

export type BootstrapEvent =
  | RunStartedEvent
  | TaskStartedEvent
  | TaskOutputEvent
  | TaskProgressEvent
  | TaskRetryEvent
  | TaskFinishedEvent
  | RunFinishedEvent
  | UndoStartedEvent
  | TaskUndoStartedEvent
  | TaskUndoFinishedEvent
  | UndoFinishedEvent
  | LogEvent;

/** Distributive Omit, so `emit({ type: ..., ... })` type-checks per member. */
export type EventInput = BootstrapEvent extends infer E ? (E extends BootstrapEvent ? Omit<E, 'ts'> & { ts?: number } : never) : never;

/** Something that renders events. */
export interface Reporter {
  log(event: BootstrapEvent): void;
  /** Called once at the end; flush and release resources. */
  close?(): Promise<void> | void;
}

/** Fan-out of events to reporters, with secrets masked before anything leaves the engine. */
export class EventBus {
  private readonly reporters: Reporter[] = [];
  constructor(private readonly mask: (value: unknown) => unknown = (v) => v, private readonly now: () => number = Date.now) {}

  add(reporter: Reporter): this {
    this.reporters.push(reporter);
    return this;
  }

  /** `input` must be a fresh object (every caller passes a literal): it gets `ts` if it has none. */
  emit(input: EventInput): void {
    if (input.ts === undefined) input.ts = this.now(); // not a copy per event (~3 per task)
    const event = this.mask(input) as BootstrapEvent;
    for (const r of this.reporters) r.log(event);
  }

  async close(): Promise<void> {
    for (const r of this.reporters) await r.close?.();
  }
}
