/**
 * The Output section of report.html: a row for each task that printed something or failed
 * (its lines, its error), and one line counting the tasks that printed nothing, instead of an
 * empty row for each (a run of 10,000 quiet tasks made 10,000 of them).
 */
import { describe, expect, it } from 'vitest';
import type { OutputLine, ReportData, Span } from '../../runner/reporters/html.js';
import { renderReport } from '../../runner/reporters/html-render.js';

function report(spans: Record<string, Span>, outputs: Record<string, OutputLine[]>, failed: ReportData['failed'] = []): string {
  const ids = Object.keys(spans);
  const d: ReportData = {
    playbook: { name: 'outputs' },
    needs: new Map(ids.map((id) => [id, []])),
    phases: [{ kind: 'run', id: 'r1', start: 0, end: 10, status: failed.length ? 'failed' : 'succeeded', tasks: ids, spans: new Map(Object.entries(spans)), retries: [] }],
    outputs: new Map(Object.entries(outputs).map(([id, lines]) => [id, { lines, dropped: 0 }])),
    logs: [],
    failed,
    created: [],
    left: [],
    next: { logPath: 'run.log', undo: 'bootstrap undo outputs.yaml' },
    generated: 10,
  };
  return renderReport(d);
}

/** The Output section alone. */
const section = (html: string) => html.slice(html.indexOf('<h2>Output</h2>'), html.indexOf('</section>', html.indexOf('<h2>Output</h2>')));
const ok = (start: number): Span => ({ start, end: start + 1, status: 'succeeded', attempts: 1 });

describe('the Output section of report.html', () => {
  it('has a row for each task that printed or failed, and counts the quiet ones', () => {
    const html = report(
      { loud: ok(0), quiet1: ok(1), quiet2: ok(2), broken: { start: 3, end: 4, status: 'failed', attempts: 1, error: 'exit code 3' } },
      { loud: [{ ts: 0, stream: 'stdout', phase: 'run', text: 'hello <world>' }] },
      [{ task: 'broken', error: 'exit code 3', lastLines: [] }],
    );
    const out = section(html);
    expect(out).toContain('id="out-loud"');
    expect(out).toContain('hello &lt;world&gt;');
    expect(out).toMatch(/id="out-broken" open>/);
    expect(out).toContain('exit code 3');
    expect(out).not.toContain('out-quiet1');
    expect(out).not.toContain('out-quiet2');
    expect(out).toContain('2 other task(s) printed nothing.');
    // The timeline still has a bar for every task, quiet ones included.
    for (const id of ['loud', 'quiet1', 'quiet2', 'broken']) expect(html).toMatch(new RegExp(`<div class="bar [^"]*" data-task="${id}" data-phase="run"`));
  });

  it('says so when no task printed anything', () => {
    const out = section(report({ a: ok(0), b: ok(1) }, {}));
    expect(out).not.toContain('<details');
    expect(out).toContain('No task printed anything.');
  });
});
