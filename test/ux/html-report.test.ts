/**
 * report.html, rendered in real headless Chromium: the DOM after its script ran (task names,
 * statuses, one bar per task with a width proportional to its duration, the graph with its
 * critical path), secrets masked, no external assets, and a screenshot that is not blank.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempProject } from '../support/cli.js';
import { bs, EXAMPLES, renderInChromium } from './helpers.js';

interface Bar {
  task: string;
  phase: string;
  status: string;
  ms: number;
  left: number;
  width: number;
  critical: boolean;
}

/** The Gantt bars of a dumped DOM. */
function bars(dom: string): Bar[] {
  return [...dom.matchAll(/<div class="bar ([^"]*)" data-task="([^"]+)" data-phase="([^"]+)" data-status="([^"]+)" data-start-ms="(\d+)" data-ms="(\d+)" style="left:([\d.]+)%;width:([\d.]+)%"/g)].map((m) => ({
    task: m[2],
    phase: m[3],
    status: m[4],
    ms: Number(m[6]),
    left: Number(m[7]),
    width: Number(m[8]),
    critical: m[1].split(' ').includes('critical'),
  }));
}

/** Total of each timeline, by phase. */
function totals(dom: string): Map<string, number> {
  return new Map([...dom.matchAll(/<div class="gantt" data-phase="([^"]+)" data-total-ms="(\d+)"[^>]*>/g)].map((m) => [m[1], Number(m[2])]));
}

function assertSelfContained(html: string): void {
  expect(html).not.toMatch(/<(script|img|iframe)[^>]+src=/i);
  expect(html).not.toMatch(/<link[^>]+href=/i);
  expect(html).not.toMatch(/url\(\s*['"]?(https?:)?\/\//i);
  expect(html).not.toMatch(/@import/i);
}

describe('report.html in headless Chromium', () => {
  it('shows a timeline with one proportional bar per task, the graph and the critical path', async () => {
    const dir = tempProject();
    const r = await bs(['run', path.join(EXAMPLES, 'parallel.yaml'), '--var', 'short=0.05', '--var', 'long=0.8'], dir);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const file = path.join(dir, '.bootstrap', 'parallel', 'report.html');
    expect(r.stdout).toContain('Report: .bootstrap/parallel/report.html');
    const html = fs.readFileSync(file, 'utf8');
    assertSelfContained(html);

    const png = path.join(dir, 'report.png');
    const { dom } = renderInChromium(file, png);
    // The page's script ran in the browser: times were localised (their ISO form moved to title).
    expect(dom).toMatch(/<time data-ts="\d+" data-fmt="time" title="\d{4}-\d\d-\d\dT/);

    const ids = ['setup', 'fetch-a', 'fetch-b', 'fetch-c', 'compile', 'package'];
    const b = bars(dom);
    expect(b.map((x) => x.task).sort()).toEqual([...ids].sort());
    const total = totals(dom).get('run')!;
    expect(total).toBeGreaterThan(0);
    for (const x of b) {
      expect(x.status).toBe('succeeded');
      // Width and position proportional to the real clock.
      expect(x.width).toBeCloseTo((x.ms / total) * 100, 2);
      expect(x.left + x.width).toBeLessThanOrEqual(100.01);
    }
    const byId = new Map(b.map((x) => [x.task, x]));
    expect(byId.get('fetch-b')!.width).toBeGreaterThan(byId.get('fetch-a')!.width);
    // Dependents start after what they need ended.
    expect(byId.get('package')!.left).toBeGreaterThanOrEqual(byId.get('fetch-b')!.left + byId.get('fetch-b')!.width - 0.01);
    expect(b.filter((x) => x.critical).map((x) => x.task)).toEqual(['setup', 'fetch-b', 'package']);
    expect(dom).toContain('setup → fetch-b → package');

    // The graph: a node per task, an edge per need, the critical edges marked.
    expect(dom.match(/<g class="node [^"]*" data-task=/g)).toHaveLength(6);
    expect(dom.match(/<path class="edge[^"]*" data-from=/g)).toHaveLength(7);
    expect([...dom.matchAll(/<path class="edge critical" data-from="([^"]+)" data-to="([^"]+)"/g)].map((m) => `${m[1]}>${m[2]}`)).toEqual(['setup>fetch-b', 'fetch-b>package']);
    // Each task's output is in the page.
    expect(dom).toContain('fetching b: part 3 of 3');

    // A real screenshot, not a blank page (a blank 1280x900 PNG is a few KB).
    expect(fs.statSync(png).size).toBeGreaterThan(20_000);
  });

  it('shows a failure with the commands to resume or undo, masks secrets, and is rewritten after undo', async () => {
    const secret = 'hunter2-very-secret';
    const dir = tempProject({
      'fails.yaml': `name: fails
vars:
  token: { secret: true, env: FAILS_TOKEN }
tasks:
  create:
    run: |
      mkdir -p made && echo "token is \${{ vars.token }}"
    undo: rmdir made
  boom:
    needs: [create]
    run: echo "about to fail with \${{ vars.token }}"; exit 4
`,
    });
    const run = await bs(['run', 'fails.yaml'], dir, { FAILS_TOKEN: secret });
    expect(run.code).toBe(1);
    const file = path.join(dir, '.bootstrap', 'fails', 'report.html');
    const html = fs.readFileSync(file, 'utf8');
    expect(html).not.toContain(secret);
    assertSelfContained(html);
    const { dom } = renderInChromium(file, path.join(dir, 'fail.png'));
    expect(dom).toContain('token is ***');
    expect(dom).toMatch(/<code>boom<\/code> failed: command failed: exit code 4/);
    expect(dom).toContain('bootstrap run fails.yaml --resume');
    expect(dom).toContain('bootstrap undo fails.yaml');
    expect(bars(dom).map((x) => `${x.task}:${x.status}`)).toEqual(['create:succeeded', 'boom:failed']);
    expect(dom).toMatch(/Created by this run \(1\)[\s\S]*<code>create<\/code>[\s\S]*rmdir made/);

    const undo = await bs(['undo', 'fails.yaml'], dir, { FAILS_TOKEN: secret });
    expect(undo.code, undo.stdout + undo.stderr).toBe(0);
    const after = renderInChromium(file, path.join(dir, 'undo.png')).dom;
    expect(fs.readFileSync(file, 'utf8')).not.toContain(secret);
    // The undo's own timeline, and the run it reversed read back from the journal.
    const undoBars = bars(after).filter((x) => x.phase === 'undo');
    // boom failed and has no undo step: there is nothing to undo for it (only a task that
    // succeeded without an undo step is reported as left in place).
    expect(undoBars.map((x) => `${x.task}:${x.status}`).sort()).toEqual(['create:undone']);
    expect(bars(after).filter((x) => x.phase === 'run').map((x) => x.task)).toEqual(['create', 'boom']);
    expect(after).toContain('Left in place (0)');
    expect(fs.existsSync(path.join(dir, 'made'))).toBe(false);
  });
});
