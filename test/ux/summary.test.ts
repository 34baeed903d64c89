/**
 * The run summary lists every task of a small run; a large one (10,000 tasks) gets the most
 * telling MAX_LISTED lines and a count of the rest, not 10,000 lines on the console.
 */
import { describe, expect, it } from 'vitest';
import type { BootstrapEvent } from '../../runner/events.js';
import { PLAIN } from '../../runner/reporters/style.js';
import { MAX_LISTED, renderRunSummary } from '../../runner/reporters/summary.js';
import { Tracker } from '../../runner/reporters/tracker.js';

function summary(n: number, failed: string[], skipped: string[], critical: string[]): string {
  const t = new Tracker();
  const ids = Array.from({ length: n }, (_, i) => `t${i}`);
  const ev = (e: Record<string, unknown>) => t.apply({ v: 1, ts: 1000, ...e } as unknown as BootstrapEvent);
  ev({ type: 'run-started', runId: 'r1', playbook: { name: 'x', file: 'x.yaml' }, stateDir: 's', concurrency: 4, tasks: ids.map((id) => ({ id, needs: [] })) });
  for (const id of ids) {
    if (skipped.includes(id)) ev({ type: 'task-finished', task: id, status: 'skipped', reason: 'condition', durationMs: 0, attempts: 0 });
    else {
      ev({ type: 'task-started', task: id, attempt: 1 });
      ev({ type: 'task-finished', task: id, status: failed.includes(id) ? 'failed' : 'succeeded', durationMs: 5, attempts: 1, error: failed.includes(id) ? 'boom' : undefined });
    }
  }
  ev({
    type: 'run-finished',
    runId: 'r1',
    status: failed.length ? 'failed' : 'succeeded',
    durationMs: 100,
    sumOfTaskMs: 5 * n,
    criticalPath: critical,
    counts: { succeeded: n - failed.length - skipped.length, failed: failed.length, skipped: skipped.length, 'not-run': 0 },
    failed: failed.map((task) => ({ task, error: 'boom', lastLines: [] })),
  });
  return renderRunSummary(t, PLAIN, {});
}

const taskLines = (s: string) => s.split('\n').filter((l) => /^ {2}[✓✗○·…] t\d/.test(l));

describe('run summary', () => {
  it('lists every task of a run of MAX_LISTED tasks', () => {
    const s = summary(MAX_LISTED, ['t7'], ['t9'], ['t1']);
    expect(taskLines(s)).toHaveLength(MAX_LISTED);
    expect(s).not.toContain('more (');
  });

  it('above that: failed, skipped and critical-path tasks first, in run order, then a count of the rest', () => {
    const failed = ['t900', 't4000'];
    const skipped = ['t5', 't9999'];
    const critical = ['t0', 't3', 't8000'];
    const s = summary(10_000, failed, skipped, critical);
    const lines = taskLines(s);
    expect(lines).toHaveLength(MAX_LISTED);
    const ids = lines.map((l) => l.split(/\s+/)[2]);
    for (const id of [...failed, ...skipped, ...critical]) expect(ids).toContain(id);
    // Run order is kept: t0, t1, t2, t3 ... then t900, t4000, t8000, t9999.
    expect(ids.slice(0, 4)).toEqual(['t0', 't1', 't2', 't3']);
    expect(ids.slice(-4)).toEqual(['t900', 't4000', 't8000', 't9999']);
    expect(s).toContain(`  … and ${10_000 - MAX_LISTED} more (${10_000 - MAX_LISTED} succeeded): report.html and run.log list every task`);
    expect(s).toContain('✗ t900 failed: boom');
  });

  it('more failures than lines: failures win, and the count says what the rest were', () => {
    const failed = Array.from({ length: 60 }, (_, i) => `t${i * 10}`);
    const s = summary(1000, failed, [], []);
    const ids = taskLines(s).map((l) => l.split(/\s+/)[2]);
    expect(ids).toEqual(failed.slice(0, MAX_LISTED));
    expect(s).toContain(`… and ${1000 - MAX_LISTED} more (10 failed, 940 succeeded)`);
  });
});
