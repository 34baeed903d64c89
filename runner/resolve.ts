/**
 * Evaluation of a playbook's templates against the run's state, with secret tracking.
 *
 * A value is secret when its expression reads a secret var, a secret output, or a credential
 * environment variable. Secret values are registered with the masker and journalled only as a
 * reference (the expression text), which undo evaluates again with freshly resolved secrets.
 */
import { evaluate, references, stringify } from './expr/index.js';
import type { Expr } from './expr/ast.js';
import type { SecretRef } from './journal.js';
import type { Template, ValueTemplate } from './playbook/model.js';
import type { Masker } from './secrets.js';
import { CREDENTIAL_ENV_VARS } from './secrets.js';
import { renderShell } from './shell/index.js';
import type { ShellTemplate } from './shell/template.js';

/** The expression contexts. `vars` is nested (dotted names expanded). */
export interface EvalContext {
  vars: Record<string, unknown>;
  env: Record<string, string | undefined>;
  tasks: Record<string, { outputs: Record<string, unknown>; status: string }>;
  playbook: { dir: string; name: string; file: string };
  run: { id: string };
}

/** Which vars and outputs are secret. */
export interface SecretIndex {
  /** Dotted names of secret vars. */
  vars: ReadonlySet<string>;
  /** `task.output` names of secret outputs. */
  outputs: ReadonlySet<string>;
}

export function isSecretRef(v: unknown): v is SecretRef {
  return typeof v === 'object' && v !== null && typeof (v as SecretRef).$secret === 'string';
}

const credentialEnv = new Set<string>(CREDENTIAL_ENV_VARS);

/** True when evaluating `expr` may read a secret. */
export function readsSecret(expr: Expr, secrets: SecretIndex): boolean {
  for (const ref of references(expr)) {
    const [ctx, ...rest] = ref.path;
    if (ctx === 'vars') {
      if (rest.length === 0) return secrets.vars.size > 0;
      const name = rest.join('.');
      for (const s of secrets.vars) {
        // Reading the secret itself, something inside it, or an object that contains it.
        if (s === name || name.startsWith(s + '.') || s.startsWith(name + '.')) return true;
      }
    } else if (ctx === 'tasks') {
      const [task, field, out] = rest;
      if (field === 'outputs' && task !== undefined) {
        if (out === undefined) {
          for (const s of secrets.outputs) if (s.startsWith(task + '.')) return true;
        } else if (secrets.outputs.has(`${task}.${out}`)) return true;
      } else if (task === undefined || field === undefined) {
        if (secrets.outputs.size > 0) return true;
      }
    } else if (ctx === 'env') {
      if (rest.length === 0 || credentialEnv.has(rest[0])) return true;
    }
  }
  return false;
}

export interface Resolved<T> {
  value: T;
  /** The form safe to journal: secrets replaced by references. */
  journal: unknown;
  secret: boolean;
}

/** Evaluates templates against one context. */
export class Resolver {
  constructor(
    readonly ctx: EvalContext,
    private readonly secrets: SecretIndex,
    private readonly masker?: Masker,
  ) {}

  /** `strict`: inside a field a kind declares secret, anything read from `env` is secret too. */
  private evalExpr(expr: Expr, strict = false): { value: unknown; secret: boolean } {
    const value = evaluate(expr, this.ctx as unknown as Record<string, unknown>);
    const secret = readsSecret(expr, this.secrets) || (strict && references(expr).some((r) => r.path[0] === 'env'));
    if (secret) this.registerSecret(value);
    return { value, secret };
  }

  private registerSecret(value: unknown): void {
    if (!this.masker) return;
    if (typeof value === 'string' || typeof value === 'number') this.masker.add(String(value));
    else if (value && typeof value === 'object') for (const v of Object.values(value)) this.registerSecret(v);
  }

  /** A string template: typed when it is a single expression, else a string. */
  template(t: Template, strict = false): Resolved<unknown> {
    if (t.single) {
      const { value, secret } = this.evalExpr(t.single, strict);
      return { value, secret, journal: secret ? { $secret: t.source } : value };
    }
    let out = '';
    let secret = false;
    for (const p of t.parts) {
      if ('text' in p) out += p.text;
      else {
        const r = this.evalExpr(p.expr, strict);
        secret ||= r.secret;
        out += stringify(r.value);
      }
    }
    return { value: out, secret, journal: secret ? { $secret: t.source } : out };
  }

  /** A string template, stringified. */
  text(t: Template): Resolved<string> {
    const r = this.template(t);
    return { ...r, value: stringify(r.value) };
  }

  /**
   * A `with:` value tree. `secretFields` are the dotted paths a kind declares secret (below them,
   * values read from `env` count as secret).
   */
  value(v: ValueTemplate, secretFields: readonly string[] = [], path = ''): Resolved<unknown> {
    const strict = secretFields.some((f) => path === f || path.startsWith(f + '.'));
    switch (v.kind) {
      case 'literal':
        return { value: v.value, journal: v.value, secret: false };
      case 'template':
        return this.template(v.template, strict);
      case 'array': {
        const items = v.items.map((i, n) => this.value(i, secretFields, path ? `${path}.${n}` : String(n)));
        return { value: items.map((i) => i.value), journal: items.map((i) => i.journal), secret: items.some((i) => i.secret) };
      }
      case 'object': {
        const value: Record<string, unknown> = {};
        const journal: Record<string, unknown> = {};
        let secret = false;
        for (const [k, e] of v.entries) {
          const r = this.value(e, secretFields, path ? `${path}.${k}` : k);
          value[k] = r.value;
          journal[k] = r.journal;
          secret ||= r.secret;
        }
        return { value, journal, secret };
      }
    }
  }

  /** A shell template: the script to run, its bindings, and the journal form of each value. */
  shell(t: ShellTemplate): {
    script: string;
    env: Record<string, string>;
    values: string[];
    secretMask: boolean[];
    journal: Array<string | SecretRef>;
  } {
    const values: string[] = [];
    const secretMask: boolean[] = [];
    const journal: Array<string | SecretRef> = [];
    for (const p of t.parts) {
      if ('text' in p) continue;
      const r = this.evalExpr(p.expr);
      const s = stringify(r.value);
      values.push(s);
      secretMask.push(r.secret);
      journal.push(r.secret ? { $secret: p.source } : s);
    }
    const rendered = renderShell(t, values);
    return { script: rendered.script, env: rendered.env, values, secretMask, journal };
  }
}

/** Replace secret references in a journalled value by evaluating them in `resolver`'s context. */
export function rehydrate(value: unknown, evalRef: (source: string) => unknown): unknown {
  if (isSecretRef(value)) return evalRef(value.$secret);
  if (Array.isArray(value)) return value.map((v) => rehydrate(v, evalRef));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = rehydrate(v, evalRef);
    return out;
  }
  return value;
}
