/**
 * The `${{ }}` expression language: parse, analyse and evaluate, with our own code only
 * (never `eval`, `new Function` or `vm`).
 *
 * Semantics in brief (details on each export):
 * - literals: numbers (decimal, exponent, `0x` hex), `'single'` strings (`''` escapes a
 *   quote), `"double"` strings (backslash escapes), `true`, `false`, `null`;
 * - names: the contexts `vars env tasks playbook run`; identifiers may contain `-`;
 * - `&&`/`||` return an operand, `!` uses truthiness, `==` compares strings
 *   case-sensitively (unlike GitHub Actions), `contains/startsWith/endsWith` ignore case;
 * - `toJSON` and object stringification are compact JSON (GitHub pretty-prints).
 */
export { ExprError, type Expr } from './ast.js';
export { tokenize, type Token } from './lexer.js';
export { parseExpression, CONTEXTS } from './parser.js';
export { evaluate } from './evaluate.js';
export { references, type Reference } from './references.js';
export { parseTemplate, evaluateTemplate } from './template.js';
export { stringify, truthy, looseEquals, compare, getProperty } from './values.js';
export { lookupFunction, format, FUNCTION_NAMES, type FunctionDef } from './functions.js';
export { printExpr, quoteString } from './print.js';
