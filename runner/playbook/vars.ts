/**
 * Resolution of var values for a run. Highest first: `--var`, `--vars-file`, the var's `env`,
 * an interactive prompt, `default` (templates over other vars evaluated in dependency order).
 * Every value is converted to the var's type and validated against its schema fragment; then
 * the `assert` rules are evaluated.
 */
import { evaluateTemplate, ExprError, references, truthy } from '../expr/index.js';
import { coerceText } from './coerce.js';
import { COMMAND_LINE, type Diagnostic } from './diagnostics.js';
import type { Playbook, SourcePos, VarDef } from './model.js';
import { varsRead } from './references.js';
import { didYouMean } from './suggest.js';
import { describeVarErrors, varValidator } from './var-schema.js';
import { nestVars, varsFilePositions } from './vars-file.js';

export { loadVarsFile, nestVars, parseVarArgs, VARS_FILE_POSITIONS } from './vars-file.js';

export type VarSource = 'cli' | 'file' | 'env' | 'prompt' | 'default' | 'unset';

/** What the prompt is told besides the var: the default it would get, and why it is asked again. */
export interface PromptInfo {
  /** The value the var gets if the answer is empty. */
  default?: unknown;
  /** Why the previous answer was refused. */
  error?: string;
}

/** Asks for a var's value; undefined or '' means "no answer" (the default, if any, applies). */
export type PromptFn = (v: VarDef, info?: PromptInfo) => Promise<string | undefined>;

export interface VarsInput {
  /** `--var` values (from {@link parseVarArgs}). */
  cli: Record<string, string>;
  /** `--vars-file` values (from {@link loadVarsFile}): typed, nested or dotted names. */
  file?: Record<string, unknown>;
  env: NodeJS.ProcessEnv;
  prompt?: PromptFn;
  /** A terminal is attached and `--non-interactive` is not set. */
  interactive: boolean;
  /** When not interactive, how the user could be asked instead (ends the missing-var message). */
  noPrompt?: string;
  /** Whether a required var without a value is an error (default true; `validate` passes false). */
  requireValues?: boolean;
}

export interface ResolvedVars {
  /** Values by (dotted) var name; unset vars are absent. */
  values: Record<string, unknown>;
  /** Names of secret vars. */
  secrets: Set<string>;
  sources: Record<string, VarSource>;
  diagnostics: Diagnostic[];
}

/** How many times a refused prompt answer is asked again. */
const PROMPT_ATTEMPTS = 3;

const SOURCE_TEXT: Record<VarSource, string> = {
  cli: 'from --var',
  file: 'from --vars-file',
  env: 'from the environment',
  prompt: 'entered at the prompt',
  default: 'from its default',
  unset: '',
};

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

function diagAt(pos: SourcePos, message: string, extra: Partial<Diagnostic> = {}): Diagnostic {
  return { file: pos.file, line: pos.line, col: pos.col, severity: 'error', message, ...extra };
}

function typeOf(def: VarDef): string {
  return typeof def.schema.type === 'string' ? def.schema.type : 'string';
}

/** Converts (text) and validates a value for a var; returns the value or the reason. */
function accept(def: VarDef, raw: unknown, text: boolean): { ok: true; value: unknown } | { ok: false; expected: string } {
  let value = raw;
  const type = typeOf(def);
  if (typeof raw === 'string' && (text || type !== 'string')) {
    const c = coerceText(raw, type);
    if (!c.ok) return c;
    value = c.value;
  }
  let validate;
  try {
    validate = varValidator(def);
  } catch (e) {
    return { ok: false, expected: `a valid schema for the var (${e instanceof Error ? e.message : String(e)})` };
  }
  if (!validate(value)) return { ok: false, expected: describeVarErrors(validate.errors ?? []) };
  return { ok: true, value };
}

function shown(def: VarDef, raw: unknown): string {
  if (def.secret) return '';
  const s = typeof raw === 'string' ? JSON.stringify(raw) : JSON.stringify(raw) ?? String(raw);
  return `, got ${s.length > 60 ? s.slice(0, 57) + '...' : s}`;
}

/** A diagnostic at a position; at a var's declaration the span covers its name. */
function varDiag(def: VarDef, pos: SourcePos, message: string): Diagnostic {
  const d = diagAt(pos, message);
  if (pos === def.pos) Object.assign(d, { endLine: pos.line, endCol: pos.col + def.name.length });
  return d;
}

function invalid(def: VarDef, source: VarSource, raw: unknown, expected: string, pos: SourcePos): Diagnostic {
  const from = source === 'env' && def.env ? `from the environment variable ${def.env}` : SOURCE_TEXT[source];
  const d = varDiag(def, pos, `invalid value for var \`${def.name}\` ${from}: expected ${expected}${shown(def, raw)}`);
  return def.secret ? { ...d, sensitive: true } : d;
}

/** Flattens vars-file values to declared (dotted) names; reports unknown names. */
function flattenFile(
  file: Record<string, unknown>,
  vars: ReadonlyMap<string, VarDef>,
  positions: Map<string, SourcePos> | undefined,
  diags: Diagnostic[],
): Map<string, unknown> {
  const out = new Map<string, unknown>();
  const names = [...vars.keys()];
  // Suggestions include groups (`cluster` for `cluster.name`), since a file nests them.
  const suggestions = new Set(names.flatMap((n) => n.split('.').map((_, i, parts) => parts.slice(0, i + 1).join('.'))));
  const walk = (obj: Record<string, unknown>, prefix: string) => {
    for (const [k, v] of Object.entries(obj)) {
      const name = prefix ? `${prefix}.${k}` : k;
      if (vars.has(name)) out.set(name, v);
      else if (isObject(v) && names.some((n) => n.startsWith(name + '.'))) walk(v, name);
      else {
        const pos = positions?.get(name) ?? { file: '--vars-file', line: 0, col: 0 };
        diags.push(diagAt(pos, `unknown var \`${name}\` in the vars file${didYouMean(name, suggestions)}`));
      }
    }
  };
  walk(file, '');
  return out;
}

function unknownCli(name: string, vars: ReadonlyMap<string, VarDef>): Diagnostic {
  return {
    file: COMMAND_LINE,
    line: 0,
    col: 0,
    severity: 'error',
    message: `--var ${name}: unknown var \`${name}\`${didYouMean(name, vars.keys())}`,
    hint: vars.size ? `the playbook's vars: ${[...vars.keys()].join(', ')}` : 'the playbook declares no vars',
  };
}

/**
 * Checks `--var` values against the playbook without requiring any (for `bootstrap validate`):
 * unknown names, conversion and schema.
 */
export function checkGivenVars(playbook: Playbook, cli: Record<string, string>): Diagnostic[] {
  const diags: Diagnostic[] = [];
  for (const [name, raw] of Object.entries(cli)) {
    const def = playbook.vars.get(name);
    if (!def) {
      diags.push(unknownCli(name, playbook.vars));
      continue;
    }
    const r = accept(def, raw, true);
    if (!r.ok) diags.push(invalid(def, 'cli', raw, r.expected, def.pos));
  }
  return diags;
}

function missingMessage(def: VarDef, interactive: boolean, noPrompt = 'or run interactively on a terminal'): string {
  const ways = [`with --var ${def.name}=...`, 'in a --vars-file'];
  if (def.env) ways.push(`with the environment variable ${def.env}`);
  if (!interactive) ways.push(noPrompt);
  else ways[ways.length - 1] = `or ${ways[ways.length - 1]}`;
  const what = def.description ? ` (${def.description})` : '';
  return `missing value for var \`${def.name}\`${what}. Set it ${ways.join(', ')}`;
}

/** Resolves every var of the playbook, then checks the `assert` rules. */
export async function resolveVars(playbook: Playbook, input: VarsInput): Promise<ResolvedVars> {
  const vars = playbook.vars;
  const diagnostics: Diagnostic[] = [];
  const values: Record<string, unknown> = {};
  const sources: Record<string, VarSource> = {};
  const secrets = new Set([...vars.values()].filter((v) => v.secret).map((v) => v.name));
  /** Vars that have no usable value (missing or invalid): rules reading them are not checked. */
  const broken = new Set<string>();
  const requireValues = input.requireValues ?? true;
  const envRecord: Record<string, string | undefined> = { ...input.env };
  const playbookCtx = { dir: playbook.dir, name: playbook.name, file: playbook.file };

  for (const name of Object.keys(input.cli)) if (!vars.has(name)) diagnostics.push(unknownCli(name, vars));
  const positions = varsFilePositions(input.file);
  const fromFile = input.file ? flattenFile(input.file, vars, positions, diagnostics) : new Map<string, unknown>();

  const state = new Map<string, 'busy' | 'done'>();
  const set = (def: VarDef, value: unknown, source: VarSource) => {
    values[def.name] = value;
    sources[def.name] = source;
  };

  const defaultOf = async (def: VarDef): Promise<{ value: unknown } | { error: Diagnostic } | undefined> => {
    if (def.defaultTemplate) {
      for (const part of def.defaultTemplate.parts)
        if ('expr' in part)
          for (const ref of references(part.expr))
            if (ref.path[0] === 'vars') for (const dep of varsRead(ref.path.slice(1), new Set(vars.keys())) ?? []) await resolve(dep);
      try {
        return { value: evaluateTemplate(def.defaultTemplate, { vars: nestVars(values), env: envRecord, playbook: playbookCtx }) };
      } catch (e) {
        const msg = e instanceof ExprError ? e.message : e instanceof Error ? e.message : String(e);
        return { error: diagAt(def.defaultTemplate.pos, `cannot evaluate the default of var \`${def.name}\`: ${msg}`) };
      }
    }
    return def.default === undefined ? undefined : { value: def.default };
  };

  async function resolve(name: string): Promise<void> {
    const def = vars.get(name);
    if (!def || state.has(name)) return; // busy: a default cycle, reported by the loader
    state.set(name, 'busy');
    try {
      await resolveOne(def);
    } finally {
      state.set(name, 'done');
    }
  }

  async function resolveOne(def: VarDef): Promise<void> {
    const name = def.name;
    const take = (raw: unknown, source: VarSource, text: boolean, pos: SourcePos): boolean => {
      const r = accept(def, raw, text);
      if (r.ok) set(def, r.value, source);
      else {
        diagnostics.push(invalid(def, source, raw, r.expected, pos));
        broken.add(name);
      }
      return true;
    };
    if (Object.hasOwn(input.cli, name)) return void take(input.cli[name], 'cli', true, def.pos);
    if (fromFile.has(name)) return void take(fromFile.get(name), 'file', false, positions?.get(name) ?? def.pos);
    const envValue = def.env ? input.env[def.env] : undefined;
    if (envValue !== undefined && envValue !== '') return void take(envValue, 'env', true, def.pos);

    const hasDefault = def.default !== undefined;
    if (input.interactive && input.prompt && ((!hasDefault && def.required) || def.prompt !== undefined)) {
      const d = await defaultOf(def);
      const info: PromptInfo = {};
      if (d && 'value' in d) info.default = d.value;
      for (let attempt = 1; attempt <= PROMPT_ATTEMPTS; attempt++) {
        const answer = await input.prompt(def, { ...info });
        if (answer === undefined || answer === '') break;
        const r = accept(def, answer, true);
        if (r.ok) return set(def, r.value, 'prompt');
        info.error = `expected ${r.expected}`;
        if (attempt === PROMPT_ATTEMPTS) {
          diagnostics.push(invalid(def, 'prompt', answer, r.expected, def.pos));
          broken.add(name);
          return;
        }
      }
    }

    const d = await defaultOf(def);
    if (d && 'error' in d) {
      diagnostics.push(d.error);
      broken.add(name);
      return;
    }
    if (d) {
      // A template default is text unless it is a single expression; convert it like input.
      const r = accept(def, d.value, false);
      if (r.ok) return set(def, r.value, 'default');
      diagnostics.push(invalid(def, 'default', d.value, r.expected, def.defaultTemplate?.pos ?? def.pos));
      broken.add(name);
      return;
    }
    sources[name] = 'unset';
    if (def.required) {
      broken.add(name);
      if (requireValues) diagnostics.push(varDiag(def, def.pos, missingMessage(def, input.interactive, input.noPrompt)));
    }
  }

  for (const name of vars.keys()) await resolve(name);

  // Assert rules, with every value known; a rule that reads a var without a usable value is skipped.
  const ctx = { vars: nestVars(values), env: envRecord, playbook: playbookCtx };
  const names = new Set(vars.keys());
  for (const a of playbook.asserts) {
    const reads = a.that.parts.flatMap((p) =>
      'expr' in p ? references(p.expr).flatMap((r) => (r.path[0] === 'vars' ? varsRead(r.path.slice(1), names) ?? [] : [])) : [],
    );
    if (reads.some((v) => broken.has(v))) continue;
    try {
      if (!truthy(evaluateTemplate(a.that, ctx))) diagnostics.push(diagAt(a.pos, a.msg, { hint: `rule: ${a.that.source}` }));
    } catch (e) {
      diagnostics.push(diagAt(a.pos, `cannot evaluate assert rule: ${e instanceof Error ? e.message : String(e)}`));
    }
  }
  return { values, secrets, sources, diagnostics };
}
