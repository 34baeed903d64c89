import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { EXPECTED } from '../../runner/playbook/describe.js';
import { checkPlaybookSchema, playbookSchema, playbookSchemaPath } from '../../runner/playbook/schema.js';
import { FIXTURES } from './helpers.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Every YAML file under a directory (recursively), found when the test runs. */
function yamlFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) return yamlFiles(p);
    return /\.ya?ml$/.test(name) ? [p] : [];
  });
}

/** Every `properties` object in the schema, with its location. */
function propertyMaps(node: unknown, at = '#'): Array<[string, Record<string, Record<string, unknown>>]> {
  if (!node || typeof node !== 'object') return [];
  const out: Array<[string, Record<string, Record<string, unknown>>]> = [];
  for (const [k, v] of Object.entries(node)) {
    if (k === 'properties' && v && typeof v === 'object' && !('type' in v && typeof (v as { type: unknown }).type === 'string'))
      out.push([`${at}/properties`, v as Record<string, Record<string, unknown>>]);
    out.push(...propertyMaps(v, `${at}/${k}`));
  }
  return out;
}

describe('schemas/playbook.schema.json', () => {
  it('is found from the module and is draft-07 JSON', () => {
    expect(playbookSchemaPath()).toBe(path.join(ROOT, 'schemas', 'playbook.schema.json'));
    expect(playbookSchema().$schema).toBe('http://json-schema.org/draft-07/schema#');
  });

  it('closes every object and describes every property', () => {
    const schema = playbookSchema();
    const maps = propertyMaps(schema);
    expect(maps.length).toBeGreaterThan(5);
    for (const [at, props] of maps) {
      for (const [name, sub] of Object.entries(props)) {
        expect(typeof sub.description, `${at}/${name} has a description`).toBe('string');
        expect((sub.description as string).length, `${at}/${name}`).toBeGreaterThan(10);
      }
    }
    const objects: string[] = [];
    const walk = (n: unknown, at: string) => {
      if (!n || typeof n !== 'object') return;
      const o = n as Record<string, unknown>;
      const t = o.type;
      if ((t === 'object' || (Array.isArray(t) && t.includes('object'))) && o.properties) {
        objects.push(at);
        expect(o.additionalProperties, `${at} is closed`).toBe(false);
      }
      for (const [k, v] of Object.entries(o)) if (k !== 'properties') walk(v, `${at}/${k}`);
      if (o.properties) for (const [k, v] of Object.entries(o.properties as object)) walk(v, `${at}/properties/${k}`);
    };
    walk(schema, '#');
    expect(objects).toEqual(expect.arrayContaining(['#', '#/definitions/task', '#/definitions/var', '#/definitions/check']));
  });

  it('documents the task fields the spec lists', () => {
    const task = (playbookSchema().definitions as Record<string, { properties: object }>).task!;
    expect(Object.keys(task.properties).sort()).toEqual(
      ['cwd', 'description', 'env', 'needs', 'outputs', 'preconditions', 'retries', 'retry-delay', 'run', 'timeout', 'undo', 'unless', 'uses', 'when', 'with'].sort(),
    );
  });

  it('has an expected-phrase entry only for fields that exist', () => {
    const schema = playbookSchema() as { properties: Record<string, unknown>; definitions: Record<string, { properties: Record<string, unknown> }> };
    for (const key of Object.keys(EXPECTED)) {
      const parts = key.split('.').filter((p) => p !== '*' && p !== '#' && p !== '');
      if (parts.length === 0) continue;
      const top = parts[0]!;
      expect(Object.keys(schema.properties), key).toContain(top);
      const leaf = parts[parts.length - 1]!;
      if (parts.length > 1) {
        const def = top === 'tasks' ? (parts[1] === 'preconditions' && parts.length > 2 ? 'check' : 'task') : top === 'vars' ? 'var' : 'assert';
        expect(Object.keys(schema.definitions[def]!.properties), key).toContain(leaf);
      }
    }
  });

  it('accepts valid samples and rejects invalid ones', () => {
    const ok = { name: 'x', tasks: { a: { run: 'echo', needs: 'b', timeout: '1h30m', outputs: ['o'] }, b: { uses: 'k', with: { any: 1 } } } };
    expect(checkPlaybookSchema(ok)).toEqual([]);
    const bad: unknown[] = [
      { name: 'x' },
      { name: 'X', tasks: {} },
      { name: 'x', tasks: { a: { run: 'echo', retries: -1 } } },
      { name: 'x', tasks: { a: { run: 'echo', undo: true } } },
      { name: 'x', tasks: { a: { run: 'echo', timeout: '5 min' } } },
      { name: 'x', tasks: { '9a': { run: 'echo' } } },
      { name: 'x', tasks: { a: { run: 'echo', extra: 1 } } },
      { name: 'x', tasks: {}, vars: { 'A': {} } },
      { name: 'x', tasks: {}, vars: { a: { type: 'date' } } },
      { name: 'x', tasks: {}, assert: [{ that: 'vars.a' }] },
    ];
    for (const b of bad) expect(checkPlaybookSchema(b).length, JSON.stringify(b)).toBeGreaterThan(0);
  });

  const shipped = [...yamlFiles(path.join(ROOT, 'playbooks')), ...yamlFiles(path.join(ROOT, 'examples')), path.join(FIXTURES, 'valid.yaml')];
  it.each(shipped.map((f) => [path.relative(ROOT, f), f]))('%s validates against the schema', (_rel, file) => {
    const data: unknown = parse(readFileSync(file, 'utf8'));
    expect(checkPlaybookSchema(data)).toEqual([]);
  });
});
