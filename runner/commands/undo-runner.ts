/**
 * Wiring for an undo (the `undo` command and `run --rollback`): the step runner with secrets
 * re-resolved from where they came from, and the clean-up of processes a crashed run left behind.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { TaskKind, Clock } from '../../tasks/kind.js';
import { TaskError } from '../../tasks/kind.js';
import type { EventBus } from '../events.js';
import { evaluate, parseExpression, evaluateTemplate, parseTemplate } from '../expr/index.js';
import type { JournalWriter } from '../journal.js';
import { nestVars } from '../playbook/vars.js';
import { groupAlive, killGroup } from '../process.js';
import type { Masker } from '../secrets.js';
import type { AppliedTask, JournalState } from '../state.js';
import { executeUndo, planUndo, type UndoOutcome } from '../undo.js';
import { runUndoStep } from '../undo-step.js';
import { newRunId } from '../run.js';

export interface UndoWiring {
  state: JournalState;
  kinds: ReadonlyMap<string, TaskKind>;
  journal: JournalWriter;
  bus: EventBus;
  masker: Masker;
  signal: AbortSignal;
  stateDir: string;
  env: NodeJS.ProcessEnv;
  clock: Clock;
  concurrency: number;
  force: boolean;
  reason: 'undo' | 'rollback';
  /** Only undo tasks applied by these runs (rollback). */
  runs?: ReadonlySet<string>;
  /** Values of secret vars still in memory (rollback right after a run). */
  knownSecrets?: Record<string, unknown>;
}

/** Evaluate a journalled secret reference in the context of the run that applied the task. */
export function secretResolver(state: JournalState, env: NodeJS.ProcessEnv, known: Record<string, unknown> = {}) {
  const runs = new Map(state.runs.map((r) => [r.id, r]));
  return (source: string, a: AppliedTask): unknown => {
    const run = runs.get(a.run);
    const flat: Record<string, unknown> = {};
    for (const [name, v] of Object.entries(run?.vars ?? {})) {
      if (!v.secret) {
        flat[name] = v.value;
        continue;
      }
      if (known[name] !== undefined) flat[name] = known[name];
      else if (v.env && env[v.env] !== undefined) flat[name] = env[v.env];
    }
    const missing = Object.entries(run?.vars ?? {})
      .filter(([name, v]) => v.secret && flat[name] === undefined && source.includes(name))
      .map(([name, v]) => `\`${name}\`${v.env ? ` (set the environment variable ${v.env})` : ''}`);
    if (missing.length) throw new TaskError(`undo of ${a.task} needs the secret var ${missing.join(', ')}: secrets are never journalled, so it must be provided again`);
    const tasks: Record<string, { outputs: Record<string, unknown>; status: string }> = {};
    for (const [id, t] of run?.tasks ?? []) tasks[id] = { outputs: t.outputs ?? {}, status: t.status };
    const ctx = {
      vars: nestVars(flat),
      env,
      tasks,
      playbook: { dir: path.dirname(run?.playbook.file ?? '.'), name: run?.playbook.name ?? '', file: run?.playbook.file ?? '' },
      run: { id: a.run },
    };
    if (source.includes('${{')) {
      const { template, errors } = parseTemplate(source, { file: '<journal>', line: 1, col: 1 });
      if (errors.length) throw new TaskError(`journalled reference cannot be parsed: ${errors[0].message}`);
      return evaluateTemplate(template, ctx);
    }
    return evaluate(parseExpression(source), ctx);
  };
}

/** True when process `pid`'s environment holds `marker` (NAME=value). Linux only. */
function environHas(pid: number, marker: string): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(marker);
  } catch {
    return false;
  }
}

/**
 * Kill process groups that a crashed run left running (found by the pid journalled at spawn,
 * confirmed by the run id in the process's environment, so a reused pid is never touched).
 */
export function killOrphans(state: JournalState, only?: ReadonlySet<string>): string[] {
  const killed: string[] = [];
  for (const run of state.runs) {
    if (run.status !== 'incomplete' || (only && !only.has(run.id))) continue;
    for (const [task, t] of run.tasks) {
      if (t.status !== 'running' || !t.pid || !groupAlive(t.pid)) continue;
      if (!environHas(t.pid, `BOOTSTRAP_RUN_ID=${run.id}`)) continue;
      killGroup(t.pid, 'SIGKILL');
      killed.push(task);
    }
  }
  // And undo steps an interrupted undo left running (marked by their undo id).
  if (!only) {
    for (const u of state.undos) {
      if (u.status !== 'incomplete') continue;
      for (const [task, t] of u.tasks) {
        if (t.status !== 'undoing' || !t.pid || !groupAlive(t.pid) || !environHas(t.pid, `BOOTSTRAP_UNDO_ID=${u.id}`)) continue;
        killGroup(t.pid, 'SIGKILL');
        killed.push(task);
      }
    }
  }
  return killed;
}

/** Plan and execute an undo with the real step runner. */
export async function runUndo(w: UndoWiring): Promise<UndoOutcome & { undoId: string; planned: number }> {
  const plan = planUndo(w.state, w.runs ? (a) => w.runs!.has(a.run) : undefined);
  const undoId = `undo-${newRunId()}`;
  const runs = new Map(w.state.runs.map((r) => [r.id, r]));
  const resolveSecret = secretResolver(w.state, w.env, w.knownSecrets);
  const outcome = await executeUndo({
    plan,
    undoId,
    reason: w.reason,
    force: w.force,
    concurrency: w.concurrency,
    signal: w.signal,
    journal: w.journal,
    bus: w.bus,
    now: () => w.clock.now(),
    step: (a) =>
      runUndoStep(a, {
        kinds: w.kinds,
        bus: w.bus,
        masker: w.masker,
        signal: w.signal,
        stateDir: w.stateDir,
        env: w.env,
        clock: w.clock,
        fetch: globalThis.fetch,
        playbookDir: (x) => path.dirname(runs.get(x.run)?.playbook.file ?? w.stateDir),
        resolveSecret,
        undoId,
        onSpawn: (task, pid) => void w.journal.append({ type: 'task-undo-spawn', undo: undoId, task, pid, ts: w.clock.now() }).catch(() => {}),
      }),
  });
  return { ...outcome, undoId, planned: plan.tasks.length };
}
