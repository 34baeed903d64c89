/**
 * The fast YAML path (runner/playbook/fast-yaml.ts) against `yaml` itself. The shipped and the
 * generated benchmark playbooks must take it and give exactly what parseDocument gives: node
 * tree, values, scalar types, flow flags, ranges, plain data and line table. Random documents
 * (yaml's own stringify output, and a grammar of playbook-like text with comments, blank lines,
 * block scalars, flow collections, quoting and odd indentation) must either leave the fast path
 * or give the same. Each construct the fast path does not handle must leave it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isDocument, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, stringify } from 'yaml';
import { toPlaybook } from '../../bench/emit.mjs';
import { layeredDag } from '../../bench/graphs.mjs';
import { parseFast, YAML_OPTIONS } from '../../runner/playbook/fast-yaml.js';
import { parseYamlSource } from '../../runner/playbook/source.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Presentation only, not produced by the fast path (nothing reads them). */
const IGNORED_PROPS = new Set(['comment', 'commentBefore', 'spaceBefore']);

/** What yaml's isScalar / isMap / isSeq / isPair / isDocument say of a value. */
function kindOf(v: unknown): string {
  return isScalar(v) ? 'scalar' : isMap(v) ? 'map' : isSeq(v) ? 'seq' : isPair(v) ? 'pair' : isDocument(v) ? 'document' : 'other';
}

/**
 * The first difference between two node trees (or plain values), as a path and what differs:
 * classes, own properties (range, type, value, source, format, flow, items, key...) and values.
 */
function treeDiff(a: unknown, b: unknown, at = '$'): string | undefined {
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object')
    return Object.is(a, b) ? undefined : `${at}: ${String(a)} (fast) vs ${String(b)} (yaml)`;
  // The same yaml class (fast nodes inherit it through a prototype of their own) and kind of node.
  if (a.constructor !== b.constructor) return `${at}: ${a.constructor.name} (fast) vs ${b.constructor.name} (yaml)`;
  if (kindOf(a) !== kindOf(b)) return `${at}: ${kindOf(a)} (fast) vs ${kindOf(b)} (yaml)`;
  if (Array.isArray(a)) {
    const bs = b as unknown[];
    if (a.length !== bs.length) return `${at}: length ${a.length} (fast) vs ${bs.length} (yaml)`;
    for (let i = 0; i < a.length; i++) {
      const d = treeDiff(a[i], bs[i], `${at}[${i}]`);
      if (d) return d;
    }
    return undefined;
  }
  const keys = (o: object) => Object.keys(o).filter((k) => !IGNORED_PROPS.has(k)).sort();
  const ka = keys(a);
  const kb = keys(b);
  if (ka.join() !== kb.join()) return `${at}: properties [${ka.join()}] (fast) vs [${kb.join()}] (yaml)`;
  for (const k of ka) {
    const d = treeDiff((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${at}.${k}`);
    if (d) return d;
  }
  return undefined;
}

/**
 * Parses `text` both ways. `fast: false` when the fast path declined; otherwise `diff` names
 * the first difference from yaml (undefined: none).
 */
function compare(text: string): { fast: boolean; diff?: string } {
  const fastLc = new LineCounter();
  const fast = parseFast(text, fastLc);
  if (!fast) return { fast: false };
  const lc = new LineCounter();
  const doc = parseDocument(text, { ...YAML_OPTIONS, lineCounter: lc });
  if (doc.errors.length || doc.warnings.length)
    return { fast: true, diff: `yaml reports ${[...doc.errors, ...doc.warnings].map((e) => e.code).join(', ')}` };
  if (fast.doc.errors.length || fast.doc.warnings.length) return { fast: true, diff: 'errors on the fast path' };
  const diff =
    treeDiff(fast.doc.contents, doc.contents, 'contents') ??
    treeDiff(fast.doc.range, doc.range, 'doc.range') ??
    treeDiff(fast.data, doc.toJS({ maxAliasCount: 100 }), 'data') ??
    treeDiff(fastLc.lineStarts, lc.lineStarts, 'lineStarts') ??
    // yaml's own methods work on the fast nodes (toJS walks them through toJSON).
    treeDiff(fast.doc.toJS({ maxAliasCount: 100 }), fast.data, 'doc.toJS()');
  if (diff) return { fast: true, diff };
  for (let offset = 0; offset <= text.length; offset += Math.max(1, text.length >> 6)) {
    const d = treeDiff(fastLc.linePos(offset), lc.linePos(offset), `linePos(${offset})`);
    if (d) return { fast: true, diff: d };
  }
  return { fast: true };
}

function expectSame(text: string, label = 'document'): boolean {
  const r = compare(text);
  if (r.diff) expect.fail(`${label}: ${r.diff}\n--- text ---\n${text}`);
  return r.fast;
}

function yamlFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.ya?ml$/.test(e.name)) out.push(p);
    }
  };
  walk(path.join(ROOT, dir));
  return out.sort();
}

const benchPlaybooks = () =>
  [10, 300, 2000].flatMap((n) =>
    (['shell', 'noop'] as const).map((kind) => ({ name: `bench ${kind} ${n}`, text: toPlaybook(layeredDag({ name: `t${n}`, n, seed: n }), { kind }) })),
  );

describe('the repository’s YAML', () => {
  const mustBeFast = [...yamlFiles('playbooks'), ...yamlFiles('examples')];
  it.each(mustBeFast.map((f) => path.relative(ROOT, f)))('%s takes the fast path, same as yaml', (rel) => {
    const text = fs.readFileSync(path.join(ROOT, rel), 'utf8');
    expect(expectSame(text, rel)).toBe(true);
  });

  it('the generated benchmark playbooks take the fast path, same as yaml', () => {
    for (const { name, text } of benchPlaybooks()) expect(expectSame(text, name), name).toBe(true);
  });

  it('every other YAML file (fixtures, templates, charts) is the same as yaml when it takes the fast path', () => {
    const files = ['test/fixtures', 'templates', 'charts'].flatMap(yamlFiles);
    expect(files.length).toBeGreaterThan(20);
    let fast = 0;
    for (const f of files) if (expectSame(fs.readFileSync(f, 'utf8'), path.relative(ROOT, f))) fast++;
    expect(fast).toBeGreaterThan(files.length / 2);
  });

  it('parseYamlSource gives the same source positions and data on both paths', () => {
    const text = fs.readFileSync(path.join(ROOT, 'playbooks/aks-kalypso.yaml'), 'utf8');
    const { source, diagnostics } = parseYamlSource('pb.yaml', text);
    expect(diagnostics).toEqual([]);
    // The same text, made to miss the fast path by an alias at its end.
    const slow = parseYamlSource('pb.yaml', `${text}\nzz-anchor: &a 1\nzz-alias: *a\n`);
    expect(slow.diagnostics).toEqual([]);
    const { 'zz-anchor': _a, 'zz-alias': _b, ...slowData } = slow.source.data as Record<string, unknown>;
    expect(slowData).toEqual(source.data);
    for (const p of [['name'], ['tasks', 'github-auth', 'run'], ['tasks', 'prereqs', 'with', 'tools', 2, 'min'], ['vars', 'cluster.name']])
      expect(source.span(p)).toEqual(slow.source.span(p));
    expect(source.spanIn(['tasks', 'github-auth', 'run'], 40, 5)).toEqual(slow.source.spanIn(['tasks', 'github-auth', 'run'], 40, 5));
  });
});

// ---- Random documents ----

/** Characters that mean something to YAML somewhere, and a few that do not. */
const CHARS = [...'abZ019.-+ :#exo_/${}[],\'"\\!&*?|>%@`~é\t', '\u2028', '\u00a0', '\u0085', '\x00', '\x02', '\x18', '\x1f'];
const chars = (max: number) => fc.string({ unit: fc.constantFrom(...CHARS), minLength: 1, maxLength: max });
/** Text that is mostly a valid plain scalar in block context. */
const SAFE = [...'abcxyz0189._/-$: #{}[],é'];
const safeText = fc
  .tuple(fc.constantFrom(...'abcxyz019$é'), fc.string({ unit: fc.constantFrom(...SAFE), maxLength: 10 }))
  .map(([a, b]) => a + b);

/** Plain scalars at the edges of the core schema, and other plain scalars that are valid anywhere. */
const EDGE_SCALARS = [
  'true', 'True', 'TRUE', 'tRUE', 'false', 'False', 'FALSE', 'null', 'Null', 'NULL', 'nULL', '~',
  '0', '-0', '+0', '007', '+12', '-12', '0o17', '0o8', '0x1F', '0xg', '0X1F', '1e3', '1E-3', '-1.5e+3', '.5e1', '2.e2',
  '.5', '5.', '1.50', '-1.0', '0.000', '+.inf', '.Inf', '-.INF', '.inF', '.nan', '.NaN', '.NAN', '.nAn', '+.nan',
  '1_000', 'yes', 'no', 'on', 'off', '12:30', '2001-12-14', '1,000', '--', '-x', '-1', 'a:b', 'a :b', 'x ',
  'http://x:8080/p?q=1#f', 'a#b', '${{ vars.x }}', 'x]', 'x}', 'a, b', 'é', 'a  b', "it's", 'say "hi"', '\\n', 'C:\\dir',
];
/** Plain-looking text that is not a (one-line, plain) scalar, or not valid YAML there. */
const BAD_SCALARS = [
  '-', 'a: b', 'a:', 'a #b', '<<', '@x', '`x', '%x', '!x', '&x', '*x', '?x', '? x', ':x', '|x', '>x', '[x', '{x', ']x',
  ',x', '...', '---', '- x', 'x\ty', '"x', "'x",
];
const plainText = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...EDGE_SCALARS) },
  { weight: 6, arbitrary: safeText },
  { weight: 1, arbitrary: fc.oneof(fc.constantFrom(...BAD_SCALARS), chars(10)) },
);

/** Text of several lines (as in `run:` scripts): blank, indented and trailing lines. */
const multiline = fc
  .array(fc.oneof(safeText, fc.constant(''), safeText.map((l) => '  ' + l), chars(6)), { minLength: 1, maxLength: 5 })
  .chain((lines) => fc.constantFrom('', '\n', '\n\n').map((end) => lines.join('\n') + end));

/** yaml's stringify of random data, with various output options. */
const jsValue = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.oneof(fc.constantFrom<unknown>(...EDGE_SCALARS, ...BAD_SCALARS), chars(12), fc.string({ maxLength: 12 }), fc.string({ unit: 'binary', maxLength: 4 }), multiline),
    fc.oneof(fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constantFrom(0, -0, 1e21, 0.1, NaN, Infinity)),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(fc.constantFrom(...EDGE_SCALARS), chars(8)), tie('value'), { maxKeys: 4 }),
  ),
})).value;

const STRINGIFY_OPTIONS = [
  {},
  { indent: 4 },
  { indent: 3, indentSeq: false },
  { defaultStringType: 'QUOTE_DOUBLE' },
  { defaultStringType: 'QUOTE_SINGLE', defaultKeyType: 'PLAIN' },
  { blockQuote: 'literal' },
  { blockQuote: 'folded', lineWidth: 30 },
  { blockQuote: false, lineWidth: 0 },
  { flowCollectionPadding: false, collectionStyle: 'flow', lineWidth: 0 },
  { collectionStyle: 'flow' },
  { doubleQuotedAsJSON: true, nullStr: '~', trueStr: 'True' },
  { minContentWidth: 0, lineWidth: 15 },
] as const;

const stringified = fc
  .tuple(fc.dictionary(fc.oneof(fc.constantFrom(...EDGE_SCALARS), chars(8)), jsValue, { minKeys: 1, maxKeys: 5 }), fc.constantFrom(...STRINGIFY_OPTIONS))
  .map(([value, options]) => stringify(value, options));

// A grammar of playbook-like text: documents are rendered from a tree with a random layout.

type Trivia = { blank: number } | { comment: number; text: string } | { raw: string };
type BodyLine = { blank: number } | { extra: number; text: string };
type Leaf = { src: string } | { header: string; body: readonly BodyLine[] };
type Value = Leaf | { map: readonly Entry[]; step: number } | { seq: readonly Item[]; step: number; same: boolean };
interface Entry {
  before: readonly Trivia[];
  key: string;
  gap: string;
  value: Value;
  comment: string | null;
}
interface Item {
  before: readonly Trivia[];
  /** Spaces after the `-`. */
  gap: string;
  value: Value;
  compact: boolean;
  comment: string | null;
}

const commentText = fc.constantFrom('', 'c', 'a: b', '- x', '#', "it's", '\tx', '|');

/** Lines that break the subset (or YAML): rendered at the current indentation. */
const RAW_LINES = [
  '\tk: tab', 'k:\tv', 'a: &x 1', 'b: *x', '!!str t: v', '? complex', ': v', '<<: {m: 1}', '---', '...', '%YAML 1.2',
  'f: [a,', '  b]', 'q: "open', '  still"', 'p: plain', '  continued', 'e:', 'e: ""', '"": v', '~: v', 'dup: 1',
  'dup: 2', 'x: |2', '  two', 'y: >-1', '- a', 'z: - a', 'w: a: b', "k: 'a' b", 'k: [a]b', 'k: {a}', 'k: [a: b]',
  'k: "\\q"', 'k: "\\x4"', 'k: [a,]', 'k: {a: 1, a: 2}', 'k: {"a" : 1}', 'k: | x', 'k: |#c', 'k: "a"#c',
];

const trivia: fc.Arbitrary<Trivia> = fc.oneof(
  { weight: 10, arbitrary: fc.record({ blank: fc.integer({ min: 0, max: 6 }) }) },
  { weight: 12, arbitrary: fc.record({ comment: fc.integer({ min: -4, max: 4 }), text: commentText }) },
  { weight: 1, arbitrary: fc.record({ raw: fc.constantFrom(...RAW_LINES) }) },
);
const trivias = fc.oneof(fc.constant([]), fc.array(trivia, { maxLength: 3 }));
const comment = fc.option(commentText, { freq: 3 });

const keyText = fc.oneof(
  { weight: 12, arbitrary: fc.constantFrom('name', 'run', 'needs', 'with', 'a.b', 'a-b', 'a b', 'x', 'y', 'z', 'k1', 'k2', 'key', 'é', '1', '0x10', 'true', '-0', '1.0', '.nan', '__proto__', 'toString', 'a#b', '-a', 'a:b', '"q"', "'q'", '"a:b"', '"\\n"', "'it''s'") },
  { weight: 3, arbitrary: safeText },
  { weight: 1, arbitrary: fc.constantFrom('null', '~', '<<', 'a ', '""', "''", '? a', '[a]', '&a a') },
);

const doubleQuoted = fc
  .array(fc.oneof({ weight: 3, arbitrary: chars(4).map((s) => s.replace(/["\\]/g, '')) }, {
    weight: 2,
    arbitrary: fc.oneof(
      { weight: 8, arbitrary: fc.constantFrom('\\n', '\\t', '\\"', '\\\\', '\\/', '\\0', '\\x41', '\\u00e9', '\\U0001F600', '\\e', '\\ ', '\\N', '\\_', '\\L', '\\P', '\\uD800', '\\\t') },
      { weight: 1, arbitrary: fc.constantFrom('\\q', '\\x4', '\\u12', '\\UFFFFFFFF') },
    ),
  }), { maxLength: 4 })
  .map((parts) => `"${parts.join('')}"`);
const singleQuoted = chars(6).map((s) => `'${s.replace(/'/g, "''")}'`);

const flowScalar = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('a', 'b c', '1', '-1', '0x1F', 'true', '~', 'null', '.inf', '--output', 'x:y', 'http://h', 'a#b', "'q'", '"d"', '"a,b"', '"\\t"', "''", '""') },
  { weight: 1, arbitrary: plainText },
);
const flowSrc: fc.Arbitrary<string> = fc.letrec<{ flow: string }>((tie) => ({
  flow: fc
    .tuple(
      fc.boolean(),
      fc.array(fc.tuple(fc.oneof({ depthSize: 'small' }, flowScalar, tie('flow')), flowScalar), { maxLength: 4 }),
      fc.constantFrom(['', ', ', ''], [' ', ' , ', ' '], ['', ',', ''], ['  ', ',  ', ''], ['', ', ', ''], ['', ', ', ', ']),
    )
    .map(([isMap, items, [open, sep, close]]) => {
      const body = items.map(([v, k]) => (isMap ? `${k}: ${v}` : v)).join(sep);
      return isMap ? `{${open}${body}${close}}` : `[${open}${body}${close}]`;
    }),
})).flow;

const bodyLine: fc.Arbitrary<BodyLine> = fc.oneof(
  { weight: 1, arbitrary: fc.record({ blank: fc.integer({ min: 0, max: 8 }) }) },
  { weight: 4, arbitrary: fc.record({ extra: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 3 })), text: fc.oneof(chars(12), fc.constantFrom('# not a comment', 'echo "$X" | tr a b', '- x', 'k: v', '\tindented with a tab')) }) },
);
const blockLeaf = fc.record({
  header: fc.oneof(
    { weight: 12, arbitrary: fc.constantFrom('|', '|-', '|+', '>', '>-', '>+', '| # c', '>- #c') },
    { weight: 1, arbitrary: fc.constantFrom('|2', '>+1', '|-+', '|#c', '|x') },
  ),
  body: fc.oneof({ weight: 12, arbitrary: fc.array(bodyLine, { minLength: 1, maxLength: 6 }) }, { weight: 1, arbitrary: fc.constant([]) }),
});

const leaf: fc.Arbitrary<Leaf> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ src: plainText }) },
  { weight: 2, arbitrary: fc.record({ src: fc.oneof(doubleQuoted, singleQuoted) }) },
  { weight: 2, arbitrary: fc.record({ src: flowSrc }) },
  { weight: 2, arbitrary: blockLeaf },
);

const tree = fc.letrec<{ value: Value; map: Value; seq: Value }>((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('map'), tie('seq')),
  map: fc.record({
    map: fc.uniqueArray(fc.record({ before: trivias, key: keyText, gap: fc.constantFrom(' ', ' ', '  '), value: tie('value'), comment }), {
      minLength: 1,
      maxLength: 4,
      selector: (e) => e.key,
    }),
    step: fc.constantFrom(2, 2, 4, 1, 3),
  }),
  seq: fc.record({
    seq: fc.array(fc.record({ before: trivias, gap: fc.constantFrom(' ', ' ', '   '), value: tie('value'), compact: fc.boolean(), comment }), {
      minLength: 1,
      maxLength: 4,
    }),
    step: fc.constantFrom(2, 2, 4, 3),
    same: fc.boolean(),
  }),
}));

const pad = (n: number) => ' '.repeat(Math.max(0, n));

function renderTrivia(ts: readonly Trivia[], indent: number, out: string[]): void {
  for (const t of ts) {
    if ('blank' in t) out.push(pad(t.blank));
    else if ('raw' in t) out.push(pad(indent) + t.raw);
    else out.push(`${pad(indent + t.comment)}#${t.text ? ' ' + t.text : ''}`);
  }
}

const trailing = (c: string | null) => (c === null ? '' : ` #${c}`);

/** Renders `value` after `head` (`key:` or `-`) and `gap` on a line indented `indent`. */
function renderValue(head: string, gap: string, value: Value, indent: number, step: number, c: string | null, out: string[]): void {
  if ('src' in value) out.push(`${head}${gap}${value.src}${trailing(c)}`);
  else if ('header' in value) {
    out.push(`${head}${gap}${value.header}${trailing(c)}`);
    for (const l of value.body) out.push('blank' in l ? pad(l.blank) : pad(indent + step + l.extra) + l.text);
  } else if ('map' in value) {
    out.push(`${head}${gap.slice(1)}${trailing(c)}`);
    renderMap(value.map, indent + value.step, out);
  } else {
    out.push(`${head}${gap.slice(1)}${trailing(c)}`);
    renderSeq(value.seq, value.same && head.endsWith(':') ? indent : indent + value.step, value.step, out);
  }
}

function renderMap(entries: readonly Entry[], indent: number, out: string[]): void {
  for (const e of entries) {
    renderTrivia(e.before, indent, out);
    const step = 'map' in e.value || 'seq' in e.value ? e.value.step : 2;
    renderValue(`${pad(indent)}${e.key}:`, e.gap, e.value, indent, step, e.comment, out);
  }
}

function renderSeq(items: readonly Item[], indent: number, step: number, out: string[]): void {
  for (const it of items) {
    renderTrivia(it.before, indent, out);
    const v = it.value;
    if (it.compact && 'map' in v) {
      // `- key: value`: the mapping's first line shares the `-` line.
      const lines: string[] = [];
      const at = indent + 1 + it.gap.length;
      renderMap([{ ...v.map[0]!, before: [] }, ...v.map.slice(1)], at, lines);
      out.push(`${pad(indent)}-${it.gap}${lines[0]!.slice(at)}`, ...lines.slice(1));
    } else renderValue(`${pad(indent)}-`, it.gap, v, indent, step, it.comment, out);
  }
}

const playbookLike = fc
  .tuple(trivias, tree.map, trivias, fc.constantFrom('\n', '', '\n\n', '\n  '))
  .map(([before, root, after, end]) => {
    const out: string[] = [];
    renderTrivia(before, 0, out);
    renderMap((root as { map: readonly Entry[] }).map, 0, out);
    renderTrivia(after, 0, out);
    return out.join('\n') + end;
  });

const rootSeqLike = fc.tuple(tree.seq, trivias).map(([root, after]) => {
  const out: string[] = [];
  renderSeq((root as { seq: readonly Item[] }).seq, 0, 2, out);
  renderTrivia(after, 2, out);
  return out.join('\n') + '\n';
});

describe('random documents: the fast path declines or agrees with yaml', () => {
  const property = (arb: fc.Arbitrary<string>, numRuns: number) => {
    let fast = 0;
    fc.assert(
      fc.property(arb, (text) => {
        const r = compare(text);
        if (r.fast) fast++;
        return r.diff === undefined || expect.fail(`${r.diff}\n--- text ---\n${text}`);
      }),
      { numRuns },
    );
    return fast;
  };

  it('yaml.stringify output under several option sets', () => {
    expect(property(stringified, 1500)).toBeGreaterThan(200);
  });

  it('playbook-like text (comments, blank lines, block scalars, flow collections, quoting, odd indentation)', () => {
    expect(property(playbookLike, 2500)).toBeGreaterThan(100);
  });

  it('playbook-like sequences at the root', () => {
    expect(property(rootSeqLike, 800)).toBeGreaterThan(50);
  });
});

describe('constructs outside the subset leave the fast path', () => {
  const cases: Record<string, string> = {
    anchor: 'a: &x 1\nb: 2\n',
    alias: 'a: 1\nb: *x\n',
    'anchored collection': 'a: &x\n  b: 1\n',
    tag: 'a: !!str 1\n',
    'tagged collection': 'a: !!map\n  b: 1\n',
    directive: '%YAML 1.2\n---\na: 1\n',
    'document start': '---\na: 1\n',
    'document end': 'a: 1\n...\n',
    'second document': 'a: 1\n---\nb: 2\n',
    'explicit key': '? a\n: 1\n',
    'merge key': 'base: {x: 1}\nm:\n  <<: {y: 2}\n',
    'tab indentation': 'a:\n\tb: 1\n',
    'tab after key': 'a:\t1\n',
    'tab in plain scalar': 'a: x\ty\n',
    'CRLF line ends': 'a: 1\r\nb: 2\r\n',
    BOM: '\uFEFFa: 1\n',
    'multi-line plain scalar': 'a: one\n  two\n',
    'multi-line plain scalar after a blank line': 'a: one\n\n  two\n',
    'multi-line single-quoted': "a: 'one\n  two'\n",
    'multi-line double-quoted': 'a: "one\n  two"\n',
    'multi-line flow sequence': 'a: [x,\n  y]\n',
    'multi-line flow mapping': 'a: {x: 1,\n  y: 2}\n',
    'comment inside a flow collection': 'a: [x, # c\n  y]\n',
    'indentation indicator': 'a: |2\n   x\n',
    'indentation indicator and chomping': 'a: >-1\n  x\n',
    'empty block scalar': 'a: |\nb: 1\n',
    'block scalar with more-indented leading blank line': 'a: |\n     \n  x\n',
    'unknown escape': 'a: "\\q"\n',
    'short hex escape': 'a: "\\x4"\n',
    'escape beyond Unicode': 'a: "\\UFFFFFFFF"\n',
    'duplicate key': 'a: 1\nb: 2\na: 3\n',
    'duplicate key after resolution': '1: a\n"1": b\n',
    'duplicate key in a flow mapping': 'a: {x: 1, x: 2}\n',
    'empty value': 'a:\nb: 1\n',
    'empty value at the end': 'a: 1\nb:\n',
    'empty sequence entry': 'a:\n  -\n  - x\n',
    'null key': '~: 1\n',
    'empty quoted key': '"": 1\n',
    'flow collection as a key': '[a]: 1\n',
    'space before the colon': 'a : 1\n',
    'compact nested mapping': 'a: b: c\n',
    'block sequence on the key line': 'a: - b\n',
    'compact nested sequence': '- - a\n',
    'scalar on the line after its key': 'a:\n  text\n',
    'pair in a flow sequence': 'a: [x: 1]\n',
    'key without value in a flow mapping': 'a: {x}\n',
    'trailing comma': 'a: [x, y,]\n',
    'text after a quoted scalar': "a: 'x' y\n",
    'comment without a space': 'a: "x"#c\n',
    'bad indentation': 'a:\n    b: 1\n  c: 2\n',
    'sequence at the indent of a mapping key': 'a: 1\n- b\n',
    'reserved character': 'a: @x\n',
    'scalar document': 'just text\n',
    'empty document': '# only a comment\n',
    'indented root': '  a: 1\n',
    'flow mapping as a key': '{a: 1}: x\n',
    'alias as a key': '*a : 1\n',
    'multi-line quoted key': '"a\n  b": 1\n',
    'unclosed flow sequence': 'a: [x\n',
    'unclosed quote': 'a: "x\n',
    'deep nesting': Array.from({ length: 80 }, (_, i) => `${' '.repeat(i)}k:`).join('\n') + ' v\n',
  };
  it.each(Object.entries(cases))('%s', (_, text) => {
    expect(parseFast(text)).toBeUndefined();
  });

  it('some of them are valid YAML, which yaml then reads', () => {
    for (const name of ['duplicate key', 'empty value', 'merge key', 'multi-line plain scalar', 'anchor', 'deep nesting'])
      expect(parseDocument(cases[name]!, YAML_OPTIONS).errors, name).toEqual([]);
  });

  it('parseYamlSource on the fast path: no diagnostics, the data, positions from the nodes', () => {
    const text = 'name: x\ntasks:\n  a:\n    run: |\n      echo hi\n    needs: [b, c] # deps\n';
    const { source, diagnostics } = parseYamlSource('pb.yaml', text);
    expect(diagnostics).toEqual([]);
    expect(source.data).toEqual({ name: 'x', tasks: { a: { run: 'echo hi\n', needs: ['b', 'c'] } } });
    expect(source.span(['tasks', 'a', 'needs', 1])).toEqual({ line: 6, col: 16, endLine: 6, endCol: 17 });
  });
});
