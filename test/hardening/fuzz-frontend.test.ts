/**
 * Front-end fuzz, in-process, through the same functions the CLI calls: loadPlaybookText (what
 * loadPlaybook does after reading the file), formatDiagnostics (what the CLI prints),
 * loadVarsFile + parseVarArgs + resolveVars (what `run` does with --vars-file / --var / env), and
 * the expression parser and evaluator. fast-check generates valid playbooks and damages them
 * (YAML syntax, wrong types, deep nesting, duplicate keys, alias bombs, odd Unicode, CRLF, BOM,
 * tabs, huge files).
 *
 * Properties: nothing throws; no "internal error"; every diagnostic about a file points at a
 * line of it (1 <= line <= lines + 1, col >= 1); a model comes back exactly when there is no
 * error; the printed text names `file:line:col` for each diagnostic and holds no stack frame.
 * Expressions throw nothing but ExprError, return only JSON-like data, and never reach a
 * prototype, a JS global or the filesystem.
 *
 * Case counts are the `numRuns` below (see FIGURES.md); FUZZ_SEED=<n> replays a seed.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import fs from 'node:fs';
import childProcess from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { evaluate, evaluateTemplate, ExprError, FUNCTION_NAMES, parseExpression, parseTemplate } from '../../runner/expr/index.js';
import type { Diagnostic } from '../../runner/playbook/diagnostics.js';
import { formatDiagnostics } from '../../runner/playbook/format.js';
import { loadPlaybookText } from '../../runner/playbook/load.js';
import type { Playbook } from '../../runner/playbook/model.js';
import { COMMAND_LINE } from '../../runner/playbook/diagnostics.js';
import { loadVarsFile, parseVarArgs, resolveVars } from '../../runner/playbook/vars.js';
import { kinds } from '../../tasks/index.js';
import { aliasBomb, hugePlaybook, playbookDoc, playbookText } from './gen-playbook.js';
import { STACK_FRAME } from './support.js';

export const RUNS = { playbooks: 2500, validPlaybooks: 150, varsResolution: 1500, varsFiles: 1000, expressions: 5000, templates: 2000 };
const seed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;
const params = (numRuns: number) => ({ numRuns, seed, endOnFailure: true });

const dir = mkdtempSync(path.join(tmpdir(), 'bs-hardening-fuzz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const FILE = path.join(dir, 'pb.yaml');

/** The checks every diagnostic list must pass, whatever produced it. */
function checkDiagnostics(diags: readonly Diagnostic[], sources: Map<string, string>, where: string): string {
  for (const d of diags) {
    expect(['error', 'warning'], where).toContain(d.severity);
    expect(typeof d.message === 'string' && d.message.length > 0, where).toBe(true);
    expect(d.message, `${where}: ${d.message}`).not.toMatch(/internal error/i);
    if (d.file === COMMAND_LINE || d.file === '--vars-file') continue;
    const text = sources.get(d.file);
    expect(text, `${where}: diagnostic for an unknown file ${d.file}`).toBeDefined();
    const lines = text!.replace(/^\uFEFF/, '').split('\n').length;
    expect(d.line, `${where}: ${d.message}`).toBeGreaterThanOrEqual(1);
    expect(d.line, `${where}: ${d.message}`).toBeLessThanOrEqual(lines + 1);
    expect(d.col, `${where}: ${d.message}`).toBeGreaterThanOrEqual(1);
  }
  const printed = formatDiagnostics(diags, sources, { color: false });
  expect(printed, where).not.toMatch(STACK_FRAME);
  for (const d of diags) if (d.line > 0) expect(printed, where).toContain(`${d.file}:${d.line}:${d.col}`);
  return printed;
}

function load(text: string, file = FILE) {
  const r = loadPlaybookText(file, text, { kinds });
  const where = `playbook:\n${text.slice(0, 2000)}`;
  checkDiagnostics(r.diagnostics, new Map([[file, text]]), where);
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  expect(r.playbook === undefined, `${where}\n${errors.map((d) => d.message).join('\n')}`).toBe(errors.length > 0);
  return r;
}

describe('playbook front end: loadPlaybook + formatDiagnostics', () => {
  it(`generated, damaged and extreme playbooks (${RUNS.playbooks} cases)`, () => {
    const kindsSeen = new Map<string, number>();
    fc.assert(
      fc.property(playbookText, ({ kind, text }) => {
        kindsSeen.set(kind.split('+')[0]!.split(':')[0]!, (kindsSeen.get(kind.split('+')[0]!.split(':')[0]!) ?? 0) + 1);
        load(text);
      }),
      params(RUNS.playbooks),
    );
    // The generator reaches every family of damage.
    for (const k of ['none', 'yaml-junk', 'wrong-type', 'wrong-task-field', 'deep-seq', 'deep-map', 'alias-bomb', 'random-text', 'yaml-soup']) expect(kindsSeen.get(k) ?? 0, k).toBeGreaterThan(0);
  }, 150_000);

  it(`valid generated playbooks load without errors (${RUNS.validPlaybooks} cases)`, () => {
    fc.assert(
      fc.property(playbookDoc({ safe: true }), (doc) => {
        const r = load(stringify(doc));
        expect(r.diagnostics.filter((d) => d.severity === 'error'), stringify(doc)).toEqual([]);
      }),
      params(RUNS.validPlaybooks),
    );
  });

  it('huge files, deep nesting and bombs come back as positioned diagnostics', () => {
    expect(load(hugePlaybook(1000, 200)).playbook?.tasks.size).toBe(1000);
    const deep = `name: x\ntasks:\n  a:\n    run: echo\n    env: ${'['.repeat(20_000)}${']'.repeat(20_000)}\n`;
    expect(load(deep).diagnostics.some((d) => d.severity === 'error' && d.line === 5)).toBe(true);
    const bomb = `name: x\n${aliasBomb(10, 9)}tasks:\n  a:\n    run: echo\n`;
    expect(load(bomb).diagnostics.map((d) => d.message).join('\n')).toMatch(/alias/);
    const long = `name: x\ntasks:\n  a:\n    run: "${'$'.repeat(500_000)}"\n`;
    load(long);
  });

  // Regression (found by the hardening suite, fixed): a playbook file with two YAML documents is accepted and the second one is
  // silently ignored (its tasks never run and nothing says so). Expected: an error at the `---`
  // line ("a playbook is one YAML document"). Suspect runner/playbook/source.ts (parseDocument
  // keeps only the first document; the "multiple documents" error is not reported).
  it('a second YAML document is an error, not silently ignored', () => {
    const text = 'name: x\ntasks:\n  a:\n    run: echo a\n---\nname: y\ntasks:\n  b:\n    run: rm -rf "$HOME/important"\n';
    const r = load(text);
    const err = r.diagnostics.find((d) => d.severity === 'error');
    expect(err, 'no diagnostic for the second document').toBeDefined();
    expect(err!.line).toBe(5);
  });
});

describe('vars: --var, --vars-file and env through resolveVars', () => {
  /** Valid playbooks to resolve vars against (loaded once), with their text. */
  const books: Array<{ pb: Playbook; text: string }> = fc
    .sample(playbookDoc({ maxTasks: 2 }), { numRuns: 80, seed: 42 })
    .map((d) => {
      const text = stringify(d);
      return { pb: loadPlaybookText(FILE, text, { kinds }).playbook, text };
    })
    .filter((b): b is { pb: Playbook; text: string } => !!b.pb && b.pb.vars.size > 0);

  const anyValue = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.constantFrom('', '-1', '1e999', 'true', 'yes', '[1,2]', '{"a":1}', '{"__proto__":{"x":1}}', 'null', ' 7 ', '0x10', 'NaN', '\u0000', '${{ vars.x }}'));

  it(`random --var arguments and environment values (${RUNS.varsResolution} cases)`, async () => {
    expect(books.length).toBeGreaterThan(10);
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.array(fc.tuple(fc.oneof(fc.constantFrom('x', 'a.b', '', '__proto__', 'constructor'), fc.string({ maxLength: 6 })), anyValue), { maxLength: 4 }), anyValue, fc.boolean(), async (bi, args, envValue, useNames) => {
        const { pb, text } = books[bi % books.length]!;
        const names = [...pb.vars.keys()];
        const argv = args.map(([n, v], i) => `${useNames ? names[i % names.length] : n}=${v}`);
        if (args.length && !useNames) argv.push('no-equals-sign', '=v');
        const parsed = parseVarArgs(argv);
        const r = await resolveVars(pb, { cli: parsed.values, env: { BS_FUZZ_TOKEN: envValue, GITHUB_TOKEN: envValue }, interactive: false });
        checkDiagnostics([...parsed.diagnostics, ...r.diagnostics], new Map([[FILE, text]]), `vars ${JSON.stringify(argv)}`);
        // A secret value is never shown in a diagnostic (as `got "<value>"`).
        for (const name of r.secrets) {
          const given = [parsed.values[name], ...(pb.vars.get(name)?.env ? ['env'] : [])].filter((v) => typeof v === 'string' && v.length >= 3);
          for (const v of given) for (const d of r.diagnostics) if (d.message.includes(`var \`${name}\``)) expect(d.message).not.toContain(JSON.stringify(v));
        }
      }),
      params(RUNS.varsResolution),
    );
  }, 60_000);

  it(`random vars files (${RUNS.varsFiles} cases)`, async () => {
    const varsFile = path.join(dir, 'vars.yaml');
    const fileText = fc.oneof(
      fc.dictionary(fc.oneof(fc.constantFrom('a', 'b', 'x', 'a.b', '__proto__'), fc.string({ maxLength: 5 })), fc.jsonValue({ maxDepth: 3 })).map((o) => stringify(o)),
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc.array(fc.constantFrom('a: 1\n', 'a: [\n', '"x": &q {b: 2}\n', 'y: *q\n', '- 1\n', '\uFEFF', '\r\n', '\t', 'b: !!binary x\n', 'a: 2\n', 'c:\n  d: 1\n'), { maxLength: 12 }).map((p) => p.join('')),
    );
    await fc.assert(
      fc.asyncProperty(fc.nat(), fileText, async (bi, text) => {
        const { pb, text: pbSource } = books[bi % books.length]!;
        writeFileSync(varsFile, text);
        const f = await loadVarsFile(varsFile);
        const sources = new Map([
          [FILE, pbSource],
          [varsFile, text],
        ]);
        checkDiagnostics(f.diagnostics, sources, `vars file:\n${text}`);
        if (f.diagnostics.some((d) => d.severity === 'error')) return;
        const r = await resolveVars(pb, { cli: {}, file: f.values, env: {}, interactive: false });
        checkDiagnostics(r.diagnostics, sources, `vars file:\n${text}`);
      }),
      params(RUNS.varsFiles),
    );
  }, 60_000);
});

// ---------------------------------------------------------------------------------------------
// Expressions

const HOSTILE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', '__defineGetter__', 'process', 'globalThis', 'require', 'import', 'eval', 'Function', 'length', '0', '-1', 'polluted'];

/** Contexts full of the traps real values can hold: own `__proto__`/`constructor` keys (from JSON or YAML), JSON text. */
function hostileContext(): Record<string, unknown> {
  const vars = JSON.parse('{"__proto__": {"polluted": "yes"}, "constructor": {"prototype": {"polluted": "yes"}}, "s": "{\\"__proto__\\": {\\"polluted\\": \\"yes\\"}}", "arr": [1, "two", {"k": "v"}], "n": 5, "obj": {"a": {"b": "c"}}}');
  return { vars, env: { HOME: '/root', PATH: '/bin' }, tasks: { a: { outputs: { o: 'x', j: '{"constructor":{"prototype":{"polluted":1}}}' }, status: 'succeeded' } }, playbook: { dir: '/tmp', name: 'p', file: '/tmp/p.yaml' }, run: { id: 'r' } };
}

const atom = fc.oneof(
  fc.constantFrom('vars', 'env', 'tasks', 'playbook', 'run', 'vars.s', 'vars.arr', 'vars.obj', 'tasks.a.outputs.j', 'null', 'true', '1', '-0', "''", "'{0}{1}'", '"{\\"a\\":1}"', "'__proto__'", "'constructor'"),
  fc.string({ maxLength: 6 }).map((s) => `'${s.replace(/'/g, "''")}'`),
  fc.integer().map(String),
);
const exprText: fc.Arbitrary<string> = fc.letrec<{ e: string }>((tie) => ({
  e: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    atom,
    fc.tuple(tie('e'), fc.constantFrom(...HOSTILE_KEYS, 'a', 'b', 'o', 'j', 'k')).map(([o, k]) => (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(k) ? `${o}.${k}` : `${o}['${k}']`)),
    fc.tuple(tie('e'), tie('e')).map(([o, i]) => `${o}[${i}]`),
    fc.tuple(fc.constantFrom(...FUNCTION_NAMES, 'eval', 'require', 'constructor', 'toString'), fc.array(tie('e'), { maxLength: 3 })).map(([f, args]) => `${f}(${args.join(', ')})`),
    fc.tuple(tie('e'), tie('e'), fc.constantFrom('==', '!=', '<', '<=', '>', '>=', '&&', '||')).map(([a, b, op]) => `(${a} ${op} ${b})`),
    tie('e').map((a) => `!${a}`),
    tie('e').map((a) => `-${a}`),
  ),
})).e;

/** True when `v` is plain data (what JSON can hold), recursively. */
function isPlainData(v: unknown, depth = 0): boolean {
  if (v === undefined || v === null || ['string', 'number', 'boolean'].includes(typeof v)) return true;
  if (typeof v !== 'object' || depth > 50) return false;
  if (Array.isArray(v)) return v.every((x) => isPlainData(x, depth + 1));
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return false;
  return Object.values(v as object).every((x) => isPlainData(x, depth + 1));
}

describe('expression language: parser + evaluator', () => {
  const protoNames = () => [Object.getOwnPropertyNames(Object.prototype), Object.getOwnPropertyNames(Array.prototype), Object.getOwnPropertyNames(String.prototype), Object.getOwnPropertyNames(Function.prototype)].map((a) => a.sort().join());
  const before = protoNames();
  const watched = [
    [fs, ['openSync', 'readFileSync', 'readdirSync', 'writeFileSync', 'statSync', 'existsSync', 'readFile', 'open']],
    [childProcess, ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync']],
  ] as const;

  it(`generated expressions over hostile contexts (${RUNS.expressions} cases): only ExprError, only data, no prototype, global or filesystem`, () => {
    const spies = watched.flatMap(([mod, names]) => names.map((n) => vi.spyOn(mod as unknown as Record<string, (...a: unknown[]) => unknown>, n)));
    try {
      let evaluated = 0;
      fc.assert(
        fc.property(exprText, (src) => {
          let expr;
          try {
            expr = parseExpression(src);
          } catch (e) {
            expect(e, src).toBeInstanceOf(ExprError);
            return;
          }
          let v: unknown;
          try {
            v = evaluate(expr, hostileContext());
            evaluated++;
          } catch (e) {
            expect(e, `${src}: ${(e as Error)?.stack}`).toBeInstanceOf(ExprError);
            return;
          }
          expect(typeof v, src).not.toBe('function');
          expect(isPlainData(v), `${src} returned ${String(v)}`).toBe(true);
          expect(({} as Record<string, unknown>).polluted, src).toBeUndefined();
        }),
        params(RUNS.expressions),
      );
      expect(evaluated).toBeGreaterThan(RUNS.expressions / 4);
      for (const s of spies) expect(s, 'an expression touched the filesystem or spawned a process').not.toHaveBeenCalled();
    } finally {
      for (const s of spies) s.mockRestore();
    }
    expect(protoNames()).toEqual(before);
  });

  it(`templates with odd text around interpolations (${RUNS.templates} cases)`, () => {
    const piece = fc.oneof(fc.string({ maxLength: 5 }), fc.constantFrom('${{', '}}', '$${{', '${{ vars.s }}', "${{ format('{{0}}', 1) }}", '${{ fromJSON(vars.s) }}', "${{ toJSON(vars['__proto__']) }}", '${{ vars.constructor.prototype }}', '\n', '\r\n', '\uFEFF'), exprText.map((e) => `\${{ ${e} }}`));
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 8 }), (parts) => {
        const src = parts.join('');
        const { template, errors } = parseTemplate(src, { file: 'f', line: 1, col: 1 });
        for (const e of errors) expect(e).toBeInstanceOf(ExprError);
        if (errors.length) return;
        try {
          const v = evaluateTemplate(template, hostileContext());
          expect(isPlainData(v), src).toBe(true);
        } catch (e) {
          expect(e, `${src}: ${(e as Error)?.stack}`).toBeInstanceOf(ExprError);
        }
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      }),
      params(RUNS.templates),
    );
    expect(protoNames()).toEqual(before);
  });

  it('fromJSON / toJSON / format with __proto__ and constructor keep to plain data', () => {
    const ctx = hostileContext();
    const run = (src: string) => evaluate(parseExpression(src), ctx);
    const parsed = run('fromJSON(vars.s)') as Record<string, unknown>;
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
    expect(parsed.polluted).toBeUndefined();
    expect(run("fromJSON(vars.s).__proto__")).toBeUndefined();
    expect(run("fromJSON(vars.s)['__proto__'].polluted")).toBeUndefined();
    expect(run('fromJSON(tasks.a.outputs.j).constructor')).toBeUndefined();
    expect(run("toJSON(vars)")).toBe(JSON.stringify(ctx.vars));
    expect(run("format('{0}', vars.__proto__)")).toBe('');
    expect(run("toJSON(fromJSON(vars.s))")).toBe('{"__proto__":{"polluted":"yes"}}');
    expect(run("vars.s.length")).toBeUndefined();
    expect(run("vars.arr.length")).toBeUndefined();
    expect(() => run('constructor(1)')).toThrow(ExprError);
    expect(() => parseExpression('process.exit(1)')).toThrow(ExprError);
    expect(() => parseExpression('globalThis')).toThrow(ExprError);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
