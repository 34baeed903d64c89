/**
 * The task-kind interface. A kind is what `uses:` names in a playbook: it declares the JSON
 * Schema of its `with`, the outputs it produces, and how to run and undo it.
 *
 * Kinds receive everything they touch through {@link TaskContext} (processes, HTTP, clock,
 * logging, durable notes), so tests hand them fakes and the product hands them the real thing.
 * Kinds never print and never call `process.exit`; an unexpected throw is converted into a task
 * failure at the boundary, so no kind can crash the scheduler.
 */
import type { ProcessOptions, ProcessResult } from '../runner/process.js';

/** A JSON Schema (draft 2020-12 subset understood by ajv). */
export type JSONSchema = Record<string, unknown>;

/** What a kind's run returns. */
export interface KindResult {
  /** Values for `tasks.<id>.outputs.<name>`; names must be declared in {@link TaskKind.outputs}. */
  outputs?: Record<string, unknown>;
  /**
   * What undo needs to know about what this run did (journalled, so no secrets).
   * `null` means nothing was created (e.g. the resource already existed): undo does nothing.
   * Omitted means "undo with the `with` only".
   */
  undo?: Record<string, unknown> | null;
  /** A human summary shown in the run's output ("cluster created", "already present"). */
  summary?: string;
}

/** An expected failure of a kind: a message for the user, and optionally a hint. */
export class TaskError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
    /** Do not retry this failure even if the task has `retries` (e.g. bad credentials). */
    readonly permanent = false,
  ) {
    super(message);
    this.name = 'TaskError';
  }
}

/** Options for {@link TaskContext.exec}: argv, never a shell. */
export interface ExecOptions {
  cwd?: string;
  /** Added to the task's environment. */
  env?: Record<string, string | undefined>;
  input?: string;
  timeoutMs?: number;
  /** Keep the whole stdout (for parsing). Default true for exec. */
  captureStdout?: boolean;
  /** Do not stream output lines as task output (e.g. JSON that is parsed). Default false. */
  quiet?: boolean;
}

export interface Clock {
  now(): number;
  /** Resolves after `ms`, or rejects with an AbortError when `signal` fires. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export interface TaskContext {
  /** The task's id in the playbook. */
  readonly taskId: string;
  readonly runId: string;
  /** Directory of the playbook file (for relative paths such as charts). */
  readonly playbookDir: string;
  /** The state dir of this run (journal, logs); kinds may keep scratch files under it. */
  readonly stateDir: string;
  /** The environment tasks run with (process env plus the task's `env`). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Fires on interrupt (Ctrl-C) and on the task's timeout. Pass it to everything that waits. */
  readonly signal: AbortSignal;
  readonly clock: Clock;
  /** HTTP client (global fetch in the product, a fake or a local server in tests). */
  readonly fetch: typeof fetch;
  /** Run a program with argv (no shell); output lines are streamed as task output unless quiet. */
  exec(file: string, args: readonly string[], opts?: ExecOptions): Promise<ProcessResult>;
  /** Lower-level access to the process runner for kinds that need it. */
  spawn(opts: ProcessOptions): Promise<ProcessResult>;
  log(level: 'error' | 'warn' | 'info' | 'debug', message: string): void;
  /** A short progress message ("waiting for provisioning: 3m elapsed"). */
  progress(message: string): void;
  /**
   * Durably journal facts undo will need, before acting on them (e.g. `{ created: true }`
   * before issuing a create). Undo receives every note merged, even when the run crashed.
   */
  remember(note: Record<string, unknown>): Promise<void>;
  /**
   * Every note remembered by earlier attempts of this task (earlier runs included) since it was
   * last undone, merged. A resumed run uses it to finish what a crashed one started
   * (e.g. `{ createdRepo: true }`: the repo exists because we created it).
   */
  readonly remembered: Readonly<Record<string, unknown>>;
  /** Register a value to be masked as `***` everywhere (tokens read by the kind). */
  secret(value: string): void;
}

/** What undo receives about the run it reverses. */
export interface UndoInput<W = unknown> {
  /** The `with` as resolved when the task ran (secrets re-resolved from their source). */
  with: W;
  /** The task's outputs, if it succeeded. */
  outputs?: Record<string, unknown>;
  /** What run returned as `undo`, merged over every {@link TaskContext.remember} note. */
  state: Record<string, unknown>;
  /** True when the task's run never finished (failed, interrupted, crashed): tolerate partial work. */
  partial: boolean;
}

export interface OutputSpec {
  description: string;
  /** The value is a secret: masked everywhere and never journalled. */
  secret?: boolean;
}

export interface TaskKind<W = any> {
  /** The name used in `uses:`. */
  readonly name: string;
  /** One line for `bootstrap graph`, docs and schema descriptions. */
  readonly description: string;
  /** JSON Schema of `with` (additionalProperties: false, with descriptions). */
  readonly schema: JSONSchema;
  /** Outputs this kind sets. */
  readonly outputs?: Record<string, OutputSpec>;
  /**
   * Extra checks beyond the schema, on the `with` as written (values may still contain
   * `${{ }}` expressions, which are strings here). Each problem names a path inside `with`.
   */
  validate?(withValue: unknown): Array<{ path: Array<string | number>; message: string }>;
  /**
   * Observe without changing anything: is the desired state already in place? Used by
   * `bootstrap plan`. A kind that converges (observe, act on drift) does not need it to run.
   */
  satisfied?(w: W, ctx: TaskContext): Promise<boolean>;
  run(w: W, ctx: TaskContext): Promise<KindResult>;
  /** Reverse what run did. Absent: the kind creates nothing that needs undoing. */
  undo?(input: UndoInput<W>, ctx: TaskContext): Promise<void>;
  /** `with` fields that hold secrets (paths as dotted strings): journalled as references only. */
  readonly secretFields?: readonly string[];
  /**
   * True for a kind whose run touches nothing outside bootstrap (no process, no file, no
   * network). Its task-start record need not reach the disk before it runs: a crash can lose
   * nothing it did. Default false: the record is durable before run is called.
   */
  readonly pure?: boolean;
}
