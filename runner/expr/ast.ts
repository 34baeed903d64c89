/**
 * AST of the `${{ }}` expression language. Offsets are 0-based, relative to the start of
 * the expression text (the part between `${{` and `}}`).
 */
export type Expr =
  | { type: 'literal'; value: string | number | boolean | null; start: number; end: number }
  /** A context name: vars, env, tasks, playbook, run. */
  | { type: 'ident'; name: string; start: number; end: number }
  /** `a.b` (property is a literal name; may contain `-` like GitHub Actions ids). */
  | { type: 'member'; object: Expr; property: string; start: number; end: number }
  /** `a[expr]` */
  | { type: 'index'; object: Expr; index: Expr; start: number; end: number }
  | { type: 'unary'; op: '!' | '-'; arg: Expr; start: number; end: number }
  | {
      type: 'binary';
      op: '==' | '!=' | '<' | '<=' | '>' | '>=' | '&&' | '||';
      left: Expr;
      right: Expr;
      start: number;
      end: number;
    }
  | { type: 'call'; callee: string; args: Expr[]; start: number; end: number };

/** An error in an expression, at an offset into its text. */
export class ExprError extends Error {
  constructor(
    message: string,
    readonly offset: number,
    readonly length = 1,
  ) {
    super(message);
    this.name = 'ExprError';
  }
}
