/** Checks a task's `with` against its kind: the kind's JSON Schema, then its own `validate`. */
import type { TaskKind } from '../../tasks/kind.js';
import { compileForeign } from './ajv.js';
import { describeValue } from './describe.js';
import type { Diagnostic } from './diagnostics.js';
import { translateAjvErrors } from './schema-errors.js';
import type { Path, SourceDoc } from './source.js';
import { containsTemplate } from './templates.js';

/** Pushes a diagnostic for each problem of `with` in task `id`. */
export function checkWith(src: SourceDoc, id: string, kind: TaskKind, withValue: unknown, diags: Diagnostic[]): void {
  const base: Path = ['tasks', id, 'with'];
  const name = (p: Path) => {
    const rel = p.slice(base.length);
    let s = 'with';
    for (const seg of rel) s += typeof seg === 'number' ? `[${seg}]` : `.${seg}`;
    return `\`${s}\` of task \`${id}\``;
  };
  const value = withValue ?? {};
  let validate: ReturnType<typeof compileForeign> | undefined;
  try {
    validate = compileForeign(kind.schema, kind.name);
  } catch (e) {
    diags.push(
      src.diag(['tasks', id, 'uses'], 'value', `task kind \`${kind.name}\` has an invalid schema: ${e instanceof Error ? e.message : String(e)}`),
    );
  }
  if (validate && !validate(value)) {
    translateAjvErrors(validate.errors ?? [], {
      data: value,
      base,
      describe: name,
      container: (p) => `in ${name(p)} (task kind \`${kind.name}\`)`,
      // A `${{ }}` value is only known at run time; the kind checks it then.
      skip: (_p, v, e) => containsTemplate(v) && e.keyword !== 'required' && e.keyword !== 'additionalProperties',
      report: (path, part, message, extra) => {
        // Missing `with` entirely: point at `uses`.
        const where = withValue === undefined ? ['tasks', id, 'uses'] : path;
        diags.push(src.diag(where, withValue === undefined ? 'key' : part, message, extra));
      },
    });
  }
  if (kind.validate) {
    let problems: Array<{ path: Array<string | number>; message: string }> = [];
    try {
      problems = kind.validate(value);
    } catch (e) {
      problems = [{ path: [], message: `cannot be checked: ${e instanceof Error ? e.message : describeValue(e)}` }];
    }
    for (const p of problems) {
      const path = [...base, ...p.path];
      diags.push(src.diag(withValue === undefined ? ['tasks', id, 'uses'] : path, 'value', `${name(path)}: ${p.message}`));
    }
  }
}
