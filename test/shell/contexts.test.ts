import { describe, expect, it } from 'vitest';
import { scanShell } from '../../runner/shell/index.js';
import { contexts, parseOk } from './helpers.js';

describe('context detection', () => {
  it.each([
    ['plain word', 'echo ${{ vars.a }}', ['bare']],
    ['command name', '${{ vars.a }} --flag', ['bare']],
    ['concatenated option', 'helm install --name=${{ vars.a }}x', ['bare']],
    ['assignment', 'x=${{ vars.a }}; echo "$x"', ['bare']],
    ['double quotes', 'echo "name: ${{ vars.a }}!"', ['dquote']],
    ['two in double quotes', 'echo "${{ vars.a }}${{ vars.b }}"', ['dquote', 'dquote']],
    ['escaped quote inside double quotes', 'echo "a\\" ${{ vars.a }}"', ['dquote']],
    ['after a closed single-quoted string', "echo 'a' ${{ vars.a }} 'b'", ['bare']],
    ['$"..." locale string', 'echo $"x ${{ vars.a }}"', ['dquote']],
    ['command substitution', 'echo $(echo ${{ vars.a }})', ['bare']],
    ['command substitution inside double quotes', 'echo "$(echo ${{ vars.a }})"', ['bare']],
    ['double quotes inside $( ) inside double quotes', 'echo "$(echo "${{ vars.a }}")"', ['dquote']],
    ['nested command substitutions', 'echo "$(a "$(b ${{ vars.a }})")"', ['bare']],
    ['backticks', 'echo `echo ${{ vars.a }}`', ['bare']],
    ['backticks inside double quotes', 'echo "`echo ${{ vars.a }}`"', ['bare']],
    ['double quotes inside backticks', 'echo `echo "${{ vars.a }}"`', ['dquote']],
    ['parameter default', 'echo ${x:-${{ vars.a }}}', ['bare']],
    ['parameter default inside double quotes', 'echo "${x:-${{ vars.a }}}"', ['bare']],
    ['pattern removal inside double quotes', 'echo "${x#${{ vars.a }}}"', ['bare']],
    ['single quote is literal in ${ } within double quotes', 'echo "${x:-\'${{ vars.a }}\'}"', ['bare']],
    ['[[ == ]]', '[[ $x == ${{ vars.a }} ]]', ['bare']],
    ['[[ =~ ]] with a regex group', '[[ $x =~ ^(a|b)$ && ${{ vars.a }} == y ]]', ['bare']],
    ['single-bracket test with -eq (only plain integers)', '[ ${{ vars.a }} -eq 1 ]', ['bare']],
    ['case subject and pattern', 'case ${{ vars.a }} in ${{ vars.b }}) echo ${{ vars.c }};; esac', ['bare', 'bare', 'bare']],
    [
      'case inside $( ) keeps the ) of a pattern',
      'x=$(case $y in a) echo ${{ vars.a }};; (b|c) echo x;; esac; echo ${{ vars.b }})',
      ['bare', 'bare'],
    ],
    ['subshell and group', '( cd /; echo ${{ vars.a }} ) && { echo ${{ vars.b }}; }', ['bare', 'bare']],
    ['process substitution', 'diff <(echo ${{ vars.a }}) >(cat)', ['bare']],
    ['pipeline and redirections', 'echo ${{ vars.a }} 2>&1 | tee ${{ vars.b }} >/dev/null', ['bare', 'bare']],
    ['here-string', 'cat <<< ${{ vars.a }}', ['bare']],
    ['here-document', 'cat <<EOF\nhello ${{ vars.a }}\nEOF', ['heredoc']],
    ['here-document with <<- and tabs', 'cat <<-EOF\n\thello ${{ vars.a }}\n\tEOF\necho ${{ vars.b }}', ['heredoc', 'bare']],
    ['after the here-document body', 'cat <<EOF\nx\nEOF\necho ${{ vars.a }}', ['bare']],
    ['quotes are literal in a here-document', 'cat <<EOF\n\'${{ vars.a }}\' "${{ vars.b }}"\nEOF', ['heredoc', 'heredoc']],
    ['command substitution in a here-document', 'cat <<EOF\n$(echo ${{ vars.a }})\nEOF', ['bare']],
    ['parameter expansion in a here-document', 'cat <<EOF\n${x:-${{ vars.a }}}\nEOF', ['heredoc']],
    [
      'two here-documents on one line',
      'cat <<A - <<\'B\'\n${{ vars.a }}\nA\nliteral\nB\necho ${{ vars.b }}',
      ['heredoc', 'bare'],
    ],
    ['here-document inside $( )', 'x=$(cat <<EOF\n${{ vars.a }}\nEOF\n)\necho ${{ vars.b }}', ['heredoc', 'bare']],
    ['a line that only looks like the delimiter', 'cat <<EOF\nEOF2 ${{ vars.a }}\n EOF\nEOF', ['heredoc']],
    ['$(( )) without interpolation does not disturb', 'echo $(( 1 + 2 )) ${{ vars.a }}', ['bare']],
    ['<< in arithmetic is a shift', '(( x = 1 << 2 ))\necho ${{ vars.a }}', ['bare']],
    ['comment', '# deploy ${{ vars.a }}\necho ${{ vars.b }}', ['comment', 'bare']],
    ['trailing comment', 'echo hi # ${{ vars.a }}', ['comment']],
    ['# inside a word is not a comment', 'echo a#${{ vars.a }}', ['bare']],
    ['$# is not a comment', 'echo $# ${{ vars.a }}', ['bare']],
    ['${#x} is not a comment', 'echo ${#x} ${{ vars.a }}', ['bare']],
    ['# inside quotes is not a comment', 'echo "#" ${{ vars.a }}', ['bare']],
    ['line continuation', 'echo a \\\n  ${{ vars.a }}', ['bare']],
    ['escaped $ before a quote', 'echo \\$"${{ vars.a }}"', ['dquote']],
    ['array assignment elements', 'arr=(one ${{ vars.a }} "${{ vars.b }}")', ['bare', 'dquote']],
    ['extglob pattern', 'case $x in @(a|b)) echo ${{ vars.a }};; esac', ['bare']],
    ['for loop words', 'for f in ${{ vars.a }} b; do echo "$f"; done', ['bare']],
    ['arithmetic for loop elsewhere', 'for (( i=0; i<3; i++ )); do echo ${{ vars.a }}; done', ['bare']],
  ])('%s', (_name, src, want) => {
    expect(contexts(src)).toEqual(want);
  });

  it('keeps text and expression parts in order', () => {
    const t = parseOk('echo "${{ vars.a }}" ${{ vars.b }}');
    expect(t.parts.map((p) => ('text' in p ? p.text : `<${p.context}:${p.source.trim()}>`))).toEqual([
      'echo "',
      '<dquote:vars.a>',
      '" ',
      '<bare:vars.b>',
    ]);
    const p = t.parts[1]!;
    expect('offset' in p && p.offset).toBe(9);
  });

  it('$${{ is a literal ${{ and not an interpolation', () => {
    const t = parseOk("echo '$${{ not }}' ${{ vars.a }}");
    expect(t.parts[0]).toEqual({ text: "echo '${{ not }}' " });
    expect(contexts("echo '$${{ not }}' ${{ vars.a }}")).toEqual(['bare']);
  });

  it('the scanner reports $ directly before an interpolation (unreachable through $${{)', () => {
    expect(scanShell('echo $\0 "$\0"')).toEqual([
      { error: expect.stringMatching(/directly after \$/) },
      { error: expect.stringMatching(/directly after \$/) },
    ]);
    expect(scanShell('echo \0 "\0"')).toEqual([{ context: 'bare' }, { context: 'dquote' }]);
  });
});
