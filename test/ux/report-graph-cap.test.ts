/**
 * report.html draws the task graph up to MAX_DRAWN_TASKS tasks; a larger graph gets a line
 * saying how to render it instead (a drawing of thousands of boxes is unreadable and cost more
 * than the rest of the page).
 */
import { describe, expect, it } from 'vitest';
import type { ReportData, Span } from '../../runner/reporters/html.js';
import { MAX_DRAWN_TASKS, renderReport } from '../../runner/reporters/html-render.js';

function report(n: number): string {
  const needs = new Map<string, string[]>();
  for (let i = 0; i < n; i++) needs.set(`t${i}`, i ? [`t${i - 1}`] : []);
  const spans = new Map<string, Span>([...needs.keys()].map((id, i) => [id, { start: i, end: i + 1, status: 'succeeded', attempts: 1 }]));
  const d: ReportData = {
    playbook: { name: 'cap' },
    needs,
    phases: [{ kind: 'run', id: 'r1', start: 0, end: n, status: 'succeeded', tasks: [...needs.keys()], spans, retries: [] }],
    outputs: new Map(),
    logs: [],
    failed: [],
    created: [],
    left: [],
    next: { logPath: 'run.log', undo: 'bootstrap undo cap.yaml' },
    generated: n,
  };
  return renderReport(d);
}

describe('the graph in report.html', () => {
  it(`is drawn for ${MAX_DRAWN_TASKS} tasks`, () => {
    const html = report(MAX_DRAWN_TASKS);
    expect(html).toMatch(/<svg[\s>]/);
    expect(html).not.toContain('too many to draw');
  });

  it(`is replaced by how to get it for ${MAX_DRAWN_TASKS + 1} tasks, and the timeline keeps every task`, () => {
    const html = report(MAX_DRAWN_TASKS + 1);
    expect(html).not.toMatch(/<svg[\s>]/);
    expect(html).toContain(`${MAX_DRAWN_TASKS + 1} tasks are too many to draw here`);
    expect(html).toContain('bootstrap graph &lt;playbook&gt; --format dot');
    expect(html).toContain(`t${MAX_DRAWN_TASKS}`);
  });
});
