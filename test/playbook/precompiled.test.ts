/**
 * The build compiles the shipped schemas ahead of time (scripts/precompile-schemas.mjs). Here:
 * every shipped schema has a fresh precompiled validator in dist/generated (`npm test` builds
 * first), and each one gives exactly the answers of ajv compiling the schema at run time.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { createAjv, exportName, foreignFlavor, foreignSchema, precompiled } from '../../runner/playbook/ajv.js';
import { playbookSchema } from '../../runner/playbook/schema.js';
import { kinds } from '../../tasks/index.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const playbookFiles = [
  ...fs.readdirSync(path.join(ROOT, 'playbooks')).map((f) => path.join(ROOT, 'playbooks', f)),
  ...fs.readdirSync(path.join(ROOT, 'examples')).map((f) => path.join(ROOT, 'examples', f)),
].filter((f) => f.endsWith('.yaml'));

const errorsOf = (v: { errors?: unknown }) => JSON.stringify(v.errors ?? null);

describe('precompiled schema validators', () => {
  it('exist and are fresh for the playbook schema and every built-in kind', () => {
    expect(precompiled('strict07', 'playbook', playbookSchema()), 'run `npm run build`').toBeDefined();
    for (const kind of kinds.values()) {
      const v = precompiled(foreignFlavor(kind.schema), exportName(`kind-${kind.name}`), foreignSchema(kind.schema));
      expect(v, kind.name).toBeDefined();
    }
  });

  it('are not used for a schema that changed since the build', () => {
    expect(precompiled('strict07', 'playbook', { ...playbookSchema(), required: ['name'] })).toBeUndefined();
  });

  it('give the same verdicts and errors as ajv at run time', () => {
    const docs: unknown[] = playbookFiles.map((f) => parse(fs.readFileSync(f, 'utf8')));
    // Damaged copies: a wrong type, an unknown field, a task without run or uses.
    docs.push({ name: 1, tasks: {} }, { name: 'x', tasks: { a: { run: 'true', nedds: [] } } }, { name: 'x', tasks: { a: {} } }, 'text');
    const fresh = createAjv('strict07').compile(playbookSchema());
    const pre = precompiled('strict07', 'playbook', playbookSchema())!;
    for (const d of docs) {
      expect(pre(d)).toBe(fresh(d));
      expect(errorsOf(pre)).toBe(errorsOf(fresh));
    }
    const withs = [{}, { nope: 1 }, { name: 5 }, { tools: [{ name: 'kind' }] }, { url: 'http://127.0.0.1:1/', attempts: 'x' }, null];
    for (const kind of kinds.values()) {
      const schema = foreignSchema(kind.schema);
      const flavor = foreignFlavor(kind.schema);
      const a = createAjv(flavor).compile(schema);
      const p = precompiled(flavor, exportName(`kind-${kind.name}`), schema)!;
      for (const w of withs) {
        expect(p(w), `${kind.name} ${JSON.stringify(w)}`).toBe(a(w));
        expect(errorsOf(p)).toBe(errorsOf(a));
      }
    }
  });
});
