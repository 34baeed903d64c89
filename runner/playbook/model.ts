/**
 * The playbook model: what the front end (load, schema, validate) produces and the engine
 * consumes. Every node keeps its source position so any later error can point at the file.
 */
import type { Expr } from '../expr/ast.js';
import type { ShellTemplate } from '../shell/template.js';

/** A 1-based position in a playbook file. */
export interface SourcePos {
  file: string;
  line: number;
  col: number;
}

/**
 * A string that may contain `${{ expr }}`. `parts` alternates text and expressions.
 * When the whole string is a single expression, `single` is that expression and evaluating
 * the template yields its typed value (not a string).
 */
export interface Template {
  source: string;
  pos: SourcePos;
  parts: Array<{ text: string } | { expr: Expr; source: string; offset: number }>;
  single?: Expr;
}

/** A value from `with:`: plain JSON where any string may be a {@link Template}. */
export type ValueTemplate =
  | { kind: 'literal'; value: unknown }
  | { kind: 'template'; template: Template }
  | { kind: 'array'; items: ValueTemplate[] }
  | { kind: 'object'; entries: Array<[string, ValueTemplate]> };

/** A var: a JSON Schema fragment plus the extras of the playbook format. */
export interface VarDef {
  /** The var's name; may be dotted (`cluster.name`), read as `vars.cluster.name`. */
  name: string;
  description?: string;
  /** The JSON Schema fragment (type, pattern, enum, minimum, ...) without the extras. */
  schema: Record<string, unknown>;
  /** Default value; a string default may be a template over other vars (`${{ vars.x }}-rg`). */
  default?: unknown;
  defaultTemplate?: Template;
  secret: boolean;
  /** Environment variable that supplies the value. */
  env?: string;
  /** False when the var may stay unset (its rule is then usually an `assert`). Default true. */
  required: boolean;
  /**
   * Custom question for the interactive prompt. When set, the var is asked for on interactive
   * runs even when it has a default (the default is offered); otherwise only vars that have no
   * value and no default are asked for.
   */
  prompt?: string;
  pos: SourcePos;
}

export interface AssertDef {
  that: Template;
  msg: string;
  pos: SourcePos;
}

/** A check: a shell command (`run`) or an expression (`that`). */
export type Check =
  | { kind: 'run'; script: ShellTemplate; msg?: string; pos: SourcePos }
  | { kind: 'that'; expr: Template; msg?: string; pos: SourcePos };

export interface OutputDef {
  description?: string;
  secret: boolean;
}

/** What a task does: a shell script, or a built-in kind with its `with`. */
export type TaskAction =
  | { kind: 'shell'; script: ShellTemplate }
  | { kind: 'uses'; uses: string; with: ValueTemplate; pos: SourcePos };

export interface TaskDef {
  id: string;
  pos: SourcePos;
  description?: string;
  needs: string[];
  /** Position of each entry of `needs`, same order. */
  needsPos: SourcePos[];
  when?: Template;
  preconditions: Check[];
  unless?: Check;
  action: TaskAction;
  /** `false`: no undo. Undefined: the kind's own undo (none for shell). */
  undo?: ShellTemplate | false;
  env: Record<string, Template>;
  cwd?: Template;
  timeoutMs?: number;
  retries: number;
  retryDelayMs: number;
  /** Declared outputs (shell tasks declare what they write to $BOOTSTRAP_OUTPUT; kinds bring theirs). */
  outputs: Record<string, OutputDef>;
  /** Hash of the definition as written (normalised), for resume's "unchanged definition". */
  hash: string;
}

export interface Playbook {
  /** Absolute path of the playbook file. */
  file: string;
  /** Absolute directory of the playbook file (`playbook.dir`). */
  dir: string;
  name: string;
  description?: string;
  /** In declaration order. */
  vars: Map<string, VarDef>;
  asserts: AssertDef[];
  /** In declaration order. */
  tasks: Map<string, TaskDef>;
  /** Ask for confirmation of the resolved vars before an interactive run. */
  confirm: boolean;
  /**
   * Top-level `outputs:` (a mapping of name to value; strings may be templates reading any
   * task's outputs and the vars), evaluated by `bootstrap status` from the journal.
   */
  outputs?: ValueTemplate;
  /** Hash of the whole file. */
  hash: string;
}
