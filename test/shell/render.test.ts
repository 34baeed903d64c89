import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bashArgs, displayShell, quoteBashWord, renderShell } from '../../runner/shell/index.js';
import { parseOk } from './helpers.js';
import { runTemplate } from './run-bash.js';

const dir = mkdtempSync(join(tmpdir(), 'bs-shell-render-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('renderShell', () => {
  it('replaces interpolations by variable references and passes values in env', () => {
    const t = parseOk('echo ${{ vars.a }} "x ${{ vars.b }}"\ncat <<EOF\n${{ vars.c }}\nEOF\n# ${{ vars.d }}');
    const r = renderShell(t, ['A', 'B', 'C', 'D']);
    expect(r.script).toBe(
      '__bs_0=${__BOOTSTRAP_V0-};unset __BOOTSTRAP_V0;__bs_1=${__BOOTSTRAP_V1-};unset __BOOTSTRAP_V1;' +
        '__bs_2=${__BOOTSTRAP_V2-};unset __BOOTSTRAP_V2;' +
        'echo "${__bs_0}" "x ${__bs_1}"\ncat <<EOF\n${__bs_2}\nEOF\n# {{ vars.d }}',
    );
    expect(r.env).toEqual({ __BOOTSTRAP_V0: 'A', __BOOTSTRAP_V1: 'B', __BOOTSTRAP_V2: 'C' });
  });

  it('a script without interpolations is unchanged', () => {
    expect(renderShell(parseOk('echo hi\n'), [])).toEqual({ script: 'echo hi\n', env: {} });
  });

  it('comment placeholders contain no $, newline or backtick', () => {
    const t = parseOk("# ${{ format('`$(x)`\n{0}', vars.a) }}\necho ok");
    const { script, env } = renderShell(t, ['v']);
    expect(env).toEqual({});
    expect(script.split('\n')[0]).toMatch(/^# \{\{ [A-Za-z0-9_. -]* \}\}$/);
  });

  it('refuses values with NUL', () => {
    expect(() => renderShell(parseOk('echo ${{ vars.a }}'), ['a\0b'])).toThrow(/NUL/);
  });

  it('bashArgs sets -euo pipefail and skips rc files', () => {
    expect(bashArgs('echo')).toEqual(['--noprofile', '--norc', '-e', '-u', '-o', 'pipefail', '-c', 'echo']);
  });
});

describe('rendered scripts in real bash', () => {
  it('keeps line numbers of the source', async () => {
    const r = await runTemplate(parseOk('x=${{ vars.a }}\ntrue\necho "$LINENO:$x"'), ['v'], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('3:v\n');
  });

  it('does not export values to child processes', async () => {
    const t = parseOk(
      'echo "${{ vars.a }}"; env | grep -c -e __BOOTSTRAP -e __bs_ || true; bash -c \'echo "child:${__bs_0-unset}"\'',
    );
    const r = await runTemplate(t, ['secret-value'], dir);
    expect(r.stdout).toBe('secret-value\n0\nchild:unset\n');
  });

  it('keeps values out of the script text (argv)', () => {
    const { script } = renderShell(parseOk('echo ${{ vars.a }}'), ['hunter2']);
    expect(script).not.toContain('hunter2');
  });

  it('runs with set -euo pipefail', async () => {
    const r1 = await runTemplate(parseOk('false | true\necho after'), [], dir);
    expect(r1.code).not.toBe(0);
    expect(r1.stdout).toBe('');
    const r2 = await runTemplate(parseOk('echo "$undefined_var"'), [], dir);
    expect(r2.code).not.toBe(0);
  });

  it('an empty value is one empty word', async () => {
    const r = await runTemplate(parseOk('set -- ${{ vars.a }}; echo "$#:[$1]"'), [''], dir);
    expect(r.stdout).toBe('1:[]\n');
  });
});

describe('displayShell and quoteBashWord', () => {
  it('quotes words', () => {
    expect(quoteBashWord('')).toBe("''");
    expect(quoteBashWord('abc-1.2_x/y:z=@%+,')).toBe('abc-1.2_x/y:z=@%+,');
    expect(quoteBashWord('a b')).toBe("$'a b'");
    expect(quoteBashWord("it's\\")).toBe("$'it\\'s\\\\'");
    expect(quoteBashWord('l1\nl2\t\r\x01\x7f')).toBe("$'l1\\nl2\\t\\r\\x01\\x7f'");
    expect(quoteBashWord('$(x)')).toBe("$'$(x)'");
  });

  it('inlines values by context and masks secrets', () => {
    const t = parseOk('echo ${{ vars.a }} "${{ vars.b }}" ${{ vars.s }}\ncat <<EOF\n${{ vars.c }}\nEOF\n# ${{ vars.d }}');
    expect(displayShell(t, ['a b', 'say "$x" `y` \\', 'hunter2', '$HOME "q"', 'd'], [false, false, true, false, false])).toBe(
      'echo $\'a b\' "say \\"\\$x\\" \\`y\\` \\\\" ***\ncat <<EOF\n\\$HOME "q"\nEOF\n# {{ vars.d }}',
    );
  });
});
