/**
 * Loading a playbook: read, parse YAML with positions, check against the JSON Schema, check
 * the meaning (graph, kinds, expressions), and build the model. Every problem is reported at
 * once as a diagnostic; nothing here throws for bad input.
 */
// Read synchronously: a few kB before anything runs, and node:fs/promises would load readline,
// directory and watcher modules at every start (~1-2 ms).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { TaskKind } from '../../tasks/kind.js';
import { buildAsserts, buildVars } from './build-vars.js';
import { buildTask, needsOf } from './build-tasks.js';
import { checkNeeds, upstreamOf, type NeedsInfo } from './check-graph.js';
import { checkWith } from './check-kinds.js';
import { cycleText, findCycles } from './cycles.js';
import { expectedAt } from './describe.js';
import {
  dedupeDiagnostics,
  hasErrors,
  internalDiagnostic,
  sortDiagnostics,
  type Diagnostic,
} from './diagnostics.js';
import { sha256 } from './hash.js';
import type { Playbook, TaskDef } from './model.js';
import { buildOutputs } from './outputs.js';
import { checkReferences, type TaskInfo } from './references.js';
import { checkPlaybookSchema } from './schema.js';
import { translateAjvErrors } from './schema-errors.js';
import { parseYamlSource, type SourceDoc } from './source.js';
import { TemplateBuilder } from './templates.js';

export interface LoadOptions {
  /**
   * The registry of task kinds (`uses:`), or a loader for it that loadPlaybook calls only when
   * the file may use one (its code is then not loaded for playbooks of `run:` tasks only).
   */
  kinds: ReadonlyMap<string, TaskKind> | (() => Promise<ReadonlyMap<string, TaskKind>>);
}

const NO_KINDS: ReadonlyMap<string, TaskKind> = new Map();

/**
 * Whether a playbook's text may have a `uses:` key: it contains "uses", or a backslash (the
 * only way to spell a key "uses" without those letters is a double-quoted escape).
 */
export function mayUseKinds(text: string): boolean {
  return text.includes('uses') || text.includes('\\');
}

export interface LoadResult {
  /** The model; undefined when there is any error. */
  playbook?: Playbook;
  /** Every problem found, errors and warnings, sorted by position. */
  diagnostics: Diagnostic[];
  /** The file's text as read (for printing diagnostics), when it could be read. */
  source?: string;
}

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/** Loads and validates a playbook file. */
export async function loadPlaybook(file: string, opts: LoadOptions): Promise<LoadResult> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (e as Error).message;
    return { diagnostics: [{ file, line: 0, col: 0, severity: 'error', message: `cannot read the playbook: ${why}` }] };
  }
  const kinds = typeof opts.kinds === 'function' ? (mayUseKinds(text) ? await opts.kinds() : NO_KINDS) : opts.kinds;
  return { ...loadPlaybookText(file, text, { kinds }), source: text };
}

/**
 * Validates a playbook given as text (`file` names it in diagnostics and the model). Never
 * throws: an unexpected exception becomes a diagnostic too.
 */
export function loadPlaybookText(file: string, text: string, opts: { kinds: ReadonlyMap<string, TaskKind> }): Omit<LoadResult, 'source'> {
  try {
    return loadText(file, text, opts);
  } catch (e) {
    return { diagnostics: [internalDiagnostic(file, e, 'loading the playbook')] };
  }
}

function loadText(file: string, text: string, opts: { kinds: ReadonlyMap<string, TaskKind> }): Omit<LoadResult, 'source'> {
  const { source: src, diagnostics } = parseYamlSource(file, text);
  const done = () => ({ diagnostics: sortDiagnostics(dedupeDiagnostics(diagnostics)) });
  if (src.data === undefined && hasErrors(diagnostics)) return done();
  const data = src.data;
  if (!isObject(data)) {
    diagnostics.push({
      file,
      line: data == null ? 1 : src.span([]).line,
      col: 1,
      severity: 'error',
      message: data == null ? 'the playbook is empty' : 'the playbook must be a mapping',
      expected: expectedAt([]),
    });
    return done();
  }

  // Vars whose definition the schema rejected: their own checks would only repeat it.
  const badVars = new Set<string>();
  translateAjvErrors(checkPlaybookSchema(data), {
    data,
    base: [],
    expected: expectedAt,
    dropRequiredAlternatives: true,
    report: (p, part, message, extra) => {
      if (p[0] === 'vars' && typeof p[1] === 'string') badVars.add(p[1]);
      diagnostics.push(src.diag(p, part, message, extra));
    },
  });

  const model = checkAndBuild(src, data, opts, diagnostics, badVars);
  const result = done();
  if (hasErrors(result.diagnostics) || !model) return result;
  return { ...result, playbook: model };
}

/** The semantic checks and the model; defensive about anything the schema already rejected. */
function checkAndBuild(
  src: SourceDoc,
  data: Record<string, unknown>,
  opts: { kinds: ReadonlyMap<string, TaskKind> },
  diags: Diagnostic[],
  badVars: ReadonlySet<string>,
): Playbook | undefined {
  const tb = new TemplateBuilder(src, diags);
  const vars = buildVars(src, data.vars, tb, diags, badVars);
  const asserts = buildAsserts(src, data.assert, tb);

  const rawTasks = isObject(data.tasks) ? data.tasks : {};
  const needsInfo = new Map<string, NeedsInfo>();
  for (const [id, raw] of Object.entries(rawTasks))
    if (isObject(raw)) needsInfo.set(id, { needs: needsOf(raw), single: typeof raw.needs === 'string' });
  checkNeeds(src, needsInfo, diags);
  const upstream = upstreamOf(new Map([...needsInfo].map(([id, n]) => [id, n.needs])));

  const tasks = new Map<string, TaskDef>();
  const infos = new Map<string, TaskInfo>();
  let complete = true;
  for (const [id, raw] of Object.entries(rawTasks)) {
    if (!isObject(raw)) {
      complete = false;
      continue;
    }
    const built = buildTask(src, id, raw, opts.kinds, tb, diags);
    if (built.kind && 'uses' in raw && !('run' in raw)) checkWith(src, id, built.kind, raw.with, diags);
    const info: TaskInfo = {
      get upstream() {
        return upstream(id);
      },
    };
    if (built.kind) {
      info.kind = built.kind.name;
      info.outputs = new Set(Object.keys(built.kind.outputs ?? {}));
    } else if (built.outputsKnown) {
      info.outputs = new Set(declaredOutputs(raw.outputs));
    }
    infos.set(id, info);
    if (built.def) tasks.set(id, built.def);
    else complete = false;
  }

  // Built before the reference check, so what the outputs read is checked (and counts as used).
  const outputs = buildOutputs(data.outputs, tb);

  const refs = checkReferences(src, tb.uses, { vars: new Set(vars.keys()), tasks: infos }, diags);

  // Var defaults that read each other in a circle can never be evaluated.
  const varEdges = new Map([...vars.keys()].map((v) => [v, refs.varDeps.get(v) ?? []]));
  for (const cycle of findCycles(varEdges))
    diags.push(src.diag(['vars', cycle[0]!, 'default'], 'value', `var defaults form a cycle: ${cycleText(cycle)}`));
  for (const [v, deps] of varEdges)
    if (deps.includes(v)) diags.push(src.diag(['vars', v, 'default'], 'value', `the default of var \`${v}\` reads itself`));

  for (const name of vars.keys())
    if (!refs.usedVars.has(name) && !badVars.has(name))
      diags.push(src.diag(['vars', name], 'key', `var \`${name}\` is declared but never used`, { severity: 'warning' }));

  if (!complete || typeof data.name !== 'string') return undefined;
  const abs = path.resolve(src.file);
  const playbook: Playbook = {
    file: abs,
    dir: path.dirname(abs),
    name: data.name,
    vars,
    asserts,
    tasks,
    confirm: data.confirm === true,
    hash: sha256(src.text),
  };
  if (typeof data.description === 'string') playbook.description = data.description;
  if (outputs) playbook.outputs = outputs;
  return playbook;
}

function declaredOutputs(raw: unknown): string[] {
  if (Array.isArray(raw)) return raw.filter((x): x is string => typeof x === 'string');
  if (isObject(raw)) return Object.keys(raw);
  return [];
}
