/** Folds events into a per-task table (state, times, attempts, last lines) for views and summaries. */
import type { BootstrapEvent, RunFinishedEvent, TaskState, UndoFinishedEvent } from '../events.js';

export interface TaskRow {
  id: string;
  needs: string[];
  state: TaskState;
  start?: number;
  end?: number;
  attempts: number;
  restored?: boolean;
  error?: string;
  lastLine?: string;
  lastLines: string[];
  progress?: string;
  retryUntil?: number;
}

export class Tracker {
  readonly rows = new Map<string, TaskRow>();
  runFinished?: RunFinishedEvent;
  undoFinished?: UndoFinishedEvent;
  runId?: string;
  start?: number;

  row(id: string): TaskRow {
    let r = this.rows.get(id);
    if (!r) {
      r = { id, needs: [], state: 'pending', attempts: 0, lastLines: [] };
      this.rows.set(id, r);
    }
    return r;
  }

  apply(e: BootstrapEvent): void {
    switch (e.type) {
      case 'run-started':
        this.runId = e.runId;
        this.start = e.ts;
        for (const t of e.tasks) Object.assign(this.row(t.id), { needs: t.needs });
        break;
      case 'undo-started':
        this.start ??= e.ts;
        for (const t of e.tasks) this.row(t.id);
        break;
      case 'task-started': {
        const r = this.row(e.task);
        r.state = 'running';
        r.start ??= e.ts;
        r.attempts = e.attempt;
        r.retryUntil = undefined;
        break;
      }
      case 'task-output': {
        const r = this.row(e.task);
        if (e.line.trim()) r.lastLine = e.line;
        r.lastLines.push(e.line);
        if (r.lastLines.length > 20) r.lastLines.shift();
        break;
      }
      case 'task-progress':
        this.row(e.task).progress = e.message;
        break;
      case 'task-retry':
        this.row(e.task).retryUntil = e.ts + e.delayMs;
        break;
      case 'task-finished': {
        const r = this.row(e.task);
        r.state = e.status === 'skipped' ? (`skipped(${e.reason})` as TaskState) : e.status;
        r.end = e.ts;
        r.start ??= e.ts - e.durationMs;
        r.restored = e.restored;
        r.error = e.error;
        break;
      }
      case 'task-undo-started': {
        const r = this.row(e.task);
        r.state = 'undoing';
        r.start = e.ts;
        r.end = undefined;
        break;
      }
      case 'task-undo-finished': {
        const r = this.row(e.task);
        r.state = e.status === 'undone' ? 'undone' : e.status === 'undo-failed' ? 'undo-failed' : r.state;
        if (e.status === 'left-in-place') r.progress = 'left in place';
        r.end = e.ts;
        r.error = e.error;
        break;
      }
      case 'run-finished':
        this.runFinished = e;
        break;
      case 'undo-finished':
        this.undoFinished = e;
        break;
    }
  }
}
