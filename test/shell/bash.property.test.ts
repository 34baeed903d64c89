/**
 * Real-bash properties: whatever a value contains, each interpolation is exactly one inert
 * word. Every hostile piece that could run something would create the canary file.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { quoteBashWord } from '../../runner/shell/index.js';
import { parseOk } from './helpers.js';
import { runTemplate } from './run-bash.js';

const dir = mkdtempSync(join(tmpdir(), 'bs-shell-prop-'));
const canary = join(dir, 'canary');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const RUNS = 150;
const noNul = (s: string) => !s.includes('\0');

const hostilePiece = fc.constantFrom(
  `$(touch ${canary})`,
  `\`touch ${canary}\``,
  `a[$(touch ${canary})]`,
  `'; touch ${canary}; '`,
  `"; touch ${canary}; "`,
  `\ntouch ${canary}\n`,
  `\nEOF\ntouch ${canary}\nEOF\n`,
  'EOF',
  '\nEOF',
  "'", '"', '`', ';', '&&', '||', '|', '&', '\n', '\r', '\t', ' ', '-', '-n', '--', '-e', '*', '?', '[a]', '~', '~root',
  '{a,b}', '$HOME', '${HOME}', '$1', '$@', '\\', '\\n', '#', '!', "$'x'", ')', '(', '}', '{', '<<', '>', '<', '%s', '%',
  '$((1+1))', ']]', '=', 'x=y', '$', 'é', '😀', 'zz',
);
const hostile = fc.array(hostilePiece, { minLength: 1, maxLength: 8 }).map((a) => a.join(''));

const value = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }).filter(noNul),
  fc.string({ unit: 'binary-ascii' }).filter(noNul),
  hostile,
  hostile,
);

/** Run a one-interpolation template with value v; check output and that nothing ran. */
async function check(src: string, v: string, want: string) {
  const r = await runTemplate(parseOk(src), [v], dir);
  expect(existsSync(canary), `canary created by ${JSON.stringify(v)}`).toBe(false);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(r.stdout).toBe(want);
}

const cases: Array<[string, string, (v: string) => string]> = [
  ['bare', "printf '%s' ${{ vars.v }}", (v) => v],
  ['dquote', `printf '%s' "pre \${{ vars.v }} post"`, (v) => `pre ${v} post`],
  ['heredoc', 'cat <<EOF\n${{ vars.v }}\nEOF', (v) => `${v}\n`],
  ['one word', 'set -- ${{ vars.v }}; echo $#', () => '1\n'],
  ['inside $( ) in double quotes', `printf '%s' "$(printf '%s' \${{ vars.v }})"`, (v) => v.replace(/\n+$/, '')],
  ['inside backticks', "printf '%s' \"`printf '<%s>' ${{ vars.v }}`\"", (v) => `<${v}>`.replace(/\n+$/, '')],
  ['parameter default, unquoted', "x=; set -- ${x:-${{ vars.v }}}; printf '%s|%s' $# \"$1\"", (v) => `1|${v}`],
  ['parameter default in double quotes', `x=; printf '%s' "\${x:-\${{ vars.v }}}"`, (v) => v],
  ['concatenated option', "printf '%s' --name=${{ vars.v }}", (v) => `--name=${v}`],
  [
    '[[ == ]] is a literal match',
    'x=${{ vars.v }}; [[ $x == ${{ vars.v }} ]] && echo same; [[ zz == ${{ vars.v }} ]] && echo zz || echo no',
    (v) => (v === 'zz' ? 'same\nzz\n' : 'same\nno\n'),
  ],
  ['case pattern is literal', "case 'zz' in ${{ vars.v }}) echo matched;; *) echo other;; esac", (v) => (v === 'zz' ? 'matched\n' : 'other\n')],
  ['here-document inside $( )', 'x="$(cat <<EOF\n${{ vars.v }}\nEOF\n)"; printf \'%s\' "$x"', (v) => v.replace(/\n+$/, '')],
];

describe('interpolated values in real bash', () => {
  for (const [name, src, want] of cases) {
    const runs = ['bare', 'dquote', 'heredoc', 'one word'].includes(name) ? RUNS : 40;
    it(`${name}: receives the value verbatim and runs nothing`, async () => {
      await fc.assert(
        fc.asyncProperty(value, async (v) => {
          // some cases use the value several times: give every interpolation the same value
          const n = (src.match(/\$\{\{/g) ?? []).length;
          const r = await runTemplate(parseOk(src), Array(n).fill(v), dir);
          expect(existsSync(canary), `canary created by ${JSON.stringify(v)}`).toBe(false);
          expect(r.stderr).toBe('');
          expect(r.code).toBe(0);
          expect(r.stdout).toBe(want(v));
        }),
        { numRuns: runs },
      );
    });
  }

  it('quoteBashWord gives one word that bash reads back verbatim (and the scanner accepts it)', async () => {
    await fc.assert(
      fc.asyncProperty(value, async (v) => {
        // `$${{` is the template's escape for a literal `${{`. A function, because in a replacement
        // string `$$` means one `$` (the string '$${{' would replace `${{` with itself).
        await check(`set -- ${quoteBashWord(v).replaceAll('${{', () => '$${{')}; printf '%s|%s' $# "$1"`, v, `1|${v}`);
      }),
      // The first found by a fuzzing run (seed 917615082): a value with `${{` in it.
      { numRuns: RUNS, examples: [['${{a,b}$(touch canary)'], ['${{ vars.x }}'], ['$${{']] },
    );
  });
});
