/**
 * The end of a run or undo, for humans: a table of tasks with status and duration, the critical
 * path marked, total time next to the sum of task times, and for a failure the failing task, its
 * last lines of output, the log path and the exact commands to resume or undo.
 */
import { formatMs } from '../process.js';
import type { Style } from './style.js';
import type { TaskRow, Tracker } from './tracker.js';

export interface NextSteps {
  /** Path of run.log. */
  logPath?: string;
  /** e.g. `bootstrap run playbooks/x.yaml --resume` */
  resume?: string;
  /** e.g. `bootstrap undo playbooks/x.yaml` */
  undo?: string;
}

const SYMBOL: Record<string, string> = {
  succeeded: '✓',
  failed: '✗',
  'skipped(condition)': '○',
  'skipped(satisfied)': '○',
  pending: '·',
  running: '…',
  undone: '↺',
  'undo-failed': '✗',
  undoing: '…',
};

function statusText(r: TaskRow): string {
  switch (r.state) {
    case 'skipped(satisfied)':
      return 'already done';
    case 'skipped(condition)':
      return 'skipped (condition)';
    case 'pending':
      return 'not run';
    case 'succeeded':
      return r.restored ? 'done earlier' : 'succeeded';
    default:
      return r.state;
  }
}

function colour(r: TaskRow, s: Style, text: string): string {
  if (r.state === 'failed' || r.state === 'undo-failed') return s.red(text);
  if (r.state === 'succeeded' || r.state === 'undone') return s.green(text);
  if (r.state.startsWith('skipped') || r.state === 'pending') return s.dim(text);
  return s.yellow(text);
}

/** Tasks listed one by one in a run's summary; above that, the most telling ones. */
export const MAX_LISTED = 50;

/**
 * The MAX_LISTED rows worth a line of their own, in their order: failed first, then unfinished,
 * not run, skipped, the critical path, and succeeded ones last.
 */
function mostTelling(rows: TaskRow[], critical: ReadonlySet<string>): TaskRow[] {
  const rank = (r: TaskRow) =>
    r.state === 'failed' ? 0 : r.state === 'running' ? 1 : r.state === 'pending' ? 2 : r.state.startsWith('skipped') ? 3 : critical.has(r.id) ? 4 : 5;
  const keep = new Set(
    rows
      .map((r, i) => ({ r, i, k: rank(r) }))
      .sort((a, b) => a.k - b.k || a.i - b.i)
      .slice(0, MAX_LISTED)
      .map((x) => x.r),
  );
  return rows.filter((r) => keep.has(r));
}

/** Render the summary of a finished run. */
export function renderRunSummary(t: Tracker, s: Style, next: NextSteps): string {
  const fin = t.runFinished;
  if (!fin) return '';
  const critical = new Set(fin.criticalPath);
  const all = [...t.rows.values()];
  const rows = all.length > MAX_LISTED ? mostTelling(all, critical) : all;
  const width = Math.max(4, ...rows.map((r) => r.id.length));
  const lines: string[] = ['', s.bold('Tasks')];
  for (const r of rows) {
    const dur = r.start !== undefined && r.end !== undefined && !r.restored ? formatMs(r.end - r.start) : '';
    const mark = critical.has(r.id) ? s.cyan(' ★ critical path') : '';
    lines.push(`  ${colour(r, s, SYMBOL[r.state] ?? '?')} ${r.id.padEnd(width)}  ${statusText(r).padEnd(19)} ${dur.padStart(7)}${mark}`);
  }
  if (rows.length < all.length) {
    const shown = new Set(rows);
    const counts = new Map<string, number>();
    for (const r of all) if (!shown.has(r)) counts.set(statusText(r), (counts.get(statusText(r)) ?? 0) + 1);
    const order = ['failed', 'running', 'not run', 'skipped (condition)', 'already done', 'done earlier', 'succeeded'];
    const at = (k: string) => (order.includes(k) ? order.indexOf(k) : order.length);
    const what = [...counts]
      .sort((a, b) => at(a[0]) - at(b[0]))
      .map(([k, n]) => `${n} ${k}`)
      .join(', ');
    lines.push(s.dim(`  … and ${all.length - rows.length} more (${what}): report.html and run.log list every task`));
  }
  const saved = fin.sumOfTaskMs - fin.durationMs;
  lines.push('');
  lines.push(
    `${fin.status === 'succeeded' ? s.green('Succeeded') : fin.status === 'interrupted' ? s.yellow('Interrupted') : s.red('Failed')} in ${formatMs(fin.durationMs)}` +
      ` · sum of task times ${formatMs(fin.sumOfTaskMs)}${saved > 0 ? ` (parallelism saved ${formatMs(saved)})` : ''}`,
  );
  if (fin.criticalPath.length) lines.push(`Critical path: ${fin.criticalPath.join(' → ')}`);
  for (const f of fin.failed) {
    const row = t.rows.get(f.task);
    lines.push('', s.red(`✗ ${f.task} failed: ${f.error || row?.error || 'failed'}`));
    const last = (f.lastLines.length ? f.lastLines : row?.lastLines ?? []).slice(-20);
    if (last.length) {
      lines.push(s.dim(`  last ${last.length} line${last.length > 1 ? 's' : ''} of output:`));
      for (const l of last) lines.push(s.dim('  │ ') + l);
    }
  }
  if (fin.status !== 'succeeded') {
    lines.push('');
    if (next.logPath) lines.push(`Full log: ${next.logPath}`);
    if (next.resume) lines.push(`To resume where it stopped: ${s.bold(next.resume)}`);
    if (next.undo) lines.push(`To undo what it did:       ${s.bold(next.undo)}`);
  }
  return lines.join('\n') + '\n';
}

/** Render the summary of a finished undo. */
export function renderUndoSummary(t: Tracker, s: Style, next: NextSteps): string {
  const fin = t.undoFinished;
  if (!fin) return '';
  const why = new Map(Object.entries(fin.reasons ?? {}));
  const lines: string[] = [''];
  const head = fin.status === 'succeeded' ? s.green('Undo succeeded') : fin.status === 'interrupted' ? s.yellow('Undo interrupted') : s.red('Undo failed');
  lines.push(`${head} in ${formatMs(fin.durationMs)}: ${fin.undone.length} undone, ${fin.failed.length} failed, ${fin.leftInPlace.length} left in place`);
  for (const id of fin.failed) lines.push(s.red(`  ✗ ${id}: ${t.rows.get(id)?.error ?? 'failed'}`));
  for (const id of fin.leftInPlace) lines.push(s.yellow(`  ! ${id}: ${why.get(id) ?? 'left in place'}`));
  if (fin.status !== 'succeeded') {
    if (next.logPath) lines.push(`Full log: ${next.logPath}`);
    if (next.undo) lines.push(`To retry what is left: ${s.bold(next.undo)}${fin.failed.length ? `  (add --force to undo what the failed steps need anyway)` : ''}`);
  }
  return lines.join('\n') + '\n';
}
