/**
 * `bootstrap status`: what the journal says. The latest run and each task's state and times,
 * what `undo` would remove (in order), failed undos, and journalled errors. `--json` gives the
 * same as a document (the seed's Bootstrap State: version, timestamp, status, what was created,
 * errors), for scripts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { LOCK_FILE, holderAlive, type LockHolder } from '../lock.js';
import { formatMs } from '../process.js';
import { styleFor } from '../reporters/style.js';
import type { JournalState, RunRecord } from '../state.js';
import { planUndo } from '../undo.js';
import { nestVars } from '../playbook/vars-file.js';
import { evaluateOutputs, flattenOutputs, readOutputsLeniently } from '../playbook/outputs.js';
import { displayPath, readState, stateDirFor, type Io } from './common.js';
import { playbookName } from './undo.js';

export interface StatusOptions {
  stateDir?: string;
  json?: boolean;
}

/** The seed's status vocabulary for the state dir as a whole. */
export type OverallStatus = 'not_started' | 'in_progress' | 'completed' | 'failed' | 'interrupted' | 'rolled_back';

function lockHolder(stateDir: string): LockHolder | undefined {
  try {
    const h = JSON.parse(fs.readFileSync(path.join(stateDir, LOCK_FILE), 'utf8')) as LockHolder;
    return holderAlive(h) ? h : undefined;
  } catch {
    return undefined;
  }
}

export function overallStatus(state: JournalState, running: boolean): OverallStatus {
  const last = state.runs[state.runs.length - 1];
  if (!last) return 'not_started';
  if (last.undoneBy) {
    const u = state.undos.find((x) => x.id === last.undoneBy);
    const after = state.undos.filter((x) => x.start >= (u?.start ?? 0));
    if (after.some((x) => x.status === 'succeeded') && state.applied.size === 0) return 'rolled_back';
  }
  if (last.status === 'incomplete') return running ? 'in_progress' : 'interrupted';
  if (last.status === 'succeeded') return 'completed';
  return last.status;
}

/**
 * The playbook's top-level `outputs:` evaluated against the latest run: its journalled vars
 * (secrets are never journalled, so they read as null) and the outputs its tasks ended with
 * (restored ones included). `env` is empty: the run's environment is not journalled. The
 * playbook file is read leniently (it may have changed or no longer validate); undefined when
 * there is no run, the file is gone or it has no `outputs`.
 */
export function runOutputs(state: JournalState, file?: string): unknown {
  const last = state.runs[state.runs.length - 1];
  if (!last) return undefined;
  const raw = readOutputsLeniently(file ?? last.playbook.file);
  if (!raw) return undefined;
  const flat: Record<string, unknown> = {};
  for (const [name, v] of Object.entries(last.vars)) if (!v.secret && v.value !== undefined) flat[name] = v.value;
  const tasks: Record<string, { outputs: Record<string, unknown>; status: string }> = {};
  for (const id of last.needs.keys()) {
    const t = last.tasks.get(id);
    tasks[id] = { outputs: { ...(t?.outputs ?? {}) }, status: t ? t.status : 'pending' };
  }
  return evaluateOutputs(raw, {
    vars: nestVars(flat),
    env: {},
    tasks,
    playbook: { dir: path.dirname(last.playbook.file), name: last.playbook.name, file: last.playbook.file },
    run: { id: last.id },
  });
}

/** The status document (`--json`). `outputs`: the evaluated top-level outputs ({@link runOutputs}). */
export function statusDocument(state: JournalState, stateDir: string, running: boolean, outputs?: unknown) {
  const last: RunRecord | undefined = state.runs[state.runs.length - 1];
  const plan = planUndo(state);
  const undoState = new Map<string, string>();
  for (const u of state.undos) for (const [id, t] of u.tasks) undoState.set(id, t.status);
  return {
    version: '1.0',
    stateDir,
    status: overallStatus(state, running),
    timestamp: last ? new Date(last.start).toISOString() : undefined,
    playbook: last?.playbook,
    run: last && {
      id: last.id,
      status: last.status,
      resumeOf: last.resumeOf,
      started: new Date(last.start).toISOString(),
      ended: last.end ? new Date(last.end).toISOString() : undefined,
      durationMs: last.end ? last.end - last.start : undefined,
    },
    tasks: last
      ? Object.fromEntries(
          [...last.needs.keys()].map((id) => {
            const t = last.tasks.get(id);
            return [
              id,
              {
                status: t ? (t.status === 'skipped' ? `skipped(${t.reason})` : t.status) : 'pending',
                reason: t?.reason,
                attempts: t?.attempts,
                started: t?.start ? new Date(t.start).toISOString() : undefined,
                ended: t?.end ? new Date(t.end).toISOString() : undefined,
                durationMs: t?.durationMs,
                restored: t?.restored || undefined,
                error: t?.error,
                outputs: t?.outputs,
                applied: state.applied.has(id),
                undo: undoState.get(id),
              },
            ];
          }),
        )
      : {},
    /** What `bootstrap undo` would undo, in order (dependents first). */
    applied: plan.tasks.map((a) => ({ task: a.task, run: a.run, partial: a.partial, hasUndo: Boolean(a.undo), after: plan.after.get(a.task), lastUndoError: a.lastUndoError })),
    runs: state.runs.map((r) => ({ id: r.id, status: r.status, started: new Date(r.start).toISOString(), resumeOf: r.resumeOf, undoneBy: r.undoneBy })),
    undos: state.undos.map((u) => ({ id: u.id, reason: u.reason, status: u.status, started: new Date(u.start).toISOString() })),
    errors: state.errors.map((e) => ({ at: new Date(e.ts).toISOString(), task: e.task, message: e.message })),
    outputs,
  };
}

export async function statusCommand(io: Io, file: string | undefined, opts: StatusOptions): Promise<ExitCode> {
  const stateDir = stateDirFor(io, opts.stateDir, file ? playbookName(io, file) : undefined);
  const { state, warnings } = readState(stateDir);
  const running = Boolean(lockHolder(stateDir));
  const doc = statusDocument(state, stateDir, running, runOutputs(state, file ? path.resolve(io.cwd, file) : undefined));
  if (opts.json) {
    io.stdout.write(JSON.stringify({ ...doc, warnings }, null, 2) + '\n');
    return EXIT.OK;
  }
  const s = styleFor(io.stdout, io.env);
  const out: string[] = [];
  for (const w of warnings) out.push(s.yellow(`warning: ${w}`));
  out.push(`State: ${displayPath(io, stateDir)}  ${s.bold(doc.status)}`);
  if (!doc.run) {
    out.push('No run recorded yet.');
    io.stdout.write(out.join('\n') + '\n');
    return EXIT.OK;
  }
  out.push(`Playbook: ${doc.playbook?.name} (${displayPath(io, doc.playbook?.file ?? '')})`);
  out.push(`Last run: ${doc.run.id} ${doc.run.status}${doc.run.durationMs !== undefined ? ` in ${formatMs(doc.run.durationMs)}` : ''}${doc.run.resumeOf ? ` (resumed ${doc.run.resumeOf})` : ''}`);
  const width = Math.max(4, ...Object.keys(doc.tasks).map((k) => k.length));
  for (const [id, t] of Object.entries(doc.tasks)) {
    const dur = t.durationMs !== undefined && !t.restored ? formatMs(t.durationMs) : '';
    const undo = t.undo ? `  undo: ${t.undo}` : t.applied ? '  applied' : '';
    const line = `  ${id.padEnd(width)}  ${t.status.padEnd(18)} ${dur.padStart(7)}${undo}${t.error ? `  ${t.error.split('\n')[0]}` : ''}`;
    out.push(t.status === 'failed' ? s.red(line) : line);
  }
  if (doc.applied.length) {
    out.push('', `What \`bootstrap undo\` would undo, in this order:`);
    for (const a of doc.applied) out.push(`  ${a.task}${a.partial ? ' (started, did not finish)' : ''}${a.hasUndo ? '' : ' (no undo step: would be left in place)'}${a.lastUndoError ? s.red(`  last undo failed: ${a.lastUndoError.split('\n')[0]}`) : ''}`);
  } else out.push('', 'Nothing to undo.');
  if (doc.outputs !== undefined) {
    const rows = flattenOutputs(doc.outputs);
    if (rows.length) {
      out.push('', 'Outputs:');
      const w = Math.max(...rows.map(([k]) => k.length));
      for (const [k, v] of rows) out.push(`  ${k.padEnd(w)}  ${v}`);
    }
  }
  if (doc.errors.length) {
    out.push('', 'Errors:');
    for (const e of doc.errors.slice(-10)) out.push(s.red(`  ${e.at} ${e.message.split('\n')[0]}`));
  }
  io.stdout.write(out.join('\n') + '\n');
  return EXIT.OK;
}
