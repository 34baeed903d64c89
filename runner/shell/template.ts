/**
 * Shell templates: a bash script with `${{ }}` interpolations, each tagged with the quoting
 * context the runner's tokeniser found it in.
 */
import type { Expr } from '../expr/ast.js';
import type { SourcePos } from '../playbook/model.js';

/**
 * Where an interpolation sits in the bash source:
 * - `bare`: an unquoted word (or part of one), including inside `$( )`, backticks, `${x:-...}`
 * - `dquote`: inside `"..."`
 * - `heredoc`: inside the body of an unquoted here-document (`<<EOF`)
 * - `comment`: after a `#` that starts a comment (inert)
 * Single quotes, `$'...'`, quoted here-documents and arithmetic contexts are errors.
 */
export type ShellContext = 'bare' | 'dquote' | 'heredoc' | 'comment';

export interface ShellTemplate {
  source: string;
  pos: SourcePos;
  parts: Array<{ text: string } | { expr: Expr; source: string; offset: number; context: ShellContext }>;
}
