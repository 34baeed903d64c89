/**
 * The make-style fast path (runner/shell/simple.ts): a command line it accepts must mean the same
 * executed directly as under `bash -euo pipefail -c`; anything bash would treat specially must
 * be refused (and so run by bash).
 */
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bashArgs } from '../../runner/shell/index.js';
import { simpleCommand } from '../../runner/shell/simple.js';

const word = fc.oneof(fc.stringMatching(/^[A-Za-z0-9_.,+:@\/-]{1,8}$/), fc.constantFrom('--help', '--version', '-n', '-e', '-'));
const command = fc.constantFrom('echo', 'printf', 'true', 'false', 'basename', 'dirname', 'expr', 'uname', 'env', 'seq', 'sort', 'test', 'kill', 'pwd', '/bin/echo', 'nonexistent-cmd-bs');
const BASH_ONLY = new Set(['printf', 'test', 'kill', 'pwd']);

describe('simple commands run without bash', () => {
  it('accepted command lines give the same output and exit status as under bash', () => {
    fc.assert(
      fc.property(command, fc.array(word, { maxLength: 4 }), fc.constantFrom(' ', '  ', '\t'), (cmd, args, sep) => {
        const script = [cmd, ...args].join(sep);
        const argv = simpleCommand(` ${script} `);
        if (BASH_ONLY.has(cmd) || (['echo', 'true', 'false'].includes(cmd) && args.some((a) => a.startsWith('-')))) {
          expect(argv).toBeUndefined(); // builtins whose external twins behave differently
          return;
        }
        expect(argv).toEqual([cmd, ...args]);
        const env = { PATH: process.env.PATH, LC_ALL: 'C' };
        const viaBash = spawnSync('bash', bashArgs(script), { encoding: 'utf8', env });
        const direct = spawnSync(argv![0]!, argv!.slice(1), { encoding: 'utf8', env: { ...env, PWD: process.cwd() } });
        if (cmd === 'nonexistent-cmd-bs') {
          // Not found: the runner then runs the line in bash after all (tasks/shell.ts).
          expect((direct.error as NodeJS.ErrnoException | undefined)?.code).toBe('ENOENT');
          return;
        }
        if (cmd === 'env') return; // bash adds SHLVL and _ to what env prints: the only difference
        expect(direct.stdout).toBe(viaBash.stdout);
        expect(direct.status).toBe(viaBash.status);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses anything bash would treat specially', () => {
    for (const s of [
      'echo $HOME', 'echo "a b"', "echo 'a'", 'echo a; echo b', 'echo a && b', 'a | b', 'echo > f', 'echo *', 'echo ?', 'echo [a]',
      'echo ~', 'A=1 env', 'echo a # c', 'echo `x`', 'echo \\n', 'echo {a,b}', 'echo a\necho b', 'cd /tmp', 'export A', 'set -x',
      'source f', '. f', 'exit 1', 'echo é', 'kill 1', 'pwd', 'time ls', '!ls', 'echo %s', '',
    ]) expect(simpleCommand(s), JSON.stringify(s)).toBeUndefined();
    expect(simpleCommand('kind create cluster --name pallet-dev')).toEqual(['kind', 'create', 'cluster', '--name', 'pallet-dev']);
  });
});
