/**
 * When bootstrap asks questions, and what the missing-var error says instead when it will not:
 * a terminal with CI set must not leave the user wondering why nothing was asked.
 */
import { describe, expect, it } from 'vitest';
import { notInteractiveBecause } from '../../runner/commands/vars.js';
import type { Io } from '../../runner/commands/common.js';
import { runCli, tempProject } from '../support/cli.js';

/** An Io whose stdin and stdout are (or are not) terminals. */
function tty(on: boolean, env: NodeJS.ProcessEnv = {}): Io {
  const sink = { write: () => true, isTTY: on };
  return { cwd: '/', env, stdout: sink, stderr: sink, stdin: { isTTY: on } as Io['stdin'] };
}

describe('prompting', () => {
  it('prompts only on a terminal, without --non-interactive and without CI', () => {
    expect(notInteractiveBecause(tty(true))).toBeUndefined();
    expect(notInteractiveBecause(tty(true), true)).toMatch(/without --non-interactive/);
    expect(notInteractiveBecause(tty(false))).toBe('or run interactively on a terminal');
    expect(notInteractiveBecause(tty(true, { CI: 'true' }))).toMatch(/unset CI to be asked/);
  });

  it('the missing-var error names the way to be asked that applies', async () => {
    const dir = tempProject({ 'pb.yaml': 'name: p\nvars:\n  who: { description: your name }\ntasks:\n  t:\n    run: echo "${{ vars.who }}"\n' });
    const plain = await runCli(['run', 'pb.yaml'], { cwd: dir });
    expect(plain.code).toBe(2);
    expect(plain.stderr).toMatch(/pb\.yaml:3:3: error: missing value for var `who` \(your name\)\. Set it with --var who=\.\.\., in a --vars-file, or run interactively on a terminal/);
    const flagged = await runCli(['run', 'pb.yaml', '--non-interactive'], { cwd: dir });
    expect(flagged.code).toBe(2);
    expect(flagged.stderr).toMatch(/or run without --non-interactive on a terminal to be asked/);
  });
});
