/**
 * Runs one task's undo step as journalled: a shell script re-rendered from its source and the
 * values resolved when the task ran, or a kind's undo with its resolved `with` and state.
 * Secret references are evaluated again (secrets are never journalled).
 */
import path from 'node:path';
import { createTaskContext } from '../tasks/context.js';
import { TaskError, type Clock, type TaskKind } from '../tasks/kind.js';
import { runShell } from '../tasks/shell.js';
import type { EventBus } from './events.js';
import type { SecretRef, UndoSpec } from './journal.js';
import { formatMs, runProcess } from './process.js';
import { isSecretRef, rehydrate } from './resolve.js';
import type { Masker } from './secrets.js';
import { parseShellTemplate, renderShell } from './shell/index.js';
import type { AppliedTask } from './state.js';
import type { UndoStepResult } from './undo.js';

export interface UndoStepDeps {
  kinds: ReadonlyMap<string, TaskKind>;
  bus: EventBus;
  masker: Masker;
  signal: AbortSignal;
  stateDir: string;
  env: Record<string, string | undefined>;
  clock: Clock;
  fetch: typeof fetch;
  /** Directory of the playbook of the run that applied the task. */
  playbookDir: (a: AppliedTask) => string;
  /** Evaluates a secret reference (expression or template text) in the context of `a`'s run. */
  resolveSecret: (source: string, a: AppliedTask) => unknown;
  /** Run id recorded in the environment of undo processes. */
  undoId: string;
  /** Called with the process group of every process an undo step starts (journalled). */
  onSpawn?: (task: string, pid: number) => void;
  /** Default retries of an undo step that fails (a flaky API): 2. */
  retries?: number;
  retryDelayMs?: number;
}

function secretValues(values: Array<string | SecretRef>, resolve: (s: string) => unknown): string[] {
  return values.map((v) => (isSecretRef(v) ? String(resolve(v.$secret) ?? '') : v));
}

/** Run one undo step once. Throws TaskError (or anything) on failure. */
async function runOnce(a: AppliedTask, spec: UndoSpec, deps: UndoStepDeps, signal: AbortSignal): Promise<void> {
  const resolve = (source: string) => {
    const v = deps.resolveSecret(source, a);
    if (typeof v === 'string') deps.masker.add(v);
    return v;
  };
  const env: Record<string, string | undefined> = { ...deps.env, BOOTSTRAP_UNDO_ID: deps.undoId, BOOTSTRAP_TASK: a.task, BOOTSTRAP_STATE_DIR: deps.stateDir };
  if (spec.kind === 'none') return;
  for (const [k, v] of Object.entries(spec.env ?? {})) env[k] = isSecretRef(v) ? String(resolve(v.$secret) ?? '') : v;
  const ctx = createTaskContext({
    taskId: a.task,
    runId: a.run,
    playbookDir: deps.playbookDir(a),
    stateDir: deps.stateDir,
    env,
    signal,
    clock: deps.clock,
    fetch: deps.fetch,
    onOutput: (stream, line) => deps.bus.emit({ type: 'task-output', task: a.task, stream, line, phase: 'undo' }),
    onLog: (level, message) => deps.bus.emit({ type: 'log', level, task: a.task, message }),
    onProgress: (message) => deps.bus.emit({ type: 'task-progress', task: a.task, message }),
    remembered: a.notes,
    secret: (v) => deps.masker.add(v),
    spawn: (o) =>
      runProcess({
        ...o,
        onSpawn: (pid) => {
          o.onSpawn?.(pid);
          deps.onSpawn?.(a.task, pid);
        },
      }),
  });
  if (spec.kind === 'shell') {
    const { template, errors } = parseShellTemplate(spec.source, { file: '<journal>', line: 1, col: 1 });
    if (errors.length) throw new TaskError(`journalled undo step cannot be parsed: ${errors[0].message}`);
    const rendered = renderShell(template, secretValues(spec.values, resolve));
    await runShell({ script: rendered.script, env: rendered.env, cwd: spec.cwd, timeoutMs: spec.timeoutMs }, ctx);
    return;
  }
  const kind = deps.kinds.get(spec.uses);
  if (!kind?.undo) throw new TaskError(`task kind ${spec.uses} has no undo (or is unknown to this version of bootstrap)`);
  const w = rehydrate(spec.with, resolve);
  await kind.undo({ with: w, outputs: a.outputs, state: { ...a.notes, ...(spec.state ?? {}) }, partial: a.partial }, ctx);
}

/** Run a task's undo with its timeout and a few retries; never rejects. */
export async function runUndoStep(a: AppliedTask, deps: UndoStepDeps): Promise<UndoStepResult> {
  const spec = a.undo;
  if (!spec || spec.kind === 'none') return { status: 'left-in-place', error: 'no undo step' };
  const attempts = (deps.retries ?? 2) + 1;
  let lastError = '';
  for (let n = 1; n <= attempts; n++) {
    if (deps.signal.aborted) return { status: 'undo-failed', error: 'interrupted' };
    const timeout = new AbortController();
    const timer = spec.timeoutMs ? setTimeout(() => timeout.abort('timeout'), spec.timeoutMs) : undefined;
    try {
      await runOnce(a, spec, deps, AbortSignal.any([deps.signal, timeout.signal]));
      return { status: 'undone' };
    } catch (e) {
      const result = (e as { result?: { timedOut?: boolean } }).result;
      if (timeout.signal.aborted || result?.timedOut) lastError = `timed out after ${formatMs(spec.timeoutMs ?? 0)}`;
      else if (deps.signal.aborted) return { status: 'undo-failed', error: 'interrupted' };
      else if (e instanceof TaskError) lastError = e.hint ? `${e.message}\n  hint: ${e.hint}` : e.message;
      else lastError = `internal error: ${(e as Error)?.message ?? String(e)}`;
    } finally {
      if (timer) clearTimeout(timer);
    }
    if (n < attempts) {
      const delayMs = (deps.retryDelayMs ?? 1000) * 2 ** (n - 1);
      deps.bus.emit({ type: 'log', level: 'warn', task: a.task, message: `undo failed (${lastError}); retrying in ${formatMs(delayMs)}` });
      try {
        await deps.clock.sleep(delayMs, deps.signal);
      } catch {
        return { status: 'undo-failed', error: 'interrupted' };
      }
    }
  }
  return { status: 'undo-failed', error: lastError };
}

/** Directory of the playbook a journalled run used. */
export function playbookDirOf(file: string): string {
  return path.dirname(file);
}
