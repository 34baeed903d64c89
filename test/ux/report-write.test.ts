/**
 * Writing report.html: the reporter streams the page to its file in blocks as it is rendered
 * (a page of 10,000 tasks is never one string in memory). The file must be exactly the page
 * renderReport gives for the same data, across block boundaries and with text that is not
 * ASCII; and a report that cannot be written leaves nothing behind and does not throw.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { HtmlReporter } from '../../runner/reporters/html.js';
import { renderReport } from '../../runner/reporters/html-render.js';

function feed(reporter: HtmlReporter, n: number): void {
  const tasks = Array.from({ length: n }, (_, i) => ({ id: `t${i}`, needs: i ? [`t${i - 1}`] : [] }));
  reporter.log({ type: 'run-started', ts: 1000, runId: 'r1', playbook: { name: 'big ✓', file: '/p/big.yaml' }, stateDir: '/s', concurrency: 4, tasks });
  for (let i = 0; i < n; i++) {
    const id = `t${i}`;
    reporter.log({ type: 'task-started', ts: 1000 + i, task: id, attempt: 1, maxAttempts: 1 });
    // Lines of every length, with 2-, 3- and 4-byte UTF-8 characters and text to escape, so
    // that block boundaries fall everywhere.
    if (i % 3 === 0) for (let k = 0; k < 1 + (i % 7); k++) reporter.log({ type: 'task-output', ts: 1000 + i, task: id, stream: k % 2 ? 'stderr' : 'stdout', line: `${'é'.repeat(i % 11)} <${id}> “${k}” 🚀 ${'x'.repeat((i * 7) % 97)}` });
    const failed = i % 500 === 499;
    reporter.log({ type: 'task-finished', ts: 1001 + i, task: id, status: failed ? 'failed' : 'succeeded', durationMs: 1, attempts: 1, error: failed ? `exit code 1 — ${id}` : undefined });
  }
  reporter.log({ type: 'run-finished', ts: 1001 + n, runId: 'r1', status: 'failed', durationMs: n + 1, sumOfTaskMs: n, criticalPath: [], counts: {} as never, failed: [{ task: 't499', error: 'exit code 1 — t499', lastLines: ['ünïcode'] }] });
}

describe('writing report.html', () => {
  it('writes exactly the rendered page, block by block', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bs-report-'));
    const file = path.join(dir, 'report.html');
    const reporter = new HtmlReporter({ file, next: { logPath: 'run.log', undo: 'bootstrap undo big.yaml', resume: 'bootstrap run big.yaml --resume' }, now: () => 5000 });
    feed(reporter, 3000);
    reporter.close();
    const written = fs.readFileSync(file, 'utf8');
    const expected = renderReport(reporter.snapshot());
    // Many blocks of 64 kB.
    expect(Buffer.byteLength(expected)).toBeGreaterThan(10 * 65_536);
    expect(written.length).toBe(expected.length);
    expect(written === expected).toBe(true);
    expect(written.match(/<div class="bar /g)).toHaveLength(3000);
    expect(written).toContain('🚀');
    expect(written.endsWith('</body></html>\n')).toBe(true);
    expect(fs.readdirSync(dir)).toEqual(['report.html']);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });

  it('leaves no file behind and does not throw when it cannot be written', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bs-report-'));
    // The report's directory is a regular file.
    fs.writeFileSync(path.join(dir, 'state'), 'not a directory');
    const reporter = new HtmlReporter({ file: path.join(dir, 'state', 'report.html'), next: {}, now: () => 5000 });
    feed(reporter, 10);
    expect(() => reporter.close()).not.toThrow();
    expect(fs.readdirSync(dir)).toEqual(['state']);
  });
});
