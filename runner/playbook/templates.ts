/**
 * Builds the model's templates from strings of the document, with positions, reporting
 * syntax errors at the exact column. Every template built is recorded (with its path and a
 * scope) so that the reference checker can look at what each expression reads.
 */
import { ExprError, parseExpression, parseTemplate } from '../expr/index.js';
import type { Expr } from '../expr/ast.js';
import { parseShellTemplate } from '../shell/index.js';
import type { ShellTemplate } from '../shell/template.js';
import type { Diagnostic } from './diagnostics.js';
import { describePath } from './describe.js';
import type { Template, ValueTemplate } from './model.js';
import type { Path, SourceDoc } from './source.js';

/** Who reads: decides which contexts and tasks an expression may use. */
export interface Scope {
  /** Contexts allowed here. */
  contexts: ReadonlySet<string>;
  /** Why only those contexts (for the message), e.g. "in assert rules". */
  where?: string;
  /** The task whose field this is. */
  task?: string;
  /** The field may read the task's own outputs (its `undo` runs after it). */
  ownOutputs?: boolean;
  /** The var whose default this is. */
  varName?: string;
}

/** One expression found in the document. */
export interface ExprUse {
  path: Path;
  expr: Expr;
  /** Offset of the expression's text in the string value at `path`. */
  offset: number;
  scope: Scope;
}

export const ALL_CONTEXTS: ReadonlySet<string> = new Set(['vars', 'env', 'tasks', 'playbook', 'run']);
export const VAR_CONTEXTS: ReadonlySet<string> = new Set(['vars', 'env', 'playbook']);

export class TemplateBuilder {
  /** Every expression built, for the reference checker. */
  readonly uses: ExprUse[] = [];

  constructor(
    private readonly src: SourceDoc,
    private readonly diags: Diagnostic[],
  ) {}

  private error(path: Path, offset: number, length: number, message: string): void {
    this.diags.push(this.src.diagAt(this.src.spanIn(path, offset, Math.max(length, 1)), message));
  }

  /** A string that may contain `${{ }}`. Undefined when it has syntax errors (reported). */
  template(path: Path, value: string, scope: Scope): Template | undefined {
    const { template, errors } = parseTemplate(value, this.src.posIn(path, 0));
    for (const e of errors) this.error(path, e.offset, e.length, `${describePath(path)}: ${e.message}`);
    // Expressions that did parse are still checked, so every problem is reported at once.
    for (const p of template.parts) if ('expr' in p) this.uses.push({ path, expr: p.expr, offset: p.offset, scope });
    return errors.length ? undefined : template;
  }

  /**
   * An expression field (`when`, `that`): `${{ expr }}`, a bare expression, or a boolean.
   * Always yields a template with `single` set.
   */
  expression(path: Path, value: string | boolean, scope: Scope): Template | undefined {
    const pos = this.src.posIn(path, 0);
    if (typeof value === 'boolean') {
      const expr: Expr = { type: 'literal', value, start: 0, end: String(value).length };
      return { source: String(value), pos, parts: [{ expr, source: String(value), offset: 0 }], single: expr };
    }
    if (value.includes('${{')) {
      const t = this.template(path, value, scope);
      if (t && !t.single) {
        this.diags.push(
          this.src.diag(path, 'value', `${describePath(path)} must be one expression, not text with \`\${{ }}\` in it`, {
            expected: 'an expression: `${{ ... }}` or a bare expression such as `vars.x == \'a\'`',
          }),
        );
        return undefined;
      }
      return t;
    }
    try {
      const expr = parseExpression(value);
      this.uses.push({ path, expr, offset: 0, scope });
      return { source: value, pos, parts: [{ expr, source: value, offset: 0 }], single: expr };
    } catch (e) {
      if (!(e instanceof ExprError)) throw e;
      this.error(path, e.offset, e.length, `${describePath(path)}: ${e.message}`);
      return undefined;
    }
  }

  /** A bash script with `${{ }}` interpolations. Undefined when it has errors (reported). */
  shell(path: Path, value: string, scope: Scope): ShellTemplate | undefined {
    const { template, errors } = parseShellTemplate(value, this.src.posIn(path, 0));
    for (const e of errors) this.error(path, e.offset, e.length, `${describePath(path)}: ${e.message}`);
    // Expressions that did parse are still checked, so every problem is reported at once.
    for (const p of template.parts) if ('expr' in p) this.uses.push({ path, expr: p.expr, offset: p.offset, scope });
    return errors.length ? undefined : template;
  }

  /** A `with:` value: JSON where any string may be a template. Undefined on errors. */
  value(path: Path, value: unknown, scope: Scope): ValueTemplate | undefined {
    if (!containsTemplate(value)) return { kind: 'literal', value };
    if (typeof value === 'string') {
      const t = this.template(path, value, scope);
      return t && { kind: 'template', template: t };
    }
    if (Array.isArray(value)) {
      const items = value.map((v, i) => this.value([...path, i], v, scope));
      return items.every((i) => i !== undefined) ? { kind: 'array', items: items as ValueTemplate[] } : undefined;
    }
    const entries = Object.entries(value as Record<string, unknown>).map(
      ([k, v]) => [k, this.value([...path, k], v, scope)] as const,
    );
    return entries.every(([, v]) => v !== undefined)
      ? { kind: 'object', entries: entries as Array<[string, ValueTemplate]> }
      : undefined;
  }
}

/** True when a string, or any string inside a list or mapping, contains `${{`. */
export function containsTemplate(v: unknown): boolean {
  if (typeof v === 'string') return v.includes('${{');
  if (Array.isArray(v)) return v.some(containsTemplate);
  if (v && typeof v === 'object') return Object.values(v).some(containsTemplate);
  return false;
}
