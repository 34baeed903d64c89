/**
 * A bash tokeniser, just deep enough to tell in which quoting context each interpolation
 * sits. Input: the script text where every interpolation is a single NUL character (a
 * "mark"); output: for each mark, in order, a {@link ShellContext} or an error message.
 *
 * Tracked: backslash escapes, '...', "..." (with `$( )`, backticks and `${ }` inside), $'...',
 * $"...", `$( )` nesting (including `case` patterns), backticks, `${ }`, `(( ))`, `$(( ))`,
 * `$[ ]`, `[[ ]]` (arithmetic comparisons), `let`, array subscripts, comments (`#` at word
 * start), here-documents (`<<`, `<<-`, quoted or not, several on one line), process
 * substitution and array assignments. It is conservative: where it is unsure whether bash
 * would evaluate arithmetic (`x[...]` in any word), it reports an error.
 */
import type { ShellContext } from './template.js';
import { MSG } from './messages.js';

export type MarkResult = { context: ShellContext } | { error: string };

type CaseState = 'subject' | 'in' | 'pattern' | 'body';

const MARK = '\0';
const BLANK = ' \t';
const WORD_END = ' \t\n;&|<>()';
const NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
const ARRAY_ASSIGN_RE = /^[A-Za-z_][A-Za-z0-9_]*\+?$/;
const ASSIGNMENT_RE = /^[A-Za-z_][A-Za-z0-9_]*(\[[^\]]*\])?\+?=/;
const ARITH_OPS = new Set(['-eq', '-ne', '-lt', '-le', '-gt', '-ge']);
/** Reserved words after which the next word is again in command position. */
const KEEP_START = new Set(['if', 'then', 'else', 'elif', 'while', 'until', 'do', '!', '{', 'time', 'for', 'select', 'function', 'coproc']);

interface PendingHeredoc {
  delim: string;
  quoted: boolean;
  strip: boolean;
}

/** Classify every mark (NUL) of `text`. The result has one entry per mark, in order. */
export function scanShell(text: string): MarkResult[] {
  return new Scanner(text).run();
}

class Scanner {
  private readonly markIndex = new Map<number, number>();
  private readonly results: Array<MarkResult | undefined> = [];
  /** Marks hit so far, in order (for the post-hoc checks of `[[ ]]`). */
  private readonly hitLog: number[] = [];
  /** Messages of the arithmetic contexts we are in (innermost last). */
  private readonly arith: string[] = [];
  private pending: PendingHeredoc[] = [];

  constructor(private readonly s: string) {
    let k = 0;
    for (let i = 0; i < s.length; i++) if (s[i] === MARK) this.markIndex.set(i, k++);
    this.results.length = k;
  }

  run(): MarkResult[] {
    this.scanCommands(0, this.s.length, false);
    return Array.from(this.results, (r) => r ?? { error: MSG.unknown });
  }

  private isMark(i: number): boolean {
    return this.s[i] === MARK;
  }

  private hit(i: number, ctx: ShellContext): void {
    const k = this.markIndex.get(i)!;
    this.hitLog.push(k);
    if (ctx !== 'comment' && this.arith.length) this.failMark(k, this.arith[this.arith.length - 1]!);
    else this.results[k] ??= { context: ctx };
  }

  private fail(i: number, msg: string): void {
    const k = this.markIndex.get(i)!;
    this.hitLog.push(k);
    this.failMark(k, msg);
  }

  private failMark(k: number, msg: string): void {
    if (!this.results[k] || !('error' in this.results[k]!)) this.results[k] = { error: msg };
  }

  /** Command context: a list of commands, until `)` when `paren`, else until `end`. */
  private scanCommands(i: number, end: number, paren: boolean): number {
    const s = this.s;
    let atStart = true;
    let letActive = false;
    const cases: CaseState[] = [];
    const endCmd = () => {
      if (letActive) this.arith.pop();
      letActive = false;
      atStart = true;
    };
    while (i < end) {
      const c = s[i]!;
      const top = cases[cases.length - 1];
      if (BLANK.includes(c)) {
        i++;
      } else if (c === '\\' && s[i + 1] === '\n') {
        i += 2;
      } else if (c === '\n') {
        endCmd();
        i = this.readHeredocs(i + 1, end);
      } else if (c === '#') {
        i = this.scanComment(i, end);
      } else if (c === ';') {
        endCmd();
        if (s[i + 1] === ';' || s[i + 1] === '&') {
          i += s[i + 1] === ';' && s[i + 2] === '&' ? 3 : 2;
          if (top === 'body') cases[cases.length - 1] = 'pattern';
        } else i++;
      } else if (c === '&') {
        if (s[i + 1] === '>') i += s[i + 2] === '>' ? 3 : 2;
        else {
          i += s[i + 1] === '&' ? 2 : 1;
          endCmd();
        }
      } else if (c === '|') {
        i += s[i + 1] === '|' || s[i + 1] === '&' ? 2 : 1;
        if (top !== 'pattern') endCmd();
      } else if ((c === '<' || c === '>') && s[i + 1] === '(') {
        i = this.scanCommands(i + 2, end, true);
        atStart = false;
      } else if (c === '<' && s[i + 1] === '<' && s[i + 2] === '<') {
        i += 3;
      } else if (c === '<' && s[i + 1] === '<') {
        i = this.heredocOperator(i + 2, end);
      } else if (c === '<' || c === '>') {
        i++;
        while (i < end && '<>&|'.includes(s[i]!)) i++;
      } else if (c === '(') {
        if (top === 'pattern') i++;
        else if (atStart && s[i + 1] === '(') {
          i = this.scanArith(i + 2, end, '))', MSG.arithmetic);
          atStart = false;
        } else {
          i = this.scanCommands(i + 1, end, true);
          atStart = false;
        }
      } else if (c === ')') {
        if (top === 'pattern') {
          cases[cases.length - 1] = 'body';
          atStart = true;
          i++;
        } else if (paren) {
          endCmd();
          return i + 1;
        } else i++;
      } else if (atStart && s.startsWith('[[', i) && (i + 2 >= end || ' \t\n'.includes(s[i + 2]!))) {
        i = this.scanDBracket(i + 2, end);
        atStart = false;
      } else {
        const start = i;
        const w = this.scanWord(i, end, false);
        i = Math.max(w.end, i + 1);
        const text = w.plain ? s.slice(start, i) : null;
        if (top === 'subject') cases[cases.length - 1] = 'in';
        else if (top === 'in') {
          if (text === 'in') cases[cases.length - 1] = 'pattern';
        } else if (top === 'pattern') {
          if (text === 'esac') {
            cases.pop();
            atStart = false;
          }
        } else if (atStart) {
          if (text === 'case') {
            cases.push('subject');
            atStart = false;
          } else if (text === 'esac' && top === 'body') {
            cases.pop();
            atStart = false;
          } else if (text === 'let') {
            letActive = true;
            this.arith.push(MSG.arithmetic);
            atStart = false;
          } else if (!(text !== null && KEEP_START.has(text)) && !ASSIGNMENT_RE.test(s.slice(start, i))) {
            atStart = false;
          }
        }
      }
    }
    if (letActive) this.arith.pop();
    return Math.min(i, end);
  }

  /**
   * One shell word in bare context, up to an unquoted blank or operator. `plain` is true
   * when it has no quoting or expansion (so it can be a reserved word).
   */
  private scanWord(i: number, end: number, regex: boolean): { end: number; plain: boolean } {
    const s = this.s;
    const start = i;
    let plain = true;
    let depth = 0;
    while (i < end) {
      const c = s[i]!;
      if (c === MARK) {
        this.hit(i, 'bare');
        plain = false;
        i++;
      } else if (c === '(' && (regex || depth > 0 || (i > start && '@!*+?'.includes(s[i - 1]!)))) {
        depth++;
        i++;
      } else if (c === ')' && depth > 0) {
        depth--;
        i++;
      } else if (c === '|' && (regex || depth > 0)) {
        i++;
      } else if (WORD_END.includes(c)) {
        break;
      } else if (c === '\\') {
        if (this.isMark(i + 1)) this.fail(i + 1, MSG.backslash);
        plain = false;
        i += 2;
      } else if (c === "'") {
        i = this.scanSingle(i + 1, end, MSG.single);
        plain = false;
      } else if (c === '"') {
        i = this.scanDouble(i + 1, end);
        plain = false;
      } else if (c === '$') {
        i = this.scanDollar(i, end, 'bare');
        plain = false;
      } else if (c === '`') {
        i = this.scanBacktick(i, end);
        plain = false;
      } else if (c === '[' && plain && NAME_RE.test(s.slice(start, i))) {
        i = this.scanArith(i + 1, end, ']', MSG.subscript);
        plain = false;
      } else if (c === '=' && s[i + 1] === '(' && plain && ARRAY_ASSIGN_RE.test(s.slice(start, i))) {
        i = this.scanArrayAssign(i + 2, end);
        plain = false;
      } else {
        i++;
      }
    }
    return { end: Math.min(i, end), plain };
  }

  /** `name=( ... )`: words, where a leading `[...]` is a subscript. */
  private scanArrayAssign(i: number, end: number): number {
    const s = this.s;
    while (i < end) {
      const c = s[i]!;
      if (BLANK.includes(c) || c === '\n') i++;
      else if (c === ')') return i + 1;
      else if (c === '#') i = this.scanComment(i, end);
      else if (c === '[') i = this.scanArith(i + 1, end, ']', MSG.subscript);
      else i = Math.max(this.scanWord(i, end, false).end, i + 1);
    }
    return i;
  }

  /** After an opening `'` (or `$'` when `ansi`): to the closing quote. */
  private scanSingle(i: number, end: number, msg: string, ansi = false): number {
    const s = this.s;
    while (i < end) {
      const c = s[i]!;
      if (c === MARK) this.fail(i, msg);
      else if (c === "'") return i + 1;
      else if (ansi && c === '\\') {
        if (this.isMark(i + 1)) this.fail(i + 1, msg);
        i++;
      }
      i++;
    }
    return end;
  }

  /** After an opening `"`: to the closing quote. */
  private scanDouble(i: number, end: number): number {
    const s = this.s;
    while (i < end) {
      const c = s[i]!;
      if (c === MARK) {
        this.hit(i, 'dquote');
        i++;
      } else if (c === '\\') {
        if (this.isMark(i + 1)) this.fail(i + 1, MSG.backslash);
        i += 2;
      } else if (c === '"') return i + 1;
      else if (c === '$') i = this.scanDollar(i, end, 'dquote');
      else if (c === '`') i = this.scanBacktick(i, end);
      else i++;
    }
    return end;
  }

  /** At a `$`: whatever expansion it starts. `outer` is the quoting context around it. */
  private scanDollar(i: number, end: number, outer: 'bare' | 'dquote' | 'heredoc'): number {
    const s = this.s;
    const n = s[i + 1];
    if (this.isMark(i + 1)) {
      this.fail(i + 1, MSG.dollar);
      return i + 2;
    }
    if (n === '(') {
      if (s[i + 2] === '(') return this.scanArith(i + 3, end, '))', MSG.arithmetic);
      return this.scanCommands(i + 2, end, true);
    }
    if (n === '{') return this.scanParam(i + 2, end, outer);
    if (n === '[') return this.scanArith(i + 2, end, ']', MSG.arithmetic);
    if (n === "'" && outer === 'bare') return this.scanSingle(i + 2, end, MSG.ansi, true);
    if (n === '"' && outer === 'bare') return this.scanDouble(i + 2, end);
    return i + 1;
  }

  /**
   * After `${`: to the matching `}`. Words inside are bare (quotes there start a new
   * quoting level, even inside "..."), except in a here-document body.
   */
  private scanParam(i: number, end: number, outer: 'bare' | 'dquote' | 'heredoc'): number {
    const s = this.s;
    const inner: ShellContext = outer === 'heredoc' ? 'heredoc' : 'bare';
    if (s[i] === '#' || s[i] === '!') i++;
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(s.slice(i, i + 256));
    if (name) {
      i += name[0].length;
      if (s[i] === '[') i = this.scanArith(i + 1, end, ']', MSG.subscript);
    }
    let depth = 0;
    while (i < end) {
      const c = s[i]!;
      if (c === MARK) {
        this.hit(i, inner);
        i++;
      } else if (c === '\\') {
        if (this.isMark(i + 1)) this.fail(i + 1, MSG.backslash);
        i += 2;
      } else if (c === '}') {
        if (depth === 0) return i + 1;
        depth--;
        i++;
      } else if (c === '{') {
        depth++;
        i++;
      } else if (c === "'" && outer === 'bare') i = this.scanSingle(i + 1, end, MSG.single);
      else if (c === '"') i = this.scanDouble(i + 1, end);
      else if (c === '$') i = this.scanDollar(i, end, outer === 'heredoc' ? 'heredoc' : 'bare');
      else if (c === '`') i = this.scanBacktick(i, end);
      else i++;
    }
    return end;
  }

  /** Arithmetic (`(( ))`, `$(( ))`, `$[ ]`, subscripts): every interpolation inside is an error. */
  private scanArith(i: number, end: number, close: '))' | ']', msg: string): number {
    const s = this.s;
    this.arith.push(msg);
    let depth = 0;
    try {
      while (i < end) {
        const c = s[i]!;
        if (c === MARK) {
          this.hit(i, 'bare');
          i++;
        } else if (c === '\\') {
          if (this.isMark(i + 1)) this.fail(i + 1, msg);
          i += 2;
        } else if (c === '(') {
          depth++;
          i++;
        } else if (c === ')') {
          if (close === '))' && depth === 0 && s[i + 1] === ')') return i + 2;
          if (depth > 0) depth--;
          i++;
        } else if (c === '[') {
          if (close === ']') depth++;
          i++;
        } else if (c === ']') {
          if (close === ']') {
            if (depth === 0) return i + 1;
            depth--;
          }
          i++;
        } else if (c === '$') i = this.scanDollar(i, end, 'bare');
        else if (c === '`') i = this.scanBacktick(i, end);
        else if (c === "'") i = this.scanSingle(i + 1, end, msg);
        else if (c === '"') i = this.scanDouble(i + 1, end);
        else i++;
      }
      return end;
    } finally {
      this.arith.pop();
    }
  }

  /** At a backtick: the command inside, up to the next unescaped backtick. */
  private scanBacktick(i: number, end: number): number {
    const s = this.s;
    let j = i + 1;
    while (j < end && s[j] !== '`') j += s[j] === '\\' ? 2 : 1;
    const stop = Math.min(j, end);
    const saved = this.pending;
    this.pending = [];
    this.scanCommands(i + 1, stop, false);
    this.pending = saved;
    return Math.min(stop + 1, end);
  }

  /** At `#` starting a word: to the end of the line (not consuming the newline). */
  private scanComment(i: number, end: number): number {
    const s = this.s;
    while (i < end && s[i] !== '\n') {
      if (s[i] === MARK) this.hit(i, 'comment');
      i++;
    }
    return i;
  }

  /** `[[ ... ]]` after the `[[`: words, with operands of -eq & co. being arithmetic. */
  private scanDBracket(i: number, end: number): number {
    const s = this.s;
    const tokens: Array<{ text: string | null; marks: number[] }> = [];
    while (i < end) {
      const c = s[i]!;
      const prev = tokens[tokens.length - 1];
      if (BLANK.includes(c) || c === '\n') {
        i++;
        continue;
      }
      if (c === '\\' && s[i + 1] === '\n') {
        i += 2;
        continue;
      }
      if (s.startsWith(']]', i) && (i + 2 >= end || ' \t\n;&|)'.includes(s[i + 2]!))) {
        i += 2;
        break;
      }
      const regex = prev?.text === '=~';
      if (!regex && (s.startsWith('&&', i) || s.startsWith('||', i))) {
        tokens.push({ text: s.slice(i, i + 2), marks: [] });
        i += 2;
        continue;
      }
      if (!regex && '()<>'.includes(c)) {
        tokens.push({ text: c, marks: [] });
        i++;
        continue;
      }
      const before = this.hitLog.length;
      const w = this.scanWord(i, end, regex);
      const stop = Math.max(w.end, i + 1);
      tokens.push({ text: w.plain ? s.slice(i, stop) : null, marks: this.hitLog.slice(before) });
      i = stop;
    }
    tokens.forEach((t, k) => {
      if (t.text === null || !ARITH_OPS.has(t.text)) return;
      for (const n of [k - 1, k + 1]) for (const m of tokens[n]?.marks ?? []) this.failMark(m, MSG.dbracket);
    });
    return i;
  }

  /** After `<<`: the optional `-`, then the delimiter word; queues the here-document. */
  private heredocOperator(i: number, end: number): number {
    const s = this.s;
    let strip = false;
    if (s[i] === '-') {
      strip = true;
      i++;
    }
    while (i < end && BLANK.includes(s[i]!)) i++;
    let delim = '';
    let quoted = false;
    while (i < end && !WORD_END.includes(s[i]!)) {
      const c = s[i]!;
      if (c === MARK) {
        this.fail(i, MSG.heredocDelimiter);
        delim += c;
        i++;
      } else if (c === '\\') {
        quoted = true;
        if (this.isMark(i + 1)) this.fail(i + 1, MSG.heredocDelimiter);
        delim += s[i + 1] ?? '';
        i += 2;
      } else if (c === "'" || c === '"') {
        quoted = true;
        i++;
        while (i < end && s[i] !== c) {
          if (c === '"' && s[i] === '\\' && '\\"$`'.includes(s[i + 1] ?? '')) i++;
          if (this.isMark(i)) this.fail(i, MSG.heredocDelimiter);
          delim += s[i];
          i++;
        }
        i++;
      } else {
        delim += c;
        i++;
      }
    }
    if (delim !== '') this.pending.push({ delim, quoted, strip });
    return Math.min(i, end);
  }

  /** At the start of the line after a `<<` operator: read every queued here-document body. */
  private readHeredocs(i: number, end: number): number {
    const s = this.s;
    while (this.pending.length) {
      const h = this.pending.shift()!;
      const bodyStart = i;
      let bodyEnd = end;
      let next = end;
      while (i < end) {
        let nl = s.indexOf('\n', i);
        if (nl < 0 || nl > end) nl = end;
        const line = s.slice(i, nl);
        if ((h.strip ? line.replace(/^\t+/, '') : line) === h.delim && !line.includes(MARK)) {
          bodyEnd = i;
          next = Math.min(nl + 1, end);
          break;
        }
        i = nl + 1;
      }
      if (h.quoted) {
        for (let j = bodyStart; j < bodyEnd; j++) if (this.isMark(j)) this.fail(j, MSG.quotedHeredoc);
      } else this.scanHeredocBody(bodyStart, bodyEnd);
      i = next;
    }
    return i;
  }

  /** The body of an unquoted here-document: expansions happen, quotes are ordinary characters. */
  private scanHeredocBody(i: number, end: number): void {
    const s = this.s;
    const saved = this.pending;
    this.pending = [];
    while (i < end) {
      const c = s[i]!;
      if (c === MARK) {
        this.hit(i, 'heredoc');
        i++;
      } else if (c === '\\') {
        if (this.isMark(i + 1)) this.fail(i + 1, MSG.backslash);
        i += 2;
      } else if (c === '$') i = this.scanDollar(i, end, 'heredoc');
      else if (c === '`') i = this.scanBacktick(i, end);
      else i++;
    }
    this.pending = saved;
  }
}
