/**
 * A fast path for the YAML playbooks are written in. `yaml`'s parseDocument (lexer, CST parser,
 * composer) and then `toJS` cost ~0.8 s and ~150 MB for a 10,000-task playbook, yet playbooks
 * use a small, regular subset of YAML. This module parses that subset in one pass over the text.
 * It builds the node objects `yaml` builds (Scalar, YAMLMap, YAMLSeq and Pair in a Document),
 * with the same values, scalar types, flow flags and `range`s, and returns the plain data that
 * `toJS` would give. Callers then cannot tell the two paths apart.
 *
 * The subset: block mappings and sequences (including compact `- key: value` mappings and
 * sequences at their parent key's indent), one-line plain, single- and double-quoted scalars,
 * one-line flow collections, literal and folded block scalars with any chomping (`|`, `|-`,
 * `|+`, `>`, `>-`, `>+`), comments and blank lines. Plain scalars resolve as in yaml's default
 * YAML 1.2 core schema.
 *
 * Anything else gives `undefined`, and the caller parses with `yaml`: anchors, aliases, tags,
 * directives, document markers, explicit keys, merge keys, empty values, empty or null keys,
 * duplicate keys, multi-line plain, quoted or flow scalars and collections, indentation
 * indicators, unusual escapes, tabs outside comments, quotes and block scalars, CR line ends,
 * a BOM, and anything `yaml` would report as an error.
 *
 * Ranges follow yaml's parser (parse/parser.js, compose/). A value that is a plain, quoted or
 * flow node ends after the rest of its line (comment and newline included). It also takes in
 * the comment lines that follow it when they are indented more than its collection and no
 * less-indented comment line comes first. Comment and blank lines left after a collection's
 * last entry pass outwards as the collections close. A collection keeps them (in the third
 * element of its range) when it is indented and one of the comments is at least as indented
 * as the collection. Comments are not recorded (`comment`, `commentBefore` and `spaceBefore`
 * stay unset), as nothing reads them.
 */
import { Document, Pair, Scalar, YAMLMap, YAMLSeq } from 'yaml';
import type { LineCounter, ParsedNode, Range, Schema } from 'yaml';

/** The options SourceDoc parses with; the fast path implements exactly their semantics. */
export const YAML_OPTIONS = { prettyErrors: false, uniqueKeys: false, merge: true, logLevel: 'silent' } as const;

/** A document parsed by the fast path, and its contents as plain data (what `toJS` gives). */
export interface FastDocument {
  doc: Document.Parsed;
  data: unknown;
}

type Node = Scalar | YAMLMap | YAMLSeq;

const LF = 10;
const TAB = 9;
const SP = 32;
const BANG = 33;
const DQ = 34;
const HASH = 35;
const PCT = 37;
const AMP = 38;
const SQ = 39;
const STAR = 42;
const PLUS = 43;
const COMMA = 44;
const DASH = 45;
const DOT = 46;
const COLON = 58;
const GT = 62;
const QMARK = 63;
const AT = 64;
const LBRACKET = 91;
const BSLASH = 92;
const RBRACKET = 93;
const BACKTICK = 96;
const LBRACE = 123;
const PIPE = 124;
const RBRACE = 125;

/**
 * Nodes are made without yaml's constructors, which give every node its type tag (and every
 * collection its schema) with Object.defineProperty (parsing 10,000 tasks: ~143 -> ~118 ms).
 * Each node instead inherits both from a prototype that inherits yaml's class prototype, so
 * isScalar/isMap/isSeq/isPair, instanceof, methods and own enumerable properties are as yaml's.
 */
const NODE_TYPE = Symbol.for('yaml.node.type');
type Tagged = Record<typeof NODE_TYPE, unknown>;
const typeOf = (node: object) => (node as Tagged)[NODE_TYPE];
// Read once: in the bundle every use of an export of `yaml` (CommonJS) goes through a getter.
const { PLAIN, QUOTE_SINGLE, QUOTE_DOUBLE, BLOCK_FOLDED, BLOCK_LITERAL } = Scalar;
const SCALAR_PROTO = Object.create(Scalar.prototype, { [NODE_TYPE]: { value: typeOf(new Scalar(null)) } }) as Scalar;
const PAIR_PROTO = Object.create(Pair.prototype, { [NODE_TYPE]: { value: typeOf(new Pair(null)) } }) as Pair;

function newScalar(value: unknown, range: Range, source: string, type: Scalar.Type): Scalar {
  const node = Object.create(SCALAR_PROTO) as Scalar;
  node.value = value;
  node.range = range;
  node.source = source;
  node.type = type;
  return node;
}

function newPair(key: Node, value: Node): Pair {
  const pair = Object.create(PAIR_PROTO) as Pair;
  pair.key = key;
  pair.value = value;
  return pair;
}

/** Prototypes of the collections of one document (they carry its schema). */
function collectionProtos(schema: Schema): { map: YAMLMap; seq: YAMLSeq } {
  const proto = <T extends YAMLMap | YAMLSeq>(cls: { prototype: T }, sample: T): T =>
    Object.create(cls.prototype, {
      [NODE_TYPE]: { value: typeOf(sample) },
      schema: { value: schema, configurable: true, enumerable: false, writable: true },
    }) as T;
  return { map: proto(YAMLMap, new YAMLMap(schema)), seq: proto(YAMLSeq, new YAMLSeq(schema)) };
}

/** Thrown (and caught in parseFast) to give up on the fast path. */
const BAIL = Symbol('not in the fast YAML subset');
function bail(): never {
  throw BAIL;
}

/** Deepest nesting handled here (yaml itself guards against stack overflows). */
const MAX_DEPTH = 64;
/** yaml rejects implicit keys longer than 1024 characters; stay well clear. */
const MAX_KEY = 1000;

/**
 * Parses `text` when it is in the subset; `undefined` otherwise. On success, `lineCounter`
 * (if given) receives the line starts, as parseDocument would record them.
 */
export function parseFast(text: string, lineCounter?: LineCounter): FastDocument | undefined {
  // yaml treats CR, a BOM and its own control characters specially; leave them to it.
  if (text.indexOf('\r') !== -1 || text.indexOf('\uFEFF') !== -1) return undefined;
  try {
    return new FastParser(text, lineCounter).parse();
  } catch (e) {
    if (e === BAIL) return undefined;
    throw e;
  }
}

const isFlowIndicator = (c: number) => c === COMMA || c === LBRACKET || c === RBRACKET || c === LBRACE || c === RBRACE;

/**
 * Whether a plain scalar may start with `c` (followed by `d`; LF at the end of the line).
 * Stricter than YAML: `?` and `:` never start one here.
 */
function plainStart(c: number, d: number): boolean {
  switch (c) {
    case SP:
    case TAB:
    case HASH:
    case COMMA:
    case LBRACKET:
    case RBRACKET:
    case LBRACE:
    case RBRACE:
    case AMP:
    case STAR:
    case BANG:
    case PIPE:
    case GT:
    case SQ:
    case DQ:
    case PCT:
    case AT:
    case BACKTICK:
    case QMARK:
    case COLON:
      return false;
    case DASH:
      return d !== SP && d !== LF && !isFlowIndicator(d);
    default:
      return true;
  }
}

// The core schema's scalar tags (yaml/dist/schema/core), tried in yaml's order.
const INT_OCT = /^0o[0-7]+$/;
const INT = /^[-+]?[0-9]+$/;
const INT_HEX = /^0x[0-9a-fA-F]+$/;
const FLOAT_NAN = /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;
const FLOAT_EXP = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/;
const FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/;

/** A plain scalar node, resolved as yaml's core schema does (with its `format` and the like). */
function plainScalar(src: string, range: Range): Scalar {
  let value: unknown = src;
  let format: string | undefined;
  let minFractionDigits: number | undefined;
  const c = src.charCodeAt(0);
  if (c === 126 /* ~ */ || c === 110 /* n */ || c === 78 /* N */) {
    if (src === '~' || src === 'null' || src === 'Null' || src === 'NULL') value = null;
  } else if (c === 116 /* t */ || c === 84 /* T */) {
    if (src === 'true' || src === 'True' || src === 'TRUE') value = true;
  } else if (c === 102 /* f */ || c === 70 /* F */) {
    if (src === 'false' || src === 'False' || src === 'FALSE') value = false;
  } else if ((c >= 48 && c <= 57) || c === PLUS || c === DASH || c === DOT) {
    if (INT_OCT.test(src)) {
      value = parseInt(src.substring(2), 8);
      format = 'OCT';
    } else if (INT.test(src)) value = parseInt(src, 10);
    else if (INT_HEX.test(src)) {
      value = parseInt(src.substring(2), 16);
      format = 'HEX';
    } else if (FLOAT_NAN.test(src))
      value = src.slice(-3).toLowerCase() === 'nan' ? NaN : c === DASH ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
    else if (FLOAT_EXP.test(src)) {
      value = parseFloat(src);
      format = 'EXP';
    } else if (FLOAT.test(src)) {
      value = parseFloat(src);
      if (src.charCodeAt(src.length - 1) === 48 /* 0 */) minFractionDigits = src.length - src.indexOf('.') - 1;
    }
  }
  const node = newScalar(value, range, src, PLAIN);
  if (minFractionDigits !== undefined) node.minFractionDigits = minFractionDigits;
  if (format) node.format = format;
  return node;
}

function stringScalar(value: string, type: Scalar.Type, range: Range): Scalar {
  return newScalar(value, range, value, type);
}

/** The single-character escapes of double-quoted scalars (yaml's resolve-flow-scalar). */
const ESCAPES: Record<string, string> = {
  '0': '\0',
  a: '\x07',
  b: '\b',
  e: '\x1b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  N: '\u0085',
  _: '\u00a0',
  L: '\u2028',
  P: '\u2029',
  ' ': ' ',
  '"': '"',
  '/': '/',
  '\\': '\\',
  '\t': '\t',
};

/** Adds an entry to plain data the way yaml's toJS does; a repeated key leaves the fast path. */
function setKey(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (!(key in obj)) obj[key] = value;
  else if (Object.hasOwn(obj, key)) bail();
  else Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true }); // e.g. `__proto__`
}

class FastParser {
  private readonly n: number;
  /** Offset of each line's start: 0, then one past each newline (yaml's LineCounter). */
  private readonly ls: number[] = [0];
  private readonly lines: number;
  private readonly doc: Document.Parsed;
  private readonly protos: { map: YAMLMap; seq: YAMLSeq };

  /** End of what the last scan consumed. */
  private pos = 0;
  /** The plain data of the node parsed last. */
  private val: unknown;

  // After a value: the next content line (-1 at the end of the text), its indent (-1 at the end)
  // and whether it is a `- ` sequence entry. Before it come the "pending" comment and blank
  // lines: where they end, and the deepest indent of their comments (-1 when none).
  private next = -1;
  private nextIndent = -1;
  private nextDash = false;
  private pendEnd = 0;
  private pendIndent = -1;

  constructor(
    private readonly t: string,
    private readonly lineCounter: LineCounter | undefined,
  ) {
    this.n = t.length;
    for (let i = t.indexOf('\n'); i !== -1; i = t.indexOf('\n', i + 1)) this.ls.push(i + 1);
    this.lines = this.ls.length;
    // The options parseDocument would give the document.
    this.doc = new Document(undefined, { ...YAML_OPTIONS, lineCounter }) as unknown as Document.Parsed;
    this.protos = collectionProtos(this.doc.schema);
  }

  private newMap(): YAMLMap {
    const map = Object.create(this.protos.map) as YAMLMap;
    map.items = [];
    return map;
  }

  private newSeq(): YAMLSeq {
    const seq = Object.create(this.protos.seq) as YAMLSeq;
    seq.items = [];
    return seq;
  }

  parse(): FastDocument {
    this.scanTrivia(0, 0, null);
    const first = this.next;
    if (first < 0 || this.nextIndent !== 0) bail();
    const root = this.nextDash ? this.seq(first, 0, 0) : this.map(first, this.ls[first], 0, 0);
    if (this.next >= 0) bail();
    const doc = this.doc;
    if (this.lineCounter) for (const start of this.ls) this.lineCounter.addNewLine(start);
    doc.contents = root as ParsedNode;
    doc.range = [this.ls[first], root.range![2], this.n];
    return { doc, data: this.val };
  }

  /** Offset of the newline ending line `i` (or of the end of the text). */
  private lineEnd(i: number): number {
    return i + 1 < this.lines ? this.ls[i + 1] - 1 : this.n;
  }

  /** Offset just past line `i` and its newline. */
  private lineNext(i: number): number {
    return i + 1 < this.lines ? this.ls[i + 1] : this.n;
  }

  private skipSpaces(i: number, e: number): number {
    while (i < e && this.t.charCodeAt(i) === SP) i++;
    return i;
  }

  /**
   * Skips comment and blank lines from line `from` to the next content line (setting `next`,
   * `nextIndent`, `nextDash`, `pendEnd`, `pendIndent`). `leaf` is the range of the plain,
   * quoted or flow value just parsed in a collection indented `indent`: comment lines indented
   * deeper are part of it, up to the first comment line that is not.
   */
  private scanTrivia(from: number, indent: number, leaf: Range | null): void {
    const t = this.t;
    let absorbing = leaf !== null;
    let pendIndent = -1;
    for (let i = from; i < this.lines; i++) {
      const s = this.ls[i];
      const e = this.lineEnd(i);
      const p = this.skipSpaces(s, e);
      if (p === e) continue;
      const c = t.charCodeAt(p);
      if (c === HASH) {
        if (absorbing && p - s > indent) leaf![2] = this.lineNext(i);
        else {
          absorbing = false;
          if (p - s > pendIndent) pendIndent = p - s;
        }
        continue;
      }
      if (c === TAB) bail();
      // Document markers (and `---`/`...` plain scalars, to be safe).
      if (p === s && (c === DASH || c === DOT) && (t.startsWith('---', p) || t.startsWith('...', p))) bail();
      this.next = i;
      this.nextIndent = p - s;
      this.nextDash = c === DASH && (p + 1 === e || t.charCodeAt(p + 1) === SP);
      this.pendEnd = p;
      this.pendIndent = pendIndent;
      return;
    }
    this.next = -1;
    this.nextIndent = -1;
    this.nextDash = false;
    this.pendEnd = this.n;
    this.pendIndent = pendIndent;
  }

  /**
   * Ends a block collection indented `indent` whose last entry ends at `valueEnd`: it keeps the
   * pending comment lines when one of them is at least as indented as it (and it is indented).
   */
  private close<T extends YAMLMap | YAMLSeq>(node: T, start: number, valueEnd: number, indent: number, data: unknown): T {
    let end = valueEnd;
    if (indent > 0 && this.pendIndent >= indent) {
      end = this.pendEnd;
      this.pendIndent = -1;
    }
    node.range = [start, valueEnd, end];
    this.val = data;
    return node;
  }

  /** A block mapping indented `indent`, whose first key is at `p` on `line`. */
  private map(line: number, p: number, indent: number, depth: number): YAMLMap {
    if (depth > MAX_DEPTH) bail();
    const map = this.newMap();
    const data: Record<string, unknown> = {};
    const start = p;
    let last: Node;
    for (;;) {
      const e = this.lineEnd(line);
      const key = this.key(p, e);
      const q = this.skipSpaces(this.pos, e);
      last = q === e || this.t.charCodeAt(q) === HASH ? this.nested(line, indent, true, depth) : this.inline(line, q, e, indent, depth);
      map.items.push(newPair(key, last));
      setKey(data, String(key.value), this.val);
      if (this.nextIndent === indent && !this.nextDash) {
        line = this.next;
        p = this.ls[line] + indent;
      } else if (this.nextIndent >= indent) bail();
      else return this.close(map, start, last.range![2], indent, data);
    }
  }

  /** A block sequence whose first `-` is on `line`, indented `indent`. */
  private seq(line: number, indent: number, depth: number): YAMLSeq {
    if (depth > MAX_DEPTH) bail();
    const seq = this.newSeq();
    const data: unknown[] = [];
    const start = this.ls[line] + indent;
    let last: Node;
    for (;;) {
      const s = this.ls[line];
      const e = this.lineEnd(line);
      const q = this.skipSpaces(s + indent + 1, e);
      if (q === e || this.t.charCodeAt(q) === HASH) last = this.nested(line, indent, false, depth);
      else if (this.isKey(q, e)) last = this.map(line, q, q - s, depth + 1);
      else last = this.inline(line, q, e, indent, depth);
      seq.items.push(last);
      data.push(this.val);
      if (this.nextIndent === indent && this.nextDash) line = this.next;
      else if (this.nextIndent > indent) bail();
      else return this.close(seq, start, last.range![2], indent, data);
    }
  }

  /**
   * The value of a key or `-` with nothing after it on `line`: a block collection on the lines
   * below. A sequence may be as indented as the mapping it is in (`sameIndentSeq`).
   */
  private nested(line: number, indent: number, sameIndentSeq: boolean, depth: number): YAMLMap | YAMLSeq {
    this.scanTrivia(line + 1, indent, null);
    const next = this.next;
    if (next >= 0) {
      const ni = this.nextIndent;
      if (this.nextDash) {
        if (ni > indent || (sameIndentSeq && ni === indent)) return this.seq(next, ni, depth + 1);
      } else if (ni > indent) return this.map(next, this.ls[next] + ni, ni, depth + 1);
    }
    return bail(); // an empty value, or a scalar on the next line
  }

  /** Whether a compact mapping starts at `q` (after a `- `): a key and `: `. */
  private isKey(q: number, e: number): boolean {
    const t = this.t;
    const c = t.charCodeAt(q);
    if (c === DQ || c === SQ) {
      this.quoted(q, e);
    } else {
      if (!plainStart(c, q + 1 < e ? t.charCodeAt(q + 1) : LF) || this.plain(q, e, false) !== COLON) return false;
    }
    const p = this.pos;
    return p < e && t.charCodeAt(p) === COLON && (p + 1 === e || t.charCodeAt(p + 1) === SP);
  }

  /** A mapping key at `p`, followed by `:` and a space or the line end; `pos` ends after `:`. */
  private key(p: number, e: number): Scalar {
    const t = this.t;
    const c = t.charCodeAt(p);
    let key: Scalar;
    if (c === DQ || c === SQ) key = this.quoted(p, e);
    else {
      if (!plainStart(c, p + 1 < e ? t.charCodeAt(p + 1) : LF) || this.plain(p, e, false) !== COLON) bail();
      key = plainScalar(t.slice(p, this.pos), [p, this.pos, this.pos]);
    }
    const colon = this.pos;
    if (colon >= e || t.charCodeAt(colon) !== COLON || (colon + 1 < e && t.charCodeAt(colon + 1) !== SP)) bail();
    if (colon - p > MAX_KEY) bail();
    const v = key.value;
    if (v === null || v === '' || v === '<<') bail();
    this.pos = colon + 1;
    return key;
  }

  /**
   * A value starting at `q` on `line` (in a collection indented `indent`): a block scalar, or a
   * flow collection, quoted or plain scalar alone on the rest of the line.
   */
  private inline(line: number, q: number, e: number, indent: number, depth: number): Node {
    const t = this.t;
    const c = t.charCodeAt(q);
    if (c === PIPE || c === GT) return this.blockScalar(line, q, e, indent);
    let node: Node;
    if (c === LBRACKET || c === LBRACE) node = this.flow(q, e, depth + 1);
    else if (c === DQ || c === SQ) {
      node = this.quoted(q, e);
      this.val = node.value;
    } else {
      if (!plainStart(c, q + 1 < e ? t.charCodeAt(q + 1) : LF) || this.plain(q, e, false) === COLON) bail();
      node = plainScalar(t.slice(q, this.pos), [q, this.pos, 0]);
      this.val = node.value;
    }
    // Nothing but a comment may follow on the line.
    const r = this.skipSpaces(this.pos, e);
    if (r < e && (t.charCodeAt(r) !== HASH || r === this.pos)) bail();
    const range = node.range!;
    range[2] = this.lineNext(line);
    this.scanTrivia(line + 1, indent, range);
    return node;
  }

  /**
   * Scans a one-line plain scalar from `p` to before `e`, setting `pos` to its end (trailing
   * spaces excluded). Returns what stopped it: COLON (`: ` or a final `:`, which make it a
   * key), HASH (a comment), LF (the line end), or in flow context a flow indicator (also after
   * a `:`, returned as COLON).
   */
  private plain(p: number, e: number, flow: boolean): number {
    const t = this.t;
    let last = p;
    for (let i = p; i < e; i++) {
      const c = t.charCodeAt(i);
      if (c === SP) {
        if (i + 1 < e && t.charCodeAt(i + 1) === HASH) {
          this.pos = last;
          return HASH;
        }
        continue;
      }
      if (c === COLON) {
        const d = i + 1 < e ? t.charCodeAt(i + 1) : LF;
        if (d === SP || d === LF || (flow && isFlowIndicator(d))) {
          this.pos = last;
          return COLON;
        }
      } else if (c === TAB) bail();
      else if (flow && isFlowIndicator(c)) {
        this.pos = last;
        return c;
      }
      last = i + 1;
    }
    this.pos = last;
    return LF;
  }

  /** A quoted scalar on one line at `p`; `pos` ends after the closing quote. */
  private quoted(p: number, e: number): Scalar {
    const t = this.t;
    let value = '';
    let from = p + 1;
    if (t.charCodeAt(p) === SQ) {
      for (;;) {
        const q = t.indexOf("'", from);
        if (q === -1 || q >= e) bail();
        if (q + 1 < e && t.charCodeAt(q + 1) === SQ) {
          value += t.slice(from, q + 1); // '' is one quote
          from = q + 2;
          continue;
        }
        value += t.slice(from, q);
        this.pos = q + 1;
        return stringScalar(value, QUOTE_SINGLE, [p, q + 1, q + 1]);
      }
    }
    for (let i = from; i < e; i++) {
      const c = t.charCodeAt(i);
      if (c === DQ) {
        value += t.slice(from, i);
        this.pos = i + 1;
        return stringScalar(value, QUOTE_DOUBLE, [p, i + 1, i + 1]);
      }
      if (c !== BSLASH) continue;
      value += t.slice(from, i);
      if (++i >= e) bail();
      const x = t[i];
      const simple = ESCAPES[x];
      if (simple !== undefined) value += simple;
      else {
        const len = x === 'x' ? 2 : x === 'u' ? 4 : x === 'U' ? 8 : bail();
        if (i + len >= e) bail();
        let code = 0;
        for (let k = 1; k <= len; k++) {
          const h = t.charCodeAt(i + k);
          const digit = h >= 48 && h <= 57 ? h - 48 : h >= 65 && h <= 70 ? h - 55 : h >= 97 && h <= 102 ? h - 87 : bail();
          code = code * 16 + digit;
        }
        if (code > 0x10ffff) bail();
        value += String.fromCodePoint(code);
        i += len;
      }
      from = i + 1;
    }
    return bail(); // no closing quote on this line
  }

  /** A flow collection on one line at `q`; `pos` ends after its closing bracket. */
  private flow(q: number, e: number, depth: number): YAMLMap | YAMLSeq {
    if (depth > MAX_DEPTH) bail();
    const t = this.t;
    const isMap = t.charCodeAt(q) === LBRACE;
    const close = isMap ? RBRACE : RBRACKET;
    const node = isMap ? this.newMap() : this.newSeq();
    node.flow = true;
    const data: Record<string, unknown> | unknown[] = isMap ? {} : [];
    let i = this.skipSpaces(q + 1, e);
    if (i >= e) bail();
    if (t.charCodeAt(i) !== close) {
      for (;;) {
        let value: Node;
        if (isMap) {
          const key = this.flowKey(i, e);
          value = this.flowItem(this.skipSpaces(this.pos, e), e, depth);
          (node as YAMLMap).items.push(newPair(key, value));
          setKey(data as Record<string, unknown>, String(key.value), this.val);
        } else {
          value = this.flowItem(i, e, depth);
          (node as YAMLSeq).items.push(value);
          (data as unknown[]).push(this.val);
        }
        // An entry's range takes in the spaces after it.
        const j = this.skipSpaces(this.pos, e);
        value.range![2] = j;
        if (j >= e) bail();
        const c = t.charCodeAt(j);
        if (c === close) {
          i = j;
          break;
        }
        if (c !== COMMA) bail();
        i = this.skipSpaces(j + 1, e);
        if (i >= e || t.charCodeAt(i) === close) bail(); // a trailing comma
      }
    }
    node.range = [q, i + 1, i + 1];
    this.pos = i + 1;
    this.val = data;
    return node;
  }

  /** A flow mapping key at `i` and its `:` (followed by a space after a plain key). */
  private flowKey(i: number, e: number): Scalar {
    const t = this.t;
    if (i >= e) bail();
    const c = t.charCodeAt(i);
    let key: Scalar;
    if (c === DQ || c === SQ) key = this.quoted(i, e);
    else {
      if (!plainStart(c, i + 1 < e ? t.charCodeAt(i + 1) : LF) || this.plain(i, e, true) !== COLON) bail();
      if (this.pos + 1 >= e || t.charCodeAt(this.pos + 1) !== SP) bail();
      key = plainScalar(t.slice(i, this.pos), [i, this.pos, this.pos]);
    }
    if (this.pos >= e || t.charCodeAt(this.pos) !== COLON) bail();
    const v = key.value;
    if (v === null || v === '' || v === '<<') bail();
    this.pos++;
    return key;
  }

  /** A flow sequence entry or flow mapping value at `i`: a scalar or a nested flow collection. */
  private flowItem(i: number, e: number, depth: number): Node {
    const t = this.t;
    if (i >= e) bail();
    const c = t.charCodeAt(i);
    if (c === LBRACKET || c === LBRACE) return this.flow(i, e, depth + 1);
    let node: Scalar;
    if (c === DQ || c === SQ) node = this.quoted(i, e);
    else {
      if (!plainStart(c, i + 1 < e ? t.charCodeAt(i + 1) : LF)) bail();
      const stop = this.plain(i, e, true);
      if (stop === HASH || stop === LF) bail(); // a comment or the line end inside the collection
      node = plainScalar(t.slice(i, this.pos), [i, this.pos, this.pos]);
    }
    this.val = node.value;
    return node;
  }

  /**
   * A literal or folded block scalar whose header is at `q` on `line`, in a collection indented
   * `indent`. Follows yaml's lexer (which lines belong to it) and resolve-block-scalar (value).
   */
  private blockScalar(line: number, q: number, e: number, indent: number): Scalar {
    const t = this.t;
    const folded = t.charCodeAt(q) === GT;
    let h = q + 1;
    let chomp = 0; // -1 strip, 0 clip, 1 keep
    if (h < e) {
      const c = t.charCodeAt(h);
      if (c === DASH) chomp = -1;
      else if (c === PLUS) chomp = 1;
      if (chomp !== 0) h++;
    }
    const r = this.skipSpaces(h, e);
    if (r < e && (t.charCodeAt(r) !== HASH || r === h)) bail(); // an indentation indicator, or junk
    const first = line + 1;
    // Leading blank lines, then the first content line sets the indentation.
    let j = first;
    let ind = -1;
    let maxBlank = 0;
    for (; j < this.lines; j++) {
      const s = this.ls[j];
      const le = this.lineEnd(j);
      const p = this.skipSpaces(s, le);
      if (p < le) {
        if (t.charCodeAt(p) === TAB) bail();
        ind = p - s;
        break;
      }
      if (p - s > maxBlank) maxBlank = p - s;
    }
    // No content (an empty scalar), or blank lines more indented than the first line (an error).
    if (ind <= indent || maxBlank > ind) bail();
    // Then every line that is blank or indented at least as much (a blank last line, if so indented).
    let last = j;
    for (let k = j + 1; k < this.lines; k++) {
      const s = this.ls[k];
      const le = this.lineEnd(k);
      const p = this.skipSpaces(s, le);
      const blank = p === le;
      if (p - s >= ind || (blank && k + 1 < this.lines)) last = k;
      else {
        if (!blank && t.charCodeAt(p) === TAB) bail();
        break;
      }
    }
    // Unless kept (`+`), trailing blank lines no more indented than the content are not part of it.
    if (chomp !== 1) {
      while (last > j) {
        const s = this.ls[last];
        const le = this.lineEnd(last);
        if (this.skipSpaces(s, le) === le && le - s <= ind) last--;
        else break;
      }
    }
    const end = this.lineNext(last);
    // The lines as yaml splits the scalar's source: a final empty one after a final newline.
    const count = last - first + 1 + (last + 1 < this.lines ? 1 : 0);
    const spaces: number[] = [];
    const blank: boolean[] = [];
    for (let k = 0; k < count; k++) {
      if (first + k > last) {
        spaces.push(0);
        blank.push(true);
        continue;
      }
      const s = this.ls[first + k];
      const le = this.lineEnd(first + k);
      const p = this.skipSpaces(s, le);
      spaces.push(p - s);
      blank.push(p === le);
    }
    let chompStart = count;
    while (chompStart > 0 && blank[chompStart - 1]) chompStart--;
    // Trailing blank lines more indented than the content are content.
    for (let k = count - 1; k >= chompStart; k--)
      if (spaces[k] > ind) {
        chompStart = k + 1;
        break;
      }
    const contentStart = j - first;
    let value = '\n'.repeat(contentStart);
    let sep = '';
    let prevMoreIndented = false;
    for (let k = contentStart; k < chompStart; k++) {
      const s = this.ls[first + k];
      const le = this.lineEnd(first + k);
      const sp = spaces[k];
      // The line without the content's indentation (a shorter blank line gives '').
      const text = sp >= ind ? t.slice(s + ind, le) : '';
      if (!folded) {
        value += sep + text;
        sep = '\n';
      } else if (sp > ind || (!blank[k] && t.charCodeAt(s + sp) === TAB)) {
        // A more-indented line keeps its line breaks.
        if (sep === ' ') sep = '\n';
        else if (!prevMoreIndented && sep === '\n') sep = '\n\n';
        value += sep + text;
        sep = '\n';
        prevMoreIndented = true;
      } else if (blank[k]) {
        if (sep === '\n') value += '\n';
        else sep = '\n';
      } else {
        value += sep + text;
        sep = ' ';
        prevMoreIndented = false;
      }
    }
    if (chomp === 1) {
      value += '\n'.repeat(count - chompStart); // kept lines: blank, and no more indented
      if (!value.endsWith('\n')) value += '\n';
    } else if (chomp === 0) value += '\n';
    const node = stringScalar(value, folded ? BLOCK_FOLDED : BLOCK_LITERAL, [q, end, end]);
    this.val = value;
    this.scanTrivia(last + 1, indent, null);
    return node;
  }
}
