/** A plain one-line description of each event and its log level (for run.log and plain output). */
import type { BootstrapEvent, LogLevel } from '../events.js';
import { formatMs } from '../process.js';

export function describeEvent(e: BootstrapEvent): { level: LogLevel; text: string } {
  switch (e.type) {
    case 'run-started':
      return { level: 'info', text: `run ${e.runId} of ${e.playbook.name} started${e.resumeOf ? ` (resuming ${e.resumeOf})` : ''}: ${e.tasks.length} tasks, concurrency ${e.concurrency}, state in ${e.stateDir}` };
    case 'task-started':
      return { level: 'info', text: e.attempt > 1 ? `${e.task}: attempt ${e.attempt}` : `${e.task}: started` };
    case 'task-output':
      return { level: 'debug', text: `${e.task}: ${e.line}` };
    case 'task-progress':
      return { level: 'info', text: `${e.task}: ${e.message}` };
    case 'task-retry':
      return { level: 'warn', text: `${e.task}: attempt ${e.attempt}/${e.maxAttempts} failed (${firstLine(e.error)}); retrying in ${formatMs(e.delayMs)}` };
    case 'task-finished': {
      const what =
        e.status === 'skipped'
          ? `skipped (${e.reason === 'satisfied' ? 'already done' : 'condition false'})`
          : e.restored
            ? 'succeeded (restored from the journal)'
            : e.status;
      const err = e.error ? `: ${e.error}` : '';
      return { level: e.status === 'failed' ? 'error' : 'info', text: `${e.task}: ${what} in ${formatMs(e.durationMs)}${err}` };
    }
    case 'run-finished':
      return { level: e.status === 'succeeded' ? 'info' : 'error', text: `run ${e.runId} ${e.status} in ${formatMs(e.durationMs)}` };
    case 'undo-started':
      return { level: 'info', text: `${e.reason} ${e.undoId} started: ${e.tasks.length} task(s) to undo` };
    case 'task-undo-started':
      return { level: 'info', text: `${e.task}: undoing` };
    case 'task-undo-finished':
      return { level: e.status === 'undo-failed' ? 'error' : e.status === 'left-in-place' ? 'warn' : 'info', text: `${e.task}: ${e.status} in ${formatMs(e.durationMs)}${e.error ? `: ${e.error}` : ''}` };
    case 'undo-finished':
      return { level: e.status === 'succeeded' ? 'info' : 'error', text: `undo ${e.undoId} ${e.status}: ${e.undone.length} undone, ${e.failed.length} failed, ${e.leftInPlace.length} left in place` };
    case 'log':
      return { level: e.level, text: e.task ? `${e.task}: ${e.message}` : e.message };
  }
}

/**
 * `new Date(ms).toISOString()`, remembered for the last millisecond asked: the lines of one
 * turn of the event loop share their timestamp (10,000 tasks print ~40,000 timestamped lines).
 */
export function isoTime(ms: number): string {
  if (ms !== lastMs) {
    lastMs = ms;
    lastIso = new Date(ms).toISOString();
  }
  return lastIso;
}
let lastMs = NaN;
let lastIso = '';

export function firstLine(s: string): string {
  return s.split('\n')[0];
}
