/**
 * The playbook JSON Schema (`schemas/playbook.schema.json`, THE one definition of the format),
 * read and compiled once, lazily.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileShipped, type ErrorObject, type ValidateFunction } from './ajv.js';

const SCHEMA_RELATIVE = join('schemas', 'playbook.schema.json');

let schemaPath: string | undefined;
let schema: Record<string, unknown> | undefined;
let validator: ValidateFunction | undefined;

/** Absolute path of `schemas/playbook.schema.json` (found from this module, in source or in dist/). */
export function playbookSchemaPath(): string {
  if (!schemaPath) {
    let dir = dirname(fileURLToPath(import.meta.url));
    for (let i = 0; i < 6; i++) {
      const candidate = join(dir, SCHEMA_RELATIVE);
      if (existsSync(candidate)) {
        schemaPath = candidate;
        break;
      }
      dir = dirname(dir);
    }
    if (!schemaPath) throw new Error(`cannot find ${SCHEMA_RELATIVE} above ${fileURLToPath(import.meta.url)}`);
  }
  return schemaPath;
}

/** The playbook schema as an object. */
export function playbookSchema(): Record<string, unknown> {
  schema ??= JSON.parse(readFileSync(playbookSchemaPath(), 'utf8')) as Record<string, unknown>;
  return schema;
}

/** Validates a document against the playbook schema; returns ajv's errors (empty when valid). */
export function checkPlaybookSchema(data: unknown): ErrorObject[] {
  validator ??= compileShipped('playbook', playbookSchema());
  return validator(data) ? [] : [...(validator.errors ?? [])];
}
