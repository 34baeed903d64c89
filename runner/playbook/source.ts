/**
 * YAML with positions: parses a file with `yaml` (keeping node ranges and a line counter) so
 * that every path in the document, key or value, maps to line:col. YAML errors, duplicate keys
 * and alias bombs become diagnostics, never exceptions. Most playbooks take the fast path of
 * fast-yaml.ts, which builds the same nodes and data many times faster.
 */
import * as yaml from 'yaml';
import { isPair, LineCounter, parseAllDocuments, parseDocument, visit, YAMLParseError, type Pair, type YAMLMap } from 'yaml';
import type { Document, Node, Scalar } from 'yaml';
import type { Diagnostic } from './diagnostics.js';
import { parseFast, YAML_OPTIONS } from './fast-yaml.js';
import type { SourcePos } from './model.js';
import { scalarSourceOffset } from './scalar-offsets.js';

// Taken once: in the bundle, each call of an imported yaml function goes through a getter
// (`yaml` is CommonJS), and these run a few times per path walked (~40,000 walks for 10,000 tasks).
const { isAlias, isMap, isScalar, isSeq } = yaml;

/** A path into the document: mapping keys and sequence indexes. */
export type Path = ReadonlyArray<string | number>;

/** A span in a file, 1-based, end column exclusive. */
export interface Span {
  line: number;
  col: number;
  endLine: number;
  endCol: number;
}

/** Most aliases a document may expand (guards against "billion laughs"). */
export const MAX_ALIAS_COUNT = 100;

/** Each mapping's entries by key, built once (lookups were a scan per path segment: quadratic). */
const MAP_INDEX = new WeakMap<YAMLMap, Map<string, Pair>>();

/** The entry of `key` in a mapping (the last one, as for data): a scan for small mappings. */
function entryOf(node: YAMLMap, key: string): Pair | undefined {
  const items = node.items;
  if (items.length > 8) return mapIndex(node).get(key);
  for (let i = items.length - 1; i >= 0; i--) {
    const pair = items[i] as Pair;
    const k = isScalar(pair.key) ? pair.key.value : pair.key;
    if (k !== null && typeof k !== 'object' && String(k) === key) return pair;
  }
  return undefined;
}

function mapIndex(node: YAMLMap): Map<string, Pair> {
  let index = MAP_INDEX.get(node);
  if (!index) {
    index = new Map();
    for (const pair of node.items) {
      const k = isScalar(pair.key) ? pair.key.value : pair.key;
      if (k !== null && typeof k !== 'object') index.set(String(k), pair as Pair); // last key wins
    }
    MAP_INDEX.set(node, index);
  }
  return index;
}

/**
 * Duplicate keys, found with one Set per mapping. yaml's own `uniqueKeys` check compares each
 * key with every earlier one (quadratic: seconds for a 10,000-task playbook); this reports the
 * same DUPLICATE_KEY errors. `<<` merge keys may repeat.
 */
function findDuplicateKeys(doc: Document.Parsed): void {
  visit(doc, {
    Map(_, map) {
      const seen = new Set<string>();
      for (const pair of map.items) {
        if (!isScalar(pair.key) || pair.key.value === null || typeof pair.key.value === 'object') continue;
        const k = String(pair.key.value);
        if (k === '<<') continue;
        if (seen.has(k) && pair.key.range) doc.errors.push(new YAMLParseError([pair.key.range[0], pair.key.range[1]], 'DUPLICATE_KEY', 'Map keys must be unique'));
        seen.add(k);
      }
    },
  });
}

/** A parsed YAML document that can locate any path. */
export class SourceDoc {
  private readonly lc = new LineCounter();
  readonly doc: Document.Parsed;
  /** The document as plain data (aliases resolved); undefined when it could not be converted. */
  data: unknown;
  /**
   * Whether the fast path parsed the text: it did so without any error, and `data` is set. It
   * takes only documents without errors, aliases, extra documents, duplicate or odd keys.
   */
  readonly fast: boolean;

  /** `text` must already have its BOM removed. */
  constructor(
    readonly file: string,
    readonly text: string,
  ) {
    const fast = parseFast(text, this.lc);
    this.fast = fast !== undefined;
    if (fast) {
      this.doc = fast.doc;
      this.data = fast.data;
    } else {
      this.doc = parseDocument(text, { ...YAML_OPTIONS, lineCounter: this.lc });
      findDuplicateKeys(this.doc);
    }
  }

  /** Line and column (1-based) of a source offset. */
  posOf(offset: number): { line: number; col: number } {
    return this.lc.linePos(Math.max(0, Math.min(offset, this.text.length)));
  }

  private spanOf(start: number, end: number): Span {
    const a = this.posOf(start);
    const b = this.posOf(Math.max(end, start + 1));
    return { line: a.line, col: a.col, endLine: b.line, endCol: b.col };
  }

  private resolve(node: unknown): unknown {
    let n = node;
    for (let i = 0; i < 20 && isAlias(n); i++) n = n.resolve(this.doc);
    return n;
  }

  /**
   * Walks `path`, returning the deepest node found, the key node of the last mapping entry
   * walked, and how many segments were matched.
   */
  private walk(path: Path): { node: Node | null; key: Node | null; matched: number } {
    let node: Node | null;
    let key: Node | null = null;
    let matched = 0;
    // Paths come in runs with the same first two segments (['tasks', id, ...] while a task is
    // built): start below them when they are the last run's.
    const memo = this.memo;
    if (memo && path.length >= 2 && path[0] === memo.a && path[1] === memo.b) {
      node = memo.node;
      key = memo.key;
      matched = 2;
    } else node = this.resolve(this.doc.contents) as Node | null;
    for (let i = matched; i < path.length; i++) {
      const seg = path[i]!;
      if (isMap(node)) {
        const found = entryOf(node, String(seg));
        if (!found) break;
        key = found.key as Node;
        node = this.resolve(found.value) as Node | null;
        if (node === null) {
          matched++;
          break;
        }
      } else if (isSeq(node) && typeof seg === 'number' && seg < node.items.length) {
        key = null;
        node = this.resolve(node.items[seg]) as Node | null;
        if (node === null) break;
      } else break;
      matched++;
      if (i === 1) this.memo = { a: path[0]!, b: seg, node, key };
    }
    return { node, key, matched };
  }

  /** The node (and key node) at the first two segments of the path walked last. */
  private memo: { a: string | number; b: string | number; node: Node | null; key: Node | null } | undefined;

  /** The scalar node at `path`, if the value there is a scalar. */
  scalar(path: Path): Scalar | undefined {
    const w = this.walk(path);
    return w.matched === path.length && isScalar(w.node) ? w.node : undefined;
  }

  /**
   * The span of the key (`part: 'key'`) or the value at `path`. Falls back to the nearest
   * ancestor that exists. A key part of a sequence item is the item itself.
   */
  span(path: Path, part: 'key' | 'value' = 'value'): Span {
    const w = this.walk(path);
    if (w.matched < path.length) {
      // The path does not exist (e.g. a missing field): point at what contains it.
      if (w.key?.range && w.matched > 0) return this.spanOf(w.key.range[0], w.key.range[1]);
      if (w.node?.range) return this.headSpan(w.node);
      return this.spanOf(0, 0);
    }
    if (part === 'key' && w.key?.range && typeof path[path.length - 1] === 'string')
      return this.spanOf(w.key.range[0], w.key.range[1]);
    if (w.node?.range) return this.headSpan(w.node);
    if (w.key?.range) return this.spanOf(w.key.range[0], w.key.range[1]);
    return this.spanOf(0, 0);
  }

  /** A collection's span is only its first line; a scalar's is the whole scalar. */
  private headSpan(node: Node): Span {
    const [start, end] = node.range!;
    if (isScalar(node)) return this.spanOf(start, end);
    const nl = this.text.indexOf('\n', start);
    return this.spanOf(start, nl < 0 || nl > end ? end : nl);
  }

  /** Where {@link span} starts, without working out where it ends. */
  private startOf(path: Path, part: 'key' | 'value'): number {
    const w = this.walk(path);
    if (w.matched < path.length) {
      if (w.key?.range && w.matched > 0) return w.key.range[0];
      return w.node?.range ? w.node.range[0] : 0;
    }
    if (part === 'key' && w.key?.range && typeof path[path.length - 1] === 'string') return w.key.range[0];
    if (w.node?.range) return w.node.range[0];
    return w.key?.range ? w.key.range[0] : 0;
  }

  /** The position (for the model) of a key or value: where its span starts. */
  pos(path: Path, part: 'key' | 'value' = 'value'): SourcePos {
    const { line, col } = this.posOf(this.startOf(path, part));
    return { file: this.file, line, col };
  }

  /** The span of `length` characters at `offset` inside the string value at `path`. */
  spanIn(path: Path, offset: number, length: number): Span {
    const node = this.scalar(path);
    if (!node?.range) return this.span(path);
    const a = scalarSourceOffset(this.text, node, offset);
    const b = length > 0 ? scalarSourceOffset(this.text, node, offset + length) : a + 1;
    const pa = this.posOf(a);
    const pb = this.posOf(Math.max(b, a + 1));
    return { line: pa.line, col: pa.col, endLine: pb.line, endCol: pb.col };
  }

  /** The position of character `offset` inside the string value at `path`. */
  posIn(path: Path, offset: number): SourcePos {
    const s = this.spanIn(path, offset, 0);
    return { file: this.file, line: s.line, col: s.col };
  }

  /** A diagnostic at a path. */
  diag(
    path: Path,
    part: 'key' | 'value',
    message: string,
    extra: Partial<Pick<Diagnostic, 'expected' | 'hint' | 'severity'>> = {},
  ): Diagnostic {
    return this.diagAt(this.span(path, part), message, extra);
  }

  /** A diagnostic at a span. */
  diagAt(
    span: Span,
    message: string,
    extra: Partial<Pick<Diagnostic, 'expected' | 'hint' | 'severity'>> = {},
  ): Diagnostic {
    const d: Diagnostic = { file: this.file, ...span, severity: extra.severity ?? 'error', message };
    if (extra.expected) d.expected = extra.expected;
    if (extra.hint) d.hint = extra.hint;
    return d;
  }
}

/** Parses YAML text into a {@link SourceDoc}; problems come back as diagnostics. */
export function parseYamlSource(file: string, rawText: string): { source: SourceDoc; diagnostics: Diagnostic[] } {
  const text = rawText.replace(/^\uFEFF/, '');
  const source = new SourceDoc(file, text);
  // Nothing below would report anything for what the fast path takes, and its data is set.
  if (source.fast) return { source, diagnostics: [] };
  const diagnostics: Diagnostic[] = [];
  const at = (start: number, end: number, message: string, severity: 'error' | 'warning' = 'error') => {
    const a = source.posOf(start);
    const b = source.posOf(Math.max(end, start + 1));
    diagnostics.push({ file, line: a.line, col: a.col, endLine: b.line, endCol: b.col, severity, message });
  };
  for (const e of source.doc.errors) {
    if (e.code === 'DUPLICATE_KEY') {
      const key = scalarAt(source, e.pos[0]);
      const [s, t] = key?.range ?? e.pos;
      const name = key ? String(key.value) : '';
      at(s, t, name ? `duplicate key \`${name}\` (a key may appear only once in a mapping)` : 'duplicate key in a mapping');
    } else at(e.pos[0], e.pos[1], yamlMessage(e.message));
  }
  for (const w of source.doc.warnings) at(w.pos[0], w.pos[1], yamlMessage(w.message), 'warning');
  // parseDocument reads only the first document; a second one must not be dropped silently.
  if (/^(---|\.\.\.)(\s|$)/m.test(text)) {
    const docs = parseAllDocuments(text, { logLevel: 'silent' });
    if (Array.isArray(docs) && docs.length > 1) {
      const second = docs[1].range[0];
      at(second, second + 3, 'a playbook is a single YAML document; this file has more than one (remove the `---` and what follows, or merge it into the first)');
    }
  }
  // Keys must be plain scalars: a collection or an empty key cannot name a field.
  visit(source.doc, {
    Pair(_, pair) {
      if (!isPair(pair)) return;
      const k = pair.key as Node | null;
      if (k && !isScalar(k) && k.range) at(k.range[0], k.range[1], 'a mapping key must be a plain name, not a list or mapping');
      else if (isScalar(k) && (k.value === null || k.value === '') && k.range)
        at(k.range[0], k.range[1], 'empty mapping key');
    },
  });
  const fatal = source.doc.errors.some((e) => e.code !== 'DUPLICATE_KEY');
  if (!fatal) {
    try {
      source.data = source.doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (err) {
      const alias = firstAlias(source);
      const message =
        err instanceof ReferenceError && /alias/i.test(err.message)
          ? `too many alias expansions (more than ${MAX_ALIAS_COUNT}): this looks like an alias bomb`
          : `cannot read the YAML document: ${err instanceof Error ? err.message : String(err)}`;
      at(alias?.[0] ?? 0, alias?.[1] ?? 0, message);
    }
  }
  return { source, diagnostics };
}

function firstAlias(source: SourceDoc): [number, number] | undefined {
  let found: [number, number] | undefined;
  visit(source.doc, {
    Alias(_, node) {
      if (node.range) {
        found = [node.range[0], node.range[1]];
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return found;
}

function scalarAt(source: SourceDoc, offset: number): Scalar | undefined {
  let found: Scalar | undefined;
  visit(source.doc, {
    Scalar(_, node) {
      if (node.range?.[0] === offset) {
        found = node;
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return found;
}

/** yaml's messages without the trailing "at line x, column y" (we print our own position). */
function yamlMessage(message: string): string {
  const first = message.split('\n')[0]!.replace(/ at line \d+, column \d+:?\s*$/, '');
  return `YAML syntax error: ${first.charAt(0).toLowerCase()}${first.slice(1)}`;
}
