/**
 * Signals where test/cli/process.test.ts does not reach: SIGINT during an undo, a second Ctrl-C
 * during an undo (forced exit, journal still readable), SIGINT during a retry back-off, and
 * Ctrl-C / SIGINT at an interactive prompt (under a pseudo-terminal: tmux). After each, the
 * journal replays and the next `run --resume` / `undo` finishes the job, nothing done twice.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { journalOf, runCli, spawnCli, tempProject, waitForOutput } from '../support/cli.js';
import { BIN, bootstrapPid, groupAlive, STACK_FRAME, Tmux, until } from './support.js';

const exited = (child: ReturnType<typeof spawnCli>) =>
  new Promise<number | null>((r) => (child.exitCode !== null ? r(child.exitCode) : child.on('close', (c) => r(c))));
const lines = (dir: string, f: string) => (fs.existsSync(path.join(dir, f)) ? fs.readFileSync(path.join(dir, f), 'utf8').split('\n').filter(Boolean) : []);

/** Every line of the journal is a whole JSON record (a forced exit must not leave half a line). */
function journalReadable(stateDir: string) {
  const raw = fs.readFileSync(path.join(stateDir, 'journal.jsonl'), 'utf8');
  expect(raw.endsWith('\n')).toBe(true);
  for (const l of raw.split('\n').filter(Boolean)) expect(() => JSON.parse(l), l).not.toThrow();
}

const SLOW_UNDO = (trap: boolean) => `
name: sigundo
tasks:
  base:
    run: echo base
    undo: echo base >> undone
  slow:
    needs: [base]
    run: echo slow
    undo: |
      ${trap ? "trap '' TERM INT" : ':'}
      echo "$$" > slow.pid
      if [ ! -e fast ]; then sleep 600 & wait $! || true; sleep 600 & wait $! || true; fi
      echo slow >> undone
`;

/** Runs the SLOW_UNDO playbook, then starts `undo` and waits until the slow step runs. */
async function undoUnderWay(trap: boolean) {
  const dir = tempProject({ 'pb.yaml': SLOW_UNDO(trap) });
  const stateDir = path.join(dir, '.bootstrap/sigundo');
  expect((await runCli(['run', 'pb.yaml'], { cwd: dir })).code).toBe(0);
  const child = spawnCli(['undo', 'pb.yaml'], { cwd: dir });
  await until(() => fs.existsSync(path.join(dir, 'slow.pid')), 'the slow undo to start');
  const pgid = Number(fs.readFileSync(path.join(dir, 'slow.pid'), 'utf8'));
  return { dir, stateDir, child, pgid };
}

describe('signals', () => {
  it('SIGINT during an undo: the step is stopped, exit 130, the journal says so; the next undo finishes, nothing undone twice', async () => {
    const { dir, stateDir, child, pgid } = await undoUnderWay(false);
    child.kill('SIGINT');
    expect(await exited(child), child.output.stdout + child.output.stderr).toBe(130);
    expect(child.output.stdout + child.output.stderr).not.toMatch(STACK_FRAME);
    await until(() => !groupAlive(pgid), 'the undo step process group to be gone', 15_000);
    const j = journalOf(stateDir);
    expect(j.find((r) => r.type === 'task-undo-end' && r.task === 'slow')).toMatchObject({ status: 'undo-failed', error: 'interrupted' });
    expect(j.at(-1)).toMatchObject({ type: 'undo-end', status: 'interrupted' });
    expect(j.some((r) => r.type === 'task-undo-start' && r.task === 'base'), 'base undone while slow (which needs it) was not').toBe(false);
    const status = await runCli(['status', 'pb.yaml', '--json'], { cwd: dir });
    expect(JSON.parse(status.stdout).applied.map((a: { task: string }) => a.task)).toEqual(['slow', 'base']);

    fs.writeFileSync(path.join(dir, 'fast'), '');
    const again = await runCli(['undo', 'pb.yaml'], { cwd: dir });
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(lines(dir, 'undone')).toEqual(['slow', 'base']);
    const undone = journalOf(stateDir).filter((r) => r.type === 'task-undo-end' && r.status === 'undone').map((r) => r.task);
    expect(undone).toEqual(['slow', 'base']);
  });

  it('a second Ctrl-C during an undo forces the exit, kills the step, and leaves a readable journal; undo then finishes', async () => {
    const { dir, stateDir, child, pgid } = await undoUnderWay(true);
    child.kill('SIGINT');
    await waitForOutput(child, (t) => t.includes('press Ctrl-C again'));
    child.kill('SIGINT');
    expect(await exited(child), child.output.stdout + child.output.stderr).toBe(130);
    expect(child.output.stderr).toContain('forced exit');
    expect(child.output.stdout + child.output.stderr).not.toMatch(STACK_FRAME);
    await until(() => !groupAlive(pgid), 'the step (which ignores SIGTERM) to be killed', 15_000);
    journalReadable(stateDir);
    const status = await runCli(['status', 'pb.yaml', '--json'], { cwd: dir });
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout).applied.map((a: { task: string }) => a.task)).toEqual(['slow', 'base']);

    fs.writeFileSync(path.join(dir, 'fast'), '');
    const again = await runCli(['undo', 'pb.yaml'], { cwd: dir });
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(lines(dir, 'undone')).toEqual(['slow', 'base']);
    expect(journalOf(stateDir).filter((r) => r.type === 'task-undo-end' && r.status === 'undone').map((r) => r.task)).toEqual(['slow', 'base']);
  });

  it('SIGINT during a retry back-off stops at once (not after the back-off), exit 130; --resume then undo work', async () => {
    const dir = tempProject({
      'pb.yaml': `
name: backoff
tasks:
  first:
    run: echo first >> ran
    undo: echo first >> undone
  flaky:
    needs: [first]
    run: |
      if [ ! -e fixed ]; then echo "not yet"; exit 1; fi
      echo flaky >> ran
    retries: 3
    retry-delay: 1h
    undo: echo flaky >> undone
`,
    });
    const stateDir = path.join(dir, '.bootstrap/backoff');
    const child = spawnCli(['run', 'pb.yaml'], { cwd: dir });
    await waitForOutput(child, (t) => /retrying in/.test(t));
    child.kill('SIGINT');
    // The back-off is an hour: exiting at all proves it was cut short.
    expect(await exited(child), child.output.stdout + child.output.stderr).toBe(130);
    const j = journalOf(stateDir);
    expect(j.filter((r) => r.type === 'task-start' && r.task === 'flaky')).toHaveLength(1);
    expect(j.find((r) => r.type === 'task-end' && r.task === 'flaky')).toMatchObject({ status: 'failed', reason: 'interrupted' });
    expect(j.at(-1)).toMatchObject({ type: 'run-end', status: 'interrupted' });

    fs.writeFileSync(path.join(dir, 'fixed'), '');
    const resume = await runCli(['run', 'pb.yaml', '--resume'], { cwd: dir });
    expect(resume.code, resume.stdout + resume.stderr).toBe(0);
    expect(lines(dir, 'ran')).toEqual(['first', 'flaky']);
    const undo = await runCli(['undo', 'pb.yaml'], { cwd: dir });
    expect(undo.code).toBe(0);
    expect(lines(dir, 'undone')).toEqual(['flaky', 'first']);
  });

  describe('at an interactive prompt (pseudo-terminal)', () => {
    const PROMPTED = `
name: prompted
vars:
  who: { description: your name }
tasks:
  hello:
    run: echo "hello \${{ vars.who }}" >> ran
    undo: echo undone >> undone
`;
    /** Runs bootstrap in tmux; afterwards prints its exit code and the terminal's mode. */
    const session = (dir: string, args: string) => {
      fs.writeFileSync(
        path.join(dir, 'term.sh'),
        [`${process.execPath} ${BIN} ${args}`, 'echo "EXIT=$?"', "echo \"MODE=$(stty -a | tr ' ;' '\\n\\n' | grep -x -e icanon -e -icanon -e echo -e -echo | tr '\\n' ' ')\"", 'sleep 60'].join('\n') + '\n',
      );
      return new Tmux('bash term.sh', dir, { NO_COLOR: '1' });
    };

    it('Ctrl-C at the prompt: exit 130, nothing run or journalled, the terminal restored', async () => {
      const dir = tempProject({ 'pb.yaml': PROMPTED });
      const term = session(dir, 'run pb.yaml');
      try {
        await term.waitFor(/your name \(who\):/);
        term.send('C-c');
        await term.waitFor(/MODE=/);
        const screen = term.screen();
        expect(screen).toMatch(/interrupted: nothing was run/);
        expect(screen).toMatch(/EXIT=130/);
        expect(screen, 'terminal left in raw mode').toMatch(/MODE=icanon echo/);
        expect(journalOf(path.join(dir, '.bootstrap/prompted'))).toEqual([]);
        expect(lines(dir, 'ran')).toEqual([]);
      } finally {
        term.kill();
      }
    });

    it('SIGINT at the prompt: exit 130, the terminal restored, nothing journalled; the next run works', async () => {
      const dir = tempProject({ 'pb.yaml': PROMPTED });
      const term = session(dir, 'run pb.yaml');
      try {
        await term.waitFor(/your name \(who\):/);
        const pid = bootstrapPid('run pb.yaml', dir);
        expect(pid).toBeDefined();
        process.kill(pid!, 'SIGINT');
        await term.waitFor(/MODE=/);
        const screen = term.screen();
        expect(screen).toMatch(/EXIT=130/);
        expect(screen, 'terminal left in raw mode').toMatch(/MODE=icanon echo/);
        expect(screen).not.toMatch(STACK_FRAME);
        expect(journalOf(path.join(dir, '.bootstrap/prompted'))).toEqual([]);
      } finally {
        term.kill();
      }
      const next = await runCli(['run', 'pb.yaml', '--var', 'who=ann'], { cwd: dir });
      expect(next.code, next.stdout + next.stderr).toBe(0);
      expect(lines(dir, 'ran')).toEqual(['hello ann']);
    });
  });
});
