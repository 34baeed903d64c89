/**
 * The live view in a real terminal (tmux): spinners, states and elapsed times while tasks run,
 * the final table at the end, and nothing of the live block left on screen. Tasks wait for a
 * file the test creates, so the screen is captured while they are running (no sleeps for order).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempProject } from '../support/cli.js';
import { SPINNER } from '../../runner/reporters/terminal.js';
import { Tmux, ttyCommand } from './helpers.js';

const spinning = (screen: string) => SPINNER.some((f) => screen.includes(f));

let tmux: Tmux | undefined;
afterEach(() => {
  tmux?.stop();
  tmux = undefined;
});

describe('live view on a TTY', () => {
  it('shows running tasks with spinners, times and last lines, then only the final table', async () => {
    const dir = tempProject({
      'live.yaml': `name: live
tasks:
  prepare:
    run: echo "preparing the ground"
  wait-a:
    needs: [prepare]
    run: |
      echo "step one of a"
      echo "waiting for the go file"
      while [ ! -f go ]; do sleep 0.05; done
  wait-b:
    needs: [prepare]
    run: |
      echo "b is polling"
      while [ ! -f go ]; do sleep 0.05; done
  join:
    needs: [wait-a, wait-b]
    run: echo joined
`,
    });
    tmux = new Tmux();
    tmux.start(ttyCommand(['run', 'live.yaml']), dir);
    const live = await tmux.waitFor((s) => /wait-a\s+running\s+\d/.test(s) && /wait-b\s+running\s+\d/.test(s) && s.includes('waiting for the go file'), 'both waiting tasks running');
    expect(spinning(live)).toBe(true);
    expect(live).toMatch(/prepare\s+succeeded\s+\d+(ms|\.\ds)/);
    expect(live).toMatch(/join\s+waiting\s+for wait-a, wait-b/);
    expect(live).toContain('│ b is polling');
    expect(live).toMatch(/live\s+1\/4 done · 2 running · \d/);

    fs.writeFileSync(path.join(dir, 'go'), '');
    const end = await tmux.waitFor((s) => s.includes('EXIT='), 'the run to end');
    expect(end).toContain('EXIT=0');
    expect(end).toMatch(/Tasks\n/);
    for (const id of ['prepare', 'wait-a', 'wait-b', 'join']) expect(end).toMatch(new RegExp(`✓ ${id}\\s+succeeded`));
    expect(end).toMatch(/Succeeded in \d/);
    expect(end).toMatch(/Critical path: prepare → wait-(a|b) → join/);
    // Nothing of the live block is left: no spinner, no running/waiting rows, no header line.
    expect(spinning(end)).toBe(false);
    expect(end).not.toMatch(/running|waiting for|\d\/4 done/);
    // Each task appears once in the table (the live rows were erased, not scrolled away).
    expect(end.match(/wait-a\s+succeeded/g)).toHaveLength(1);
  });

  it('shows retries and a failure, then the failing task, its output and the exact resume command', async () => {
    const dir = tempProject({
      'broken.yaml': `name: broken
tasks:
  first:
    run: echo fine
  shaky:
    needs: [first]
    retries: 1
    retry-delay: 100ms
    run: |
      echo "attempt output"
      while [ ! -f go ]; do sleep 0.05; done
      echo "giving up now" >&2
      exit 3
  after:
    needs: [shaky]
    run: echo never
`,
    });
    tmux = new Tmux();
    tmux.start(ttyCommand(['run', 'broken.yaml']), dir);
    await tmux.waitFor((s) => /shaky\s+running/.test(s), 'shaky running');
    fs.writeFileSync(path.join(dir, 'go'), '');
    const end = await tmux.waitFor((s) => s.includes('EXIT='), 'the run to end');
    expect(end).toContain('EXIT=1');
    expect(end).toMatch(/↻ shaky: attempt 1\/2 failed \(command failed: exit code 3\); retrying in 100ms/);
    expect(end).toMatch(/✗ shaky failed after/);
    expect(end).toMatch(/✗ shaky\s+failed/);
    expect(end).toMatch(/after\s+not run/);
    expect(end).toContain('│ giving up now');
    expect(end).toContain('To resume where it stopped: bootstrap run broken.yaml --resume');
    expect(end).toContain('To undo what it did:       bootstrap undo broken.yaml');
    expect(spinning(end)).toBe(false);
  });

  it('prints playbook errors like a compiler, in colour on a terminal', async () => {
    const dir = tempProject({ 'bad.yaml': `name: bad\ntasks:\n  a:\n    needs: [nope]\n    run: echo \${{ vars.missing }}\n` });
    tmux = new Tmux();
    tmux.start(ttyCommand(['validate', 'bad.yaml']), dir);
    await tmux.waitFor((s) => s.includes('EXIT='), 'validate to end');
    const plain = tmux.capture();
    expect(plain).toContain('EXIT=2');
    expect(plain).toMatch(/bad\.yaml:4:\d+: error: .*nope/);
    expect(plain).toMatch(/bad\.yaml:5:\d+: error: .*missing/);
    expect(plain).toMatch(/\^~+/);
    // Colour escape sequences reach the terminal.
    expect(tmux.capture(true)).toMatch(/\u001b\[[0-9;]*m/);
  });
});
