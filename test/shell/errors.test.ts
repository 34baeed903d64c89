import { describe, expect, it } from 'vitest';
import { parseShellTemplate } from '../../runner/shell/index.js';
import { pos } from './helpers.js';

const BAD = '${{ vars.bad }}';

/** Each case has exactly one interpolation `${{ vars.bad }}` that must be refused. */
describe('refused interpolations, with offsets', () => {
  it.each([
    ['single quotes', `echo '${BAD}'`, /inside single quotes is not allowed: use double quotes/],
    ['single quotes after text', `echo 'a b ${BAD} c'`, /single quotes/],
    ['single quotes inside $( )', `echo "$(echo '${BAD}')"`, /single quotes/],
    ['single quotes inside backticks', `echo \`echo '${BAD}'\``, /single quotes/],
    ['single quotes in ${ } outside double quotes', `echo \${x:-'${BAD}'}`, /single quotes/],
    ["$'...'", `echo $'a\\'${BAD}'`, /inside \$'\.\.\.' is not allowed/],
    ["$'...' in ${ } inside double quotes", `echo "\${x:-$'${BAD}'}"`, /inside \$'/],
    ["quoted here-document <<'EOF'", `cat <<'EOF'\n${BAD}\nEOF`, /quoted here-document.*use an unquoted delimiter/],
    ['quoted here-document <<"EOF"', `cat <<"EOF"\n${BAD}\nEOF`, /quoted here-document/],
    ['quoted here-document <<\\EOF', `cat <<\\EOF\n${BAD}\nEOF`, /quoted here-document/],
    ['partly quoted delimiter E"O"F', `cat <<E"O"F\n${BAD}\nEOF`, /quoted here-document/],
    ["second of two here-documents, quoted", `cat <<A <<'B'\nok\nA\n${BAD}\nB`, /quoted here-document/],
    ['here-document delimiter', `cat <<${BAD}\nx\n`, /here-document delimiter/],
    ['$(( ))', `echo $(( ${BAD} + 1 ))`, /inside arithmetic/],
    ['$(( )) inside double quotes', `echo "$(( 2 * ${BAD} ))"`, /inside arithmetic/],
    ['(( ))', `(( ${BAD} > 2 )) && echo big`, /inside arithmetic/],
    ['(( )) after if', `if (( x < ${BAD} )); then :; fi`, /inside arithmetic/],
    ['$[ ]', `echo $[ ${BAD} ]`, /inside arithmetic/],
    ['command substitution inside arithmetic', `echo $(( $(echo ${BAD}) ))`, /inside arithmetic/],
    ['let', `let "x = ${BAD}"`, /inside arithmetic/],
    ['[[ -eq ]] left', `[[ ${BAD} -eq 1 ]]`, /arithmetic comparison .*use \[ \.\.\. -eq/],
    ['[[ -ne ]] right, quoted', `[[ 1 -ne "${BAD}" ]]`, /arithmetic comparison/],
    ['[[ -lt ]] after &&', `[[ -n $x && $x -lt x${BAD} ]]`, /arithmetic comparison/],
    ['[[ -ge ]] inside $( )', `[[ $(echo ${BAD}) -ge 2 ]]`, /arithmetic comparison/],
    ['[[ -le ]], -gt', `[[ ${BAD} -le 1 || 2 -gt 1 ]]`, /arithmetic comparison/],
    ['array subscript in assignment', `a[${BAD}]=1`, /array subscript/],
    ['array subscript in expansion', `echo "\${a[${BAD}]}"`, /array subscript/],
    ['array subscript in compound assignment', `a=([${BAD}]=x)`, /array subscript/],
    ['array subscript in [[ -v ]]', `[[ -v a[${BAD}] ]]`, /array subscript/],
    ['backslash before it', `echo \\${BAD}`, /backslash directly before/],
    ['backslash before it in double quotes', `echo "\\${BAD}"`, /backslash directly before/],
    ['backslash before it in a here-document', `cat <<EOF\n\\${BAD}\nEOF`, /backslash directly before/],
  ])('%s', (_name, src, message) => {
    const { errors } = parseShellTemplate(src, pos);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toMatch(message);
    expect(errors[0]!.offset).toBe(src.indexOf(BAD));
    expect(errors[0]!.length).toBe(BAD.length);
  });

  it('reports every error at once, in source order, and keeps the good ones', () => {
    const src = `echo '${BAD}' ok=\${{ vars.ok }} $(( ${BAD} ))`;
    const { template, errors } = parseShellTemplate(src, pos);
    expect(errors.map((e) => e.offset)).toEqual([6, src.lastIndexOf(BAD)]);
    expect(template.parts.filter((p) => 'expr' in p)).toHaveLength(3);
  });

  it('reports expression errors at their offsets', () => {
    const src = 'echo ${{ vars.a == }} ${{ nope }}';
    const { errors } = parseShellTemplate(src, pos);
    expect(errors.map((e) => [e.offset, e.message.split(':')[0]])).toEqual([
      [19, 'unexpected end of expression'],
      [26, 'unknown name "nope"'],
    ]);
  });

  it('reports an unterminated ${{', () => {
    const { errors } = parseShellTemplate('echo ${{ vars.a', pos);
    expect(errors).toEqual([{ offset: 5, length: 3, message: expect.stringMatching(/unterminated/) }]);
  });

  it('reports NUL characters', () => {
    const { errors } = parseShellTemplate('echo a\0b ${{ vars.a }}', pos);
    expect(errors).toEqual([{ offset: 6, length: 1, message: expect.stringMatching(/NUL/) }]);
  });

  it('ordinary arithmetic and single quotes without interpolation are fine', () => {
    const { errors } = parseShellTemplate("echo 'a' $(( 1 + 2 )); (( x++ )); a[1]=2; [[ 1 -eq 1 ]]; echo ${{ vars.a }}", pos);
    expect(errors).toEqual([]);
  });
});
