/** Builds the model's tasks from the document, checking the shape of each task. */
import type { TaskKind } from '../../tasks/kind.js';
import type { Diagnostic } from './diagnostics.js';
import { parseDuration } from './duration.js';
import { canonicalJson, sha256 } from './hash.js';
import type { Check, OutputDef, TaskAction, TaskDef, Template } from './model.js';
import type { ShellTemplate } from '../shell/template.js';
import type { Path, SourceDoc } from './source.js';
import { didYouMean } from './suggest.js';
import { ALL_CONTEXTS, TemplateBuilder, type Scope } from './templates.js';

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/** Default wait before the first retry. */
export const DEFAULT_RETRY_DELAY_MS = 1000;

/** A task as built, plus what later checks need. */
export interface BuiltTask {
  def?: TaskDef;
  /** The kind named by `uses`, when it exists. */
  kind?: TaskKind;
  /** False when `uses` names no known kind (its outputs are then unknown). */
  outputsKnown: boolean;
}

/** The `needs` of a raw task as a list (a single id is accepted). */
export function needsOf(raw: Record<string, unknown>): string[] {
  if (typeof raw.needs === 'string') return [raw.needs];
  if (Array.isArray(raw.needs)) return raw.needs.filter((n): n is string => typeof n === 'string');
  return [];
}

/** Builds one task. Returns `def` undefined when the task has errors that prevent a model. */
export function buildTask(
  src: SourceDoc,
  id: string,
  raw: Record<string, unknown>,
  kinds: ReadonlyMap<string, TaskKind>,
  tb: TemplateBuilder,
  diags: Diagnostic[],
): BuiltTask {
  const base = ['tasks', id];
  const at = (...p: Array<string | number>): Path => [...base, ...p];
  const scope: Scope = { contexts: ALL_CONTEXTS, task: id };
  const before = diags.length;
  let ok = true;
  const need = <T>(v: T | undefined): T | undefined => {
    if (v === undefined) ok = false;
    return v;
  };

  // run XOR uses
  const hasRun = 'run' in raw;
  const hasUses = 'uses' in raw;
  if (hasRun && hasUses)
    diags.push(
      src.diag(at('uses'), 'key', `task \`${id}\` has both \`run\` and \`uses\`: a task runs a shell command or uses a task kind, not both`),
    );
  else if (!hasRun && !hasUses)
    diags.push(
      src.diag(base, 'key', `task \`${id}\` has neither \`run\` nor \`uses\``, {
        expected: '`run: <shell command>`, or `uses: <task kind>` with its `with:`',
      }),
    );
  if ('with' in raw && !hasUses)
    diags.push(src.diag(at('with'), 'key', `\`with\` in task \`${id}\` is only for tasks that \`uses\` a task kind`));

  let action: TaskAction | undefined;
  let kind: TaskKind | undefined;
  let outputsKnown = true;
  if (hasUses && typeof raw.uses === 'string') {
    kind = kinds.get(raw.uses);
    if (!kind) {
      outputsKnown = false;
      const names = [...kinds.keys()].sort();
      diags.push(
        src.diag(at('uses'), 'value', `unknown task kind \`${raw.uses}\` in task \`${id}\`${didYouMean(raw.uses, names)}`, {
          expected: names.length ? `one of ${names.map((n) => `\`${n}\``).join(', ')}` : 'a task kind',
        }),
      );
    }
    const w = tb.value(at('with'), raw.with ?? {}, scope);
    if (w) action = { kind: 'uses', uses: raw.uses, with: w, pos: src.pos(at('uses')) };
  } else if (hasRun && !hasUses && typeof raw.run === 'string') {
    const script = tb.shell(at('run'), raw.run, scope);
    if (script) action = { kind: 'shell', script };
  }

  // needs
  const needs = needsOf(raw);
  const needsPos = needs.map((_, i) => src.pos(typeof raw.needs === 'string' ? at('needs') : at('needs', i)));

  let when: Template | undefined;
  if (typeof raw.when === 'string' || typeof raw.when === 'boolean') when = need(tb.expression(at('when'), raw.when, scope));

  const preconditions: Check[] = [];
  if (Array.isArray(raw.preconditions))
    raw.preconditions.forEach((c, i) => {
      if (!isObject(c)) return;
      const p = at('preconditions', i);
      const msg = typeof c.msg === 'string' ? c.msg : undefined;
      const has = { run: 'run' in c, that: 'that' in c };
      if (has.run && has.that) {
        diags.push(src.diag([...p, 'that'], 'key', `precondition ${i + 1} of task \`${id}\` has both \`run\` and \`that\`; use one`));
        ok = false;
      } else if (!has.run && !has.that) {
        diags.push(
          src.diag(p, 'value', `precondition ${i + 1} of task \`${id}\` needs \`run\` (a command) or \`that\` (an expression)`, {
            expected: '{ run: <command>, msg: <message> } or { that: <expression>, msg: <message> }',
          }),
        );
        ok = false;
      } else if (has.run && typeof c.run === 'string') {
        const script = need(tb.shell([...p, 'run'], c.run, scope));
        if (script) preconditions.push(check({ kind: 'run', script, pos: src.pos([...p, 'run']) }, msg));
      } else if (has.that && (typeof c.that === 'string' || typeof c.that === 'boolean')) {
        const expr = need(tb.expression([...p, 'that'], c.that, scope));
        if (expr) preconditions.push(check({ kind: 'that', expr, pos: src.pos([...p, 'that']) }, msg));
      }
    });

  let unless: Check | undefined;
  if (typeof raw.unless === 'boolean') {
    const expr = need(tb.expression(at('unless'), raw.unless, scope));
    if (expr) unless = { kind: 'that', expr, pos: src.pos(at('unless')) };
  } else if (typeof raw.unless === 'string') {
    if (isSingleInterpolation(raw.unless)) {
      const expr = need(tb.expression(at('unless'), raw.unless, scope));
      if (expr) unless = { kind: 'that', expr, pos: src.pos(at('unless')) };
    } else {
      const script = need(tb.shell(at('unless'), raw.unless, scope));
      if (script) unless = { kind: 'run', script, pos: src.pos(at('unless')) };
    }
  }

  let undo: ShellTemplate | false | undefined;
  if (raw.undo === false) undo = false;
  else if (typeof raw.undo === 'string') undo = need(tb.shell(at('undo'), raw.undo, { ...scope, ownOutputs: true }));

  const env: Record<string, Template> = {};
  if (isObject(raw.env))
    for (const [k, v] of Object.entries(raw.env)) {
      if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') continue;
      const t = need(tb.template(at('env', k), String(v), scope));
      if (t) env[k] = t;
    }

  let cwd: Template | undefined;
  if (typeof raw.cwd === 'string') cwd = need(tb.template(at('cwd'), raw.cwd, scope));

  const timeoutMs = raw.timeout === undefined ? undefined : parseDuration(raw.timeout);
  const retryDelayMs = raw['retry-delay'] === undefined ? DEFAULT_RETRY_DELAY_MS : parseDuration(raw['retry-delay']);
  if (raw.timeout !== undefined && timeoutMs === undefined) ok = false;
  if (raw.timeout !== undefined && timeoutMs === 0)
    diags.push(src.diag(at('timeout'), 'value', `\`timeout\` of task \`${id}\` must be more than 0`));
  const retries = typeof raw.retries === 'number' && Number.isInteger(raw.retries) ? raw.retries : 0;

  const outputs: Record<string, OutputDef> = {};
  if (kind) {
    for (const [name, spec] of Object.entries(kind.outputs ?? {}))
      outputs[name] = { description: spec.description, secret: spec.secret === true };
    if ('outputs' in raw) {
      const declared = Object.keys(kind.outputs ?? {});
      diags.push(
        src.diag(at('outputs'), 'key', `task \`${id}\` uses task kind \`${kind.name}\`, which sets its own outputs; \`outputs\` is only for \`run\` tasks`, {
          hint: declared.length ? `\`${kind.name}\` sets ${declared.map((o) => `\`${o}\``).join(', ')}` : `\`${kind.name}\` sets no outputs`,
        }),
      );
    }
  } else if (Array.isArray(raw.outputs)) {
    for (const name of raw.outputs) if (typeof name === 'string') outputs[name] = { secret: false };
  } else if (isObject(raw.outputs)) {
    for (const [name, o] of Object.entries(raw.outputs)) {
      const d: OutputDef = { secret: isObject(o) && o.secret === true };
      if (isObject(o) && typeof o.description === 'string') d.description = o.description;
      outputs[name] = d;
    }
  }

  if (!ok || !action || diags.length > before) return { kind, outputsKnown };
  const def: TaskDef = {
    id,
    pos: src.pos(base, 'key'),
    needs,
    needsPos,
    preconditions,
    action,
    env,
    retries,
    retryDelayMs: retryDelayMs ?? DEFAULT_RETRY_DELAY_MS,
    outputs,
    hash: sha256(canonicalJson({ ...raw, needs })),
  };
  if (typeof raw.description === 'string') def.description = raw.description;
  if (when) def.when = when;
  if (unless) def.unless = unless;
  if (undo !== undefined) def.undo = undo;
  if (cwd) def.cwd = cwd;
  if (timeoutMs !== undefined) def.timeoutMs = timeoutMs;
  return { def, kind, outputsKnown };
}

function check<C extends Check>(c: C, msg: string | undefined): C {
  if (msg !== undefined) c.msg = msg;
  return c;
}

/** True when the whole string (trimmed) is one `${{ ... }}`. */
export function isSingleInterpolation(s: string): boolean {
  const t = s.trim();
  if (!t.startsWith('${{') || !t.endsWith('}}')) return false;
  // One interpolation only: no other `${{` after the first.
  return t.indexOf('${{', 3) < 0;
}
