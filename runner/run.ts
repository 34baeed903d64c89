/**
 * A run: journal its start, schedule the graph under the fail-fast policy, journal its end.
 * Knows nothing of terminals: it emits events and returns an outcome.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { TaskKind, Clock } from '../tasks/kind.js';
import { EventBus, type RunStatus } from './events.js';
import { actualCriticalPath, Graph } from './graph.js';
import type { JournalWriter, JournalledVar } from './journal.js';
import type { Playbook } from './playbook/model.js';
import { holdingLoop } from './process.js';
import { Resolver, type EvalContext } from './resolve.js';
import { schedule } from './scheduler.js';
import type { Masker } from './secrets.js';
import { resumeChain, type JournalState, type RunRecord, type TaskRecord } from './state.js';
import { runTask, type TaskRunContext } from './task-runner.js';

/** A sortable, readable run id: `20261123T141500-3fa2`. */
export function newRunId(now = new Date()): string {
  return `${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, '')}-${randomBytes(2).toString('hex')}`;
}

export interface RunRequest {
  playbook: Playbook;
  kinds: ReadonlyMap<string, TaskKind>;
  /** Resolved var values (flat, dotted names) and which are secret. */
  vars: { values: Record<string, unknown>; secret: ReadonlySet<string> };
  /** Nested vars for expressions. */
  nestedVars: Record<string, unknown>;
  stateDir: string;
  cwd: string;
  concurrency: number;
  /** The run being resumed, with the journal state it came from. */
  resume?: { run: RunRecord; state: JournalState };
  /** The journal state before this run (for durations and remembered notes). */
  state: JournalState;
  journal: JournalWriter;
  bus: EventBus;
  masker: Masker;
  signal: AbortSignal;
  argv: string[];
  env: Record<string, string | undefined>;
  clock: Clock;
  fetch: typeof fetch;
  runId?: string;
  /** Called once the schedule is set up, before the first task starts. */
  onScheduled?: () => void;
}

export interface RunOutcome {
  runId: string;
  status: RunStatus;
  failed: string[];
  notStarted: string[];
  durationMs: number;
}

/** Successes journalled by the resumed chain, latest first wins. */
function resumableTasks(req: RunRequest): Map<string, TaskRecord> {
  const out = new Map<string, TaskRecord>();
  if (!req.resume) return out;
  const chain = resumeChain(req.resume.state, req.resume.run.id);
  const runs = new Map(req.resume.state.runs.map((r) => [r.id, r]));
  for (const id of chain) {
    for (const [task, rec] of runs.get(id)?.tasks ?? []) {
      if (rec.status === 'succeeded' && !out.has(task)) out.set(task, rec);
    }
  }
  return out;
}

/** Durations of each task in the latest run that ran it, for scheduling priorities. */
function lastDurations(state: JournalState): Map<string, number> {
  const out = new Map<string, number>();
  for (const run of state.runs) for (const [id, t] of run.tasks) if (t.durationMs !== undefined && !t.restored && t.status === 'succeeded') out.set(id, t.durationMs);
  return out;
}

export function executeRun(req: RunRequest): Promise<RunOutcome> {
  return holdingLoop(() => runGraph(req));
}

async function runGraph(req: RunRequest): Promise<RunOutcome> {
  const { playbook } = req;
  const runId = req.runId ?? newRunId();
  const started = req.clock.now();
  const graph = new Graph(playbook.tasks.values());

  const journalVars: Record<string, JournalledVar> = {};
  for (const [name, def] of playbook.vars) {
    if (def.secret) journalVars[name] = { secret: true, env: def.env };
    else if (req.vars.values[name] !== undefined) journalVars[name] = { value: req.vars.values[name] };
  }
  await req.journal.append(
    {
      type: 'run-start',
      v: 1,
      run: runId,
      ts: started,
      resumeOf: req.resume?.run.id,
      playbook: { name: playbook.name, file: playbook.file, hash: playbook.hash },
      tasks: [...playbook.tasks.values()].map((t) => ({ id: t.id, needs: t.needs, hash: t.hash })),
      vars: journalVars,
      argv: req.argv,
      host: os.hostname(),
      pid: process.pid,
      cwd: req.cwd,
    },
    // Not synced on its own: nothing has acted yet, and the first task that acts syncs its own
    // start record, which comes after this one in the file (so does the run-end record).
    false,
  );
  req.bus.emit({
    type: 'run-started',
    runId,
    playbook: { name: playbook.name, file: playbook.file },
    resumeOf: req.resume?.run.id,
    stateDir: req.stateDir,
    concurrency: req.concurrency,
    tasks: [...playbook.tasks.values()].map((t) => ({ id: t.id, needs: t.needs })),
  });

  const evalCtx: EvalContext = {
    vars: req.nestedVars,
    env: req.env,
    tasks: {},
    playbook: { dir: playbook.dir, name: playbook.name, file: playbook.file },
    run: { id: runId },
  };
  const secrets = { vars: req.vars.secret, outputs: new Set<string>() };
  const rc: TaskRunContext = {
    playbook,
    kinds: req.kinds,
    runId,
    stateDir: req.stateDir,
    cwd: req.cwd,
    journal: req.journal,
    bus: req.bus,
    masker: req.masker,
    signal: req.signal,
    evalCtx,
    secrets,
    resolver: new Resolver(evalCtx, secrets, req.masker),
    resumable: resumableTasks(req),
    remembered: (task) => ({ ...(req.state.applied.get(task)?.notes ?? {}) }),
    env: req.env,
    clock: req.clock,
    fetch: req.fetch,
    timings: new Map(),
    lastLines: new Map(),
    errors: new Map(),
  };

  // Outputs files of an earlier run that crashed must not be read as this run's.
  fs.rmSync(path.join(req.stateDir, 'outputs'), { recursive: true, force: true });
  fs.mkdirSync(path.join(req.stateDir, 'outputs'), { mode: 0o700 });
  const durations = lastDurations(req.state);
  const result = await schedule({
    graph,
    concurrency: req.concurrency,
    signal: req.signal,
    weight: (id) => Math.max(1, durations.get(id) ?? 1),
    onReady: req.onScheduled,
    run: (id) => runTask(rc, playbook.tasks.get(id)!),
  });

  const status: RunStatus = req.signal.aborted ? 'interrupted' : result.stopped === 'failure' || [...result.outcomes.values()].includes('failed') ? 'failed' : 'succeeded';
  const ended = req.clock.now();
  const failed = [...result.outcomes].filter(([, o]) => o === 'failed').map(([id]) => id);
  const counts = { succeeded: 0, failed: 0, skipped: 0, 'not-run': result.notStarted.length };
  for (const o of result.outcomes.values()) counts[o]++;
  let sumOfTaskMs = 0;
  for (const t of rc.timings.values()) sumOfTaskMs += t.end - t.start;

  await req.journal.append({ type: 'run-end', run: runId, status, ts: ended, durationMs: ended - started }, true);
  req.bus.emit({
    type: 'run-finished',
    runId,
    status,
    durationMs: ended - started,
    sumOfTaskMs,
    criticalPath: actualCriticalPath(graph, rc.timings),
    counts,
    failed: failed.map((task) => ({
      task,
      error: rc.errors.get(task) ?? '',
      lastLines: rc.lastLines.get(task) ?? [],
    })),
  });
  return { runId, status, failed, notStarted: result.notStarted, durationMs: ended - started };
}
