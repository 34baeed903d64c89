import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../runner/playbook/diagnostics.js';
import { formatDiagnostics } from '../../runner/playbook/format.js';

const source = ['name: x', 'tasks:', '  a:', '    nedds: [b]', '\trun: echo'].join('\r\n');

const diag = (over: Partial<Diagnostic>): Diagnostic => ({
  file: 'pb.yaml',
  line: 4,
  col: 5,
  endLine: 4,
  endCol: 10,
  severity: 'error',
  message: 'unknown field `nedds` in task `a`; did you mean `needs`?',
  ...over,
});

describe('formatDiagnostics', () => {
  it('prints position, source line, marker, expected, hint and a count', () => {
    const out = formatDiagnostics(
      [diag({ expected: 'one of `needs`, `run`', hint: 'fix the typo' }), diag({ line: 1, col: 7, endLine: 1, endCol: 8, severity: 'warning', message: 'w' })],
      new Map([['pb.yaml', source]]),
      { color: false },
    );
    expect(out).toBe(
      [
        'pb.yaml:4:5: error: unknown field `nedds` in task `a`; did you mean `needs`?',
        ' 4 |     nedds: [b]',
        '   |     ^~~~~',
        '  expected: one of `needs`, `run`',
        '  hint: fix the typo',
        'pb.yaml:1:7: warning: w',
        ' 1 | name: x',
        '   |       ^',
        '',
        '1 error and 1 warning',
        '',
      ].join('\n'),
    );
  });

  it('keeps tabs under the marker, marks multi-line spans to the end of the line, and counts plurals', () => {
    const out = formatDiagnostics(
      [diag({ line: 5, col: 2, endLine: 5, endCol: 5 }), diag({ line: 3, col: 3, endLine: 4, endCol: 2 })],
      (f) => (f === 'pb.yaml' ? source : undefined),
      { color: false },
    );
    expect(out).toContain(' 5 | \trun: echo\n   | \t^~~\n');
    expect(out).toContain(' 3 |   a:\n   |   ^~\n');
    expect(out.trimEnd().endsWith('2 errors')).toBe(true);
  });

  it('prints diagnostics without a position or without source', () => {
    const out = formatDiagnostics(
      [diag({ file: '<command line>', line: 0, col: 0, message: 'unknown var' }), diag({ file: 'gone.yaml' })],
      () => undefined,
      { color: false },
    );
    expect(out).toBe('<command line>: error: unknown var\ngone.yaml:4:5: error: unknown field `nedds` in task `a`; did you mean `needs`?\n\n2 errors\n');
  });

  it('uses ANSI codes only when asked, and shows files relative to cwd', () => {
    const d = [diag({ file: '/work/x/pb.yaml' })];
    const plain = formatDiagnostics(d, () => source, { color: false, cwd: '/work/x' });
    const color = formatDiagnostics(d, () => source, { color: true, cwd: '/work/x' });
    expect(plain).not.toMatch(/\x1b\[/);
    expect(plain.startsWith('pb.yaml:4:5: error:')).toBe(true);
    expect(color).toMatch(/\x1b\[31m/);
    expect(color.replace(/\x1b\[\d+m/g, '')).toBe(plain);
    expect(formatDiagnostics([], () => source, { color: true })).toBe('');
  });
});
