/**
 * The live view and the HTML reporter driven by events directly: a small terminal emulator
 * checks that redraws leave no garbage, lines fit the width, big graphs fit the height, task
 * output cannot break the view, and the report escapes what tasks print.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BootstrapEvent, EventInput } from '../../runner/events.js';
import { HtmlReporter } from '../../runner/reporters/html.js';
import { COLOR } from '../../runner/reporters/style.js';
import { cleanLine, stripAnsi, truncate, visibleWidth } from '../../runner/reporters/terminal.js';
import { TtyReporter } from '../../runner/reporters/tty.js';

/** Just enough of a terminal for what the live view writes: CR, LF, cursor up, erase, SGR. */
class Screen {
  lines: string[] = [''];
  row = 0;
  col = 0;
  cursorVisible = true;

  write(s: string): void {
    for (let i = 0; i < s.length; i++) {
      const ch = s[i];
      if (ch === '\u001b') {
        const m = s.slice(i).match(/^\u001b\[(\??)(\d*)([A-Za-z])/);
        if (!m) throw new Error(`unexpected escape ${JSON.stringify(s.slice(i, i + 8))}`);
        i += m[0].length - 1;
        const n = Number(m[2] || 1);
        if (m[1] === '?') this.cursorVisible = m[3] === 'h';
        else if (m[3] === 'A') this.row = Math.max(0, this.row - n);
        else if (m[3] === 'K') this.lines[this.row] = this.lines[this.row].slice(0, this.col);
        else if (m[3] === 'J') {
          this.lines[this.row] = this.lines[this.row].slice(0, this.col);
          this.lines.length = this.row + 1;
        } else if (m[3] !== 'm') throw new Error(`unsupported escape ${m[0]}`);
      } else if (ch === '\r') this.col = 0;
      else if (ch === '\n') {
        this.row++;
        this.col = 0;
        if (this.lines.length <= this.row) this.lines.push('');
      } else {
        const line = this.lines[this.row].padEnd(this.col);
        this.lines[this.row] = line.slice(0, this.col) + ch + line.slice(this.col + 1);
        this.col++;
      }
    }
  }

  text(): string {
    return this.lines.join('\n');
  }
}

const plain = (lines: string[]) => stripAnsi(lines.join('\n'));

function harness(o: { columns?: number; rows?: number; verbose?: boolean } = {}) {
  const screen = new Screen();
  let now = 1_000_000;
  let writes = 0;
  const r = new TtyReporter({
    write: (s) => {
      writes++;
      screen.write(s);
    },
    style: COLOR,
    verbosity: o.verbose ? 'verbose' : 'normal',
    next: { resume: 'bootstrap run x.yaml --resume', undo: 'bootstrap undo x.yaml', logPath: '.bootstrap/x/run.log' },
    columns: () => o.columns ?? 80,
    rows: () => o.rows ?? 24,
    frameMs: 0,
    now: () => now,
  });
  const emit = (e: EventInput) => r.log({ ...e, ts: e.ts ?? now } as BootstrapEvent);
  return {
    screen,
    r,
    emit,
    tick: (ms: number) => (now += ms),
    get now() {
      return now;
    },
    get writes() {
      return writes;
    },
  };
}

const started = (ids: Array<[string, string[]]>): EventInput => ({ type: 'run-started', runId: 'r1', playbook: { name: 'x', file: '/x.yaml' }, stateDir: '/s', concurrency: 4, tasks: ids.map(([id, needs]) => ({ id, needs })) });

describe('TtyReporter', () => {
  it('redraws in place and leaves only the committed lines and the summary', () => {
    const h = harness();
    h.emit(started([['a', []], ['b', ['a']]]));
    h.emit({ type: 'task-started', task: 'a', attempt: 1 });
    h.emit({ type: 'task-output', task: 'a', stream: 'stdout', line: '\u001b[32mcoloured\u001b[0m 50%\r 100%\tdone' });
    h.tick(1500);
    h.emit({ type: 'task-progress', task: 'a', message: 'almost' });
    const mid = h.screen.text();
    expect(mid).toMatch(/a\s+running\s+1\.5s\s+│ almost/);
    expect(mid).toMatch(/b\s+waiting\s+for a/);
    expect(h.screen.cursorVisible).toBe(false);
    h.emit({ type: 'task-output', task: 'a', stream: 'stdout', line: '\u001b[32mcoloured\u001b[0m 50%\r 100%\tdone' });
    expect(plain(h.r.render())).toContain('│ 100%  done');
    h.emit({ type: 'task-finished', task: 'a', status: 'succeeded', durationMs: 1500, attempts: 1, ts: h.now });
    h.emit({ type: 'task-started', task: 'b', attempt: 1 });
    h.emit({ type: 'task-finished', task: 'b', status: 'failed', reason: 'timeout', durationMs: 10, attempts: 1, error: 'timed out after 10ms' });
    h.emit({ type: 'run-finished', runId: 'r1', status: 'failed', durationMs: 1600, sumOfTaskMs: 1510, criticalPath: ['a', 'b'], counts: { succeeded: 1, failed: 1, skipped: 0, 'not-run': 0 }, failed: [{ task: 'b', error: 'timed out after 10ms', lastLines: [] }] });
    h.r.close();
    const end = h.screen.text();
    expect(h.screen.cursorVisible).toBe(true);
    expect(end.split('\n')[0]).toMatch(/^▶ x · run r1/);
    expect(end).toContain('✗ b timed out after 10ms: timed out after 10ms');
    expect(end).toContain('To resume where it stopped: bootstrap run x.yaml --resume');
    expect(end).not.toMatch(/running|waiting|[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/);
    expect(end.match(/✓ a/g)).toHaveLength(1);
  });

  it('fits the live block to the terminal: lines cut to the width, many tasks summarised', () => {
    const h = harness({ columns: 40, rows: 10 });
    const ids: Array<[string, string[]]> = Array.from({ length: 30 }, (_, i) => [`task-with-a-long-name-${i}`, []]);
    h.emit(started(ids));
    for (const [id] of ids.slice(0, 3)) {
      h.emit({ type: 'task-started', task: id, attempt: 1 });
      h.emit({ type: 'task-output', task: id, stream: 'stdout', line: 'x'.repeat(200) });
    }
    h.emit({ type: 'task-finished', task: ids[5][0], status: 'failed', durationMs: 1, attempts: 1, error: 'no' });
    const block = h.r.render();
    expect(block.length).toBeLessThanOrEqual(8);
    for (const l of block) expect(visibleWidth(l)).toBeLessThanOrEqual(39);
    expect(block.join('\n')).toMatch(/… \d+ more/);
    // The running and failed tasks stay visible.
    expect(block.filter((l) => /task-with.*(running|failed)/.test(stripAnsi(l)))).toHaveLength(4);
  });

  it('streams every output line above the block with --verbose', async () => {
    const h = harness({ verbose: true });
    h.emit(started([['a', []]]));
    h.emit({ type: 'task-started', task: 'a', attempt: 1 });
    h.emit({ type: 'task-output', task: 'a', stream: 'stdout', line: 'first' });
    h.emit({ type: 'task-output', task: 'a', stream: 'stderr', line: 'second' });
    // A burst of output is printed on the next turn of the event loop, in one write.
    const writes = h.writes;
    await new Promise((r) => setImmediate(r));
    expect(h.writes).toBe(writes + 1);
    const lines = h.screen.text().split('\n');
    expect(lines[1]).toBe('[a] first');
    expect(lines[2]).toBe('[a] second');
    expect(lines[3]).toMatch(/x\s+0\/1 done · 1 running/);
  });

  it('shows a retry countdown and the attempt', () => {
    const h = harness();
    h.emit(started([['a', []]]));
    h.emit({ type: 'task-started', task: 'a', attempt: 1 });
    h.emit({ type: 'task-retry', task: 'a', attempt: 1, maxAttempts: 3, delayMs: 4000, error: 'connection refused\nmore' });
    expect(plain(h.r.render())).toMatch(/a\s+retrying\s+\S+\s+attempt 2\/3 in 4\.0s · connection refused/);
    h.tick(4000);
    h.emit({ type: 'task-started', task: 'a', attempt: 2 });
    expect(plain(h.r.render())).toMatch(/a\s+running\s+4\.0s\s+attempt 2\/3/);
  });
});

describe('terminal helpers', () => {
  it('measures and cuts coloured text by what shows', () => {
    const s = `${COLOR.red('héllo')} wörld 漢字`;
    expect(visibleWidth(s)).toBe(16);
    const cut = truncate(s, 8);
    expect(visibleWidth(cut)).toBeLessThanOrEqual(8);
    expect(cut.endsWith('…\u001b[0m')).toBe(true);
    expect(truncate('short', 10)).toBe('short');
    expect(cleanLine('\u001b[1mdownloading\u001b[0m 10%\r 90%\u0007\t!')).toBe('90%  !');
  });
});

describe('HtmlReporter', () => {
  it('escapes what tasks print and replaces the file atomically', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bootstrap-html-'));
    const file = path.join(dir, 'report.html');
    fs.writeFileSync(file, 'old');
    const r = new HtmlReporter({ file, next: {} });
    const ev = (e: EventInput, ts: number) => r.log({ ...e, ts } as BootstrapEvent);
    ev(started([['a', []]]), 1000);
    ev({ type: 'task-started', task: 'a', attempt: 1 }, 1000);
    ev({ type: 'task-output', task: 'a', stream: 'stdout', line: '</script><script>alert(1)</script> & <b>bold</b>' }, 1100);
    ev({ type: 'task-finished', task: 'a', status: 'succeeded', durationMs: 500, attempts: 1 }, 1500);
    ev({ type: 'run-finished', runId: 'r1', status: 'succeeded', durationMs: 500, sumOfTaskMs: 500, criticalPath: ['a'], counts: { succeeded: 1, failed: 0, skipped: 0, 'not-run': 0 }, failed: [] }, 1500);
    r.close();
    const html = fs.readFileSync(file, 'utf8');
    expect(html).toContain('&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;');
    expect(html.match(/<script>/g)).toHaveLength(1);
    expect(html).toMatch(/data-task="a" data-phase="run" data-status="succeeded" data-start-ms="0" data-ms="500" style="left:0\.000%;width:100\.000%"/);
    expect(fs.readdirSync(dir)).toEqual(['report.html']);
  });
});
