/**
 * The playbook's top-level `outputs:`: a mapping from name to a value whose strings may be
 * `${{ }}` templates (nested mappings and lists allowed). They summarise what a run set up
 * (names, URLs, what was created) and are evaluated by `bootstrap status` from the journal:
 * the latest run's task outputs and its journalled vars.
 *
 * Two ways in: {@link buildOutputs} builds and checks them with the rest of the playbook (the
 * reference checker sees every expression: unknown vars, tasks or outputs are errors; any
 * task may be read, no `needs` is involved); {@link readOutputsLeniently} +
 * {@link evaluateOutputs} are for `status`, which must work even when the playbook file has
 * since changed or no longer validates: whatever cannot be parsed or evaluated becomes `null`.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { evaluate, parseTemplate, stringify } from '../expr/index.js';
import type { Template, ValueTemplate } from './model.js';
import { ALL_CONTEXTS, TemplateBuilder, type Scope } from './templates.js';

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/** Where outputs are read from: every context; any task, with no `needs` constraint. */
export const OUTPUTS_SCOPE: Scope = { contexts: ALL_CONTEXTS, where: 'in playbook outputs' };

/**
 * Builds the `outputs:` section of a playbook (already schema-checked as a mapping). Undefined
 * when absent or when a template has errors (reported through `tb`).
 */
export function buildOutputs(raw: unknown, tb: TemplateBuilder): ValueTemplate | undefined {
  if (!isObject(raw)) return undefined;
  return tb.value(['outputs'], raw, OUTPUTS_SCOPE);
}

/** What the outputs are evaluated against (the `EvalContext` shape, built from the journal). */
export interface OutputsContext {
  vars: Record<string, unknown>;
  env: Record<string, string | undefined>;
  tasks: Record<string, { outputs: Record<string, unknown>; status: string }>;
  playbook: { dir: string; name: string; file: string };
  run: { id: string };
}

/**
 * The raw `outputs:` mapping of a playbook file, read without validating the rest of it.
 * Undefined when the file is gone, is not YAML, or has no `outputs` mapping.
 */
export function readOutputsLeniently(file: string): Record<string, unknown> | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const doc: unknown = parse(text, { maxAliasCount: 100, uniqueKeys: false });
    return isObject(doc) && isObject(doc.outputs) ? doc.outputs : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Evaluates a raw `outputs:` value: each string with `${{ }}` is a template (a whole-string
 * expression keeps its type), other values are literal. A missing value, a template that does
 * not parse and an evaluation error all give `null`; nothing throws.
 */
export function evaluateOutputs(raw: unknown, ctx: OutputsContext): unknown {
  if (typeof raw === 'string') return raw.includes('${{') ? evalString(raw, ctx) : raw;
  if (Array.isArray(raw)) return raw.map((v) => evaluateOutputs(v, ctx));
  if (isObject(raw)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(raw)) Object.defineProperty(out, k, { value: evaluateOutputs(v, ctx), enumerable: true, writable: true, configurable: true });
    return out;
  }
  return raw === undefined ? null : raw;
}

function evalString(src: string, ctx: OutputsContext): unknown {
  const { template, errors } = parseTemplate(src, { file: '', line: 0, col: 0 });
  if (errors.length) return null;
  try {
    return evalTemplate(template, ctx as unknown as Record<string, unknown>);
  } catch {
    return null;
  }
}

function evalTemplate(t: Template, ctx: Record<string, unknown>): unknown {
  if (t.single) return evaluate(t.single, ctx) ?? null;
  let out = '';
  for (const p of t.parts) {
    if ('text' in p) out += p.text;
    else {
      const v = evaluate(p.expr, ctx);
      if (v === undefined || v === null) return null;
      out += stringify(v);
    }
  }
  return out;
}

/**
 * `key.path: value` lines for a human summary of evaluated outputs (nested mappings flattened,
 * lists and scalars printed as compact JSON, strings as they are).
 */
export function flattenOutputs(value: unknown, prefix = ''): Array<[string, string]> {
  if (isObject(value)) {
    const rows: Array<[string, string]> = [];
    for (const [k, v] of Object.entries(value)) rows.push(...flattenOutputs(v, prefix ? `${prefix}.${k}` : k));
    return rows;
  }
  return [[prefix, typeof value === 'string' ? value : JSON.stringify(value ?? null)]];
}
