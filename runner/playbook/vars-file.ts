/**
 * `--vars-file` (YAML or JSON, only ever parsed, never executed) and `--var k=v` arguments.
 * Positions of the keys of a vars file are kept beside its values so that a problem with a
 * value (unknown name, bad type) can point into the file.
 */
// Read synchronously: a few kB before anything runs, and node:fs/promises would load readline,
// directory and watcher modules at every start (~1-2 ms).
import { readFileSync } from 'node:fs';
import { isMap, isScalar } from 'yaml';
import type { Node } from 'yaml';
import { COMMAND_LINE, type Diagnostic } from './diagnostics.js';
import type { SourcePos } from './model.js';
import { parseYamlSource } from './source.js';

/** Where each key (dotted path) of a vars file is; attached to the values as a hidden property. */
export const VARS_FILE_POSITIONS: unique symbol = Symbol('vars-file-positions');

export type VarsFileValues = Record<string, unknown> & { [VARS_FILE_POSITIONS]?: Map<string, SourcePos> };

/** The positions recorded by {@link loadVarsFile}, if `values` came from it. */
export function varsFilePositions(values: Record<string, unknown> | undefined): Map<string, SourcePos> | undefined {
  return (values as VarsFileValues | undefined)?.[VARS_FILE_POSITIONS];
}

/**
 * Reads a vars file: a YAML (or JSON) mapping from var name to value; nested mappings are
 * flattened to dotted names by the resolver. Problems come back as diagnostics with positions.
 */
export async function loadVarsFile(file: string): Promise<{ values: VarsFileValues; diagnostics: Diagnostic[] }> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : (e as Error).message;
    return { values: {}, diagnostics: [{ file, line: 0, col: 0, severity: 'error', message: `cannot read the vars file: ${why}` }] };
  }
  try {
    const { source, diagnostics } = parseYamlSource(file, text);
    if (diagnostics.some((d) => d.severity === 'error')) return { values: {}, diagnostics };
    const data = source.data;
    if (data === null || data === undefined) return { values: {}, diagnostics };
    if (typeof data !== 'object' || Array.isArray(data)) {
      diagnostics.push({ file, line: 1, col: 1, severity: 'error', message: 'a vars file must be a mapping from var name to value' });
      return { values: {}, diagnostics };
    }
    const values = data as VarsFileValues;
    const positions = new Map<string, SourcePos>();
    const walk = (node: unknown, prefix: string) => {
      if (!isMap(node)) return;
      for (const pair of node.items) {
        const key = pair.key as Node | null;
        if (!isScalar(key) || !key.range) continue;
        const name = prefix ? `${prefix}.${String(key.value)}` : String(key.value);
        const p = source.posOf(key.range[0]);
        positions.set(name, { file, line: p.line, col: p.col });
        walk(pair.value, name);
      }
    };
    walk(source.doc.contents, '');
    Object.defineProperty(values, VARS_FILE_POSITIONS, { value: positions, enumerable: false });
    return { values, diagnostics };
  } catch (e) {
    return {
      values: {},
      diagnostics: [{ file, line: 0, col: 0, severity: 'error', message: `cannot read the vars file: ${e instanceof Error ? e.message : String(e)}` }],
    };
  }
}

/** Parses `--var name=value` arguments (split on the first `=`; a later one wins). */
export function parseVarArgs(args: readonly string[]): { values: Record<string, string>; diagnostics: Diagnostic[] } {
  const values: Record<string, string> = {};
  const diagnostics: Diagnostic[] = [];
  for (const arg of args) {
    const eq = arg.indexOf('=');
    if (eq <= 0) {
      diagnostics.push({
        file: COMMAND_LINE,
        line: 0,
        col: 0,
        severity: 'error',
        message: eq === 0 ? `--var ${arg}: the var name is missing` : `--var ${arg}: expected name=value`,
        expected: 'name=value, e.g. --var cluster.name=dev',
      });
      continue;
    }
    values[arg.slice(0, eq).trim()] = arg.slice(eq + 1);
  }
  return { values, diagnostics };
}

/** Dotted names to a nested object (`{'a.b': 1}` -> `{a: {b: 1}}`), for expression contexts. */
export function nestVars(flat: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(flat)) {
    if (value === undefined) continue;
    const parts = name.split('.');
    let cur = out;
    for (const p of parts.slice(0, -1)) {
      const next = Object.hasOwn(cur, p) ? cur[p] : undefined;
      if (!next || typeof next !== 'object' || Array.isArray(next)) define(cur, p, {});
      cur = cur[p] as Record<string, unknown>;
    }
    define(cur, parts[parts.length - 1]!, value);
  }
  return out;
}

/** Sets an own property, even for names like `__proto__`. */
function define(obj: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}
