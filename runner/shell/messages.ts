/** Error messages of the shell tokeniser: each says what is wrong and what to write instead. */

const NUMBER_HINT =
  'assign it to a variable and check it is a plain number first, e.g. n=${{ x }}; [[ $n =~ ^-?[0-9]+$ ]] || exit 1; then use $n';

export const MSG = {
  single:
    'interpolation inside single quotes is not allowed: use double quotes ("...${{ x }}...") or leave it unquoted',
  ansi: "interpolation inside $'...' is not allowed: close the $'...' string and put ${{ x }} outside it, unquoted or in double quotes",
  quotedHeredoc:
    "interpolation inside a quoted here-document (<<'EOF', <<\"EOF\", <<\\EOF) is not allowed: use an unquoted delimiter (<<EOF) and escape the body's other $, ` and \\ with a backslash",
  heredocDelimiter: 'interpolation in a here-document delimiter is not allowed: use a fixed word such as EOF',
  arithmetic: `interpolation inside arithmetic ($(( )), (( )), $[ ], let) is not allowed: bash evaluates arithmetic recursively, so a value could run commands; ${NUMBER_HINT}`,
  dbracket: `interpolation as an operand of an arithmetic comparison (-eq -ne -lt -le -gt -ge) inside [[ ]] is not allowed: bash evaluates it as arithmetic, so a value could run commands; use [ ... -eq ... ] (single brackets only accept plain integers) or ${NUMBER_HINT}`,
  subscript: `interpolation inside an array subscript (a[...]) is not allowed: bash evaluates subscripts as arithmetic, so a value could run commands; ${NUMBER_HINT}`,
  dollar:
    'interpolation directly after $ is not allowed: ${{ x }} alone already expands to the value (write $${{ for a literal ${{)',
  backslash: 'a backslash directly before an interpolation is not allowed: it would escape the quoting of the value; remove it',
  nul: 'NUL character in a shell script: bash cannot run it',
  unknown: 'could not determine the shell context of this interpolation',
} as const;
