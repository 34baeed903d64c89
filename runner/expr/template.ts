/**
 * Templates: strings with `${{ expr }}` interpolations.
 *
 * Escape: `$${{` is a literal `${{` (the text after it is ordinary text, so
 * `$${{ vars.x }}` yields the text `${{ vars.x }}`). The end of an interpolation is the first
 * `}}` outside the expression's string literals, so `${{ format('{{0}}', 1) }}` works.
 */
import { ExprError, type Expr } from './ast.js';
import { evaluate } from './evaluate.js';
import { parseExpression } from './parser.js';
import { stringify } from './values.js';
import type { SourcePos, Template } from '../playbook/model.js';

/**
 * Find the `}}` that ends an interpolation whose text starts at `from`, skipping string
 * literals. When a string literal is unterminated, falls back to the first `}}` so that the
 * parser can report the unterminated string. Returns -1 when there is no `}}`.
 */
function findClose(src: string, from: number): number {
  let i = from;
  while (i < src.length) {
    const c = src[i]!;
    if (c === '}' && src[i + 1] === '}') return i;
    if (c === "'" || c === '"') {
      let j = i + 1;
      for (;;) {
        if (j >= src.length) return src.indexOf('}}', from);
        if (c === '"' && src[j] === '\\') {
          j += 2;
          continue;
        }
        if (src[j] === c) {
          if (c === "'" && src[j + 1] === "'") {
            j += 2;
            continue;
          }
          break;
        }
        j++;
      }
      i = j + 1;
      continue;
    }
    i++;
  }
  return -1;
}

/** Placeholder expression used for an interpolation that failed to parse. */
function broken(len: number): Expr {
  return { type: 'literal', value: null, start: 0, end: len };
}

/**
 * Split a string into text and `${{ expr }}` parts. Each expression part keeps its source
 * text (between `${{` and `}}`) and the offset of that text in `src`; error offsets are
 * offsets into `src`. An interpolation that fails to parse still yields a part (a `null`
 * literal) so that part indices stay aligned; callers must check `errors` first.
 * `single` is set when `src`, trimmed, is exactly one interpolation.
 */
export function parseTemplate(src: string, pos: SourcePos): { template: Template; errors: ExprError[] } {
  const parts: Template['parts'] = [];
  const errors: ExprError[] = [];
  let text = '';
  let i = 0;
  while (i < src.length) {
    const open = src.indexOf('${{', i);
    if (open < 0) {
      text += src.slice(i);
      break;
    }
    if (open > 0 && src[open - 1] === '$' && open - 1 >= i) {
      text += src.slice(i, open - 1) + '${{';
      i = open + 3;
      continue;
    }
    text += src.slice(i, open);
    const start = open + 3;
    const close = findClose(src, start);
    if (close < 0) {
      errors.push(new ExprError('unterminated ${{: missing }}', open, 3));
      text += src.slice(open);
      break;
    }
    if (text) parts.push({ text });
    text = '';
    const source = src.slice(start, close);
    let expr: Expr;
    try {
      expr = parseExpression(source);
    } catch (e) {
      if (!(e instanceof ExprError)) throw e;
      errors.push(new ExprError(e.message, start + e.offset, e.length));
      expr = broken(source.length);
    }
    parts.push({ expr, source, offset: start });
    i = close + 2;
  }
  if (text) parts.push({ text });
  const template: Template = { source: src, pos, parts };
  const exprs = parts.filter((p) => 'expr' in p);
  if (exprs.length === 1 && parts.every((p) => 'expr' in p || p.text.trim() === '')) {
    const only = exprs[0]!;
    if ('expr' in only) template.single = only.expr;
  }
  return { template, errors };
}

function evaluatePart(p: { expr: Expr; offset: number }, ctx: Record<string, unknown>, text: boolean): unknown {
  try {
    const v = evaluate(p.expr, ctx);
    return text ? stringify(v) : v;
  } catch (e) {
    if (e instanceof ExprError) throw new ExprError(e.message, p.offset + e.offset, e.length);
    throw e;
  }
}

/**
 * Evaluate a template: the typed value of the expression when the template is `single`,
 * otherwise the concatenation of its text and the {@link stringify}-ed values. Error
 * offsets are offsets into the template's source.
 */
export function evaluateTemplate(t: Template, ctx: Record<string, unknown>): unknown {
  if (t.single) {
    const single = t.single;
    const part = t.parts.find((p) => 'expr' in p && p.expr === single);
    return evaluatePart({ expr: single, offset: part && 'offset' in part ? part.offset : 0 }, ctx, false);
  }
  let out = '';
  for (const p of t.parts) out += 'text' in p ? p.text : (evaluatePart(p, ctx, true) as string);
  return out;
}
