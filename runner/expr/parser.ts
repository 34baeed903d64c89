/**
 * Recursive-descent parser of the expression language.
 *
 * Precedence, loosest first: `||`, `&&`, `== !=`, `< <= > >=`, unary `! -`, then postfix
 * member `.name`, index `[expr]` and calls. Top-level names must be a context (vars, env,
 * tasks, playbook, run), a literal (true, false, null) or a function in the fixed table.
 */
import { ExprError, type Expr } from './ast.js';
import { FUNCTION_NAMES, lookupFunction } from './functions.js';
import { tokenize, type Token } from './lexer.js';

/** The names an expression may start from. */
export const CONTEXTS: readonly string[] = ['vars', 'env', 'tasks', 'playbook', 'run'];

/** Deepest nesting accepted, so that no input can overflow the stack. */
const MAX_DEPTH = 100;

type BinaryOp = Extract<Expr, { type: 'binary' }>['op'];

const LEVELS: ReadonlyArray<readonly BinaryOp[]> = [['||'], ['&&'], ['==', '!='], ['<', '<=', '>', '>=']];

/**
 * Parse expression text (the part between `${{` and `}}`) into an {@link Expr}. Offsets in
 * the result and in errors are relative to `src`. Throws only {@link ExprError}.
 */
export function parseExpression(src: string): Expr {
  const p = new Parser(src, tokenize(src));
  return p.parseAll();
}

class Parser {
  private i = 0;
  private depth = 0;

  constructor(
    private readonly src: string,
    private readonly tokens: Token[],
  ) {}

  parseAll(): Expr {
    if (this.peek().kind === 'eof') throw new ExprError('empty expression: expected a value', 0, this.src.length || 1);
    const e = this.parseLevel(0);
    const t = this.peek();
    if (t.kind !== 'eof') throw this.unexpected(t, 'an operator or the end of the expression');
    return e;
  }

  private peek(): Token {
    return this.tokens[this.i]!;
  }

  private next(): Token {
    const t = this.tokens[this.i]!;
    if (t.kind !== 'eof') this.i++;
    return t;
  }

  private isPunct(text: string): boolean {
    const t = this.peek();
    return t.kind === 'punct' && t.text === text;
  }

  private expect(text: string, what: string): Token {
    const t = this.peek();
    if (t.kind !== 'punct' || t.text !== text) throw this.unexpected(t, what);
    return this.next();
  }

  private unexpected(t: Token, expected: string): ExprError {
    if (t.kind === 'eof') return new ExprError(`unexpected end of expression: expected ${expected}`, t.start, 1);
    const shown = this.src.slice(t.start, t.end);
    return new ExprError(`unexpected ${JSON.stringify(shown)}: expected ${expected}`, t.start, t.end - t.start);
  }

  private enter(t: Token): void {
    if (++this.depth > MAX_DEPTH) throw new ExprError('expression is nested too deeply', t.start, 1);
  }

  private parseLevel(level: number): Expr {
    if (level === LEVELS.length) return this.parseUnary();
    const ops = LEVELS[level]!;
    let left = this.parseLevel(level + 1);
    for (;;) {
      const t = this.peek();
      if (t.kind !== 'punct' || !(ops as readonly string[]).includes(t.text)) return left;
      this.next();
      this.enter(t);
      const right = this.parseLevel(level + 1);
      this.depth--;
      left = { type: 'binary', op: t.text as BinaryOp, left, right, start: left.start, end: right.end };
    }
  }

  private parseUnary(): Expr {
    const t = this.peek();
    if (t.kind === 'punct' && (t.text === '!' || t.text === '-')) {
      this.next();
      this.enter(t);
      const arg = this.parseUnary();
      this.depth--;
      return { type: 'unary', op: t.text, arg, start: t.start, end: arg.end };
    }
    return this.parsePostfix();
  }

  private parsePostfix(): Expr {
    let e = this.parsePrimary();
    for (;;) {
      if (this.isPunct('.')) {
        this.next();
        const name = this.peek();
        if (name.kind !== 'ident') throw this.unexpected(name, 'a property name after "."');
        this.next();
        e = { type: 'member', object: e, property: name.text, start: e.start, end: name.end };
      } else if (this.isPunct('[')) {
        const open = this.next();
        this.enter(open);
        const index = this.parseLevel(0);
        this.depth--;
        const close = this.expect(']', '"]"');
        e = { type: 'index', object: e, index, start: e.start, end: close.end };
      } else {
        return e;
      }
    }
  }

  private parsePrimary(): Expr {
    const t = this.next();
    switch (t.kind) {
      case 'number':
        return { type: 'literal', value: t.num!, start: t.start, end: t.end };
      case 'string':
        return { type: 'literal', value: t.text, start: t.start, end: t.end };
      case 'ident':
        return this.parseName(t);
      case 'punct':
        if (t.text === '(') {
          this.enter(t);
          const inner = this.parseLevel(0);
          this.depth--;
          const close = this.expect(')', '")"');
          return { ...inner, start: t.start, end: close.end };
        }
        throw this.unexpected(t, 'a value');
      case 'eof':
        throw this.unexpected(t, 'a value');
    }
  }

  private parseName(t: Token): Expr {
    if (this.isPunct('(')) {
      const fn = lookupFunction(t.text);
      if (!fn) {
        throw new ExprError(
          `unknown function ${JSON.stringify(t.text)}: expected one of ${FUNCTION_NAMES.join(', ')}`,
          t.start,
          t.end - t.start,
        );
      }
      const open = this.next();
      this.enter(open);
      const args: Expr[] = [];
      if (!this.isPunct(')')) {
        for (;;) {
          args.push(this.parseLevel(0));
          if (!this.isPunct(',')) break;
          this.next();
        }
      }
      const close = this.expect(')', '"," or ")"');
      this.depth--;
      if (args.length < fn.minArgs || args.length > fn.maxArgs) {
        const want = fn.minArgs === fn.maxArgs ? `${fn.minArgs}` : `${fn.minArgs} to ${fn.maxArgs}`;
        throw new ExprError(
          `${fn.name}() takes ${want} argument${want === '1' ? '' : 's'}, got ${args.length}`,
          t.start,
          close.end - t.start,
        );
      }
      return { type: 'call', callee: fn.name, args, start: t.start, end: close.end };
    }
    if (t.text === 'true' || t.text === 'false') {
      return { type: 'literal', value: t.text === 'true', start: t.start, end: t.end };
    }
    if (t.text === 'null') return { type: 'literal', value: null, start: t.start, end: t.end };
    if (CONTEXTS.includes(t.text)) return { type: 'ident', name: t.text, start: t.start, end: t.end };
    throw new ExprError(
      `unknown name ${JSON.stringify(t.text)}: expressions start from ${CONTEXTS.join(', ')}` +
        (lookupFunction(t.text) ? ` (or call ${t.text}(...))` : ''),
      t.start,
      t.end - t.start,
    );
  }
}
