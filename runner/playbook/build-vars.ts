/** Builds the model's vars and asserts from the document, with the checks that concern them. */
import type { Diagnostic } from './diagnostics.js';
import type { AssertDef, VarDef } from './model.js';
import type { SourceDoc } from './source.js';
import { TemplateBuilder, VAR_CONTEXTS } from './templates.js';
import { describeVarErrors, inferType, varValidator } from './var-schema.js';

const EXTRAS = new Set(['description', 'default', 'secret', 'env', 'required', 'prompt']);

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/** The vars, in declaration order. Problems are pushed to `diags`. */
export function buildVars(
  src: SourceDoc,
  raw: unknown,
  tb: TemplateBuilder,
  diags: Diagnostic[],
  /** Vars the schema check already reported: their fragment is not compiled again. */
  badVars: ReadonlySet<string> = new Set(),
): Map<string, VarDef> {
  const vars = new Map<string, VarDef>();
  if (!isObject(raw)) return vars;
  for (const [name, v] of Object.entries(raw)) {
    if (!isObject(v)) continue; // reported by the schema
    const path = ['vars', name];
    const schema: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (!EXTRAS.has(k)) schema[k] = x;
    schema.type = inferType(v);
    const def: VarDef = {
      name,
      schema,
      secret: v.secret === true,
      required: v.required !== false,
      pos: src.pos(path, 'key'),
    };
    if (typeof v.description === 'string') def.description = v.description;
    if (typeof v.env === 'string') def.env = v.env;
    if (typeof v.prompt === 'string') def.prompt = v.prompt;
    if (v.default !== undefined) def.default = v.default;
    vars.set(name, def);

    let validate: ReturnType<typeof varValidator> | undefined;
    try {
      if (!badVars.has(name)) validate = varValidator(def);
    } catch (e) {
      diags.push(
        src.diag(path, 'key', `invalid schema for var \`${name}\`: ${e instanceof Error ? e.message : String(e)}`),
      );
    }
    if (typeof v.default === 'string' && v.default.includes('${{')) {
      const scope = { contexts: VAR_CONTEXTS, where: 'in var defaults', varName: name };
      const t = tb.template([...path, 'default'], v.default, scope);
      if (t) def.defaultTemplate = t;
    } else if (v.default !== undefined && validate && !validate(v.default)) {
      const expected = describeVarErrors(validate.errors ?? []);
      diags.push(
        src.diag([...path, 'default'], 'value', `invalid default for var \`${name}\`: expected ${expected}, got ${JSON.stringify(v.default)}`, {
          expected,
        }),
      );
    }
  }
  // `a` and `a.b` cannot both be vars: `vars.a` would be both a value and a group.
  const names = [...vars.keys()];
  for (const name of names) {
    const parts = name.split('.');
    for (let k = 1; k < parts.length; k++) {
      const prefix = parts.slice(0, k).join('.');
      if (vars.has(prefix)) {
        diags.push(
          src.diag(
            ['vars', name],
            'key',
            `var \`${name}\` conflicts with var \`${prefix}\`: \`vars.${prefix}\` cannot be both a value and a group of vars`,
            { hint: `rename one of them (e.g. \`${prefix}.value\`)` },
          ),
        );
        break;
      }
    }
  }
  return vars;
}

/** The assert rules. */
export function buildAsserts(src: SourceDoc, raw: unknown, tb: TemplateBuilder): AssertDef[] {
  const out: AssertDef[] = [];
  if (!Array.isArray(raw)) return out;
  raw.forEach((a, i) => {
    if (!isObject(a)) return;
    const path = ['assert', i, 'that'];
    if (typeof a.that !== 'string' && typeof a.that !== 'boolean') return;
    const that = tb.expression(path, a.that, { contexts: VAR_CONTEXTS, where: 'in assert rules' });
    if (that) out.push({ that, msg: typeof a.msg === 'string' ? a.msg : 'assertion failed', pos: src.pos(path) });
  });
  return out;
}
