/**
 * One task's lifecycle in a run:
 *
 *   when (false: skipped(condition)) -> resume restore (journalled success with the same inputs)
 *   -> unless (true: skipped(satisfied)) -> preconditions (failing: failed, nothing done)
 *   -> journal task-start (durable) -> run / uses, with timeout and retries
 *   -> outputs -> journal task-end with the resolved undo (written) -> dependents may start.
 *
 * Durability: the task-end record is written to the journal file at once but not fsync'ed on
 * its own. It is on disk before any dependent does anything, because a dependent's own
 * task-start record comes after it in the same append-only file and is fdatasync'ed before the
 * dependent runs (and the run-end record is fdatasync'ed too). So the one wait for the disk per
 * task is before it acts, where it protects something; a power cut that loses a task-end record
 * loses nothing else, and `--resume` runs that task again, as after a crash while it ran.
 *
 * Expected failures are values; an unexpected throw from a kind is converted here, so no kind
 * can crash the scheduler.
 */
import path from 'node:path';
import { truthy } from './expr/index.js';
import type { EventBus, FailReason, TaskStatus } from './events.js';
import type { JournalWriter, SecretRef, UndoSpec } from './journal.js';
import type { Check, Playbook, TaskDef } from './playbook/model.js';
import { describeExit, runProcess, succeeded, type ProcessResult } from './process.js';
import type { EvalContext, Resolver, SecretIndex } from './resolve.js';
import type { Masker } from './secrets.js';
import type { TaskRecord } from './state.js';
import type { TaskOutcome } from './scheduler.js';
import { createTaskContext } from '../tasks/context.js';
import { TaskError, type Clock, type KindResult, type TaskContext, type TaskKind } from '../tasks/kind.js';
import { runShell } from '../tasks/shell.js';
import { bashArgs } from './shell/index.js';
import { compileForeign } from './playbook/ajv.js';
import { sha256 } from './playbook/hash.js';

/** Everything a task needs from its run. */
export interface TaskRunContext {
  playbook: Playbook;
  kinds: ReadonlyMap<string, TaskKind>;
  runId: string;
  stateDir: string;
  /** Working directory of tasks without `cwd`. */
  cwd: string;
  journal: JournalWriter;
  bus: EventBus;
  masker: Masker;
  /** Fires on interrupt. */
  signal: AbortSignal;
  evalCtx: EvalContext;
  secrets: SecretIndex & { outputs: Set<string> };
  resolver: Resolver;
  /** Successes journalled by the run being resumed (and the runs it resumed). */
  resumable: ReadonlyMap<string, TaskRecord>;
  /** Notes remembered by earlier attempts of a task, since it was last undone. */
  remembered: (task: string) => Record<string, unknown>;
  env: Record<string, string | undefined>;
  clock: Clock;
  fetch: typeof fetch;
  /** Filled in as tasks end. */
  timings: Map<string, { start: number; end: number }>;
  lastLines: Map<string, string[]>;
  /** Error of each failed task. */
  errors: Map<string, string>;
  /** Checks (unless/preconditions) without a task timeout get this one. */
  checkTimeoutMs?: number;
}

interface Failure {
  error: string;
  reason: FailReason;
  permanent: boolean;
}

const LAST_LINES = 20;

export async function runTask(rc: TaskRunContext, task: TaskDef): Promise<TaskOutcome> {
  const started = rc.clock.now();
  let attempts = 0;
  rc.bus.emit({ type: 'task-started', task: task.id, attempt: 1, maxAttempts: task.retries + 1, timeoutMs: task.timeoutMs });

  const finish = async (
    status: TaskStatus,
    extra: { reason?: FailReason | 'condition' | 'satisfied'; error?: string; outputs?: Record<string, unknown>; secretOutputs?: string[]; undo?: UndoSpec | null; restored?: boolean; inputHash?: string; journal?: boolean },
  ): Promise<TaskOutcome> => {
    const end = rc.clock.now();
    if (!extra.restored) rc.timings.set(task.id, { start: started, end });
    rc.evalCtx.tasks[task.id] = { outputs: rc.evalCtx.tasks[task.id]?.outputs ?? {}, status };
    if (extra.journal !== false) {
      await rc.journal.append(
        {
          type: 'task-end',
          run: rc.runId,
          task: task.id,
          status,
          reason: extra.reason,
          ts: end,
          durationMs: end - started,
          attempts,
          inputHash: extra.inputHash,
          outputs: extra.outputs,
          secretOutputs: extra.secretOutputs?.length ? extra.secretOutputs : undefined,
          undo: extra.undo,
          restored: extra.restored,
          error: extra.error,
        },
        false, // durable with the next task-start or the run-end (see the top of this file)
      );
    }
    if (status === 'failed') rc.errors.set(task.id, extra.error ?? 'failed');
    rc.bus.emit({
      type: 'task-finished',
      task: task.id,
      status,
      reason: extra.reason,
      restored: extra.restored,
      durationMs: end - started,
      attempts,
      error: extra.error,
      outputs: extra.outputs,
    });
    // After task-finished, so a view that already showed the failure can leave this line out.
    if (status === 'failed') rc.bus.emit({ type: 'log', level: 'error', task: task.id, message: `task ${task.id} failed: ${extra.error}` });
    return status;
  };

  try {
    // 1. when
    if (task.when && !truthy(rc.resolver.template(task.when).value)) {
      return await finish('skipped', { reason: 'condition' });
    }

    // 2. resolve the action now: its inputs decide whether a journalled success still holds.
    const action = resolveAction(rc, task);
    const undo = resolveUndo(rc, task, action);
    const inputHash = hashInputs(task, action.journal, undo);

    const prior = rc.resumable.get(task.id);
    if (prior && prior.inputHash === inputHash && !prior.secretOutputs?.length) {
      rc.evalCtx.tasks[task.id] = { outputs: prior.outputs ?? {}, status: 'succeeded' };
      return await finish('succeeded', { restored: true, outputs: prior.outputs, inputHash });
    }

    // 3. unless: the work is already done.
    if (task.unless && (await check(rc, task, task.unless)).ok) {
      return await finish('skipped', { reason: 'satisfied' });
    }

    // 4. preconditions: a failing one fails the task before it does anything.
    for (const pre of task.preconditions) {
      const r = await check(rc, task, pre);
      if (!r.ok) {
        const msg = pre.msg ?? (pre.kind === 'run' ? `precondition \`${oneLine(pre.script.source)}\` failed` : `precondition ${pre.expr.source} is false`);
        return await finish('failed', { reason: 'precondition', error: r.detail ? `${msg} (${r.detail})` : msg });
      }
    }

    // 5. run, with retries. The start record is on disk before anything runs (a pure kind
    // changes nothing outside bootstrap, so its start need not be).
    const pure = action.kind === 'uses' && rc.kinds.get(action.uses)?.pure === true;
    const maxAttempts = task.retries + 1;
    let failure: Failure | undefined;
    for (attempts = 1; attempts <= maxAttempts; attempts++) {
      if (rc.signal.aborted) {
        failure = { error: 'interrupted', reason: 'interrupted', permanent: true };
        break;
      }
      if (attempts > 1) rc.bus.emit({ type: 'task-started', task: task.id, attempt: attempts, maxAttempts, timeoutMs: task.timeoutMs });
      await rc.journal.append({ type: 'task-start', run: rc.runId, task: task.id, attempt: attempts, ts: rc.clock.now(), inputHash, undo }, !pure);
      const result = await attempt(rc, task, action);
      if (result.ok) {
        const { outputs, secretOutputs } = collectOutputs(rc, task, result.result.outputs ?? {});
        // A shell undo may read this task's own outputs: resolve it again now that they exist.
        const finalUndo = task.undo ? resolveUndo(rc, task, action) : finalUndoSpec(task, action, undo, result.result);
        return await finish('succeeded', { outputs, secretOutputs, undo: finalUndo, inputHash });
      }
      failure = result.failure;
      if (failure.permanent || attempts >= maxAttempts || rc.signal.aborted) break;
      const delayMs = task.retryDelayMs * 2 ** (attempts - 1);
      rc.bus.emit({ type: 'task-retry', task: task.id, attempt: attempts, maxAttempts, delayMs, error: failure.error });
      try {
        await rc.clock.sleep(delayMs, rc.signal);
      } catch {
        failure = { error: 'interrupted', reason: 'interrupted', permanent: true };
        break;
      }
    }
    attempts = Math.min(attempts, maxAttempts);
    return await finish('failed', { reason: failure!.reason, error: failure!.error, inputHash });
  } catch (e) {
    // Evaluation errors and anything unexpected: the task fails, the run goes on failing cleanly.
    const error = e instanceof TaskError || (e as Error)?.name === 'ExprError' ? (e as Error).message : `internal error: ${(e as Error)?.message ?? String(e)}`;
    rc.bus.emit({ type: 'log', level: 'debug', task: task.id, message: (e as Error)?.stack ?? String(e) });
    try {
      return await finish('failed', { reason: 'error', error });
    } catch {
      return 'failed';
    }
  }
}

/** The resolved action of a task: what runs, and its journal-safe form. */
type ResolvedAction =
  | { kind: 'shell'; script: string; bindings: Record<string, string>; env: Record<string, string>; cwd: string; journal: unknown }
  | { kind: 'uses'; uses: string; with: unknown; withJournal: unknown; env: Record<string, string>; cwd: string; journal: unknown };

function resolveEnv(rc: TaskRunContext, task: TaskDef): { env: Record<string, string>; journal: Record<string, string | SecretRef> } {
  const env: Record<string, string> = {};
  const journal: Record<string, string | SecretRef> = {};
  for (const [k, t] of Object.entries(task.env)) {
    const r = rc.resolver.text(t);
    env[k] = r.value;
    journal[k] = r.journal as string | SecretRef;
  }
  return { env, journal };
}

function resolveCwd(rc: TaskRunContext, task: TaskDef): string {
  if (!task.cwd) return rc.cwd;
  return path.resolve(rc.cwd, rc.resolver.text(task.cwd).value);
}

function resolveAction(rc: TaskRunContext, task: TaskDef): ResolvedAction {
  const { env, journal: envJournal } = resolveEnv(rc, task);
  const cwd = resolveCwd(rc, task);
  if (task.action.kind === 'shell') {
    const s = rc.resolver.shell(task.action.script);
    return { kind: 'shell', script: s.script, bindings: s.env, env, cwd, journal: { run: task.action.script.source, values: s.journal, env: envJournal, cwd } };
  }
  const w = rc.resolver.value(task.action.with, rc.kinds.get(task.action.uses)?.secretFields);
  return { kind: 'uses', uses: task.action.uses, with: w.value, withJournal: w.journal, env, cwd, journal: { uses: task.action.uses, with: w.journal, env: envJournal, cwd } };
}

/** The undo step as far as it can be resolved before running (kinds add their state after). */
function resolveUndo(rc: TaskRunContext, task: TaskDef, action: ResolvedAction): UndoSpec | null {
  if (task.undo === false) return null;
  const { journal: envJournal } = resolveEnv(rc, task);
  if (task.undo) {
    const s = rc.resolver.shell(task.undo);
    return { kind: 'shell', source: task.undo.source, values: s.journal, env: envJournal, cwd: action.cwd, timeoutMs: task.timeoutMs };
  }
  if (action.kind === 'uses') {
    return rc.kinds.get(action.uses)?.undo ? { kind: 'uses', uses: action.uses, with: action.withJournal, env: envJournal, timeoutMs: task.timeoutMs } : null;
  }
  return { kind: 'none' };
}

function finalUndoSpec(task: TaskDef, action: ResolvedAction, undo: UndoSpec | null, result: KindResult): UndoSpec | null {
  if (!undo) return null;
  if (undo.kind === 'uses' && action.kind === 'uses') {
    if (result.undo === null) return null;
    return result.undo ? { ...undo, state: result.undo } : undo;
  }
  void task;
  return undo;
}

/** What resolving a task's inputs needs (a subset of the run context, so `plan` can use it). */
export type InputContext = Pick<TaskRunContext, 'resolver' | 'kinds' | 'masker' | 'cwd'>;

/**
 * The hash a task's journalled success is compared with on resume: its definition and its
 * resolved inputs (secrets as references). Throws if an input cannot be resolved yet.
 */
export function taskInputHash(ic: InputContext, task: TaskDef): string {
  const rc = ic as TaskRunContext;
  const action = resolveAction(rc, task);
  return hashInputs(task, action.journal, resolveUndo(rc, task, action));
}

function hashInputs(task: TaskDef, journal: unknown, undo: UndoSpec | null): string {
  return sha256(JSON.stringify([task.hash, journal, undo])).slice(0, 32);
}

function oneLine(s: string): string {
  const first = s.trim().split('\n')[0];
  return first.length > 60 ? first.slice(0, 57) + '...' : first;
}

/** Run a check (unless / precondition) read-only. */
async function check(rc: TaskRunContext, task: TaskDef, c: Check): Promise<{ ok: boolean; detail?: string }> {
  if (c.kind === 'that') return { ok: truthy(rc.resolver.template(c.expr).value) };
  const s = rc.resolver.shell(c.script);
  const { env } = resolveEnv(rc, task);
  const result = await runProcess({
    file: 'bash',
    args: bashArgs(s.script),
    cwd: resolveCwd(rc, task),
    env: { ...rc.env, ...env, ...s.env },
    signal: rc.signal,
    timeoutMs: task.timeoutMs ?? rc.checkTimeoutMs ?? 120_000,
    keepLines: 5,
    onLine: (stream, line) => rc.bus.emit({ type: 'log', level: 'debug', task: task.id, message: `[check ${stream}] ${line}` }),
  });
  if (succeeded(result)) return { ok: true };
  if (result.aborted) throw new TaskError('interrupted');
  const last = result.lastLines.filter((l) => l.trim()).slice(-1)[0];
  return { ok: false, detail: result.timedOut || result.spawnError ? describeExit(result, task.timeoutMs) : last };
}

function contextFor(rc: TaskRunContext, task: TaskDef, signal: AbortSignal, env: () => Record<string, string | undefined>, cwd: string, onOutput: (stream: 'stdout' | 'stderr', line: string) => void): TaskContext {
  return createTaskContext({
    taskId: task.id,
    runId: rc.runId,
    playbookDir: rc.playbook.dir,
    stateDir: rc.stateDir,
    env,
    signal,
    clock: rc.clock,
    fetch: rc.fetch,
    onOutput,
    onLog: (level, message) => rc.bus.emit({ type: 'log', level, task: task.id, message }),
    onProgress: (message) => rc.bus.emit({ type: 'task-progress', task: task.id, message }),
    remember: (note) => rc.journal.append({ type: 'task-note', run: rc.runId, task: task.id, note, ts: rc.clock.now() }, true),
    remembered: rc.remembered(task.id),
    secret: (v) => rc.masker.add(v),
    spawn: (opts) => runProcess({ ...opts, cwd: opts.cwd ?? cwd }),
  });
}

async function attempt(rc: TaskRunContext, task: TaskDef, action: ResolvedAction): Promise<{ ok: true; result: KindResult } | { ok: false; failure: Failure }> {
  // A controller, AbortSignal.any (~27 µs) and a listener on the run's signal: only when there
  // is a timeout.
  const timeout = task.timeoutMs ? new AbortController() : undefined;
  const timer = timeout ? setTimeout(() => timeout.abort('timeout'), task.timeoutMs) : undefined;
  const signal = timeout ? AbortSignal.any([rc.signal, timeout.signal]) : rc.signal;
  const onOutput = (stream: 'stdout' | 'stderr', line: string) => {
    let lines = rc.lastLines.get(task.id);
    if (!lines) rc.lastLines.set(task.id, (lines = []));
    lines.push(line);
    if (lines.length > LAST_LINES) lines.shift();
    rc.bus.emit({ type: 'task-output', task: task.id, stream, line });
  };
  const env = () => ({ ...rc.env, ...action.env, BOOTSTRAP_RUN_ID: rc.runId, BOOTSTRAP_TASK: task.id, BOOTSTRAP_STATE_DIR: rc.stateDir, BOOTSTRAP_PLAYBOOK_DIR: rc.playbook.dir });
  const ctx = contextFor(rc, task, signal, env, action.cwd, onOutput);
  try {
    if (action.kind === 'shell') {
      // The outputs directory is made once per run (run.ts).
      const outputsFile = path.join(rc.stateDir, 'outputs', `${task.id}.env`);
      const outputs = await runShell(
        { script: action.script, env: action.bindings, cwd: action.cwd, timeoutMs: task.timeoutMs, outputsFile },
        ctx,
        (pid) => void rc.journal.append({ type: 'task-spawn', run: rc.runId, task: task.id, pid, ts: rc.clock.now() }).catch(() => {}),
      );
      return { ok: true, result: { outputs } };
    }
    const kind = rc.kinds.get(action.uses);
    if (!kind) throw new TaskError(`unknown task kind ${action.uses}`);
    checkResolvedWith(kind, action.with);
    const result = await raceAbort(kind.run(action.with, ctx), signal);
    return { ok: true, result: result ?? {} };
  } catch (e) {
    const processResult = (e as { result?: ProcessResult }).result;
    if (timeout?.signal.aborted || processResult?.timedOut) {
      return { ok: false, failure: { error: `timed out after ${formatDuration(task.timeoutMs!)}`, reason: 'timeout', permanent: false } };
    }
    if (rc.signal.aborted) return { ok: false, failure: { error: 'interrupted', reason: 'interrupted', permanent: true } };
    if (e instanceof TaskError) {
      return { ok: false, failure: { error: e.hint ? `${e.message}\n  hint: ${e.hint}` : e.message, reason: 'error', permanent: e.permanent } };
    }
    rc.bus.emit({ type: 'log', level: 'debug', task: task.id, message: (e as Error)?.stack ?? String(e) });
    return { ok: false, failure: { error: `internal error in task kind ${action.kind === 'uses' ? action.uses : 'shell'}: ${(e as Error)?.message ?? String(e)}`, reason: 'error', permanent: false } };
  } finally {
    if (timer) clearTimeout(timer);
  }
}

/**
 * Values interpolated with `${{ }}` are only known now: check the resolved `with` against the
 * kind's schema before the kind sees it (validation could only check the literal parts).
 */
function checkResolvedWith(kind: TaskKind, value: unknown): void {
  const validate = compileForeign(kind.schema);
  if (validate(value)) return;
  const problems = (validate.errors ?? []).map((e) => `${e.instancePath ? `with${e.instancePath.replace(/\//g, '.')}` : 'with'} ${e.message}`);
  throw new TaskError(`after interpolation, ${[...new Set(problems)].join('; ')}`, `check the values given to ${kind.name}`, true);
}

/** A kind that ignores its abort signal must not hold the run: give it 10 s, then move on. */
function raceAbort<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return p;
  return new Promise<T>((resolve, reject) => {
    let grace: NodeJS.Timeout | undefined;
    const onAbort = () => {
      grace = setTimeout(() => reject(new TaskError(String(signal.reason ?? 'aborted'))), 10_000);
      grace.unref();
    };
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => {
      signal.removeEventListener('abort', onAbort);
      if (grace) clearTimeout(grace);
    });
  });
}

function formatDuration(ms: number): string {
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

/** Keep declared outputs; secret ones are masked, kept in memory and never journalled. */
function collectOutputs(rc: TaskRunContext, task: TaskDef, raw: Record<string, unknown>): { outputs: Record<string, unknown>; secretOutputs: string[] } {
  const kind = task.action.kind === 'uses' ? rc.kinds.get(task.action.uses) : undefined;
  const declared: Record<string, { secret?: boolean }> = { ...(kind?.outputs ?? {}), ...task.outputs };
  const outputs: Record<string, unknown> = {};
  const secretOutputs: string[] = [];
  const all: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(raw)) {
    const spec = declared[name];
    if (!spec && task.action.kind === 'shell' && Object.keys(task.outputs).length > 0) {
      rc.bus.emit({ type: 'log', level: 'warn', task: task.id, message: `output \`${name}\` is not declared in outputs; declare it to use it` });
    }
    all[name] = value;
    if (spec?.secret) {
      rc.masker.add(typeof value === 'string' ? value : JSON.stringify(value));
      rc.secrets.outputs.add(`${task.id}.${name}`);
      secretOutputs.push(name);
    } else outputs[name] = value;
  }
  rc.evalCtx.tasks[task.id] = { outputs: all, status: 'succeeded' };
  return { outputs, secretOutputs };
}
